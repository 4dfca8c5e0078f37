package strictjson

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/staffpass/staffpass/internal/limits"
)

// errDecode is returned by decodeJSON for input it cannot read; Decode
// never returns it.
var errDecode = errors.New("malformed JSON")

// Decode checks data as Check(data, maxBytes) does and decodes it into the
// values encoding/json gives an interface (map[string]any, []any, string,
// float64, bool, nil), in one pass and in a fraction of the time of Check
// followed by json.Unmarshal. Every error wraps ErrInvalid: Check's
// *Error for text Check refuses, or one that says a number is out of the
// range of a float64 (strict text that encoding/json refuses too).
// A maxBytes of 0 means limits.MaxDocumentBytes, as for Check.
func Decode(data []byte, maxBytes int) (any, error) {
	if maxBytes <= 0 {
		maxBytes = limits.MaxDocumentBytes
	}
	if len(data) <= maxBytes {
		if v, err := decodeJSON(data); err == nil {
			return v, nil
		}
	}
	if err := Check(data, maxBytes); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w: a number is out of the range of a float64", ErrInvalid)
}

// decodeJSON decodes JSON text into the values encoding/json gives an
// interface (map[string]any, []any, string, float64, bool, nil), with the
// same result for every input strictjson.Check accepts, and fails on every
// input it refuses (but for its size limit; Decode checks that): the verification path runs it
// on every document, and encoding/json's reflection-driven decoder and a
// separate strictjson pass cost more than the rest of our own work. It is
// as strict as Check: valid UTF-8, no unpaired surrogate escapes, no
// duplicate member names, at most limits.MaxJSONDepth levels and
// limits.MaxJSONMembers members or elements, numbers of at most 512
// characters.
//
// It copies data to one string once: every string without escapes, value
// or member name, is a substring of it, and every object and array is
// made at its final size.
func decodeJSON(data []byte) (any, error) {
	d := decoders.Get().(*decoder)
	defer d.release()
	d.data, d.src = data, string(data)
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.skipSpace(); d.i != len(d.data) {
		return nil, errDecode
	}
	return v, nil
}

type decoder struct {
	data []byte
	src  string // data as a string
	i    int

	// Scratch stacks of the members and elements read so far of the
	// objects and arrays being read, innermost last.
	members []member
	items   []any
}

type member struct {
	name string
	v    any
}

// decoders keeps decoders for their scratch stacks.
var decoders = sync.Pool{New: func() any { return new(decoder) }}

// release drops the references d holds and puts it back in the pool,
// unless a large document grew its stacks.
func (d *decoder) release() {
	const maxKept = 1024
	members, items := d.members, d.items
	clear(members[:cap(members)])
	clear(items[:cap(items)])
	if cap(members) > maxKept || cap(items) > maxKept {
		return
	}
	*d = decoder{members: members[:0], items: items[:0]}
	decoders.Put(d)
}

func (d *decoder) skipSpace() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value reads a value; depth is the number of objects and arrays around
// it.
func (d *decoder) value(depth int) (any, error) {
	d.skipSpace()
	if d.i >= len(d.data) {
		return nil, errDecode
	}
	switch c := d.data[d.i]; c {
	case '{':
		if depth >= limits.MaxJSONDepth {
			return nil, errDecode
		}
		return d.object(depth)
	case '[':
		if depth >= limits.MaxJSONDepth {
			return nil, errDecode
		}
		return d.array(depth)
	case '"':
		return d.string()
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return d.number()
		}
		return nil, errDecode
	}
}

func (d *decoder) literal(lit string) error {
	if len(d.data)-d.i < len(lit) || string(d.data[d.i:d.i+len(lit)]) != lit {
		return errDecode
	}
	d.i += len(lit)
	return nil
}

func (d *decoder) object(depth int) (any, error) {
	d.i++ // '{'
	d.skipSpace()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return map[string]any{}, nil
	}
	start := len(d.members)
	defer func() {
		clear(d.members[start:])
		d.members = d.members[:start]
	}()
	for {
		d.skipSpace()
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return nil, errDecode
		}
		k, err := d.string()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return nil, errDecode
		}
		d.i++
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.members = append(d.members, member{k, v})
		if len(d.members)-start > limits.MaxJSONMembers {
			return nil, errDecode
		}
		d.skipSpace()
		if d.i >= len(d.data) {
			return nil, errDecode
		}
		switch d.data[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			ms := d.members[start:]
			m := make(map[string]any, len(ms))
			for _, e := range ms {
				m[e.name] = e.v
			}
			if len(m) != len(ms) {
				return nil, errDecode // a duplicate name
			}
			return m, nil
		default:
			return nil, errDecode
		}
	}
}

func (d *decoder) array(depth int) (any, error) {
	d.i++ // '['
	d.skipSpace()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		return []any{}, nil
	}
	start := len(d.items)
	defer func() {
		clear(d.items[start:])
		d.items = d.items[:start]
	}()
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.items = append(d.items, v)
		if len(d.items)-start > limits.MaxJSONMembers {
			return nil, errDecode
		}
		d.skipSpace()
		if d.i >= len(d.data) {
			return nil, errDecode
		}
		switch d.data[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return slices.Clone(d.items[start:]), nil
		default:
			return nil, errDecode
		}
	}
}

// string reads a string literal starting at the quote.
func (d *decoder) string() (string, error) {
	d.i++ // '"'
	start := d.i
	ascii := true
	for d.i < len(d.data) {
		c := d.data[d.i]
		switch {
		case c == '"':
			if !ascii && !utf8.Valid(d.data[start:d.i]) {
				return "", errDecode
			}
			s := d.src[start:d.i]
			d.i++
			return s, nil
		case c == '\\':
			return d.escapedString(start)
		case c < 0x20:
			return "", errDecode
		case c >= utf8.RuneSelf:
			ascii = false
		}
		d.i++
	}
	return "", errDecode
}

// escapedString continues string from the first backslash.
func (d *decoder) escapedString(start int) (string, error) {
	b := make([]byte, d.i-start, d.i-start+16)
	copy(b, d.data[start:d.i])
	for d.i < len(d.data) {
		c := d.data[d.i]
		switch {
		case c == '"':
			if !utf8.Valid(d.data[start:d.i]) {
				return "", errDecode
			}
			d.i++
			return string(b), nil
		case c < 0x20:
			return "", errDecode
		case c != '\\':
			b = append(b, c)
			d.i++
			continue
		}
		d.i++ // '\\'
		if d.i >= len(d.data) {
			return "", errDecode
		}
		e := d.data[d.i]
		d.i++
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
			r, ok := d.hex4()
			if !ok {
				return "", errDecode
			}
			if utf16.IsSurrogate(r) {
				// Only a high surrogate followed by a low one: strictjson
				// refuses unpaired surrogates.
				if r >= 0xDC00 || d.i+1 >= len(d.data) || d.data[d.i] != '\\' || d.data[d.i+1] != 'u' {
					return "", errDecode
				}
				d.i += 2
				lo, ok := d.hex4()
				if !ok || lo < 0xDC00 || lo >= 0xE000 {
					return "", errDecode
				}
				r = utf16.DecodeRune(r, lo)
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", errDecode
		}
	}
	return "", errDecode
}

func (d *decoder) hex4() (rune, bool) {
	if len(d.data)-d.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.i : d.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	d.i += 4
	return r, true
}

// maxNumberLength is the longest number strictjson accepts.
const maxNumberLength = 512

func (d *decoder) number() (any, error) {
	start := d.i
	if d.data[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.data) && d.data[d.i] >= '0' && d.data[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	intStart := d.i
	if n := digits(); n == 0 || n > 1 && d.data[intStart] == '0' {
		return nil, errDecode
	}
	if d.i < len(d.data) && d.data[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return nil, errDecode
		}
	}
	if d.i < len(d.data) && (d.data[d.i] == 'e' || d.data[d.i] == 'E') {
		d.i++
		if d.i < len(d.data) && (d.data[d.i] == '+' || d.data[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, errDecode
		}
	}
	if d.i-start > maxNumberLength {
		return nil, errDecode
	}
	f, err := strconv.ParseFloat(d.src[start:d.i], 64)
	if err != nil {
		return nil, errDecode // out of range, as encoding/json refuses it
	}
	return f, nil
}
