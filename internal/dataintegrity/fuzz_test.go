package dataintegrity

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/jcs"
	"github.com/staffpass/staffpass/keys"
)

// fuzzSeeds returns signed documents to mutate: every W3C vector, the proof
// sets and chains, and the staff credential signed with each suite by
// fixed keys (a fixed Ed25519 seed, the vectors' P-256 and P-384 keys), so
// that every fuzzing process knows the same signers. ECDSA signatures still
// differ from process to process.
func fuzzSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, v := range vectors {
		seeds = append(seeds, v.file(t, "signed", ".json"))
	}
	for _, name := range []string{"signedProofSet1.json", "signedProofSet2.json", "signedProofChain1.json", "signedProofChain2.json"} {
		seeds = append(seeds, readVector(t, setChainDir+name))
	}
	ed := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	edSigner, err := keys.NewSigner(ed, didKeyMethod(t, ed.Public()))
	if err != nil {
		t.Fatal(err)
	}
	signers := map[keys.KeyType]keys.Signer{
		keys.Ed25519: edSigner,
		keys.P256:    keyPair(t, readVector(t, "vc-di-ecdsa/p256KeyPair.json")),
		keys.P384:    keyPair(t, readVector(t, "vc-di-ecdsa/p384KeyPair.json")),
	}
	for _, sk := range suiteKeys {
		opts := SignOptions{Suite: sk.suite, Signer: signers[sk.kt], Purpose: AssertionMethod, Created: verifyAt}
		out, err := Sign([]byte(staffCredential), opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, out)
	}
	return seeds
}

// meaning returns what a document's proofs sign, as a value to compare:
// the decoded JSON without the proof values, normalised by the
// equivalences the suites allow. Under
// the -rdfc- suites arrays other than @context are unordered and a
// one-element array is its element (RDF does not tell them apart for the
// terms of these documents), and a proof's own @context is not used. Under
// the -jcs- suites the document is read under the proof's @context.
func meaning(t testing.TB, doc []byte) string {
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	proofs := asList(m["proof"])
	rdf := true
	for _, p := range proofs {
		pm, _ := p.(map[string]any)
		delete(pm, "proofValue")
		if s, _ := pm["cryptosuite"].(string); strings.Contains(s, "-jcs-") {
			rdf = false
			if c, ok := pm["@context"]; ok {
				m["@context"] = c
			}
		} else {
			delete(pm, "@context")
		}
	}
	var v any = m
	if rdf {
		v = unorder(m, "")
	}
	b, err := jcs.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func unorder(v any, key string) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = unorder(e, k)
		}
		return out
	case []any:
		if key == "@context" {
			return v
		}
		if len(v) == 1 {
			return unorder(v[0], key)
		}
		items := make([]string, len(v))
		for i, e := range v {
			b, _ := jcs.Marshal(unorder(e, key))
			items[i] = string(b)
		}
		slices.Sort(items)
		out := make([]any, len(items))
		for i, e := range items {
			out[i] = e
		}
		return out
	}
	return v
}

// FuzzVerify mutates signed documents and checks that Verify never panics,
// always returns either results or an error for the whole document, and
// accepts a mutated document only if it means what one of the signed
// documents means (see meaning): every change that matters to a suite
// (a claim, a context, an @list order, a proof member, the proof value)
// must make some proof fail.
func FuzzVerify(f *testing.F) {
	seeds := fuzzSeeds(f)
	known := map[string]bool{}
	for _, s := range seeds {
		f.Add(s)
		known[meaning(f, s)] = true
	}
	opts := verifyOptions()
	f.Fuzz(func(t *testing.T, doc []byte) {
		results, err := Verify(context.Background(), doc, opts)
		if err == nil {
			if len(results) == 0 {
				t.Fatal("no error and no results")
			}
			if !known[meaning(t, doc)] {
				t.Fatalf("a changed document verifies:\n%s", doc)
			}
			return
		}
		for _, r := range results {
			if r.Err != nil && !errors.Is(err, r.Err) {
				t.Fatalf("a proof's error %v is not in Verify's error %v", r.Err, err)
			}
		}
	})
}

// FuzzParseProof checks that ParseProof never panics and that a proof it
// reads marshals to JSON that reads back as the same proof and marshals to
// the same bytes again.
func FuzzParseProof(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		var m map[string]any
		if err := json.Unmarshal(s, &m); err != nil {
			f.Fatal(err)
		}
		for _, p := range asList(m["proof"]) {
			b, err := json.Marshal(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`{"type":"DataIntegrityProof","cryptosuite":"eddsa-jcs-2022","verificationMethod":"did:example:a#k","proofPurpose":"authentication","proofValue":"z1","domain":["a","b"],"previousProof":["p"],"created":"2023-02-24T23:36:38.5+01:00","expires":"2024-02-29T00:00:00Z","x":{"y":[1,2.5]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProof(data)
		if err != nil && !errors.Is(err, ErrUnsupportedSuite) {
			if p != nil {
				t.Fatalf("a proof returned with %v", err)
			}
			return
		}
		if p == nil {
			t.Fatal("no proof and no error")
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		back, err := ParseProof(out)
		if (err != nil) != errors.Is(err, ErrUnsupportedSuite) || back == nil {
			t.Fatalf("the marshalled proof does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(p, back) {
			t.Fatalf("round trip changed the proof:\n%+v\n%+v", p, back)
		}
		again, err := json.Marshal(back)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("marshalling is not stable:\n%s\n%s", out, again)
		}
		var in, mid any
		if json.Unmarshal(data, &in) != nil || json.Unmarshal(out, &mid) != nil || !reflect.DeepEqual(in, mid) {
			t.Fatalf("the marshalled proof differs from the input:\n%s\n%s", data, out)
		}
	})
}
