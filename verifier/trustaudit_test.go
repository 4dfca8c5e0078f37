package verifier_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/verifier"
)

// The tests below come from an audit of trust bundles in the verifier, as
// a hostile publisher of one accepted bundle, or a holder of an old key,
// would try them.

// impostor is an organisation claiming real's DID with another key.
func impostor(t *testing.T, real *org, seed byte) *org {
	return newOrg(t, strings.TrimPrefix(real.did, "did:web:"), seededEd25519(seed))
}

func mkBundle(pub, name string, created, until time.Time, is ...bundle.Issuer) *bundle.Bundle {
	return &bundle.Bundle{Publisher: pub, Name: name, Created: created, ValidUntil: until, Issuers: is}
}

func dbsTyped(o *org) []byte {
	return credentialJSON(o.did, func(c map[string]any) { c["type"] = []any{"VerifiableCredential", "DBSCheckCredential"} })
}

func listIDOf(t *testing.T, tok []byte) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(string(tok), ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m["id"].(string)
}

const week = 7 * 24 * time.Hour

// A key one bundle's copy of an issuer's DID document holds signs only for
// the types that bundle trusts the issuer for, not those another bundle
// does.
func TestAKeyIsTrustedOnlyForTheTypesOfTheBundlesThatHoldIt(t *testing.T) {
	f := newFixture(t)
	evil := impostor(t, f.kch, 77)
	national := mkBundle("did:web:nhse.example", "national", now.Add(-24*time.Hour), now.Add(week), bundle.Issuer{ID: f.kch.did, Types: []string{"DBSCheckCredential"}, Document: f.kch.doc})
	training := mkBundle("did:web:training.example", "training", now.Add(-24*time.Hour), now.Add(week), bundle.Issuer{ID: f.kch.did, Types: []string{"MandatoryTrainingCredential"}, Document: evil.doc})
	v, err := verifier.New(verifier.Trust{Bundles: []*bundle.Bundle{national, training}}, verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.Verify(context.Background(), issue(t, evil, dbsTyped(f.kch), issuer.FormatJWT), verifier.Policy{})
	if !errors.Is(err, verifier.ErrUntrustedIssuer) {
		t.Fatalf("a DBS check signed with the training bundle's key: %v\n%s", err, report(r))
	}
	if _, err := v.Verify(context.Background(), issue(t, f.kch, dbsTyped(f.kch), issuer.FormatJWT), verifier.Policy{}); err != nil {
		t.Fatalf("the genuine DBS check: %v", err)
	}
	// Directly trusted, the issuer's keys come from the Resolver first: a
	// bundle's copy cannot stand in for them.
	v, err = verifier.New(verifier.Trust{Bundles: []*bundle.Bundle{training}, Issuers: []string{f.kch.did}, Resolver: f.resolver}, verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), issue(t, evil, dbsTyped(f.kch), issuer.FormatJWT), verifier.Policy{}); !errors.Is(err, verifier.ErrUntrustedIssuer) {
		t.Fatalf("directly trusted, signed with the bundle's copy: %v", err)
	}
}

// A key only a stale bundle holds makes the issuer trust check fail as
// stale.
func TestAKeyOnlyAStaleBundleHoldsIsStale(t *testing.T) {
	f := newFixture(t)
	old := impostor(t, f.kch, 78)
	fresh := mkBundle("did:web:nhse.example", "v2", now.Add(-24*time.Hour), now.Add(week), bundle.Issuer{ID: f.kch.did, Types: []string{"DBSCheckCredential"}, Document: f.kch.doc})
	stale := mkBundle("did:web:nhse.example", "v1", now.Add(-60*24*time.Hour), now.Add(-30*24*time.Hour), bundle.Issuer{ID: f.kch.did, Types: []string{"DBSCheckCredential"}, Document: old.doc})
	v, err := verifier.New(verifier.Trust{Bundles: []*bundle.Bundle{fresh, stale}}, verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), issue(t, old, dbsTyped(f.kch), issuer.FormatJWT), verifier.Policy{}); !errors.Is(err, verifier.ErrStaleBundle) {
		t.Fatalf("signed with a key only the stale bundle holds: %v", err)
	}
}

func revokeAfterFirstVerify(t *testing.T, w *statusWorld, cred []byte, lists [][]byte) {
	t.Helper()
	v0, err := verifier.New(verifier.Trust{Issuers: []string{w.kch.did}, Resolver: w.resolver, StatusLists: lists}, verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	r0, err := v0.Verify(context.Background(), cred, verifier.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.reg.Revoke(context.Background(), registry.Target{CredentialID: r0.ID}, registry.Change{Actor: "hr", Reason: "x"}); err != nil {
		t.Fatal(err)
	}
}

// A bundle that does not list an issuer cannot supply its status list: an
// older, unrevoked copy in another bundle is not used.
func TestAnotherBundlesCopyOfAStatusListIsNotUsed(t *testing.T) {
	w := newStatusWorld(t)
	cred := w.issue(t, issuer.FormatJWT, "Sam")
	before := w.publish(t, w.kch, now.Add(-48*time.Hour), 0)
	revokeAfterFirstVerify(t, w, cred, before)
	after := w.publish(t, w.kch, now.Add(-time.Hour), 0)
	a := mkBundle("did:web:nhse.example", "national", now.Add(-2*time.Hour), now.Add(week), bundle.Issuer{ID: w.kch.did, Types: []string{"x"}, Document: w.kch.doc})
	b := mkBundle("did:web:small.example", "self", now.Add(-2*time.Hour), now.Add(week), bundle.Issuer{ID: w.other.did, Types: []string{"x"}, Document: w.other.doc})
	for i := range after {
		a.StatusLists = append(a.StatusLists, bundle.StatusList{URL: listIDOf(t, after[i]), Fetched: now.Add(-2 * time.Hour), Credential: after[i]})
		b.StatusLists = append(b.StatusLists, bundle.StatusList{URL: listIDOf(t, before[i]), Fetched: now.Add(-2 * time.Hour), Credential: before[i]})
	}
	v, err := verifier.New(verifier.Trust{Issuers: []string{w.kch.did}, Resolver: w.resolver, Bundles: []*bundle.Bundle{a, b}}, verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), cred, verifier.Policy{}); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("the revoked credential: %v", err)
	}
	// Two copies both bundles may give (both list the issuer): the one
	// its issuer signed last decides, whatever fetch times they claim.
	b.Issuers = append(b.Issuers, bundle.Issuer{ID: w.kch.did, Types: []string{"x"}, Document: w.kch.doc})
	for i := range b.StatusLists {
		b.StatusLists[i].Fetched = now.Add(-time.Minute)
	}
	v, err = verifier.New(verifier.Trust{Issuers: []string{w.kch.did}, Resolver: w.resolver, Bundles: []*bundle.Bundle{a, b}}, verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), cred, verifier.Policy{}); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("with an older copy claimed fetched later: %v", err)
	}
	// A fetch time after the bundle was built is refused.
	a.StatusLists[0].Fetched = now.Add(time.Hour)
	v, _ = verifier.New(verifier.Trust{Bundles: []*bundle.Bundle{a}}, verifier.WithClock(func() time.Time { return now }))
	if _, err := v.Verify(context.Background(), cred, verifier.Policy{}); !errors.Is(err, verifier.ErrStatus) {
		t.Fatalf("a list fetched in the future: %v", err)
	}
}

// A status list signed with a key only a bundle the policy does not accept
// holds is not used.
func TestAStatusListKeyFromABundleNotAcceptedIsNotTrusted(t *testing.T) {
	w := newStatusWorld(t)
	cred := w.issue(t, issuer.FormatJWT, "Sam")
	revokeAfterFirstVerify(t, w, cred, w.publish(t, w.kch, now, 0))
	evil := impostor(t, w.kch, 79)
	w2 := newStatusWorld(t)
	w2.issue(t, issuer.FormatJWT, "x") // clean lists at the same URLs
	forged := w2.publish(t, evil, now.Add(-time.Minute), 0)
	a := mkBundle("did:web:nhse.example", "national", now.Add(-2*time.Hour), now.Add(week), bundle.Issuer{ID: w.kch.did, Types: []string{"x"}, Document: w.kch.doc})
	c := mkBundle("did:web:excluded.example", "excluded", now.Add(-2*time.Hour), now.Add(week), bundle.Issuer{ID: w.kch.did, Types: []string{"x"}, Document: evil.doc})
	v, err := verifier.New(verifier.Trust{Issuers: []string{w.kch.did}, Resolver: w.resolver, Bundles: []*bundle.Bundle{a, c}, StatusLists: forged}, verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), cred, verifier.Policy{Publishers: []string{"did:web:nhse.example"}}); err == nil {
		t.Fatal("a revoked credential verified against a list signed with an excluded bundle's key")
	}
}

// What is kept of a status list does not depend on the time of its first
// use.
func TestAStatusListIsJudgedAtEachUse(t *testing.T) {
	w := newStatusWorld(t)
	cred := w.issue(t, issuer.FormatJWT, "Sam")
	out := t.TempDir()
	pubs, err := issuer.PublishStatusLists(context.Background(), w.reg, w.kch.signer, now.Add(-time.Hour), issuer.PublishOptions{Dir: out, Format: issuer.FormatEdDSARDFC2022, Actor: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	var lists [][]byte
	for _, p := range pubs {
		b, _ := os.ReadFile(p.File)
		lists = append(lists, b)
	}
	v, err := verifier.New(verifier.Trust{Issuers: []string{w.kch.did}, Resolver: w.resolver, StatusLists: lists}, verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), cred, verifier.Policy{Now: now.Add(-24 * time.Hour)}); !errors.Is(err, verifier.ErrStatus) {
		t.Fatalf("a day before the list was made: %v", err)
	}
	if _, err := v.Verify(context.Background(), cred, verifier.Policy{}); err != nil {
		t.Fatalf("after the list was made: %v", err)
	}
}

// A retired key's signatures must every one say they were made before the
// retirement.
func TestEveryProofOfARetiredKeyMustPrecedeItsRetirement(t *testing.T) {
	f := newFixture(t)
	old := impostor(t, f.kch, 80)
	retired := now.Add(-30 * 24 * time.Hour)
	b := mkBundle("did:web:nhse.example", "national", now.Add(-24*time.Hour), now.Add(week), bundle.Issuer{ID: f.kch.did, Types: []string{"DBSCheckCredential"}, Document: f.kch.doc,
		RetiredKeys: []bundle.RetiredKey{{Method: old.doc.VerificationMethod[0], Relationships: []did.Relationship{did.AssertionMethod}, Retired: retired}}})
	v, err := verifier.New(verifier.Trust{Bundles: []*bundle.Bundle{b}}, verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	sign := func(doc []byte, created time.Time) []byte {
		out, err := dataintegrity.Sign(doc, dataintegrity.SignOptions{Suite: dataintegrity.EdDSAJCS2022, Signer: old.signer, Purpose: dataintegrity.AssertionMethod, Created: created}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := sign(dbsTyped(f.kch), retired.Add(-time.Hour))
	if _, err := v.Verify(context.Background(), before, verifier.Policy{}); err != nil {
		t.Fatalf("signed before the retirement: %v", err)
	}
	for name, doc := range map[string][]byte{
		"before, then after": sign(before, retired.Add(time.Hour)),
		"after, then before": sign(sign(dbsTyped(f.kch), retired.Add(time.Hour)), retired.Add(-time.Hour)),
	} {
		if _, err := v.Verify(context.Background(), doc, verifier.Policy{}); !errors.Is(err, verifier.ErrKeyRetired) {
			t.Errorf("two proofs, %s the retirement: %v", name, err)
		}
	}
}
