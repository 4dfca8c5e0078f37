package strictjson

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/staffpass/staffpass/internal/limits"
)

// The lexer
//
// lex is the one place in staffpass's security core where JSON text is
// split into values. It checks the text against every rule of the package
// and records the structure it found on a tape: one node per value, in
// document order, each with its kind and byte span, and for an object's
// members the span of the name. Check keeps nothing of the tape, Decode
// builds Go values from it, and Parse hands it out, so that the data model
// (vc), the JOSE header reader and the Data Integrity proof writer read
// members and elements as the lexer saw them instead of splitting the text
// again by hand.

// node is one value on a tape.
type node struct {
	start, end int32 // data[start:end] is the value, without white space
	// next is the index of the first node after this value and
	// everything in it: its next sibling, if it has one.
	next int32
	// nameStart and nameEnd are, for a member's value, the span of its
	// name between the quotes; nameEsc says the name has escapes.
	nameStart, nameEnd int32
	kind               byte // '{', '[', '"', 't', 'f', 'n' or '0' (a number)
	esc                bool // a string with escape sequences
	nameEsc            bool
	num                float64 // a number's value
}

// lexer holds the state of one lex.
type lexer struct {
	data  []byte
	pos   int
	nodes []node
	// path is the member names and array indices to the current value,
	// for error messages.
	path []pathElem
	// names is scratch space for an object's member names: slices of
	// data, or of a decoded copy for a name with escapes.
	names [][]byte
}

// pathElem is one step of the path to the current value: an object member
// name or an array index.
type pathElem struct {
	name  []byte
	index int
	isArr bool
}

var lexers = sync.Pool{New: func() any { return new(lexer) }}

// maxKeptNodes caps the tape a pooled lexer keeps.
const maxKeptNodes = 4096

func getLexer(data []byte) *lexer {
	l := lexers.Get().(*lexer)
	l.data, l.pos = data, 0
	return l
}

func (l *lexer) release() {
	nodes, path, names := l.nodes, l.path, l.names
	if cap(nodes) > maxKeptNodes {
		nodes = nil
	}
	clear(path[:cap(path)])
	clear(names[:cap(names)])
	*l = lexer{nodes: nodes[:0], path: path[:0], names: names[:0]}
	lexers.Put(l)
}

// lex checks data, at most maxBytes long (0: limits.MaxDocumentBytes), as
// one strict JSON value and fills l.nodes.
func (l *lexer) lex(maxBytes int) error {
	if maxBytes <= 0 {
		maxBytes = limits.MaxDocumentBytes
	}
	if len(l.data) > maxBytes {
		return &Error{Offset: maxBytes, Reason: fmt.Sprintf("document is %d bytes, more than the limit of %d", len(l.data), maxBytes)}
	}
	if len(l.data) > math.MaxInt32 {
		return &Error{Reason: "document too large"}
	}
	l.skipSpace()
	if l.pos >= len(l.data) {
		return l.fail("empty document")
	}
	if err := l.value(0, -1, -1, false); err != nil {
		return err
	}
	l.skipSpace()
	if l.pos < len(l.data) {
		return l.fail("unexpected data after the top-level value")
	}
	return nil
}

func (l *lexer) fail(reason string) error {
	var b strings.Builder
	for _, p := range l.path {
		b.WriteByte('/')
		if p.isArr {
			b.WriteString(strconv.Itoa(p.index))
			continue
		}
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(string(p.name)))
	}
	return &Error{Pointer: b.String(), Offset: l.pos, Reason: reason}
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.data) {
		switch l.data[l.pos] {
		case ' ', '\t', '\n', '\r':
			l.pos++
		default:
			return
		}
	}
}

// value reads the value at l.pos, of a member whose name spans
// data[nameStart:nameEnd] (-1 for none); depth is the number of objects and
// arrays around it.
func (l *lexer) value(depth int, nameStart, nameEnd int, nameEsc bool) error {
	if l.pos >= len(l.data) {
		return l.fail("unexpected end of input")
	}
	at := len(l.nodes)
	l.nodes = append(l.nodes, node{start: int32(l.pos), nameStart: int32(nameStart), nameEnd: int32(nameEnd), nameEsc: nameEsc})
	var err error
	switch c := l.data[l.pos]; {
	case c == '{':
		l.nodes[at].kind = '{'
		err = l.object(depth + 1)
	case c == '[':
		l.nodes[at].kind = '['
		err = l.array(depth + 1)
	case c == '"':
		l.nodes[at].kind = '"'
		var esc bool
		esc, err = l.str()
		l.nodes[at].esc = esc
	case c == '-' || (c >= '0' && c <= '9'):
		l.nodes[at].kind = '0'
		var f float64
		f, err = l.number()
		l.nodes[at].num = f
	case c == 't':
		l.nodes[at].kind = 't'
		err = l.literal("true")
	case c == 'f':
		l.nodes[at].kind = 'f'
		err = l.literal("false")
	case c == 'n':
		l.nodes[at].kind = 'n'
		err = l.literal("null")
	default:
		return l.fail(fmt.Sprintf("unexpected character %q", rune(c)))
	}
	if err != nil {
		return err
	}
	l.nodes[at].end = int32(l.pos)
	l.nodes[at].next = int32(len(l.nodes))
	return nil
}

func (l *lexer) literal(lit string) error {
	if len(l.data)-l.pos < len(lit) || string(l.data[l.pos:l.pos+len(lit)]) != lit {
		return l.fail("invalid literal, want " + lit)
	}
	l.pos += len(lit)
	return nil
}

// maxNumberLength is the longest number strictjson accepts.
const maxNumberLength = 512

// number reads a number (RFC 8259 section 6) and returns its value. A
// number must be within the range of a float64 and say no more than a
// float64 can hold (I-JSON, RFC 7493 section 2.2): two texts that a float64
// cannot tell apart, such as 9007199254740993 and 9007199254740992, would
// be one number to every reader that uses float64 (JSON-LD processors among
// them) and two to a reader that does not.
func (l *lexer) number() (float64, error) {
	start := l.pos
	if l.data[l.pos] == '-' {
		l.pos++
	}
	switch {
	case l.pos < len(l.data) && l.data[l.pos] == '0':
		l.pos++
	case l.pos < len(l.data) && l.data[l.pos] >= '1' && l.data[l.pos] <= '9':
		l.digits()
	default:
		return 0, l.fail("invalid number")
	}
	if l.pos < len(l.data) && l.data[l.pos] == '.' {
		l.pos++
		if l.digits() == 0 {
			return 0, l.fail("invalid number: no digits after the decimal point")
		}
	}
	if l.pos < len(l.data) && (l.data[l.pos] == 'e' || l.data[l.pos] == 'E') {
		l.pos++
		if l.pos < len(l.data) && (l.data[l.pos] == '+' || l.data[l.pos] == '-') {
			l.pos++
		}
		if l.digits() == 0 {
			return 0, l.fail("invalid number: no digits in the exponent")
		}
	}
	if l.pos-start > maxNumberLength {
		l.pos = start
		return 0, l.fail(fmt.Sprintf("number is longer than %d characters", maxNumberLength))
	}
	text := l.data[start:l.pos]
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		l.pos = start
		return 0, l.fail("number is out of the range of a float64")
	}
	if !exactNumber(text, f) {
		l.pos = start
		return 0, l.fail(fmt.Sprintf("number %s is more precise than a float64, which holds %s: readers would not agree on its value", text, strconv.FormatFloat(f, 'g', -1, 64)))
	}
	return f, nil
}

func (l *lexer) digits() int {
	n := 0
	for l.pos < len(l.data) && l.data[l.pos] >= '0' && l.data[l.pos] <= '9' {
		l.pos++
		n++
	}
	return n
}

// exactNumber reports whether the JSON number text denotes the same
// decimal value as the shortest text of f, the float64 it parses to.
func exactNumber(text []byte, f float64) bool {
	// Numbers of up to 15 significant digits and small exponents, nearly
	// all of them, are exact: float64 holds every such decimal.
	if len(text) <= 15 {
		simple := true
		for _, c := range text {
			if c == 'e' || c == 'E' {
				simple = false
				break
			}
		}
		if simple {
			return true
		}
	}
	neg, digits, exp := decimalOf(string(text))
	short := strconv.FormatFloat(f, 'e', -1, 64)
	sneg, sdigits, sexp := decimalOf(short)
	if digits == "" && sdigits == "" {
		return neg == sneg // zero, and -0 (a float64 holds both)
	}
	return neg == sneg && digits == sdigits && exp == sexp
}

// decimalOf reads a decimal number text as a sign, its significant digits
// (no leading or trailing zeros; "" for zero) and the power of ten of the
// last of them.
func decimalOf(s string) (neg bool, digits string, exp int) {
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	mant, e, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp {
		n, err := strconv.Atoi(strings.TrimPrefix(e, "+"))
		if err != nil {
			return neg, s, 0
		}
		exp = n
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	d := intPart + frac
	exp -= len(frac)
	trimmed := strings.TrimRight(d, "0")
	exp += len(d) - len(trimmed)
	return neg, strings.TrimLeft(trimmed, "0"), exp
}

// str reads a string starting at its opening quote and reports whether it
// holds escape sequences.
func (l *lexer) str() (escaped bool, err error) {
	l.pos++ // opening quote
	for {
		// Plain ASCII goes fast; anything else is looked at byte by byte.
		for l.pos < len(l.data) {
			c := l.data[l.pos]
			if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
				break
			}
			l.pos++
		}
		if l.pos >= len(l.data) {
			return false, l.fail("unterminated string")
		}
		switch c := l.data[l.pos]; {
		case c == '"':
			l.pos++
			return escaped, nil
		case c == '\\':
			escaped = true
			if err := l.escape(); err != nil {
				return false, err
			}
		case c < 0x20:
			return false, l.fail("control character in string; it must be escaped")
		default:
			r, size := utf8.DecodeRune(l.data[l.pos:])
			if r == utf8.RuneError && size <= 1 {
				return false, l.fail("invalid UTF-8 in string")
			}
			l.pos += size
		}
	}
}

func (l *lexer) escape() error {
	l.pos++ // backslash
	if l.pos >= len(l.data) {
		return l.fail("unterminated escape sequence")
	}
	switch l.data[l.pos] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		l.pos++
		return nil
	case 'u':
		r, ok := hex4(l.data, l.pos+1)
		if !ok {
			return l.fail(`invalid \u escape`)
		}
		l.pos += 5
		switch {
		case r >= 0xD800 && r < 0xDC00:
			// A high surrogate must be followed by a low one.
			if l.pos+1 < len(l.data) && l.data[l.pos] == '\\' && l.data[l.pos+1] == 'u' {
				if r2, ok := hex4(l.data, l.pos+2); ok && r2 >= 0xDC00 && r2 < 0xE000 {
					l.pos += 6
					return nil
				}
			}
			return l.fail("unpaired UTF-16 surrogate in string")
		case r >= 0xDC00 && r < 0xE000:
			return l.fail("unpaired UTF-16 surrogate in string")
		}
		return nil
	default:
		return l.fail(fmt.Sprintf("invalid escape sequence \\%c", l.data[l.pos]))
	}
}

// hex4 reads the four hexadecimal digits at data[i:].
func hex4(data []byte, i int) (rune, bool) {
	if len(data)-i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
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
	return r, true
}

// unescape decodes the body of a string (the bytes between its quotes)
// that the lexer accepted: the one decoder of JSON strings with escapes.
func unescape(raw []byte) string {
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		e := raw[i+1]
		i += 2
		switch e {
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
			r, _ := hex4(raw, i)
			i += 4
			if utf16.IsSurrogate(r) {
				lo, _ := hex4(raw, i+2)
				i += 6
				r = utf16.DecodeRune(r, lo)
			}
			b = utf8.AppendRune(b, r)
		default: // '"', '\\', '/'
			b = append(b, e)
		}
	}
	return string(b)
}

func (l *lexer) object(depth int) error {
	if depth > limits.MaxJSONDepth {
		return l.fail(fmt.Sprintf("nested more than %d levels deep", limits.MaxJSONDepth))
	}
	l.pos++ // {
	l.skipSpace()
	if l.pos < len(l.data) && l.data[l.pos] == '}' {
		l.pos++
		return nil
	}
	// The names seen so far: most objects are small, so a linear scan
	// beats a map; large objects switch to a map.
	const small = 16
	namesAt := len(l.names)
	defer func() {
		clear(l.names[namesAt:])
		l.names = l.names[:namesAt]
	}()
	var nameSet map[string]struct{}
	me := len(l.path)
	for count := 1; ; count++ {
		if l.pos >= len(l.data) || l.data[l.pos] != '"' {
			return l.fail("expected a member name in double quotes")
		}
		if count == 1 {
			l.path = append(l.path, pathElem{})
		}
		nameStart := l.pos + 1
		esc, err := l.str()
		if err != nil {
			return err
		}
		nameEnd := l.pos - 1
		name := l.data[nameStart:nameEnd]
		if esc {
			name = []byte(unescape(name))
		}
		l.path[me] = pathElem{name: name}
		if count > limits.MaxJSONMembers {
			return l.fail(fmt.Sprintf("object has more than %d members", limits.MaxJSONMembers))
		}
		if nameSet != nil {
			if _, dup := nameSet[string(name)]; dup {
				return l.fail(fmt.Sprintf("duplicate member name %q", name))
			}
			nameSet[string(name)] = struct{}{}
		} else {
			for _, n := range l.names[namesAt:] {
				if string(n) == string(name) {
					return l.fail(fmt.Sprintf("duplicate member name %q", name))
				}
			}
			if len(l.names)-namesAt < small {
				l.names = append(l.names, name)
			} else {
				nameSet = make(map[string]struct{}, 4*small)
				for _, n := range l.names[namesAt:] {
					nameSet[string(n)] = struct{}{}
				}
				nameSet[string(name)] = struct{}{}
			}
		}
		l.skipSpace()
		if l.pos >= len(l.data) || l.data[l.pos] != ':' {
			return l.fail("expected ':' after member name")
		}
		l.pos++
		l.skipSpace()
		if err := l.value(depth, nameStart, nameEnd, esc); err != nil {
			return err
		}
		l.skipSpace()
		if l.pos >= len(l.data) {
			return l.fail("unterminated object")
		}
		switch l.data[l.pos] {
		case ',':
			l.pos++
			l.skipSpace()
		case '}':
			l.pos++
			l.path = l.path[:me]
			return nil
		default:
			return l.fail("expected ',' or '}' in object")
		}
	}
}

func (l *lexer) array(depth int) error {
	if depth > limits.MaxJSONDepth {
		return l.fail(fmt.Sprintf("nested more than %d levels deep", limits.MaxJSONDepth))
	}
	l.pos++ // [
	l.skipSpace()
	if l.pos < len(l.data) && l.data[l.pos] == ']' {
		l.pos++
		return nil
	}
	l.path = append(l.path, pathElem{isArr: true})
	me := len(l.path) - 1
	for i := 0; ; i++ {
		if i >= limits.MaxJSONMembers {
			return l.fail(fmt.Sprintf("array has more than %d elements", limits.MaxJSONMembers))
		}
		l.path[me].index = i
		if err := l.value(depth, -1, -1, false); err != nil {
			return err
		}
		l.skipSpace()
		if l.pos >= len(l.data) {
			return l.fail("unterminated array")
		}
		switch l.data[l.pos] {
		case ',':
			l.pos++
			l.skipSpace()
		case ']':
			l.pos++
			l.path = l.path[:me]
			return nil
		default:
			return l.fail("expected ',' or ']' in array")
		}
	}
}
