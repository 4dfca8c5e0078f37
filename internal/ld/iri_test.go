package ld

import "testing"

// quickIRI answers only when it is sure, and then as url.Parse-based
// checking does.
func TestQuickIRIAgreesWithURLParse(t *testing.T) {
	tests := []struct {
		iri  string
		want bool
	}{
		{"https://www.w3.org/2018/credentials#issuer", true},
		{"did:example:abcdefgh", true},
		{"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", true},
		{"urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33", true},
		{"https://example.org:8443/a/b?x=1#frag", true},
		{"https://example.org:/a", true},
		{"https://example.org:84a3/a", false},
		{"https://a:1:2/x", false},
		{"https://user@example.org/", true},
		{"https://[::1]/x", true},
		{"https://[1.2.3.4]/x", false},
		{"https://ex%41mple.org/", false},
		{"https://example.org/%zz", false},
		{"https://example.org/%41", true},
		{"https://exämple.org/", true},
		{"http://a b/", false},
		{"34:x", false},
		{"https ://x", false},
		{"_:b0", false},
		{"", false},
		{"x", false},
		{"a:", true},
		{"a:b\u00a0c", false},
		{"a:<b>", false},
		{"A.b+c-d:e", true},
	}
	for _, tt := range tests {
		if got := validIRI(tt.iri); got != tt.want {
			t.Errorf("validIRI(%q) = %v, want %v", tt.iri, got, tt.want)
		}
		if ok, sure := quickIRI(tt.iri); sure && ok != parsedIRI(tt.iri) {
			t.Errorf("quickIRI(%q) = %v, sure, but parsedIRI says %v", tt.iri, ok, !ok)
		}
	}
}

// FuzzQuickIRIAgreesWithURLParse holds quickIRI to parsedIRI on any string.
func FuzzQuickIRIAgreesWithURLParse(f *testing.F) {
	for _, s := range []string{"https://www.w3.org/2018/credentials#issuer", "did:example:1", "urn:uuid:1", "https://a:80/b?c#d",
		"https://u@h/", "https://[::1]:8/", "a:%41", "https://a:1:2/", "x", "34:x", "a:\x7f", "https://h:x/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ok, sure := quickIRI(s); sure && ok != parsedIRI(s) {
			t.Fatalf("quickIRI(%q) = %v, parsedIRI says %v", s, ok, !ok)
		}
	})
}
