package verifier_test

import (
	"context"
	"errors"
	"testing"

	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/verifier"
)

func TestARelatedResourceThatIsAHeldContextMustHaveItsDigest(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	const v2 = "https://www.w3.org/ns/credentials/v2"
	with := func(digest string) []byte {
		return credentialJSON(f.kch.did, func(c map[string]any) {
			c["relatedResource"] = []any{map[string]any{"id": v2, "digestSRI": digest}}
		})
	}
	// The W3C's published digest of the VCDM 2.0 context.
	good := "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU"
	bad := "sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"
	for _, format := range []issuer.Format{issuer.FormatJWT, issuer.FormatEdDSARDFC2022} {
		if r, err := v.Verify(context.Background(), issue(t, f.kch, with(good), format), verifier.Policy{}); err != nil {
			t.Fatalf("%s, the right digest: %v %+v", format, err, r.Checks)
		}
		r, err := v.Verify(context.Background(), issue(t, f.kch, with(bad), format), verifier.Policy{})
		if !errors.Is(err, verifier.ErrContextDigest) || r.Check(verifier.CheckContexts).Status != verifier.Failed {
			t.Fatalf("%s, a wrong digest: %v", format, err)
		}
	}
	// A resource the verifier does not hold is not fetched, and not judged.
	other := credentialJSON(f.kch.did, func(c map[string]any) {
		c["relatedResource"] = []any{map[string]any{"id": "https://example.com/photo.png", "digestSRI": bad}}
	})
	if _, err := v.Verify(context.Background(), issue(t, f.kch, other, issuer.FormatJWT), verifier.Policy{}); err != nil {
		t.Fatalf("a resource not held: %v", err)
	}
}
