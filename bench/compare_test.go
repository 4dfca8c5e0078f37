package bench

import (
	"context"
	"crypto"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
)

// issuerKey returns a KeyFunc for both securing mechanisms: it resolves the
// did:key verification method for purpose, as staffpass verify does, and
// checks that its DID is the credential's issuer.
func issuerKey(issuer string) func(ctx context.Context, vm, purpose string) (crypto.PublicKey, error) {
	return func(ctx context.Context, vm, purpose string) (crypto.PublicKey, error) {
		if d, _, _ := strings.Cut(vm, "#"); d != issuer {
			return nil, fmt.Errorf("method %s is not the issuer's (%s)", vm, issuer)
		}
		m, err := did.ResolveMethod(ctx, key.Resolver{}, vm, did.Relationship(purpose))
		if err != nil {
			return nil, err
		}
		return m.PublicKey()
	}
}

// verifyDataIntegrity parses the credential (data model checks) and verifies
// its eddsa-rdfc-2022 or ecdsa-rdfc-2019 proofs.
func verifyDataIntegrity(ctx context.Context, doc []byte, loader *ld.Loader, now time.Time) error {
	c, err := vc.Parse(doc)
	if err != nil {
		return err
	}
	_, err = dataintegrity.Verify(ctx, doc, dataintegrity.VerifyOptions{
		Suites:  []string{dataintegrity.EdDSARDFC2022, dataintegrity.ECDSARDFC2019},
		Key:     issuerKey(c.Issuer.ID),
		Loader:  loader,
		Now:     now,
		Purpose: dataintegrity.AssertionMethod,
	})
	return err
}

// verifyJWT verifies a vc+jwt (jose.Verify parses the credential too).
func verifyJWT(ctx context.Context, token string) error {
	u, err := jose.ParseUnverified(token)
	if err != nil {
		return err
	}
	issuer, _, _ := strings.Cut(u.Header.Kid, "#")
	_, err = jose.Verify(ctx, token, jose.VerifyOptions{
		Algorithms: jose.DefaultAlgorithms(),
		Key:        issuerKey(issuer),
		Kind:       jose.KindCredential,
	})
	return err
}

// BenchmarkCompare verifies each input of bench/compare (the folder in
// STAFFPASS_BENCH_INPUTS): di-*.json with Data Integrity, *.jwt as vc+jwt.
func BenchmarkCompare(b *testing.B) {
	dir := os.Getenv("STAFFPASS_BENCH_INPUTS")
	if dir == "" {
		b.Skip("STAFFPASS_BENCH_INPUTS is not set; run bench/compare")
	}
	loader, err := ld.NewLoader(ld.Context{URL: staff.ContextURL, Document: staff.ContextDocument()})
	if err != nil {
		b.Fatal(err)
	}
	ctx, now := context.Background(), time.Now()
	for _, name := range []string{"di-1.json", "jwt-1.jwt", "di-200.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		verify := func() error { return verifyDataIntegrity(ctx, data, loader, now) }
		if strings.HasSuffix(name, ".jwt") {
			token := strings.TrimSpace(string(data))
			verify = func() error { return verifyJWT(ctx, token) }
		}
		b.Run(strings.TrimSuffix(name, filepath.Ext(name)), func(b *testing.B) {
			if err := verify(); err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			for b.Loop() {
				if err := verify(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
