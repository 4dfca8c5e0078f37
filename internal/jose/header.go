package jose

import (
	"bytes"
	"fmt"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
)

// readHeader reads the decoded protected header: strict JSON, one object,
// and the members this package reads, each of the right type, from the
// tape strictjson's lexer makes of it. Member names are matched exactly,
// as RFC 7515 requires (encoding/json would also match "ALG" to alg).
func (t *token) readHeader(data []byte) error {
	tape, err := strictjson.Parse(data, limits.MaxJWSHeaderBytes)
	if err != nil {
		return fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	defer tape.Release()
	root := strictjson.Root
	if tape.Kind(root) != strictjson.KindObject {
		return fmt.Errorf("%w: header is not a JSON object", ErrMalformed)
	}
	hasAlg := false
	for c := tape.FirstChild(root); c != strictjson.None; c = tape.NextSibling(root, c) {
		raw, esc := tape.Name(c)
		name := string(raw)
		if esc {
			name = strictjson.Unescape(raw)
		}
		var dst *string
		switch name {
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
			if tape.Kind(c) != strictjson.KindArray {
				return fmt.Errorf("%w: header member crit is not an array of strings", ErrMalformed)
			}
			t.crit = nil
			for e := tape.FirstChild(c); e != strictjson.None; e = tape.NextSibling(c, e) {
				s, ok := tape.String(e)
				if !ok {
					return fmt.Errorf("%w: header member crit is not an array of strings", ErrMalformed)
				}
				t.crit = append(t.crit, s)
			}
			continue
		case "b64":
			t.hasB64 = true
			switch tape.Kind(c) {
			case strictjson.KindTrue:
				t.b64 = true
			case strictjson.KindFalse:
			default:
				return fmt.Errorf("%w: header member b64 is not a boolean", ErrMalformed)
			}
			continue
		default:
			continue // not understood: ignored
		}
		s, ok := tape.String(c)
		if !ok {
			return fmt.Errorf("%w: header member %s is not a string", ErrMalformed, name)
		}
		*dst = s
	}
	if !hasAlg {
		return fmt.Errorf("%w: header has no alg", ErrMalformed)
	}
	return nil
}

// jsonString decodes a JSON string value, a member of a document the data
// model parsed; ok is false for any other value. Strings without escapes,
// the usual case, are sliced, not decoded.
func jsonString(value []byte) (string, bool) {
	if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
		return "", false
	}
	if bytes.IndexByte(value, '\\') < 0 {
		return string(value[1 : len(value)-1]), true
	}
	return strictjson.Unquote(value)
}
