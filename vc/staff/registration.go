package staff

import "regexp"

// Regulator is a UK statutory regulator of a health or care profession.
type Regulator string

// Regulators.
const (
	RegulatorGMC  Regulator = "GMC"  // General Medical Council
	RegulatorNMC  Regulator = "NMC"  // Nursing and Midwifery Council
	RegulatorHCPC Regulator = "HCPC" // Health and Care Professions Council
	RegulatorGPhC Regulator = "GPhC" // General Pharmaceutical Council
	RegulatorGDC  Regulator = "GDC"  // General Dental Council
	RegulatorGOC  Regulator = "GOC"  // General Optical Council
	RegulatorGOsC Regulator = "GOsC" // General Osteopathic Council
	RegulatorGCC  Regulator = "GCC"  // General Chiropractic Council
	RegulatorPSNI Regulator = "PSNI" // Pharmaceutical Society of Northern Ireland
	RegulatorSWE  Regulator = "SWE"  // Social Work England
)

var regulators = []Regulator{
	RegulatorGMC, RegulatorNMC, RegulatorHCPC, RegulatorGPhC, RegulatorGDC,
	RegulatorGOC, RegulatorGOsC, RegulatorGCC, RegulatorPSNI, RegulatorSWE,
}

// registrationNumbers holds the registration number formats we are sure
// of; the other regulators' numbers need only be 1 to 20 letters and
// digits (anyNumber).
var registrationNumbers = map[Regulator]struct {
	re   *regexp.Regexp
	form string
}{
	RegulatorGMC:  {regexp.MustCompile(`^[0-9]{7}$`), "7 digits"},
	RegulatorNMC:  {regexp.MustCompile(`^[0-9]{2}[A-Z][0-9]{4}[A-Z]$`), "2 digits, a letter, 4 digits and a letter (12A3456E)"},
	RegulatorHCPC: {regexp.MustCompile(`^[A-Z]{2}[0-9]{1,8}$`), "a two-letter profession prefix and digits (PA12345)"},
	RegulatorGPhC: {regexp.MustCompile(`^[0-9]{7}$`), "7 digits"},
	RegulatorSWE:  {regexp.MustCompile(`^SW[0-9]{1,8}$`), "SW and digits (SW12345)"},
}

var anyNumber = regexp.MustCompile(`^[A-Za-z0-9]{1,20}$`)

// RegistrationStatus is the state of an entry on a professional register.
type RegistrationStatus string

// Registration statuses.
const (
	Registered RegistrationStatus = "registered"
	Suspended  RegistrationStatus = "suspended"
	Lapsed     RegistrationStatus = "lapsed"
	Removed    RegistrationStatus = "removed"
)

var registrationStatuses = []RegistrationStatus{Registered, Suspended, Lapsed, Removed}

// ProfessionalRegistration says what an employer found on a professional
// register (ProfessionalRegistrationCredential). Registers are public, so
// the registration number is written as it is.
type ProfessionalRegistration struct {
	Regulator          Regulator `json:"regulator"`
	RegistrationNumber string    `json:"registrationNumber"`
	// RegisterName is the register or part of it ("Registered Nurse -
	// Adult", "Specialist Register").
	RegisterName string `json:"registerName"`
	// Annotations lists the register's annotations (recorded
	// qualifications such as "Independent and supplementary prescriber").
	Annotations []string           `json:"registerAnnotations,omitempty"`
	Status      RegistrationStatus `json:"registrationStatus"`
	// Conditions lists conditions of practice or undertakings; only for
	// a current registration.
	Conditions []string `json:"registrationConditions,omitempty"`
	// RenewalDate is the next renewal or revalidation date; required for
	// a current registration, and not before CheckDate.
	RenewalDate Date `json:"renewalDate,omitzero"`
	CheckDate   Date `json:"checkDate"`
}

func (*ProfessionalRegistration) CredentialType() string { return TypeProfessionalRegistration }
func (*ProfessionalRegistration) sealed()                {}

func (v *ProfessionalRegistration) Validate(issued Date) error {
	c := &checker{issued: issued}
	oneOf(c, field("regulator"), v.Regulator, true, regulators)
	num := field("registrationNumber")
	switch f, known := registrationNumbers[v.Regulator]; {
	case v.RegistrationNumber == "":
		c.add(num, ErrMissing, "is required")
	case known && !f.re.MatchString(v.RegistrationNumber):
		c.add(num, ErrFormat, "a %s registration number is %s", v.Regulator, f.form)
	case !known && !anyNumber.MatchString(v.RegistrationNumber):
		c.add(num, ErrFormat, "a registration number is 1 to 20 letters and digits")
	}
	c.text(field("registerName"), v.RegisterName, true)
	c.texts(field("registerAnnotations"), v.Annotations)
	oneOf(c, field("registrationStatus"), v.Status, true, registrationStatuses)
	c.texts(field("registrationConditions"), v.Conditions)
	c.pastDate(field("checkDate"), v.CheckDate, true, "the check date")
	if v.Status == Registered {
		if v.RenewalDate.IsZero() {
			c.add(field("renewalDate"), ErrMissing, "is required for a current registration")
		} else if !v.CheckDate.IsZero() && v.RenewalDate.Before(v.CheckDate) {
			c.add(field("renewalDate"), ErrContradiction, "the renewal date %s is before the check date %s, so the registration had lapsed", v.RenewalDate, v.CheckDate)
		}
	} else if len(v.Conditions) > 0 && v.Status != "" {
		c.add(field("registrationConditions"), ErrNotAllowed, "conditions apply only to a current registration, and this one is %s", v.Status)
	}
	return c.err()
}
