package staff

import (
	"fmt"
	"slices"
	"strings"
)

// RefreshPeriod says for how many months training in a subject, at a level,
// stays current after it was completed.
type RefreshPeriod struct {
	Subject Subject `json:"subject"`
	// Level is the training level the period is for; 0 means every level
	// that has no period of its own.
	Level  int `json:"level,omitempty"`
	Months int `json:"months"`
}

// MaxRefreshMonths caps a refresh period (ten years).
const MaxRefreshMonths = 120

// DefaultRefreshPeriods returns the refresh periods staffpass uses when an
// organisation's policy sets none. They are our reading of the refresher
// frequencies in the Core Skills Training Framework (Skills for Health,
// statutory/mandatory subject guide, England), which leaves some of them to
// local decision; an organisation should check them against the version of
// the framework it follows and override them in its role policy:
//
//	Equality, Diversity and Human Rights        3 years
//	Health, Safety and Welfare                  3 years
//	Conflict Resolution                         3 years
//	Fire Safety                                 1 year
//	Infection Prevention and Control            level 1: 3 years, level 2: 1 year
//	Moving and Handling                         level 1: 3 years, level 2: 2 years
//	Safeguarding Adults                         3 years
//	Safeguarding Children                       3 years
//	Preventing Radicalisation                   3 years
//	Information Governance and Data Security    1 year
//	Resuscitation                               1 year
//
// A level without a period of its own takes that of the nearest level below
// it that has one, else the subject's: level 3 infection prevention and
// control is refreshed yearly like level 2.
func DefaultRefreshPeriods() []RefreshPeriod {
	return []RefreshPeriod{
		{Subject: SubjectEqualityDiversityHumanRights, Months: 36},
		{Subject: SubjectHealthSafetyWelfare, Months: 36},
		{Subject: SubjectConflictResolution, Months: 36},
		{Subject: SubjectFireSafety, Months: 12},
		{Subject: SubjectInfectionPreventionControl, Months: 36},
		{Subject: SubjectInfectionPreventionControl, Level: 2, Months: 12},
		{Subject: SubjectMovingHandling, Months: 36},
		{Subject: SubjectMovingHandling, Level: 2, Months: 24},
		{Subject: SubjectSafeguardingAdults, Months: 36},
		{Subject: SubjectSafeguardingChildren, Months: 36},
		{Subject: SubjectPreventingRadicalisation, Months: 36},
		{Subject: SubjectInformationGovernance, Months: 12},
		{Subject: SubjectResuscitation, Months: 12},
	}
}

// WithOverrides returns the refresh periods of defaults with an
// organisation's overrides applied: an override with a level replaces the
// default for that subject and level; one without a level (0) replaces
// every default for the subject, at every level, so that
// {"subject": "infection-prevention-control", "months": 24} means two
// years at level 2 too. Overrides with a level still win over one without
// for their level. Pass the result to TrainingCurrency.
func WithOverrides(defaults, overrides []RefreshPeriod) []RefreshPeriod {
	whole := map[Subject]bool{}
	one := map[RefreshPeriod]bool{} // subject and level, Months zero
	for _, o := range overrides {
		if o.Level == 0 {
			whole[o.Subject] = true
		}
		one[RefreshPeriod{Subject: o.Subject, Level: o.Level}] = true
	}
	out := make([]RefreshPeriod, 0, len(defaults)+len(overrides))
	for _, d := range defaults {
		if !whole[d.Subject] && !one[RefreshPeriod{Subject: d.Subject, Level: d.Level}] {
			out = append(out, d)
		}
	}
	return append(out, overrides...)
}

// refreshMonths returns the period for subject s at level: the last entry
// of periods for that level; failing that, for the nearest level below it
// that has one; failing that, the last entry for the subject with level 0.
func refreshMonths(periods []RefreshPeriod, s Subject, level int) (int, bool) {
	best, bestLevel := -1, -1
	for i, p := range periods {
		if p.Subject == s && p.Level <= level && p.Level >= bestLevel {
			best, bestLevel = i, p.Level
		}
	}
	if best < 0 {
		return 0, false
	}
	return periods[best].Months, true
}

// CurrencyStatus says whether training is still current on a date.
type CurrencyStatus string

// Training currency statuses.
const (
	// CurrencyCurrent: the training stays current beyond the warning window.
	CurrencyCurrent CurrencyStatus = "current"
	// CurrencyDue: the training is still current, but its due date is within
	// the warning window (today included).
	CurrencyDue CurrencyStatus = "due"
	// CurrencyExpired: the due date has passed.
	CurrencyExpired CurrencyStatus = "expired"
)

// SubjectCurrency is the currency of one subject at one level on a date.
type SubjectCurrency struct {
	Subject Subject `json:"subject"`
	Level   int     `json:"level"`
	// CompletionDate is the latest completion of the subject at the level.
	CompletionDate Date `json:"completionDate"`
	// DueDate is the last day the training is current: the completion
	// date plus the refresh period, on the same day of the month or, when
	// that month is shorter, its last day (29 February plus a year is 28
	// February).
	DueDate Date           `json:"dueDate"`
	Status  CurrencyStatus `json:"status"`
	// DaysLeft counts the days from the date asked about to DueDate: 0 on
	// the due date, -1 the day after.
	DaysLeft int `json:"daysLeft"`
}

// TrainingCurrency says, for the date on, whether each subject and level
// in records is current, due within dueWithinDays days (the due date
// itself counts as due), or expired. Training is current up to and including
// its due date and expired from the day after.
//
// The refresh period of a subject at a level is the last entry of periods
// for that subject and level; failing that, for the nearest lower level
// that has one; failing that, for the subject with level 0. An
// organisation's overrides go through WithOverrides first.
//
// Where records repeat a subject and level (from several credentials), the
// latest completion counts. The result is in the framework's subject order,
// then by level. A record with no period fails with ErrMissing.
func TrainingCurrency(records []TrainingRecord, periods []RefreshPeriod, on Date, dueWithinDays int) ([]SubjectCurrency, error) {
	if on.IsZero() {
		return nil, fmt.Errorf("%w: no date to judge training currency on", ErrMissing)
	}
	if dueWithinDays < 0 {
		return nil, fmt.Errorf("%w: the warning window is %d days", ErrFormat, dueWithinDays)
	}
	type key struct {
		s Subject
		l int
	}
	latest := make(map[key]Date)
	for _, r := range records {
		k := key{r.Subject, r.Level}
		if d, ok := latest[k]; !ok || r.CompletionDate.After(d) {
			latest[k] = r.CompletionDate
		}
	}
	out := make([]SubjectCurrency, 0, len(latest))
	for k, done := range latest {
		months, ok := refreshMonths(periods, k.s, k.l)
		if !ok {
			return nil, fmt.Errorf("%w: no refresh period for %s at level %d", ErrMissing, k.s, k.l)
		}
		if months < 1 || months > MaxRefreshMonths {
			return nil, fmt.Errorf("%w: the refresh period for %s is %d months, not 1 to %d", ErrFormat, k.s, months, MaxRefreshMonths)
		}
		out = append(out, currencyOf(k.s, k.l, done, months, on, dueWithinDays))
	}
	slices.SortFunc(out, func(a, b SubjectCurrency) int {
		if c := slices.Index(subjects, a.Subject) - slices.Index(subjects, b.Subject); c != 0 {
			return c
		}
		if a.Subject != b.Subject {
			return strings.Compare(string(a.Subject), string(b.Subject))
		}
		return a.Level - b.Level
	})
	return out, nil
}

func currencyOf(s Subject, level int, done Date, months int, on Date, dueWithinDays int) SubjectCurrency {
	due := done.AddMonths(months)
	left := on.DaysUntil(due)
	status := CurrencyCurrent
	switch {
	case left < 0:
		status = CurrencyExpired
	case left <= dueWithinDays:
		status = CurrencyDue
	}
	return SubjectCurrency{Subject: s, Level: level, CompletionDate: done, DueDate: due, Status: status, DaysLeft: left}
}
