package ld

import (
	"bytes"
	"crypto"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/staffpass/staffpass/internal/rdfc"
)

const vectorDir = "../../testdata/ld/vectors"

// readJSON reads a JSON test file with the same strict check ToRDFJSON
// applies.
func readJSON(t testing.TB, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := decode(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		t.Fatalf("%s: not a JSON object", name)
	}
	return m
}

// canonical converts doc to RDF and canonicalizes it with RDFC-1.0.
func canonical(t testing.TB, doc any, hash crypto.Hash) []byte {
	t.Helper()
	quads, err := ToRDF(doc, nil, Safe)
	if err != nil {
		t.Fatalf("ToRDF: %v", err)
	}
	res, err := rdfc.Canonicalize(quads, rdfc.Options{Hash: hash})
	if err != nil {
		t.Fatalf("Canonicalize: %v", err)
	}
	return res.NQuads
}

// The Data Integrity test vectors: each signed credential without its proof,
// and each proof configuration, converted to RDF here and canonicalized with
// RDFC-1.0, must give exactly the canonical N-Quads the specification
// publishes.
func TestDataIntegrityVectorsCanonicalizeAsPublished(t *testing.T) {
	tests := []struct {
		dir, suffix string
		hash        crypto.Hash
	}{
		{"vc-di-eddsa/eddsa-rdfc-2022", "DataInt", crypto.SHA256},
		{"vc-di-eddsa/eddsa-rdfc-2022/employ", "DataInt", crypto.SHA256},
		{"vc-di-ecdsa/ecdsa-rdfc-2019-p256", "ECDSAP256", crypto.SHA256},
		{"vc-di-ecdsa/ecdsa-rdfc-2019-p256/employ", "ECDSAP256", crypto.SHA256},
		{"vc-di-ecdsa/ecdsa-rdfc-2019-p384", "ECDSAP384", crypto.SHA384},
		{"vc-di-ecdsa/ecdsa-rdfc-2019-p384/employ", "ECDSAP384", crypto.SHA384},
	}
	for _, tt := range tests {
		dir := filepath.Join(vectorDir, tt.dir)
		t.Run(tt.dir+"/signed"+tt.suffix+" without proof gives canonDoc"+tt.suffix, func(t *testing.T) {
			doc := readJSON(t, filepath.Join(dir, "signed"+tt.suffix+".json"))
			if _, ok := doc["proof"]; !ok {
				t.Fatal("the signed vector has no proof")
			}
			delete(doc, "proof")
			want, err := os.ReadFile(filepath.Join(dir, "canonDoc"+tt.suffix+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			if got := canonical(t, doc, tt.hash); !bytes.Equal(got, want) {
				t.Errorf("canonical form differs\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
		t.Run(tt.dir+"/proofConfig"+tt.suffix+" gives proofCanon"+tt.suffix, func(t *testing.T) {
			doc := readJSON(t, filepath.Join(dir, "proofConfig"+tt.suffix+".json"))
			want, err := os.ReadFile(filepath.Join(dir, "proofCanon"+tt.suffix+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			if got := canonical(t, doc, tt.hash); !bytes.Equal(got, want) {
				t.Errorf("canonical form differs\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// The same conversion through the JSON text entry point.
func TestToRDFJSONReadsTheSignedVector(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(vectorDir, "vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json"))
	if err != nil {
		t.Fatal(err)
	}
	fromText, err := ToRDFJSON(data, nil, Safe)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	fromValue, err := ToRDF(doc, nil, Safe)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := rdfc.Canonicalize(fromText, rdfc.Options{})
	b, _ := rdfc.Canonicalize(fromValue, rdfc.Options{})
	if a == nil || b == nil || !bytes.Equal(a.NQuads, b.NQuads) {
		t.Error("ToRDFJSON and ToRDF disagree on the same document")
	}
	// With the proof kept, the proof is a named graph of its own.
	graphs := map[rdfc.TermKind]int{}
	for _, q := range fromText {
		graphs[q.Graph.Kind]++
	}
	if graphs[rdfc.BlankNode] == 0 {
		t.Error("the proof did not become a blank-node named graph")
	}
}
