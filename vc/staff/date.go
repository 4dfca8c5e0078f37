package staff

import (
	"fmt"
	"time"
)

// Date is a calendar date with no time of day and no time zone: the value of
// every date field of the staff credentials (an xsd:date, written
// YYYY-MM-DD). The zero Date means "absent".
//
// A Date is comparable with ==.
type Date struct {
	year  int
	month time.Month
	day   int
}

// ParseDate parses an xsd:date without a time zone, "YYYY-MM-DD", with a
// year from 0001 to 9999 and a day that exists (2023-02-29 is refused).
// The error wraps ErrFormat.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("%w: %q is not a date of the form YYYY-MM-DD", ErrFormat, s)
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || y == 0 || m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
		return Date{}, fmt.Errorf("%w: %q is not a date that exists (YYYY-MM-DD)", ErrFormat, s)
	}
	return Date{y, time.Month(m), d}, nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn returns the number of days of month m in year y (proleptic
// Gregorian calendar).
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// DateOf returns t's calendar date in t's location. To get the date in the
// United Kingdom, pass a time in Europe/London.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether d is the zero Date ("absent").
func (d Date) IsZero() bool { return d == Date{} }

// String returns the date as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.year, int(d.month), d.day)
}

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time {
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, time.UTC)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after u.
func (d Date) Compare(u Date) int {
	switch {
	case d.year != u.year:
		return cmp(d.year, u.year)
	case d.month != u.month:
		return cmp(int(d.month), int(u.month))
	default:
		return cmp(d.day, u.day)
	}
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before u.
func (d Date) Before(u Date) bool { return d.Compare(u) < 0 }

// After reports whether d is after u.
func (d Date) After(u Date) bool { return d.Compare(u) > 0 }

// AddDays returns the date n days after d (before, for a negative n).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.year, d.month, d.day+n, 0, 0, 0, 0, time.UTC))
}

// AddMonths returns the same day n months after d; where that month is
// shorter, the last day of the month. So 2024-02-29 plus 12 months is
// 2025-02-28, and 2024-01-31 plus one month is 2024-02-29: a period never
// runs past the month it ends in.
func (d Date) AddMonths(n int) Date {
	total := d.year*12 + int(d.month-1) + n
	y, m := total/12, time.Month(total%12+1)
	if total < 0 {
		y, m = (total-11)/12, time.Month((total%12+12)%12+1)
	}
	day := min(d.day, daysIn(y, m))
	return Date{y, m, day}
}

// DaysUntil returns the number of days from d to u: 1 when u is the day
// after d, negative when u is before d.
func (d Date) DaysUntil(u Date) int {
	return int((u.Time().Unix() - d.Time().Unix()) / 86400)
}

// MarshalText writes the date as YYYY-MM-DD. It fails for the zero Date,
// which fields leave out instead (they are tagged omitzero).
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, fmt.Errorf("%w: the zero date has no text form", ErrFormat)
	}
	if d.year < 1 || d.year > 9999 {
		return nil, fmt.Errorf("%w: year %d is outside 0001 to 9999", ErrFormat, d.year)
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses the date with ParseDate.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
