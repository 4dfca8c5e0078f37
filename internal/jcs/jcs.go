// Package jcs implements the JSON Canonicalization Scheme, JCS (RFC 8785),
// over decoded JSON values.
//
// Append and Marshal write a value the way RFC 8785 section 3.2 requires:
//
//   - no white space between tokens (section 3.2.1);
//   - literals null, true and false as themselves (section 3.2.2.1);
//   - strings as ECMAScript's JSON.stringify writes them: only '"', '\\'
//     and the control characters U+0000 to U+001F are escaped, with the
//     short forms \b \t \n \f \r and lower-case \u00xx for the rest;
//     everything else is written as UTF-8 (section 3.2.2.2);
//   - numbers as ECMAScript's Number.prototype.toString writes the IEEE 754
//     double they denote (section 3.2.2.3, ECMA-262 Number::toString):
//     integers below 10^21 in full, other magnitudes from 10^-6 in plain
//     decimal notation, the rest in exponent form ("1e+30", "5e-324"),
//     always the shortest digits that read back as the same double; -0 is
//     written "0"; NaN and the infinities cannot be written;
//   - object members sorted by their names compared as arrays of UTF-16
//     code units (section 3.2.3), which differs from byte order only for
//     characters above U+FFFF against characters from U+E000 to U+FFFF.
//
// The values are those encoding/json decodes into an interface: nil, bool,
// string, float64 or json.Number, []any and map[string]any; Go integer and
// float32 values are accepted as the numbers they denote. Strings must be
// valid UTF-8: RFC 8785 works on I-JSON (RFC 7493), which has no place for
// anything else.
//
// The Data Integrity cryptosuites eddsa-jcs-2022 and ecdsa-jcs-2019 hash
// this form, and JSON-LD 1.1 writes rdf:JSON literals in it.
package jcs

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/staffpass/staffpass/internal/limits"
)

var (
	// ErrUnsupportedValue means a value has no JSON form under RFC 8785: a
	// NaN or infinite number, a string that is not UTF-8, or a Go value of
	// a type that JSON does not have.
	ErrUnsupportedValue = errors.New("jcs: value cannot be written as I-JSON")

	// ErrTooDeep means a value nests arrays and objects more deeply than
	// limits.MaxJSONDepth.
	ErrTooDeep = errors.New("jcs: value nested too deeply")
)

// Marshal returns the RFC 8785 canonical form of v.
func Marshal(v any) ([]byte, error) {
	return Append(nil, v)
}

// Append appends the RFC 8785 canonical form of v to dst and returns the
// extended buffer. On error the returned slice is dst truncated to its
// original length.
func Append(dst []byte, v any) ([]byte, error) {
	n := len(dst)
	out, err := appendValue(dst, v, 0)
	if err != nil {
		return dst[:n], err
	}
	return out, nil
}

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		if v {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case string:
		return appendString(dst, v)
	case map[string]any:
		if depth >= limits.MaxJSONDepth {
			return dst, ErrTooDeep
		}
		return appendObject(dst, v, depth+1)
	case []any:
		if depth >= limits.MaxJSONDepth {
			return dst, ErrTooDeep
		}
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValue(dst, e, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	}
	f, ok := Float(v)
	if !ok {
		return dst, fmt.Errorf("%w: a %T", ErrUnsupportedValue, v)
	}
	return appendNumber(dst, f)
}

func appendObject(dst []byte, m map[string]any, depth int) ([]byte, error) {
	var small [16]string
	names := small[:0]
	for k := range m {
		names = append(names, k)
	}
	slices.SortFunc(names, compareUTF16)
	dst = append(dst, '{')
	for i, k := range names {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendString(dst, k); err != nil {
			return dst, err
		}
		dst = append(dst, ':')
		if dst, err = appendValue(dst, m[k], depth); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendString writes s as RFC 8785 section 3.2.2.2 (JSON.stringify) does.
func appendString(dst []byte, s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return dst, fmt.Errorf("%w: a string that is not UTF-8", ErrUnsupportedValue)
	}
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), nil
}

// compareUTF16 orders a and b as sequences of UTF-16 code units (RFC 8785
// section 3.2.3) without converting them: UTF-8 byte order is code point
// order, which agrees with UTF-16 order except that a character above
// U+FFFF (a surrogate pair, 0xD800 to 0xDBFF first) sorts before one from
// U+E000 to U+FFFF.
func compareUTF16(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return len(a) - len(b)
	}
	for i > 0 && !utf8.RuneStart(a[i]) {
		i--
	}
	ra, _ := utf8.DecodeRuneInString(a[i:])
	rb, _ := utf8.DecodeRuneInString(b[i:])
	ua, ub := firstUnit(ra), firstUnit(rb)
	if ua != ub {
		return int(ua) - int(ub)
	}
	return int(ra) - int(rb) // both above U+FFFF with the same high surrogate
}

// firstUnit returns the first UTF-16 code unit of r.
func firstUnit(r rune) rune {
	if r < 0x10000 {
		return r
	}
	return 0xD800 + (r-0x10000)>>10
}

// Float converts the number types a decoded JSON value may hold (float64,
// json.Number, and Go's integer and float types) to the IEEE 754 double
// that RFC 8785 and ECMAScript, and so JSON-LD processors such as
// jsonld.js, read them as. A json.Number out of range gives an infinity;
// ok is false for a value that is not a number.
func Float(v any) (f float64, ok bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return 0, false
		}
		return f, true // out of range: ±Inf, refused by appendNumber
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	}
	return 0, false
}

// appendNumber appends f as RFC 8785 section 3.2.2.3 writes a number: as
// ECMAScript's Number::toString does (ECMA-262 section 6.1.6.1.20). It fails
// with ErrUnsupportedValue for NaN and the infinities.
func appendNumber(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("%w: number %v", ErrUnsupportedValue, f)
	}
	if f == 0 {
		return append(dst, '0'), nil // also -0
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	// Shortest digits that read back as f, as d[.ddd]e±x.
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	var digits [24]byte
	k := 0
	i := 0
	for ; e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits[k] = e[i]
			k++
		}
	}
	i++ // 'e'
	neg := e[i] == '-'
	x := 0
	for i++; i < len(e); i++ {
		x = x*10 + int(e[i]-'0')
	}
	if neg {
		x = -x
	}
	n := x + 1 // f = 0.d1d2...dk × 10^n
	d := digits[:k]
	switch {
	case k <= n && n <= 21:
		dst = append(dst, d...)
		for range n - k {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(dst, d[:n]...)
		dst = append(dst, '.')
		dst = append(dst, d[n:]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for range -n {
			dst = append(dst, '0')
		}
		dst = append(dst, d...)
	default:
		dst = append(dst, d[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, d[1:]...)
		}
		dst = append(dst, 'e')
		if n-1 >= 0 {
			dst = append(dst, '+')
			dst = strconv.AppendInt(dst, int64(n-1), 10)
		} else {
			dst = append(dst, '-')
			dst = strconv.AppendInt(dst, int64(1-n), 10)
		}
	}
	return dst, nil
}
