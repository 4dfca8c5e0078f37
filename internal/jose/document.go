package jose

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/staffpass/staffpass/keys"
)

// Signed documents other than credentials
//
// SignDocument and VerifyDocument secure any strict JSON document (a trust
// bundle, say) as a compact JWS of a given typ: the same algorithms, key
// checks, base64url and header rules as vc+jwt, without the data model.

// SignDocument signs payload, which must be strict JSON, as a compact JWS
// whose typ is typ and whose kid is s's key id. It refuses a payload over
// maxPayload bytes.
func SignDocument(payload []byte, typ string, s keys.Signer, maxPayload int) (string, error) {
	if s == nil {
		return "", fmt.Errorf("%w: no Signer", ErrOptions)
	}
	if typ == "" {
		return "", fmt.Errorf("%w: no typ", ErrOptions)
	}
	if len(payload) > maxPayload {
		return "", fmt.Errorf("%w: payload of %d bytes, limit %d", ErrTooLarge, len(payload), maxPayload)
	}
	alg, err := CheckSigner(s)
	if err != nil {
		return "", err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, payload); err != nil {
		return "", fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	hdr, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{alg, s.KeyID(), typ})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.AppendEncode(nil, hdr)
	input = append(input, '.')
	input = enc.AppendEncode(input, compact.Bytes())
	sig, err := keys.SignP1363(s, input)
	if err != nil {
		return "", fmt.Errorf("jose: signing with %s: %w", quote(s.KeyID()), err)
	}
	if err := verifySignature(alg, s.Public(), input, sig); err != nil {
		return "", fmt.Errorf("%w: the signer's signature does not verify with its public key", ErrSignature)
	}
	out := append(input, '.')
	return string(enc.AppendEncode(out, sig)), nil
}

// VerifyDocument verifies a compact JWS made by SignDocument: its typ must
// be typ (compared without case and an "application/" prefix), its alg one
// of algorithms, the key that key returns for its kid the key that signed
// it. It returns the payload and the kid. It refuses a token over maxToken
// bytes or a payload over maxPayload bytes.
func VerifyDocument(compact []byte, typ string, algorithms []string, key func(kid string) (crypto.PublicKey, error), maxToken, maxPayload int) (payload []byte, kid string, err error) {
	t, err := parseCompactOf(bytes.TrimSpace(compact), maxToken, maxPayload)
	if err != nil {
		return nil, "", err
	}
	if got := strings.TrimPrefix(strings.ToLower(t.header.Typ), "application/"); got != strings.ToLower(typ) {
		return nil, "", fmt.Errorf("%w: typ %s, want %s", ErrType, quote(t.header.Typ), typ)
	}
	keyType, err := checkAlgorithm(t.header.Alg, algorithms)
	if err != nil {
		return nil, "", err
	}
	if err := t.checkExtensions(); err != nil {
		return nil, "", err
	}
	if t.header.Kid == "" {
		return nil, "", fmt.Errorf("%w: no kid", ErrKeyID)
	}
	pub, err := key(t.header.Kid)
	if err != nil {
		return nil, "", fmt.Errorf("%w %s: %w", ErrKey, quote(t.header.Kid), err)
	}
	if err := checkKey(t.header.Alg, keyType, pub); err != nil {
		return nil, "", err
	}
	if err := verifySignature(t.header.Alg, pub, t.signingInput, t.signature); err != nil {
		return nil, "", err
	}
	return t.payload, t.header.Kid, nil
}

// VerifyDocumentKey verifies a compact JWS of media type typ signed with
// pub, a key the caller already knows (an SD-JWT's Key Binding JWT, signed
// with the key its credential binds): a kid, if any, is not read. It returns
// the payload.
func VerifyDocumentKey(compact []byte, typ string, algorithms []string, pub crypto.PublicKey, maxToken, maxPayload int) ([]byte, error) {
	t, err := parseCompactOf(bytes.TrimSpace(compact), maxToken, maxPayload)
	if err != nil {
		return nil, err
	}
	if got := strings.TrimPrefix(strings.ToLower(t.header.Typ), "application/"); got != strings.ToLower(typ) {
		return nil, fmt.Errorf("%w: typ %s, want %s", ErrType, quote(t.header.Typ), typ)
	}
	keyType, err := checkAlgorithm(t.header.Alg, algorithms)
	if err != nil {
		return nil, err
	}
	if err := t.checkExtensions(); err != nil {
		return nil, err
	}
	if err := checkKey(t.header.Alg, keyType, pub); err != nil {
		return nil, err
	}
	if err := verifySignature(t.header.Alg, pub, t.signingInput, t.signature); err != nil {
		return nil, err
	}
	return t.payload, nil
}
