package staff

import "regexp"

// StaffGroup is an NHS Electronic Staff Record staff group.
type StaffGroup string

// ESR staff groups.
const (
	StaffGroupScientificTechnical  StaffGroup = "additional-professional-scientific-and-technical"
	StaffGroupClinicalServices     StaffGroup = "additional-clinical-services"
	StaffGroupAdministrative       StaffGroup = "administrative-and-clerical"
	StaffGroupAlliedHealth         StaffGroup = "allied-health-professionals"
	StaffGroupEstates              StaffGroup = "estates-and-ancillary"
	StaffGroupHealthcareScientists StaffGroup = "healthcare-scientists"
	StaffGroupMedicalDental        StaffGroup = "medical-and-dental"
	StaffGroupNursingMidwifery     StaffGroup = "nursing-and-midwifery-registered"
	StaffGroupStudents             StaffGroup = "students"
)

var staffGroups = []StaffGroup{
	StaffGroupScientificTechnical, StaffGroupClinicalServices, StaffGroupAdministrative,
	StaffGroupAlliedHealth, StaffGroupEstates, StaffGroupHealthcareScientists,
	StaffGroupMedicalDental, StaffGroupNursingMidwifery, StaffGroupStudents,
}

// Employment says that a person works for an employer now
// (EmploymentCredential).
type Employment struct {
	// Employer is the employer's DID (did:web of the trust).
	Employer     string `json:"employer"`
	EmployerName string `json:"employerName,omitempty"`
	// JobRole is the job title ("Staff Nurse").
	JobRole    string     `json:"jobRole"`
	StaffGroup StaffGroup `json:"staffGroup"`
	StartDate  Date       `json:"startDate"`
	// AssignmentNumber is the ESR assignment number, if any.
	AssignmentNumber string `json:"assignmentNumber,omitempty"`
}

func (*Employment) CredentialType() string { return TypeEmployment }
func (*Employment) sealed()                {}

func (v *Employment) Validate(issued Date) error {
	c := &checker{issued: issued}
	c.didValue(field("employer"), v.Employer, true)
	c.text(field("employerName"), v.EmployerName, false)
	c.text(field("jobRole"), v.JobRole, true)
	oneOf(c, field("staffGroup"), v.StaffGroup, true, staffGroups)
	c.pastDate(field("startDate"), v.StartDate, true, "the start date of current employment")
	c.assignment(field("assignmentNumber"), v.AssignmentNumber)
	return c.err()
}

var assignmentNumber = regexp.MustCompile(`^[A-Za-z0-9]{1,20}(-[0-9]{1,3})?$`)

func (c *checker) assignment(ptr, v string) {
	if v != "" && !assignmentNumber.MatchString(v) {
		c.add(ptr, ErrFormat, "an assignment number is letters and digits, with an optional -suffix")
	}
}

// PastEmployment is one entry of an employment history.
type PastEmployment struct {
	// Employer is the employer's DID, when it has one.
	Employer     string     `json:"employer,omitempty"`
	EmployerName string     `json:"employerName"`
	JobRole      string     `json:"jobRole"`
	StaffGroup   StaffGroup `json:"staffGroup,omitempty"`
	StartDate    Date       `json:"startDate"`
	// EndDate is the last day of the employment; absent while it goes
	// on.
	EndDate Date `json:"endDate,omitzero"`
	// ReferenceReceivedDate is when the employer's reference was received,
	// if one was.
	ReferenceReceivedDate Date `json:"referenceReceivedDate,omitzero"`
}

// EmploymentHistory lists a person's employers, as an organisation checked
// them (EmploymentHistoryCredential).
type EmploymentHistory struct {
	Entries []PastEmployment `json:"employmentHistory"`
}

func (*EmploymentHistory) CredentialType() string { return TypeEmploymentHistory }
func (*EmploymentHistory) sealed()                {}

func (v *EmploymentHistory) Validate(issued Date) error {
	c := &checker{issued: issued}
	list := field("employmentHistory")
	switch n := len(v.Entries); {
	case n == 0:
		c.add(list, ErrMissing, "lists no employment")
		return c.err()
	case n > maxListLen:
		c.add(list, ErrFormat, "has more than %d entries", maxListLen)
		return c.err()
	}
	for i, e := range v.Entries {
		p := index(list, i)
		c.didValue(p+"/employer", e.Employer, false)
		c.text(p+"/employerName", e.EmployerName, true)
		c.text(p+"/jobRole", e.JobRole, true)
		oneOf(c, p+"/staffGroup", e.StaffGroup, false, staffGroups)
		c.pastDate(p+"/startDate", e.StartDate, true, "the start date")
		c.pastDate(p+"/endDate", e.EndDate, false, "the end date")
		c.pastDate(p+"/referenceReceivedDate", e.ReferenceReceivedDate, false, "the reference date")
		if !e.EndDate.IsZero() && !e.StartDate.IsZero() && e.EndDate.Before(e.StartDate) {
			c.add(p+"/endDate", ErrContradiction, "the end date %s is before the start date %s", e.EndDate, e.StartDate)
		}
	}
	return c.err()
}
