package vc

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// Vector folders, copied verbatim from the conformance snapshot (each has
// a SOURCE file naming its origin).
const (
	dataModelDir = "../testdata/vectors/vc-data-model"
	suiteDir     = "../testdata/vectors/vc-data-model-2.0-test-suite"
	joseDir      = "../testdata/vectors/vc-jose-cose"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeAny decodes JSON into plain Go values, numbers kept as text, so
// that two documents can be compared member by member.
func decodeAny(t testing.TB, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

// sameJSON fails the test unless a and b hold the same members and
// values.
func sameJSON(t testing.TB, a, b []byte) {
	t.Helper()
	if !reflect.DeepEqual(decodeAny(t, a), decodeAny(t, b)) {
		t.Errorf("JSON differs:\n in: %s\nout: %s", a, b)
	}
}

// roundTrip marshals v, checks the output against the input and returns
// the output.
func roundTrip(t testing.TB, in []byte, v json.Marshaler) []byte {
	t.Helper()
	out, err := v.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	sameJSON(t, in, out)
	return out
}

// parseAs parses data with the parser for kind.
func parseAs(kind Kind, data []byte) (json.Marshaler, error) {
	switch kind {
	case KindCredential:
		c, err := Parse(data)
		if err != nil {
			return nil, err
		}
		return c, nil
	case KindPresentation:
		p, err := ParsePresentation(data)
		if err != nil {
			return nil, err
		}
		return p, nil
	default:
		d, err := ParseDocument(data)
		if err != nil {
			return nil, err
		}
		return d.Envelope, nil
	}
}
