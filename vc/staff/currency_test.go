package staff_test

import (
	"errors"
	"testing"

	"github.com/staffpass/staffpass/vc/staff"
)

func record(t *testing.T, s staff.Subject, level int, done string) staff.TrainingRecord {
	return staff.TrainingRecord{Subject: s, Level: level, CompletionDate: date(t, done), Provider: "Riverside", FrameworkVersion: "CSTF England v1.1"}
}

func TestTrainingCurrencyAtTheBoundaries(t *testing.T) {
	defaults := staff.DefaultRefreshPeriods()
	tests := []struct {
		name     string
		rec      staff.TrainingRecord
		on       string
		window   int
		status   staff.CurrencyStatus
		due      string
		daysLeft int
	}{
		{"fire safety done a year ago today is due today", record(t, staff.SubjectFireSafety, 1, "2024-03-03"), "2025-03-03", 0, staff.CurrencyDue, "2025-03-03", 0},
		{"fire safety due yesterday expired yesterday", record(t, staff.SubjectFireSafety, 1, "2024-03-02"), "2025-03-03", 30, staff.CurrencyExpired, "2025-03-02", -1},
		{"fire safety due tomorrow is current without a window", record(t, staff.SubjectFireSafety, 1, "2024-03-04"), "2025-03-03", 0, staff.CurrencyCurrent, "2025-03-04", 1},
		{"fire safety due in 30 days is due within 30 days", record(t, staff.SubjectFireSafety, 1, "2024-04-02"), "2025-03-03", 30, staff.CurrencyDue, "2025-04-02", 30},
		{"fire safety due in 31 days is current with a 30-day window", record(t, staff.SubjectFireSafety, 1, "2024-04-03"), "2025-03-03", 30, staff.CurrencyCurrent, "2025-04-03", 31},
		{"a yearly subject done on 29 February is due on 28 February", record(t, staff.SubjectResuscitation, 2, "2024-02-29"), "2025-02-28", 0, staff.CurrencyDue, "2025-02-28", 0},
		{"a yearly subject done on 29 February has expired on 1 March", record(t, staff.SubjectResuscitation, 2, "2024-02-29"), "2025-03-01", 0, staff.CurrencyExpired, "2025-02-28", -1},
		{"a three-yearly subject done on 29 February is due on 28 February three years on", record(t, staff.SubjectSafeguardingAdults, 2, "2024-02-29"), "2027-02-28", 0, staff.CurrencyDue, "2027-02-28", 0},
		{"a three-yearly subject done on 29 February has expired on 1 March three years on", record(t, staff.SubjectSafeguardingAdults, 2, "2024-02-29"), "2027-03-01", 0, staff.CurrencyExpired, "2027-02-28", -1},
		{"a yearly subject done on 28 February 2023 is due on 28 February 2024, a leap year", record(t, staff.SubjectInformationGovernance, 1, "2023-02-28"), "2024-02-29", 0, staff.CurrencyExpired, "2024-02-28", -1},
		{"a yearly subject done on 1 March 2023 is current on 29 February 2024", record(t, staff.SubjectInformationGovernance, 1, "2023-03-01"), "2024-02-29", 0, staff.CurrencyCurrent, "2024-03-01", 1},
		{"level 2 infection control is yearly", record(t, staff.SubjectInfectionPreventionControl, 2, "2024-01-10"), "2025-01-11", 0, staff.CurrencyExpired, "2025-01-10", -1},
		{"level 1 infection control is three-yearly", record(t, staff.SubjectInfectionPreventionControl, 1, "2024-01-10"), "2025-01-11", 0, staff.CurrencyCurrent, "2027-01-10", 729},
		{"level 3 infection control takes the period of level 2", record(t, staff.SubjectInfectionPreventionControl, 3, "2024-01-10"), "2025-01-10", 0, staff.CurrencyDue, "2025-01-10", 0},
		{"training completed today is current", record(t, staff.SubjectFireSafety, 1, "2025-03-03"), "2025-03-03", 30, staff.CurrencyCurrent, "2026-03-03", 365},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := staff.TrainingCurrency([]staff.TrainingRecord{tt.rec}, defaults, date(t, tt.on), tt.window)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("%d results", len(got))
			}
			g := got[0]
			if g.Status != tt.status || g.DueDate.String() != tt.due || g.DaysLeft != tt.daysLeft || g.CompletionDate != tt.rec.CompletionDate {
				t.Fatalf("got %s, due %s, %d days left; want %s, due %s, %d days left", g.Status, g.DueDate, g.DaysLeft, tt.status, tt.due, tt.daysLeft)
			}
		})
	}
}

func TestTrainingCurrencyTakesTheLatestCompletionAndTheOrganisationsPeriods(t *testing.T) {
	recs := []staff.TrainingRecord{
		record(t, staff.SubjectResuscitation, 2, "2023-01-05"),
		record(t, staff.SubjectFireSafety, 1, "2023-06-01"),
		record(t, staff.SubjectResuscitation, 2, "2024-06-05"), // a later credential
		record(t, staff.SubjectEqualityDiversityHumanRights, 1, "2020-01-01"),
	}
	// The organisation refreshes fire safety every two years.
	periods := staff.WithOverrides(staff.DefaultRefreshPeriods(), []staff.RefreshPeriod{{Subject: staff.SubjectFireSafety, Months: 24}})
	got, err := staff.TrainingCurrency(recs, periods, date(t, "2025-03-03"), 60)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		s      staff.Subject
		status staff.CurrencyStatus
		due    string
	}{
		{staff.SubjectEqualityDiversityHumanRights, staff.CurrencyExpired, "2023-01-01"},
		{staff.SubjectFireSafety, staff.CurrencyCurrent, "2025-06-01"},
		{staff.SubjectResuscitation, staff.CurrencyCurrent, "2025-06-05"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d subjects, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Subject != w.s || got[i].Status != w.status || got[i].DueDate.String() != w.due {
			t.Errorf("%d: got %s %s due %s; want %s %s due %s", i, got[i].Subject, got[i].Status, got[i].DueDate, w.s, w.status, w.due)
		}
	}
}

// An override without a level covers every level of its subject, also
// those with a default of their own; one with a level wins for its level.
func TestWithOverrides(t *testing.T) {
	ipc := staff.SubjectInfectionPreventionControl
	tests := []struct {
		name      string
		overrides []staff.RefreshPeriod
		level     int
		due       string
	}{
		{"the default at level 2", nil, 2, "2025-01-10"},
		{"the default at level 1", nil, 1, "2027-01-10"},
		{"a subject-wide override at level 2, which has its own default", []staff.RefreshPeriod{{Subject: ipc, Months: 24}}, 2, "2026-01-10"},
		{"a subject-wide override at level 1", []staff.RefreshPeriod{{Subject: ipc, Months: 24}}, 1, "2026-01-10"},
		{"a level override beside a subject-wide one", []staff.RefreshPeriod{{Subject: ipc, Level: 2, Months: 6}, {Subject: ipc, Months: 24}}, 2, "2024-07-10"},
		{"a level override leaves the level below at the default", []staff.RefreshPeriod{{Subject: ipc, Level: 2, Months: 6}}, 1, "2027-01-10"},
		{"another subject's override changes nothing", []staff.RefreshPeriod{{Subject: staff.SubjectFireSafety, Months: 24}}, 2, "2025-01-10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			periods := staff.WithOverrides(staff.DefaultRefreshPeriods(), tt.overrides)
			got, err := staff.TrainingCurrency([]staff.TrainingRecord{record(t, ipc, tt.level, "2024-01-10")}, periods, date(t, "2024-03-01"), 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].DueDate.String() != tt.due {
				t.Fatalf("got %+v, want due %s", got, tt.due)
			}
		})
	}
}

func TestTrainingCurrencyRefusesWhatItCannotJudge(t *testing.T) {
	rec := []staff.TrainingRecord{record(t, staff.SubjectFireSafety, 1, "2024-01-01")}
	tests := []struct {
		name    string
		periods []staff.RefreshPeriod
		on      staff.Date
		window  int
		err     error
	}{
		{"a subject without a period is refused", []staff.RefreshPeriod{{Subject: staff.SubjectResuscitation, Months: 12}}, date(t, "2025-01-01"), 0, staff.ErrMissing},
		{"a period of no months is refused", []staff.RefreshPeriod{{Subject: staff.SubjectFireSafety, Months: 0}}, date(t, "2025-01-01"), 0, staff.ErrFormat},
		{"no date is refused", staff.DefaultRefreshPeriods(), staff.Date{}, 0, staff.ErrMissing},
		{"a negative window is refused", staff.DefaultRefreshPeriods(), date(t, "2025-01-01"), -1, staff.ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := staff.TrainingCurrency(rec, tt.periods, tt.on, tt.window); !errors.Is(err, tt.err) {
				t.Fatalf("TrainingCurrency = %v; want %v", err, tt.err)
			}
		})
	}
}

func TestEverySubjectHasADefaultPeriod(t *testing.T) {
	periods := staff.DefaultRefreshPeriods()
	for _, s := range staff.Subjects() {
		for level := 1; level <= staff.MaxTrainingLevel; level++ {
			got, err := staff.TrainingCurrency([]staff.TrainingRecord{record(t, s, level, "2024-01-01")}, periods, date(t, "2024-01-01"), 0)
			if err != nil || len(got) != 1 || got[0].Status != staff.CurrencyCurrent {
				t.Errorf("%s level %d: %v, %v", s, level, got, err)
			}
		}
		if s.Title() == "" {
			t.Errorf("%s has no title", s)
		}
	}
	periods[0].Months = 1
	if staff.DefaultRefreshPeriods()[0].Months == 1 {
		t.Error("DefaultRefreshPeriods shares its slice")
	}
}
