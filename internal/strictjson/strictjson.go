// Package strictjson checks that JSON text meets the rules staffpass applies to
// every signed or security-relevant input before any decoder sees it:
//
//   - it is well-formed JSON (RFC 8259) and valid UTF-8, with no unpaired
//     surrogate escapes (I-JSON, RFC 7493 section 2.1);
//   - no object has two members with the same name (RFC 7493 section 2.3).
//     encoding/json keeps the last of two duplicates silently, so a signer
//     and a verifier could read different values from the same bytes;
//   - nesting depth, member counts and total size stay within
//     [limits.MaxJSONDepth], [limits.MaxJSONMembers] and a caller's cap.
//
// Check allocates only for member names that use escapes and for the stack of
// names it needs to build a JSON pointer when it reports an error.
package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/staffpass/staffpass/internal/limits"
)

// ErrInvalid is wrapped by every error Check returns.
var ErrInvalid = errors.New("invalid JSON")

// Error reports where JSON text breaks a rule.
type Error struct {
	// Pointer is the RFC 6901 JSON pointer of the member or element being
	// read when the problem was found ("" is the whole document).
	Pointer string
	// Offset is the byte offset of the problem.
	Offset int
	// Reason says what is wrong, in words.
	Reason string
}

func (e *Error) Error() string {
	ptr := e.Pointer
	if ptr == "" {
		ptr = "/"
	}
	return fmt.Sprintf("invalid JSON at %s (byte %d): %s", ptr, e.Offset, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *Error) Unwrap() error { return ErrInvalid }

// Check reports whether data is one strict JSON value (see the package
// documentation), at most maxBytes long. A maxBytes of 0 means
// [limits.MaxDocumentBytes].
func Check(data []byte, maxBytes int) error {
	if maxBytes <= 0 {
		maxBytes = limits.MaxDocumentBytes
	}
	if len(data) > maxBytes {
		return &Error{Offset: maxBytes, Reason: fmt.Sprintf("document is %d bytes, more than the limit of %d", len(data), maxBytes)}
	}
	s := scanner{data: data}
	s.skipSpace()
	if s.pos >= len(s.data) {
		return s.fail("empty document")
	}
	if err := s.value(0); err != nil {
		return err
	}
	s.skipSpace()
	if s.pos < len(s.data) {
		return s.fail("unexpected data after the top-level value")
	}
	return nil
}

// pathElem is one step of the path to the current value: an object member
// name or an array index.
type pathElem struct {
	raw   []byte
	index int
	isArr bool
}

type scanner struct {
	data []byte
	pos  int
	path []pathElem
}

func (s *scanner) fail(reason string) error {
	var b strings.Builder
	for _, p := range s.path {
		b.WriteByte('/')
		if p.isArr {
			b.WriteString(strconv.Itoa(p.index))
			continue
		}
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(string(p.raw)))
	}
	return &Error{Pointer: b.String(), Offset: s.pos, Reason: reason}
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) value(depth int) error {
	if s.pos >= len(s.data) {
		return s.fail("unexpected end of input")
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(depth + 1)
	case c == '[':
		return s.array(depth + 1)
	case c == '"':
		_, _, err := s.str()
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		return s.fail(fmt.Sprintf("unexpected character %q", rune(c)))
	}
}

func (s *scanner) literal(lit string) error {
	if len(s.data)-s.pos < len(lit) || string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return s.fail("invalid literal, want " + lit)
	}
	s.pos += len(lit)
	return nil
}

func (s *scanner) number() error {
	start := s.pos
	if s.data[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.data) && s.data[s.pos] == '0':
		s.pos++
	case s.pos < len(s.data) && s.data[s.pos] >= '1' && s.data[s.pos] <= '9':
		s.digits()
	default:
		return s.fail("invalid number")
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			return s.fail("invalid number: no digits after the decimal point")
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return s.fail("invalid number: no digits in the exponent")
		}
	}
	if s.pos-start > 512 {
		s.pos = start
		return s.fail("number is longer than 512 characters")
	}
	return nil
}

func (s *scanner) digits() int {
	n := 0
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		s.pos++
		n++
	}
	return n
}

// str reads a string starting at the opening quote. raw is the text between
// the quotes and escaped says whether it held any escape sequence.
func (s *scanner) str() (raw []byte, escaped bool, err error) {
	s.pos++ // opening quote
	start := s.pos
	for {
		if s.pos >= len(s.data) {
			return nil, false, s.fail("unterminated string")
		}
		c := s.data[s.pos]
		switch {
		case c == '"':
			raw = s.data[start:s.pos]
			s.pos++
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return nil, false, err
			}
		case c < 0x20:
			return nil, false, s.fail("control character in string; it must be escaped")
		case c < utf8.RuneSelf:
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && size <= 1 {
				return nil, false, s.fail("invalid UTF-8 in string")
			}
			s.pos += size
		}
	}
}

func (s *scanner) escape() error {
	s.pos++ // backslash
	if s.pos >= len(s.data) {
		return s.fail("unterminated escape sequence")
	}
	switch s.data[s.pos] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos++
		return nil
	case 'u':
		r, ok := s.hex4()
		if !ok {
			return s.fail(`invalid \u escape`)
		}
		switch {
		case r >= 0xD800 && r < 0xDC00:
			// A high surrogate must be followed by a low one.
			if s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
				s.pos++
				r2, ok := s.hex4()
				if ok && r2 >= 0xDC00 && r2 < 0xE000 {
					return nil
				}
			}
			return s.fail("unpaired UTF-16 surrogate in string")
		case r >= 0xDC00 && r < 0xE000:
			return s.fail("unpaired UTF-16 surrogate in string")
		}
		return nil
	default:
		return s.fail(fmt.Sprintf("invalid escape sequence \\%c", s.data[s.pos]))
	}
}

// hex4 reads "uXXXX" with s.pos at the 'u'.
func (s *scanner) hex4() (rune, bool) {
	if len(s.data)-s.pos < 5 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s.data[s.pos+1:s.pos+5]), 16, 32)
	if err != nil {
		return 0, false
	}
	s.pos += 5
	return rune(v), true
}

func (s *scanner) object(depth int) error {
	if depth > limits.MaxJSONDepth {
		return s.fail(fmt.Sprintf("nested more than %d levels deep", limits.MaxJSONDepth))
	}
	s.pos++ // {
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	// Names seen so far, as slices of data (escaped names are decoded
	// into fresh slices). Most objects are small, so a linear scan beats
	// a map; large objects switch to a map.
	var small [16][]byte
	names := small[:0]
	var nameSet map[string]struct{}
	count := 0
	me := len(s.path)
	for {
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return s.fail("expected a member name in double quotes")
		}
		if len(s.path) == me {
			s.path = append(s.path, pathElem{})
		}
		raw, escaped, err := s.str()
		if err != nil {
			return err
		}
		name := raw
		if escaped {
			var dec string
			if err := unquote(raw, &dec); err != nil {
				return s.fail("invalid member name")
			}
			name = []byte(dec)
		}
		s.path[me] = pathElem{raw: name}
		count++
		if count > limits.MaxJSONMembers {
			return s.fail(fmt.Sprintf("object has more than %d members", limits.MaxJSONMembers))
		}
		if nameSet != nil {
			if _, dup := nameSet[string(name)]; dup {
				return s.fail(fmt.Sprintf("duplicate member name %q", name))
			}
			nameSet[string(name)] = struct{}{}
		} else {
			for _, n := range names {
				if string(n) == string(name) {
					return s.fail(fmt.Sprintf("duplicate member name %q", name))
				}
			}
			if len(names) < len(small) {
				names = append(names, name)
			} else {
				nameSet = make(map[string]struct{}, 4*len(small))
				for _, n := range names {
					nameSet[string(n)] = struct{}{}
				}
				nameSet[string(name)] = struct{}{}
			}
		}
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.fail("expected ':' after member name")
		}
		s.pos++
		s.skipSpace()
		if err := s.value(depth); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.fail("unterminated object")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipSpace()
		case '}':
			s.pos++
			s.path = s.path[:me]
			return nil
		default:
			return s.fail("expected ',' or '}' in object")
		}
	}
}

func (s *scanner) array(depth int) error {
	if depth > limits.MaxJSONDepth {
		return s.fail(fmt.Sprintf("nested more than %d levels deep", limits.MaxJSONDepth))
	}
	s.pos++ // [
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	s.path = append(s.path, pathElem{isArr: true})
	me := len(s.path) - 1
	for i := 0; ; i++ {
		if i >= limits.MaxJSONMembers {
			return s.fail(fmt.Sprintf("array has more than %d elements", limits.MaxJSONMembers))
		}
		s.path[me].index = i
		if err := s.value(depth); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.fail("unterminated array")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipSpace()
		case ']':
			s.pos++
			s.path = s.path[:me]
			return nil
		default:
			return s.fail("expected ',' or ']' in array")
		}
	}
}

// unquote decodes the body of a JSON string that holds escapes.
func unquote(raw []byte, out *string) error {
	q := make([]byte, 0, len(raw)+2)
	q = append(q, '"')
	q = append(q, raw...)
	q = append(q, '"')
	return json.Unmarshal(q, out)
}
