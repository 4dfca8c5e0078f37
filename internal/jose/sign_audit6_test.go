package jose

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/staffpass/staffpass/keys"
)

// audit6: SignP1363 (and so jose.Sign, which no longer verifies) trusts
// every ed25519.PrivateKey and *ecdsa.PrivateKey to report "the public
// key it is made of". Neither does: ed25519.PrivateKey.Public returns the
// key's last 32 bytes as stored, and (*ecdsa.PrivateKey).Public returns
// its PublicKey field, and Go's signing checks neither against the
// private scalar. A key put together by a caller of the library (NewSigner
// takes any ed25519.PrivateKey or *ecdsa.PrivateKey) from a seed and a
// public key that do not belong together signs tokens that verify with no
// key; before, Sign caught this (ErrSignature). Now NewSigner refuses such
// a key (ErrKeyMismatch), and a bare one is checked as it signs.
func TestAudit6AnInProcessKeyWhosePublicHalfIsAnotherKeysIsNotCaught(t *testing.T) {
	edA, _ := keys.Generate(keys.Ed25519)
	edB, _ := keys.Generate(keys.Ed25519)
	a, b := edA.(ed25519.PrivateKey), edB.(ed25519.PrivateKey)
	mixedEd := append(append(ed25519.PrivateKey{}, a.Seed()...), b[32:]...) // A's seed, B's public key

	pA, _ := keys.Generate(keys.P256)
	pB, _ := keys.Generate(keys.P256)
	mixedP := &ecdsa.PrivateKey{PublicKey: pB.(*ecdsa.PrivateKey).PublicKey, D: pA.(*ecdsa.PrivateKey).D}

	for _, tt := range []struct {
		name string
		key  any
	}{{"Ed25519", mixedEd}, {"P-256", mixedP}} {
		t.Run(tt.name, func(t *testing.T) {
			var s keys.Signer
			var err error
			switch k := tt.key.(type) {
			case ed25519.PrivateKey:
				s, err = keys.NewSigner(k, issuerDID+"#mixed")
			case *ecdsa.PrivateKey:
				s, err = keys.NewSigner(k, issuerDID+"#mixed")
			}
			if err != nil {
				// Refused where it is made: as good as refused when it signs.
				if !errors.Is(err, keys.ErrKeyMismatch) {
					t.Errorf("NewSigner of a mixed key: %v, want ErrKeyMismatch", err)
				}
				return
			}
			tok, err := Sign([]byte(staffCredential), SignOptions{Kind: KindCredential, Signer: s})
			if !errors.Is(err, ErrSignature) {
				t.Errorf("Sign with a key whose public half is another key's = %.40q..., %v; want ErrSignature", tok, err)
			}
		})
	}
}
