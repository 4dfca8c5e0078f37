package staff_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/vc/staff"
)

func bankNurse(t *testing.T) *staff.Role {
	t.Helper()
	r, err := staff.ParseRole(readExample(t, "roles/bank-nurse.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTheBankNurseRoleParses(t *testing.T) {
	r := bankNurse(t)
	q := r.Requirements
	if r.ID != "bank-nurse" || q.IdentityCheck == nil || q.RightToWork.NotExpiringWithinDays != 30 ||
		q.DBSCheck.MinLevel != staff.DBSEnhancedWithBarredLists || len(q.DBSCheck.BarredLists) != 2 ||
		q.ProfessionalRegistration.Regulators[0] != staff.RegulatorNMC || len(q.MandatoryTraining.Subjects) != 11 ||
		len(q.OccupationalHealth.Immunisations) != 4 {
		t.Fatalf("parsed %+v", r)
	}
}

func TestParseRoleRefusesBrokenRoles(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		pointer string
		err     error
	}{
		{"a role with no requirement is refused", `{"role":"x","title":"X","requirements":{}}`, "/requirements", staff.ErrSchema},
		{"a role without a title is refused", `{"role":"x","requirements":{"identityCheck":{}}}`, "/title", staff.ErrMissing},
		{"an unknown requirement is refused", `{"role":"x","title":"X","requirements":{"identityCheck":{},"drivingLicence":{}}}`, "/requirements/drivingLicence", staff.ErrSchema},
		{"a role id with capitals is refused", `{"role":"Bank-Nurse","title":"X","requirements":{"identityCheck":{}}}`, "/role", staff.ErrSchema},
		{"a DBS requirement without a level is refused", `{"role":"x","title":"X","requirements":{"dbsCheck":{"workforce":"adult"}}}`, "/requirements/dbsCheck/minLevel", staff.ErrMissing},
		{"barred lists on a standard check are refused", `{"role":"x","title":"X","requirements":{"dbsCheck":{"minLevel":"standard","barredLists":["adults"]}}}`, "/requirements/dbsCheck/barredLists", staff.ErrContradiction},
		{"a workforce on a basic check is refused", `{"role":"x","title":"X","requirements":{"dbsCheck":{"minLevel":"basic","workforce":"adult"}}}`, "/requirements/dbsCheck/workforce", staff.ErrContradiction},
		{"a training subject twice is refused", `{"role":"x","title":"X","requirements":{"mandatoryTraining":{"subjects":[{"subject":"fire-safety","level":1},{"subject":"fire-safety","level":2}]}}}`, "/requirements/mandatoryTraining/subjects/1", staff.ErrContradiction},
		{"a training level of 6 is refused", `{"role":"x","title":"X","requirements":{"mandatoryTraining":{"subjects":[{"subject":"fire-safety","level":6}]}}}`, "/requirements/mandatoryTraining/subjects/0/level", staff.ErrSchema},
		{"a refresh period of 0 months is refused", `{"role":"x","title":"X","requirements":{"mandatoryTraining":{"subjects":[{"subject":"fire-safety","level":1}],"refreshPeriods":[{"subject":"fire-safety","months":0}]}}}`, "/requirements/mandatoryTraining/refreshPeriods/0/months", staff.ErrSchema},
		{"an unknown regulator is refused", `{"role":"x","title":"X","requirements":{"professionalRegistration":{"regulators":["RCN"]}}}`, "/requirements/professionalRegistration/regulators/0", staff.ErrSchema},
		{"a repeated immunisation is refused", `{"role":"x","title":"X","requirements":{"occupationalHealth":{"immunisations":["hepatitis-b","hepatitis-b"]}}}`, "/requirements/occupationalHealth/immunisations", staff.ErrSchema},
		{"duplicate member names are refused", `{"role":"x","role":"y","title":"X","requirements":{"identityCheck":{}}}`, "/role", staff.ErrSyntax},
		{"a negative number of days is refused", `{"role":"x","title":"X","requirements":{"rightToWork":{"notExpiringWithinDays":-1}}}`, "/requirements/rightToWork/notExpiringWithinDays", staff.ErrSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := staff.ParseRole([]byte(tt.doc))
			var ve *staff.ValidationError
			if r != nil || !errors.Is(err, tt.err) || !errors.As(err, &ve) || ve.Field(tt.pointer) == nil {
				t.Fatalf("ParseRole = %v; want %v at %s", err, tt.err, tt.pointer)
			}
		})
	}
}

func TestRoleValidateChecksRolesMadeInGo(t *testing.T) {
	r := &staff.Role{ID: "x", Title: "X", Requirements: staff.Requirements{
		MandatoryTraining: &staff.TrainingRequirement{Subjects: []staff.TrainingSubject{{Subject: "first-aid", Level: 1}}},
	}}
	if err := r.Validate(); !errors.Is(err, staff.ErrFormat) || !strings.Contains(err.Error(), "/requirements/mandatoryTraining/subjects/0/subject") {
		t.Fatalf("Validate = %v", err)
	}
}
