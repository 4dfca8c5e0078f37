package ld

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

var (
	// errJSONSyntax reports text decodeJSON cannot read; strictjson.Check
	// has refused such text before decodeJSON sees it.
	errJSONSyntax = errors.New("invalid JSON text")
	// errNumberRange reports a number a float64 cannot hold.
	errNumberRange = errors.New("a number is out of the range of a float64")
)

// decodeJSON decodes JSON text that strictjson.Check accepted into exactly
// the value encoding/json's Unmarshal into an any gives (map[string]any,
// []any, string, float64, bool or nil), in about a third of the time: it
// need not check what Check has checked, and sizes each array once. It
// still fails, rather than panics, on text Check would refuse, and fails
// on a number out of float64 range as Unmarshal does.
func decodeJSON(data []byte) (any, error) {
	d := jsonDecoder{data: data}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.space()
	if d.pos != len(d.data) {
		return nil, errJSONSyntax
	}
	return v, nil
}

type jsonDecoder struct {
	data  []byte
	pos   int
	stack []any  // array items being read, in stack order
	buf   []byte // a string being unescaped
}

func (d *jsonDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value(depth int) (any, error) {
	if depth > maxDepth+1 {
		return nil, errJSONSyntax
	}
	d.space()
	if d.pos >= len(d.data) {
		return nil, errJSONSyntax
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return s, nil
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return d.number()
	}
	return nil, errJSONSyntax
}

func (d *jsonDecoder) literal(lit string) error {
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
		return errJSONSyntax
	}
	d.pos += len(lit)
	return nil
}

func (d *jsonDecoder) object(depth int) (any, error) {
	d.pos++ // {
	m := make(map[string]any)
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return m, nil
	}
	for {
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, errJSONSyntax
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, errJSONSyntax
		}
		d.pos++
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m[k] = v
		d.space()
		if d.pos >= len(d.data) {
			return nil, errJSONSyntax
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return m, nil
		default:
			return nil, errJSONSyntax
		}
	}
}

func (d *jsonDecoder) array(depth int) (any, error) {
	d.pos++ // [
	start := len(d.stack)
	defer func() {
		clear(d.stack[start:])
		d.stack = d.stack[:start]
	}()
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return []any{}, nil
	}
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.stack = append(d.stack, v)
		d.space()
		if d.pos >= len(d.data) {
			return nil, errJSONSyntax
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			a := make([]any, len(d.stack)-start)
			copy(a, d.stack[start:])
			return a, nil
		default:
			return nil, errJSONSyntax
		}
	}
}

// str reads a string, unescaping it as encoding/json does.
func (d *jsonDecoder) str() (string, error) {
	d.pos++ // "
	start := d.pos
	plain := true
	for ; d.pos < len(d.data); d.pos++ {
		c := d.data[d.pos]
		if c == '"' {
			break
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		if d.pos >= len(d.data) {
			return "", errJSONSyntax
		}
		d.pos++
		return string(d.data[start : d.pos-1]), nil
	}
	d.pos = start
	b := d.buf[:0]
	for {
		if d.pos >= len(d.data) {
			return "", errJSONSyntax
		}
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			d.buf = b
			return string(b), nil
		case c < 0x20:
			return "", errJSONSyntax
		case c == '\\':
			if d.pos+1 >= len(d.data) {
				return "", errJSONSyntax
			}
			e := d.data[d.pos+1]
			d.pos += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := d.hex4(d.pos)
				if !ok {
					return "", errJSONSyntax
				}
				d.pos += 4
				if utf16.IsSurrogate(r) {
					// A valid pair is one rune; anything else is
					// U+FFFD, the next escape read on its own.
					if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
						if r2, ok := d.hex4(d.pos + 2); ok {
							if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
								d.pos += 6
								b = utf8.AppendRune(b, dec)
								continue
							}
						}
					}
					r = utf8.RuneError
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", errJSONSyntax
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			d.pos++
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			d.pos += size
			b = utf8.AppendRune(b, r) // U+FFFD for a byte that is not UTF-8
		}
	}
}

func (d *jsonDecoder) hex4(at int) (rune, bool) {
	if at+4 > len(d.data) {
		return 0, false
	}
	var r rune
	for _, c := range d.data[at : at+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a number as encoding/json does into an any: a float64 from
// strconv.ParseFloat, failing when it is out of range. Integers of up to
// 15 digits, which are exact, skip ParseFloat.
func (d *jsonDecoder) number() (any, error) {
	start := d.pos
	neg := d.data[d.pos] == '-'
	if neg {
		d.pos++
	}
	var n int64
	digits := 0
	simple := true
	for ; d.pos < len(d.data); d.pos++ {
		c := d.data[d.pos]
		switch {
		case '0' <= c && c <= '9':
			n = n*10 + int64(c-'0')
			digits++
			if digits > 15 {
				simple = false
			}
			continue
		case c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-':
			simple = false
			continue
		}
		break
	}
	text := d.data[start:d.pos]
	if digits == 0 || (digits > 1 && text[btoi(neg)] == '0' && simple) {
		return nil, errJSONSyntax
	}
	if simple {
		if neg {
			if n == 0 {
				return math.Copysign(0, -1), nil
			}
			return -float64(n), nil
		}
		return float64(n), nil
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if errors.Is(err, strconv.ErrRange) {
		return nil, errNumberRange
	}
	if err != nil {
		return nil, errJSONSyntax
	}
	return f, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
