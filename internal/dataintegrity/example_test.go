package dataintegrity_test

import (
	"context"
	"crypto"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/keys"
)

// Signing the W3C eddsa-rdfc-2022 example credential with the example key
// gives the proof value the specification publishes, and the result
// verifies.
func Example() {
	dir := filepath.Join("..", "..", "testdata", "vectors", "vc-di-eddsa")
	pair, err := os.ReadFile(filepath.Join(dir, "keyPair.json"))
	if err != nil {
		panic(err)
	}
	key, err := keys.ParseMultikeyPair(pair)
	if err != nil {
		panic(err)
	}
	const method = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	signer, err := keys.NewSigner(key, method)
	if err != nil {
		panic(err)
	}
	doc, err := os.ReadFile(filepath.Join(dir, "unsigned.json"))
	if err != nil {
		panic(err)
	}

	signed, err := dataintegrity.Sign(doc, dataintegrity.SignOptions{
		Suite:   dataintegrity.EdDSARDFC2022,
		Signer:  signer,
		Purpose: dataintegrity.AssertionMethod,
		Created: time.Date(2023, 2, 24, 23, 36, 38, 0, time.UTC),
	}, nil)
	if err != nil {
		panic(err)
	}

	results, err := dataintegrity.Verify(context.Background(), signed, dataintegrity.VerifyOptions{
		Suites: []string{dataintegrity.EdDSARDFC2022},
		// A verifier resolves the method and checks that the issuer
		// controls it; here the one key is trusted.
		Key: func(_ context.Context, vm, purpose string) (crypto.PublicKey, error) {
			if vm != method || purpose != dataintegrity.AssertionMethod {
				return nil, fmt.Errorf("unknown method %s", vm)
			}
			return key.Public(), nil
		},
		Now:     time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
		Purpose: dataintegrity.AssertionMethod,
	})
	fmt.Println(err)
	fmt.Println(results[0].Proof.ProofValue)
	// Output:
	// <nil>
	// z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme
}
