package verifier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/rdfc"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/status"
	"github.com/staffpass/staffpass/verifier"
)

const (
	credNS = "https://www.w3.org/2018/credentials#"
	xsdDT  = "http://www.w3.org/2001/XMLSchema#dateTime"
)

// rdfcSuites are the suites whose proofs sign RDF, with an organisation of
// the fixture that signs with each.
func rdfcSuites(f *fixture) []struct {
	name   string
	org    *org
	format issuer.Format
} {
	return []struct {
		name   string
		org    *org
		format issuer.Format
	}{
		{"eddsa-rdfc-2022", f.kch, issuer.FormatEdDSARDFC2022},
		{"ecdsa-rdfc-2019 P-256", f.p256, issuer.FormatECDSARDFC2019},
		{"ecdsa-rdfc-2019 P-384", f.p384, issuer.FormatECDSARDFC2019},
	}
}

// rewrite is a change to a signed credential's JSON that keeps its RDF, and
// so the signature of an -rdfc- proof, while hiding what hides names from a
// reader of the JSON.
type rewrite struct {
	name  string
	hides string // "status", "validUntil" or "subject"
	f     func(m map[string]any)
}

func moveMember(m map[string]any, from, to string) {
	m[to] = m[from]
	delete(m, from)
}

func addContext(m map[string]any, c any) {
	m["@context"] = append(m["@context"].([]any), c)
}

func credentialRewrites() []rewrite {
	return []rewrite{
		{"credentialStatus named by its absolute IRI", "status", func(m map[string]any) {
			moveMember(m, "credentialStatus", credNS+"credentialStatus")
		}},
		{"credentialStatus under an inline alias", "status", func(m map[string]any) {
			addContext(m, map[string]any{"cs": map[string]any{"@id": credNS + "credentialStatus", "@type": "@id"}})
			moveMember(m, "credentialStatus", "cs")
		}},
		{"credentialStatus under @nest", "status", func(m map[string]any) {
			m["@nest"] = map[string]any{"credentialStatus": m["credentialStatus"]}
			delete(m, "credentialStatus")
		}},
		{"the status entries moved to @included", "status", func(m map[string]any) {
			entries := m["credentialStatus"].([]any)
			var ids []any
			for _, e := range entries {
				ids = append(ids, e.(map[string]any)["id"])
			}
			m["@included"], m["credentialStatus"] = entries, ids
		}},
		{"the status entries linked in reverse", "status", func(m map[string]any) {
			entries := m["credentialStatus"].([]any)
			delete(m, "credentialStatus")
			for _, e := range entries {
				e.(map[string]any)["@reverse"] = map[string]any{credNS + "credentialStatus": map[string]any{"id": m["id"]}}
			}
			m["@included"] = entries
		}},
		{"validUntil under @nest", "validUntil", func(m map[string]any) {
			m["@nest"] = map[string]any{"validUntil": m["validUntil"]}
			delete(m, "validUntil")
		}},
		{"validUntil named by its absolute IRI, its datatype in a value object", "validUntil", func(m map[string]any) {
			m[credNS+"validUntil"] = map[string]any{"@value": m["validUntil"], "@type": xsdDT}
			delete(m, "validUntil")
		}},
		{"validUntil under an inline alias", "validUntil", func(m map[string]any) {
			addContext(m, map[string]any{"until": map[string]any{"@id": credNS + "validUntil", "@type": xsdDT}})
			moveMember(m, "validUntil", "until")
		}},
		{"the subject's id under an inline alias of @id", "subject", func(m map[string]any) {
			addContext(m, map[string]any{"sid": "@id"})
			moveMember(m["credentialSubject"].(map[string]any), "id", "sid")
		}},
		{"the subject's id under the keyword @id", "subject", func(m map[string]any) {
			moveMember(m["credentialSubject"].(map[string]any), "id", "@id")
		}},
		{"the credential inside a top-level @graph", "status", func(m map[string]any) {
			inner := make(map[string]any, len(m))
			for k, v := range m {
				if k != "@context" && k != "proof" {
					inner[k] = v
					delete(m, k)
				}
			}
			m["@graph"] = []any{inner}
		}},
	}
}

// applyRewrite decodes a signed credential, applies r and checks that JSON-LD
// reads the result (without its proof) as the same dataset as the original:
// the rewrite keeps the signature of an -rdfc- proof.
func applyRewrite(t *testing.T, signed []byte, r rewrite) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(signed, &m); err != nil {
		t.Fatal(err)
	}
	proof := m["proof"]
	r.f(m)
	m["proof"] = proof
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := unsignedNQuads(t, signed), unsignedNQuads(t, out); !bytes.Equal(a, b) {
		t.Fatalf("the rewrite changes the RDF, so it is no attack:\n%s\n%s", a, b)
	}
	return out
}

// unsignedNQuads is the canonical N-Quads of a document without its proof,
// read in JSON-LD safe mode (which accepts the rewrites).
func unsignedNQuads(t *testing.T, doc []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "proof")
	quads, err := ld.ToRDF(m, nil, ld.Safe)
	if err != nil {
		t.Fatalf("safe mode: %v", err)
	}
	res, err := rdfc.Canonicalize(quads, rdfc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.NQuads
}

// publishAs publishes the registry's lists signed by o in format, valid from
// at for validFor.
func (w *statusWorld) publishAs(t *testing.T, o *org, at time.Time, validFor time.Duration, format issuer.Format, dir string) [][]byte {
	t.Helper()
	pubs, err := issuer.PublishStatusLists(context.Background(), w.reg, o.signer, at,
		issuer.PublishOptions{Dir: filepath.Join(w.dir, dir), Format: format, ValidFor: validFor, Actor: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	var lists [][]byte
	for _, p := range pubs {
		data, err := os.ReadFile(p.File)
		if err != nil {
			t.Fatal(err)
		}
		lists = append(lists, data)
	}
	return lists
}

func (w *statusWorld) issueAs(t *testing.T, o *org, format issuer.Format, mutate func(map[string]any)) []byte {
	t.Helper()
	data := credentialJSON(o.did, func(c map[string]any) {
		delete(c, "id")
		if mutate != nil {
			mutate(c)
		}
	})
	rec, _, err := issuer.IssueRecorded(context.Background(), w.reg, o.signer,
		issuer.Issuance{Credential: data, Format: format, Actor: "hr"}, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return rec.Credential
}

func (w *statusWorld) verifyAs(t *testing.T, o *org, lists [][]byte, cred []byte) (*verifier.Result, error) {
	t.Helper()
	v, err := verifier.New(verifier.Trust{Issuers: []string{o.did}, Resolver: w.resolver, StatusLists: lists},
		verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	return v.Verify(context.Background(), cred, verifier.Policy{})
}

// A revoked, a suspended and an expired credential, secured with each
// -rdfc- suite, stay refused under every rewrite that keeps their RDF (and
// so their signature) but hides their status entries, their validUntil or
// their subject's id from a reader of the JSON: the proof check fails with
// ErrNotBound, and nothing the credential says is judged.
func TestRewritesThatKeepTheSignatureAreRefused(t *testing.T) {
	f := newFixture(t)
	for _, suite := range rdfcSuites(f) {
		t.Run(suite.name, func(t *testing.T) {
			w := &statusWorld{fixture: f, dir: t.TempDir()}
			reg, err := registry.Create(context.Background(), filepath.Join(w.dir, "registry.db"),
				registry.Config{StatusBaseURL: "https://" + suite.org.did[len("did:web:"):] + "/status"})
			if err != nil {
				t.Fatal(err)
			}
			defer reg.Close()
			w.reg = reg
			revoked := w.issueAs(t, suite.org, suite.format, func(c map[string]any) { c["credentialSubject"].(map[string]any)["name"] = "Revoked" })
			suspended := w.issueAs(t, suite.org, suite.format, func(c map[string]any) { c["credentialSubject"].(map[string]any)["name"] = "Suspended" })
			expired := w.issueAs(t, suite.org, suite.format, func(c map[string]any) { c["validUntil"] = "2026-06-01T00:00:00Z" })
			idOf := func(cred []byte) string {
				var m map[string]any
				json.Unmarshal(cred, &m)
				return m["id"].(string)
			}
			change := registry.Change{Actor: "hr", Reason: "test"}
			if _, err := reg.Revoke(context.Background(), registry.Target{CredentialID: idOf(revoked)}, change); err != nil {
				t.Fatal(err)
			}
			if _, err := reg.Suspend(context.Background(), registry.Target{CredentialID: idOf(suspended)}, change); err != nil {
				t.Fatal(err)
			}
			lists := w.publishAs(t, suite.org, now, 0, suite.format, "lists")
			states := []struct {
				name string
				cred []byte
				want error
				hide string
			}{
				{"revoked", revoked, verifier.ErrRevoked, "status"},
				{"suspended", suspended, verifier.ErrSuspended, "status"},
				{"expired", expired, verifier.ErrExpired, "validUntil"},
				{"revoked", revoked, verifier.ErrRevoked, "subject"},
			}
			for _, st := range states {
				if _, err := w.verifyAs(t, suite.org, lists, st.cred); !errors.Is(err, st.want) {
					t.Fatalf("the %s credential as issued: %v, want %v", st.name, err, st.want)
				}
				for _, rw := range credentialRewrites() {
					if rw.hides != st.hide {
						continue
					}
					t.Run(st.name+"/"+rw.name, func(t *testing.T) {
						r, err := w.verifyAs(t, suite.org, lists, applyRewrite(t, st.cred, rw))
						if err == nil || r.Verified {
							t.Fatalf("verified: %+v", r.Checks)
						}
						// Refused by the data model (a reader that meets
						// what it does not expect refuses it: status entries
						// as bare ids, no type at the top), or by the proof
						// check because the JSON is not bound to the RDF.
						if syntax := r.Check(verifier.CheckSyntax); syntax != nil && syntax.Status == verifier.Failed {
							if !errors.Is(err, verifier.ErrMalformed) {
								t.Fatalf("syntax check = %+v", syntax)
							}
							t.Logf("refused as malformed: %s", syntax.Reason)
							return
						}
						proof := r.Check(verifier.CheckProof)
						if proof == nil || proof.Status != verifier.Failed || !errors.Is(proof.Err, verifier.ErrNotBound) || !errors.Is(err, ld.ErrNotBound) {
							t.Fatalf("proof check = %+v, want failed with ErrNotBound", proof)
						}
						for _, name := range []string{verifier.CheckValidityPeriod, verifier.CheckStatus} {
							if c := r.Check(name); c == nil || c.Status != verifier.Skipped {
								t.Errorf("check %s = %+v, want skipped", name, c)
							}
						}
					})
				}
			}
		})
	}
}

// An expired status list that says a credential is not revoked, replayed
// with its validUntil hidden, is refused.
func TestAnOldStatusListWithItsValidityHiddenIsRefused(t *testing.T) {
	f := newFixture(t)
	for _, suite := range rdfcSuites(f) {
		t.Run(suite.name, func(t *testing.T) {
			w := &statusWorld{fixture: f, dir: t.TempDir()}
			reg, err := registry.Create(context.Background(), filepath.Join(w.dir, "registry.db"),
				registry.Config{StatusBaseURL: "https://" + suite.org.did[len("did:web:"):] + "/status"})
			if err != nil {
				t.Fatal(err)
			}
			defer reg.Close()
			w.reg = reg
			cred := w.issueAs(t, suite.org, suite.format, nil)
			// Published ten days ago, valid for a week: expired now, and
			// from before the revocation.
			old := w.publishAs(t, suite.org, now.Add(-10*24*time.Hour), 7*24*time.Hour, suite.format, "old")
			var m map[string]any
			json.Unmarshal(cred, &m)
			if _, err := reg.Revoke(context.Background(), registry.Target{CredentialID: m["id"].(string)}, registry.Change{Actor: "hr", Reason: "test"}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.verifyAs(t, suite.org, old, cred); !errors.Is(err, status.ErrListExpired) {
				t.Fatalf("the old lists as published: %v, want ErrListExpired", err)
			}
			for _, rw := range []rewrite{
				{"validUntil under @nest", "", func(m map[string]any) {
					m["@nest"] = map[string]any{"validUntil": m["validUntil"]}
					delete(m, "validUntil")
				}},
				{"validUntil named by its absolute IRI in a value object", "", func(m map[string]any) {
					m[credNS+"validUntil"] = map[string]any{"@value": m["validUntil"], "@type": xsdDT}
					delete(m, "validUntil")
				}},
			} {
				t.Run(rw.name, func(t *testing.T) {
					var hidden [][]byte
					for _, l := range old {
						hidden = append(hidden, applyRewrite(t, l, rw))
					}
					_, err := w.verifyAs(t, suite.org, hidden, cred)
					if !errors.Is(err, verifier.ErrStatus) || !errors.Is(err, ld.ErrNotBound) {
						t.Fatalf("err = %v, want ErrStatus because the list is not bound", err)
					}
				})
			}
		})
	}
}

// A proof's own options are bound too: an expired proof whose expires is
// written under its absolute IRI is refused.
func TestAProofsExpiresCannotBeHidden(t *testing.T) {
	f := newFixture(t)
	for _, suite := range rdfcSuites(f) {
		t.Run(suite.name, func(t *testing.T) {
			s := dataintegrity.EdDSARDFC2022
			if suite.format == issuer.FormatECDSARDFC2019 {
				s = dataintegrity.ECDSARDFC2019
			}
			signed, err := dataintegrity.Sign(credentialJSON(suite.org.did, nil), dataintegrity.SignOptions{
				Suite: s, Signer: suite.org.signer, Purpose: dataintegrity.AssertionMethod,
				Created: now.Add(-48 * time.Hour), Expires: now.Add(-24 * time.Hour),
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			v := f.verifier(t)
			if _, err := v.Verify(context.Background(), signed, verifier.Policy{}); !errors.Is(err, dataintegrity.ErrExpired) {
				t.Fatalf("the expired proof as signed: %v, want dataintegrity.ErrExpired", err)
			}
			var m map[string]any
			json.Unmarshal(signed, &m)
			moveMember(m["proof"].(map[string]any), "expires", "https://w3id.org/security#expiration")
			hidden, _ := json.Marshal(m)
			r, err := v.Verify(context.Background(), hidden, verifier.Policy{})
			if !errors.Is(err, verifier.ErrNotBound) || r.Verified {
				t.Fatalf("err = %v, want ErrNotBound", err)
			}
		})
	}
}
