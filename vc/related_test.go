package vc

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"testing"
)

func TestRelatedResourceCheckContent(t *testing.T) {
	content := []byte(`{"@context": {}}`)
	s256 := sha256.Sum256(content)
	s384 := sha512.Sum384(content)
	sri256 := "sha256-" + base64.StdEncoding.EncodeToString(s256[:])
	sri384 := "sha384-" + base64.StdEncoding.EncodeToString(s384[:])
	mb := "u" + base64.RawURLEncoding.EncodeToString(s256[:])
	mh := "u" + base64.RawURLEncoding.EncodeToString(append([]byte{0x12, 0x20}, s256[:]...))
	wrong := "sha384-" + base64.StdEncoding.EncodeToString(make([]byte, 48))
	cases := []struct {
		name string
		r    RelatedResource
		ok   bool
	}{
		{"sha384", RelatedResource{DigestSRI: sri384}, true},
		{"sha256", RelatedResource{DigestSRI: sri256}, true},
		{"a weaker match beside a stronger mismatch", RelatedResource{DigestSRI: sri256 + " " + wrong}, false},
		{"a stronger match beside a weaker one", RelatedResource{DigestSRI: sri256 + " " + sri384}, true},
		{"wrong", RelatedResource{DigestSRI: wrong}, false},
		{"only unknown algorithms", RelatedResource{DigestSRI: "md5-AAAA"}, false},
		{"not base64", RelatedResource{DigestSRI: "sha256-!!"}, false},
		{"multibase", RelatedResource{DigestMultibase: mb}, true},
		{"multibase multihash", RelatedResource{DigestMultibase: mh}, true},
		{"multibase wrong", RelatedResource{DigestMultibase: "u" + base64.RawURLEncoding.EncodeToString(make([]byte, 32))}, false},
		{"multibase base58", RelatedResource{DigestMultibase: "z3yZe"}, false},
		{"both, one wrong", RelatedResource{DigestSRI: sri384, DigestMultibase: "uAAAA"}, false},
		{"both right", RelatedResource{DigestSRI: sri384, DigestMultibase: mb}, true},
	}
	for _, c := range cases {
		err := c.r.CheckContent(content)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrDigest)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
