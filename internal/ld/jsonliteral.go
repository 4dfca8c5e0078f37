package ld

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonLiteral returns the lexical form of an rdf:JSON literal: the JSON
// Canonicalization Scheme (RFC 8785) serialisation of v, as JSON-LD 1.1
// (section 8.5 of the API, step 8 of Object to RDF Conversion) and
// jsonld.js require.
//
// json-gold gets this wrong for every @json value that is not an object
// (it parses a string value as JSON text, gives up on arrays and null, and
// writes non-integral numbers as xsd:double lexical forms), so literals are
// made here instead.
func jsonLiteral(v any) (string, error) {
	var b strings.Builder
	if err := writeCanonicalJSON(&b, v, 0); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeCanonicalJSON(b *strings.Builder, v any, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: JSON literal nested too deeply", ErrLimit)
	}
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case string:
		return writeCanonicalString(b, v)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeCanonicalJSON(b, e, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		// RFC 8785 section 3.2.3: sort by UTF-16 code units.
		slices.SortFunc(keys, compareUTF16)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeCanonicalString(b, k); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := writeCanonicalJSON(b, v[k], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		f, ok := toFloat(v)
		if !ok {
			return fmt.Errorf("%w: a JSON literal holds a %T", ErrInvalidJSONLD, v)
		}
		s, err := es6Number(f)
		if err != nil {
			return err
		}
		b.WriteString(s)
	}
	return nil
}

// writeCanonicalString writes s as ECMAScript's JSON.stringify does (RFC
// 8785 section 3.2.2.2).
func writeCanonicalString(b *strings.Builder, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: a JSON literal holds a string that is not UTF-8", ErrInvalidJSONLD)
	}
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return nil
}

func compareUTF16(a, b string) int {
	ua := utf16.Encode([]rune(a))
	ub := utf16.Encode([]rune(b))
	return slices.Compare(ua, ub)
}

// toFloat converts the number types a decoded JSON document may hold to the
// float64 that jsonld.js (an ECMAScript program) would hold.
func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return f, err == nil
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

// es6Number formats f as ECMAScript's Number.prototype.toString does
// (ECMA-262 section 6.1.6.1.20, Number::toString), which RFC 8785 section
// 3.2.2.3 adopts.
func es6Number(f float64) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("%w: a JSON literal holds a number that JSON cannot write", ErrInvalidJSONLD)
	}
	if f == 0 {
		return "0", nil // also for -0
	}
	sign := ""
	if f < 0 {
		sign = "-"
		f = -f
	}
	// Shortest digits that read back as f, in the form d.ddde±x.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, err := strconv.Atoi(exp)
	if err != nil {
		return "", fmt.Errorf("%w: cannot format number %v", ErrInvalidJSONLD, f)
	}
	k := len(digits)
	n := x + 1 // f = 0.digits × 10^n
	var s string
	switch {
	case k <= n && n <= 21:
		s = digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		s = digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		s = "0." + strings.Repeat("0", -n) + digits
	default:
		s = digits[:1]
		if k > 1 {
			s += "." + digits[1:]
		}
		if n-1 >= 0 {
			s += "e+" + strconv.Itoa(n-1)
		} else {
			s += "e-" + strconv.Itoa(1-n)
		}
	}
	return sign + s, nil
}
