package dataintegrity

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/staffpass/staffpass/keys"
)

const setChainDir = "vc-di-eddsa/proof-set-chain/"

// setChainSigners returns the signers of multiKeyPairs.json, keyPair1 to
// keyPair4.
func setChainSigners(t *testing.T) []keys.Signer {
	t.Helper()
	var pairs map[string]json.RawMessage
	if err := json.Unmarshal(readVector(t, setChainDir+"multiKeyPairs.json"), &pairs); err != nil {
		t.Fatal(err)
	}
	var out []keys.Signer
	for _, name := range []string{"keyPair1", "keyPair2", "keyPair3", "keyPair4"} {
		out = append(out, keyPair(t, pairs[name]))
	}
	return out
}

// optionsFrom turns a proof configuration vector into SignOptions.
func optionsFrom(t *testing.T, config map[string]any, signer keys.Signer) SignOptions {
	t.Helper()
	if signer.KeyID() != config["verificationMethod"] {
		t.Fatalf("signer %s, vector method %s", signer.KeyID(), config["verificationMethod"])
	}
	o := SignOptions{
		Suite:   config["cryptosuite"].(string),
		Signer:  signer,
		Purpose: config["proofPurpose"].(string),
		Created: parseTime(t, config["created"].(string)),
	}
	if id, ok := config["id"].(string); ok {
		o.ID = id
	}
	switch pp := config["previousProof"].(type) {
	case string:
		o.PreviousProof = []string{pp}
	case []any:
		for _, id := range pp {
			o.PreviousProof = append(o.PreviousProof, id.(string))
		}
	}
	return o
}

// Signing the proof-set-chain vectors step by step with their key pairs
// and proof configurations gives each published document: a proof set of
// two, then a chain from both, then a chain from that.
func TestProofSetAndChainVectorsAreReproduced(t *testing.T) {
	signers := setChainSigners(t)
	steps := []struct {
		name, config, want string
		signer             int
	}{
		{"the first proof", "proofSetConfig1.json", "signedProofSet1.json", 0},
		{"a second proof makes a proof set", "proofSetConfig2.json", "signedProofSet2.json", 1},
		{"a proof chained from both", "proofChainConfig1.json", "signedProofChain1.json", 2},
		{"a proof chained from the chained one", "proofChainConfig2.json", "signedProofChain2.json", 3},
	}
	doc := readVector(t, setChainDir+"unsigned.json")
	for _, st := range steps {
		config := decodeObject(t, readVector(t, setChainDir+st.config))
		out, err := Sign(doc, optionsFrom(t, config, signers[st.signer]), nil)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got, want := decodeObject(t, out), decodeObject(t, readVector(t, setChainDir+st.want)); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\ngot  %s\nwant %s", st.name, mustJSON(t, got), mustJSON(t, want))
		}
		doc = out
	}
}

// The document a chained proof signs is the document whose proof is the
// list of the proofs it names (proofChainTempDoc*.json).
func TestChainedProofSignsTheDocumentWithItsPreviousProofs(t *testing.T) {
	tests := []struct {
		name, signed, config, temp string
	}{
		{"a chain from two proofs", "signedProofSet2.json", "proofChainConfig1.json", "proofChainTempDoc1.json"},
		{"a chain from one proof", "signedProofChain1.json", "proofChainConfig2.json", "proofChainTempDoc2.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := decodeObject(t, readVector(t, setChainDir+tt.signed))
			all, err := proofList(doc["proof"])
			if err != nil {
				t.Fatal(err)
			}
			config := decodeObject(t, readVector(t, setChainDir+tt.config))
			matching, _, err := matchingProofs(all, optionsFrom(t, config, setChainSigners(t)[signerOf(tt.config)]).PreviousProof)
			if err != nil {
				t.Fatal(err)
			}
			got := withProofs(withoutProof(doc), matching)
			if want := decodeObject(t, readVector(t, setChainDir+tt.temp)); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %s\nwant %s", mustJSON(t, got), mustJSON(t, want))
			}
		})
	}
}

func signerOf(config string) int {
	if config == "proofChainConfig1.json" {
		return 2
	}
	return 3
}

// editProofs returns a signed vector with its proof list replaced by f's
// result.
func editProofs(t *testing.T, file string, f func([]any) []any) []byte {
	t.Helper()
	doc := decodeObject(t, readVector(t, setChainDir+file))
	doc["proof"] = f(doc["proof"].([]any))
	return mustJSON(t, doc)
}

func alter(p any, member string, value any) any {
	m := map[string]any{}
	for k, v := range p.(map[string]any) {
		m[k] = v
	}
	m[member] = value
	return m
}

func TestProofSetsAndChainsVerifyProofByProof(t *testing.T) {
	tests := []struct {
		name string
		doc  []byte
		want []error // per proof
	}{
		{
			name: "the signed proof set verifies",
			doc:  readVector(t, setChainDir+"signedProofSet2.json"),
			want: []error{nil, nil},
		},
		{
			name: "the signed proof chain verifies",
			doc:  readVector(t, setChainDir+"signedProofChain2.json"),
			want: []error{nil, nil, nil, nil},
		},
		{
			name: "removing a proof of a set leaves the other verifying",
			doc:  editProofs(t, "signedProofSet2.json", func(p []any) []any { return p[1:] }),
			want: []error{nil},
		},
		{
			name: "altering one proof of a set fails that proof only",
			doc: editProofs(t, "signedProofSet2.json", func(p []any) []any {
				return []any{alter(p[0], "created", "2023-02-24T23:36:39Z"), p[1]}
			}),
			want: []error{ErrSignature, nil},
		},
		{
			name: "removing a proof a chain names fails the chained proof and what chains from it",
			doc:  editProofs(t, "signedProofChain2.json", func(p []any) []any { return p[1:] }),
			want: []error{nil, ErrPreviousProof, ErrPreviousProof},
		},
		{
			name: "altering a proof a chain names fails it, the chained proof and what chains from it",
			doc: editProofs(t, "signedProofChain2.json", func(p []any) []any {
				return []any{p[0], alter(p[1], "proofPurpose", "authentication"), p[2], p[3]}
			}),
			want: []error{nil, ErrPurpose, ErrSignature, ErrPreviousProof},
		},
		{
			name: "removing the middle of a chain fails the end",
			doc:  editProofs(t, "signedProofChain2.json", func(p []any) []any { return []any{p[0], p[1], p[3]} }),
			want: []error{nil, nil, ErrPreviousProof},
		},
		{
			name: "reordering the proofs of a chain changes nothing",
			doc:  editProofs(t, "signedProofChain2.json", func(p []any) []any { return []any{p[3], p[2], p[1], p[0]} }),
			want: []error{nil, nil, nil, nil},
		},
		{
			name: "a chained proof moved into a set without its previous proofs fails",
			doc: editProofs(t, "signedProofChain2.json", func(p []any) []any {
				return []any{p[2]}
			}),
			want: []error{ErrPreviousProof},
		},
		{
			name: "two proofs with one id are both refused",
			doc: editProofs(t, "signedProofSet2.json", func(p []any) []any {
				return []any{p[0], alter(p[1], "id", p[0].(map[string]any)["id"])}
			}),
			want: []error{ErrInvalidProof, ErrInvalidProof},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, err := Verify(context.Background(), tt.doc, verifyOptions())
			if len(results) != len(tt.want) {
				t.Fatalf("%d results, want %d (err %v)", len(results), len(tt.want), err)
			}
			allOK := true
			for i, r := range results {
				if tt.want[i] == nil {
					if r.Err != nil {
						t.Errorf("proof %d: %v, want it to verify", i, r.Err)
					}
					continue
				}
				allOK = false
				if !errors.Is(r.Err, tt.want[i]) {
					t.Errorf("proof %d: %v, want %v", i, r.Err, tt.want[i])
				}
				if !errors.Is(err, tt.want[i]) {
					t.Errorf("Verify's error %v does not hold proof %d's %v", err, i, tt.want[i])
				}
			}
			if allOK != (err == nil) {
				t.Errorf("Verify's error = %v with every proof verifying = %v", err, allOK)
			}
		})
	}
}

func TestSignRefusesABadChain(t *testing.T) {
	signers := setChainSigners(t)
	set := readVector(t, setChainDir+"signedProofSet2.json")
	tests := []struct {
		name string
		doc  []byte
		opts SignOptions
		want error
	}{
		{
			name: "a previousProof that names no proof",
			doc:  set,
			opts: SignOptions{Suite: EdDSARDFC2022, Signer: signers[2], Purpose: AssertionMethod, Created: verifyAt, PreviousProof: []string{"urn:uuid:nothing"}},
			want: ErrPreviousProof,
		},
		{
			name: "one of two previousProof ids names no proof",
			doc:  set,
			opts: SignOptions{Suite: EdDSARDFC2022, Signer: signers[2], Purpose: AssertionMethod, Created: verifyAt, PreviousProof: []string{"urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544", "urn:uuid:nothing"}},
			want: ErrPreviousProof,
		},
		{
			name: "a proof id already on the document",
			doc:  set,
			opts: SignOptions{Suite: EdDSARDFC2022, Signer: signers[2], Purpose: AssertionMethod, Created: verifyAt, ID: "urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544"},
			want: ErrInvalidOptions,
		},
		{
			name: "a document without proofs and a previousProof",
			doc:  readVector(t, setChainDir+"unsigned.json"),
			opts: SignOptions{Suite: EdDSARDFC2022, Signer: signers[2], Purpose: AssertionMethod, Created: verifyAt, PreviousProof: []string{"urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544"}},
			want: ErrPreviousProof,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Sign(tt.doc, tt.opts, nil); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
