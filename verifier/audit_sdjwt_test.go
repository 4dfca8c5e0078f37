package verifier_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/verifier"
)

// twinJWS replaces the signature of the compact JWS jws by its twin (r, n-s).
func twinJWS(t *testing.T, jws string, n *big.Int) string {
	t.Helper()
	parts := strings.Split(jws, ".")
	return parts[0] + "." + parts[1] + "." + b64(string(flipS([]byte(unb64(t, parts[2])), n)))
}

// WithLowSOnly must refuse the twin (r, n-s) of the Issuer-signed JWT of an
// SD-JWT VC, as it does for a vc+jwt.
func TestAuditSDJWTIssuerSignatureHighSWithLowSOnly(t *testing.T) {
	f := newFixture(t)
	w := newSDWallet(t)
	n := f.p256.signer.Public().(*ecdsa.PublicKey).Curve.Params().N
	sd, _, err := sdjwt.Issue(sdClaims(f.p256.did, w, nil), sdDisclosable, sdjwt.TypeSDJWTVC, f.p256.signer)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.IndexByte(sd, '~')
	twin := twinJWS(t, sd[:i], n) + sd[i:]
	if _, err := f.verifier(t).Verify(context.Background(), []byte(twin), verifier.Policy{}); err != nil {
		t.Fatalf("by default the twin verifies: %v", err)
	}
	_, err = f.verifier(t, verifier.WithLowSOnly()).Verify(context.Background(), []byte(twin), verifier.Policy{})
	if !errors.Is(err, keys.ErrHighS) || !errors.Is(err, verifier.ErrProof) {
		t.Fatalf("WithLowSOnly accepted a high-S Issuer-signed JWT: %v", err)
	}
}

// WithLowSOnly must refuse the twin (r, n-s) of a Key Binding JWT, the
// holder's signature of an SD-JWT+KB presentation.
func TestAuditSDJWTKeyBindingHighSWithLowSOnly(t *testing.T) {
	f := newFixture(t)
	w := newSDWallet(t) // P-256
	n := w.signer.Public().(*ecdsa.PublicKey).Curve.Params().N
	sd, _, err := sdjwt.Issue(sdClaims(f.kch.did, w, nil), sdDisclosable, sdjwt.TypeSDJWTVC, f.kch.signer)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sdjwt.Present(sd, func(string) bool { return true }, &sdjwt.KeyBinding{Signer: w.signer, Audience: "d", Nonce: "c", IssuedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	i := strings.LastIndexByte(p, '~')
	twin := p[:i+1] + twinJWS(t, p[i+1:], n)
	pol := verifier.Policy{Challenge: "c", Domain: "d"}
	if _, err := f.verifier(t).Verify(context.Background(), []byte(twin), pol); err != nil {
		t.Fatalf("by default the twin verifies: %v", err)
	}
	_, err = f.verifier(t, verifier.WithLowSOnly()).Verify(context.Background(), []byte(twin), pol)
	if !errors.Is(err, keys.ErrHighS) || !errors.Is(err, verifier.ErrProof) {
		t.Fatalf("WithLowSOnly accepted a high-S Key Binding JWT: %v", err)
	}
}

// An SD-JWT VC's NumericDates are read without the bounds jose puts on a
// vc+jwt's (years 1 to 9999): an exp of 2^53-1 (the largest integer strict
// JSON lets through) is accepted, and the Result, whose ValidUntil is then in
// the year 285 million, cannot be written as JSON (staffpass verify --output
// json fails). The issuer need not be trusted: a did:jwk or did:key issuer
// resolves offline, and ValidUntil is set before the trust check fails.
func TestAuditSDJWTOutOfRangeExpBreaksTheResult(t *testing.T) {
	f := newFixture(t)
	w := newSDWallet(t)
	for name, iss := range map[string]*org{"trusted": f.kch, "untrusted": f.other} {
		t.Run(name, func(t *testing.T) {
			sd, _, err := sdjwt.Issue(sdClaims(iss.did, w, func(c map[string]any) { c["exp"] = int64(1<<53 - 1) }), nil, sdjwt.TypeSDJWTVC, iss.signer)
			if err != nil {
				t.Fatal(err)
			}
			r, verr := f.verifier(t).Verify(context.Background(), []byte(sd), verifier.Policy{})
			if _, err := json.Marshal(r); err != nil {
				t.Errorf("the Result cannot be written as JSON: %v (verify: %v)", err, verr)
			}
			if name == "trusted" && verr == nil {
				t.Errorf("exp %d (year %d) accepted; a vc+jwt's exp must be before the year 10000", int64(1<<53-1), r.ValidUntil.Year())
			}
		})
	}
}

// An SD-JWT VC without nbf reports its iat as ValidFrom, but iat is never
// judged: a credential issued (says its issuer) a month from now verifies
// today, and its Result says "valid from" a time after VerifiedAt. The
// Entra VC-JWT 1.1 path maps the same iat to issuanceDate and refuses it
// (ErrNotYetValid).
func TestAuditSDJWTFutureIatReportedAsValidFromButNotJudged(t *testing.T) {
	f := newFixture(t)
	w := newSDWallet(t)
	future := now.Add(30 * 24 * time.Hour)
	sd, _, err := sdjwt.Issue(sdClaims(f.kch.did, w, func(c map[string]any) { c["iat"] = future.Unix() }), nil, sdjwt.TypeSDJWTVC, f.kch.signer)
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.verifier(t).Verify(context.Background(), []byte(sd), verifier.Policy{})
	if err == nil && r.ValidFrom.After(r.VerifiedAt) {
		t.Fatalf("verified, yet the Result says it is valid only from %v (verified at %v): %s",
			r.ValidFrom, r.VerifiedAt, r.Check(verifier.CheckValidityPeriod).Reason)
	}
}
