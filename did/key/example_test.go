package key_test

import (
	"context"
	"crypto/ed25519"
	"fmt"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/did/key"
)

func ExampleNew() {
	// The key of the first did-method-key test vector: the Ed25519 seed of 32 zero bytes.
	pub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public()
	d, err := key.New(pub)
	if err != nil {
		fmt.Println(err)
		return
	}
	kid, _ := key.KeyID(pub)
	fmt.Println(d)
	fmt.Println(kid)
	// Output:
	// did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
	// did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
}

func ExampleResolver() {
	r := did.Router{"key": key.Resolver{}}
	kid := "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	m, err := did.ResolveMethod(context.Background(), r, kid, did.AssertionMethod)
	if err != nil {
		fmt.Println(err)
		return
	}
	pub, _ := m.PublicKey()
	fmt.Println(m.Type, len(pub.(ed25519.PublicKey)))
	// Output: Multikey 32
}
