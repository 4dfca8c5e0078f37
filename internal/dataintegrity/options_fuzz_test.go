package dataintegrity

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/rdfc"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
)

const (
	secNS   = "https://w3id.org/security#"
	dcNS    = "http://purl.org/dc/terms/"
	rdfType = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
)

// v1Credential is a VCDM 1.1 credential, whose base context does not define
// DataIntegrityProof: the data integrity context does, or an inline one.
const v1Credential = `{
  "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/data-integrity/v2"],
  "id": "urn:uuid:7d9c3e1a-5b2f-4e8d-9a61-3c0f2b7e4d15",
  "type": ["VerifiableCredential"],
  "issuer": "did:web:kch.nhs.uk",
  "issuanceDate": "2026-01-01T00:00:00Z",
  "credentialSubject": {"id": "did:example:staff-1"}
}`

// proofIRIs are the IRIs the members of a DataIntegrityProof stand for.
var proofIRIs = map[string]string{
	"type": "@type", "id": "@id", "cryptosuite": secNS + "cryptosuite", "created": dcNS + "created",
	"expires": secNS + "expiration", "verificationMethod": secNS + "verificationMethod",
	"proofPurpose": secNS + "proofPurpose", "challenge": secNS + "challenge", "domain": secNS + "domain",
	"nonce": secNS + "nonce",
}

// purposeIRIs are the IRIs of the proof purposes, as the @vocab-coerced
// proofPurpose expands them.
var purposeIRIs = map[string]string{AssertionMethod: secNS + "assertionMethod", Authentication: secNS + "authenticationMethod"}

// proofOptions is what Verify judges of a proof, as both the proof's JSON
// and the signed proof configuration's RDF say it.
func (p *Proof) options() string {
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	domain := slices.Clone(p.Domain)
	slices.Sort(domain)
	return fmt.Sprintf("suite %q created %q expires %q method %q purpose %q challenge %q domain %q nonce %q",
		p.Cryptosuite, stamp(p.Created), stamp(p.Expires), p.VerificationMethod, purposeIRIs[p.ProofPurpose], p.Challenge, domain, p.Nonce)
}

// signedOptions reads the same from the proof configuration a proof of doc
// signs: the proof without its proofValue, under the document's @context,
// as JSON-LD safe mode converts it.
func signedOptions(t *testing.T, doc []byte) string {
	t.Helper()
	m := decodeObject(t, doc)
	proof := m["proof"].(map[string]any)
	delete(proof, "proofValue")
	proof["@context"] = m["@context"]
	quads, err := ld.ToRDF(proof, nil, ld.Safe)
	if err != nil {
		t.Fatal(err)
	}
	var node rdfc.Term
	for _, q := range quads {
		if q.Predicate.Value == rdfType && q.Object.Value == secNS+"DataIntegrityProof" {
			node = q.Subject
		}
	}
	values := map[string][]string{}
	for _, q := range quads {
		if q.Subject == node {
			values[q.Predicate.Value] = append(values[q.Predicate.Value], q.Object.Value)
		}
	}
	one := func(iri string) string {
		if len(values[iri]) != 1 {
			return ""
		}
		return values[iri][0]
	}
	date := func(iri string) string {
		s := one(iri)
		if s == "" {
			return ""
		}
		d, err := vc.ParseDateTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return d.Time().UTC().Format(time.RFC3339Nano)
	}
	domain := values[secNS+"domain"]
	slices.Sort(domain)
	return fmt.Sprintf("suite %q created %q expires %q method %q purpose %q challenge %q domain %q nonce %q",
		one(secNS+"cryptosuite"), date(dcNS+"created"), date(secNS+"expiration"), one(secNS+"verificationMethod"),
		one(secNS+"proofPurpose"), one(secNS+"challenge"), domain, one(secNS+"nonce"))
}

// FuzzProofOptionsAreSigned holds Verify to "judge what was signed" for a
// proof's own options: for an eddsa-rdfc-2022 proof it accepts, after the
// fuzzer rewrote the proof's JSON (members under their IRIs, value objects,
// arrays, duplicates, an @context of its own), the options it judged
// (suite, created, expires, method, purpose, challenge, domain, nonce)
// are those the signed proof configuration says.
func FuzzProofOptionsAreSigned(f *testing.F) {
	ed := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	signer, err := keys.NewSigner(ed, didKeyMethod(f, ed.Public()))
	if err != nil {
		f.Fatal(err)
	}
	for _, ops := range [][]byte{{0}, {1, 0, 0}, {2, 1, 3, 4}, {3, 3, 3, 3}, {4, 2, 0, 1}, {5, 0, 5, 6}, {6, 0}, {6, 2}, {6, 4}} {
		f.Add(byte(0), ops)
		f.Add(byte(0xff), ops)
		f.Add(byte(0x20), ops)
	}
	f.Fuzz(func(t *testing.T, which byte, ops []byte) {
		opts := SignOptions{Suite: EdDSARDFC2022, Signer: signer, Purpose: AssertionMethod, Created: verifyAt.Add(-time.Hour)}
		if which&1 != 0 {
			opts.Expires = verifyAt.Add(-time.Minute) // expired: must be refused however it is written
		}
		if which&2 != 0 {
			opts.Challenge = "c-1"
		}
		if which&4 != 0 {
			opts.Domain = "nhs.example"
		}
		if which&8 != 0 {
			opts.Nonce = "n-1"
		}
		if which&16 != 0 {
			opts.Purpose = Authentication
		}
		doc := staffCredential
		if which&32 != 0 {
			doc = v1Credential
		}
		signed := signWith(t, doc, suiteKey{EdDSARDFC2022, keys.Ed25519}, signer, func(o *SignOptions) { *o = opts })
		m := decodeObject(t, signed)
		proof := m["proof"].(map[string]any)
		// At most 16 rewrites: the duplicating one (3) doubles a value,
		// and a few thousand of them would fill any memory in the test
		// itself, before the verifier sees a byte.
		for i := 0; i+1 < len(ops) && i < 32; i += 2 {
			keys := make([]string, 0, len(proof))
			for k := range proof {
				if k != "proofValue" {
					keys = append(keys, k)
				}
			}
			if len(keys) == 0 {
				break // every option was deleted
			}
			slices.Sort(keys)
			k := keys[int(ops[i+1])%len(keys)]
			v := proof[k]
			switch ops[i] % 7 {
			case 0:
				if iri, ok := proofIRIs[k]; ok {
					delete(proof, k)
					proof[iri] = v
				}
			case 1:
				if s, ok := v.(string); ok {
					proof[k] = map[string]any{"@value": s}
				}
			case 2:
				proof[k] = []any{v}
			case 3:
				proof[k] = []any{v, v}
			case 4:
				proof["@context"] = m["@context"]
			case 5:
				delete(proof, k)
			case 6: // the proof vocabulary defined inline, one member renamed
				iri, ok := proofIRIs[k]
				if !ok || iri[0] == '@' {
					break
				}
				inline := map[string]any{
					"DataIntegrityProof": secNS + "DataIntegrityProof",
					"cryptosuite":        map[string]any{"@id": secNS + "cryptosuite", "@type": secNS + "cryptosuiteString"},
					"created":            map[string]any{"@id": dcNS + "created", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
					"expires":            map[string]any{"@id": secNS + "expiration", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
					"verificationMethod": map[string]any{"@id": secNS + "verificationMethod", "@type": "@id"},
					"proofPurpose":       map[string]any{"@id": secNS + "proofPurpose", "@type": "@vocab"},
					"assertionMethod":    secNS + "assertionMethod",
					"authentication":     secNS + "authenticationMethod",
					"challenge":          secNS + "challenge",
					"domain":             secNS + "domain",
					"nonce":              secNS + "nonce",
				}
				inline["x"+k] = inline[k]
				delete(inline, k)
				ctx, _ := m["@context"].([]any)
				var kept []any
				for _, c := range ctx {
					if c != "https://w3id.org/security/data-integrity/v2" {
						kept = append(kept, c)
					}
				}
				m["@context"] = append(kept, inline)
				proof["x"+k] = v
				delete(proof, k)
			}
		}
		input := mustJSON(t, m)
		vo := verifyOptions()
		vo.Purpose = opts.Purpose
		results, err := Verify(context.Background(), input, vo)
		if err != nil || len(results) != 1 || results[0].Proof == nil {
			return
		}
		if !opts.Expires.IsZero() {
			t.Fatalf("an expired proof verified:\n%s", input)
		}
		if got, want := results[0].Proof.options(), signedOptions(t, signed); got != want {
			t.Fatalf("Verify judged options the proof does not sign:\njudged: %s\nsigned: %s\ninput:  %s", got, want, input)
		}
	})
}
