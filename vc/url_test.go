package vc

import (
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" when accepted, else a fragment of the reason
	}{
		{"an https URL is accepted", "https://kch.nhs.uk/credentials/1?x=1#f", ""},
		{"a DID is accepted", "did:web:kch.nhs.uk", ""},
		{"a DID URL is accepted", "did:key:z6Mk#z6Mk", ""},
		{"a urn:uuid is accepted", "urn:uuid:5a6b2f0c-8d0a-4d7e-9a53-0f2e8c1d7b44", ""},
		{"a percent escape is accepted", "https://e.example/a%20b", ""},
		{"an IPv6 host is accepted", "http://[::1]:8080/", ""},
		{"an IRI with non-ASCII letters is accepted", "https://例え.jp/パス", ""},
		{"a data: URL is accepted", "data:application/vc+jwt,eyJ.eyJ.sig", ""},
		{"the empty string is refused", "", "empty"},
		{"a bare word is refused", "fake-issuer", "no scheme"},
		{"a multibase key is refused", "z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj", "no scheme"},
		{"a relative path is refused", "/credentials/1", "no scheme"},
		{"a space in the scheme is refused", "https ://not-a-url/x", "space at byte 5"},
		{"a scheme starting with a digit is refused", "1https://x", "no scheme"},
		{"a leading colon is refused", ":x", "no scheme"},
		{"a space in the path is refused", "https://e.example/a b", "space at byte 19"},
		{"a bad percent escape is refused", "https://e.example/%zz", "%XX"},
		{"a truncated percent escape is refused", "https://e.example/%2", "%XX"},
		{"a double quote is refused", `https://e.example/"x"`, "may not hold"},
		{"angle brackets are refused", "https://e.example/<x>", "may not hold"},
		{"a control character is refused", "https://e.example/\x01", "may not hold"},
		{"a bidi override is refused", "https://e.example/\u202egnp.exe", "may not hold"},
		{"a C1 control is refused", "https://e.example/\u0085", "may not hold"},
		{"a tag character is refused", "https://e.example/\U000E0041", "may not hold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkURL(tt.in)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Error("accepted")
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("reason %q lacks %q", err, tt.want)
			}
		})
	}
}
