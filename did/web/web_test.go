package web_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/did/web"
)

const examples = "../../testdata/vectors/did-method-web/examples"

// specMappings reads examples 04-06: "DID\n -> URL".
func specMappings(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range []string{
		"example-04-creating-the-did.txt",
		"example-05-creating-the-did-with-optional-path.txt",
		"example-06-creating-the-did-with-optional-path-and-port.txt",
	} {
		data, err := os.ReadFile(filepath.Join(examples, f))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) != 2 || !strings.HasPrefix(strings.TrimSpace(lines[1]), "-> ") {
			t.Fatalf("%s: unexpected layout", f)
		}
		out[strings.TrimSpace(lines[0])] = strings.TrimPrefix(strings.TrimSpace(lines[1]), "-> ")
	}
	return out
}

func TestTheSpecExamplesMapBothWays(t *testing.T) {
	m := specMappings(t)
	if len(m) != 3 {
		t.Fatalf("%d mappings, want 3", len(m))
	}
	for id, u := range m {
		t.Run(id, func(t *testing.T) {
			got, err := web.DocumentURL(id)
			if err != nil || got != u {
				t.Fatalf("DocumentURL = %q, %v; want %q", got, err, u)
			}
			back, err := web.FromURL(u)
			if err != nil || back.String() != id {
				t.Fatalf("FromURL = %q, %v; want %q", back, err, id)
			}
		})
	}
}

func TestTheSpecExampleDIDsAreDIDWebs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(examples, "example-03-example-web-method-dids.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"did:web:w3c-ccg.github.io":            "https://w3c-ccg.github.io/.well-known/did.json",
		"did:web:w3c-ccg.github.io:user:alice": "https://w3c-ccg.github.io/user/alice/did.json",
		"did:web:example.com%3A3000":           "https://example.com:3000/.well-known/did.json",
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		id := strings.TrimSpace(line)
		if id == "" {
			continue
		}
		n++
		u, err := web.DocumentURL(id)
		if err != nil || u != want[id] {
			t.Errorf("DocumentURL(%q) = %q, %v; want %q", id, u, err, want[id])
		}
		if back, err := web.FromURL(u); err != nil || back.String() != id {
			t.Errorf("FromURL(%q) = %q, %v", u, back, err)
		}
	}
	if n != 3 {
		t.Fatalf("%d DIDs in example 03, want 3", n)
	}
}

func TestNewBuildsDIDs(t *testing.T) {
	tests := []struct {
		host string
		path []string
		want string
	}{
		{"kch.nhs.uk", nil, "did:web:kch.nhs.uk"},
		{"example.com:3000", []string{"user", "alice"}, "did:web:example.com%3A3000:user:alice"},
		{"example.com", []string{"staff", "a b:c"}, "did:web:example.com:staff:a%20b%3Ac"},
	}
	for _, tt := range tests {
		d, err := web.New(tt.host, tt.path...)
		if err != nil || d.String() != tt.want {
			t.Errorf("New(%q, %q) = %q, %v; want %q", tt.host, tt.path, d, err, tt.want)
			continue
		}
		u, err := web.DocumentURL(d.String())
		if err != nil {
			t.Fatal(err)
		}
		back, err := web.FromURL(u)
		if err != nil || back != d {
			t.Errorf("FromURL(DocumentURL(%s)) = %q, %v", d, back, err)
		}
	}
}

func TestDocumentURLRefusesBadDIDs(t *testing.T) {
	tests := []struct{ name, in string }{
		{"another method", "did:key:z6Mk"},
		{"an IPv4 host", "did:web:127.0.0.1"},
		{"an IPv4 host with a port", "did:web:10.0.0.1%3A8443"},
		{"a short IPv4 form", "did:web:127.1"},
		{"a decimal IPv4 form", "did:web:2130706433"},
		{"an IPv6 host", "did:web:%5B::1%5D"},
		{"a port of zero", "did:web:example.com%3A0"},
		{"a port too large", "did:web:example.com%3A65536"},
		{"a port that is not a number", "did:web:example.com%3Ahttps"},
		{"an empty port", "did:web:example.com%3A"},
		{"two ports", "did:web:example.com%3A1%3A2"},
		{"another percent-encoding in the host", "did:web:example%2Ecom"},
		{"an underscore in the host", "did:web:exa_mple.com"},
		{"an empty label", "did:web:example..com"},
		{"a hyphen at a label's start", "did:web:-example.com"},
		{"a dot-dot segment", "did:web:example.com:..:x"},
		{"a dot segment", "did:web:example.com:."},
		{"an encoded dot-dot segment", "did:web:example.com:%2E%2E"},
		{"an encoded slash in a segment", "did:web:example.com:a%2Fb"},
		{"an encoded question mark in a segment", "did:web:example.com:a%3Fb"},
		{"an encoded NUL in a segment", "did:web:example.com:a%00b"},
		{"an empty segment", "did:web:example.com::alice"},
		{"a DID URL", "did:web:example.com#key-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if u, err := web.DocumentURL(tt.in); !errors.Is(err, did.ErrInvalidDID) {
				t.Fatalf("DocumentURL(%q) = %q, %v; want ErrInvalidDID", tt.in, u, err)
			}
		})
	}
}

func TestFromURLRefusesBadURLs(t *testing.T) {
	tests := []struct{ name, in string }{
		{"http", "http://example.com/.well-known/did.json"},
		{"a user", "https://bob@example.com/.well-known/did.json"},
		{"a query", "https://example.com/.well-known/did.json?x=1"},
		{"an empty query", "https://example.com/.well-known/did.json?"},
		{"a fragment", "https://example.com/.well-known/did.json#x"},
		{"no did.json", "https://example.com/user/alice"},
		{"did.json at the root", "https://example.com/did.json"},
		{"an IP host", "https://127.0.0.1/.well-known/did.json"},
		{"an IPv6 host", "https://[::1]/.well-known/did.json"},
		{"an empty segment", "https://example.com/user//did.json"},
		{"a dot-dot segment", "https://example.com/user/../did.json"},
		{"an encoded slash", "https://example.com/a%2Fb/did.json"},
		{"not a URL", "https://exa mple.com/.well-known/did.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d, err := web.FromURL(tt.in); !errors.Is(err, did.ErrInvalidDID) {
				t.Fatalf("FromURL(%q) = %q, %v; want ErrInvalidDID", tt.in, d, err)
			}
		})
	}
}

func FuzzDocumentURL(f *testing.F) {
	for id := range specMappings(f) {
		f.Add(id)
	}
	f.Add("did:web:example.com:a%20b")
	f.Fuzz(func(t *testing.T, id string) {
		u, err := web.DocumentURL(id)
		if err != nil {
			return
		}
		back, err := web.FromURL(u)
		if err != nil {
			t.Fatalf("FromURL(DocumentURL(%q) = %q): %v", id, u, err)
		}
		// One round trip may normalise percent-encoding; after it the
		// mapping is stable.
		again, err := web.DocumentURL(back.String())
		if err != nil {
			t.Fatalf("%q -> %q -> %q: %v", id, u, back, err)
		}
		back2, err := web.FromURL(again)
		if err != nil || back2 != back {
			t.Fatalf("%q -> %q -> %q -> %q -> %q, %v", id, u, back, again, back2, err)
		}
	})
}
