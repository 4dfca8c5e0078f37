package staff_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	didjwk "github.com/staffpass/staffpass/did/jwk"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc/staff"
)

// rowIssued is the date of issue the row tests check against.
var rowIssued = staff.DateOf(issued) // 2025-03-03

// validRows returns one valid row of each type with a row mapping, as a
// spreadsheet would hold it.
func validRows() map[string]map[string]string {
	common := func(m map[string]string) map[string]string {
		m["staff_id"] = "E1234"
		m["subject"] = subjectDID
		return m
	}
	return map[string]map[string]string{
		staff.TypeIdentityCheck: common(map[string]string{
			"given_name": "Jo", "family_name": "Bloggs-Example", "date_of_birth": "15/10/1990",
			"document1_type": "Passport", "document1_issuing_country": "gbr", "document1_number": passportNumber, "document1_expiry_date": "30/06/2031",
			"document2_type": "utility bill", "document2_issuing_country": "GBR",
			"check_method": "in-person", "checked_by": "Riverside Example NHS Trust", "check_date": "24/02/2025",
		}),
		staff.TypeRightToWork: common(map[string]string{
			"right_to_work_route": "home-office-online-check", "share_code": shareCode,
			"right_to_work_status": "time-limited", "permission_expiry_date": "2027-09-30", "follow_up_date": "31/08/2027",
			"work_restrictions": "No self-employment; ", "max_hours_per_week": "20", "check_date": "2025-02-24",
		}),
		staff.TypeDBSCheck: common(map[string]string{
			"dbs_level": "Enhanced with barred lists", "dbs_workforce": "adult-and-child", "barred_lists_checked": "adults; children",
			"certificate_number": dbsCertificateNum, "certificate_issue_date": "04/11/2024",
			"update_service_subscribed": "Yes", "update_service_check_date": "25/02/2025", "check_date": "2025-02-25",
		}),
		staff.TypeMandatoryTraining: common(map[string]string{
			"training_provider": "Riverside Example NHS Trust", "framework_version": "CSTF England v1.1",
			"fire_safety_level": "1", "fire_safety_completion_date": "20/05/2024",
			"resuscitation_level": "2", "resuscitation_completion_date": "29/02/2024", "resuscitation_training_provider": "Resus Example Ltd",
		}),
		staff.TypeProfessionalRegistration: common(map[string]string{
			"regulator": "nmc", "registration_number": "12a3456e", "register_name": "Registered Nurse - Adult",
			"registration_status": "registered", "renewal_date": "31/01/2027", "check_date": "24/02/2025",
		}),
		staff.TypeOccupationalHealthClearance: common(map[string]string{
			"fitness_outcome": "fit", "epp_cleared": "no", "hepatitis_b_cleared": "yes", "influenza_cleared": "no",
			"check_date": "20/02/2025", "review_date": "2026-02-20",
		}),
		staff.TypeEmployment: common(map[string]string{
			"employer": employerDID, "job_role": "Staff Nurse", "staff_group": "nursing-and-midwifery-registered",
			"start_date": "03/03/2025", "assignment_number": "E1234-1",
		}),
	}
}

// rawIdentifiers are the identifiers in validRows, which no output may
// hold.
var rawIdentifiers = []string{passportNumber, shareCode, "WXY123ABC", dbsCertificateNum}

func TestEachTypeButEmploymentHistoryMapsAValidRowToValidClaims(t *testing.T) {
	rows := validRows()
	for _, typ := range staff.Types() {
		t.Run(typ, func(t *testing.T) {
			cells, ok := rows[typ]
			if typ == staff.TypeEmploymentHistory {
				if staff.RowColumns(typ) != nil {
					t.Fatal("EmploymentHistory has row columns")
				}
				_, err := staff.ParseRow(typ, staff.CSVRow{Cells: map[string]string{}}, rowIssued)
				if !errors.Is(err, staff.ErrNoRowMapping) || !strings.Contains(err.Error(), "several employments") {
					t.Fatalf("err = %v, want ErrNoRowMapping saying why", err)
				}
				return
			}
			if !ok {
				t.Fatal("no valid row")
			}
			claims, err := staff.ClaimsFromRow(typ, cells, rand.Reader, rowIssued)
			if err != nil {
				t.Fatal(err)
			}
			if claims.CredentialType() != typ {
				t.Fatalf("type %s", claims.CredentialType())
			}
			m := meta("2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0aff")
			cred, err := staff.NewCredential(claims, m)
			if err != nil {
				t.Fatal(err)
			}
			data, err := json.Marshal(cred)
			if err != nil {
				t.Fatal(err)
			}
			if err := staff.Validate(data); err != nil {
				t.Fatal(err)
			}
			for _, id := range rawIdentifiers {
				if bytes.Contains(data, []byte(id)) {
					t.Errorf("the credential holds the raw identifier %q", id)
				}
			}
		})
	}
}

func TestCellsAreReadAsASpreadsheetWritesThem(t *testing.T) {
	rows := validRows()
	c, err := staff.ClaimsFromRow(staff.TypeDBSCheck, rows[staff.TypeDBSCheck], rand.Reader, rowIssued)
	if err != nil {
		t.Fatal(err)
	}
	dbs := c.(*staff.DBSCheck)
	if dbs.Level != staff.DBSEnhancedWithBarredLists || !slices.Equal(dbs.BarredListsChecked, []staff.BarredList{"adults", "children"}) ||
		!dbs.UpdateServiceSubscribed || dbs.CertificateIssueDate != date(t, "2024-11-04") || !dbs.CertificateNumberHash.Matches(dbsCertificateNum) {
		t.Errorf("DBS claims %+v", dbs)
	}

	c, err = staff.ClaimsFromRow(staff.TypeMandatoryTraining, rows[staff.TypeMandatoryTraining], rand.Reader, rowIssued)
	if err != nil {
		t.Fatal(err)
	}
	want := []staff.TrainingRecord{
		{Subject: staff.SubjectFireSafety, Level: 1, CompletionDate: date(t, "2024-05-20"), Provider: "Riverside Example NHS Trust", FrameworkVersion: "CSTF England v1.1"},
		{Subject: staff.SubjectResuscitation, Level: 2, CompletionDate: date(t, "2024-02-29"), Provider: "Resus Example Ltd", FrameworkVersion: "CSTF England v1.1"},
	}
	if got := c.(*staff.MandatoryTraining).Records; !slices.Equal(got, want) {
		t.Errorf("training records\n got %+v\nwant %+v", got, want)
	}

	c, err = staff.ClaimsFromRow(staff.TypeProfessionalRegistration, rows[staff.TypeProfessionalRegistration], rand.Reader, rowIssued)
	if err != nil {
		t.Fatal(err)
	}
	if r := c.(*staff.ProfessionalRegistration); r.Regulator != staff.RegulatorNMC || r.RegistrationNumber != "12A3456E" {
		t.Errorf("registration %+v", r)
	}

	c, err = staff.ClaimsFromRow(staff.TypeOccupationalHealthClearance, rows[staff.TypeOccupationalHealthClearance], rand.Reader, rowIssued)
	if err != nil {
		t.Fatal(err)
	}
	wantIm := []staff.ImmunisationClearance{{Group: staff.ImmunisationHepatitisB, Cleared: true}, {Group: staff.ImmunisationInfluenza, Cleared: false}}
	if got := c.(*staff.OccupationalHealthClearance).Immunisations; !slices.Equal(got, wantIm) {
		t.Errorf("immunisations %+v, want %+v", got, wantIm)
	}
}

func TestDatesAreReadInISOAndUKOrder(t *testing.T) {
	for _, tc := range []struct{ cell, want string }{
		{"2025-02-25", "2025-02-25"},
		{"25/02/2025", "2025-02-25"},
		{"5/2/2025", "2025-02-05"},
		{"05/12/2024", "2024-12-05"},
		{"29/02/2024", "2024-02-29"},
	} {
		cells := validRows()[staff.TypeEmployment]
		cells["start_date"] = tc.cell
		r, err := staff.ParseRow(staff.TypeEmployment, staff.CSVRow{Cells: cells}, rowIssued)
		if err != nil {
			t.Errorf("%s: %v", tc.cell, err)
			continue
		}
		if got := r.Occasion(); got != tc.want {
			t.Errorf("%s read as %s, want %s", tc.cell, got, tc.want)
		}
	}
}

func TestABadCellIsReportedWithItsColumnAndWhatIsWrong(t *testing.T) {
	jwkDID := newJWKDID(t)
	for _, tc := range []struct {
		name   string
		typ    string
		change map[string]string // "" deletes the cell
		column string
		kind   error
		reason string // a part of the reason
	}{
		{"a date with a two-digit year", staff.TypeDBSCheck, map[string]string{"check_date": "25/02/25"}, "check_date", staff.ErrFormat, "four-digit year"},
		{"a date in US order that does not exist", staff.TypeDBSCheck, map[string]string{"check_date": "02/25/2025"}, "check_date", staff.ErrFormat, "not a date that exists"},
		{"the 29th of February in a common year", staff.TypeDBSCheck, map[string]string{"certificate_issue_date": "29/02/2023"}, "certificate_issue_date", staff.ErrFormat, "not a date that exists"},
		{"a date with a time", staff.TypeDBSCheck, map[string]string{"check_date": "25/02/2025 00:00"}, "check_date", staff.ErrFormat, "YYYY-MM-DD or DD/MM/YYYY"},
		{"a spreadsheet serial number for a date", staff.TypeDBSCheck, map[string]string{"check_date": "45713"}, "check_date", staff.ErrFormat, "is not a date"},
		{"a check after the date of issue", staff.TypeDBSCheck, map[string]string{"check_date": "04/03/2025", "update_service_check_date": ""}, "check_date", staff.ErrFuture, "after the credential's issue date"},
		{"a level that is not one", staff.TypeDBSCheck, map[string]string{"dbs_level": "enhnced"}, "dbs_level", staff.ErrFormat, `"enhnced" is not one of basic, standard, enhanced, enhanced-with-barred-lists`},
		{"a barred list that is not one", staff.TypeDBSCheck, map[string]string{"barred_lists_checked": "adults;elderly"}, "barred_lists_checked", staff.ErrFormat, `"elderly"`},
		{"a flag that is not yes or no", staff.TypeDBSCheck, map[string]string{"update_service_subscribed": "maybe"}, "update_service_subscribed", staff.ErrFormat, "not yes or no"},
		{"an empty required flag", staff.TypeDBSCheck, map[string]string{"update_service_subscribed": ""}, "update_service_subscribed", staff.ErrMissing, "yes or no"},
		{"a missing certificate number", staff.TypeDBSCheck, map[string]string{"certificate_number": " "}, "certificate_number", staff.ErrMissing, "required"},
		{"an Update Service date without a subscription", staff.TypeDBSCheck, map[string]string{"update_service_subscribed": "no"}, "update_service_check_date", staff.ErrNotAllowed, "without a subscription"},
		{"a workforce on a standard check", staff.TypeDBSCheck, map[string]string{"dbs_level": "standard", "barred_lists_checked": ""}, "dbs_workforce", staff.ErrNotAllowed, "only enhanced checks"},
		{"an unknown column", staff.TypeDBSCheck, map[string]string{"dbs_levle": "basic"}, "dbs_levle", staff.ErrColumn, "did you mean dbs_level?"},
		{"a column of another type", staff.TypeDBSCheck, map[string]string{"share_code": "ABC123456"}, "share_code", staff.ErrColumn, "not a column of a DBSCheckCredential file"},
		{"no staff id", staff.TypeDBSCheck, map[string]string{"staff_id": ""}, "staff_id", staff.ErrMissing, "required"},
		{"a staff id with a path in it", staff.TypeDBSCheck, map[string]string{"staff_id": "../E1"}, "staff_id", staff.ErrFormat, "letters, digits"},
		{"a staff id with the key separator", staff.TypeDBSCheck, map[string]string{"staff_id": "E1|X"}, "staff_id", staff.ErrFormat, "letters, digits"},
		{"an organisation's DID as the subject", staff.TypeDBSCheck, map[string]string{"subject": "did:web:riverside-trust.example"}, "subject", staff.ErrFormat, "did:key or did:jwk"},
		{"a did:key that holds no key", staff.TypeDBSCheck, map[string]string{"subject": "did:key:z6MkNOTAKEY"}, "subject", staff.ErrFormat, "public key"},
		{"a did:jwk that is cut short", staff.TypeDBSCheck, map[string]string{"subject": jwkDID[:len(jwkDID)-8]}, "subject", staff.ErrFormat, "public key"},
		{"an email as the subject", staff.TypeDBSCheck, map[string]string{"subject": "jo@example.nhs.uk"}, "subject", staff.ErrFormat, "not a DID"},
		{"valid_until on the date of issue", staff.TypeDBSCheck, map[string]string{"valid_until": "03/03/2025"}, "valid_until", staff.ErrContradiction, "not after the date of issue"},
		{"valid_until that is not a date", staff.TypeDBSCheck, map[string]string{"valid_until": "3 years"}, "valid_until", staff.ErrFormat, "is not a date"},
		{"a level out of range", staff.TypeMandatoryTraining, map[string]string{"fire_safety_level": "6"}, "fire_safety_level", staff.ErrFormat, "1 to 5"},
		{"a level in words", staff.TypeMandatoryTraining, map[string]string{"fire_safety_level": "Level 1"}, "fire_safety_level", staff.ErrFormat, "whole number"},
		{"a completion without a level", staff.TypeMandatoryTraining, map[string]string{"fire_safety_level": ""}, "fire_safety_level", staff.ErrFormat, "must be 1 to 5"},
		{"a subject without a provider", staff.TypeMandatoryTraining, map[string]string{"training_provider": ""}, "training_provider", staff.ErrMissing, "required"},
		{"a row with no training", staff.TypeMandatoryTraining, map[string]string{"fire_safety_level": "", "fire_safety_completion_date": "", "resuscitation_level": "", "resuscitation_completion_date": "", "resuscitation_training_provider": ""}, "", staff.ErrMissing, "no training in this row"},
		{"no document", staff.TypeIdentityCheck, map[string]string{"document1_type": "", "document1_issuing_country": "", "document1_number": "", "document1_expiry_date": "", "document2_type": "", "document2_issuing_country": ""}, "document1_type", staff.ErrMissing, "no document seen"},
		{"a passport without its number", staff.TypeIdentityCheck, map[string]string{"document1_number": ""}, "document1_number", staff.ErrMissing, "required"},
		{"a country that is not a code", staff.TypeIdentityCheck, map[string]string{"document2_issuing_country": "UK"}, "document2_issuing_country", staff.ErrFormat, "alpha-3"},
		{"an identity provider on an in-person check", staff.TypeIdentityCheck, map[string]string{"identity_provider": "Example ID Ltd"}, "identity_provider", staff.ErrNotAllowed, "only for checks by an identity service provider"},
		{"a birth date after the check", staff.TypeIdentityCheck, map[string]string{"date_of_birth": "25/02/2025"}, "date_of_birth", staff.ErrContradiction, "not before the check date"},
		{"a share code on a manual check", staff.TypeRightToWork, map[string]string{"right_to_work_route": "manual-document-check"}, "share_code", staff.ErrNotAllowed, "only for Home Office online checks"},
		{"hours that are not a number", staff.TypeRightToWork, map[string]string{"max_hours_per_week": "twenty"}, "max_hours_per_week", staff.ErrFormat, "whole number from 1 to 168"},
		{"a follow-up after the permission ends", staff.TypeRightToWork, map[string]string{"follow_up_date": "01/10/2027"}, "follow_up_date", staff.ErrContradiction, "after the permission expires"},
		{"an NMC number in another form", staff.TypeProfessionalRegistration, map[string]string{"registration_number": "1234567"}, "registration_number", staff.ErrFormat, "NMC registration number"},
		{"conditions on a lapsed registration", staff.TypeProfessionalRegistration, map[string]string{"registration_status": "lapsed", "registration_conditions": "supervised practice"}, "registration_conditions", staff.ErrNotAllowed, "only to a current registration"},
		{"an immunisation flag that is not yes or no", staff.TypeOccupationalHealthClearance, map[string]string{"varicella_cleared": "pending"}, "varicella_cleared", staff.ErrFormat, "not yes or no"},
		{"a review before the assessment", staff.TypeOccupationalHealthClearance, map[string]string{"review_date": "2025-01-01"}, "review_date", staff.ErrContradiction, "not after the assessment date"},
		{"an employer that is not a DID", staff.TypeEmployment, map[string]string{"employer": "Riverside Trust"}, "employer", staff.ErrFormat, "not a DID"},
		{"a staff group that is not one", staff.TypeEmployment, map[string]string{"staff_group": "nurses"}, "staff_group", staff.ErrFormat, `"nurses" is not one of`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cells := validRows()[tc.typ]
			for k, v := range tc.change {
				if v == "" {
					delete(cells, k)
				} else {
					cells[k] = v
				}
			}
			_, err := staff.ParseRow(tc.typ, staff.CSVRow{Line: 7, Cells: cells}, rowIssued)
			var re *staff.RowError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a *RowError", err)
			}
			if re.Line != 7 || !strings.HasPrefix(err.Error(), "staff: row 7: ") {
				t.Errorf("line %d, error %q", re.Line, err)
			}
			if !errors.Is(err, tc.kind) || !errors.Is(err, staff.ErrInvalid) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.kind)
			}
			var found *staff.CellError
			for _, p := range re.Problems {
				if p.Column == tc.column && errors.Is(p, tc.kind) {
					found = p
				}
			}
			if found == nil {
				t.Fatalf("no %v problem in column %q: %v", tc.kind, tc.column, err)
			}
			if !strings.Contains(found.Reason, tc.reason) {
				t.Errorf("reason %q does not say %q", found.Reason, tc.reason)
			}
			for _, id := range rawIdentifiers {
				if strings.Contains(err.Error(), id) {
					t.Errorf("the error quotes the identifier %q: %v", id, err)
				}
			}
		})
	}
}

func TestAMalformedIdentifierIsRefusedWithoutQuotingIt(t *testing.T) {
	for _, tc := range []struct{ typ, column, value string }{
		{staff.TypeDBSCheck, "certificate_number", "0012/3456/7890"},
		{staff.TypeRightToWork, "share_code", "WXY.123.ABC"},
		{staff.TypeIdentityCheck, "document1_number", "PXF123456" + strings.Repeat("9", 64)},
	} {
		cells := validRows()[tc.typ]
		cells[tc.column] = tc.value
		cells["check_date"] = "not a date " + tc.value[:4] // another problem in the same row
		_, err := staff.ParseRow(tc.typ, staff.CSVRow{Line: 3, Cells: cells}, rowIssued)
		var re *staff.RowError
		if !errors.As(err, &re) || !errors.Is(err, staff.ErrFormat) {
			t.Fatalf("%s: err = %v", tc.column, err)
		}
		if !slices.ContainsFunc(re.Problems, func(p *staff.CellError) bool { return p.Column == tc.column }) {
			t.Errorf("%s: not reported: %v", tc.column, err)
		}
		if strings.Contains(err.Error(), tc.value) || strings.Contains(err.Error(), tc.value[4:]) {
			t.Errorf("the error quotes the identifier: %v", err)
		}
	}
}

func TestTheIssuanceKeyIsTheStaffIDTheTypeAndTheCheck(t *testing.T) {
	rows := validRows()
	r, err := staff.ParseRow(staff.TypeDBSCheck, staff.CSVRow{Cells: rows[staff.TypeDBSCheck]}, rowIssued)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.IssuanceKey(); got != "E1234|DBSCheckCredential|2025-02-25" {
		t.Errorf("key %q", got)
	}
	if r.StaffID != "E1234" || r.Subject != subjectDID || !r.ValidUntil.IsZero() || r.Type != staff.TypeDBSCheck {
		t.Errorf("row %+v", r)
	}
	// A staff id that differs only in case is the same member of staff.
	lower := maps.Clone(rows[staff.TypeDBSCheck])
	lower[staff.ColumnStaffID] = "e1234"
	if r, err := staff.ParseRow(staff.TypeDBSCheck, staff.CSVRow{Cells: lower}, rowIssued); err != nil || r.IssuanceKey() != "E1234|DBSCheckCredential|2025-02-25" || r.StaffID != "e1234" {
		t.Errorf("lower-case staff id: key %v, %v", r, err)
	}

	// Training is identified by what it lists: its latest completion and a
	// digest of every subject, level and date.
	training := func(change map[string]string) string {
		cells := maps.Clone(rows[staff.TypeMandatoryTraining])
		maps.Copy(cells, change)
		r, err := staff.ParseRow(staff.TypeMandatoryTraining, staff.CSVRow{Cells: cells}, rowIssued)
		if err != nil {
			t.Fatal(err)
		}
		return r.IssuanceKey()
	}
	base := training(nil)
	if !strings.HasPrefix(base, "E1234|MandatoryTrainingCredential|2024-05-20-") || len(base) != len("E1234|MandatoryTrainingCredential|2024-05-20-")+8 {
		t.Errorf("training key %q", base)
	}
	if training(map[string]string{"fire_safety_training_provider": "Someone Else"}) != base {
		t.Error("a provider changed the key")
	}
	for _, change := range []map[string]string{
		{"moving_handling_level": "1", "moving_handling_completion_date": "2024-01-01"},
		{"resuscitation_level": "3"},
		{"resuscitation_completion_date": "2024-03-01"},
	} {
		if training(change) == base {
			t.Errorf("%v did not change the key", change)
		}
	}
}

func TestDiffNamesTheColumnsThatDifferFromTheIssuedCredential(t *testing.T) {
	rows := validRows()
	cells := rows[staff.TypeDBSCheck]
	issuedClaims, err := staff.ClaimsFromRow(staff.TypeDBSCheck, cells, rand.Reader, rowIssued)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change map[string]string
		want   []string
	}{
		{"the same row", nil, nil},
		{"the same row written otherwise", map[string]string{"dbs_level": "enhanced-with-barred-lists", "certificate_number": "0012 3456 7890", "check_date": "25/02/2025"}, nil},
		{"a corrected level", map[string]string{"dbs_level": "enhanced", "barred_lists_checked": ""}, []string{"dbs_level", "barred_lists_checked"}},
		{"another certificate number", map[string]string{"certificate_number": "001234567899"}, []string{"certificate_number"}},
		{"no longer subscribed", map[string]string{"update_service_subscribed": "no", "update_service_check_date": ""}, []string{"update_service_subscribed", "update_service_check_date"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := maps.Clone(cells)
			maps.Copy(c, tc.change)
			r, err := staff.ParseRow(staff.TypeDBSCheck, staff.CSVRow{Cells: c}, rowIssued)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Diff(issuedClaims)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Diff = %q, want %q", got, tc.want)
			}
		})
	}
	r, _ := staff.ParseRow(staff.TypeDBSCheck, staff.CSVRow{Cells: cells}, rowIssued)
	if _, err := r.Diff(&staff.MandatoryTraining{}); !errors.Is(err, staff.ErrType) {
		t.Errorf("Diff of another type: %v", err)
	}
}

func TestDiffComparesListsEntryByEntry(t *testing.T) {
	rows := validRows()
	cells := rows[staff.TypeMandatoryTraining]
	issuedClaims, err := staff.ClaimsFromRow(staff.TypeMandatoryTraining, cells, rand.Reader, rowIssued)
	if err != nil {
		t.Fatal(err)
	}
	c := maps.Clone(cells)
	c["resuscitation_training_provider"] = ""
	r, err := staff.ParseRow(staff.TypeMandatoryTraining, staff.CSVRow{Cells: c}, rowIssued)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Diff(issuedClaims)
	if err != nil || !slices.Equal(got, []string{"training_provider"}) {
		t.Errorf("Diff = %q, %v; want the shared provider column that now fills the entry", got, err)
	}
}

func TestReadCSVReadsWhatSpreadsheetsExport(t *testing.T) {
	files, err := filepath.Glob("../../testdata/staff/batch/*.csv")
	if err != nil || len(files) < 7 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".csv")
		typ := ""
		for _, ty := range staff.Types() {
			if staff.ShortName(ty) == name {
				typ = ty
			}
		}
		if typ == "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := staff.ReadCSV(f, typ)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) < 2 {
				t.Fatalf("%d rows", len(rows))
			}
			for i, row := range rows {
				if row.Line != i+2 {
					t.Errorf("row %d on line %d", i, row.Line)
				}
				if _, err := staff.ParseRow(typ, row, staff.DateOf(issued)); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestReadCSVHandlesBOMQuotingAndBlankRows(t *testing.T) {
	text := "\xef\xbb\xbf Staff_ID ,SUBJECT,employer,employer_name,job_role,staff_group,start_date,\r\n" +
		"E1," + subjectDID + "," + employerDID + ",\"Riverside, Example\",\"Nurse \"\"Band 5\"\"\",students,2025-01-01,\r\n" +
		",,,,,,,\r\n" +
		"\r\n" +
		"E2," + subjectDID + "," + employerDID + ",\"Two\nlines\",Porter,estates-and-ancillary,2025-01-02,\r\n" +
		"E3," + subjectDID + "," + employerDID + ",,Porter,estates-and-ancillary,2025-01-03,\r\n"
	rows, err := staff.ReadCSV(strings.NewReader(text), staff.TypeEmployment)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	if rows[0].Line != 2 || rows[1].Line != 5 || rows[2].Line != 7 {
		t.Errorf("lines %d %d %d, want 2 5 7", rows[0].Line, rows[1].Line, rows[2].Line)
	}
	if got := rows[0].Cells["employer_name"]; got != "Riverside, Example" {
		t.Errorf("employer_name %q", got)
	}
	if got := rows[0].Cells["job_role"]; got != `Nurse "Band 5"` {
		t.Errorf("job_role %q", got)
	}
	if got, ok := rows[2].Cells["employer_name"]; !ok || got != "" {
		t.Errorf("an empty cell is %q, %v; want present and empty", got, ok)
	}
	if _, ok := rows[0].Cells[""]; ok {
		t.Error("the nameless empty column was kept")
	}
	// A multi-line text is not valid in a credential: ParseRow says so,
	// at the row's first line.
	if _, err := staff.ParseRow(staff.TypeEmployment, rows[1], rowIssued); err == nil || !strings.Contains(err.Error(), "row 5: employer_name") {
		t.Errorf("multi-line name: %v", err)
	}
}

func TestReadCSVRefusesAFileItCannotReadRight(t *testing.T) {
	header := "staff_id,subject,employer,job_role,staff_group,start_date\n"
	row := "E1," + subjectDID + "," + employerDID + ",Porter,students,2025-01-01\n"
	for _, tc := range []struct {
		name, text string
		kind       error
		line       int
		reason     string
	}{
		{"an empty file", "", staff.ErrCSV, 1, "empty"},
		{"a file with only a BOM", "\xef\xbb\xbf", staff.ErrCSV, 1, "empty"},
		{"Windows-1252 text", header + "E1," + subjectDID + "," + employerDID + ",Caf\xe9,students,2025-01-01\n", staff.ErrCSV, 2, "not UTF-8"},
		{"semicolon separators", strings.ReplaceAll(header, ",", ";") + strings.ReplaceAll(row, ",", ";"), staff.ErrCSV, 1, "separated by ';'"},
		{"a row with a cell too many", header + row + strings.TrimSuffix(row, "\n") + ",extra\n", staff.ErrCSV, 3, "more or fewer cells"},
		{"a bare quote", header + `E1,` + subjectDID + `,` + employerDID + `,Nurse "5",students,2025-01-01` + "\n", staff.ErrCSV, 2, "double quotes"},
		{"an unclosed quote", header + `E1,` + subjectDID + `,` + employerDID + `,"Nurse,students,2025-01-01` + "\n", staff.ErrCSV, 2, "not closed"},
		{"an unknown column", "staff_id,subject,employer,job_role,staf_group,start_date\n" + row, staff.ErrColumn, 1, "staf_group: is not a column of a EmploymentCredential file (did you mean staff_group?)"},
		{"a missing required column", "staff_id,subject,employer,job_role,start_date\nE1," + subjectDID + "," + employerDID + ",Porter,2025-01-01\n", staff.ErrColumn, 1, "staff_group: is missing from the header"},
		{"a column named twice", "staff_id,subject,employer,job_role,staff_group,start_date,Job_Role\n" + strings.TrimSuffix(row, "\n") + ",x\n", staff.ErrColumn, 1, "job_role: is named twice"},
		{"a value under no column name", "staff_id,subject,employer,job_role,staff_group,start_date,\n" + strings.TrimSuffix(row, "\n") + ",x\n", staff.ErrCSV, 2, "column 7 has a value but no name"},
		{"too many columns", strings.Repeat(",", 200) + "\n", staff.ErrCSV, 1, "more than 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := staff.ReadCSV(strings.NewReader(tc.text), staff.TypeEmployment)
			var re *staff.RowError
			if !errors.As(err, &re) || !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want a *RowError wrapping %v", err, tc.kind)
			}
			if re.Line != tc.line || !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("err = %v (line %d), want line %d saying %q", err, re.Line, tc.line, tc.reason)
			}
		})
	}
	if _, err := staff.ReadCSV(strings.NewReader(header), staff.TypeEmploymentHistory); !errors.Is(err, staff.ErrNoRowMapping) {
		t.Errorf("EmploymentHistory: %v", err)
	}
}

func TestRowColumnsListTheCommonColumnsFirst(t *testing.T) {
	for _, typ := range staff.Types() {
		cols := staff.RowColumns(typ)
		if typ == staff.TypeEmploymentHistory {
			continue
		}
		if len(cols) < 5 || cols[0].Name != staff.ColumnStaffID || cols[1].Name != staff.ColumnSubject || cols[2].Name != staff.ColumnValidUntil ||
			!cols[0].Required || !cols[1].Required || cols[2].Required {
			t.Errorf("%s: %+v", typ, cols[:3])
		}
		seen := map[string]bool{}
		for _, c := range cols {
			if seen[c.Name] || c.Name != strings.ToLower(c.Name) || c.Help == "" {
				t.Errorf("%s: column %+v repeated, not lower-case or without help", typ, c)
			}
			seen[c.Name] = true
		}
	}
	var ids []string
	for _, typ := range staff.Types() {
		for _, c := range staff.RowColumns(typ) {
			if c.Identifier {
				ids = append(ids, c.Name)
			}
		}
	}
	want := []string{"document1_number", "document2_number", "document3_number", "document4_number", "share_code", "certificate_number"}
	if !slices.Equal(ids, want) {
		t.Errorf("identifier columns %q, want %q", ids, want)
	}
}

func newJWKDID(t *testing.T) string {
	t.Helper()
	k, err := keys.Generate(keys.P256)
	if err != nil {
		t.Fatal(err)
	}
	d, err := didjwk.New(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	cells := validRows()[staff.TypeEmployment]
	cells["subject"] = d.String()
	if _, err := staff.ParseRow(staff.TypeEmployment, staff.CSVRow{Cells: cells}, rowIssued); err != nil {
		t.Fatalf("a did:jwk subject: %v", err)
	}
	return d.String()
}
