package vc

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// dateTimeStampRE is the regular expression of the VCDM 2.0 appendix
// (vc-data-model example 32), anchored.
var dateTimeStampRE = regexp.MustCompile(`^-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$`)

func TestSpecRegularExpressionIsTheOneTested(t *testing.T) {
	ex := readFile(t, dataModelDir+"/examples/example-32-regular-expression-to-detect-a-valid-xml-schema-1-1-part-2-d.txt")
	spec := strings.Join(strings.Fields(string(ex)), "")
	if "^"+spec+"$" != dateTimeStampRE.String() {
		t.Errorf("the spec's expression\n%s\ndiffers from the test's\n%s", spec, dateTimeStampRE)
	}
}

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Time // zero: refused
	}{
		{"UTC is accepted", "2025-03-01T09:00:00Z", time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)},
		{"milliseconds are accepted", "2023-02-26T01:02:58.447Z", time.Date(2023, 2, 26, 1, 2, 58, 447e6, time.UTC)},
		{"more than nine fractional digits are accepted and truncated", "2023-02-26T01:02:58.1234567891Z", time.Date(2023, 2, 26, 1, 2, 58, 123456789, time.UTC)},
		{"a negative offset is accepted", "2023-02-25T19:10:39-06:00", time.Date(2023, 2, 26, 1, 10, 39, 0, time.UTC)},
		{"offset +14:00 is accepted", "2025-01-01T14:00:00+14:00", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"24:00:00 is the start of the next day", "2024-12-31T24:00:00Z", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"24:00:00.000 is accepted", "2024-12-31T24:00:00.000Z", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"a far-future year is accepted", "4023-02-26T01:02:58.447Z", time.Date(4023, 2, 26, 1, 2, 58, 447e6, time.UTC)},
		{"a five-digit year is accepted", "10000-01-01T00:00:00Z", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"a negative year is accepted", "-0044-03-15T12:00:00Z", time.Date(-44, 3, 15, 12, 0, 0, 0, time.UTC)},
		{"year 0000 is a leap year", "0000-02-29T00:00:00Z", time.Date(0, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"29 February of a leap year is accepted", "2024-02-29T00:00:00Z", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"29 February of 1900 is refused", "1900-02-29T00:00:00Z", time.Time{}},
		{"31 April is refused", "2025-04-31T00:00:00Z", time.Time{}},
		{"a missing time zone is refused", "2025-03-01T09:00:00", time.Time{}},
		{"a date alone is refused", "2025-03-01", time.Time{}},
		{"a lower-case t is refused", "2025-03-01t09:00:00Z", time.Time{}},
		{"a lower-case z is refused", "2025-03-01T09:00:00z", time.Time{}},
		{"a space for T is refused", "2025-03-01 09:00:00Z", time.Time{}},
		{"a three-digit year is refused", "925-03-01T09:00:00Z", time.Time{}},
		{"a five-digit year with a leading zero is refused", "02025-03-01T09:00:00Z", time.Time{}},
		{"a ten-digit year is refused as out of range", "1000000000-01-01T00:00:00Z", time.Time{}},
		{"month 13 is refused", "2025-13-01T09:00:00Z", time.Time{}},
		{"day 00 is refused", "2025-03-00T09:00:00Z", time.Time{}},
		{"hour 25 is refused", "2025-03-01T25:00:00Z", time.Time{}},
		{"24:00:01 is refused", "2025-03-01T24:00:01Z", time.Time{}},
		{"24:00:00.5 is refused", "2025-03-01T24:00:00.5Z", time.Time{}},
		{"second 60 is refused", "2025-03-01T09:00:60Z", time.Time{}},
		{"a decimal point without digits is refused", "2025-03-01T09:00:00.Z", time.Time{}},
		{"offset 14:01 is refused", "2025-03-01T09:00:00+14:01", time.Time{}},
		{"offset 15:00 is refused", "2025-03-01T09:00:00+15:00", time.Time{}},
		{"an offset without a colon is refused", "2025-03-01T09:00:00+0100", time.Time{}},
		{"trailing text is refused", "2025-03-01T09:00:00Z ", time.Time{}},
		{"an RFC 1123 date is refused", "Sun, 26 Feb 2023 01:22:14 +0000", time.Time{}},
		{"the empty string is refused", "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDateTime(tt.in)
			if tt.want.IsZero() {
				if !errors.Is(err, ErrDate) {
					t.Fatalf("ParseDateTime = %v, %v; want ErrDate", d.Time(), err)
				}
				if !d.IsZero() {
					t.Error("a refused date is not the zero DateTime")
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if !d.Time().Equal(tt.want) || d.Time().Location() != time.UTC {
					t.Errorf("Time() = %v, want %v", d.Time(), tt.want)
				}
				if d.String() != tt.in {
					t.Errorf("String() = %q, want the input", d.String())
				}
			}
			// Agree with the spec's regular expression, except for the
			// checks it cannot make (days of the month, the year range).
			calendarOrRange := strings.Contains(tt.name, "February of 1900") || strings.Contains(tt.name, "31 April") || strings.Contains(tt.name, "out of range")
			if re := dateTimeStampRE.MatchString(tt.in); re != (err == nil) && !calendarOrRange {
				t.Errorf("the spec's expression says %v, ParseDateTime %v", re, err)
			}
		})
	}
}

func TestNewDateTime(t *testing.T) {
	d := NewDateTime(time.Date(2025, 3, 1, 10, 0, 0, 5e8, time.FixedZone("BST", 3600)))
	if d.String() != "2025-03-01T10:00:00.5+01:00" {
		t.Errorf("String() = %q", d.String())
	}
	if !d.Time().Equal(time.Date(2025, 3, 1, 9, 0, 0, 5e8, time.UTC)) {
		t.Errorf("Time() = %v", d.Time())
	}
	back, err := ParseDateTime(d.String())
	if err != nil || back != d {
		t.Errorf("ParseDateTime(%q) = %v, %v; want %v", d, back, err, d)
	}
}
