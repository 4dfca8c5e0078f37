package keys_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"

	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/keys"
)

// A signer is a key and the verification method it signs for: what goes
// into a JWS kid or a proof's verificationMethod. Signatures are checked
// with VerifyP1363, in the form JOSE and Data Integrity use.
func ExampleNewSigner() {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	kid, _ := didkey.KeyID(key.Public())
	s, err := keys.NewSigner(key, kid)
	if err != nil {
		fmt.Println(err)
		return
	}
	sig, _ := keys.SignP1363(s, []byte("a message"))
	fmt.Println(s.Algorithm(), s.KeyID() == kid, len(sig))
	fmt.Println(keys.VerifyP1363(key.Public(), []byte("a message"), sig) == nil)
	fmt.Println(keys.VerifyP1363(key.Public(), []byte("another message"), sig) == nil)
	// Output:
	// EdDSA true 64
	// true
	// false
}
