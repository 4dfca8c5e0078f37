package status_test

import (
	"fmt"
	"time"

	"github.com/staffpass/staffpass/vc/status"
)

// A verifier checks a credential's revocation entry against the status list
// credential it has already verified.
func ExampleValidate() {
	list, _ := status.New(status.MinEntries)
	list.Set(94567, true)
	lc := &status.ListCredential{
		ID:       "https://kch.nhs.uk/status/1",
		Issuer:   "did:web:kch.nhs.uk",
		Purposes: []string{status.PurposeRevocation},
		List:     list,
	}
	entry := status.Entry{
		Purpose:        status.PurposeRevocation,
		Index:          94567,
		ListCredential: "https://kch.nhs.uk/status/1",
	}
	revoked, err := status.Validate(entry, "did:web:kch.nhs.uk", lc, status.Check{Now: time.Now()})
	fmt.Println(revoked, err)
	_, err = status.Validate(entry, "did:web:other.nhs.uk", lc, status.Check{Now: time.Now()})
	fmt.Println(err)
	// Output:
	// true <nil>
	// status: status list issuer is not the credential issuer: list issued by "did:web:kch.nhs.uk", credential by "did:web:other.nhs.uk"
}

func ExampleList_Encode() {
	list, _ := status.New(status.MinEntries)
	encoded, _ := list.Encode()
	back, _ := status.Decode(encoded)
	fmt.Println(encoded[:1], back.Len())
	// Output: u 131072
}
