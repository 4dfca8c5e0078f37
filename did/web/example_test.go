package web_test

import (
	"fmt"

	"github.com/staffpass/staffpass/did/web"
)

func ExampleDocumentURL() {
	for _, id := range []string{"did:web:kch.nhs.uk", "did:web:example.com%3A3000:user:alice"} {
		u, err := web.DocumentURL(id)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(u)
	}
	// Output:
	// https://kch.nhs.uk/.well-known/did.json
	// https://example.com:3000/user/alice/did.json
}
