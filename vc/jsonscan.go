package vc

import (
	"bytes"
	"encoding/json"
)

// This file splits JSON text that internal/strictjson has already checked
// into object members and array elements without decoding it, so that
// Parse reads each document once and keeps unknown members as slices of
// one copy of the input. Every function still bounds-checks and reports
// malformed input (ok == false) instead of trusting the earlier check.

// member is one member of a JSON object.
type member struct {
	name  []byte // decoded name; a slice of the input when it has no escapes
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
// is d[i], or -1.
func stringEnd(d []byte, i int) int {
	for i++; i < len(d); i++ {
		switch d[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// objectMembers splits the raw JSON object d into its members.
func objectMembers(d []byte) ([]member, bool) {
	return appendMembers(make([]member, 0, 16), d)
}

// appendMembers appends the members of the raw JSON object d to ms.
func appendMembers(ms []member, d []byte) ([]member, bool) {
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
		name, ok := decodeName(d[i:end])
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

// arrayElements splits the raw JSON array d into its elements.
func arrayElements(d []byte) ([][]byte, bool) {
	if kind(d) != kindArray {
		return nil, false
	}
	i := skipSpace(d, 1)
	if i < len(d) && d[i] == ']' {
		return [][]byte{}, true
	}
	var els [][]byte
	for {
		vend := valueEnd(d, i)
		if vend < 0 {
			return nil, false
		}
		els = append(els, d[i:vend])
		i = skipSpace(d, vend)
		if i >= len(d) {
			return nil, false
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case ']':
			return els, true
		default:
			return nil, false
		}
	}
}

// decodeName decodes a raw member name, quotes included.
func decodeName(raw []byte) ([]byte, bool) {
	if len(raw) < 2 {
		return nil, false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, false
	}
	return []byte(s), true
}

// decodeString decodes the raw JSON value v if it is a string.
func decodeString(v []byte) (string, bool) {
	if kind(v) != kindString || len(v) < 2 {
		return "", false
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), true
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}
