package ld

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// validIRI reports whether s can stand as an IRI (not a blank node) in an
// RDF statement that every processor keeps and every N-Quads reader reads:
//
//   - it has a scheme (RFC 3986 section 3.1) followed by ":", as
//     jsonld.js's absolute-IRI test requires; "34:x" and "https ://x" do not;
//   - it has no white space (jsonld.js drops such IRIs) and none of the
//     characters N-Quads forbids in an IRIREF: controls, space, <>"{}|^`\;
//   - Go's URL parser accepts it as an absolute URL (json-gold's test).
func validIRI(s string) bool {
	if s == "" || strings.HasPrefix(s, "_:") || !utf8.ValidString(s) {
		return false
	}
	i := strings.IndexByte(s, ':')
	if i < 1 || !isAlpha(s[0]) {
		return false
	}
	for j := 1; j < i; j++ {
		c := s[j]
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	for _, r := range s {
		if r <= 0x20 || r == 0x7f || unicode.IsSpace(r) || r == '\ufeff' {
			return false
		}
		switch r {
		case '<', '>', '"', '{', '}', '|', '^', '`', '\\':
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.IsAbs()
}

// iriCache remembers validIRI's answers for one document: a document
// repeats the same predicates, types and datatypes in every node, and each
// check parses a URL.
type iriCache map[string]bool

// maxIRICache caps an iriCache; IRIs past it are checked each time.
const maxIRICache = 4096

func (m iriCache) valid(s string) bool {
	if ok, seen := m[s]; seen {
		return ok
	}
	ok := validIRI(s)
	if len(m) < maxIRICache {
		m[s] = ok
	}
	return ok
}

// isBlankNode reports whether s is a blank node identifier ("_:" and a
// label).
func isBlankNode(s string) bool {
	return len(s) > 2 && strings.HasPrefix(s, "_:")
}

// validLanguage reports whether s is a well-formed language tag in the sense
// jsonld.js checks (BCP 47 section 2.2.9, simplified): one to eight letters,
// then any number of "-" and one to eight letters or digits.
func validLanguage(s string) bool {
	if s == "" {
		return false
	}
	for i, part := range strings.Split(s, "-") {
		if len(part) < 1 || len(part) > 8 {
			return false
		}
		for j := 0; j < len(part); j++ {
			c := part[j]
			if !isAlpha(c) && (i == 0 || !isDigit(c)) {
				return false
			}
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
