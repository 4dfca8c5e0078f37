package jose

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
)

// Header is the protected JOSE header of a token, as far as this package reads
// it (RFC 7515 section 4.1). Other members are ignored, as VC-JOSE-COSE says,
// except crit and b64, which Verify refuses.
type Header struct {
	Alg string // algorithm: EdDSA, ES256 or ES384 for a token that verifies
	Typ string // vc+jwt, vp+jwt, JWT or ""
	Kid string // the verification method, a DID URL
	Cty string // vc, vp or ""
}

// Unverified is a token decoded by ParseUnverified: its header and payload
// have been read, and nothing has been verified.
type Unverified struct {
	Header Header
	// Payload is the decoded JWS payload, a strict JSON object.
	Payload []byte
}

// ParseUnverified decodes a compact JWS without verifying it: it checks the
// form (three base64url segments, a strict JSON header and payload, the size
// limits) and nothing else. Use it to look at a token before choosing a key,
// never to trust one: only Verify checks a signature.
func ParseUnverified(compact string) (*Unverified, error) {
	t, err := parseCompact(compact)
	if err != nil {
		return nil, err
	}
	if err := strictjson.Check(t.payload, limits.MaxDocumentBytes); err != nil {
		return nil, fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	if !isObject(t.payload) {
		return nil, fmt.Errorf("%w: payload is not a JSON object", ErrMalformed)
	}
	return &Unverified{Header: t.header, Payload: t.payload}, nil
}

// token is a compact JWS split and decoded, not yet verified.
type token struct {
	header Header
	// crit is the crit header member, and hasCrit whether there is one.
	crit    []string
	hasCrit bool
	// b64 is the b64 header member (RFC 7797), and hasB64 whether there
	// is one.
	b64, hasB64 bool

	// signingInput is BASE64URL(header) '.' BASE64URL(payload), the bytes
	// the signature covers (RFC 7515 section 5.2 step 8).
	signingInput string
	payload      []byte
	signature    []byte
}

// parseCompact splits and decodes a compact JWS (RFC 7515 section 7.1).
func parseCompact(s string) (*token, error) {
	if len(s) > limits.MaxJWTBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(s), limits.MaxJWTBytes)
	}
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrMalformed)
	}
	if s[0] == '{' || s[0] == '[' {
		return nil, fmt.Errorf("%w: JSON, not a JWS in compact serialisation (the JWS JSON serialisation and unsecured documents are not read)", ErrMalformed)
	}
	dot1 := strings.IndexByte(s, '.')
	if dot1 < 0 {
		return nil, fmt.Errorf("%w: no '.': not a JWS in compact serialisation", ErrMalformed)
	}
	dot2 := strings.IndexByte(s[dot1+1:], '.')
	if dot2 < 0 {
		return nil, fmt.Errorf("%w: two segments, want three", ErrMalformed)
	}
	dot2 += dot1 + 1
	if strings.IndexByte(s[dot2+1:], '.') >= 0 {
		return nil, fmt.Errorf("%w: more than three segments (a JWE or an extra segment)", ErrMalformed)
	}
	t := &token{signingInput: s[:dot2]}
	if dot1 > base64.RawURLEncoding.EncodedLen(limits.MaxJWSHeaderBytes) {
		return nil, fmt.Errorf("%w: header over %d bytes", ErrTooLarge, limits.MaxJWSHeaderBytes)
	}
	hdr, err := decodeSegment(s[:dot1], "header")
	if err != nil {
		return nil, err
	}
	if err := t.readHeader(hdr); err != nil {
		return nil, err
	}
	if dot2-dot1-1 > base64.RawURLEncoding.EncodedLen(limits.MaxDocumentBytes) {
		return nil, fmt.Errorf("%w: payload over %d bytes", ErrTooLarge, limits.MaxDocumentBytes)
	}
	if t.payload, err = decodeSegment(s[dot1+1:dot2], "payload"); err != nil {
		return nil, err
	}
	if len(t.payload) == 0 {
		return nil, fmt.Errorf("%w: empty payload", ErrMalformed)
	}
	if t.signature, err = decodeSegment(s[dot2+1:], "signature"); err != nil {
		return nil, err
	}
	return t, nil
}

// strictBase64 is base64url without padding that refuses non-zero trailing
// bits, so that each byte string has exactly one encoding.
var strictBase64 = base64.RawURLEncoding.Strict()

// decodeSegment decodes one base64url segment. encoding/base64 skips CR and
// LF, so they are refused here first; padding and every other character
// outside the base64url alphabet make the decoder fail.
func decodeSegment(seg, what string) ([]byte, error) {
	if strings.IndexByte(seg, '\n') >= 0 || strings.IndexByte(seg, '\r') >= 0 {
		return nil, fmt.Errorf("%w: %s: line break in base64url", ErrMalformed, what)
	}
	out, err := strictBase64.DecodeString(seg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: not unpadded, canonical base64url", ErrMalformed, what)
	}
	return out, nil
}

// readHeader reads the decoded protected header: strict JSON, one object,
// and the members this package reads, each of the right type. Member names
// are matched exactly (encoding/json would match "ALG" to alg).
func (t *token) readHeader(data []byte) error {
	if err := strictjson.Check(data, limits.MaxJWSHeaderBytes); err != nil {
		return fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return fmt.Errorf("%w: header is not a JSON object", ErrMalformed)
	}
	for _, f := range [...]struct {
		name string
		dst  *string
	}{{"alg", &t.header.Alg}, {"typ", &t.header.Typ}, {"kid", &t.header.Kid}, {"cty", &t.header.Cty}} {
		raw, ok := m[f.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, f.dst); err != nil || raw[0] != '"' {
			return fmt.Errorf("%w: header member %s is not a string", ErrMalformed, f.name)
		}
	}
	if _, ok := m["alg"]; !ok {
		return fmt.Errorf("%w: header has no alg", ErrMalformed)
	}
	if raw, ok := m["crit"]; ok {
		t.hasCrit = true
		if err := json.Unmarshal(raw, &t.crit); err != nil || raw[0] != '[' {
			return fmt.Errorf("%w: header member crit is not an array of strings", ErrMalformed)
		}
	}
	if raw, ok := m["b64"]; ok {
		t.hasB64 = true
		if err := json.Unmarshal(raw, &t.b64); err != nil || (raw[0] != 't' && raw[0] != 'f') {
			return fmt.Errorf("%w: header member b64 is not a boolean", ErrMalformed)
		}
	}
	return nil
}

// quote quotes s for an error message, cut short so that a hostile token
// cannot make its errors large.
func quote(s string) string {
	const max = 80
	if len(s) > max {
		s = s[:max] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// isObject reports whether JSON text that strictjson accepted is an object.
func isObject(data []byte) bool {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c == '{'
	}
	return false
}
