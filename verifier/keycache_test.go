package verifier_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/staffpass/staffpass/did"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/verifier"
)

// countingResolver counts the resolutions of each DID, and fails the
// first failures of them.
type countingResolver struct {
	next     did.Resolver
	mu       sync.Mutex
	calls    map[string]int
	failures int
}

var errUnavailable = errors.New("resolver unavailable")

func (r *countingResolver) Resolve(ctx context.Context, id string) (*did.Document, error) {
	r.mu.Lock()
	if r.calls == nil {
		r.calls = make(map[string]int)
	}
	r.calls[id]++
	fail := r.failures > 0
	if fail {
		r.failures--
	}
	r.mu.Unlock()
	if fail {
		return nil, errUnavailable
	}
	return r.next.Resolve(ctx, id)
}

func (r *countingResolver) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[id]
}

// didKeyIssuer returns a signer whose issuer is a did:key.
func didKeyIssuer(t *testing.T, seed byte) (keys.Signer, string) {
	t.Helper()
	key := seededEd25519(seed)
	id, err := didkey.New(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	kid, err := didkey.KeyID(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(key, kid)
	if err != nil {
		t.Fatal(err)
	}
	return s, id.String()
}

func TestVerifierResolvesEachDIDKeyOnceAcrossCredentialsAndFormats(t *testing.T) {
	signer, issuerDID := didKeyIssuer(t, 9)
	f := newFixture(t)
	r := &countingResolver{next: f.resolver}
	v, err := verifier.New(verifier.Trust{Issuers: []string{issuerDID}, Resolver: r},
		verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []issuer.Format{issuer.FormatJWT, issuer.FormatEdDSAJCS2022, issuer.FormatJWT} {
		signed, err := issuer.Issue(credentialJSON(issuerDID, nil), signer, issuer.Options{Format: format, Created: now.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(context.Background(), signed, verifier.Policy{}); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
	}
	if n := r.count(issuerDID); n != 1 {
		t.Errorf("the issuer's did:key was resolved %d times, want once", n)
	}
}

func TestVerifierResolvesADIDWebForEveryCredential(t *testing.T) {
	f := newFixture(t)
	r := &countingResolver{next: f.resolver}
	v, err := verifier.New(verifier.Trust{Issuers: []string{f.kch.did}, Resolver: r},
		verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	signed := issue(t, f.kch, credentialJSON(f.kch.did, nil), issuer.FormatJWT)
	for range 3 {
		if _, err := v.Verify(context.Background(), signed, verifier.Policy{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.count(f.kch.did); n != 3 {
		t.Errorf("the issuer's did:web was resolved %d times, want 3: a did:web document can change", n)
	}
}

func TestVerifierKeepsNoFailedResolution(t *testing.T) {
	signer, issuerDID := didKeyIssuer(t, 10)
	f := newFixture(t)
	r := &countingResolver{next: f.resolver, failures: 1}
	v, err := verifier.New(verifier.Trust{Issuers: []string{issuerDID}, Resolver: r},
		verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	signed, err := issuer.Issue(credentialJSON(issuerDID, nil), signer, issuer.Options{Format: issuer.FormatJWT})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), signed, verifier.Policy{}); !errors.Is(err, verifier.ErrIssuerKey) || !errors.Is(err, errUnavailable) {
		t.Fatalf("first verification: %v, want ErrIssuerKey and the resolver's error", err)
	}
	for range 2 {
		if _, err := v.Verify(context.Background(), signed, verifier.Policy{}); err != nil {
			t.Fatalf("after the resolver recovered: %v", err)
		}
	}
	if n := r.count(issuerDID); n != 2 {
		t.Errorf("the issuer's did:key was resolved %d times, want 2 (the failure is not kept)", n)
	}
}

func TestVerifierVerifiesConcurrentlyWithCachedKeys(t *testing.T) {
	f := newFixture(t)
	var signed [][]byte
	var issuers []string
	for seed := byte(20); seed < 24; seed++ {
		s, id := didKeyIssuer(t, seed)
		out, err := issuer.Issue(credentialJSON(id, nil), s, issuer.Options{Format: issuer.FormatJWT})
		if err != nil {
			t.Fatal(err)
		}
		signed, issuers = append(signed, out), append(issuers, id)
	}
	v, err := verifier.New(verifier.Trust{Issuers: issuers, Resolver: f.resolver},
		verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(signed))
	for range 4 {
		for _, s := range signed {
			wg.Go(func() {
				if _, err := v.Verify(context.Background(), s, verifier.Policy{}); err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
