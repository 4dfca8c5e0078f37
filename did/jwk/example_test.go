package jwk_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/did/jwk"
)

// A wallet's did:jwk holds its public key; it resolves by itself, offline.
func ExampleNew() {
	pub := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize)).Public()
	id, err := jwk.New(pub)
	if err != nil {
		fmt.Println(err)
		return
	}
	kid, _ := jwk.KeyID(pub)
	m, err := did.ResolveMethod(context.Background(), did.Router{jwk.Method: jwk.Resolver{}}, kid, did.Authentication)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id.Method(), kid == id.String()+"#0", m.Type)
	// Output:
	// jwk true JsonWebKey2020
}
