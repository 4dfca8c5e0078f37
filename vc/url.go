package vc

import (
	"fmt"
	"unicode/utf8"
)

// checkURL reports why s is not an absolute URL, or nil. VCDM 2.0 (section
// 4.4) requires every id to be a URL; any scheme is allowed (https:,
// did:, urn:uuid:...). The check is the syntax of an absolute IRI (RFC
// 3986 section 4.3, RFC 3987 section 2.2): a scheme, a colon, then only
// characters an IRI may hold, with every '%' starting a two-digit hex
// escape. It does not resolve or normalise anything.
func checkURL(s string) error {
	if s == "" {
		return fmt.Errorf("is empty")
	}
	colon := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ':' {
			colon = i
			break
		}
		if isAlpha(c) || (i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.')) {
			continue
		}
		if c == ' ' {
			return fmt.Errorf("contains a space at byte %d", i)
		}
		return fmt.Errorf("has no scheme (a URL starts with a scheme such as https: or did:)")
	}
	if colon <= 0 {
		return fmt.Errorf("has no scheme (a URL starts with a scheme such as https: or did:)")
	}
	for i := colon + 1; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '%':
				if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
					return fmt.Errorf("has a '%%' at byte %d that does not start a %%XX escape", i)
				}
				i += 3
				continue
			case isURIChar(c):
				i++
				continue
			case c == ' ':
				return fmt.Errorf("contains a space at byte %d", i)
			default:
				return fmt.Errorf("contains %q at byte %d, which a URL may not hold", c, i)
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isIRIChar(r) {
			return fmt.Errorf("contains %U at byte %d, which a URL may not hold", r, i)
		}
		i += size
	}
	return nil
}

func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// isURIChar reports whether the ASCII byte c is an RFC 3986 unreserved
// or reserved character ('%' is handled apart).
func isURIChar(c byte) bool {
	if isAlpha(c) || isDigit(c) {
		return true
	}
	switch c {
	case '-', '.', '_', '~', // unreserved
		':', '/', '?', '#', '[', ']', '@', // gen-delims
		'!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=': // sub-delims
		return true
	}
	return false
}

// isIRIChar reports whether the non-ASCII rune r is an RFC 3987 ucschar
// or iprivate, leaving out the bidirectional formatting characters that
// RFC 3987 section 4.1 forbids.
func isIRIChar(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return false
	case r == 0x200E || r == 0x200F || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
		return false
	case r >= 0xA0 && r <= 0xD7FF, r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFEF:
		return true
	case r >= 0xE000 && r <= 0xF8FF: // iprivate
		return true
	case r >= 0xE0000 && r <= 0xE0FFF: // tags and variation selectors
		return false
	case r >= 0x10000 && r <= 0xEFFFD:
		return r&0xFFFF <= 0xFFFD
	case r >= 0xF0000 && r <= 0x10FFFD: // iprivate
		return r&0xFFFF <= 0xFFFD
	}
	return false
}
