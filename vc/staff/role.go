package staff

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
)

// Role says what an organisation needs to see, in verified staff
// credentials, before a person may work in a role. It is written as JSON
// (see RoleSchema and docs/credentials.md), for example a bank nurse:
//
//	{
//	  "role": "bank-nurse",
//	  "title": "Bank nurse",
//	  "requirements": {
//	    "identityCheck": {},
//	    "rightToWork": {"notExpiringWithinDays": 30},
//	    "dbsCheck": {"minLevel": "enhanced-with-barred-lists",
//	                 "workforce": "adult-and-child", "barredLists": ["adults", "children"]},
//	    "professionalRegistration": {"regulators": ["NMC"]},
//	    "mandatoryTraining": {"subjects": [{"subject": "fire-safety", "level": 1}, ...]},
//	    "occupationalHealth": {}
//	  }
//	}
type Role struct {
	// ID is a short identifier: lower-case letters and digits in groups
	// joined by hyphens.
	ID string `json:"role"`
	// Title is the role's name for people.
	Title string `json:"title"`
	// DueWithinDays, if not 0, reports a requirement as due (it still
	// counts as met) when what meets it runs out within this many days:
	// the credential's validity, the training's refresh (unless the
	// training requirement sets its own), the permission to work, the
	// registration's renewal, the clearance's review, the DBS check's
	// accepted age.
	DueWithinDays int          `json:"dueWithinDays,omitempty"`
	Requirements  Requirements `json:"requirements"`
}

// Requirements lists what a role needs; a nil member is not needed.
type Requirements struct {
	IdentityCheck            *IdentityRequirement           `json:"identityCheck,omitempty"`
	RightToWork              *RightToWorkRequirement        `json:"rightToWork,omitempty"`
	DBSCheck                 *DBSRequirement                `json:"dbsCheck,omitempty"`
	ProfessionalRegistration *RegistrationRequirement       `json:"professionalRegistration,omitempty"`
	MandatoryTraining        *TrainingRequirement           `json:"mandatoryTraining,omitempty"`
	OccupationalHealth       *OccupationalHealthRequirement `json:"occupationalHealth,omitempty"`
}

// IdentityRequirement needs an identity check.
type IdentityRequirement struct {
	// MinConfidenceLevel is the lowest GPG 45 level accepted; "" accepts
	// any check, including an in-person check that states none.
	MinConfidenceLevel ConfidenceLevel `json:"minConfidenceLevel,omitempty"`
}

// RightToWorkRequirement needs a right to work check.
type RightToWorkRequirement struct {
	// NotExpiringWithinDays: a time-limited permission must run for at
	// least this many more days.
	NotExpiringWithinDays int `json:"notExpiringWithinDays,omitempty"`
	// UnlimitedOnly refuses time-limited permission altogether.
	UnlimitedOnly bool `json:"unlimitedOnly,omitempty"`
}

// DBSRequirement needs a DBS check.
type DBSRequirement struct {
	// MinLevel is the lowest level accepted (basic < standard < enhanced
	// < enhanced with barred lists).
	MinLevel DBSLevel `json:"minLevel"`
	// Workforce, if set, must be covered by the check's workforce
	// (adult-and-child covers adult and child).
	Workforce Workforce `json:"workforce,omitempty"`
	// BarredLists must each have been checked.
	BarredLists []BarredList `json:"barredLists,omitempty"`
	// MaxAgeDays, if not 0, is the most days since the certificate was
	// issued or, for a certificate on the Update Service, since its last
	// status check.
	MaxAgeDays int `json:"maxAgeDays,omitempty"`
}

// RegistrationRequirement needs a current professional registration.
type RegistrationRequirement struct {
	// Regulators lists the regulators accepted; any one will do.
	Regulators []Regulator `json:"regulators"`
	// AllowConditions accepts a registration with conditions of practice
	// or undertakings.
	AllowConditions bool `json:"allowConditions,omitempty"`
}

// TrainingRequirement needs CSTF subjects current at levels.
type TrainingRequirement struct {
	Subjects []TrainingSubject `json:"subjects"`
	// DueWithinDays reports subjects that fall due for refresh within
	// this many days as due (they still count as current); 0 takes the
	// role's DueWithinDays.
	DueWithinDays int `json:"dueWithinDays,omitempty"`
	// RefreshPeriods replace the defaults (DefaultRefreshPeriods) for
	// this role, as WithOverrides applies them: one with a level for that
	// level, one without for every level of its subject.
	RefreshPeriods []RefreshPeriod `json:"refreshPeriods,omitempty"`
}

// TrainingSubject is one subject a role needs, at a level or higher.
type TrainingSubject struct {
	Subject Subject `json:"subject"`
	Level   int     `json:"level"`
}

// OccupationalHealthRequirement needs an occupational health clearance
// (fit, or fit with adjustments).
type OccupationalHealthRequirement struct {
	// EPPCleared needs clearance for exposure-prone procedures.
	EPPCleared bool `json:"eppCleared,omitempty"`
	// Immunisations lists the groups the person must be cleared for.
	Immunisations []ImmunisationGroup `json:"immunisations,omitempty"`
}

// maxDays caps every count of days in a role (ten years).
const maxDays = 3650

var roleID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ParseRole reads a role requirements document. It refuses text that is
// not strict JSON, does not match the role schema (RoleSchema), or breaks
// a rule of Role.Validate, with a *ValidationError naming each field by its
// JSON pointer in the document.
func ParseRole(data []byte) (*Role, error) {
	if err := strictjson.Check(data, limits.MaxDocumentBytes); err != nil {
		ptr := ""
		var se *strictjson.Error
		if errors.As(err, &se) {
			ptr = se.Pointer
		}
		return nil, invalid(ptr, ErrSyntax, "%v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, invalid("", ErrSyntax, "%v", err)
	}
	set, err := loadSchemas()
	if err != nil {
		return nil, err
	}
	if err := set.byKey[roleSchemaKey].schema.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, invalid("", ErrSchema, "%v", err)
		}
		var ps problems
		schemaProblems(&ps, ve, "role")
		return nil, ps.err()
	}
	norm, err := json.Marshal(integers(inst, 0))
	if err != nil {
		return nil, invalid("", ErrSyntax, "%v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(norm))
	dec.DisallowUnknownFields()
	var r Role
	if err := dec.Decode(&r); err != nil {
		return nil, invalid("", ErrSchema, "cannot be read as a role: %v", err)
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	r.normalise()
	return &r, nil
}

// normalise makes empty lists nil, as a role written back leaves them out.
func (r *Role) normalise() {
	q := &r.Requirements
	if d := q.DBSCheck; d != nil && len(d.BarredLists) == 0 {
		d.BarredLists = nil
	}
	if t := q.MandatoryTraining; t != nil && len(t.RefreshPeriods) == 0 {
		t.RefreshPeriods = nil
	}
	if o := q.OccupationalHealth; o != nil && len(o.Immunisations) == 0 {
		o.Immunisations = nil
	}
}

// Validate reports, in a *ValidationError, every rule the role breaks,
// naming fields by their JSON pointer in the role document.
func (r *Role) Validate() error {
	c := &checker{}
	if !roleID.MatchString(r.ID) || len(r.ID) > 64 {
		c.add("/role", ErrFormat, "is lower-case letters and digits in groups joined by hyphens, at most 64")
	}
	c.text("/title", r.Title, true)
	c.days("/dueWithinDays", r.DueWithinDays)
	q := r.Requirements
	if q == (Requirements{}) {
		c.add("/requirements", ErrMissing, "names no requirement")
	}
	if q.IdentityCheck != nil {
		oneOf(c, "/requirements/identityCheck/minConfidenceLevel", q.IdentityCheck.MinConfidenceLevel, false, confidenceLevels)
	}
	if q.RightToWork != nil {
		c.days("/requirements/rightToWork/notExpiringWithinDays", q.RightToWork.NotExpiringWithinDays)
	}
	if d := q.DBSCheck; d != nil {
		const p = "/requirements/dbsCheck"
		oneOf(c, p+"/minLevel", d.MinLevel, true, dbsLevels)
		oneOf(c, p+"/workforce", d.Workforce, false, workforces)
		if d.Workforce != "" && !d.MinLevel.enhanced() {
			c.add(p+"/workforce", ErrContradiction, "only enhanced checks are made for a workforce, and minLevel is %q", d.MinLevel)
		}
		if len(d.BarredLists) > 0 && d.MinLevel != DBSEnhancedWithBarredLists {
			c.add(p+"/barredLists", ErrContradiction, "only an enhanced check with barred lists includes them, and minLevel is %q", d.MinLevel)
		}
		uniqueOf(c, p+"/barredLists", d.BarredLists, barredLists)
		c.days(p+"/maxAgeDays", d.MaxAgeDays)
	}
	if g := q.ProfessionalRegistration; g != nil {
		const p = "/requirements/professionalRegistration/regulators"
		if len(g.Regulators) == 0 {
			c.add(p, ErrMissing, "names no regulator")
		}
		uniqueOf(c, p, g.Regulators, regulators)
	}
	if tr := q.MandatoryTraining; tr != nil {
		const p = "/requirements/mandatoryTraining"
		switch n := len(tr.Subjects); {
		case n == 0:
			c.add(p+"/subjects", ErrMissing, "names no subject")
		case n > maxListLen:
			c.add(p+"/subjects", ErrFormat, "has more than %d entries", maxListLen)
		default:
			for i, s := range tr.Subjects {
				e := index(p+"/subjects", i)
				oneOf(c, e+"/subject", s.Subject, true, subjects)
				if s.Level < 1 || s.Level > MaxTrainingLevel {
					c.add(e+"/level", ErrFormat, "must be 1 to %d", MaxTrainingLevel)
				}
				if slices.ContainsFunc(tr.Subjects[:i], func(o TrainingSubject) bool { return o.Subject == s.Subject }) {
					c.add(e, ErrContradiction, "names %s twice", s.Subject)
				}
			}
		}
		c.days(p+"/dueWithinDays", tr.DueWithinDays)
		if len(tr.RefreshPeriods) > 2*maxListLen {
			c.add(p+"/refreshPeriods", ErrFormat, "has more than %d entries", 2*maxListLen)
		} else {
			for i, rp := range tr.RefreshPeriods {
				e := index(p+"/refreshPeriods", i)
				oneOf(c, e+"/subject", rp.Subject, true, subjects)
				if rp.Level < 0 || rp.Level > MaxTrainingLevel {
					c.add(e+"/level", ErrFormat, "must be 1 to %d, or left out for every level", MaxTrainingLevel)
				}
				if rp.Months < 1 || rp.Months > MaxRefreshMonths {
					c.add(e+"/months", ErrFormat, "must be 1 to %d", MaxRefreshMonths)
				}
			}
		}
	}
	if o := q.OccupationalHealth; o != nil {
		uniqueOf(c, "/requirements/occupationalHealth/immunisations", o.Immunisations, immunisationGroups)
	}
	return c.err()
}

func (c *checker) days(ptr string, n int) {
	if n < 0 || n > maxDays {
		c.add(ptr, ErrFormat, "must be 0 to %d days", maxDays)
	}
}

// uniqueOf requires each element of vs to be one of allowed, and no two
// alike.
func uniqueOf[T ~string](c *checker, ptr string, vs []T, allowed []T) {
	if len(vs) > len(allowed) {
		c.add(ptr, ErrFormat, "has more entries than there are values")
		return
	}
	for i, v := range vs {
		oneOf(c, index(ptr, i), v, true, allowed)
		if slices.Contains(vs[:i], v) {
			c.add(index(ptr, i), ErrContradiction, "repeats %q", string(v))
		}
	}
}
