package staff_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
)

// evaluatedOn is the day the presentations below are judged on.
var evaluatedOn = time.Date(2025, time.March, 10, 12, 0, 0, 0, time.UTC)

// credentials issues the valid examples, after change (if any) has edited
// their claims, keyed by credential type.
func credentials(t *testing.T, change func(staff.Claims)) map[string]*vc.Credential {
	t.Helper()
	out := make(map[string]*vc.Credential)
	for _, ex := range validExamples(t) {
		if change != nil {
			change(ex.claims)
		}
		c, err := staff.NewCredential(ex.claims, ex.meta)
		if err != nil {
			t.Fatalf("%s: %v", ex.file, err)
		}
		out[ex.claims.CredentialType()] = c
	}
	return out
}

func list(m map[string]*vc.Credential, leaveOut ...string) []*vc.Credential {
	var out []*vc.Credential
	for _, typ := range staff.Types() {
		if c, ok := m[typ]; ok && !contains(leaveOut, typ) {
			out = append(out, c)
		}
	}
	return out
}

func contains(s []string, v string) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}

// freshResus moves the resuscitation training to 15 January 2025, so
// every bank nurse requirement is met on evaluatedOn.
func freshResus(c staff.Claims) {
	if tr, ok := c.(*staff.MandatoryTraining); ok {
		for i := range tr.Records {
			if tr.Records[i].Subject == staff.SubjectResuscitation {
				tr.Records[i].CompletionDate, _ = staff.ParseDate("2025-01-15")
			}
		}
	}
}

func TestAPresentationThatMeetsEveryRequirementIsMet(t *testing.T) {
	res, err := staff.Evaluate(bankNurse(t), list(credentials(t, freshResus)), evaluatedOn)
	if err != nil {
		t.Fatalf("Evaluate = %v; result %+v", err, res)
	}
	if !res.Met() || len(res.Requirements) != 5+11 || res.Subject != subjectDID || res.Date.String() != "2025-03-10" {
		t.Fatalf("result %+v", res)
	}
	for _, r := range res.Requirements {
		if r.Outcome != staff.OutcomeMet || r.Reason == "" || r.Credential == "" {
			t.Errorf("%s: %s (%s) from %q", r.Requirement, r.Outcome, r.Reason, r.Credential)
		}
	}
	// Fire safety falls due within the role's 30 days on 20 May 2025.
	res, err = staff.Evaluate(bankNurse(t), list(credentials(t, freshResus)), time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if r := find(t, res, "mandatory-training/fire-safety"); !strings.Contains(r.Reason, "due for refresh by 20 May 2025, in 19 days") {
		t.Errorf("fire safety: %s", r.Reason)
	}
}

func find(t *testing.T, res *staff.RoleResult, name string) staff.RequirementResult {
	t.Helper()
	for _, r := range res.Requirements {
		if r.Requirement == name {
			return r
		}
	}
	t.Fatalf("no result for %s in %+v", name, res.Requirements)
	return staff.RequirementResult{}
}

func TestAPresentationThatMeetsAllButOneRequirementSaysWhich(t *testing.T) {
	// Resuscitation level 2, completed on 29 February 2024, is yearly:
	// it ran out on 28 February 2025.
	res, err := staff.Evaluate(bankNurse(t), list(credentials(t, nil)), evaluatedOn)
	if !errors.Is(err, staff.ErrNotMet) || res == nil || res.Met() {
		t.Fatalf("Evaluate = %v", err)
	}
	var unmet []staff.RequirementResult
	for _, r := range res.Requirements {
		if r.Outcome != staff.OutcomeMet {
			unmet = append(unmet, r)
		}
	}
	want := "Resuscitation (level 2) completed on 29 February 2024 expired on 28 February 2025"
	if len(unmet) != 1 || unmet[0].Requirement != "mandatory-training/resuscitation" || unmet[0].Outcome != staff.OutcomeExpired || unmet[0].Reason != want {
		t.Fatalf("unmet: %+v", unmet)
	}
	if !strings.Contains(err.Error(), "mandatory-training/resuscitation (expired)") || strings.Count(err.Error(), "(") != 1 {
		t.Fatalf("the error does not name exactly the one requirement: %v", err)
	}
	data, err := json.Marshal(res)
	if err != nil || !strings.Contains(string(data), `"outcome":"expired"`) || !strings.Contains(string(data), `"date":"2025-03-10"`) {
		t.Fatalf("the result as JSON: %s, %v", data, err)
	}
}

func TestEachRequirementOutcome(t *testing.T) {
	d := func(s string) staff.Date { return date(t, s) }
	only := func(q staff.Requirements) *staff.Role {
		return &staff.Role{ID: "test-role", Title: "Test role", Requirements: q}
	}
	within := func(days int, q staff.Requirements) *staff.Role {
		return &staff.Role{ID: "test-role", Title: "Test role", DueWithinDays: days, Requirements: q}
	}
	nurse := bankNurse(t).Requirements
	tests := []struct {
		name        string
		role        *staff.Role
		change      func(staff.Claims)
		leaveOut    []string
		at          time.Time
		requirement string
		outcome     staff.Outcome
		reason      string
	}{
		{"no DBS credential is missing", only(staff.Requirements{DBSCheck: nurse.DBSCheck}), nil, []string{staff.TypeDBSCheck}, evaluatedOn,
			"dbs-check", staff.OutcomeMissing, "no DBS check credential was presented"},
		{"an adult-workforce DBS check is insufficient for adults and children", only(staff.Requirements{DBSCheck: nurse.DBSCheck}), func(c staff.Claims) {
			if v, ok := c.(*staff.DBSCheck); ok {
				v.Workforce, v.BarredListsChecked = staff.WorkforceAdult, []staff.BarredList{staff.BarredListAdults}
			}
		}, nil, evaluatedOn, "dbs-check", staff.OutcomeInsufficient, "the DBS check is for the adult workforce; the role needs the adult and child workforce"},
		{"an enhanced DBS check without barred lists is insufficient", only(staff.Requirements{DBSCheck: nurse.DBSCheck}), func(c staff.Claims) {
			if v, ok := c.(*staff.DBSCheck); ok {
				v.Level, v.BarredListsChecked = staff.DBSEnhanced, nil
			}
		}, nil, evaluatedOn, "dbs-check", staff.OutcomeInsufficient, "the DBS check is enhanced; the role needs enhanced with barred lists"},
		{"a DBS check older than the role accepts has expired", only(staff.Requirements{DBSCheck: &staff.DBSRequirement{MinLevel: staff.DBSEnhanced, MaxAgeDays: 10}}), nil, nil, evaluatedOn,
			"dbs-check", staff.OutcomeExpired, "the certificate's Update Service status was last checked on 25 February 2025, 13 days ago; the role accepts at most 10 days"},
		{"a time-limited right to work ending within 30 days is insufficient", only(staff.Requirements{RightToWork: nurse.RightToWork}), func(c staff.Claims) {
			if v, ok := c.(*staff.RightToWork); ok {
				v.PermissionExpiryDate, v.FollowUpDate = d("2025-03-31"), d("2025-03-24")
			}
		}, nil, evaluatedOn, "right-to-work", staff.OutcomeInsufficient, "permission to work ends on 31 March 2025, in 21 days; the role needs at least 30 days"},
		{"a right to work past its follow-up date has expired", only(staff.Requirements{RightToWork: nurse.RightToWork}), func(c staff.Claims) {
			if v, ok := c.(*staff.RightToWork); ok {
				v.PermissionExpiryDate, v.FollowUpDate = d("2026-03-31"), d("2025-03-09")
			}
		}, nil, evaluatedOn, "right-to-work", staff.OutcomeExpired, "the follow-up right to work check was due by 9 March 2025"},
		{"a time-limited right to work is insufficient where only unlimited will do", only(staff.Requirements{RightToWork: &staff.RightToWorkRequirement{UnlimitedOnly: true}}), nil, nil, evaluatedOn,
			"right-to-work", staff.OutcomeInsufficient, "the right to work is time-limited (permission ends on 30 September 2027)"},
		{"a time-limited right to work says its restrictions", only(staff.Requirements{RightToWork: nurse.RightToWork}), nil, nil, evaluatedOn,
			"right-to-work", staff.OutcomeMet, "restrictions: at most 20 hours a week; No self-employment"},
		{"an HCPC registration is insufficient for an NMC role", only(staff.Requirements{ProfessionalRegistration: nurse.ProfessionalRegistration}), func(c staff.Claims) {
			if v, ok := c.(*staff.ProfessionalRegistration); ok {
				v.Regulator, v.RegistrationNumber, v.RegisterName = staff.RegulatorHCPC, "PA99999", "Paramedics"
			}
		}, nil, evaluatedOn, "professional-registration", staff.OutcomeInsufficient, "the registration is with the HCPC; the role needs the NMC"},
		{"a registration past its renewal date has expired", only(staff.Requirements{ProfessionalRegistration: nurse.ProfessionalRegistration}), nil, nil, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
			"professional-registration", staff.OutcomeExpired, "due for renewal or revalidation on 31 January 2026"},
		{"a registration with conditions is insufficient unless the role allows them", only(staff.Requirements{ProfessionalRegistration: nurse.ProfessionalRegistration}), func(c staff.Claims) {
			if v, ok := c.(*staff.ProfessionalRegistration); ok {
				v.Conditions = []string{"Must work under direct supervision"}
			}
		}, nil, evaluatedOn, "professional-registration", staff.OutcomeInsufficient, "has conditions or undertakings"},
		{"a suspended registration is insufficient", only(staff.Requirements{ProfessionalRegistration: nurse.ProfessionalRegistration}), func(c staff.Claims) {
			if v, ok := c.(*staff.ProfessionalRegistration); ok {
				v.Status, v.RenewalDate = staff.Suspended, staff.Date{}
			}
		}, nil, evaluatedOn, "professional-registration", staff.OutcomeInsufficient, "the NMC registration was suspended when checked on 26 February 2025"},
		{"training at a lower level is insufficient", only(staff.Requirements{MandatoryTraining: &staff.TrainingRequirement{Subjects: []staff.TrainingSubject{{Subject: staff.SubjectFireSafety, Level: 2}}}}), nil, nil, evaluatedOn,
			"mandatory-training/fire-safety", staff.OutcomeInsufficient, "Fire Safety is recorded at level 1; the role needs level 2"},
		{"training a credential does not record is missing", only(staff.Requirements{MandatoryTraining: &staff.TrainingRequirement{Subjects: []staff.TrainingSubject{{Subject: staff.SubjectFireSafety, Level: 1}}}}), func(c staff.Claims) {
			if v, ok := c.(*staff.MandatoryTraining); ok {
				v.Records = v.Records[:3]
			}
		}, nil, evaluatedOn, "mandatory-training/fire-safety", staff.OutcomeMissing, "no record of Fire Safety in the mandatory training presented"},
		{"no training credential leaves each subject missing", only(staff.Requirements{MandatoryTraining: nurse.MandatoryTraining}), nil, []string{staff.TypeMandatoryTraining}, evaluatedOn,
			"mandatory-training/information-governance", staff.OutcomeMissing, "no mandatory training credential was presented"},
		{"a role's own refresh period decides", only(staff.Requirements{MandatoryTraining: &staff.TrainingRequirement{
			Subjects:       []staff.TrainingSubject{{Subject: staff.SubjectResuscitation, Level: 2}},
			RefreshPeriods: []staff.RefreshPeriod{{Subject: staff.SubjectResuscitation, Level: 2, Months: 18}},
		}}), nil, nil, evaluatedOn, "mandatory-training/resuscitation", staff.OutcomeMet, "current until 29 August 2025"},
		{"an occupational health clearance without a needed immunisation is insufficient", only(staff.Requirements{OccupationalHealth: &staff.OccupationalHealthRequirement{EPPCleared: true, Immunisations: []staff.ImmunisationGroup{staff.ImmunisationHepatitisB, staff.ImmunisationPertussis}}}), nil, nil, evaluatedOn,
			"occupational-health-clearance", staff.OutcomeInsufficient, "not cleared for exposure-prone procedures, pertussis"},
		{"an occupational health clearance past its review date has expired", only(staff.Requirements{OccupationalHealth: nurse.OccupationalHealth}), nil, nil, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
			"occupational-health-clearance", staff.OutcomeExpired, "the clearance was due for review on 27 February 2026"},
		{"an in-person identity check is insufficient where a GPG 45 level is needed", only(staff.Requirements{IdentityCheck: &staff.IdentityRequirement{MinConfidenceLevel: staff.ConfidenceMedium}}), nil, nil, evaluatedOn,
			"identity-check", staff.OutcomeInsufficient, "states no GPG 45 level of confidence; the role needs medium or higher"},
		{"a credential past its validUntil has expired", only(staff.Requirements{IdentityCheck: nurse.IdentityCheck}), nil, nil, time.Date(2028, 3, 3, 9, 0, 1, 0, time.UTC),
			"identity-check", staff.OutcomeExpired, "the identity check credential: the credential stopped being valid on 3 March 2028"},
		{"a right to work whose follow-up check falls due within the role's days is due", within(30, staff.Requirements{RightToWork: &staff.RightToWorkRequirement{}}), func(c staff.Claims) {
			if v, ok := c.(*staff.RightToWork); ok {
				v.PermissionExpiryDate, v.FollowUpDate = d("2026-03-31"), d("2025-03-24")
			}
		}, nil, evaluatedOn, "right-to-work", staff.OutcomeDue, "due: the follow-up right to work check is due on 24 March 2025, in 14 days"},
		{"a registration due for renewal within the role's days is due", within(60, staff.Requirements{ProfessionalRegistration: nurse.ProfessionalRegistration}), nil, nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			"professional-registration", staff.OutcomeDue, "due: the registration is due for renewal or revalidation on 31 January 2026, in 30 days"},
		{"a credential whose validity ends within the role's days is due", within(30, staff.Requirements{IdentityCheck: nurse.IdentityCheck}), nil, nil, time.Date(2028, 2, 20, 9, 0, 0, 0, time.UTC),
			"identity-check", staff.OutcomeDue, "due: the credential stops being valid on 3 March 2028, in 12 days"},
		{"training falling due for refresh within the role's days is due", within(30, staff.Requirements{MandatoryTraining: &staff.TrainingRequirement{
			Subjects:       []staff.TrainingSubject{{Subject: staff.SubjectResuscitation, Level: 2}},
			RefreshPeriods: []staff.RefreshPeriod{{Subject: staff.SubjectResuscitation, Level: 2, Months: 18}},
		}}), nil, nil, time.Date(2025, 8, 10, 0, 0, 0, 0, time.UTC), "mandatory-training/resuscitation", staff.OutcomeDue, "due for refresh by 29 August 2025, in 19 days"},
		{"nothing is due outside the role's days", within(10, staff.Requirements{ProfessionalRegistration: nurse.ProfessionalRegistration}), nil, nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			"professional-registration", staff.OutcomeMet, "registered until 31 January 2026"},
		{"a credential before its validFrom is insufficient", only(staff.Requirements{IdentityCheck: nurse.IdentityCheck}), nil, nil, time.Date(2025, 3, 3, 8, 59, 59, 0, time.UTC),
			"identity-check", staff.OutcomeInsufficient, "the credential is not valid until 3 March 2025"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := staff.Evaluate(tt.role, list(credentials(t, tt.change), tt.leaveOut...), tt.at)
			if res == nil {
				t.Fatalf("Evaluate = %v", err)
			}
			r := find(t, res, tt.requirement)
			if r.Outcome != tt.outcome || !strings.Contains(r.Reason, tt.reason) {
				t.Fatalf("%s: %s, %q; want %s, %q", tt.requirement, r.Outcome, r.Reason, tt.outcome, tt.reason)
			}
			if met := tt.outcome == staff.OutcomeMet || tt.outcome == staff.OutcomeDue; met != (err == nil) || met == errors.Is(err, staff.ErrNotMet) || met != res.Met() {
				t.Fatalf("Evaluate error %v with outcome %s", err, r.Outcome)
			}
		})
	}
}

func TestEvaluateReadsOnlyValidStaffCredentialsOfOnePerson(t *testing.T) {
	creds := credentials(t, freshResus)
	role := &staff.Role{ID: "dbs-only", Title: "DBS only", Requirements: staff.Requirements{DBSCheck: bankNurse(t).Requirements.DBSCheck}}

	// A credential that is not a staff credential is ignored.
	other, err := vc.Parse([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","AlumniCredential"],"issuer":"did:web:uni.example","credentialSubject":{"id":"did:example:someone-else","alumniOf":"Example University"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := staff.Evaluate(role, []*vc.Credential{other, nil, creds[staff.TypeDBSCheck]}, evaluatedOn); err != nil || !res.Met() {
		t.Fatalf("Evaluate = %v", err)
	}

	// A staff credential that breaks its rules is insufficient, with the
	// rule it breaks.
	broken, err := vc.Parse(readExample(t, "invalid/dbs-check-basic-with-barred-lists.json"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := staff.Evaluate(role, []*vc.Credential{broken}, evaluatedOn)
	if r := find(t, res, "dbs-check"); !errors.Is(err, staff.ErrNotMet) || r.Outcome != staff.OutcomeInsufficient || !strings.Contains(r.Reason, "/credentialSubject/barredListsChecked") {
		t.Fatalf("broken credential: %+v, %v", r, err)
	}
	// With a good one beside it, the good one meets the requirement.
	if res, err := staff.Evaluate(role, []*vc.Credential{broken, creds[staff.TypeDBSCheck]}, evaluatedOn); err != nil || find(t, res, "dbs-check").Credential != creds[staff.TypeDBSCheck].ID {
		t.Fatalf("Evaluate = %v", err)
	}

	// Credentials about two people are refused outright.
	ex := validExamples(t)[0]
	ex.meta.Subject = otherSubject
	theirs, err := staff.NewCredential(ex.claims, ex.meta)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := staff.Evaluate(role, []*vc.Credential{creds[staff.TypeDBSCheck], theirs}, evaluatedOn); !errors.Is(err, staff.ErrMixedSubjects) || res != nil {
		t.Fatalf("Evaluate = %v, %v", res, err)
	}

	// An invalid role is refused.
	if _, err := staff.Evaluate(&staff.Role{ID: "x", Title: "X"}, nil, evaluatedOn); !errors.Is(err, staff.ErrMissing) {
		t.Fatalf("Evaluate with an empty role = %v", err)
	}
	if _, err := staff.Evaluate(nil, nil, evaluatedOn); !errors.Is(err, staff.ErrInvalid) {
		t.Fatalf("Evaluate with no role = %v", err)
	}
}
