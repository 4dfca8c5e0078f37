package jose

import (
	"bytes"
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
	Alg string // algorithm: EdDSA, ES256, ES384 or ES256K for a token that verifies
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
	t, err := parseCompact([]byte(compact))
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
	// the signature covers (RFC 7515 section 5.2 step 8). It is the
	// caller's text, shared, not copied: it must only be read, and never
	// kept past the verification.
	signingInput []byte
	payload      []byte
	signature    []byte
}

// parseCompact splits and decodes a compact JWS (RFC 7515 section 7.1) of a
// credential or presentation. It only reads raw, and the token keeps no
// part of it but signingInput.
func parseCompact(raw []byte) (*token, error) {
	return parseCompactOf(raw, limits.MaxJWTBytes, limits.MaxDocumentBytes)
}

// parseCompactOf is parseCompact for a token of at most maxToken bytes
// whose payload is at most maxPayload bytes.
func parseCompactOf(raw []byte, maxToken, maxPayload int) (*token, error) {
	if len(raw) > maxToken {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(raw), maxToken)
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrMalformed)
	}
	if raw[0] == '{' || raw[0] == '[' {
		return nil, fmt.Errorf("%w: JSON, not a JWS in compact serialisation (the JWS JSON serialisation and unsecured documents are not read)", ErrMalformed)
	}
	dot1 := bytes.IndexByte(raw, '.')
	if dot1 < 0 {
		return nil, fmt.Errorf("%w: no '.': not a JWS in compact serialisation", ErrMalformed)
	}
	dot2 := bytes.IndexByte(raw[dot1+1:], '.')
	if dot2 < 0 {
		return nil, fmt.Errorf("%w: two segments, want three", ErrMalformed)
	}
	dot2 += dot1 + 1
	if bytes.IndexByte(raw[dot2+1:], '.') >= 0 {
		return nil, fmt.Errorf("%w: more than three segments (a JWE or an extra segment)", ErrMalformed)
	}
	if dot1 > base64.RawURLEncoding.EncodedLen(limits.MaxJWSHeaderBytes) {
		return nil, fmt.Errorf("%w: header over %d bytes", ErrTooLarge, limits.MaxJWSHeaderBytes)
	}
	if dot2-dot1-1 > base64.RawURLEncoding.EncodedLen(maxPayload) {
		return nil, fmt.Errorf("%w: payload over %d bytes", ErrTooLarge, maxPayload)
	}
	// One buffer for the three decoded segments, and none for the text,
	// which the base64 decoder and the signature check only read: the
	// verification path allocates as little as it can.
	hdrSeg, payloadSeg, sigSeg := raw[:dot1], raw[dot1+1:dot2], raw[dot2+1:]
	enc := base64.RawURLEncoding
	hn, pn := enc.DecodedLen(len(hdrSeg)), enc.DecodedLen(len(payloadSeg))
	buf := make([]byte, hn+pn+enc.DecodedLen(len(sigSeg)))
	t := &token{signingInput: raw[:dot2:dot2]}
	hdr, err := decodeSegment(buf[:hn:hn], hdrSeg, "header")
	if err != nil {
		return nil, err
	}
	if err := t.readHeader(hdr); err != nil {
		return nil, err
	}
	if t.payload, err = decodeSegment(buf[hn:hn+pn:hn+pn], payloadSeg, "payload"); err != nil {
		return nil, err
	}
	if len(t.payload) == 0 {
		return nil, fmt.Errorf("%w: empty payload", ErrMalformed)
	}
	if t.signature, err = decodeSegment(buf[hn+pn:], sigSeg, "signature"); err != nil {
		return nil, err
	}
	return t, nil
}

// strictBase64 is base64url without padding that refuses non-zero trailing
// bits, so that each byte string has exactly one encoding.
var strictBase64 = base64.RawURLEncoding.Strict()

// decodeSegment decodes one base64url segment into dst, which has room for
// it. encoding/base64 skips CR and LF, so they are refused here first;
// padding and every other character outside the base64url alphabet make the
// decoder fail.
func decodeSegment(dst, seg []byte, what string) ([]byte, error) {
	if bytes.IndexByte(seg, '\n') >= 0 || bytes.IndexByte(seg, '\r') >= 0 {
		return nil, fmt.Errorf("%w: %s: line break in base64url", ErrMalformed, what)
	}
	n, err := strictBase64.Decode(dst, seg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: not unpadded, canonical base64url", ErrMalformed, what)
	}
	return dst[:n], nil
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

// PeekDocument returns what data, a document JSON or a compact JWS, holds,
// read without verifying anything: the JSON itself, or the token's
// payload (for a legacy VC-JWT, the document rebuilt from its vc or vp
// claim and registered claims, as Verify rebuilds it). Tools use it to index or inspect documents (a status list's id,
// a credential's subject) before a verifier judges them; it never says a
// document is genuine.
func PeekDocument(data []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return trimmed, nil
	}
	u, err := ParseUnverified(string(trimmed))
	if err != nil {
		return nil, err
	}
	if doc, ok, err := peekLegacy(u); ok {
		return doc, err
	}
	return u.Payload, nil
}

// peekLegacy returns the document of a legacy VC-JWT (VCDM 1.1 section
// 6.3.1: typ JWT or none, a vc or vp claim) as Verify would rebuild it, and
// true; false for any other token.
func peekLegacy(u *Unverified) ([]byte, bool, error) {
	if u.Header.Typ != "" && !strings.EqualFold(u.Header.Typ, "JWT") {
		return nil, false, nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(u.Payload, &m) != nil {
		return nil, false, nil
	}
	if _, ctx := m["@context"]; ctx {
		return nil, false, nil
	}
	vcRaw, hasVC := m["vc"]
	vpRaw, hasVP := m["vp"]
	if hasVC == hasVP {
		return nil, false, nil
	}
	c, err := readClaims(m)
	if err != nil {
		return nil, true, err
	}
	raw := vcRaw
	if hasVP {
		raw = vpRaw
	}
	var doc map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &doc) != nil {
		return nil, true, fmt.Errorf("%w: the vc or vp claim is not a JSON object", ErrVCClaim)
	}
	if hasVC {
		data, err := legacyCredential(doc, c)
		return data, true, err
	}
	data, _, err := legacyPresentation(doc, c)
	return data, true, err
}
