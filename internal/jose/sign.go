package jose

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/keys"
)

// SignOptions are the inputs Sign needs besides the payload.
type SignOptions struct {
	// Kind is KindCredential (typ vc+jwt) or KindPresentation (typ
	// vp+jwt).
	Kind Kind
	// Signer signs; its KeyID goes into kid and its Algorithm into alg.
	Signer keys.Signer
}

// signHeader is the protected header Sign writes, members in this order.
type signHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
	Cty string `json:"cty"`
}

// Sign secures a credential (KindCredential) or a presentation
// (KindPresentation) as a vc+jwt or vp+jwt in compact serialisation. The
// payload must be a VCDM 2.0 document that vc.Parse (vc.ParsePresentation)
// accepts, without vc or vp members, and with an iss member, if any, equal to
// its issuer (holder) id, and jti and sub, if any, equal to the members they
// stand for: Sign refuses to write what Verify would refuse. It is
// signed as it is, with insignificant white space removed.
//
// Sign does not check that the signer's kid belongs to the document's issuer:
// a low-level tool may sign for another party, and Verify checks it.
func Sign(payload []byte, opts SignOptions) (string, error) {
	if opts.Kind != KindCredential && opts.Kind != KindPresentation {
		return "", fmt.Errorf("%w: Kind %v: sign a credential or a presentation", ErrOptions, opts.Kind)
	}
	alg, err := CheckSigner(opts.Signer)
	if err != nil {
		return "", err
	}
	kid := opts.Signer.KeyID()
	if len(payload) > limits.MaxDocumentBytes {
		return "", fmt.Errorf("%w: payload of %d bytes, limit %d", ErrTooLarge, len(payload), limits.MaxDocumentBytes)
	}
	v, c, err := readDocument(payload, opts.Kind)
	if err != nil {
		return "", err
	}
	if controller := v.controller(); c.hasIss && c.iss != controller {
		return "", fmt.Errorf("%w: iss %s, %s %s", ErrIssuerMismatch, quote(c.iss), v.controllerRole(), quote(controller))
	}
	if err := v.checkClaims(c); err != nil {
		return "", err
	}

	compact, err := compactJSON(payload)
	if err != nil {
		return "", fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	hdr, err := json.Marshal(signHeader{Alg: alg, Kid: kid, Typ: mediaSubtype(opts.Kind), Cty: claimName(opts.Kind)})
	if err != nil {
		return "", fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	enc := base64.RawURLEncoding
	// Room for the signature too: the token is input, '.', signature.
	input := make([]byte, 0, enc.EncodedLen(len(hdr))+1+enc.EncodedLen(len(compact))+1+enc.EncodedLen(132))
	input = enc.AppendEncode(input, hdr)
	input = append(input, '.')
	input = enc.AppendEncode(input, compact)

	// SignP1363 checks the signature of a signer that is not a key held
	// in this process (a KMS or HSM client could sign with another key
	// than the one it reports).
	sig, err := keys.SignP1363(opts.Signer, input)
	if errors.Is(err, keys.ErrInvalidSignature) {
		return "", fmt.Errorf("%w: signing with %s: %w", ErrSignature, quote(kid), err)
	}
	if err != nil {
		return "", fmt.Errorf("jose: signing with %s: %w", quote(kid), err)
	}
	out := append(input, '.')
	out = enc.AppendEncode(out, sig)
	return string(out), nil
}

// CheckSigner reports whether s can sign a JWS: an algorithm this package
// implements, with a public key of its type, and a key id. It returns the
// algorithm.
func CheckSigner(s keys.Signer) (string, error) {
	if s == nil {
		return "", fmt.Errorf("%w: no Signer", ErrOptions)
	}
	alg := s.Algorithm()
	want, ok := keyTypeFor(alg)
	if !ok {
		return "", fmt.Errorf("%w: signer algorithm %s", ErrAlgorithmNotAllowed, quote(alg))
	}
	if err := checkKey(alg, want, s.Public()); err != nil {
		return "", err
	}
	if s.KeyID() == "" {
		return "", fmt.Errorf("%w: the signer has no key id", ErrKeyID)
	}
	return alg, nil
}

// compactJSON returns JSON text without insignificant white space: data
// itself when it has none (a document marshalled by this module), else
// json.Compact's copy. data is JSON: readDocument parsed it.
func compactJSON(data []byte) ([]byte, error) {
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case c == '\n' || c == '\r' || c == '\t' || (c == ' ' && !inString):
			var out bytes.Buffer
			out.Grow(len(data))
			if err := json.Compact(&out, data); err != nil {
				return nil, err
			}
			return out.Bytes(), nil
		}
	}
	return data, nil
}
