package staff_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/staffpass/staffpass/vc/staff"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"a plain date is read", "2025-03-03", true},
		{"29 February of a leap year is read", "2024-02-29", true},
		{"29 February of another year is refused", "2023-02-29", false},
		{"29 February 1900 is refused (not a leap year)", "1900-02-29", false},
		{"29 February 2000 is read (a leap year)", "2000-02-29", true},
		{"31 April is refused", "2025-04-31", false},
		{"month 13 is refused", "2025-13-01", false},
		{"day 0 is refused", "2025-01-00", false},
		{"year 0000 is refused", "0000-01-01", false},
		{"a time zone is refused", "2025-03-03Z", false},
		{"a date-time is refused", "2025-03-03T00:00:00Z", false},
		{"a short year is refused", "225-03-03", false},
		{"signs are refused", "+025-03-03", false},
		{"other separators are refused", "2025/03/03", false},
		{"the empty string is refused", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := staff.ParseDate(tt.in)
			if tt.ok {
				if err != nil || d.String() != tt.in {
					t.Fatalf("ParseDate(%q) = %v, %v", tt.in, d, err)
				}
				return
			}
			if !errors.Is(err, staff.ErrFormat) || !d.IsZero() {
				t.Fatalf("ParseDate(%q) = %v, %v; want ErrFormat", tt.in, d, err)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	d := func(s string) staff.Date { return date(t, s) }
	tests := []struct {
		name string
		got  staff.Date
		want string
	}{
		{"29 February plus 12 months is 28 February", d("2024-02-29").AddMonths(12), "2025-02-28"},
		{"29 February plus 36 months is 28 February", d("2024-02-29").AddMonths(36), "2027-02-28"},
		{"29 February plus 48 months is 29 February", d("2024-02-29").AddMonths(48), "2028-02-29"},
		{"31 January plus one month is the end of February", d("2023-01-31").AddMonths(1), "2023-02-28"},
		{"31 March minus one month is the end of February", d("2024-03-31").AddMonths(-1), "2024-02-29"},
		{"1 March plus 12 months is 1 March", d("2023-03-01").AddMonths(12), "2024-03-01"},
		{"December plus one month is January", d("2024-12-15").AddMonths(1), "2025-01-15"},
		{"a day after 28 February of a leap year is the 29th", d("2024-02-28").AddDays(1), "2024-02-29"},
		{"a day before 1 March of a leap year is the 29th", d("2024-03-01").AddDays(-1), "2024-02-29"},
	}
	for _, tt := range tests {
		if tt.got.String() != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, tt.got, tt.want)
		}
	}
	if n := d("2024-02-28").DaysUntil(d("2024-03-01")); n != 2 {
		t.Errorf("28 February to 1 March 2024 is %d days, want 2", n)
	}
	if n := d("0001-01-01").DaysUntil(d("9999-12-31")); n != 3652058 {
		t.Errorf("the whole range is %d days, want 3652058", n)
	}
	if n := d("2025-03-03").DaysUntil(d("2025-03-01")); n != -2 {
		t.Errorf("backwards is %d days, want -2", n)
	}
	if !d("2025-01-01").Before(d("2025-01-02")) || d("2025-01-02").Before(d("2025-01-01")) || !d("2026-01-01").After(d("2025-12-31")) {
		t.Error("Before/After disagree with the calendar")
	}
	if got := staff.DateOf(time.Date(2025, 3, 4, 0, 30, 0, 0, time.FixedZone("BST", 3600))); got.String() != "2025-03-04" {
		t.Errorf("DateOf takes the date in the time's own zone: got %s", got)
	}
}

func TestDatesInJSON(t *testing.T) {
	var v struct {
		D staff.Date `json:"d,omitzero"`
	}
	if err := json.Unmarshal([]byte(`{"d":"2024-02-29"}`), &v); err != nil || v.D.String() != "2024-02-29" {
		t.Fatalf("Unmarshal = %v, %v", v.D, err)
	}
	if err := json.Unmarshal([]byte(`{"d":"2023-02-29"}`), &v); !errors.Is(err, staff.ErrFormat) {
		t.Fatalf("Unmarshal of a day that does not exist = %v", err)
	}
	v.D = staff.Date{}
	if out, err := json.Marshal(v); err != nil || string(out) != `{}` {
		t.Fatalf("the zero date is left out: %s, %v", out, err)
	}
	if _, err := json.Marshal(struct{ D staff.Date }{}); !errors.Is(err, staff.ErrFormat) {
		t.Fatalf("the zero date has no text form: %v", err)
	}
}
