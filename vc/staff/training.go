package staff

import (
	"slices"
)

// Subject is a subject of the Core Skills Training Framework (CSTF,
// Skills for Health), the statutory and mandatory training NHS
// organisations recognise from each other.
type Subject string

// The eleven CSTF subjects.
const (
	SubjectEqualityDiversityHumanRights Subject = "equality-diversity-human-rights"
	SubjectHealthSafetyWelfare          Subject = "health-safety-welfare"
	SubjectConflictResolution           Subject = "conflict-resolution"
	SubjectFireSafety                   Subject = "fire-safety"
	SubjectInfectionPreventionControl   Subject = "infection-prevention-control"
	SubjectMovingHandling               Subject = "moving-handling"
	SubjectSafeguardingAdults           Subject = "safeguarding-adults"
	SubjectSafeguardingChildren         Subject = "safeguarding-children"
	SubjectPreventingRadicalisation     Subject = "preventing-radicalisation"
	SubjectInformationGovernance        Subject = "information-governance"
	SubjectResuscitation                Subject = "resuscitation"
)

// Subjects returns the eleven CSTF subjects in the framework's order.
func Subjects() []Subject {
	return slices.Clone(subjects)
}

var subjects = []Subject{
	SubjectEqualityDiversityHumanRights, SubjectHealthSafetyWelfare,
	SubjectConflictResolution, SubjectFireSafety, SubjectInfectionPreventionControl,
	SubjectMovingHandling, SubjectSafeguardingAdults, SubjectSafeguardingChildren,
	SubjectPreventingRadicalisation, SubjectInformationGovernance, SubjectResuscitation,
}

// Title returns the subject's name as the framework writes it, or "" for
// an unknown subject.
func (s Subject) Title() string {
	switch s {
	case SubjectEqualityDiversityHumanRights:
		return "Equality, Diversity and Human Rights"
	case SubjectHealthSafetyWelfare:
		return "Health, Safety and Welfare"
	case SubjectConflictResolution:
		return "Conflict Resolution"
	case SubjectFireSafety:
		return "Fire Safety"
	case SubjectInfectionPreventionControl:
		return "Infection Prevention and Control"
	case SubjectMovingHandling:
		return "Moving and Handling"
	case SubjectSafeguardingAdults:
		return "Safeguarding Adults"
	case SubjectSafeguardingChildren:
		return "Safeguarding Children"
	case SubjectPreventingRadicalisation:
		return "Preventing Radicalisation"
	case SubjectInformationGovernance:
		return "Information Governance and Data Security"
	case SubjectResuscitation:
		return "Resuscitation"
	}
	return ""
}

// MaxTrainingLevel is the highest training level recorded. The CSTF
// defines levels 1 to 3; the intercollegiate safeguarding documents go to
// level 5 (named and designated professionals).
const MaxTrainingLevel = 5

// TrainingRecord is one completed CSTF subject.
type TrainingRecord struct {
	Subject        Subject `json:"cstfSubject"`
	Level          int     `json:"trainingLevel"`
	CompletionDate Date    `json:"completionDate"`
	// Provider names who delivered the training (an NHS organisation, or
	// e-Learning for Healthcare).
	Provider string `json:"trainingProvider"`
	// FrameworkVersion is the version of the CSTF the training was
	// aligned to ("CSTF England v1.1").
	FrameworkVersion string `json:"frameworkVersion"`
}

// MandatoryTraining lists CSTF training a person completed
// (MandatoryTrainingCredential). It says when each subject was completed,
// not whether it is still current: that depends on the date and on the
// refresh periods of the organisation that reads it (see RefreshPeriods).
type MandatoryTraining struct {
	Records []TrainingRecord `json:"trainingRecords"`
}

func (*MandatoryTraining) CredentialType() string { return TypeMandatoryTraining }
func (*MandatoryTraining) sealed()                {}

func (v *MandatoryTraining) Validate(issued Date) error {
	c := &checker{issued: issued}
	list := field("trainingRecords")
	switch n := len(v.Records); {
	case n == 0:
		c.add(list, ErrMissing, "lists no training")
	case n > maxListLen:
		c.add(list, ErrFormat, "has more than %d entries", maxListLen)
	}
	if len(v.Records) > maxListLen {
		return c.err()
	}
	for i, r := range v.Records {
		p := index(list, i)
		oneOf(c, p+"/cstfSubject", r.Subject, true, subjects)
		if r.Level < 1 || r.Level > MaxTrainingLevel {
			c.add(p+"/trainingLevel", ErrFormat, "must be 1 to %d", MaxTrainingLevel)
		}
		c.pastDate(p+"/completionDate", r.CompletionDate, true, "the completion date")
		c.text(p+"/trainingProvider", r.Provider, true)
		c.text(p+"/frameworkVersion", r.FrameworkVersion, true)
		for j := range i {
			if v.Records[j].Subject == r.Subject && v.Records[j].Level == r.Level {
				c.add(p, ErrContradiction, "repeats %s at level %d (entry %d): one completion date per subject and level", r.Subject, r.Level, j)
				break
			}
		}
	}
	return c.err()
}
