package verifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/verifier"
)

const (
	secNS   = "https://w3id.org/security#"
	xsdDate = "http://www.w3.org/2001/XMLSchema#dateTime"
)

// v1Credential is a VCDM 1.1 credential of issuer, secured with
// eddsa-rdfc-2022, whose expirationDate is until.
func v1Credential(t *testing.T, f *fixture, until string, mutate func(map[string]any), opts func(*dataintegrity.SignOptions)) []byte {
	t.Helper()
	c := map[string]any{
		"@context":          []any{"https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/data-integrity/v2"},
		"id":                "urn:uuid:7d9c3e1a-5b2f-4e8d-9a61-3c0f2b7e4d15",
		"type":              []any{"VerifiableCredential"},
		"issuer":            f.kch.did,
		"issuanceDate":      "2026-01-01T00:00:00Z",
		"expirationDate":    until,
		"credentialSubject": map[string]any{"id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"},
	}
	if mutate != nil {
		mutate(c)
	}
	data, _ := json.Marshal(c)
	so := dataintegrity.SignOptions{Suite: dataintegrity.EdDSARDFC2022, Signer: f.kch.signer, Purpose: dataintegrity.AssertionMethod, Created: now.Add(-time.Hour)}
	if opts != nil {
		opts(&so)
	}
	out, err := dataintegrity.Sign(data, so, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// An -rdfc- proof does not sign a document's contexts, so a holder can swap
// them. A swap that keeps the RDF must not change what the verifier
// judges: these are the cases an audit of the bound profile found.
func TestContextSwapsThatKeepTheSignatureAreRefused(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	ctx := context.Background()
	swapContext := func(t *testing.T, signed []byte, newContext []any, rename func(doc, proof map[string]any)) []byte {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(signed, &m); err != nil {
			t.Fatal(err)
		}
		m["@context"] = newContext
		if rename != nil {
			rename(m, m["proof"].(map[string]any))
		}
		out, _ := json.Marshal(m)
		return out
	}
	// The proof vocabulary, defined inline, for a VCDM 1.1 document
	// without the data integrity context.
	inlineProof := func(extra map[string]any) map[string]any {
		m := map[string]any{
			"DataIntegrityProof": secNS + "DataIntegrityProof",
			"cryptosuite":        map[string]any{"@id": secNS + "cryptosuite", "@type": secNS + "cryptosuiteString"},
			"created":            map[string]any{"@id": "http://purl.org/dc/terms/created", "@type": xsdDate},
			"verificationMethod": map[string]any{"@id": secNS + "verificationMethod", "@type": "@id"},
			"proofPurpose":       map[string]any{"@id": secNS + "proofPurpose", "@type": "@vocab"},
			"assertionMethod":    secNS + "assertionMethod",
			"authentication":     secNS + "authenticationMethod",
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	t.Run("a VCDM 1.1 credential whose contexts are swapped for 2.0 ones keeps its expirationDate", func(t *testing.T) {
		signed := v1Credential(t, f, "2026-06-01T00:00:00Z", nil, nil)
		if _, err := v.Verify(ctx, signed, verifier.Policy{}); !errors.Is(err, verifier.ErrExpired) {
			t.Fatalf("as signed: %v, want ErrExpired", err)
		}
		swapped := swapContext(t, signed, []any{
			"https://www.w3.org/ns/credentials/v2",
			map[string]any{
				"issuanceDate":   map[string]any{"@id": credNS + "issuanceDate", "@type": xsdDate},
				"expirationDate": map[string]any{"@id": credNS + "expirationDate", "@type": xsdDate},
			},
		}, nil)
		if a, b := unsignedNQuads(t, signed), unsignedNQuads(t, swapped); string(a) != string(b) {
			t.Fatal("the swap changes the RDF")
		}
		r, err := v.Verify(ctx, swapped, verifier.Policy{})
		if err == nil || r.Verified {
			t.Fatalf("verified: %+v", r.Checks)
		}
		if !errors.Is(err, verifier.ErrExpired) && !errors.Is(err, verifier.ErrNotBound) {
			t.Fatalf("err = %v, want ErrExpired or ErrNotBound", err)
		}
	})

	t.Run("a VCDM 1.1 credential stating validUntil is judged by it", func(t *testing.T) {
		signed := v1Credential(t, f, "2030-01-01T00:00:00Z", func(c map[string]any) { c["validUntil"] = "2026-06-01T00:00:00Z" }, nil)
		if _, err := v.Verify(ctx, signed, verifier.Policy{}); !errors.Is(err, verifier.ErrExpired) {
			t.Fatalf("err = %v, want ErrExpired", err)
		}
	})

	t.Run("a proof's expires renamed by an inline proof vocabulary", func(t *testing.T) {
		signed := v1Credential(t, f, "2030-01-01T00:00:00Z", nil, func(o *dataintegrity.SignOptions) { o.Expires = now.Add(-time.Minute) })
		if _, err := v.Verify(ctx, signed, verifier.Policy{}); !errors.Is(err, dataintegrity.ErrExpired) {
			t.Fatalf("as signed: %v, want the proof expired", err)
		}
		swapped := swapContext(t, signed, []any{
			"https://www.w3.org/2018/credentials/v1",
			inlineProof(map[string]any{"proofExpiry": map[string]any{"@id": secNS + "expiration", "@type": xsdDate}}),
		}, func(_, proof map[string]any) {
			proof["proofExpiry"] = proof["expires"]
			delete(proof, "expires")
		})
		r, err := v.Verify(ctx, swapped, verifier.Policy{})
		if !errors.Is(err, verifier.ErrNotBound) || r.Verified {
			t.Fatalf("err = %v, want ErrNotBound", err)
		}
	})

	t.Run("an authentication proof relabelled as an assertion", func(t *testing.T) {
		signed := v1Credential(t, f, "2030-01-01T00:00:00Z", nil, func(o *dataintegrity.SignOptions) { o.Purpose = dataintegrity.Authentication })
		swapped := swapContext(t, signed, []any{
			"https://www.w3.org/2018/credentials/v1",
			func() map[string]any {
				m := inlineProof(map[string]any{"assertionMethod": secNS + "authenticationMethod"})
				delete(m, "authentication")
				return m
			}(),
		}, func(_, proof map[string]any) { proof["proofPurpose"] = "assertionMethod" })
		r, err := v.Verify(ctx, swapped, verifier.Policy{})
		if !errors.Is(err, verifier.ErrNotBound) || r.Verified || !strings.Contains(err.Error(), `readers read "assertionMethod"`) {
			t.Fatalf("err = %v, want ErrNotBound for the relabelled purpose", err)
		}
	})

	t.Run("a claim under a served @vocab written under its IRI beside its name", func(t *testing.T) {
		const ex = "https://www.w3.org/ns/credentials/examples#"
		data := credentialJSON(f.kch.did, func(c map[string]any) {
			c["@context"] = []any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"}
			c["credentialSubject"].(map[string]any)["restriction"] = []any{"no-prescribing", "supervised-only"}
		})
		signed := issue(t, f.kch, data, issuer.FormatEdDSARDFC2022)
		if _, err := v.Verify(ctx, signed, verifier.Policy{}); err != nil {
			t.Fatalf("as signed: %v", err)
		}
		for name, rewrite := range map[string]func(s map[string]any){
			"split between the name and the IRI": func(s map[string]any) {
				s["restriction"], s[ex+"restriction"] = "supervised-only", "no-prescribing"
			},
			"moved to the IRI": func(s map[string]any) {
				s[ex+"restriction"] = s["restriction"]
				delete(s, "restriction")
			},
		} {
			t.Run(name, func(t *testing.T) {
				var m map[string]any
				json.Unmarshal(signed, &m)
				rewrite(m["credentialSubject"].(map[string]any))
				out, _ := json.Marshal(m)
				if a, b := unsignedNQuads(t, signed), unsignedNQuads(t, out); string(a) != string(b) {
					t.Fatal("the rewrite changes the RDF")
				}
				r, err := v.Verify(ctx, out, verifier.Policy{})
				if !errors.Is(err, verifier.ErrNotBound) || r.Verified {
					t.Fatalf("err = %v, want ErrNotBound", err)
				}
			})
		}
	})
}
