package holder_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"time"

	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/verifier"
)

// didKeySigner is a did:key and its signer from a fixed seed.
func didKeySigner(seed byte) (string, keys.Signer) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	kid, _ := didkey.KeyID(key.Public())
	s, _ := keys.NewSigner(key, kid)
	did, _, _ := strings.Cut(kid, "#")
	return did, s
}

// A member of staff presents a credential from their wallet, bound to the
// challenge and domain the receiving organisation gave; the organisation
// verifies it.
func ExamplePresent() {
	issuerDID, issuerKey := didKeySigner(1)
	holderDID, wallet := didKeySigner(2)
	cred, _ := issuer.Issue([]byte(`{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
	  "issuer": "`+issuerDID+`", "validFrom": "2026-01-01T00:00:00Z",
	  "credentialSubject": {"id": "`+holderDID+`", "name": "Jo Example"}}`), issuerKey, issuer.Options{Format: issuer.FormatJWT})

	made := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	vp, err := holder.Present([][]byte{cred}, wallet, holder.Options{
		Format: vc.FormatJWT, Challenge: "c-8f1e", Domain: "https://bank.gstt.nhs.uk", Created: made})
	if err != nil {
		fmt.Println(err)
		return
	}

	v, _ := verifier.New(verifier.Trust{Issuers: []string{issuerDID}})
	r, err := v.Verify(context.Background(), vp, verifier.Policy{Challenge: "c-8f1e", Domain: "https://bank.gstt.nhs.uk", Now: made.Add(time.Minute)})
	fmt.Println(r.Kind, r.Format, r.Verified, err)
	fmt.Println(r.Check(verifier.CheckHolderBinding).Status, len(r.Credentials), "credential")

	// Shown to another verifier, it is refused.
	r, _ = v.Verify(context.Background(), vp, verifier.Policy{Challenge: "c-8f1e", Domain: "https://evil.example", Now: made.Add(time.Minute)})
	fmt.Println(r.Check(verifier.CheckDomain).Status)
	// Output:
	// presentation vp+jwt true <nil>
	// passed 1 credential
	// failed
}
