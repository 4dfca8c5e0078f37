package verifier_test

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/verifier"
)

// wallet is a member of staff's phone: a did:key and its signer.
type wallet struct {
	did    string
	signer keys.Signer
}

// newJWKWallet is a wallet whose DID is a did:jwk.
func newJWKWallet(t testing.TB, key crypto.Signer) *wallet {
	t.Helper()
	kid, err := didjwk.KeyID(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(key, kid)
	if err != nil {
		t.Fatal(err)
	}
	return &wallet{did: strings.SplitN(kid, "#", 2)[0], signer: s}
}

func newWallet(t testing.TB, key crypto.Signer) *wallet {
	t.Helper()
	kid, err := didkey.KeyID(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(key, kid)
	if err != nil {
		t.Fatal(err)
	}
	return &wallet{did: strings.SplitN(kid, "#", 2)[0], signer: s}
}

const (
	challenge = "c-7f3a9e1b"
	domain    = "https://gstt.nhs.uk"
)

// policy is the receiving organisation's, just after the presentation was
// made.
var policy = verifier.Policy{Challenge: challenge, Domain: domain, Now: now}

// credentialFor is a credential of o about w.
func credentialFor(o *org, w *wallet, mutate func(map[string]any)) []byte {
	return credentialJSON(o.did, func(c map[string]any) {
		c["credentialSubject"].(map[string]any)["id"] = w.did
		if mutate != nil {
			mutate(c)
		}
	})
}

// mixed is one credential of each securing format, all about w.
func mixed(t testing.TB, f *fixture, w *wallet) [][]byte {
	return [][]byte{
		issue(t, f.kch, credentialFor(f.kch, w, nil), issuer.FormatJWT),
		issue(t, f.kch, credentialFor(f.kch, w, nil), issuer.FormatEdDSARDFC2022),
		issue(t, f.p256, credentialFor(f.p256, w, nil), issuer.FormatECDSARDFC2019),
		issue(t, f.p384, credentialFor(f.p384, w, nil), issuer.FormatECDSAJCS2019),
	}
}

func present(t testing.TB, w *wallet, creds [][]byte, format vc.Format, mutate func(*holder.Options)) []byte {
	t.Helper()
	opts := holder.Options{Format: format, Challenge: challenge, Domain: domain, Created: now.Add(-time.Minute)}
	if mutate != nil {
		mutate(&opts)
	}
	vp, err := holder.Present(creds, w.signer, opts)
	if err != nil {
		t.Fatalf("Present: %v", err)
	}
	return vp
}

// presentationFormats are the ways a wallet secures a presentation, with
// a wallet whose key fits.
func presentationFormats(t testing.TB) []struct {
	name   string
	format vc.Format
	w      *wallet
} {
	p256, err := keys.Generate(keys.P256)
	if err != nil {
		t.Fatal(err)
	}
	ed := newWallet(t, seededEd25519(9))
	return []struct {
		name   string
		format vc.Format
		w      *wallet
	}{
		{"vp+jwt", vc.FormatJWT, ed},
		{"eddsa-rdfc-2022", vc.FormatEdDSARDFC2022, ed},
		{"ecdsa-rdfc-2019", vc.FormatECDSARDFC2019, newWallet(t, p256)},
		{"eddsa-jcs-2022", vc.FormatEdDSAJCS2022, ed},
		{"vp+jwt by a did:jwk wallet", vc.FormatJWT, newJWKWallet(t, p256)},
		{"eddsa-rdfc-2022 by a did:jwk wallet", vc.FormatEdDSARDFC2022, newJWKWallet(t, seededEd25519(12))},
	}
}

// A presentation of credentials in every format, in every presentation
// format, verifies: every check passes, and each credential has its Result.
func TestPresentationsOfMixedCredentialsVerify(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	for _, pf := range presentationFormats(t) {
		t.Run(pf.name, func(t *testing.T) {
			creds := mixed(t, f, pf.w)
			vp := present(t, pf.w, creds, pf.format, nil)
			r, err := v.Verify(context.Background(), vp, policy)
			if err != nil {
				t.Fatalf("Verify: %v\n%s", err, report(r))
			}
			if r.Kind != verifier.KindPresentation || r.Holder != pf.w.did || len(r.Credentials) != len(creds) || r.MediaType != verifier.ResultMediaType {
				t.Fatalf("result: kind %s, holder %s, %d credentials", r.Kind, r.Holder, len(r.Credentials))
			}
			for i, cr := range r.Credentials {
				if !cr.Verified || cr.Kind != verifier.KindCredential || cr.MediaType != "" {
					t.Errorf("credential %d: %s", i+1, report(cr))
				}
			}
			for _, c := range r.Checks {
				if c.Status != verifier.Passed || c.Reason == "" {
					t.Errorf("check %s: %s %q", c.Name, c.Status, c.Reason)
				}
			}
		})
	}
}

func report(r *verifier.Result) string {
	out, _ := json.MarshalIndent(r, "", "  ")
	return string(out)
}

// Every way a presentation can be wrong is refused, by the check that
// names it.
func TestPresentationsRefused(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	for _, pf := range presentationFormats(t) {
		w := pf.w
		creds := mixed(t, f, w)
		good := present(t, w, creds, pf.format, nil)
		other := newWallet(t, seededEd25519(10))
		if pf.format == vc.FormatECDSARDFC2019 {
			k, _ := keys.Generate(keys.P256)
			other = newWallet(t, k)
		}
		tests := []struct {
			name   string
			vp     []byte
			policy verifier.Policy
			check  string
			want   error
		}{
			{"the wrong challenge", good, verifier.Policy{Challenge: "another", Domain: domain, Now: now}, verifier.CheckChallenge, verifier.ErrChallenge},
			{"no challenge in the policy", good, verifier.Policy{Domain: domain, Now: now}, verifier.CheckChallenge, verifier.ErrChallenge},
			{"the wrong domain", good, verifier.Policy{Challenge: challenge, Domain: "https://kch.nhs.uk", Now: now}, verifier.CheckDomain, verifier.ErrDomain},
			{"replayed to another verifier", good, verifier.Policy{Challenge: challenge, Domain: "https://evil.example", Now: now}, verifier.CheckDomain, verifier.ErrDomain},
			{"no domain in the policy", good, verifier.Policy{Challenge: challenge, Now: now}, verifier.CheckDomain, verifier.ErrDomain},
			{"made too long ago", good, verifier.Policy{Challenge: challenge, Domain: domain, Now: now.Add(time.Hour)}, verifier.CheckFreshness, verifier.ErrStalePresentation},
			{"made in the future", good, verifier.Policy{Challenge: challenge, Domain: domain, Now: now.Add(-time.Hour)}, verifier.CheckFreshness, verifier.ErrStalePresentation},
			{"expired", present(t, w, creds, pf.format, func(o *holder.Options) { o.Created, o.Expires = now.Add(-5*time.Minute), now.Add(-2*time.Minute) }), policy, verifier.CheckFreshness, verifier.ErrStalePresentation},
			{"the holder not the subject", present(t, other, creds, pf.format, nil), policy, verifier.CheckHolderBinding, verifier.ErrHolderBinding},
			{"a credential that does not verify", present(t, w, append(creds[:1:1], issue(t, f.other, credentialFor(f.other, w, nil), issuer.FormatJWT)), pf.format, nil), policy, verifier.CheckCredentials, verifier.ErrUntrustedIssuer},
			{"an expired credential", present(t, w, [][]byte{issue(t, f.kch, credentialFor(f.kch, w, func(c map[string]any) { c["validUntil"] = "2026-06-01T00:00:00Z" }), issuer.FormatEdDSARDFC2022)}, pf.format, nil), policy, verifier.CheckCredentials, verifier.ErrExpired},
			{"a credential not yet valid", present(t, w, [][]byte{issue(t, f.kch, credentialFor(f.kch, w, func(c map[string]any) { c["validFrom"] = "2026-12-24T00:00:00Z" }), issuer.FormatJWT)}, pf.format, nil), policy, verifier.CheckCredentials, verifier.ErrNotYetValid},
		}
		for _, tt := range tests {
			t.Run(pf.name+"/"+tt.name, func(t *testing.T) {
				r, err := v.Verify(context.Background(), tt.vp, tt.policy)
				if err == nil || r.Verified {
					t.Fatalf("verified:\n%s", report(r))
				}
				c := r.Check(tt.check)
				if c == nil || c.Status != verifier.Failed || !errors.Is(c.Err, tt.want) || !errors.Is(err, tt.want) || c.Reason == "" {
					t.Fatalf("check %s = %+v, err %v; want failed with %v\n%s", tt.check, c, err, tt.want, report(r))
				}
			})
		}
	}
}

// A presentation changed after its holder signed it is refused, in each
// format; and one signed by a key that is not the holder's.
func TestTamperedPresentationsRefused(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	for _, pf := range presentationFormats(t) {
		w := pf.w
		creds := mixed(t, f, w)
		good := present(t, w, creds, pf.format, nil)
		t.Run(pf.name, func(t *testing.T) {
			if pf.format == vc.FormatJWT {
				parts := strings.Split(string(good), ".")
				payload := decodeSegment(t, parts[1])
				payload = strings.Replace(payload, challenge, "c-00000000", 1)
				tampered := parts[0] + "." + b64(payload) + "." + parts[2]
				r, err := v.Verify(context.Background(), []byte(tampered), verifier.Policy{Challenge: "c-00000000", Domain: domain, Now: now})
				if !errors.Is(err, verifier.ErrProof) || r.Verified {
					t.Fatalf("a vp+jwt with its nonce changed: %v", err)
				}
				return
			}
			var m map[string]any
			json.Unmarshal(good, &m)
			m["proof"].(map[string]any)["challenge"] = "c-00000000"
			tampered, _ := json.Marshal(m)
			if _, err := v.Verify(context.Background(), tampered, verifier.Policy{Challenge: "c-00000000", Domain: domain, Now: now}); !errors.Is(err, verifier.ErrProof) {
				t.Fatalf("a proof with its challenge changed: %v", err)
			}
			json.Unmarshal(good, &m)
			m["holder"] = newWallet(t, seededEd25519(11)).did
			tampered, _ = json.Marshal(m)
			r, err := v.Verify(context.Background(), tampered, policy)
			if !errors.Is(err, verifier.ErrIssuerKey) || r.Check(verifier.CheckVerificationMethod).Status != verifier.Failed {
				t.Fatalf("a holder changed to someone else: %v\n%s", err, report(r))
			}
			// A credential dropped from the presentation.
			json.Unmarshal(good, &m)
			m["verifiableCredential"] = m["verifiableCredential"].([]any)[1:]
			tampered, _ = json.Marshal(m)
			if _, err := v.Verify(context.Background(), tampered, policy); !errors.Is(err, verifier.ErrProof) {
				t.Fatalf("a credential dropped: %v", err)
			}
		})
	}
}

func decodeSegment(t *testing.T, s string) string {
	t.Helper()
	out, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// The rewrites of a credential that keep its RDF (and so the signature of
// an -rdfc- proof), made to a credential inside a Data Integrity
// presentation, are refused: the presentation's own proof is not bound.
func TestRewritesInsideAPresentationAreRefused(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	w := newWallet(t, seededEd25519(9))
	for _, suite := range rdfcSuites(f) {
		world := &statusWorld{fixture: f, dir: t.TempDir()}
		reg, err := registry.Create(context.Background(), filepath.Join(world.dir, "registry.db"),
			registry.Config{StatusBaseURL: "https://" + suite.org.did[len("did:web:"):] + "/status"})
		if err != nil {
			t.Fatal(err)
		}
		world.reg = reg
		cred := world.issueAs(t, suite.org, suite.format, func(c map[string]any) {
			c["credentialSubject"].(map[string]any)["id"] = w.did
		})
		reg.Close()
		for _, rw := range credentialRewrites() {
			t.Run(suite.name+"/"+rw.name, func(t *testing.T) {
				// staffpass's holder refuses to sign what is not bound;
				// another wallet signs whatever it is given, here with a
				// suite that signs the JSON as it is.
				var in any
				json.Unmarshal(applyRewrite(t, cred, rw), &in)
				doc, _ := json.Marshal(map[string]any{
					"@context": []any{vc.ContextV2}, "type": []any{vc.TypePresentation},
					"holder": w.did, "verifiableCredential": []any{in},
				})
				vp, err := dataintegrity.Sign(doc, dataintegrity.SignOptions{Suite: dataintegrity.EdDSAJCS2022, Signer: w.signer,
					Purpose: dataintegrity.Authentication, Created: now.Add(-time.Minute), Challenge: challenge, Domain: domain}, nil)
				if err != nil {
					t.Fatal(err)
				}
				r, err := v.Verify(context.Background(), vp, policy)
				if err == nil || r.Verified {
					t.Fatalf("verified:\n%s", report(r))
				}
				if !errors.Is(err, verifier.ErrNotBound) && !errors.Is(err, verifier.ErrMalformed) {
					t.Fatalf("err = %v, want ErrNotBound (or the credential refused as malformed)", err)
				}
				if syntax := r.Check(verifier.CheckSyntax); syntax.Status == verifier.Failed {
					return // the whole presentation is refused as malformed
				}
				if c := r.Check(verifier.CheckCredentials); c.Status != verifier.Failed {
					t.Fatalf("credentials check %+v", c)
				}
			})
		}
	}
	// And a presentation of a credential signed as it should be, rewritten
	// after the holder signed the presentation with an -rdfc- suite: the
	// presentation's own proof is not bound.
	for _, rw := range credentialRewrites() {
		t.Run("the presentation's proof/"+rw.name, func(t *testing.T) {
			world := &statusWorld{fixture: f, dir: t.TempDir()}
			reg, err := registry.Create(context.Background(), filepath.Join(world.dir, "registry.db"),
				registry.Config{StatusBaseURL: "https://kch.nhs.uk/status"})
			if err != nil {
				t.Fatal(err)
			}
			defer reg.Close()
			world.reg = reg
			cred := world.issueAs(t, f.kch, issuer.FormatEdDSARDFC2022, func(c map[string]any) {
				c["credentialSubject"].(map[string]any)["id"] = w.did
			})
			vp := present(t, w, [][]byte{cred}, vc.FormatEdDSARDFC2022, nil)
			var m map[string]any
			json.Unmarshal(vp, &m)
			inner, _ := json.Marshal(m["verifiableCredential"].([]any)[0])
			var rewritten any
			json.Unmarshal(applyRewrite(t, inner, rw), &rewritten)
			m["verifiableCredential"] = []any{rewritten}
			tampered, _ := json.Marshal(m)
			r, err := v.Verify(context.Background(), tampered, policy)
			if err == nil || r.Verified {
				t.Fatalf("verified:\n%s", report(r))
			}
			if syntax := r.Check(verifier.CheckSyntax); syntax.Status == verifier.Failed && errors.Is(err, verifier.ErrMalformed) {
				return // the whole presentation is refused as malformed
			}
			if c := r.Check(verifier.CheckProof); c.Status != verifier.Failed || !errors.Is(c.Err, verifier.ErrNotBound) {
				t.Fatalf("the presentation's proof check %+v, want ErrNotBound", c)
			}
		})
	}
}

// A presentation inside a presentation is refused.
func TestNestedPresentationsRefused(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	w := newWallet(t, seededEd25519(9))
	var inner any
	json.Unmarshal(present(t, w, mixed(t, f, w)[:1], vc.FormatEdDSAJCS2022, nil), &inner)
	outer, _ := json.Marshal(map[string]any{
		"@context":             []any{vc.ContextV2},
		"type":                 []any{vc.TypePresentation},
		"holder":               w.did,
		"verifiableCredential": []any{inner},
	})
	signed, err := dataintegrity.Sign(outer, dataintegrity.SignOptions{Suite: dataintegrity.EdDSAJCS2022, Signer: w.signer,
		Purpose: dataintegrity.Authentication, Created: now.Add(-time.Minute), Challenge: challenge, Domain: domain}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.Verify(context.Background(), signed, policy)
	if r.Verified || !errors.Is(err, verifier.ErrMalformed) {
		t.Fatalf("err = %v:\n%s", err, report(r))
	}
}
