package vc

import (
	"bytes"
	"encoding/json"
	"unsafe"
)

// This file splits JSON text that internal/strictjson has already checked
// into object members and array elements without decoding it, so that
// Parse reads each document once and keeps unknown members as slices of
// one copy of the input. Every function still bounds-checks and reports
// malformed input (ok == false) instead of trusting the earlier check.

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

// valueEnd returns the index just after the JSON value that starts at
// d[i], or -1 if the text ends first.
func valueEnd(d []byte, i int) int {
	if i >= len(d) {
		return -1
	}
	switch d[i] {
	case '"':
		return stringEnd(d, i)
	case '{', '[':
		depth := 0
		for i < len(d) {
			switch d[i] {
			case '"':
				i = stringEnd(d, i)
				if i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	default:
		start := i
		for i < len(d) {
			switch d[i] {
			case ',', ']', '}', ' ', '\t', '\n', '\r':
				if i == start {
					return -1
				}
				return i
			}
			i++
		}
		if i == start {
			return -1
		}
		return i
	}
}

// stringEnd returns the index just after the string whose opening quote
// is d[i], or -1. It jumps from quote to quote (bytes.IndexByte is
// vectorised); a quote ends the string unless an odd number of
// backslashes comes right before it.
func stringEnd(d []byte, i int) int {
	start := i + 1
	for j := start; j < len(d); {
		q := bytes.IndexByte(d[j:], '"')
		if q < 0 {
			return -1
		}
		q += j
		k := q
		for k > start && d[k-1] == '\\' {
			k--
		}
		if (q-k)%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
	return -1
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
type source struct {
	buf  []byte
	text string
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

// appendMembers appends the members of the raw JSON object d, a slice of
// src.buf, to ms.
func (src *source) appendMembers(ms []member, d []byte) ([]member, bool) {
	if kind(d) != kindObject {
		return ms, false
	}
	i := skipSpace(d, 1)
	if i < len(d) && d[i] == '}' {
		return ms, true
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return ms, false
		}
		end := stringEnd(d, i)
		if end < 0 {
			return ms, false
		}
		name, ok := src.decode(d[i:end])
		if !ok {
			return ms, false
		}
		i = skipSpace(d, end)
		if i >= len(d) || d[i] != ':' {
			return ms, false
		}
		i = skipSpace(d, i+1)
		vend := valueEnd(d, i)
		if vend < 0 {
			return ms, false
		}
		ms = append(ms, member{name: name, value: d[i:vend]})
		i = skipSpace(d, vend)
		if i >= len(d) {
			return ms, false
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case '}':
			return ms, true
		default:
			return ms, false
		}
	}
}

// appendElements appends the elements of the raw JSON array d to els.
func appendElements(els [][]byte, d []byte) ([][]byte, bool) {
	if kind(d) != kindArray {
		return els, false
	}
	i := skipSpace(d, 1)
	if i < len(d) && d[i] == ']' {
		return els, true
	}
	for {
		vend := valueEnd(d, i)
		if vend < 0 {
			return els, false
		}
		els = append(els, d[i:vend])
		i = skipSpace(d, vend)
		if i >= len(d) {
			return els, false
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case ']':
			return els, true
		default:
			return els, false
		}
	}
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
	return unescape(v)
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
	return unescape(v)
}

// unescape decodes a JSON string with escapes; apart from its callers so
// that its variable, whose address encoding/json takes, is only allocated
// when there are escapes.
func unescape(v []byte) (string, bool) {
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}
