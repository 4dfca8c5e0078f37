package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"time"

	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/verifier"
)

// exampleIssuer is an issuer with a did:key made from a fixed seed, so that
// the examples print the same every run.
func exampleIssuer(seed byte) (string, keys.Signer) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	kid, _ := didkey.KeyID(key.Public())
	signer, _ := keys.NewSigner(key, kid)
	did, _, _ := strings.Cut(kid, "#")
	return did, signer
}

// Verify a credential offline: every check, with its outcome.
func Example() {
	issuerDID, signer := exampleIssuer(1)
	credential := []byte(`{
	  "@context": ["https://www.w3.org/ns/credentials/v2"],
	  "type": ["VerifiableCredential"],
	  "issuer": "` + issuerDID + `",
	  "validFrom": "2026-01-01T00:00:00Z",
	  "credentialSubject": {"id": "did:example:jo", "name": "Jo Example"}
	}`)
	signed, err := issuer.Issue(credential, signer, issuer.Options{
		Format: issuer.FormatEdDSARDFC2022, Created: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}

	// What the verifier trusts is fixed when it is made; what one
	// verification asks (here, only the time) is its Policy.
	v, err := verifier.New(verifier.Trust{Issuers: []string{issuerDID}})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := v.Verify(context.Background(), signed, verifier.Policy{Now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)})
	fmt.Println("verified:", r.Verified, err)
	fmt.Println(r.Kind, r.Format)
	for _, c := range r.Checks {
		fmt.Printf("%-20s %s\n", c.Name, c.Status)
	}
	// Output:
	// verified: true <nil>
	// credential data-integrity/eddsa-rdfc-2022
	// syntax               passed
	// contexts             passed
	// schema               passed
	// proof                passed
	// verification-method  passed
	// issuer-trust         passed
	// validity-period      passed
	// status               passed
}

// A credential changed after it was signed is refused, and the Result says
// which check failed and why.
func Example_tampered() {
	issuerDID, signer := exampleIssuer(1)
	credential := []byte(`{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
	  "issuer": "` + issuerDID + `", "validFrom": "2026-01-01T00:00:00Z",
	  "credentialSubject": {"id": "did:example:jo", "name": "Jo Example"}}`)
	signed, _ := issuer.Issue(credential, signer, issuer.Options{Format: issuer.FormatEdDSAJCS2022, Created: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)})
	tampered := bytes.Replace(signed, []byte("Jo Example"), []byte("Jo Exampel"), 1)

	v, _ := verifier.New(verifier.Trust{Issuers: []string{issuerDID}})
	r, err := v.Verify(context.Background(), tampered, verifier.Policy{Now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)})
	fmt.Println("verified:", r.Verified)
	fmt.Println(r.Check(verifier.CheckProof).Status, strings.Contains(err.Error(), "signature does not verify"))
	fmt.Println(r.Check(verifier.CheckValidityPeriod).Status)
	// Output:
	// verified: false
	// failed true
	// skipped
}
