// Package did implements Decentralized Identifiers as W3C DID Core 1.0
// (Recommendation, 19 July 2022) defines them: the DID and DID URL syntax
// (section 3.1 and 3.2, with the ABNF of RFC 3986 for paths, queries and
// fragments), DID documents and their core properties (section 5), the
// verification methods staffpass can use (section 5.2: Multikey and
// JsonWebKey from W3C Controlled Identifiers 1.0 sections 2.2.2 and 2.2.3,
// and the older JsonWebKey2020 and Ed25519VerificationKey2020), the
// verification relationships (section 5.3) and DID resolution (section 7.1)
// through a Resolver.
//
// Parsing never fetches anything. A Resolver turns a DID into a Document;
// the resolvers for each method live in did/key, did/jwk (offline) and
// did/web (HTTPS, the only one that does I/O). StaticResolver serves DID
// documents from memory, as a trust bundle provides them. ResolveMethod
// finds the verification method a signature names (a JWS "kid" or a proof's
// verificationMethod) and checks that it may be used for the purpose at
// hand, following the "Retrieve Verification Method" algorithm of
// Controlled Identifiers 1.0 section 3.3.
package did

import (
	"errors"
	"fmt"
	"strings"

	"github.com/staffpass/staffpass/internal/limits"
)

// Errors callers can branch on with errors.Is.
var (
	// ErrInvalidDID means a string is not a DID (DID Core section 3.1).
	ErrInvalidDID = errors.New("did: invalid DID")
	// ErrInvalidURL means a string is not a DID URL (DID Core section
	// 3.2), or a relative reference cannot be resolved.
	ErrInvalidURL = errors.New("did: invalid DID URL")
	// ErrInvalidDocument means a DID document breaks DID Core or a rule
	// of this package (see ParseDocument).
	ErrInvalidDocument = errors.New("did: invalid DID document")
	// ErrNotFound means a DID could not be resolved, or a DID document
	// has no verification method with the id asked for.
	ErrNotFound = errors.New("did: not found")
	// ErrNotAuthorized means a verification method exists but is not
	// listed under the verification relationship asked for (for example
	// a key for authentication used to issue a credential), or is
	// controlled by another DID.
	ErrNotAuthorized = errors.New("did: verification method not authorized for this purpose")
	// ErrMethodNotSupported means no resolver handles the DID's method.
	ErrMethodNotSupported = errors.New("did: DID method not supported")
	// ErrIDMismatch means a resolved DID document's id is not the DID
	// that was resolved.
	ErrIDMismatch = errors.New("did: DID document id does not match the DID")
	// ErrUnsupportedMethodType means a verification method's type is
	// not one this package reads keys from.
	ErrUnsupportedMethodType = errors.New("did: unsupported verification method type")
	// ErrDuplicate means a StaticResolver already holds a document for
	// the DID.
	ErrDuplicate = errors.New("did: duplicate DID")
)

// DID is a parsed Decentralized Identifier, did:METHOD:METHOD-SPECIFIC-ID.
// The zero value is no DID; String returns "".
type DID struct {
	s         string
	methodEnd int // index of the ':' after the method name
}

// Parse parses a DID by the DID Core ABNF (section 3.1.1):
//
//	did                = "did:" method-name ":" method-specific-id
//	method-name        = 1*method-char
//	method-char        = %x61-7A / DIGIT
//	method-specific-id = *( *idchar ":" ) 1*idchar
//	idchar             = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded
//	pct-encoded        = "%" HEXDIG HEXDIG
//
// A DID URL (with a path, query or fragment) is not a DID: use ParseURL.
// Inputs longer than limits.MaxDIDLength are refused.
func Parse(s string) (DID, error) {
	d, n, err := parseDID(s)
	if err != nil {
		return DID{}, err
	}
	if n != len(s) {
		return DID{}, fmt.Errorf("%w: %s: unexpected %q at byte %d (a DID URL is not a DID)", ErrInvalidDID, quote(s), s[n], n)
	}
	return d, nil
}

// parseDID reads the DID at the start of s and returns it and its length.
func parseDID(s string) (DID, int, error) {
	if len(s) > limits.MaxDIDLength {
		return DID{}, 0, fmt.Errorf("%w: %d bytes, more than %d", ErrInvalidDID, len(s), limits.MaxDIDLength)
	}
	if !strings.HasPrefix(s, "did:") {
		return DID{}, 0, fmt.Errorf("%w: %s does not start with \"did:\"", ErrInvalidDID, quote(s))
	}
	i := 4
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if i == 4 {
		return DID{}, 0, fmt.Errorf("%w: %s: the method name must be lower-case letters and digits", ErrInvalidDID, quote(s))
	}
	if i >= len(s) || s[i] != ':' {
		return DID{}, 0, fmt.Errorf("%w: %s: the method name must be lower-case letters and digits followed by ':'", ErrInvalidDID, quote(s))
	}
	methodEnd := i
	i++
	start := i
	for i < len(s) {
		c := s[i]
		switch {
		case isIDChar(c) || c == ':':
			i++
		case c == '%':
			if !pctEncoded(s, i) {
				return DID{}, 0, fmt.Errorf("%w: %s: bad percent-encoding at byte %d", ErrInvalidDID, quote(s), i)
			}
			i += 3
		case c == '/' || c == '?' || c == '#':
			goto end
		default:
			return DID{}, 0, fmt.Errorf("%w: %s: character %q at byte %d is not allowed in a method-specific id", ErrInvalidDID, quote(s), c, i)
		}
	}
end:
	if i == start {
		return DID{}, 0, fmt.Errorf("%w: %s: empty method-specific id", ErrInvalidDID, quote(s))
	}
	if s[i-1] == ':' {
		return DID{}, 0, fmt.Errorf("%w: %s: the method-specific id must not end with ':'", ErrInvalidDID, quote(s))
	}
	return DID{s: s[:i], methodEnd: methodEnd}, i, nil
}

// String returns the DID as text.
func (d DID) String() string { return d.s }

// Method returns the method name, for example "web".
func (d DID) Method() string {
	if d.s == "" {
		return ""
	}
	return d.s[4:d.methodEnd]
}

// SpecificID returns the method-specific id, for example "example.com"
// for did:web:example.com.
func (d DID) SpecificID() string {
	if d.s == "" {
		return ""
	}
	return d.s[d.methodEnd+1:]
}

// IsZero reports whether d is the zero DID.
func (d DID) IsZero() bool { return d.s == "" }

// MarshalText returns the DID as text.
func (d DID) MarshalText() ([]byte, error) { return []byte(d.s), nil }

// UnmarshalText parses a DID.
func (d *DID) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isIDChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '-' || c == '_'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func pctEncoded(s string, i int) bool {
	return i+2 < len(s) && s[i] == '%' && isHex(s[i+1]) && isHex(s[i+2])
}

// quote quotes s for an error message, shortened if long.
func quote(s string) string {
	const max = 80
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
