package staff_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
)

func TestEachValidExamplePassesItsSchemaAndRules(t *testing.T) {
	for _, ex := range validExamples(t) {
		t.Run(strings.TrimSuffix(ex.file, ".json"), func(t *testing.T) {
			data := readExample(t, "valid/"+ex.file)
			if err := staff.Validate(data); err != nil {
				t.Fatal(err)
			}
			c, err := vc.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if !c.HasType(ex.claims.CredentialType()) {
				t.Fatalf("type %v", c.Type.Items)
			}
		})
	}
}

// TestGoValuesSurviveTheRoundTrip: Go value, JSON, parse, schema
// validation, the same Go value.
func TestGoValuesSurviveTheRoundTrip(t *testing.T) {
	for _, ex := range validExamples(t) {
		t.Run(strings.TrimSuffix(ex.file, ".json"), func(t *testing.T) {
			c, err := staff.NewCredential(ex.claims, ex.meta)
			if err != nil {
				t.Fatal(err)
			}
			data, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := vc.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := staff.FromCredential(parsed)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, ex.claims) {
				t.Fatalf("round trip changed the claims:\n got %#v\nwant %#v", got, ex.claims)
			}
			if ids := parsed.SubjectIDs(); len(ids) != 1 || ids[0] != subjectDID {
				t.Fatalf("subject ids %v", ids)
			}
			if from, until, _ := parsed.ValidityPeriod(); !from.Equal(ex.meta.ValidFrom) || !until.Equal(ex.meta.ValidUntil) {
				t.Fatalf("validity %v to %v", from, until)
			}
		})
	}
}

// TestNoCredentialHoldsARawIdentifier reads every example file, valid and
// invalid, for the identifiers they stand for, in any case, with or without
// spaces and hyphens. Only the invalid examples made to show that a raw
// identifier is refused hold one, and Validate refuses those.
func TestNoCredentialHoldsARawIdentifier(t *testing.T) {
	raw := []string{passportNumber, licenceNumber, shareCode, dbsCertificateNum}
	refused := map[string]bool{
		"identity-check-raw-document-number.json": true,
		"right-to-work-raw-share-code.json":       true,
		"dbs-check-raw-certificate-number.json":   true,
	}
	strip := strings.NewReplacer(" ", "", "-", "")
	files, err := filepath.Glob(filepath.Join(examplesDir, "*", "*.json"))
	if err != nil || len(files) < 8 {
		t.Fatalf("found %d example files: %v", len(files), err)
	}
	for _, file := range files {
		data := strip.Replace(strings.ToUpper(string(readFile(t, file))))
		var held []string
		for _, r := range raw {
			if strings.Contains(data, strip.Replace(r)) {
				held = append(held, r)
			}
		}
		switch name := filepath.Base(file); {
		case refused[name]:
			if len(held) != 1 {
				t.Errorf("%s holds %q; it should hold exactly one identifier", file, held)
			}
			if err := staff.Validate(readFile(t, file)); !errors.Is(err, staff.ErrSchema) {
				t.Errorf("%s: Validate = %v; want staff.ErrSchema", file, err)
			}
		case len(held) > 0:
			t.Errorf("%s holds %q", file, held)
		}
	}
	// And a hash read from a file matches the identifier for someone who
	// holds it. (Each check costs DefaultIterations; hash_test.go checks
	// that a wrong value is refused, at the cheapest count.)
	var rtw staff.RightToWork
	if err := json.Unmarshal(subjectClaims(t, "valid/right-to-work.json"), &rtw); err != nil {
		t.Fatal(err)
	}
	if !rtw.ShareCodeHash.Matches("wxy-123-abc") {
		t.Fatal("the share code hash does not match the share code")
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func subjectClaims(t *testing.T, file string) []byte {
	t.Helper()
	var doc struct {
		Subject json.RawMessage `json:"credentialSubject"`
	}
	if err := json.Unmarshal(readExample(t, file), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Subject
}

func TestNewCredentialRefusesIncompleteOrContradictoryInput(t *testing.T) {
	good := func() staff.Meta { return meta("2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0aff") }
	dbs := func() *staff.DBSCheck { return validExamples(t)[2].claims.(*staff.DBSCheck) }
	tests := []struct {
		name    string
		claims  func() staff.Claims
		meta    func() staff.Meta
		pointer string
		err     error
	}{
		{"no claims are refused", func() staff.Claims { return nil }, good, "/credentialSubject", staff.ErrMissing},
		{"an issuer that is not a DID is refused", func() staff.Claims { return dbs() },
			func() staff.Meta { m := good(); m.Issuer = "https://riverside-trust.example"; return m }, "/issuer", staff.ErrFormat},
		{"a subject that is not a DID is refused", func() staff.Claims { return dbs() },
			func() staff.Meta { m := good(); m.Subject = ""; return m }, "/credentialSubject/id", staff.ErrFormat},
		{"a credential without validFrom is refused", func() staff.Claims { return dbs() },
			func() staff.Meta { m := good(); m.ValidFrom = time.Time{}; return m }, "/validFrom", staff.ErrMissing},
		{"validUntil before validFrom is refused", func() staff.Claims { return dbs() },
			func() staff.Meta { m := good(); m.ValidUntil = m.ValidFrom.Add(-time.Second); return m }, "/validUntil", staff.ErrContradiction},
		{"an id that is not a URL is refused", func() staff.Claims { return dbs() },
			func() staff.Meta { m := good(); m.ID = "not a url"; return m }, "/id", staff.ErrFormat},
		{"a check seen after the issue date is refused", func() staff.Claims { d := dbs(); d.CheckDate = staff.DateOf(issued.AddDate(0, 0, 1)); return d },
			good, "/credentialSubject/checkDate", staff.ErrFuture},
		{"a check on the issue date in the issuer's own time zone is accepted, the day after is not",
			func() staff.Claims { d := dbs(); d.CheckDate = date(t, "2025-03-04"); return d },
			func() staff.Meta {
				m := good()
				m.ValidFrom = time.Date(2025, 3, 4, 0, 30, 0, 0, time.FixedZone("BST", 3600)) // 2025-03-03T23:30Z
				return m
			}, "", nil},
		{"a training completion after the issue date is refused", func() staff.Claims {
			return &staff.MandatoryTraining{Records: []staff.TrainingRecord{{Subject: staff.SubjectFireSafety, Level: 1, CompletionDate: date(t, "2025-03-04"), Provider: "Riverside", FrameworkVersion: "v1.1"}}}
		}, good, "/credentialSubject/trainingRecords/0/completionDate", staff.ErrFuture},
		{"a DBS barred-list check on a basic check is refused", func() staff.Claims {
			d := dbs()
			d.Level, d.Workforce = staff.DBSBasic, ""
			return d
		}, good, "/credentialSubject/barredListsChecked", staff.ErrNotAllowed},
		{"an enhanced check with barred lists that names none is refused", func() staff.Claims { d := dbs(); d.BarredListsChecked = nil; return d },
			good, "/credentialSubject/barredListsChecked", staff.ErrMissing},
		{"an adults' barred list check for the child workforce is refused", func() staff.Claims { d := dbs(); d.Workforce = staff.WorkforceChild; return d },
			good, "/credentialSubject/barredListsChecked/0", staff.ErrContradiction},
		{"a level that does not exist is refused", func() staff.Claims { d := dbs(); d.Level = "super-enhanced"; return d },
			good, "/credentialSubject/dbsLevel", staff.ErrFormat},
		{"a certificate hash that is not one is refused", func() staff.Claims {
			d := dbs()
			d.CertificateNumberHash = staff.SaltedHash{Salt: []byte("short")}
			return d
		},
			good, "/credentialSubject/certificateNumberHash", staff.ErrFormat},
		{"a certificate hash below the floor of iterations is refused", func() staff.Claims {
			d := dbs()
			d.CertificateNumberHash.Iterations = limits.MinHashIterations - 1
			return d
		},
			good, "/credentialSubject/certificateNumberHash/iterations", staff.ErrIterations},
		{"a share code hash above the ceiling of iterations is refused", func() staff.Claims {
			r := validExamples(t)[1].claims.(*staff.RightToWork)
			r.ShareCodeHash.Iterations = limits.MaxHashIterations + 1
			return r
		},
			good, "/credentialSubject/shareCodeHash/iterations", staff.ErrIterations},
		{"a document number hash without a count is refused", func() staff.Claims {
			c := validExamples(t)[0].claims.(*staff.IdentityCheck)
			c.DocumentsSeen[1].NumberHash.Iterations = 0
			return c
		},
			good, "/credentialSubject/documentsSeen/1/documentNumberHash/iterations", staff.ErrIterations},
		{"a time-limited right to work without its dates is refused", func() staff.Claims {
			return &staff.RightToWork{Route: staff.RouteManualCheck, Status: staff.RightToWorkTimeLimited, CheckDate: date(t, "2025-01-01")}
		}, good, "/credentialSubject/permissionExpiryDate", staff.ErrMissing},
		{"an unlimited right to work with an expiry is refused", func() staff.Claims {
			return &staff.RightToWork{Route: staff.RouteManualCheck, Status: staff.RightToWorkUnlimited, PermissionExpiryDate: date(t, "2026-01-01"), CheckDate: date(t, "2025-01-01")}
		}, good, "/credentialSubject/permissionExpiryDate", staff.ErrNotAllowed},
		{"a GMC number of 6 digits is refused", func() staff.Claims {
			return &staff.ProfessionalRegistration{Regulator: staff.RegulatorGMC, RegistrationNumber: "123456", RegisterName: "GP Register", Status: staff.Registered, RenewalDate: date(t, "2026-01-01"), CheckDate: date(t, "2025-01-01")}
		}, good, "/credentialSubject/registrationNumber", staff.ErrFormat},
		{"a GDC number is only checked for its characters", func() staff.Claims {
			return &staff.ProfessionalRegistration{Regulator: staff.RegulatorGDC, RegistrationNumber: "123456", RegisterName: "Dentists", Status: staff.Registered, RenewalDate: date(t, "2026-01-01"), CheckDate: date(t, "2025-01-01")}
		}, good, "", nil},
		{"free text with a line break is refused", func() staff.Claims {
			return &staff.Employment{Employer: employerDID, JobRole: "Staff\nNurse", StaffGroup: staff.StaffGroupNursingMidwifery, StartDate: date(t, "2020-01-01")}
		}, good, "/credentialSubject/jobRole", staff.ErrFormat},
		{"an employer that is not a DID is refused", func() staff.Claims {
			return &staff.Employment{Employer: "did:web:", JobRole: "Staff Nurse", StaffGroup: staff.StaffGroupNursingMidwifery, StartDate: date(t, "2020-01-01")}
		}, good, "/credentialSubject/employer", staff.ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := staff.NewCredential(tt.claims(), tt.meta())
			if tt.err == nil {
				if err != nil || c == nil {
					t.Fatalf("NewCredential = %v", err)
				}
				return
			}
			var ve *staff.ValidationError
			if !errors.Is(err, tt.err) || !errors.As(err, &ve) || ve.Field(tt.pointer) == nil || !errors.Is(ve.Field(tt.pointer), tt.err) {
				t.Fatalf("NewCredential = %v; want %v at %s", err, tt.err, tt.pointer)
			}
			if c != nil {
				t.Fatal("a credential came back with the error")
			}
		})
	}
}

func TestFromCredentialRefusesWhatValidateRefuses(t *testing.T) {
	for _, ex := range invalidExamples() {
		c, err := vc.Parse(readExample(t, "invalid/"+ex.file))
		if err != nil {
			continue // not even a VCDM credential
		}
		if got, err := staff.FromCredential(c); !errors.Is(err, ex.err) || got != nil {
			t.Errorf("%s: FromCredential = %v, %v; want %v", ex.file, got, err, ex.err)
		}
	}
	if _, err := staff.FromCredential(nil); !errors.Is(err, staff.ErrInvalid) {
		t.Errorf("FromCredential(nil) = %v", err)
	}
}

func TestValidateRefusesWhatIsNotAStrictJSONObject(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		pointer string
		err     error
	}{
		{"an array is refused", `[]`, "", staff.ErrSyntax},
		{"duplicate member names are refused", `{"type":"a","type":"b"}`, "/type", staff.ErrSyntax},
		{"text that is not JSON is refused", `{"a":`, "/a", staff.ErrSyntax},
		{"a credential with no type is refused", `{}`, "/type", staff.ErrType},
		{"a validFrom that is not a date-time is refused", strings.Replace(string(readExample(t, "valid/employment.json")), `"2025-03-03T09:00:00Z"`, `"3 March 2025"`, 1), "/validFrom", staff.ErrFormat},
		{"a validFrom that is a number is refused", strings.Replace(string(readExample(t, "valid/employment.json")), `"2025-03-03T09:00:00Z"`, `20250303`, 1), "/validFrom", staff.ErrFormat},
		{"a credentialSubject array is refused", strings.Replace(strings.Replace(string(readExample(t, "valid/employment.json")), `"credentialSubject": {`, `"credentialSubject": [{`, 1), "},\n  \"credentialSchema\"", "}],\n  \"credentialSchema\"", 1), "/credentialSubject", staff.ErrSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := staff.Validate([]byte(tt.data))
			var ve *staff.ValidationError
			if !errors.Is(err, tt.err) || !errors.As(err, &ve) || ve.Field(tt.pointer) == nil {
				t.Fatalf("Validate = %v; want %v at %q", err, tt.err, tt.pointer)
			}
		})
	}
}

// TestIntegersMayBeWrittenInAnyExactForm: an integer claim written 20.0
// or 2e1 is the integer 20, as the schema and the verifier read it; 20.5
// is refused at its field.
func TestIntegersMayBeWrittenInAnyExactForm(t *testing.T) {
	base := string(readExample(t, "valid/right-to-work.json"))
	for _, form := range []string{"20", "20.0", "2e1", "200e-1"} {
		data := strings.Replace(base, `"maxHoursPerWeek": 20`, `"maxHoursPerWeek": `+form, 1)
		c, err := vc.Parse([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		claims, err := staff.FromCredential(c)
		if err != nil {
			t.Fatalf("%s: %v", form, err)
		}
		if got := claims.(*staff.RightToWork).MaxHoursPerWeek; got != 20 {
			t.Errorf("%s: maxHoursPerWeek %d", form, got)
		}
	}
	data := strings.Replace(base, `"maxHoursPerWeek": 20`, `"maxHoursPerWeek": 20.5`, 1)
	err := staff.Validate([]byte(data))
	var ve *staff.ValidationError
	if !errors.Is(err, staff.ErrSchema) || !errors.As(err, &ve) || ve.Field("/credentialSubject/maxHoursPerWeek") == nil {
		t.Fatalf("Validate(20.5) = %v", err)
	}
}
