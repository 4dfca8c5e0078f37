package rdfc_test

import (
	"crypto/sha256"
	"fmt"

	"github.com/staffpass/staffpass/internal/rdfc"
)

func ExampleCanonicalizeNQuads() {
	doc := []byte(`_:e0 <http://example.com/#p> _:e2 .
<http://example.com/#p> <http://example.com/#q> _:e0 .
_:e2 <http://example.com/#r> _:e3 .
<http://example.com/#p> <http://example.com/#q> _:e1 .
_:e1 <http://example.com/#p> _:e3 .
`)
	res, err := rdfc.CanonicalizeNQuads(doc, rdfc.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(res.NQuads))
	fmt.Printf("%x\n", sha256.Sum256(res.NQuads))
	// Output:
	// <http://example.com/#p> <http://example.com/#q> _:c14n2 .
	// <http://example.com/#p> <http://example.com/#q> _:c14n3 .
	// _:c14n0 <http://example.com/#r> _:c14n1 .
	// _:c14n2 <http://example.com/#p> _:c14n1 .
	// _:c14n3 <http://example.com/#p> _:c14n0 .
	// a561b3db619593d5d255343fe8e40411fdc35836e8a995ffc84b4d54ad9cfabc
}
