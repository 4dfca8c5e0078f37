package staff_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"sync"
	"testing"
	"time"

	"github.com/staffpass/staffpass/vc/staff"
)

// Fixed, obviously fictional inputs for the examples in
// testdata/staff. Nothing here describes a real person or document.
const (
	issuerDID    = "did:web:riverside-trust.example"
	employerDID  = "did:web:hillside-trust.example"
	subjectDID   = "did:key:z6MkrsJVg9kPVUC4jNZffye9isVWwHAYGt5gScGxRwGw35Uy"
	otherSubject = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"

	// The identifiers the credentials must never contain.
	passportNumber    = "PXF123456"
	licenceNumber     = "BLOGG901015JX9AB"
	shareCode         = "WXY 123 ABC"
	dbsCertificateNum = "001234567890"
)

// issued is when every example credential is issued.
var issued = time.Date(2025, time.March, 3, 9, 0, 0, 0, time.UTC)

func date(t testing.TB, s string) staff.Date {
	t.Helper()
	d, err := staff.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// fixedSalt returns the salt of the example for label: fixed, so the
// examples can be made again byte for byte.
func fixedSalt(label string) []byte {
	s := sha256.Sum256([]byte("staffpass example salt " + label))
	return s[:staff.SaltLen]
}

// exampleHashes keeps the hashes of the examples, made once per test
// binary: each costs DefaultIterations of PBKDF2.
var exampleHashes sync.Map // label + "\x00" + identifier -> staff.SaltedHash

// hashOf returns the salted hash of identifier in the example for label,
// made as an issuer makes it (NewSaltedHash, DefaultIterations) but with
// the fixed salt of label read in place of random bytes.
func hashOf(t testing.TB, label, identifier string) staff.SaltedHash {
	t.Helper()
	key := label + "\x00" + identifier
	if v, ok := exampleHashes.Load(key); ok {
		h := v.(staff.SaltedHash)
		return staff.SaltedHash{Salt: bytes.Clone(h.Salt), Digest: bytes.Clone(h.Digest), Iterations: h.Iterations}
	}
	h, err := staff.NewSaltedHash(bytes.NewReader(fixedSalt(label)), identifier)
	if err != nil {
		t.Fatal(err)
	}
	exampleHashes.Store(key, h)
	return h
}

// example is one valid example credential.
type example struct {
	file   string // under testdata/staff/valid
	claims staff.Claims
	meta   staff.Meta
}

// photoDigest is the SRI digest of a made-up photograph.
func photoDigest() string {
	sum := sha512.Sum384([]byte("staffpass example photograph"))
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}

func meta(id string) staff.Meta {
	return staff.Meta{
		ID:         "urn:uuid:" + id,
		Issuer:     issuerDID,
		Subject:    subjectDID,
		ValidFrom:  issued,
		ValidUntil: issued.AddDate(3, 0, 0),
	}
}

// validExamples returns one valid example of each credential type, in the
// order of staff.Types().
func validExamples(t testing.TB) []example {
	t.Helper()
	d := func(s string) staff.Date { return date(t, s) }
	return []example{
		{"identity-check.json", &staff.IdentityCheck{
			GivenName:   "Jo",
			FamilyName:  "Bloggs-Example",
			DateOfBirth: d("1990-10-15"),
			PhotoDigest: photoDigest(),
			DocumentsSeen: []staff.IdentityDocument{
				{Type: staff.DocPassport, IssuingCountry: "GBR", NumberHash: hashOf(t, "passport", passportNumber), ExpiryDate: d("2031-06-30")},
				{Type: staff.DocPhotocardDrivingLicence, IssuingCountry: "GBR", NumberHash: hashOf(t, "licence", licenceNumber), ExpiryDate: d("2030-01-14")},
				{Type: staff.DocUtilityBill, IssuingCountry: "GBR"},
			},
			Method:    staff.CheckInPerson,
			CheckedBy: "Riverside Example NHS Trust",
			CheckDate: d("2025-02-24"),
		}, meta("2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0a01")},
		{"right-to-work.json", &staff.RightToWork{
			Route:                staff.RouteOnlineCheck,
			ShareCodeHash:        hashOf(t, "share code", shareCode),
			Status:               staff.RightToWorkTimeLimited,
			PermissionExpiryDate: d("2027-09-30"),
			FollowUpDate:         d("2027-08-31"),
			WorkRestrictions:     []string{"No self-employment"},
			MaxHoursPerWeek:      20,
			CheckDate:            d("2025-02-24"),
		}, meta("2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0a02")},
		{"dbs-check.json", &staff.DBSCheck{
			Level:                   staff.DBSEnhancedWithBarredLists,
			Workforce:               staff.WorkforceAdultAndChild,
			BarredListsChecked:      []staff.BarredList{staff.BarredListAdults, staff.BarredListChildren},
			CertificateNumberHash:   hashOf(t, "dbs", dbsCertificateNum),
			CertificateIssueDate:    d("2024-11-04"),
			UpdateServiceSubscribed: true,
			UpdateServiceCheckDate:  d("2025-02-25"),
			CheckDate:               d("2025-02-25"),
		}, meta("2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0a03")},
		{"mandatory-training.json", &staff.MandatoryTraining{Records: []staff.TrainingRecord{
			{Subject: staff.SubjectEqualityDiversityHumanRights, Level: 1, CompletionDate: d("2023-04-12"), Provider: "e-Learning for Healthcare", FrameworkVersion: "CSTF England v1.1"},
			{Subject: staff.SubjectHealthSafetyWelfare, Level: 1, CompletionDate: d("2023-04-12"), Provider: "e-Learning for Healthcare", FrameworkVersion: "CSTF England v1.1"},
			{Subject: staff.SubjectConflictResolution, Level: 1, CompletionDate: d("2023-04-13"), Provider: "e-Learning for Healthcare", FrameworkVersion: "CSTF England v1.1"},
			{Subject: staff.SubjectFireSafety, Level: 1, CompletionDate: d("2024-05-20"), Provider: "Riverside Example NHS Trust", FrameworkVersion: "CSTF England v1.1"},
			{Subject: staff.SubjectInfectionPreventionControl, Level: 2, CompletionDate: d("2024-05-21"), Provider: "Riverside Example NHS Trust", FrameworkVersion: "CSTF England v1.1"},
			{Subject: staff.SubjectMovingHandling, Level: 2, CompletionDate: d("2024-01-09"), Provider: "Riverside Example NHS Trust", FrameworkVersion: "CSTF England v1.1"},
			{Subject: staff.SubjectSafeguardingAdults, Level: 2, CompletionDate: d("2023-06-01"), Provider: "e-Learning for Healthcare", FrameworkVersion: "CSTF England v1.1"},
			{Subject: staff.SubjectSafeguardingChildren, Level: 2, CompletionDate: d("2023-06-02"), Provider: "e-Learning for Healthcare", FrameworkVersion: "CSTF England v1.1"},
			{Subject: staff.SubjectPreventingRadicalisation, Level: 1, CompletionDate: d("2023-06-02"), Provider: "e-Learning for Healthcare", FrameworkVersion: "CSTF England v1.1"},
			{Subject: staff.SubjectInformationGovernance, Level: 1, CompletionDate: d("2024-09-30"), Provider: "e-Learning for Healthcare", FrameworkVersion: "CSTF England v1.1"},
			{Subject: staff.SubjectResuscitation, Level: 2, CompletionDate: d("2024-02-29"), Provider: "Riverside Example NHS Trust", FrameworkVersion: "CSTF England v1.1"},
		}}, meta("2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0a04")},
		{"professional-registration.json", &staff.ProfessionalRegistration{
			Regulator:          staff.RegulatorNMC,
			RegistrationNumber: "99Z9999Z",
			RegisterName:       "Registered Nurse - Adult",
			Annotations:        []string{"Independent and supplementary prescriber"},
			Status:             staff.Registered,
			RenewalDate:        d("2026-01-31"),
			CheckDate:          d("2025-02-26"),
		}, meta("2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0a05")},
		{"occupational-health-clearance.json", &staff.OccupationalHealthClearance{
			Outcome:    staff.Fit,
			EPPCleared: false,
			Immunisations: []staff.ImmunisationClearance{
				{Group: staff.ImmunisationHepatitisB, Cleared: true},
				{Group: staff.ImmunisationMMR, Cleared: true},
				{Group: staff.ImmunisationVaricella, Cleared: true},
				{Group: staff.ImmunisationTB, Cleared: true},
			},
			ReviewDate: d("2026-02-27"),
			CheckDate:  d("2025-02-27"),
		}, meta("2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0a06")},
		{"employment.json", &staff.Employment{
			Employer:         issuerDID,
			EmployerName:     "Riverside Example NHS Trust",
			JobRole:          "Staff Nurse",
			StaffGroup:       staff.StaffGroupNursingMidwifery,
			StartDate:        d("2021-09-06"),
			AssignmentNumber: "12345678-2",
		}, meta("2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0a07")},
		{"employment-history.json", &staff.EmploymentHistory{Entries: []staff.PastEmployment{
			{Employer: employerDID, EmployerName: "Hillside Example NHS Foundation Trust", JobRole: "Healthcare Assistant", StaffGroup: staff.StaffGroupClinicalServices, StartDate: d("2016-03-01"), EndDate: d("2018-08-31"), ReferenceReceivedDate: d("2021-08-02")},
			{EmployerName: "Example Care Homes Ltd", JobRole: "Care Worker", StartDate: d("2014-07-14"), EndDate: d("2016-02-28"), ReferenceReceivedDate: d("2021-08-10")},
			{Employer: issuerDID, EmployerName: "Riverside Example NHS Trust", JobRole: "Staff Nurse", StaffGroup: staff.StaffGroupNursingMidwifery, StartDate: d("2021-09-06")},
		}}, meta("2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0a08")},
	}
}
