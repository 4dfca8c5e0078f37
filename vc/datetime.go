package vc

import (
	"fmt"
	"strconv"
	"time"
)

// DateTime is an XML Schema 1.1 dateTimeStamp, the lexical form VCDM 2.0
// requires for validFrom and validUntil (section 4.9), kept together with
// the instant it denotes. The lexical form is kept so that a parsed
// credential marshals back to the same text.
//
// The zero DateTime means "absent".
type DateTime struct {
	lexical string
	t       time.Time
}

// dateTimeForm says what a dateTimeStamp looks like, for messages.
const dateTimeForm = "an XML Schema dateTimeStamp (YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm))"

// maxYearDigits bounds the year of a dateTimeStamp; the lexical space
// allows any number of digits, time.Time does not.
const maxYearDigits = 9

// ParseDateTime parses s as an XML Schema 1.1 dateTimeStamp: the
// dateTime lexical form with a required time zone, as given by the
// regular expression in the appendix of VCDM 2.0:
//
//	-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])
//	T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))
//	(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))
//
// It also refuses days that do not exist (2023-02-30) and years of more
// than nine digits.
//
// The error wraps ErrDate.
func ParseDateTime(s string) (DateTime, error) {
	t, ok := parseDateTimeStamp(s)
	if !ok {
		return DateTime{}, fmt.Errorf("%w: %s is not %s", ErrDate, quoteShort(s), dateTimeForm)
	}
	return DateTime{lexical: s, t: t}, nil
}

// NewDateTime returns the DateTime for t, written in RFC 3339 form with
// as many fractional digits as t needs (time.RFC3339Nano). t's year must
// be within 0000 to 9999.
func NewDateTime(t time.Time) DateTime {
	s := t.Format(time.RFC3339Nano)
	return DateTime{lexical: s, t: t.UTC()}
}

// Time returns the instant, in UTC.
func (d DateTime) Time() time.Time { return d.t }

// String returns the lexical form.
func (d DateTime) String() string { return d.lexical }

// IsZero reports whether d is the zero DateTime ("absent").
func (d DateTime) IsZero() bool { return d.lexical == "" }

// parseDateTimeStamp implements the regular expression above by hand: it
// runs on the verification path and must not allocate.
func parseDateTimeStamp(s string) (time.Time, bool) {
	i := 0
	neg := false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	// Year: four or more digits; a leading zero only in exactly four.
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	nd := i - start
	if nd < 4 || nd > maxYearDigits || (nd > 4 && s[start] == '0') {
		return time.Time{}, false
	}
	year, _ := strconv.Atoi(s[start:i])
	if neg {
		year = -year
	}
	month, ok := twoDigits(s, &i, '-', 1, 12)
	if !ok {
		return time.Time{}, false
	}
	day, ok := twoDigits(s, &i, '-', 1, 31)
	if !ok {
		return time.Time{}, false
	}
	hour, ok := twoDigits(s, &i, 'T', 0, 24)
	if !ok {
		return time.Time{}, false
	}
	minute, ok := twoDigits(s, &i, ':', 0, 59)
	if !ok {
		return time.Time{}, false
	}
	sec, ok := twoDigits(s, &i, ':', 0, 59)
	if !ok {
		return time.Time{}, false
	}
	nsec := 0
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			if i-fs < 9 {
				nsec = nsec*10 + int(s[i]-'0')
			}
			i++
		}
		if i == fs {
			return time.Time{}, false
		}
		for n := i - fs; n < 9; n++ {
			nsec *= 10
		}
	}
	if hour == 24 && (minute != 0 || sec != 0 || nsec != 0) {
		return time.Time{}, false
	}
	// Time zone.
	if i >= len(s) {
		return time.Time{}, false
	}
	offset := 0
	switch s[i] {
	case 'Z':
		i++
	case '+', '-':
		sign := 1
		if s[i] == '-' {
			sign = -1
		}
		oh, ok := twoDigits(s, &i, s[i], 0, 14)
		if !ok {
			return time.Time{}, false
		}
		om, ok := twoDigits(s, &i, ':', 0, 59)
		if !ok || (oh == 14 && om != 0) {
			return time.Time{}, false
		}
		offset = sign * (oh*3600 + om*60)
	default:
		return time.Time{}, false
	}
	if i != len(s) {
		return time.Time{}, false
	}
	if day > daysIn(year, month) {
		return time.Time{}, false
	}
	// time.Date normalises 24:00:00 to 00:00:00 of the next day, as XML
	// Schema defines it.
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

// twoDigits reads a separator sep then two digits in [lo, hi].
func twoDigits(s string, i *int, sep byte, lo, hi int) (int, bool) {
	j := *i
	if j+3 > len(s) || s[j] != sep || !isDigit(s[j+1]) || !isDigit(s[j+2]) {
		return 0, false
	}
	v := int(s[j+1]-'0')*10 + int(s[j+2]-'0')
	if v < lo || v > hi {
		return 0, false
	}
	*i = j + 3
	return v, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// daysIn returns the days of month m of the proleptic Gregorian year y
// (XML Schema year 0000 is 1 BCE, a leap year).
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	default:
		return 31
	}
}
