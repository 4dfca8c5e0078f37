package rdfc

import (
	"bytes"
	"crypto"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
)

func (e manifestEntry) options(t testing.TB) Options {
	switch e.HashAlgorithm {
	case "":
		return Options{}
	case "SHA384":
		return Options{Hash: crypto.SHA384}
	}
	t.Fatalf("%s: unknown hashAlgorithm %q", e.ID, e.HashAlgorithm)
	return Options{}
}

// TestW3CVectors runs the whole RDFC-1.0 test suite from its manifest.
func TestW3CVectors(t *testing.T) {
	for _, e := range readManifest(t) {
		t.Run(strings.TrimPrefix(e.ID, "#")+" "+e.Name, func(t *testing.T) {
			input := readVector(t, e.Action)
			switch e.Type {
			case "rdfc:RDFC10EvalTest":
				res, err := CanonicalizeNQuads(input, e.options(t))
				if err != nil {
					t.Fatal(err)
				}
				want := readVector(t, e.Result)
				if !bytes.Equal(res.NQuads, want) {
					t.Fatalf("canonical form differs\n got:\n%s\nwant:\n%s", res.NQuads, want)
				}
			case "rdfc:RDFC10MapTest":
				res, err := CanonicalizeNQuads(input, e.options(t))
				if err != nil {
					t.Fatal(err)
				}
				var want map[string]string
				if err := json.Unmarshal(readVector(t, e.Result), &want); err != nil {
					t.Fatal(err)
				}
				if !maps.Equal(res.IssuedIdentifiers(), want) {
					t.Fatalf("issued identifiers map = %v, want %v", res.IssuedIdentifiers(), want)
				}
			case "rdfc:RDFC10NegativeEvalTest":
				_, err := CanonicalizeNQuads(input, e.options(t))
				if !errors.Is(err, ErrTooComplex) {
					t.Fatalf("err = %v, want ErrTooComplex", err)
				}
			default:
				t.Fatalf("unknown test type %q", e.Type)
			}
		})
	}
}

// TestW3CManifestIsComplete guards against a truncated copy of the suite.
func TestW3CManifestIsComplete(t *testing.T) {
	counts := map[string]int{}
	for _, e := range readManifest(t) {
		counts[e.Type]++
	}
	want := map[string]int{"rdfc:RDFC10EvalTest": 64, "rdfc:RDFC10MapTest": 21, "rdfc:RDFC10NegativeEvalTest": 1}
	if !maps.Equal(counts, want) {
		t.Errorf("manifest tests by type = %v, want %v", counts, want)
	}
}
