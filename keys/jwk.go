package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// privateJWKMembers are the JWK members that hold private or secret key
// material (RFC 7518 sections 6.2.2, 6.3.2 and 6.4.1; RFC 8037 section 2).
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// MarshalPublicJWK returns a public key as a JWK: {"crv","kty","x"} for
// Ed25519 (RFC 8037) or {"crv","kty","x","y"} for P-256, P-384 (RFC 7518
// section 6.2.1) and secp256k1 (RFC 8812 section 3.1), with members in lexicographic order (as RFC 7638 and
// RFC 8785 would order them) and no whitespace.
func MarshalPublicJWK(pub crypto.PublicKey) ([]byte, error) {
	if _, err := publicKey(pub); err != nil {
		return nil, err
	}
	if k, ok := pub.(*secp256k1.PublicKey); ok {
		return secp256k1JWK(k)
	}
	k, err := jwk.FromRaw(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot express the key as a JWK", ErrInvalidKey)
	}
	out, err := json.Marshal(k)
	if err != nil {
		return nil, fmt.Errorf("keys: encoding JWK: %w", err)
	}
	return out, nil
}

// MarshalPrivateJWK returns a private key as a JWK with its "d" member,
// members in lexicographic order.
func MarshalPrivateJWK(key crypto.Signer) ([]byte, error) {
	if _, err := privateKey(key); err != nil {
		return nil, err
	}
	k, err := jwk.FromRaw(key)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot express the key as a JWK", ErrInvalidKey)
	}
	out, err := json.Marshal(k)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot encode the key as a JWK", ErrInvalidKey)
	}
	return out, nil
}

// ParsePublicJWK parses a public JWK of an Ed25519, P-256, P-384 or
// secp256k1 key. It
// refuses a JWK that carries private key material (ErrPrivateKeyMaterial),
// other key types and curves (ErrUnsupportedKey), coordinates of the wrong
// length, padded or non-base64url values, points not on the curve, and an
// "alg" member that does not fit the key (ErrInvalidKey).
func ParsePublicJWK(data []byte) (crypto.PublicKey, error) {
	members, err := jwkMembers(data)
	if err != nil {
		return nil, err
	}
	for _, m := range privateJWKMembers {
		if _, ok := members[m]; ok {
			return nil, fmt.Errorf("%w: JWK has a %q member", ErrPrivateKeyMaterial, m)
		}
	}
	return parsePublicJWKMembers(data, members)
}

// ParsePrivateJWK parses a private JWK ("d" present) of an Ed25519, P-256
// or P-384 key and checks that its public members belong to "d".
func ParsePrivateJWK(data []byte) (crypto.Signer, error) {
	members, err := jwkMembers(data)
	if err != nil {
		return nil, err
	}
	if _, ok := members["d"]; !ok {
		return nil, fmt.Errorf("%w: JWK has no \"d\" member; it is not a private key", ErrInvalidKey)
	}
	pub, err := parsePublicJWKMembers(data, members)
	if err != nil {
		return nil, err
	}
	t, _ := TypeOf(pub)
	d, err := b64Member(members, "d", t.size())
	if err != nil {
		return nil, err
	}
	var priv crypto.Signer
	switch t {
	case Ed25519:
		priv = ed25519.NewKeyFromSeed(d)
	case P256, P384:
		ec, err := ecdsa.ParseRawPrivateKey(t.curve(), d)
		if err != nil {
			return nil, fmt.Errorf("%w: %s JWK \"d\" is out of range", ErrInvalidKey, t)
		}
		priv = ec
	default:
		return nil, fmt.Errorf("%w: a %s private key (staffpass only verifies with %s keys, it never signs with them)", ErrUnsupportedKey, t, t)
	}
	if !SamePublic(pub, priv.Public()) {
		return nil, ErrKeyMismatch
	}
	return priv, nil
}

// jwkMembers checks data is strict JSON and a JSON object, and returns its
// members.
func jwkMembers(data []byte) (map[string]json.RawMessage, error) {
	if err := checkJSON(data); err != nil {
		return nil, fmt.Errorf("%w: JWK: %w", ErrInvalidKey, err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		return nil, fmt.Errorf("%w: JWK is not a JSON object", ErrInvalidKey)
	}
	return members, nil
}

// parsePublicJWKMembers reads the public part of a JWK (with jwx for the
// structure) and checks every value itself.
func parsePublicJWKMembers(data []byte, members map[string]json.RawMessage) (crypto.PublicKey, error) {
	var kty, crv string
	if err := json.Unmarshal(members["kty"], &kty); err != nil {
		return nil, fmt.Errorf("%w: JWK \"kty\" missing or not a string", ErrInvalidKey)
	}
	if err := json.Unmarshal(members["crv"], &crv); err != nil && kty != "RSA" && kty != "oct" {
		return nil, fmt.Errorf("%w: JWK \"crv\" missing or not a string", ErrInvalidKey)
	}
	var t KeyType
	switch {
	case kty == "OKP" && crv == "Ed25519":
		t = Ed25519
	case kty == "EC" && crv == "P-256":
		t = P256
	case kty == "EC" && crv == "P-384":
		t = P384
	case kty == "EC" && crv == "secp256k1":
		t = Secp256k1
	case kty == "OKP" || kty == "EC":
		return nil, fmt.Errorf("%w: JWK curve %q", ErrUnsupportedKey, crv)
	default:
		return nil, fmt.Errorf("%w: JWK key type %q", ErrUnsupportedKey, kty)
	}
	if raw, ok := members["alg"]; ok {
		var alg string
		if err := json.Unmarshal(raw, &alg); err != nil || alg != t.Algorithm() {
			return nil, fmt.Errorf("%w: JWK \"alg\" does not fit a %s key", ErrInvalidKey, t)
		}
	}
	// jwx checks the structure of the members it knows (not secp256k1's,
	// which it reads only when built with a tag); the values are checked
	// below, strictly, with the standard library or, for secp256k1,
	// decred's module.
	if t != Secp256k1 {
		if _, err := jwk.ParseKey(data); err != nil {
			return nil, fmt.Errorf("%w: malformed JWK", ErrInvalidKey)
		}
	} else if err := checkJWKMembers(members); err != nil {
		return nil, err
	}
	x, err := b64Member(members, "x", t.size())
	if err != nil {
		return nil, err
	}
	if t == Ed25519 {
		if _, ok := members["y"]; ok {
			return nil, fmt.Errorf("%w: OKP JWK has a \"y\" member", ErrInvalidKey)
		}
		return ed25519.PublicKey(x), nil
	}
	y, err := b64Member(members, "y", t.size())
	if err != nil {
		return nil, err
	}
	u := make([]byte, 0, 1+2*t.size())
	u = append(append(append(u, 4), x...), y...)
	if t == Secp256k1 {
		pub, err := secp256k1.ParsePubKey(u)
		if err != nil {
			return nil, fmt.Errorf("%w: secp256k1 public key is not a point on the curve", ErrInvalidKey)
		}
		return pub, nil
	}
	return uncompressedPoint(t, u)
}

// checkJWKMembers checks the types of the registered members of a JWK
// (RFC 7517 section 4) that jwx does not read for it: strings where
// strings are due, arrays of strings for key_ops and x5c.
func checkJWKMembers(members map[string]json.RawMessage) error {
	for name, raw := range members {
		switch name {
		case "use", "kid", "x5u", "x5t", "x5t#S256":
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return fmt.Errorf("%w: JWK %q is not a string", ErrInvalidKey, name)
			}
		case "key_ops", "x5c":
			var ss []string
			if json.Unmarshal(raw, &ss) != nil || ss == nil {
				return fmt.Errorf("%w: JWK %q is not an array of strings", ErrInvalidKey, name)
			}
		}
	}
	return nil
}

// secp256k1JWK writes a secp256k1 public key as a JWK (RFC 8812 section
// 3.1), members in lexicographic order.
func secp256k1JWK(pub *secp256k1.PublicKey) ([]byte, error) {
	u := pub.SerializeUncompressed()
	return json.Marshal(struct {
		Crv string `json:"crv"`
		Kty string `json:"kty"`
		X   string `json:"x"`
		Y   string `json:"y"`
	}{"secp256k1", "EC", base64.RawURLEncoding.EncodeToString(u[1:33]), base64.RawURLEncoding.EncodeToString(u[33:])})
}

// b64Member decodes a base64url (no padding) string member that must be
// exactly size bytes long. Errors name the member, never its value.
func b64Member(members map[string]json.RawMessage, name string, size int) ([]byte, error) {
	raw, ok := members[name]
	if !ok {
		return nil, fmt.Errorf("%w: JWK has no %q member", ErrInvalidKey, name)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%w: JWK %q is not a string", ErrInvalidKey, name)
	}
	// The decoder skips CR and LF, so check the alphabet first.
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, fmt.Errorf("%w: JWK %q is not unpadded base64url", ErrInvalidKey, name)
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: JWK %q is not unpadded base64url", ErrInvalidKey, name)
	}
	if len(b) != size {
		return nil, fmt.Errorf("%w: JWK %q is %d bytes, want %d", ErrInvalidKey, name, len(b), size)
	}
	return b, nil
}
