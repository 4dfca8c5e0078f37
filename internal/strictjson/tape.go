package strictjson

import (
	"bytes"
	"sort"
)

// Tape is what the lexer found in one JSON text that passed every check:
// its values in document order (a value before the values inside it), each
// with its kind and byte span, and for an object's members the span of the
// name. It refers to the text it was made from, which must not change while
// the tape is in use. Parse makes one; Release lets it be reused.
type Tape struct {
	data []byte
	l    *lexer
}

// Value is a value on a tape, by its position in document order; the
// document itself is Root.
type Value int32

const (
	// Root is the document's top-level value.
	Root Value = 0
	// None is no value: the end of a list of children, a missing member.
	None Value = -1
)

// The kinds of value, as Kind returns them: the first byte of the value,
// or KindNumber.
const (
	KindObject = '{'
	KindArray  = '['
	KindString = '"'
	KindTrue   = 't'
	KindFalse  = 'f'
	KindNull   = 'n'
	KindNumber = '0'
)

// Parse checks data as Check does and returns its tape. Its errors are
// Check's.
func Parse(data []byte, maxBytes int) (*Tape, error) {
	l := getLexer(data)
	if err := l.lex(maxBytes); err != nil {
		l.release()
		return nil, err
	}
	return &Tape{data: data, l: l}, nil
}

// Release returns the tape's storage for reuse; t must not be used after.
func (t *Tape) Release() {
	if t.l != nil {
		t.l.release()
		t.l = nil
	}
}

// Data returns the text the tape was made from.
func (t *Tape) Data() []byte { return t.data }

// Len returns the number of values on the tape.
func (t *Tape) Len() int { return len(t.l.nodes) }

// Kind returns the kind of v: one of the Kind constants, or 0 for None.
func (t *Tape) Kind(v Value) byte {
	if v < 0 || int(v) >= len(t.l.nodes) {
		return 0
	}
	return t.l.nodes[v].kind
}

// Span returns the byte span of v in the text, without white space.
func (t *Tape) Span(v Value) (start, end int) {
	n := &t.l.nodes[v]
	return int(n.start), int(n.end)
}

// Raw returns the text of v.
func (t *Tape) Raw(v Value) []byte {
	n := &t.l.nodes[v]
	return t.data[n.start:n.end]
}

// Find returns the value whose text is data[start:end], or None.
func (t *Tape) Find(start, end int) Value {
	nodes := t.l.nodes
	i := sort.Search(len(nodes), func(i int) bool { return int(nodes[i].start) >= start })
	// Values that start at the same byte are nested: the outermost comes
	// first, and only one of them ends at end.
	for ; i < len(nodes) && int(nodes[i].start) == start; i++ {
		if int(nodes[i].end) == end {
			return Value(i)
		}
	}
	return None
}

// FirstChild returns the first member of an object or element of an
// array, or None when v is empty or not one.
func (t *Tape) FirstChild(v Value) Value {
	n := &t.l.nodes[v]
	if (n.kind != KindObject && n.kind != KindArray) || n.next == int32(v)+1 {
		return None
	}
	return v + 1
}

// NextSibling returns the member or element after c in its parent, or
// None.
func (t *Tape) NextSibling(parent, c Value) Value {
	next := t.l.nodes[c].next
	if next >= t.l.nodes[parent].next {
		return None
	}
	return Value(next)
}

// Name returns the name of the member whose value is c: the text between
// its quotes, and whether that holds escape sequences (see Unescape).
func (t *Tape) Name(c Value) (raw []byte, escaped bool) {
	n := &t.l.nodes[c]
	if n.nameStart < 0 {
		return nil, false
	}
	return t.data[n.nameStart:n.nameEnd], n.nameEsc
}

// Member returns the value of the member of object v named name, or None.
func (t *Tape) Member(v Value, name string) Value {
	for c := t.FirstChild(v); c != None; c = t.NextSibling(v, c) {
		raw, esc := t.Name(c)
		if !esc && string(raw) == name || esc && unescape(raw) == name {
			return c
		}
	}
	return None
}

// StringBody returns the text between the quotes of the string v, and
// whether it holds escape sequences (see Unescape); ok is false when v is
// not a string.
func (t *Tape) StringBody(v Value) (raw []byte, escaped, ok bool) {
	if v < 0 || int(v) >= len(t.l.nodes) {
		return nil, false, false
	}
	n := &t.l.nodes[v]
	if n.kind != KindString {
		return nil, false, false
	}
	return t.data[n.start+1 : n.end-1], n.esc, true
}

// String returns the string v decoded, in new memory; ok is false when v is
// not a string.
func (t *Tape) String(v Value) (string, bool) {
	raw, esc, ok := t.StringBody(v)
	if !ok {
		return "", false
	}
	if esc {
		return unescape(raw), true
	}
	return string(raw), true
}

// Number returns the value of the number v.
func (t *Tape) Number(v Value) float64 { return t.l.nodes[v].num }

// Unescape decodes the text between the quotes of a string (or a member
// name) that a tape says holds escape sequences.
func Unescape(raw []byte) string { return unescape(raw) }

// Unquote decodes data, which must be one JSON string with surrounding
// white space at most, as the lexer reads strings; ok is false for
// anything else.
func Unquote(data []byte) (string, bool) {
	if len(bytes.TrimSpace(data)) < 2 {
		return "", false
	}
	l := getLexer(data)
	defer l.release()
	if l.lex(len(data)) != nil || l.nodes[0].kind != KindString {
		return "", false
	}
	n := l.nodes[0]
	if n.esc {
		return unescape(data[n.start+1 : n.end-1]), true
	}
	return string(data[n.start+1 : n.end-1]), true
}
