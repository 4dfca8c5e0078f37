package jose_test

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/keys"
)

func Example() {
	// An issuer key (fixed here so that the output is stable) and its
	// verification method.
	seed := sha256.Sum256([]byte("example issuer key"))
	key := ed25519.NewKeyFromSeed(seed[:])
	signer, err := keys.NewSigner(key, "did:web:kch.nhs.uk#key-1")
	if err != nil {
		panic(err)
	}
	credential := []byte(`{
	  "@context": ["https://www.w3.org/ns/credentials/v2"],
	  "type": ["VerifiableCredential"],
	  "issuer": "did:web:kch.nhs.uk",
	  "validFrom": "2025-03-01T09:00:00Z",
	  "credentialSubject": {"id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "mandatoryTraining": "current"}
	}`)
	token, err := jose.Sign(credential, jose.SignOptions{Kind: jose.KindCredential, Signer: signer})
	if err != nil {
		panic(err)
	}

	// A verifier looks the key up under the relationship asked for; here
	// a one-key lookup stands in for did.ResolveMethod.
	lookup := func(_ context.Context, kid, purpose string) (crypto.PublicKey, error) {
		if kid != "did:web:kch.nhs.uk#key-1" || purpose != string(did.AssertionMethod) {
			return nil, did.ErrNotFound
		}
		return key.Public(), nil
	}
	v, err := jose.Verify(context.Background(), token, jose.VerifyOptions{
		Algorithms: jose.DefaultAlgorithms(),
		Key:        lookup,
		Kind:       jose.KindCredential,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Header.Alg, v.Header.Typ, v.Header.Kid)
	fmt.Println("issuer:", v.Credential.Issuer.ID)

	// The same token with alg none is refused before any key is looked up.
	_, rest, _ := strings.Cut(token, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"did:web:kch.nhs.uk#key-1","typ":"vc+jwt"}`))
	_, err = jose.Verify(context.Background(), none+"."+rest, jose.VerifyOptions{
		Algorithms: jose.DefaultAlgorithms(),
		Key:        lookup,
		Kind:       jose.KindCredential,
	})
	fmt.Println(errors.Is(err, jose.ErrAlgorithmNotAllowed))
	// Output:
	// EdDSA vc+jwt did:web:kch.nhs.uk#key-1
	// issuer: did:web:kch.nhs.uk
	// true
}
