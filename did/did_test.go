package did_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/did"
)

func TestParseAcceptsDIDs(t *testing.T) {
	tests := []struct {
		in, method, id string
	}{
		{"did:web:example.com", "web", "example.com"},
		{"did:web:example.com%3A3000:user:alice", "web", "example.com%3A3000:user:alice"},
		{"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", "key", "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"},
		{"did:jwk:eyJrdHkiOiJPS1AifQ", "jwk", "eyJrdHkiOiJPS1AifQ"},
		{"did:example:123456789abcdefghi", "example", "123456789abcdefghi"},
		{"did:a1:b", "a1", "b"},
		{"did:example::a", "example", ":a"},
		{"did:example:a::b", "example", "a::b"},
		{"did:example:A.b-c_d%2f", "example", "A.b-c_d%2f"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := did.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if d.String() != tt.in || d.Method() != tt.method || d.SpecificID() != tt.id || d.IsZero() {
				t.Fatalf("got %q method %q id %q", d.String(), d.Method(), d.SpecificID())
			}
		})
	}
}

func TestParseRefusesWhatIsNotADID(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"an empty string", ""},
		{"no did: prefix", "web:example.com"},
		{"an upper-case scheme", "DID:web:example.com"},
		{"an upper-case method", "did:Web:example.com"},
		{"a method with a hyphen", "did:my-method:1"},
		{"an empty method", "did::1"},
		{"no method-specific id", "did:web:"},
		{"no second colon", "did:web"},
		{"a trailing colon", "did:web:example.com:"},
		{"a space", "did:web:exa mple.com"},
		{"a bad percent-encoding", "did:web:example.com%3"},
		{"a non-hex percent-encoding", "did:web:example.com%zz"},
		{"a fragment (a DID URL is not a DID)", "did:web:example.com#key-1"},
		{"a path", "did:web:example.com/path"},
		{"a query", "did:web:example.com?versionId=1"},
		{"non-ASCII", "did:web:exämple.com"},
		{"a NUL byte", "did:web:example\x00.com"},
		{"a tilde in the id", "did:web:~user"},
		{"a DID over the length limit", "did:example:" + strings.Repeat("a", 2048)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := did.Parse(tt.in); !errors.Is(err, did.ErrInvalidDID) {
				t.Fatalf("Parse(%q) error = %v, want ErrInvalidDID", tt.in, err)
			}
		})
	}
}

func TestParseURLSplitsTheParts(t *testing.T) {
	tests := []struct {
		in, did, path, query, fragment string
		isDID                          bool
	}{
		{"did:web:example.com", "did:web:example.com", "", "", "", true},
		{"did:web:example.com#key-1", "did:web:example.com", "", "", "key-1", false},
		{"did:example:123/path/to/x?service=files&relativeRef=/a#frag", "did:example:123", "/path/to/x", "service=files&relativeRef=/a", "frag", false},
		{"did:example:123?versionId=1", "did:example:123", "", "versionId=1", "", false},
		{"did:example:123/", "did:example:123", "/", "", "", false},
		{"did:example:123#", "did:example:123", "", "", "", false},
		{"did:key:z6Mk#z6Mk", "did:key:z6Mk", "", "", "z6Mk", false},
		{"did:example:123#a/b?c:d@e!$&'()*+,;=%20", "did:example:123", "", "", "a/b?c:d@e!$&'()*+,;=%20", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := did.ParseURL(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if u.String() != tt.in || u.DID().String() != tt.did || u.Path() != tt.path || u.Query() != tt.query || u.Fragment() != tt.fragment || u.IsDID() != tt.isDID {
				t.Fatalf("got did %q path %q query %q fragment %q isDID %v", u.DID(), u.Path(), u.Query(), u.Fragment(), u.IsDID())
			}
		})
	}
}

func TestParseURLRefusesWhatIsNotADIDURL(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"a relative reference", "#key-1"},
		{"an https URL", "https://example.com/#key-1"},
		{"a bad DID", "did:Web:example.com#key-1"},
		{"a space in the fragment", "did:web:example.com#key 1"},
		{"a second '#'", "did:web:example.com#a#b"},
		{"a bad percent-encoding in the path", "did:web:example.com/%g0"},
		{"a bad percent-encoding in the fragment", "did:web:example.com#%2"},
		{"a backslash", "did:web:example.com/a\\b"},
		{"a quote", "did:web:example.com#\"x\""},
		{"non-ASCII in the fragment", "did:web:example.com#clé"},
		{"a URL over the length limit", "did:web:example.com#" + strings.Repeat("a", 2048)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := did.ParseURL(tt.in); !errors.Is(err, did.ErrInvalidURL) {
				t.Fatalf("ParseURL(%q) error = %v, want ErrInvalidURL", tt.in, err)
			}
		})
	}
}

func TestResolveReferenceResolvesFragmentsAgainstTheDID(t *testing.T) {
	d, err := did.Parse("did:web:example.com")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref, want string
		err       error
	}{
		{"#key-1", "did:web:example.com#key-1", nil},
		{"did:web:other.example#key-2", "did:web:other.example#key-2", nil},
		{"key-1", "", did.ErrInvalidURL},
		{"/path", "", did.ErrInvalidURL},
		{"?q", "", did.ErrInvalidURL},
		{"#bad fragment", "", did.ErrInvalidURL},
		{"", "", did.ErrInvalidURL},
	}
	for _, tt := range tests {
		u, err := d.ResolveReference(tt.ref)
		if !errors.Is(err, tt.err) || u.String() != tt.want {
			t.Errorf("ResolveReference(%q) = %q, %v; want %q, %v", tt.ref, u, err, tt.want, tt.err)
		}
	}
	var zero did.DID
	if _, err := zero.ResolveReference("#k"); !errors.Is(err, did.ErrInvalidURL) {
		t.Errorf("zero DID resolved a reference: %v", err)
	}
}

func TestDIDRoundTripsThroughJSON(t *testing.T) {
	var v struct{ ID did.DID }
	if err := json.Unmarshal([]byte(`{"ID":"did:web:example.com"}`), &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil || string(out) != `{"ID":"did:web:example.com"}` {
		t.Fatalf("%s, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"ID":"did:web:example.com#k"}`), &v); !errors.Is(err, did.ErrInvalidDID) {
		t.Fatalf("a DID URL unmarshalled as a DID: %v", err)
	}
}

// testdataDIDURLs returns the DIDs and DID URLs written in the did:key
// and did:web vectors of testdata, as fuzz seeds.
func testdataDIDURLs(f *testing.F) []string {
	f.Helper()
	re := regexp.MustCompile(`did:[a-z0-9]+:[^"\s<>]+`)
	seen := map[string]bool{}
	var out []string
	for _, dir := range []string{"../testdata/vectors/did-method-key", "../testdata/vectors/did-method-web"} {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			for _, m := range re.FindAllString(string(data), -1) {
				if !seen[m] {
					seen[m] = true
					out = append(out, m)
				}
			}
			return err
		})
		if err != nil {
			f.Fatal(err)
		}
	}
	if len(out) < 10 {
		f.Fatalf("only %d DIDs in testdata", len(out))
	}
	return out
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"did:web:example.com", "did:web:example.com%3A3000:user:alice", "did:example::a", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", "did:a:%41"} {
		f.Add(s)
	}
	for _, s := range testdataDIDURLs(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := did.Parse(s)
		if err != nil {
			return
		}
		if d.String() != s || "did:"+d.Method()+":"+d.SpecificID() != s {
			t.Fatalf("Parse(%q) = %q", s, d)
		}
		u, err := did.ParseURL(s)
		if err != nil || !u.IsDID() || u.DID() != d {
			t.Fatalf("a DID is not a DID URL: %v", err)
		}
	})
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"did:web:example.com#key-1", "did:example:123/path?query=1#frag", "did:example:123?", "did:example:123#", "did:key:z6Mk#z6Mk"} {
		f.Add(s)
	}
	for _, s := range testdataDIDURLs(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := did.ParseURL(s)
		if err != nil {
			return
		}
		if u.String() != s {
			t.Fatalf("ParseURL(%q).String() = %q", s, u)
		}
		if _, err := did.Parse(u.DID().String()); err != nil {
			t.Fatalf("the DID of %q does not parse: %v", s, err)
		}
		if !strings.HasPrefix(s, u.DID().String()+u.Path()) {
			t.Fatalf("%q: DID %q path %q", s, u.DID(), u.Path())
		}
		if f := u.Fragment(); f != "" {
			again, err := u.DID().ResolveReference("#" + f)
			if err != nil || again.Fragment() != f {
				t.Fatalf("fragment %q does not resolve back: %v", f, err)
			}
		}
	})
}
