package verifier_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/verifier"
)

// A trust bundle's status list that is an SD-JWT VC (any issuer whose DID
// resolves: here a wallet's did:jwk) passes the list's syntax, proof and
// verification-method checks, and then status.ReadListCredential is handed
// the Result's nil Credential: Verify panics ("It never panics"). Bundles
// are not checked for this on Parse (only Build checks what it fetches), so
// one hostile publisher of an accepted bundle crashes every verification of
// a credential whose status list URL it names.
func TestAuditSDJWTStatusListInABundlePanics(t *testing.T) {
	w := newStatusWorld(t)
	cred := w.issue(t, issuer.FormatJWT, "Sam")
	lists := w.publish(t, w.kch, now.Add(-time.Hour), 0)
	wallet := newSDWallet(t)
	bogus, _, err := sdjwt.Issue(map[string]any{"iss": wallet.did, "vct": "x"}, nil, sdjwt.TypeSDJWTVC, wallet.signer)
	if err != nil {
		t.Fatal(err)
	}
	b := mkBundle("did:web:hostile.example", "hostile", now.Add(-2*time.Hour), now.Add(week),
		bundle.Issuer{ID: w.kch.did, Types: []string{"x"}, Document: w.kch.doc})
	for _, l := range lists {
		b.StatusLists = append(b.StatusLists, bundle.StatusList{URL: listIDOf(t, l), Fetched: now.Add(-2 * time.Hour), Credential: l})
	}
	wire, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// What a hostile publisher signs and ships: each list replaced by an
	// SD-JWT. bundle.Parse (and so Open) refuses it...
	for _, l := range lists {
		wire = []byte(strings.Replace(string(wire), strings.TrimSpace(string(l)), bogus, 1))
	}
	if _, err := bundle.Parse(wire); !errors.Is(err, bundle.ErrMalformed) {
		t.Fatalf("bundle.Parse accepted an SD-JWT as a status list: %v", err)
	}
	// ...and so do Marshal and verifier.New, given a Bundle a caller built
	// by hand with one; were it accepted, Verify must fail, not crash.
	for i := range b.StatusLists {
		b.StatusLists[i].Credential = []byte(bogus)
	}
	if _, err := b.Marshal(); !errors.Is(err, bundle.ErrMalformed) {
		t.Fatalf("Marshal: %v", err)
	}
	v, err := verifier.New(verifier.Trust{Issuers: []string{w.kch.did}, Resolver: w.resolver, Bundles: []*bundle.Bundle{b}},
		verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		if !errors.Is(err, bundle.ErrMalformed) {
			t.Fatalf("verifier.New: %v, want bundle.ErrMalformed", err)
		}
		return
	}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Verify panicked: %v", p)
		}
	}()
	if _, err := v.Verify(context.Background(), cred, verifier.Policy{}); err == nil {
		t.Fatal("verified with a status list that is no status list")
	}
}
