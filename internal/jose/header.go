package jose

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
)

// readHeader reads the decoded protected header: strict JSON, one object,
// and the members this package reads, each of the right type. Member names
// are matched exactly, as RFC 7515 requires (encoding/json would also match
// "ALG" to alg).
func (t *token) readHeader(data []byte) error {
	if err := strictjson.Check(data, limits.MaxJWSHeaderBytes); err != nil {
		return fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	hasAlg := false
	err := members(data, func(name, value []byte) error {
		var dst *string
		switch string(name) {
		case "alg":
			dst, hasAlg = &t.header.Alg, true
		case "typ":
			dst = &t.header.Typ
		case "kid":
			dst = &t.header.Kid
		case "cty":
			dst = &t.header.Cty
		case "crit":
			t.hasCrit = true
			if value[0] != '[' || json.Unmarshal(value, &t.crit) != nil {
				return fmt.Errorf("%w: header member crit is not an array of strings", ErrMalformed)
			}
			return nil
		case "b64":
			t.hasB64 = true
			switch string(value) {
			case "true":
				t.b64 = true
			case "false":
			default:
				return fmt.Errorf("%w: header member b64 is not a boolean", ErrMalformed)
			}
			return nil
		default:
			return nil // not understood: ignored
		}
		s, ok := jsonString(value)
		if !ok {
			return fmt.Errorf("%w: header member %s is not a string", ErrMalformed, string(name))
		}
		*dst = s
		return nil
	})
	if err != nil {
		return err
	}
	if !hasAlg {
		return fmt.Errorf("%w: header has no alg", ErrMalformed)
	}
	return nil
}

// jsonString decodes a JSON string value; ok is false for any other value.
// Strings without escapes, the usual case, are sliced, not decoded.
func jsonString(value []byte) (string, bool) {
	if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
		return "", false
	}
	if bytes.IndexByte(value, '\\') < 0 {
		return string(value[1 : len(value)-1]), true
	}
	return unescapeJSONString(value)
}

// unescapeJSONString decodes a JSON string with escapes; apart from
// jsonString so that its variable, whose address encoding/json takes, is
// only allocated when there are escapes.
func unescapeJSONString(value []byte) (string, bool) {
	var s string
	if json.Unmarshal(value, &s) != nil {
		return "", false
	}
	return s, true
}

var errNotObject = fmt.Errorf("%w: header is not a JSON object", ErrMalformed)

// members calls fn with the name and raw value of each member of the JSON
// object data, in order. data must be text strictjson.Check accepted: the
// scan relies on it being well formed, but checks every index, so that other
// text makes it fail, not panic. The name is unescaped; fn must not keep it.
func members(data []byte, fn func(name, value []byte) error) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errNotObject
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for i < len(data) {
		end, err := valueEnd(data, i)
		if err != nil || data[i] != '"' {
			return errNotObject
		}
		name := data[i+1 : end-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			s, ok := jsonString(data[i:end])
			if !ok {
				return errNotObject
			}
			name = []byte(s)
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return errNotObject
		}
		i = skipSpace(data, i+1)
		end, err = valueEnd(data, i)
		if err != nil {
			return errNotObject
		}
		if err := fn(name, data[i:end]); err != nil {
			return err
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			break
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return nil
		default:
			return errNotObject
		}
	}
	return errNotObject
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

var errScan = errors.New("unexpected end of JSON")

// valueEnd returns the index just after the JSON value starting at data[i].
func valueEnd(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, errScan
	}
	switch data[i] {
	case '"':
		for j := i + 1; j < len(data); j++ {
			switch data[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, errScan
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, err := valueEnd(data, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errScan
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ',', '}', ']', ':', ' ', '\t', '\n', '\r':
			if j == i {
				return 0, errScan
			}
			return j, nil
		}
		j++
	}
	return j, nil
}
