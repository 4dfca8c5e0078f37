package verifier_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/staffpass/staffpass/verifier"
)

// legacyJWT signs, as o, a VC-JWT of VCDM 1.1 (the vc claim, with iss,
// sub, nbf, exp and jti), the form the earlier NHS staff passport's
// wallets hold.
func legacyJWT(t testing.TB, o *org, iss string, nbf, exp time.Time) []byte {
	t.Helper()
	header, _ := json.Marshal(map[string]any{"alg": "EdDSA", "kid": o.signer.KeyID(), "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{
		"iss": iss,
		"sub": "did:example:sam",
		"nbf": nbf.Unix(),
		"exp": exp.Unix(),
		"jti": "urn:uuid:0d4c6f2e-1b7a-4c1e-9d2e-6f1b2a3c4d5e",
		"vc": map[string]any{
			"@context":          []any{"https://www.w3.org/2018/credentials/v1"},
			"type":              []any{"VerifiableCredential"},
			"credentialSubject": map[string]any{},
		},
	})
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sig, err := o.signer.Sign(rand.Reader, []byte(input), crypto.Hash(0))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(input + "." + enc.EncodeToString(sig))
}

// The verifier reads legacy VC-JWTs: their iss, nbf and exp are the
// issuer and validity period it judges.
func TestLegacyVCJWTs(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	year := 365 * 24 * time.Hour
	tests := []struct {
		name string
		tok  []byte
		want error
	}{
		{"a current one verifies", legacyJWT(t, f.kch, f.kch.did, now.Add(-year), now.Add(year)), nil},
		{"an expired one", legacyJWT(t, f.kch, f.kch.did, now.Add(-2*year), now.Add(-year)), verifier.ErrExpired},
		{"one not yet valid", legacyJWT(t, f.kch, f.kch.did, now.Add(year), now.Add(2*year)), verifier.ErrNotYetValid},
		{"one whose iss is not the signer", legacyJWT(t, f.kch, f.p256.did, now.Add(-year), now.Add(year)), verifier.ErrIssuerKey},
		{"one from an issuer not trusted", legacyJWT(t, f.other, f.other.did, now.Add(-year), now.Add(year)), verifier.ErrUntrustedIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := v.Verify(context.Background(), tt.tok, verifier.Policy{})
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if r.Format != "vc-jwt-1.1" || r.Issuer != f.kch.did || len(r.Subjects) != 1 || r.Subjects[0] != "did:example:sam" || r.ID != "urn:uuid:0d4c6f2e-1b7a-4c1e-9d2e-6f1b2a3c4d5e" {
					t.Errorf("result %+v", r)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
