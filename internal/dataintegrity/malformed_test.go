package dataintegrity

import (
	"context"
	"crypto"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/keys"
)

// withProof returns the eddsa-rdfc-2022 vector with its proof member's JSON
// replaced by proof.
func withProof(t *testing.T, proof string) []byte {
	t.Helper()
	doc := string(readVector(t, "vc-di-eddsa/unsigned.json"))
	i := strings.LastIndexByte(doc, '}')
	return []byte(doc[:i] + `,"proof":` + proof + "}")
}

// vectorProof returns the vector's proof with member name set to value
// (raw JSON), or removed when value is "".
func vectorProof(t *testing.T, name, value string) string {
	t.Helper()
	p := decodeObject(t, readVector(t, "vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json"))["proof"].(map[string]any)
	if value == "" {
		delete(p, name)
	} else {
		p[name] = jsonValue(t, []byte(value))
	}
	return string(mustJSON(t, p))
}

// Hostile and malformed documents and proofs are refused with the error
// that names the problem, and never panic.
func TestMalformedInputIsRefused(t *testing.T) {
	good := vectorProof(t, "nothing", "")
	many := "[" + strings.TrimSuffix(strings.Repeat(good+",", 1000), ",") + "]"
	tests := []struct {
		name string
		doc  []byte
		want error
	}{
		{"a document that is not JSON", []byte(`{"proof":`), ErrInvalidDocument},
		{"a document that is an array", []byte(`[{"proof":{}}]`), ErrInvalidDocument},
		{"a document with a duplicate member", []byte(`{"proof":{},"proof":{}}`), ErrInvalidDocument},
		{"a proof with a duplicate member", withProof(t, `{"type":"DataIntegrityProof","type":"DataIntegrityProof"}`), ErrInvalidDocument},
		{"a document with invalid UTF-8", []byte("{\"a\":\"\xff\",\"proof\":{}}"), ErrInvalidDocument},
		{"a document without a proof", readVector(t, "vc-di-eddsa/unsigned.json"), ErrNoProof},
		{"an empty proof list", withProof(t, `[]`), ErrNoProof},
		{"a proof that is a string", withProof(t, `"z3FXQ"`), ErrInvalidProof},
		{"a proof that is null", withProof(t, `null`), ErrInvalidProof},
		{"a proof list holding a number", withProof(t, `[1]`), ErrInvalidProof},
		{"a proof without type", withProof(t, vectorProof(t, "type", "")), ErrInvalidProof},
		{"a proof without cryptosuite", withProof(t, vectorProof(t, "cryptosuite", "")), ErrInvalidProof},
		{"a proof without verificationMethod", withProof(t, vectorProof(t, "verificationMethod", "")), ErrInvalidProof},
		{"a proof without proofPurpose", withProof(t, vectorProof(t, "proofPurpose", "")), ErrInvalidProof},
		{"a proof without proofValue", withProof(t, vectorProof(t, "proofValue", "")), ErrInvalidProof},
		{"a proof of another type", withProof(t, vectorProof(t, "type", `"Ed25519Signature2020"`)), ErrUnsupportedSuite},
		{"a proof type given as an array", withProof(t, vectorProof(t, "type", `["DataIntegrityProof"]`)), ErrInvalidProof},
		{"an unknown cryptosuite", withProof(t, vectorProof(t, "cryptosuite", `"eddsa-2022"`)), ErrUnsupportedSuite},
		{"the selective disclosure suite", withProof(t, vectorProof(t, "cryptosuite", `"ecdsa-sd-2023"`)), ErrUnsupportedSuite},
		{"a null challenge", withProof(t, vectorProof(t, "challenge", `null`)), ErrInvalidProof},
		{"a null created", withProof(t, vectorProof(t, "created", `null`)), ErrInvalidProof},
		{"a null extension member", withProof(t, vectorProof(t, "comment", `null`)), ErrInvalidProof},
		{"a numeric verificationMethod", withProof(t, vectorProof(t, "verificationMethod", `7`)), ErrInvalidProof},
		{"a created that is not a dateTimeStamp", withProof(t, vectorProof(t, "created", `"2023-02-24"`)), ErrInvalidProof},
		{"a created without a time zone", withProof(t, vectorProof(t, "created", `"2023-02-24T23:36:38"`)), ErrInvalidProof},
		{"an expires on a day that does not exist", withProof(t, vectorProof(t, "expires", `"2030-02-30T00:00:00Z"`)), ErrInvalidProof},
		{"an empty domain list", withProof(t, vectorProof(t, "domain", `[]`)), ErrInvalidProof},
		{"a domain list holding a number", withProof(t, vectorProof(t, "domain", `["a",1]`)), ErrInvalidProof},
		{"a previousProof that is an object", withProof(t, vectorProof(t, "previousProof", `{}`)), ErrInvalidProof},
		{"a previousProof naming no proof", withProof(t, vectorProof(t, "previousProof", `"urn:uuid:none"`)), ErrPreviousProof},
		{"a huge proofValue", withProof(t, vectorProof(t, "proofValue", `"z`+strings.Repeat("2", 1<<20)+`"`)), ErrInvalidProof},
		{"a proofValue one character over the limit", withProof(t, vectorProof(t, "proofValue", `"z`+strings.Repeat("2", limits.MaxProofValueLength)+`"`)), ErrInvalidProof},
		{"a proofValue that is only the prefix", withProof(t, vectorProof(t, "proofValue", `"z"`)), ErrInvalidProof},
		{"an empty proofValue", withProof(t, vectorProof(t, "proofValue", `""`)), ErrInvalidProof},
		{"1000 proofs", withProof(t, many), ErrInvalidProof},
		{"a document nested too deeply", []byte(strings.Repeat(`{"a":`, 100) + `{}` + strings.Repeat(`}`, 100)), ErrInvalidDocument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, err := Verify(context.Background(), tt.doc, verifyOptions())
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			for _, r := range results {
				if r.Err == nil {
					t.Errorf("a proof verified")
				}
			}
		})
	}
}

func TestVerifyNeedsCompleteOptions(t *testing.T) {
	doc := readVector(t, "vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json")
	tests := []struct {
		name string
		edit func(*VerifyOptions)
	}{
		{"no allow-list", func(o *VerifyOptions) { o.Suites = nil }},
		{"an unknown suite on the allow-list", func(o *VerifyOptions) { o.Suites = []string{EdDSARDFC2022, "rsa-2025"} }},
		{"no key function", func(o *VerifyOptions) { o.Key = nil }},
		{"no time", func(o *VerifyOptions) { o.Now = time.Time{} }},
		{"no purpose", func(o *VerifyOptions) { o.Purpose = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := verifyOptions()
			tt.edit(&opts)
			if _, err := Verify(context.Background(), doc, opts); !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("err = %v, want ErrInvalidOptions", err)
			}
		})
	}
}

// failingSigner is a keys.Signer whose Sign fails, as an HSM might.
type failingSigner struct{ keys.Signer }

var errHSM = errors.New("hsm unavailable")

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errHSM
}

func TestSignRefusesBadInput(t *testing.T) {
	ed, p256 := newSigner(t, keys.Ed25519), newSigner(t, keys.P256)
	noID, err := keys.NewSigner(ed, "x")
	if err != nil {
		t.Fatal(err)
	}
	base := SignOptions{Suite: EdDSARDFC2022, Signer: ed, Purpose: AssertionMethod, Created: verifyAt}
	vc11 := readVector(t, "vc-di-ecdsa-test-suite/mocks/valid/vc1.1/document.json")
	tests := []struct {
		name string
		doc  []byte
		edit func(*SignOptions)
		want error
	}{
		{"an unknown suite", []byte(staffCredential), func(o *SignOptions) { o.Suite = "eddsa-2022" }, ErrInvalidOptions},
		{"no signer", []byte(staffCredential), func(o *SignOptions) { o.Signer = nil }, ErrInvalidOptions},
		{"an ECDSA key for an EdDSA suite", []byte(staffCredential), func(o *SignOptions) { o.Signer = p256 }, ErrInvalidOptions},
		{"an Ed25519 key for an ECDSA suite", []byte(staffCredential), func(o *SignOptions) { o.Suite = ECDSAJCS2019 }, ErrInvalidOptions},
		{"no purpose", []byte(staffCredential), func(o *SignOptions) { o.Purpose = "" }, ErrInvalidOptions},
		{"no created time", []byte(staffCredential), func(o *SignOptions) { o.Created = time.Time{} }, ErrInvalidOptions},
		{"expires before created", []byte(staffCredential), func(o *SignOptions) { o.Expires = verifyAt.Add(-time.Second) }, ErrInvalidOptions},
		{"a created year beyond 9999", []byte(staffCredential), func(o *SignOptions) { o.Created = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, ErrInvalidOptions},
		{"an empty previousProof id", []byte(staffCredential), func(o *SignOptions) { o.PreviousProof = []string{""} }, ErrInvalidOptions},
		{"a document that is not an object", []byte(`"vc"`), nil, ErrInvalidDocument},
		{"a document with a duplicate member", []byte(`{"a":1,"a":2}`), nil, ErrInvalidDocument},
		{"a VCDM 1.1 credential without the data integrity context (rdfc)", vc11, nil, ErrContext},
		{"a VCDM 1.1 credential without the data integrity context (jcs)", vc11, func(o *SignOptions) { o.Suite = EdDSAJCS2022 }, ErrContext},
		{"a document whose context does not define its terms", []byte(`{"@context":"https://www.w3.org/ns/credentials/v2","type":"VerifiableCredential","nickname":"x"}`), nil, ld.ErrUndefinedTerm},
		{"a document without @context (rdfc)", []byte(`{"type":"VerifiableCredential"}`), nil, ErrContext},
		{"an existing proof that is not an object", withProof(t, `"z"`), nil, ErrInvalidProof},
		{"a full proof set", withProof(t, "["+strings.TrimSuffix(strings.Repeat(`{"id":"x"},`, limits.MaxProofs), ",")+"]"), nil, ErrInvalidProof},
		{"a signer that fails", []byte(staffCredential), func(o *SignOptions) { o.Signer = failingSigner{ed} }, errHSM},
		{"a key id that is not a URL", []byte(staffCredential), func(o *SignOptions) { o.Signer = noID }, ErrInvalidOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := base
			if tt.edit != nil {
				tt.edit(&opts)
			}
			_, err := Sign(tt.doc, opts, nil)
			if tt.want == nil {
				if err != nil {
					t.Errorf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// A plain JSON document, without @context, can be signed and verified
// with the -jcs- suites.
func TestJCSSignsPlainJSON(t *testing.T) {
	for _, sk := range suiteKeys {
		if !sk.jcs() {
			continue
		}
		t.Run(sk.String(), func(t *testing.T) {
			signer := newSigner(t, sk.kt)
			out := signWith(t, `{"staffNumber":"123456","grade":7}`, sk, signer, nil)
			if p := decodeObject(t, out)["proof"].(map[string]any); p["@context"] != nil {
				t.Errorf("the proof has an @context: %v", p["@context"])
			}
			if _, err := Verify(context.Background(), out, verifyOptions()); err != nil {
				t.Fatal(err)
			}
			// Adding a @context afterwards changes the document.
			tampered := edit(t, out, func(d, _, _ map[string]any) {})
			tampered = []byte(strings.Replace(string(tampered), `{`, `{"@context":"https://www.w3.org/ns/credentials/v2",`, 1))
			if _, err := Verify(context.Background(), tampered, verifyOptions()); !errors.Is(err, ErrSignature) {
				t.Errorf("err = %v, want ErrSignature", err)
			}
		})
	}
}

// Under the -jcs- suites the document is hashed with the proof's
// @context: a document whose @context was extended after signing still
// verifies (eddsa-jcs-2022 section 3.3.2 step 4), and one whose @context
// no longer starts with the proof's does not.
func TestJCSContextRules(t *testing.T) {
	for _, sk := range suiteKeys {
		if !sk.jcs() {
			continue
		}
		signer := newSigner(t, sk.kt)
		signed := signWith(t, staffCredential, sk, signer, nil)
		tests := []struct {
			name string
			edit func(d, p map[string]any)
			want error
		}{
			{"an entry appended to the document's @context", func(d, _ map[string]any) {
				d["@context"] = append(d["@context"].([]any), "https://w3id.org/security/data-integrity/v2")
			}, nil},
			{"an entry removed from the document's @context", func(d, _ map[string]any) {
				d["@context"] = d["@context"].([]any)[:1]
			}, ErrContext},
			{"an entry put before the proof's", func(d, _ map[string]any) {
				d["@context"] = append([]any{"https://w3id.org/security/data-integrity/v2"}, d["@context"].([]any)...)
			}, ErrContext},
			{"the document's @context removed", func(d, _ map[string]any) { delete(d, "@context") }, ErrContext},
			{"the proof's @context removed", func(_, p map[string]any) { delete(p, "@context") }, ErrSignature},
			{"the proof's @context shortened to match a shortened document", func(d, p map[string]any) {
				d["@context"] = d["@context"].([]any)[:1]
				p["@context"] = p["@context"].([]any)[:1]
			}, ErrSignature},
			{"a proof @context without a data integrity context", func(d, p map[string]any) {
				d["@context"] = d["@context"].([]any)[1:]
				p["@context"] = p["@context"].([]any)[1:]
			}, ErrContext},
		}
		for _, tt := range tests {
			t.Run(sk.String()+"/"+tt.name, func(t *testing.T) {
				doc := edit(t, signed, func(d, _, p map[string]any) { tt.edit(d, p) })
				_, err := Verify(context.Background(), doc, verifyOptions())
				if tt.want == nil && err != nil || !errors.Is(err, tt.want) {
					t.Errorf("err = %v, want %v", err, tt.want)
				}
			})
		}
	}
}

// The proofs the ECDSA test suite asks issuers for: its VCDM 2.0 and 1.1
// credentials, signed with every suite and key type, verify. The 1.1
// credential needs the data integrity context, which Sign does not add.
func TestECDSATestSuiteMocks(t *testing.T) {
	for _, sk := range suiteKeys {
		for _, mock := range []string{"vc2.0", "vc1.1"} {
			t.Run(sk.String()+"/"+mock, func(t *testing.T) {
				doc := decodeObject(t, readVector(t, "vc-di-ecdsa-test-suite/mocks/valid/"+mock+"/document.json"))
				if mock == "vc1.1" {
					doc["@context"] = append(doc["@context"].([]any), "https://w3id.org/security/data-integrity/v2")
				}
				signer := newSigner(t, sk.kt)
				out := signWith(t, string(mustJSON(t, doc)), sk, signer, nil)
				results, err := Verify(context.Background(), out, verifyOptions())
				if err != nil || len(results) != 1 || results[0].Proof.VerificationMethod != signer.KeyID() {
					t.Fatalf("err = %v", err)
				}
			})
		}
	}
}

// Verify never changes the decoded document it hashes, so that the
// proofs of a set see the same document.
func TestVerifyDoesNotChangeTheDocument(t *testing.T) {
	doc := readVector(t, setChainDir+"signedProofChain2.json")
	m := decodeObject(t, doc)
	before := string(mustJSON(t, m))
	vr := &verification{opts: &VerifyOptions{}, all: m["proof"].([]any), unsecured: withoutProof(m)}
	for _, name := range allSuites {
		s, _ := lookupSuite(name)
		matching, _, err := matchingProofs(vr.all, []string{"urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vr.t.documentHash(nil, s, withProofs(vr.unsecured, matching), crypto.SHA256); err != nil {
			t.Fatal(err)
		}
	}
	if after := string(mustJSON(t, m)); after != before {
		t.Errorf("the document changed:\n%s\n%s", before, after)
	}
}
