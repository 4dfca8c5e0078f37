package staff_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/vc/staff"
)

var update = flag.Bool("update", false, "rewrite testdata/staff from the fixed inputs in fixtures_test.go")

const examplesDir = "../../testdata/staff"

// invalidExample breaks one rule of a valid example.
type invalidExample struct {
	file    string // under testdata/staff/invalid, naming the rule broken
	base    string // the valid example it starts from
	rule    string // the rule, for a person
	mutate  func(doc map[string]any)
	pointer string // the field the error must name
	err     error  // the kind of rule
}

func subject(doc map[string]any) map[string]any { return doc["credentialSubject"].(map[string]any) }

func setSubject(name string, v any) func(map[string]any) {
	return func(doc map[string]any) { subject(doc)[name] = v }
}

func deleteSubject(names ...string) func(map[string]any) {
	return func(doc map[string]any) {
		for _, n := range names {
			delete(subject(doc), n)
		}
	}
}

func all(fs ...func(map[string]any)) func(map[string]any) {
	return func(doc map[string]any) {
		for _, f := range fs {
			f(doc)
		}
	}
}

// entry returns element i of the subject's list member name.
func entry(doc map[string]any, name string, i int) map[string]any {
	return subject(doc)[name].([]any)[i].(map[string]any)
}

func invalidExamples() []invalidExample {
	const (
		id   = "identity-check.json"
		rtw  = "right-to-work.json"
		dbs  = "dbs-check.json"
		tr   = "mandatory-training.json"
		reg  = "professional-registration.json"
		oh   = "occupational-health-clearance.json"
		emp  = "employment.json"
		hist = "employment-history.json"
		cs   = "/credentialSubject/"
	)
	return []invalidExample{
		// Rules every staff credential follows.
		{"common-no-staff-type.json", dbs, "a staff credential has one of the staff credential types",
			func(doc map[string]any) { doc["type"] = []any{"VerifiableCredential"} }, "/type", staff.ErrType},
		{"common-two-staff-types.json", dbs, "a staff credential has only one staff credential type",
			func(doc map[string]any) {
				doc["type"] = []any{"VerifiableCredential", "DBSCheckCredential", "EmploymentCredential"}
			}, "/type", staff.ErrType},
		{"common-without-staff-context.json", dbs, "@context is credentials v2 then the staffpass context",
			func(doc map[string]any) { doc["@context"] = []any{"https://www.w3.org/ns/credentials/v2"} }, "/@context", staff.ErrSchema},
		{"common-wrong-schema-digest.json", dbs, "credentialSchema carries the digest of the embedded schema",
			func(doc map[string]any) {
				doc["credentialSchema"].(map[string]any)["digestSRI"] = "sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			}, "/credentialSchema", staff.ErrSchemaReference},
		{"common-without-credential-schema.json", dbs, "a staff credential names its schema",
			func(doc map[string]any) { delete(doc, "credentialSchema") }, "/credentialSchema", staff.ErrMissing},
		{"common-subject-not-a-did.json", dbs, "the subject is a DID",
			setSubject("id", "mailto:jo@example.org"), cs + "id", staff.ErrSchema},

		{"identity-check-in-person-with-provider.json", id, "an in-person check names no identity service provider",
			setSubject("identityProvider", "Example Identity Ltd"), cs + "identityProvider", staff.ErrNotAllowed},
		{"identity-check-provider-without-confidence.json", id, "a check by an identity service provider gives the GPG 45 level",
			all(setSubject("checkMethod", "identity-service-provider"), setSubject("identityProvider", "Example Identity Ltd")), cs + "confidenceLevel", staff.ErrMissing},
		{"identity-check-passport-without-number-hash.json", id, "a passport is recorded with the salted hash of its number",
			func(doc map[string]any) { delete(entry(doc, "documentsSeen", 0), "documentNumberHash") }, cs + "documentsSeen/0/documentNumberHash", staff.ErrMissing},
		{"identity-check-raw-document-number.json", id, "the document number itself is never written",
			func(doc map[string]any) { entry(doc, "documentsSeen", 0)["documentNumber"] = passportNumber }, cs + "documentsSeen/0/documentNumber", staff.ErrSchema},
		{"identity-check-photo.json", id, "the photograph itself is never written",
			setSubject("photo", "data:image/jpeg;base64,/9j/4AAQSkZJRg=="), cs + "photo", staff.ErrSchema},
		{"identity-check-no-documents.json", id, "at least one document was seen",
			setSubject("documentsSeen", []any{}), cs + "documentsSeen", staff.ErrMissing},
		{"identity-check-date-after-issue.json", id, "the check happened before the credential was issued",
			setSubject("checkDate", "2025-03-04"), cs + "checkDate", staff.ErrFuture},
		{"identity-check-born-after-check.json", id, "the date of birth is before the check date",
			setSubject("dateOfBirth", "2025-02-24"), cs + "dateOfBirth", staff.ErrContradiction},
		{"identity-check-impossible-date.json", id, "dates exist",
			setSubject("dateOfBirth", "1990-02-29"), cs + "dateOfBirth", staff.ErrSchema},

		{"right-to-work-time-limited-without-expiry.json", rtw, "time-limited permission has an expiry date",
			deleteSubject("permissionExpiryDate"), cs + "permissionExpiryDate", staff.ErrMissing},
		{"right-to-work-time-limited-without-follow-up.json", rtw, "time-limited permission has a follow-up date",
			deleteSubject("followUpDate"), cs + "followUpDate", staff.ErrMissing},
		{"right-to-work-unlimited-with-expiry.json", rtw, "an unlimited right to work has no expiry date",
			all(setSubject("rightToWorkStatus", "unlimited"), deleteSubject("followUpDate", "workRestrictions", "maxHoursPerWeek")), cs + "permissionExpiryDate", staff.ErrNotAllowed},
		{"right-to-work-unlimited-with-hours-cap.json", rtw, "an unlimited right to work has no cap on hours",
			all(setSubject("rightToWorkStatus", "unlimited"), deleteSubject("followUpDate", "permissionExpiryDate", "workRestrictions")), cs + "maxHoursPerWeek", staff.ErrNotAllowed},
		{"right-to-work-follow-up-after-expiry.json", rtw, "the follow-up check is due before the permission expires",
			setSubject("followUpDate", "2027-10-01"), cs + "followUpDate", staff.ErrContradiction},
		{"right-to-work-expired-at-check.json", rtw, "the permission had not expired when checked",
			all(setSubject("permissionExpiryDate", "2025-02-20"), setSubject("followUpDate", "2025-02-24")), cs + "permissionExpiryDate", staff.ErrContradiction},
		{"right-to-work-online-check-without-share-code.json", rtw, "a Home Office online check records the share code's salted hash",
			deleteSubject("shareCodeHash"), cs + "shareCodeHash", staff.ErrMissing},
		{"right-to-work-raw-share-code.json", rtw, "the share code itself is never written",
			setSubject("shareCode", shareCode), cs + "shareCode", staff.ErrSchema},
		{"right-to-work-provider-time-limited.json", rtw, "an identity service provider checks only British or Irish passports (unlimited)",
			all(setSubject("rightToWorkRoute", "identity-service-provider"), setSubject("identityProvider", "Example Identity Ltd"), deleteSubject("shareCodeHash")), cs + "rightToWorkStatus", staff.ErrContradiction},

		{"dbs-check-basic-with-barred-lists.json", dbs, "only an enhanced check with barred lists includes the barred lists",
			all(setSubject("dbsLevel", "basic"), deleteSubject("dbsWorkforce")), cs + "barredListsChecked", staff.ErrNotAllowed},
		{"dbs-check-barred-lists-not-named.json", dbs, "an enhanced check with barred lists names the lists",
			deleteSubject("barredListsChecked"), cs + "barredListsChecked", staff.ErrMissing},
		{"dbs-check-enhanced-without-workforce.json", dbs, "an enhanced check names its workforce",
			all(setSubject("dbsLevel", "enhanced"), deleteSubject("dbsWorkforce", "barredListsChecked")), cs + "dbsWorkforce", staff.ErrMissing},
		{"dbs-check-standard-with-workforce.json", dbs, "only enhanced checks have a workforce",
			all(setSubject("dbsLevel", "standard"), deleteSubject("barredListsChecked")), cs + "dbsWorkforce", staff.ErrNotAllowed},
		{"dbs-check-children-list-adult-workforce.json", dbs, "the children's barred list is checked only for the child workforce",
			setSubject("dbsWorkforce", "adult"), cs + "dbsWorkforce", staff.ErrSchema},
		{"dbs-check-subscribed-without-status-check.json", dbs, "an Update Service subscription has the date of the last status check",
			deleteSubject("updateServiceCheckDate"), cs + "updateServiceCheckDate", staff.ErrMissing},
		{"dbs-check-status-check-without-subscription.json", dbs, "there is no Update Service check without a subscription",
			setSubject("updateServiceSubscribed", false), cs + "updateServiceCheckDate", staff.ErrNotAllowed},
		{"dbs-check-seen-before-issue.json", dbs, "the certificate was seen after it was issued",
			setSubject("checkDate", "2024-11-01"), cs + "checkDate", staff.ErrContradiction},
		{"dbs-check-raw-certificate-number.json", dbs, "the certificate number itself is never written",
			setSubject("certificateNumber", dbsCertificateNum), cs + "certificateNumber", staff.ErrSchema},
		{"dbs-check-disclosure-content.json", dbs, "what the certificate disclosed is never written",
			setSubject("disclosure", "none recorded"), cs + "disclosure", staff.ErrSchema},
		{"dbs-check-short-salt.json", dbs, "a salted hash has a 16-byte salt",
			func(doc map[string]any) { subject(doc)["certificateNumberHash"].(map[string]any)["salt"] = "c2FsdA" }, cs + "certificateNumberHash/salt", staff.ErrSchema},
		{"dbs-check-hash-without-iterations.json", dbs, "a salted hash records its PBKDF2 iteration count",
			func(doc map[string]any) { delete(subject(doc)["certificateNumberHash"].(map[string]any), "iterations") }, cs + "certificateNumberHash/iterations", staff.ErrMissing},
		{"dbs-check-too-few-iterations.json", dbs, "a salted hash has at least 10,000 iterations, so guesses stay slow",
			func(doc map[string]any) {
				subject(doc)["certificateNumberHash"].(map[string]any)["iterations"] = json.Number("1000")
			}, cs + "certificateNumberHash/iterations", staff.ErrIterations},
		{"dbs-check-too-many-iterations.json", dbs, "a salted hash has at most 10,000,000 iterations, so checking it stays cheap",
			func(doc map[string]any) {
				subject(doc)["certificateNumberHash"].(map[string]any)["iterations"] = json.Number("1000000000")
			}, cs + "certificateNumberHash/iterations", staff.ErrIterations},
		{"dbs-check-fractional-iterations.json", dbs, "an iteration count is a whole number",
			func(doc map[string]any) {
				subject(doc)["certificateNumberHash"].(map[string]any)["iterations"] = json.Number("100000.5")
			}, cs + "certificateNumberHash/iterations", staff.ErrSchema},

		{"mandatory-training-completed-after-issue.json", tr, "training was completed before the credential was issued",
			func(doc map[string]any) { entry(doc, "trainingRecords", 3)["completionDate"] = "2025-03-10" }, cs + "trainingRecords/3/completionDate", staff.ErrFuture},
		{"mandatory-training-unknown-subject.json", tr, "each subject is one of the eleven CSTF subjects",
			func(doc map[string]any) { entry(doc, "trainingRecords", 0)["cstfSubject"] = "basic-life-support" }, cs + "trainingRecords/0/cstfSubject", staff.ErrFormat},
		{"mandatory-training-level-zero.json", tr, "levels run from 1",
			func(doc map[string]any) { entry(doc, "trainingRecords", 0)["trainingLevel"] = json.Number("0") }, cs + "trainingRecords/0/trainingLevel", staff.ErrFormat},
		{"mandatory-training-repeated-subject.json", tr, "one completion date per subject and level",
			func(doc map[string]any) {
				entry(doc, "trainingRecords", 1)["cstfSubject"] = "equality-diversity-human-rights"
			}, cs + "trainingRecords/1", staff.ErrContradiction},
		{"mandatory-training-no-provider.json", tr, "each record names its provider",
			func(doc map[string]any) { delete(entry(doc, "trainingRecords", 2), "trainingProvider") }, cs + "trainingRecords/2/trainingProvider", staff.ErrMissing},

		{"professional-registration-nmc-number.json", reg, "an NMC PIN is 2 digits, a letter, 4 digits and a letter",
			setSubject("registrationNumber", "1234567"), cs + "registrationNumber", staff.ErrFormat},
		{"professional-registration-gmc-number.json", reg, "a GMC number is 7 digits",
			all(setSubject("regulator", "GMC"), setSubject("registerName", "Specialist Register")), cs + "registrationNumber", staff.ErrFormat},
		{"professional-registration-hcpc-number.json", reg, "an HCPC number is a two-letter prefix and digits",
			setSubject("regulator", "HCPC"), cs + "registrationNumber", staff.ErrFormat},
		{"professional-registration-without-renewal.json", reg, "a current registration has a renewal date",
			deleteSubject("renewalDate"), cs + "renewalDate", staff.ErrMissing},
		{"professional-registration-lapsed-with-conditions.json", reg, "conditions apply only to a current registration",
			all(setSubject("registrationStatus", "lapsed"), setSubject("registrationConditions", []any{"Must work under supervision"})), cs + "registrationConditions", staff.ErrNotAllowed},
		{"professional-registration-renewal-before-check.json", reg, "a current registration had not passed its renewal date when checked",
			setSubject("renewalDate", "2025-01-31"), cs + "renewalDate", staff.ErrContradiction},

		{"occupational-health-clearance-unfit.json", oh, "there is no credential for an unfit outcome",
			setSubject("fitnessOutcome", "unfit"), cs + "fitnessOutcome", staff.ErrFormat},
		{"occupational-health-clearance-health-detail.json", oh, "no health details beyond yes/no flags",
			setSubject("adjustments", "Phased return"), cs + "adjustments", staff.ErrSchema},
		{"occupational-health-clearance-vaccine-date.json", oh, "an immunisation clearance is a yes/no flag only",
			func(doc map[string]any) { entry(doc, "immunisationClearances", 0)["vaccinationDate"] = "2019-01-01" }, cs + "immunisationClearances/0/vaccinationDate", staff.ErrSchema},
		{"occupational-health-clearance-review-before-check.json", oh, "the review is after the assessment",
			setSubject("reviewDate", "2025-02-01"), cs + "reviewDate", staff.ErrContradiction},
		{"occupational-health-clearance-repeated-group.json", oh, "each immunisation group appears once",
			func(doc map[string]any) { entry(doc, "immunisationClearances", 1)["immunisationGroup"] = "hepatitis-b" }, cs + "immunisationClearances/1", staff.ErrContradiction},

		{"employment-employer-not-a-did.json", emp, "the employer is a DID",
			setSubject("employer", "Riverside Example NHS Trust"), cs + "employer", staff.ErrFormat},
		{"employment-starts-after-issue.json", emp, "current employment has started",
			setSubject("startDate", "2025-04-01"), cs + "startDate", staff.ErrFuture},
		{"employment-unknown-staff-group.json", emp, "the staff group is an ESR staff group",
			setSubject("staffGroup", "nurses"), cs + "staffGroup", staff.ErrFormat},

		{"employment-history-ends-before-start.json", hist, "an employment ends after it starts",
			func(doc map[string]any) { entry(doc, "employmentHistory", 0)["endDate"] = "2015-12-31" }, cs + "employmentHistory/0/endDate", staff.ErrContradiction},
		{"employment-history-empty.json", hist, "a history lists at least one employment",
			setSubject("employmentHistory", []any{}), cs + "employmentHistory", staff.ErrMissing},
		{"employment-history-without-employer-name.json", hist, "each employment names the employer",
			func(doc map[string]any) { delete(entry(doc, "employmentHistory", 1), "employerName") }, cs + "employmentHistory/1/employerName", staff.ErrMissing},
	}
}

// indent pretty-prints JSON with a final newline.
func indent(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, data, "", "  "); err != nil {
		t.Fatal(err)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// generated returns every example file, by path under testdata/staff.
func generated(t testing.TB) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	valid := make(map[string][]byte)
	for _, ex := range validExamples(t) {
		c, err := staff.NewCredential(ex.claims, ex.meta)
		if err != nil {
			t.Fatalf("%s: %v", ex.file, err)
		}
		data, err := c.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		valid[ex.file] = data
		files["valid/"+ex.file] = indent(t, data)
	}
	var index strings.Builder
	index.WriteString("# Invalid staff credentials\n\nGenerated by `go test ./vc/staff -run TestGenerate -update` from `vc/staff/examples_test.go`.\nEach file breaks one rule of the valid example it starts from; `vc/staff` must refuse it with an error naming the field.\n\n| file | starts from | rule broken | field named |\n|---|---|---|---|\n")
	for _, ex := range invalidExamples() {
		dec := json.NewDecoder(bytes.NewReader(valid[ex.base]))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%s: %v", ex.file, err)
		}
		ex.mutate(doc)
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		files["invalid/"+ex.file] = indent(t, data)
		fmt.Fprintf(&index, "| `%s` | `valid/%s` | %s | `%s` |\n", ex.file, ex.base, ex.rule, ex.pointer)
	}
	files["invalid/README.md"] = []byte(index.String())
	return files
}

// TestGenerateExamples checks, or with -update writes, the example
// credentials in testdata/staff, made by Go code from fixed inputs.
func TestGenerateExamples(t *testing.T) {
	files := generated(t)
	if *update {
		for _, dir := range []string{"valid", "invalid"} {
			old, _ := filepath.Glob(filepath.Join(examplesDir, dir, "*"))
			for _, f := range old {
				if err := os.Remove(f); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for name, want := range files {
		path := filepath.Join(examplesDir, name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./vc/staff -run TestGenerate -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the generator makes (run go test ./vc/staff -run TestGenerate -update)", path)
		}
	}
	for _, dir := range []string{"valid", "invalid"} {
		on, _ := filepath.Glob(filepath.Join(examplesDir, dir, "*"))
		for _, f := range on {
			if _, ok := files[dir+"/"+filepath.Base(f)]; !ok {
				t.Errorf("%s is not made by the generator", f)
			}
		}
	}
}

func readExample(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(examplesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestEachInvalidExampleFailsNamingTheField(t *testing.T) {
	seen := map[string]bool{}
	for _, ex := range invalidExamples() {
		if seen[ex.file] {
			t.Fatalf("two invalid examples are called %s", ex.file)
		}
		seen[ex.file] = true
		t.Run(strings.TrimSuffix(ex.file, ".json"), func(t *testing.T) {
			err := staff.Validate(readExample(t, "invalid/"+ex.file))
			if !errors.Is(err, ex.err) || !errors.Is(err, staff.ErrInvalid) {
				t.Fatalf("Validate = %v; want an error wrapping %v", err, ex.err)
			}
			var ve *staff.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %T; want a *staff.ValidationError", err)
			}
			f := ve.Field(ex.pointer)
			if f == nil || !errors.Is(f, ex.err) {
				t.Fatalf("Validate = %v; want a problem at %s of kind %v", err, ex.pointer, ex.err)
			}
			if !strings.Contains(err.Error(), ex.pointer) {
				t.Errorf("the message %q does not name %s", err, ex.pointer)
			}
		})
	}
}

func TestEveryRuleHasAnInvalidExampleOfEachType(t *testing.T) {
	prefixes := map[string]string{
		staff.TypeIdentityCheck: "identity-check-", staff.TypeRightToWork: "right-to-work-",
		staff.TypeDBSCheck: "dbs-check-", staff.TypeMandatoryTraining: "mandatory-training-",
		staff.TypeProfessionalRegistration: "professional-registration-", staff.TypeOccupationalHealthClearance: "occupational-health-clearance-",
		staff.TypeEmployment: "employment-", staff.TypeEmploymentHistory: "employment-history-",
	}
	for _, typ := range staff.Types() {
		if !slices.ContainsFunc(invalidExamples(), func(ex invalidExample) bool { return strings.HasPrefix(ex.file, prefixes[typ]) }) {
			t.Errorf("no invalid example of %s", typ)
		}
	}
}
