package verifier_test

import (
	"context"
	"testing"

	"github.com/staffpass/staffpass/verifier"
)

// jose reads NumericDates from year 1 (-62135596800) on, but the very first
// second of year 1 is time.Time's zero value, which every later check reads
// as "no such claim": an exp of -62135596800 is an expiry that never comes,
// while -62135596799 has expired.
func TestAuditJWTExpAtYearOneIsNoExpiry(t *testing.T) {
	k1, _ := entraSecp256k1(t, entraDID+"#vcSigningKey-4f1e2")
	v := entraVerifier(t, entraDocument(t, entraDID, k1))
	for _, exp := range []int64{-62135596799, -62135596800} {
		tok := entraToken(t, k1, nil, entraClaims(entraDID, nil, func(c, _ map[string]any) { c["exp"] = exp }))
		r, err := v.Verify(context.Background(), tok, verifier.Policy{})
		if err == nil || r.Verified {
			t.Errorf("exp %d (year 1): verified, valid until %v", exp, r.ValidUntil)
		}
	}
}
