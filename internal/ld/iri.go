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
	if ok, sure := quickIRI(s); sure {
		return ok
	}
	return parsedIRI(s)
}

// parsedIRI is validIRI done the long way, with Go's URL parser; quickIRI
// answers for the IRIs credentials hold without it.
func parsedIRI(s string) bool {
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

// quickIRI answers validIRI for the common forms of IRI without parsing a
// URL: an ASCII IRI with no percent sign, whose authority (if it has one)
// holds no user information, no IP literal and at most one colon, followed
// by digits. sure is false for any other string; parsedIRI decides those.
// For the strings it is sure about it gives parsedIRI's answer, as
// FuzzQuickIRIAgreesWithURLParse checks: url.Parse accepts every rootless
// (opaque) IRI, and checks only the port and percent escapes of a host and
// the percent escapes of a path, query or fragment.
func quickIRI(s string) (ok, sure bool) {
	if s == "" || !isAlpha(s[0]) {
		return false, true
	}
	i := 1
	for ; i < len(s); i++ {
		c := s[i]
		if c == ':' {
			break
		}
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false, true
		}
	}
	if i == len(s) {
		return false, true // no scheme
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c >= 0x80 || c == '%':
			return false, false
		case c <= 0x20 || c == 0x7f:
			return false, true
		case c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' || c == '^' || c == '`' || c == '\\':
			return false, true
		}
	}
	rest := s[i+1:]
	if !strings.HasPrefix(rest, "//") {
		return true, true
	}
	authority := rest[2:]
	if k := strings.IndexAny(authority, "/?#"); k >= 0 {
		authority = authority[:k]
	}
	if strings.ContainsAny(authority, "@[]") || strings.Count(authority, ":") > 1 {
		return false, false
	}
	if _, port, found := strings.Cut(authority, ":"); found {
		for j := 0; j < len(port); j++ {
			if !isDigit(port[j]) {
				return false, true // a port that is not a number
			}
		}
	}
	return true, true
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
