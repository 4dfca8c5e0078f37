package dataintegrity

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/keys"
)

// staffCredential is a staff credential whose inline context gives it an
// ordered list (trainingModules, @list) and an unordered set (roles).
const staffCredential = `{
  "@context": [
    "https://www.w3.org/ns/credentials/v2",
    {
      "StaffCredential": "https://staffpass.example/vocab#StaffCredential",
      "staffNumber": "https://staffpass.example/vocab#staffNumber",
      "roles": "https://staffpass.example/vocab#roles",
      "trainingModules": {"@id": "https://staffpass.example/vocab#trainingModules", "@container": "@list"}
    }
  ],
  "id": "urn:uuid:0b7e2d1c-4a8e-4c39-9d1e-7f2a2b6c9e01",
  "type": ["VerifiableCredential", "StaffCredential"],
  "issuer": "did:web:kch.nhs.uk",
  "validFrom": "2026-01-01T00:00:00Z",
  "credentialSubject": {
    "id": "did:example:staff-1",
    "staffNumber": "123456",
    "roles": ["nurse", "ward manager"],
    "trainingModules": ["fire safety", "infection control", "safeguarding"]
  }
}`

// suiteKey is one cryptosuite with one key type.
type suiteKey struct {
	suite string
	kt    keys.KeyType
}

var suiteKeys = []suiteKey{
	{EdDSARDFC2022, keys.Ed25519},
	{EdDSAJCS2022, keys.Ed25519},
	{ECDSARDFC2019, keys.P256},
	{ECDSARDFC2019, keys.P384},
	{ECDSAJCS2019, keys.P256},
	{ECDSAJCS2019, keys.P384},
}

func (sk suiteKey) String() string { return sk.suite + " " + string(sk.kt) }

func (sk suiteKey) jcs() bool { return strings.Contains(sk.suite, "-jcs-") }

// signed signs doc for sk with signer and options changed by edit.
func signWith(t *testing.T, doc string, sk suiteKey, signer keys.Signer, edit func(*SignOptions)) []byte {
	t.Helper()
	opts := SignOptions{Suite: sk.suite, Signer: signer, Purpose: AssertionMethod, Created: verifyAt.Add(-time.Hour)}
	if edit != nil {
		edit(&opts)
	}
	out, err := Sign([]byte(doc), opts, nil)
	if err != nil {
		t.Fatalf("%s: %v", sk, err)
	}
	return out
}

// edit decodes a signed document, changes it and encodes it again.
func edit(t *testing.T, doc []byte, f func(doc, subject, proof map[string]any)) []byte {
	t.Helper()
	m := decodeObject(t, doc)
	subject, _ := m["credentialSubject"].(map[string]any)
	proof, _ := m["proof"].(map[string]any)
	f(m, subject, proof)
	return mustJSON(t, m)
}

// Every change to what a proof signs makes it fail, with the error that
// says what is wrong; changes RDF does not see (white space, member order,
// the order of a set) still verify under the -rdfc- suites, and JCS sees
// all but white space and member order.
func TestTamperedDocumentsFail(t *testing.T) {
	type tamper struct {
		name      string
		change    func(t *testing.T, signed []byte, sk suiteKey) []byte
		opts      func(*VerifyOptions, suiteKey)
		rdfc, jcs error // nil: still verifies
	}
	member := func(f func(doc, subject, proof map[string]any)) func(*testing.T, []byte, suiteKey) []byte {
		return func(t *testing.T, signed []byte, _ suiteKey) []byte { return edit(t, signed, f) }
	}
	proofValue := func(f func(string) string) func(*testing.T, []byte, suiteKey) []byte {
		return member(func(_, _, p map[string]any) { p["proofValue"] = f(p["proofValue"].(string)) })
	}
	tampers := []tamper{
		{
			name:   "an unchanged document verifies",
			change: func(_ *testing.T, signed []byte, _ suiteKey) []byte { return signed },
		},
		{
			name:   "white space and member order do not matter",
			change: member(func(_, _, _ map[string]any) {}), // re-encoded compact, members sorted
		},
		{
			name:   "a changed claim",
			change: member(func(_, s, _ map[string]any) { s["staffNumber"] = "654321" }),
			rdfc:   ErrSignature, jcs: ErrSignature,
		},
		{
			name:   "an added claim",
			change: member(func(d, _, _ map[string]any) { d["validUntil"] = "2030-01-01T00:00:00Z" }),
			rdfc:   ErrSignature, jcs: ErrSignature,
		},
		{
			name: "a changed @context entry",
			change: member(func(d, _, _ map[string]any) {
				d["@context"].([]any)[1].(map[string]any)["staffNumber"] = "https://staffpass.example/vocab#employeeNumber"
			}),
			rdfc: ErrSignature, jcs: ErrContext,
		},
		{
			name: "a reordered @list",
			change: member(func(_, s, _ map[string]any) {
				slices.Reverse(s["trainingModules"].([]any))
			}),
			rdfc: ErrSignature, jcs: ErrSignature,
		},
		{
			name: "a reordered set (RDF does not order it)",
			change: member(func(_, s, _ map[string]any) {
				slices.Reverse(s["roles"].([]any))
			}),
			rdfc: nil, jcs: ErrSignature,
		},
		{
			name:   "a changed created",
			change: member(func(_, _, p map[string]any) { p["created"] = verifyAt.Add(-2 * time.Hour).Format(time.RFC3339) }),
			rdfc:   ErrSignature, jcs: ErrSignature,
		},
		{
			name:   "an added proof member",
			change: member(func(_, _, p map[string]any) { p["nonce"] = "123" }),
			rdfc:   ErrSignature, jcs: ErrSignature,
		},
		{
			name:   "a proof member the context does not define",
			change: member(func(_, _, p map[string]any) { p["comment"] = "hello" }),
			rdfc:   ErrContext, jcs: ErrSignature,
		},
		{
			name:   "a changed purpose, verified for that purpose",
			change: member(func(_, _, p map[string]any) { p["proofPurpose"] = Authentication }),
			opts:   func(o *VerifyOptions, _ suiteKey) { o.Purpose = Authentication },
			rdfc:   ErrSignature, jcs: ErrSignature,
		},
		{
			name:   "a changed purpose",
			change: member(func(_, _, p map[string]any) { p["proofPurpose"] = Authentication }),
			rdfc:   ErrPurpose, jcs: ErrPurpose,
		},
		{
			name: "a changed verification method",
			change: func(t *testing.T, signed []byte, sk suiteKey) []byte {
				other := didKeyMethod(t, newSigner(t, sk.kt).Public())
				return edit(t, signed, func(_, _, p map[string]any) { p["verificationMethod"] = other })
			},
			rdfc: ErrSignature, jcs: ErrSignature,
		},
		{
			name: "the proof moved to another document",
			change: func(t *testing.T, signed []byte, sk suiteKey) []byte {
				proof := decodeObject(t, signed)["proof"]
				other := decodeObject(t, []byte(strings.Replace(staffCredential, "did:example:staff-1", "did:example:staff-2", 1)))
				other["proof"] = proof
				return mustJSON(t, other)
			},
			rdfc: ErrSignature, jcs: ErrSignature,
		},
		{
			name:   "a truncated proofValue",
			change: proofValue(func(v string) string { return v[:len(v)-10] }),
			rdfc:   ErrInvalidProof, jcs: ErrInvalidProof,
		},
		{
			name:   "an extended proofValue",
			change: proofValue(func(v string) string { return v + "2222222222" }),
			rdfc:   ErrInvalidProof, jcs: ErrInvalidProof,
		},
		{
			name:   "a proofValue with another multibase prefix",
			change: proofValue(func(v string) string { return "u" + v[1:] }),
			rdfc:   ErrInvalidProof, jcs: ErrInvalidProof,
		},
		{
			name:   "a proofValue that is not base58",
			change: proofValue(func(v string) string { return v[:10] + "0OIl" + v[14:] }),
			rdfc:   ErrInvalidProof, jcs: ErrInvalidProof,
		},
		{
			name: "a cryptosuite that does not fit the key",
			change: func(t *testing.T, signed []byte, sk suiteKey) []byte {
				swap := map[string]string{EdDSARDFC2022: ECDSARDFC2019, EdDSAJCS2022: ECDSAJCS2019, ECDSARDFC2019: EdDSARDFC2022, ECDSAJCS2019: EdDSAJCS2022}
				return edit(t, signed, func(_, _, p map[string]any) { p["cryptosuite"] = swap[sk.suite] })
			},
			rdfc: ErrKeyType, jcs: ErrKeyType,
		},
		{
			name: "a cryptosuite of the other transformation",
			change: func(t *testing.T, signed []byte, sk suiteKey) []byte {
				swap := map[string]string{EdDSARDFC2022: EdDSAJCS2022, EdDSAJCS2022: EdDSARDFC2022, ECDSARDFC2019: ECDSAJCS2019, ECDSAJCS2019: ECDSARDFC2019}
				return edit(t, signed, func(_, _, p map[string]any) { p["cryptosuite"] = swap[sk.suite] })
			},
			// A -jcs- proof carries the document's @context, which no
			// -rdfc- proof signs.
			rdfc: ErrSignature, jcs: ErrNotBound,
		},
		{
			name: "an @context added to the proof",
			change: func(t *testing.T, signed []byte, sk suiteKey) []byte {
				return edit(t, signed, func(_, _, p map[string]any) {
					if _, ok := p["@context"]; !ok {
						p["@context"] = []any{"https://www.w3.org/ns/credentials/v2"}
					}
				})
			},
			rdfc: ErrNotBound, jcs: nil,
		},
		{
			name:   "an allow-list without the suite",
			change: func(_ *testing.T, signed []byte, _ suiteKey) []byte { return signed },
			opts: func(o *VerifyOptions, sk suiteKey) {
				o.Suites = slices.DeleteFunc(slices.Clone(allSuites), func(s string) bool { return s == sk.suite })
			},
			rdfc: ErrUnsupportedSuite, jcs: ErrUnsupportedSuite,
		},
		{
			name:   "a verification time before created, beyond the clock skew",
			change: func(_ *testing.T, signed []byte, _ suiteKey) []byte { return signed },
			opts:   func(o *VerifyOptions, _ suiteKey) { o.Now = verifyAt.Add(-2 * time.Hour) },
			rdfc:   ErrCreatedInFuture, jcs: ErrCreatedInFuture,
		},
		{
			name:   "a verification time just before created, within the clock skew",
			change: func(_ *testing.T, signed []byte, _ suiteKey) []byte { return signed },
			opts:   func(o *VerifyOptions, _ suiteKey) { o.Now = verifyAt.Add(-time.Hour - time.Minute) },
		},
		{
			name:   "an expected challenge the proof does not have",
			change: func(_ *testing.T, signed []byte, _ suiteKey) []byte { return signed },
			opts:   func(o *VerifyOptions, _ suiteKey) { o.Challenge = "c-123" },
			rdfc:   ErrChallenge, jcs: ErrChallenge,
		},
		{
			name:   "an expected domain the proof does not have",
			change: func(_ *testing.T, signed []byte, _ suiteKey) []byte { return signed },
			opts:   func(o *VerifyOptions, _ suiteKey) { o.Domain = "nhs.example" },
			rdfc:   ErrDomain, jcs: ErrDomain,
		},
	}
	for _, sk := range suiteKeys {
		signer := newSigner(t, sk.kt)
		signed := signWith(t, staffCredential, sk, signer, nil)
		for _, tc := range tampers {
			t.Run(sk.String()+"/"+tc.name, func(t *testing.T) {
				want := tc.rdfc
				if sk.jcs() {
					want = tc.jcs
				}
				opts := verifyOptions()
				if tc.opts != nil {
					tc.opts(&opts, sk)
				}
				results, err := Verify(context.Background(), tc.change(t, signed, sk), opts)
				if len(results) != 1 {
					t.Fatalf("%d results, err %v", len(results), err)
				}
				if want == nil {
					if err != nil {
						t.Fatalf("err = %v, want it to verify", err)
					}
					return
				}
				if !errors.Is(err, want) || !errors.Is(results[0].Err, want) {
					t.Fatalf("err = %v, want %v", err, want)
				}
			})
		}
	}
}

// Challenge, domain and expiry are checked when the proof carries them.
func TestBoundProofs(t *testing.T) {
	for _, sk := range suiteKeys {
		signer := newSigner(t, sk.kt)
		signed := signWith(t, staffCredential, sk, signer, func(o *SignOptions) {
			o.Purpose = Authentication
			o.Challenge = "c-123"
			o.Domain = "nhs.example"
			o.Nonce = "n-1"
			o.Expires = verifyAt.Add(time.Hour)
		})
		tests := []struct {
			name string
			opts func(*VerifyOptions)
			want error
		}{
			{"the expected challenge and domain verify", func(o *VerifyOptions) { o.Challenge, o.Domain = "c-123", "nhs.example" }, nil},
			{"no expectation verifies", func(o *VerifyOptions) {}, nil},
			{"another challenge fails", func(o *VerifyOptions) { o.Challenge = "c-124" }, ErrChallenge},
			{"another domain fails", func(o *VerifyOptions) { o.Domain = "nhs.example.org" }, ErrDomain},
			{"another purpose fails", func(o *VerifyOptions) { o.Purpose = AssertionMethod }, ErrPurpose},
			{"a time at expires fails", func(o *VerifyOptions) { o.Now = verifyAt.Add(time.Hour) }, ErrExpired},
			{"a time after expires fails", func(o *VerifyOptions) { o.Now = verifyAt.Add(48 * time.Hour) }, ErrExpired},
		}
		for _, tt := range tests {
			t.Run(sk.String()+"/"+tt.name, func(t *testing.T) {
				opts := verifyOptions()
				opts.Purpose = Authentication
				tt.opts(&opts)
				_, err := Verify(context.Background(), signed, opts)
				if tt.want == nil && err != nil || !errors.Is(err, tt.want) {
					t.Errorf("err = %v, want %v", err, tt.want)
				}
			})
		}
	}
}

// A key that does not fit the proof is ErrKeyType, whatever the
// signature's bytes.
func TestKeysThatDoNotFitTheSuite(t *testing.T) {
	p256, p384, ed := newSigner(t, keys.P256), newSigner(t, keys.P384), newSigner(t, keys.Ed25519)
	tests := []struct {
		name   string
		sk     suiteKey
		signer keys.Signer
		key    crypto.PublicKey
	}{
		{"a P-384 key for a P-256 signature", suiteKey{ECDSARDFC2019, keys.P256}, p256, p384.Public()},
		{"a P-256 key for a P-384 signature", suiteKey{ECDSAJCS2019, keys.P384}, p384, p256.Public()},
		{"an Ed25519 key for an ECDSA proof", suiteKey{ECDSARDFC2019, keys.P256}, p256, ed.Public()},
		{"a P-256 key for an EdDSA proof", suiteKey{EdDSARDFC2022, keys.Ed25519}, ed, p256.Public()},
		{"an RSA-sized stand-in: a key of no supported type", suiteKey{EdDSAJCS2022, keys.Ed25519}, ed, "not a key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signed := signWith(t, staffCredential, tt.sk, tt.signer, nil)
			opts := verifyOptions()
			opts.Key = func(context.Context, string, string) (crypto.PublicKey, error) { return tt.key, nil }
			if _, err := Verify(context.Background(), signed, opts); !errors.Is(err, ErrKeyType) {
				t.Errorf("err = %v, want ErrKeyType", err)
			}
		})
	}
}

// The KeyFunc's error reaches the caller, and it is asked about the
// proof's method and purpose.
func TestKeyFuncErrorsAreWrapped(t *testing.T) {
	signer := newSigner(t, keys.Ed25519)
	signed := signWith(t, staffCredential, suiteKeys[0], signer, nil)
	errUntrusted := errors.New("untrusted issuer")
	opts := verifyOptions()
	opts.Key = func(_ context.Context, vm, purpose string) (crypto.PublicKey, error) {
		if vm != signer.KeyID() || purpose != AssertionMethod {
			t.Errorf("KeyFunc(%q, %q)", vm, purpose)
		}
		return nil, errUntrusted
	}
	results, err := Verify(context.Background(), signed, opts)
	if !errors.Is(err, errUntrusted) || len(results) != 1 || !errors.Is(results[0].Err, errUntrusted) {
		t.Errorf("err = %v", err)
	}
}

// ProofResult.Proof holds the proof as read.
func TestResultsHoldTheProof(t *testing.T) {
	signer := newSigner(t, keys.Ed25519)
	signed := signWith(t, staffCredential, suiteKeys[0], signer, func(o *SignOptions) { o.ID = "urn:uuid:p1"; o.Nonce = "n" })
	results, err := Verify(context.Background(), signed, verifyOptions())
	if err != nil {
		t.Fatal(err)
	}
	p := results[0].Proof
	if p.VerificationMethod != signer.KeyID() || p.ID != "urn:uuid:p1" || p.Nonce != "n" || p.Cryptosuite != EdDSARDFC2022 ||
		!p.Created.Equal(verifyAt.Add(-time.Hour)) || p.ProofPurpose != AssertionMethod {
		t.Errorf("proof %+v", p)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := mustJSON(t, decodeObject(t, signed)["proof"]); !jsonEqual(t, raw, want) {
		t.Errorf("marshalled proof %s, want %s", raw, want)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	return string(mustJSON(t, jsonValue(t, a))) == string(mustJSON(t, jsonValue(t, b)))
}

// A member named "" is dropped by JSON-LD expansion even under @vocab,
// so no RDFC proof covers it: adding one after signing must not verify.
func TestAnAddedEmptyMemberNameFails(t *testing.T) {
	const doc = `{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
  "id": "urn:uuid:0b7e2d1c-4a8e-4c39-9d1e-7f2a2b6c9e02",
  "type": ["VerifiableCredential", "ExampleStaffCredential"],
  "issuer": "did:web:kch.nhs.uk",
  "validFrom": "2026-01-01T00:00:00Z",
  "credentialSubject": {"id": "did:example:staff-1", "name": "Sam"}
}`
	for _, sk := range suiteKeys {
		t.Run(sk.String(), func(t *testing.T) {
			signed := signWith(t, doc, sk, newSigner(t, sk.kt), nil)
			if _, err := Verify(context.Background(), signed, verifyOptions()); err != nil {
				t.Fatalf("the signed document: %v", err)
			}
			for _, where := range []string{"the credential", "its subject", "a claim's value"} {
				tampered := edit(t, signed, func(d, s, _ map[string]any) {
					switch where {
					case "the credential":
						d[""] = "x"
					case "its subject":
						s[""] = "a claim no proof covers"
					default:
						s["name"] = map[string]any{"": "Sam"}
					}
				})
				_, err := Verify(context.Background(), tampered, verifyOptions())
				if err == nil {
					t.Errorf("an empty member name added to %s verifies", where)
				} else if !sk.jcs() && !errors.Is(err, ld.ErrUndefinedTerm) {
					t.Errorf("%s: err = %v, want ld.ErrUndefinedTerm", where, err)
				}
			}
		})
	}
}
