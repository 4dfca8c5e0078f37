package staff

import "slices"

// FitnessOutcome is the outcome of an occupational health assessment.
// There is no outcome for "unfit": no credential is issued then.
type FitnessOutcome string

// Occupational health outcomes.
const (
	Fit                FitnessOutcome = "fit"
	FitWithAdjustments FitnessOutcome = "fit-with-adjustments"
)

var fitnessOutcomes = []FitnessOutcome{Fit, FitWithAdjustments}

// ImmunisationGroup is a disease for which the Green Book (Immunisation
// against infectious disease, chapter 12, "Immunisation of healthcare and
// laboratory staff") sets out immunisation or screening for healthcare
// staff.
type ImmunisationGroup string

// Green Book immunisation groups for healthcare staff.
const (
	ImmunisationHepatitisB ImmunisationGroup = "hepatitis-b"
	ImmunisationTB         ImmunisationGroup = "tuberculosis"
	ImmunisationMMR        ImmunisationGroup = "measles-mumps-rubella"
	ImmunisationVaricella  ImmunisationGroup = "varicella"
	ImmunisationInfluenza  ImmunisationGroup = "influenza"
	ImmunisationCOVID19    ImmunisationGroup = "covid-19"
	ImmunisationPertussis  ImmunisationGroup = "pertussis"
)

var immunisationGroups = []ImmunisationGroup{
	ImmunisationHepatitisB, ImmunisationTB, ImmunisationMMR, ImmunisationVaricella,
	ImmunisationInfluenza, ImmunisationCOVID19, ImmunisationPertussis,
}

// ImmunisationClearance is one yes/no flag: whether occupational health
// cleared the person for work as far as one immunisation group goes. It
// carries no dates, results or vaccines.
type ImmunisationClearance struct {
	Group   ImmunisationGroup `json:"immunisationGroup"`
	Cleared bool              `json:"cleared"`
}

// OccupationalHealthClearance says that occupational health cleared a
// person for work (OccupationalHealthClearanceCredential). Health data is
// special-category data, so it holds yes/no flags only: no diagnosis, no
// adjustments, no test results.
type OccupationalHealthClearance struct {
	Outcome FitnessOutcome `json:"fitnessOutcome"`
	// EPPCleared says the person is cleared for exposure-prone procedures.
	EPPCleared    bool                    `json:"eppCleared"`
	Immunisations []ImmunisationClearance `json:"immunisationClearances,omitempty"`
	// ReviewDate is when occupational health will review the clearance,
	// if it set one; after CheckDate.
	ReviewDate Date `json:"reviewDate,omitzero"`
	// CheckDate is the date of the assessment.
	CheckDate Date `json:"checkDate"`
}

func (*OccupationalHealthClearance) CredentialType() string {
	return TypeOccupationalHealthClearance
}
func (*OccupationalHealthClearance) sealed() {}

func (v *OccupationalHealthClearance) Validate(issued Date) error {
	c := &checker{issued: issued}
	oneOf(c, field("fitnessOutcome"), v.Outcome, true, fitnessOutcomes)
	list := field("immunisationClearances")
	if len(v.Immunisations) > len(immunisationGroups) {
		c.add(list, ErrFormat, "has more entries than there are immunisation groups")
	} else {
		for i, im := range v.Immunisations {
			p := index(list, i)
			oneOf(c, p+"/immunisationGroup", im.Group, true, immunisationGroups)
			if slices.ContainsFunc(v.Immunisations[:i], func(o ImmunisationClearance) bool { return o.Group == im.Group }) {
				c.add(p, ErrContradiction, "repeats %q", im.Group)
			}
		}
	}
	c.pastDate(field("checkDate"), v.CheckDate, true, "the assessment date")
	if !v.ReviewDate.IsZero() && !v.CheckDate.IsZero() && !v.ReviewDate.After(v.CheckDate) {
		c.add(field("reviewDate"), ErrContradiction, "the review date %s is not after the assessment date %s", v.ReviewDate, v.CheckDate)
	}
	return c.err()
}
