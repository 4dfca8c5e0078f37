package bundle_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
)

// A publisher builds a bundle from a trust list and the issuers' documents
// at hand, and signs it; a verifier opens it against the publisher it has
// configured.
func Example() {
	// King's College Hospital's did:web document, as it publishes it.
	kchID, _ := did.Parse("did:web:kch.nhs.uk")
	method, _ := issuer.NewMultikeyMethod(kchID, seeded(1).Public())
	kchDoc, _ := json.Marshal(issuer.NewDocument(kchID, method))
	files := bundle.NewFiles()
	if err := files.Add(kchDoc); err != nil {
		fmt.Println(err)
		return
	}

	list := &bundle.TrustList{Name: "King's Health Partners", ValidFor: "168h", Issuers: []bundle.ListedIssuer{
		{ID: "did:web:kch.nhs.uk", Name: "King's College Hospital", Types: []string{"DBSCheckCredential", "MandatoryTrainingCredential"}},
	}}
	pubKey := seeded(9)
	kid, _ := didkey.KeyID(pubKey.Public())
	publisher, _ := keys.NewSigner(pubKey, kid)
	publisherDID, _ := didkey.New(pubKey.Public())

	b, err := bundle.Build(context.Background(), list, files, bundle.BuildOptions{
		Publisher: publisherDID.String(), Now: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	signed, err := bundle.Sign(b, publisher)
	if err != nil {
		fmt.Println(err)
		return
	}

	opened, err := bundle.Open(context.Background(), signed, publisherDID.String(), didkey.Resolver{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(opened.Name, "valid until", opened.ValidUntil.Format(time.DateOnly))
	for _, is := range opened.Issuers {
		fmt.Println(is.ID, is.Types)
	}
	// Output:
	// King's Health Partners valid until 2026-12-13
	// did:web:kch.nhs.uk [DBSCheckCredential MandatoryTrainingCredential]
}
