package verifier_test

import (
	"context"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/verifier"
)

// BenchmarkVerifySDJWTPresentation verifies an SD-JWT VC presented with a
// Key Binding JWT (one Disclosure shown of two): the issuer's EdDSA
// signature, the Disclosures, the P-256 Key Binding JWT, the checks.
func BenchmarkVerifySDJWTPresentation(b *testing.B) {
	f := newFixture(b)
	v := f.verifier(b)
	w := newSDWallet(b)
	sd, _, err := sdjwt.Issue(sdClaims(f.kch.did, w, nil), sdDisclosable, sdjwt.TypeSDJWTVC, f.kch.signer)
	if err != nil {
		b.Fatal(err)
	}
	p, err := sdjwt.Present(sd, func(p string) bool { return p == "/birthdate" }, &sdjwt.KeyBinding{
		Signer: w.signer, Audience: "d", Nonce: "c", IssuedAt: now.Add(-time.Minute)})
	if err != nil {
		b.Fatal(err)
	}
	pol := verifier.Policy{Challenge: "c", Domain: "d"}
	data := []byte(p)
	if _, err := v.Verify(context.Background(), data, pol); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := v.Verify(context.Background(), data, pol); err != nil {
			b.Fatal(err)
		}
	}
}
