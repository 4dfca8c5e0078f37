package vc

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Media types of the enveloping securing mechanisms of VC-JOSE-COSE, as
// they appear in the data: URL id of an envelope.
const (
	MediaTypeVCJWT   = "application/vc+jwt"
	MediaTypeVPJWT   = "application/vp+jwt"
	MediaTypeVCSDJWT = "application/vc+sd-jwt"
	MediaTypeVPSDJWT = "application/vp+sd-jwt"
	MediaTypeVCCOSE  = "application/vc+cose"
	MediaTypeVPCOSE  = "application/vp+cose"
)

// DataURL is a decoded data: URL (RFC 2397), the id of an
// EnvelopedVerifiableCredential or EnvelopedVerifiablePresentation.
type DataURL struct {
	// MediaType is the type/subtype, in lower case, without parameters;
	// "text/plain" when the URL gives none, as RFC 2397 says.
	MediaType string
	// Base64 reports whether the URL carried the ";base64" flag.
	Base64 bool
	// Data is the payload after percent-decoding and, when Base64 is
	// set, base64-decoding: for application/vc+jwt, the compact JWS.
	Data []byte
}

// ParseDataURL parses s as a data: URL:
//
//	data:[<type>/<subtype>][;<attribute>=<value>]...[;base64],<data>
//
// Parameters are checked for syntax and then dropped; a parameter with no
// "=" (such as ";base64url", used by some suites) is allowed and ignored.
// The data part may hold any character except ASCII controls (a spec
// example carries a space); percent escapes in it are decoded.
//
// ASCII tabs, line feeds and carriage returns anywhere in s are removed
// first, as the WHATWG URL Standard's basic URL parser does (which browsers
// and the JavaScript VC libraries use): a data: URL wrapped over lines, or
// ending in a new line, reads as the same URL without them. Other control
// characters are refused.
//
// The error wraps ErrEnvelope.
func ParseDataURL(s string) (*DataURL, error) {
	u, data, err := parseDataURLHeader(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %v", ErrEnvelope, quoteShort(s), err)
	}
	dec, err := percentDecode(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %v", ErrEnvelope, quoteShort(s), err)
	}
	if u.Base64 {
		b, err := base64.StdEncoding.DecodeString(string(dec))
		if err != nil {
			return nil, fmt.Errorf("%w: %s has data that is not base64: %v", ErrEnvelope, quoteShort(s), err)
		}
		dec = b
	}
	u.Data = dec
	return u, nil
}

// parseDataURLHeader checks everything of a data: URL but the encoding of
// its data, and returns it with the data part still encoded (and without
// tabs and new lines).
func parseDataURLHeader(s string) (*DataURL, string, error) {
	s = removeTabsAndNewlines(s)
	if len(s) < 5 || !strings.EqualFold(s[:5], "data:") {
		return nil, "", fmt.Errorf("does not start with data:")
	}
	comma := strings.IndexByte(s, ',')
	if comma < 0 {
		return nil, "", fmt.Errorf("has no ',' before its data")
	}
	header, data := s[5:comma], s[comma+1:]
	u := &DataURL{MediaType: "text/plain"}
	params := strings.Split(header, ";")
	if mt := params[0]; mt != "" {
		slash := strings.IndexByte(mt, '/')
		if slash <= 0 || slash == len(mt)-1 || !isToken(mt[:slash]) || !isToken(mt[slash+1:]) {
			return nil, "", fmt.Errorf("has a media type %q that is not type/subtype", mt)
		}
		u.MediaType = strings.ToLower(mt)
	}
	for i, p := range params[1:] {
		if strings.EqualFold(p, "base64") && i == len(params)-2 {
			u.Base64 = true
			continue
		}
		attr, val, hasVal := strings.Cut(p, "=")
		if !isToken(attr) || (hasVal && !isToken(val) && !isQuoted(val)) {
			return nil, "", fmt.Errorf("has a malformed media type parameter %q", p)
		}
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c < ' ' || c == 0x7f:
			return nil, "", fmt.Errorf("has a control character at byte %d of its data", i)
		case c == '%' && (i+2 >= len(data) || !isHex(data[i+1]) || !isHex(data[i+2])):
			return nil, "", fmt.Errorf("has a '%%' at byte %d of its data that does not start a %%XX escape", i)
		}
	}
	return u, data, nil
}

// removeTabsAndNewlines removes every ASCII tab or newline (U+0009, U+000A,
// U+000D) from s, as the URL Standard's basic URL parser does before anything
// else ("Remove all ASCII tab or newline from input"). It works on bytes, so
// that text that is not UTF-8 passes through unchanged.
func removeTabsAndNewlines(s string) string {
	i := strings.IndexAny(s, "\t\n\r")
	if i < 0 {
		return s
	}
	b := make([]byte, i, len(s)-1)
	copy(b, s[:i])
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t', '\n', '\r':
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// percentDecode decodes the %XX escapes of data that parseDataURLHeader
// has checked.
func percentDecode(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return nil, fmt.Errorf("has a '%%' at byte %d of its data that does not start a %%XX escape", i)
			}
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// isToken reports whether s is an RFC 2045 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

func isQuoted(s string) bool {
	return len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && !strings.ContainsAny(s[1:len(s)-1], "\"\\\x00\r\n")
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	default:
		return c - '0'
	}
}
