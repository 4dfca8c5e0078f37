package did

import (
	"fmt"
	"strings"
)

// URL is a parsed DID URL (DID Core section 3.2): a DID followed by an
// optional path, query and fragment. The zero value is no URL.
type URL struct {
	s        string
	did      DID
	pathEnd  int // index of '?' or '#' or len(s)
	queryEnd int // index of '#' or len(s)
}

// ParseURL parses an absolute DID URL by the DID Core ABNF (section 3.2):
//
//	did-url = did path-abempty [ "?" query ] [ "#" fragment ]
//
// where path-abempty, query and fragment are those of RFC 3986 section 3.
// A DID alone is a DID URL too. Relative DID URLs ("#key-1") are resolved
// with DID.ResolveReference. Inputs longer than limits.MaxDIDLength are
// refused.
func ParseURL(s string) (URL, error) {
	d, i, err := parseDID(s)
	if err != nil {
		return URL{}, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	u := URL{s: s, did: d}
	// path-abempty = *( "/" segment ); segment = *pchar
	for i < len(s) && s[i] == '/' {
		i++
		var err error
		if i, err = scanURLChars(s, i, false); err != nil {
			return URL{}, err
		}
	}
	u.pathEnd = i
	if i < len(s) && s[i] == '?' {
		var err error
		if i, err = scanURLChars(s, i+1, true); err != nil {
			return URL{}, err
		}
	}
	u.queryEnd = i
	if i < len(s) && s[i] == '#' {
		var err error
		if i, err = scanURLChars(s, i+1, true); err != nil {
			return URL{}, err
		}
	}
	if i != len(s) {
		return URL{}, fmt.Errorf("%w: %s: character %q at byte %d is not allowed here", ErrInvalidURL, quote(s), s[i], i)
	}
	return u, nil
}

// scanURLChars reads pchar (RFC 3986 section 3.3), and also '/' and '?'
// when queryOrFragment, from s[i:], and returns where they end.
func scanURLChars(s string, i int, queryOrFragment bool) (int, error) {
	for i < len(s) {
		c := s[i]
		switch {
		case isAlnum(c) || strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0:
			i++
		case c == '%':
			if !pctEncoded(s, i) {
				return 0, fmt.Errorf("%w: %s: bad percent-encoding at byte %d", ErrInvalidURL, quote(s), i)
			}
			i += 3
		case queryOrFragment && (c == '/' || c == '?'):
			i++
		default:
			return i, nil
		}
	}
	return i, nil
}

// String returns the DID URL as text.
func (u URL) String() string { return u.s }

// DID returns the DID the URL starts with.
func (u URL) DID() DID { return u.did }

// Path returns the path, "" or starting with '/'.
func (u URL) Path() string { return u.s[len(u.did.s):u.pathEnd] }

// Query returns the query without its '?', or "".
func (u URL) Query() string {
	if u.queryEnd > u.pathEnd {
		return u.s[u.pathEnd+1 : u.queryEnd]
	}
	return ""
}

// Fragment returns the fragment without its '#', or "".
func (u URL) Fragment() string {
	if u.queryEnd < len(u.s) {
		return u.s[u.queryEnd+1:]
	}
	return ""
}

// IsDID reports whether the URL is a bare DID, with no path, query or
// fragment.
func (u URL) IsDID() bool { return u.s != "" && len(u.s) == len(u.did.s) }

// AbsoluteURL returns ref, a verification method id of the DID document of
// id, as an absolute DID URL (ResolveReference); ref is returned as it is
// when it cannot be resolved (it then matches no DID URL a proof names).
func AbsoluteURL(id, ref string) string {
	d, err := Parse(id)
	if err != nil {
		return ref
	}
	u, err := d.ResolveReference(ref)
	if err != nil {
		return ref
	}
	return u.String()
}

// ResolveReference resolves a DID URL reference against d, as DID Core
// section 3.2.2 describes for relative DID URLs in a DID document: a
// fragment reference such as "#key-1" becomes d + "#key-1"; an absolute DID
// URL is parsed as it is. Other relative references (paths, queries) are
// refused.
func (d DID) ResolveReference(ref string) (URL, error) {
	switch {
	case strings.HasPrefix(ref, "#"):
		if d.s == "" {
			return URL{}, fmt.Errorf("%w: %s: no DID to resolve it against", ErrInvalidURL, quote(ref))
		}
		return ParseURL(d.s + ref)
	case strings.HasPrefix(ref, "did:"):
		return ParseURL(ref)
	}
	return URL{}, fmt.Errorf("%w: %s: only fragment references (\"#...\") and absolute DID URLs are supported", ErrInvalidURL, quote(ref))
}
