package ld

import (
	"bytes"
	"errors"
	"testing"

	"github.com/staffpass/staffpass/internal/rdfc"
)

// A holder who swaps a document's contexts can give a signed IRI another
// name and keep the signature. Each pair below is a document and a
// rewrite of it that JSON-LD reads as the same dataset; the first
// converts in the bound profile and the rewrite is refused by both paths,
// naming the member (rules 3 and 8; found by an audit of rule 7).
func TestBoundProfileKeepsTheNamesServedContextsGive(t *testing.T) {
	l := testLoader(t)
	const (
		exNS    = "https://www.w3.org/ns/credentials/examples#"
		rdfJSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
		head    = `"type": ["VerifiableCredential"], "issuer": "did:example:i", `
	)
	ctx := `"@context": ["` + credentialsV2 + `", "` + examplesV2 + `"], `
	tests := []struct {
		name, signed, rewritten, pointer string
	}{
		{
			"a type given the name of another",
			`{` + ctx + `"type": ["VerifiableCredential", "PorterCredential"], "issuer": "did:example:i", "credentialSubject": {"id": "did:example:s"}}`,
			`{"@context": ["` + credentialsV2 + `", {"SurgeonCredential": "` + exNS + `PorterCredential"}], "type": ["VerifiableCredential", "SurgeonCredential"], "issuer": "did:example:i", "credentialSubject": {"id": "did:example:s"}}`,
			"/type/1",
		},
		{
			"two claims swapping names",
			`{` + ctx + head + `"credentialSubject": {"id": "did:example:s", "clearedFor": "porter", "notClearedFor": "surgeon"}}`,
			`{"@context": ["` + credentialsV2 + `", {"clearedFor": "` + exNS + `notClearedFor", "notClearedFor": "` + exNS + `clearedFor"}], ` + head +
				`"credentialSubject": {"id": "did:example:s", "clearedFor": "surgeon", "notClearedFor": "porter"}}`,
			"/credentialSubject/clearedFor",
		},
		{
			"a claim written as its IRI once its context is gone",
			`{` + ctx + head + `"credentialSubject": {"id": "did:example:s", "clearedFor": "porter"}}`,
			`{"@context": ["` + credentialsV2 + `"], ` + head + `"credentialSubject": {"id": "did:example:s", "` + exNS + `clearedFor": "porter"}}`,
			"",
		},
		{
			"a type moved to a property that stands for rdf:type",
			`{` + ctx + `"type": ["VerifiableCredential", "ProvisionalCredential"], "issuer": "did:example:i", "credentialSubject": {"id": "did:example:s"}}`,
			`{"@context": ["` + credentialsV2 + `", "` + examplesV2 + `", {"kind": {"@id": "` + rdfType + `", "@type": "@id"}}], "type": ["VerifiableCredential"], "kind": "` + exNS + `ProvisionalCredential", "issuer": "did:example:i", "credentialSubject": {"id": "did:example:s"}}`,
			"/kind",
		},
		{
			"a type written twice, once under rdf:type",
			`{` + ctx + `"type": ["VerifiableCredential", "ProvisionalCredential"], "issuer": "did:example:i", "credentialSubject": {"id": "did:example:s"}}`,
			`{"@context": ["` + credentialsV2 + `", "` + examplesV2 + `", {"kind": {"@id": "` + rdfType + `", "@type": "@id"}}], "type": ["VerifiableCredential", "ProvisionalCredential"], "kind": "` + exNS + `ProvisionalCredential", "issuer": "did:example:i", "credentialSubject": {"id": "did:example:s"}}`,
			"/kind",
		},
		{
			"an empty array where there was nothing",
			`{` + ctx + head + `"credentialSubject": {"id": "did:example:s"}}`,
			`{` + ctx + head + `"credentialSubject": {"id": "did:example:s", "restrictions": []}}`,
			"/credentialSubject/restrictions",
		},
		{
			"a JSON literal spelt as a string under an rdf:JSON coercion",
			`{"@context": ["` + credentialsV2 + `", {"data": {"@id": "` + exNS + `data", "@type": "@json"}}], ` + head + `"credentialSubject": {"id": "did:example:s", "data": {"a": 1}}}`,
			`{"@context": ["` + credentialsV2 + `", {"data": {"@id": "` + exNS + `data", "@type": "` + rdfJSON + `"}}], ` + head + `"credentialSubject": {"id": "did:example:s", "data": "{\"a\":1}"}}`,
			"/credentialSubject/data",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signed, err := decode([]byte(tt.signed))
			if err != nil {
				t.Fatal(err)
			}
			rewritten, err := decode([]byte(tt.rewritten))
			if err != nil {
				t.Fatal(err)
			}
			a, err := ToRDF(clone(signed), l, Bound)
			if err != nil {
				t.Fatalf("the signed document: %v", err)
			}
			b, err := ToRDF(clone(rewritten), l, Safe)
			if err != nil {
				t.Fatalf("safe mode refuses the rewrite: %v", err)
			}
			if got, want := canonicalNQuads(t, b), canonicalNQuads(t, a); !bytes.Equal(got, want) {
				t.Fatalf("the rewrite changes the RDF:\n%s\nwant\n%s", got, want)
			}
			if _, ok := fastToRDFIn(clone(rewritten), l, Bound); ok {
				t.Error("the fast conversion takes the rewrite")
			}
			for _, conv := range []struct {
				name string
				f    func(any, *Loader, Profile) ([]rdfc.Quad, error)
			}{{"ToRDF", ToRDF}, {"slowToRDF", slowToRDF}} {
				_, err := conv.f(clone(rewritten), l, Bound)
				var te *TermError
				if !errors.Is(err, ErrNotBound) || !errors.As(err, &te) {
					t.Fatalf("%s: err = %v, want ErrNotBound", conv.name, err)
				}
				if tt.pointer != "" && te.Pointer != tt.pointer {
					t.Errorf("%s: pointer %q, want %q (%v)", conv.name, te.Pointer, tt.pointer, err)
				}
				if te.Reason == "" {
					t.Errorf("%s: the error does not say why: %v", conv.name, err)
				}
			}
		})
	}
}

// What the served contexts name is worked out the same way every time.
func TestUniverseIsDeterministic(t *testing.T) {
	first := testLoader(t).universe()
	for range 5 {
		u := testLoader(t).universe()
		if len(u.names) != len(first.names) || len(u.iris) != len(first.iris) {
			t.Fatalf("%d names and %d IRIs, then %d and %d", len(first.names), len(first.iris), len(u.names), len(u.iris))
		}
		for name, iris := range first.names {
			if got := u.names[name]; len(got) != len(iris) {
				t.Fatalf("%q names %v, then %v", name, iris, got)
			}
		}
	}
	for _, n := range []string{"credentialSubject", "familyName", "statusPurpose", "challenge"} {
		if len(first.names[n]) == 0 {
			t.Errorf("the served contexts do not name %q", n)
		}
	}
}
