package did_test

import (
	"fmt"

	"github.com/staffpass/staffpass/did"
)

// A DID URL names a verification method of a DID document; a fragment
// reference in a document resolves against its DID.
func ExampleParseURL() {
	u, err := did.ParseURL("did:web:kch.nhs.uk#key-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.DID(), u.DID().Method(), u.Fragment())
	fmt.Println(did.AbsoluteURL("did:web:kch.nhs.uk", "#key-2"))
	_, err = did.Parse("did:web:")
	fmt.Println(err != nil)
	// Output:
	// did:web:kch.nhs.uk web key-1
	// did:web:kch.nhs.uk#key-2
	// true
}
