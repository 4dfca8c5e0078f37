package vc

import (
	"bytes"
	"unsafe"

	"github.com/staffpass/staffpass/internal/strictjson"
)

// This file reads the members and elements of a document from the tape
// internal/strictjson's lexer made of it (the one lexer of the security
// core: nothing here splits JSON text itself), without decoding values, so
// that Parse reads each document once and keeps unknown members as slices
// of one copy of the input. A value that is not on the tape is reported as
// malformed (ok == false).

// member is one member of a JSON object.
type member struct {
	name  string // decoded name; a substring of source.text when it has no escapes
	value []byte // raw value without surrounding white space
}

// JSON value kinds, by their first byte.
const (
	kindObject = '{'
	kindArray  = '['
	kindString = '"'
	kindNull   = 'n'
	kindTrue   = 't'
	kindFalse  = 'f'
	kindNumber = '0'
)

// kind returns the kind of the raw JSON value v.
func kind(v []byte) byte {
	if len(v) == 0 {
		return 0
	}
	switch c := v[0]; c {
	case kindObject, kindArray, kindString, kindNull, kindTrue, kindFalse:
		return c
	default:
		return kindNumber
	}
}

// kindName names a kind for messages.
func kindName(v []byte) string {
	switch kind(v) {
	case kindObject:
		return "an object"
	case kindArray:
		return "an array"
	case kindString:
		return "a string"
	case kindNull:
		return "null"
	case kindTrue, kindFalse:
		return "a boolean"
	default:
		return "a number"
	}
}

func skipSpace(d []byte, i int) int {
	for i < len(d) {
		switch d[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// source is the parser's own copy of a document, held once and read two
// ways: as bytes, which the json.RawMessage values of a parsed document
// are slices of, and as a string over the same bytes (unsafe.String), which
// the decoded strings and member names of a parsed document are substrings
// of. The caller's buffer is never aliased. Callers may change a
// RawMessage they were given (the bytes are theirs to change), so no
// string may be read from inside a value handed out as a RawMessage: the
// parser keeps strings only from the members it reads (ids, types,
// contexts, dates, names of the objects it splits) and hands out raw only
// values none of whose strings it keeps (a proof's type is checked, not
// kept), and FuzzParse checks that changing every RawMessage of a parsed
// value changes none of its strings. The bytes of
// the string are never written by this package after newSource.
//
// This is the one use of unsafe in the security core, kept because it pays:
// with copies instead of substrings, Parse of the benchmark credential
// takes 57 allocations instead of 14 and 16% more instructions (77,662
// against 66,742 per parse, counted with callgrind).
type source struct {
	buf  []byte
	text string
	tape *strictjson.Tape // of buf, while parsing
}

func newSource(data []byte) source {
	n := len(data)
	if n == 0 {
		return source{}
	}
	b := make([]byte, n)
	copy(b, data)
	return source{buf: b, text: unsafe.String(&b[0], n)}
}

// substring returns v, a slice of src.buf, as the substring of src.text
// with the same bytes, or a copy of v if it is not a slice of src.buf.
// Only the addresses are compared: no pointer is made from the difference.
func (src *source) substring(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	off := uintptr(unsafe.Pointer(unsafe.SliceData(v))) - uintptr(unsafe.Pointer(unsafe.SliceData(src.buf)))
	if off >= uintptr(len(src.buf)) || uintptr(len(v)) > uintptr(len(src.buf))-off {
		return string(v)
	}
	return src.text[off : int(off)+len(v)]
}

// find returns the value of the tape whose text is v, a slice of src.buf,
// or None.
func (src *source) find(v []byte) strictjson.Value {
	if src.tape == nil || len(v) == 0 {
		return strictjson.None
	}
	off := uintptr(unsafe.Pointer(unsafe.SliceData(v))) - uintptr(unsafe.Pointer(unsafe.SliceData(src.buf)))
	if off >= uintptr(len(src.buf)) || uintptr(len(v)) > uintptr(len(src.buf))-off {
		return strictjson.None
	}
	return src.tape.Find(int(off), int(off)+len(v))
}

// appendMembers appends the members of the raw JSON object d, a slice of
// src.buf, to ms.
func (src *source) appendMembers(ms []member, d []byte) ([]member, bool) {
	v := src.find(d)
	if v == strictjson.None || src.tape.Kind(v) != strictjson.KindObject {
		return ms, false
	}
	for c := src.tape.FirstChild(v); c != strictjson.None; c = src.tape.NextSibling(v, c) {
		raw, esc := src.tape.Name(c)
		name := src.substring(raw)
		if esc {
			name = strictjson.Unescape(raw)
		}
		ms = append(ms, member{name: name, value: src.tape.Raw(c)})
	}
	return ms, true
}

// appendElements appends the elements of the raw JSON array d, a slice of
// src.buf, to els.
func (src *source) appendElements(els [][]byte, d []byte) ([][]byte, bool) {
	v := src.find(d)
	if v == strictjson.None || src.tape.Kind(v) != strictjson.KindArray {
		return els, false
	}
	for c := src.tape.FirstChild(v); c != strictjson.None; c = src.tape.NextSibling(v, c) {
		els = append(els, src.tape.Raw(c))
	}
	return els, true
}

// decode decodes the raw JSON value v if it is a string: a substring of
// src.text when it has no escapes, the usual case.
func (src *source) decode(v []byte) (string, bool) {
	if kind(v) != kindString || len(v) < 2 {
		return "", false
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return src.substring(v[1 : len(v)-1]), true
	}
	return strictjson.Unquote(v)
}

// decodeString decodes the raw JSON value v if it is a string, into a new
// string; it is for messages and for telling kinds apart.
func decodeString(v []byte) (string, bool) {
	if kind(v) != kindString || len(v) < 2 {
		return "", false
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), true
	}
	return strictjson.Unquote(v)
}
