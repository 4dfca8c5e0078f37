package ld

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/staffpass/staffpass/internal/rdfc"
)

const jsonLDAPIDir = "../../testdata/vectors/json-ld-api"

// The json-ld-api tests pr43: a @graph container survives a scoped context
// that resets its term (JSON-LD 1.1 takes the container mapping from the
// active context), the pattern of verifiableCredential in the VCDM 2.0
// context. json-gold alone loses the container.
func TestGraphContainersOfResetTerms(t *testing.T) {
	in := readJSON(t, filepath.Join(jsonLDAPIDir, "expand/pr43-in.jsonld"))
	expanded, err := Expand(clone(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(jsonLDAPIDir, "expand/pr43-out.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(any(expanded), want) {
		t.Errorf("expanded:\n%#v\nwant\n%#v", expanded, want)
	}

	nq, err := os.ReadFile(filepath.Join(jsonLDAPIDir, "toRdf/pr43-out.nq"))
	if err != nil {
		t.Fatal(err)
	}
	wantRDF, err := rdfc.CanonicalizeNQuads(nq, rdfc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Profile{Safe, Bound} {
		quads, err := ToRDF(readJSON(t, filepath.Join(jsonLDAPIDir, "toRdf/pr43-in.jsonld")), nil, p)
		if p == Bound {
			// An inline context that redefines a term the document uses
			// under @context null: outside the bound profile.
			if err == nil {
				t.Errorf("the bound profile accepts pr43")
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := rdfc.Canonicalize(quads, rdfc.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if string(got.NQuads) != string(wantRDF.NQuads) {
			t.Errorf("toRdf:\n%s\nwant\n%s", got.NQuads, wantRDF.NQuads)
		}
	}

	// A presentation: each credential in a named graph of its own, by
	// both conversions, in both profiles.
	l := testLoader(t)
	vp := presentation(t, 3)
	for _, p := range []Profile{Safe, Bound} {
		fast, ok := fastToRDFIn(clone(vp), l, p)
		if !ok {
			t.Fatalf("profile %d: the fast conversion declines the presentation", p)
		}
		slow, err := slowToRDF(clone(vp), l, p)
		if err != nil {
			t.Fatalf("profile %d: %v", p, err)
		}
		for name, quads := range map[string][]rdfc.Quad{"fast": fast, "slow": slow} {
			graphs := map[rdfc.Term]bool{}
			for _, q := range quads {
				if q.Graph.Kind != rdfc.DefaultGraph && q.Predicate.Value == rdfType && q.Object.Value == "https://www.w3.org/2018/credentials#VerifiableCredential" {
					graphs[q.Graph] = true
				}
			}
			if len(graphs) != 3 {
				t.Errorf("profile %d, %s: %d named graphs, want one per credential", p, name, len(graphs))
			}
		}
	}
}
