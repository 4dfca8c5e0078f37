package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/json"
	"fmt"

	"github.com/multiformats/go-multibase"
)

// Multicodec prefixes (https://github.com/multiformats/multicodec,
// table.csv), as unsigned varints.
var (
	codecEd25519Pub  = []byte{0xed, 0x01} // ed25519-pub 0xed
	codecP256Pub     = []byte{0x80, 0x24} // p256-pub 0x1200
	codecP384Pub     = []byte{0x81, 0x24} // p384-pub 0x1201
	codecEd25519Priv = []byte{0x80, 0x26} // ed25519-priv 0x1300
	codecP256Priv    = []byte{0x86, 0x26} // p256-priv 0x1306
	codecP384Priv    = []byte{0x87, 0x26} // p384-priv 0x1307
)

// maxMultikeyChars bounds a Multikey string before it is base58-decoded
// (which takes time quadratic in its length). The longest supported value,
// a P-384 public key (2 + 49 bytes), is 71 characters with its 'z'.
const maxMultikeyChars = 128

// EncodeMultikey returns the publicKeyMultibase value of a public key
// (Controlled Identifiers 1.0 section 2.2.2): 'z' and base58btc of the
// multicodec prefix followed by the 32-byte Ed25519 key or the compressed
// P-256 (33-byte) or P-384 (49-byte) point.
func EncodeMultikey(pub crypto.PublicKey) (string, error) {
	t, err := publicKey(pub)
	if err != nil {
		return "", err
	}
	var raw []byte
	switch t {
	case Ed25519:
		raw = append(append(raw, codecEd25519Pub...), pub.(ed25519.PublicKey)...)
	case P256, P384:
		c, err := compressPoint(t, pub.(*ecdsa.PublicKey))
		if err != nil {
			return "", err
		}
		codec := codecP256Pub
		if t == P384 {
			codec = codecP384Pub
		}
		raw = append(append(raw, codec...), c...)
	}
	return multibase.Encode(multibase.Base58BTC, raw)
}

// DecodeMultikey parses a publicKeyMultibase value. It accepts only
// base58btc ('z'), the ed25519-pub, p256-pub and p384-pub codecs, the
// exact key lengths, and compressed points on the curve.
func DecodeMultikey(s string) (crypto.PublicKey, error) {
	raw, err := decodeMultibase(s)
	if err != nil {
		return nil, err
	}
	codec, key := raw[:2], raw[2:]
	switch {
	case bytes.Equal(codec, codecEd25519Pub):
		if len(key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 Multikey holds %d bytes, want %d", ErrInvalidKey, len(key), ed25519.PublicKeySize)
		}
		return ed25519.PublicKey(bytes.Clone(key)), nil
	case bytes.Equal(codec, codecP256Pub):
		return decompressPoint(P256, key)
	case bytes.Equal(codec, codecP384Pub):
		return decompressPoint(P384, key)
	case bytes.Equal(codec, codecEd25519Priv), bytes.Equal(codec, codecP256Priv), bytes.Equal(codec, codecP384Priv):
		return nil, fmt.Errorf("%w: Multikey holds a secret key", ErrPrivateKeyMaterial)
	}
	return nil, fmt.Errorf("%w: Multikey codec %s", ErrUnsupportedKey, codecName(raw))
}

// EncodeSecretMultikey returns the secretKeyMultibase value of a private
// key: 'z' and base58btc of the ed25519-priv codec and the 32-byte seed,
// or the p256-priv / p384-priv codec and the 32- / 48-byte scalar.
func EncodeSecretMultikey(key crypto.Signer) (string, error) {
	t, err := privateKey(key)
	if err != nil {
		return "", err
	}
	var raw []byte
	switch t {
	case Ed25519:
		raw = append(append(raw, codecEd25519Priv...), key.(ed25519.PrivateKey).Seed()...)
	case P256, P384:
		d, err := key.(*ecdsa.PrivateKey).Bytes()
		if err != nil {
			return "", fmt.Errorf("%w: malformed %s private key", ErrInvalidKey, t)
		}
		codec := codecP256Priv
		if t == P384 {
			codec = codecP384Priv
		}
		raw = append(append(raw, codec...), d...)
	}
	return multibase.Encode(multibase.Base58BTC, raw)
}

// DecodeSecretMultikey parses a secretKeyMultibase (or
// privateKeyMultibase) value into an ed25519.PrivateKey or an
// *ecdsa.PrivateKey.
func DecodeSecretMultikey(s string) (crypto.Signer, error) {
	raw, err := decodeMultibase(s)
	if err != nil {
		return nil, err
	}
	codec, key := raw[:2], raw[2:]
	var t KeyType
	switch {
	case bytes.Equal(codec, codecEd25519Priv):
		if len(key) != ed25519.SeedSize {
			return nil, fmt.Errorf("%w: Ed25519 secret Multikey holds %d bytes, want %d", ErrInvalidKey, len(key), ed25519.SeedSize)
		}
		return ed25519.NewKeyFromSeed(key), nil
	case bytes.Equal(codec, codecP256Priv):
		t = P256
	case bytes.Equal(codec, codecP384Priv):
		t = P384
	case bytes.Equal(codec, codecEd25519Pub), bytes.Equal(codec, codecP256Pub), bytes.Equal(codec, codecP384Pub):
		return nil, fmt.Errorf("%w: Multikey holds a public key where a secret key was expected", ErrInvalidKey)
	default:
		// The codec is not named: for an unknown codec the varint
		// may run into the key bytes.
		return nil, fmt.Errorf("%w: secret Multikey codec is not ed25519-priv, p256-priv or p384-priv", ErrUnsupportedKey)
	}
	if len(key) != t.size() {
		return nil, fmt.Errorf("%w: %s secret Multikey holds %d bytes, want %d", ErrInvalidKey, t, len(key), t.size())
	}
	priv, err := ecdsa.ParseRawPrivateKey(t.curve(), key)
	if err != nil {
		return nil, fmt.Errorf("%w: %s secret key is out of range", ErrInvalidKey, t)
	}
	return priv, nil
}

func decodeMultibase(s string) ([]byte, error) {
	if len(s) > maxMultikeyChars {
		return nil, fmt.Errorf("%w: Multikey is %d characters, longer than any supported key", ErrInvalidKey, len(s))
	}
	if len(s) == 0 || s[0] != 'z' {
		return nil, fmt.Errorf("%w: Multikey must be multibase base58btc (start with 'z')", ErrInvalidKey)
	}
	enc, raw, err := multibase.Decode(s)
	if err != nil || enc != multibase.Base58BTC {
		return nil, fmt.Errorf("%w: Multikey is not valid base58btc", ErrInvalidKey)
	}
	if len(raw) < 2 {
		return nil, fmt.Errorf("%w: Multikey too short", ErrInvalidKey)
	}
	return raw, nil
}

// codecName describes the multicodec varint at the start of raw, for error
// messages. It reads the varint only as far as it can; it never shows key
// bytes.
func codecName(raw []byte) string {
	var v uint64
	for i, b := range raw {
		if i == 9 {
			break
		}
		v |= uint64(b&0x7f) << (7 * i)
		if b&0x80 == 0 {
			return fmt.Sprintf("0x%x", v)
		}
	}
	return "(malformed varint)"
}

// multikeyPair is the JSON that W3C test vectors and Digital Bazaar's
// tools use for a Multikey key pair.
type multikeyPair struct {
	Context             json.RawMessage `json:"@context,omitempty"`
	ID                  string          `json:"id,omitempty"`
	Type                string          `json:"type,omitempty"`
	Controller          string          `json:"controller,omitempty"`
	PublicKeyMultibase  string          `json:"publicKeyMultibase"`
	SecretKeyMultibase  string          `json:"secretKeyMultibase,omitempty"`
	PrivateKeyMultibase string          `json:"privateKeyMultibase,omitempty"`
}

// MarshalMultikeyPair returns a Multikey key pair as JSON:
// {"type":"Multikey","publicKeyMultibase":…,"secretKeyMultibase":…}.
func MarshalMultikeyPair(key crypto.Signer) ([]byte, error) {
	sec, err := EncodeSecretMultikey(key)
	if err != nil {
		return nil, err
	}
	pub, err := EncodeMultikey(key.Public())
	if err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(multikeyPair{Type: "Multikey", PublicKeyMultibase: pub, SecretKeyMultibase: sec}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("keys: encoding Multikey pair: %w", err)
	}
	return append(out, '\n'), nil
}

// ParseMultikeyPair reads a Multikey key pair as the W3C Data Integrity
// test vectors write it: a JSON object with publicKeyMultibase and either
// secretKeyMultibase or privateKeyMultibase (not both), and optionally
// "@context", "id", "type" (which must be "Multikey") and "controller". It
// checks that the public key belongs to the private key.
func ParseMultikeyPair(data []byte) (crypto.Signer, error) {
	if err := checkJSON(data); err != nil {
		return nil, fmt.Errorf("%w: Multikey pair: %w", ErrInvalidKey, err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, fmt.Errorf("%w: Multikey pair is not a JSON object", ErrInvalidKey)
	}
	for name := range members {
		switch name {
		case "@context", "id", "type", "controller", "publicKeyMultibase", "secretKeyMultibase", "privateKeyMultibase":
		default:
			return nil, fmt.Errorf("%w: Multikey pair has unknown member %q", ErrInvalidKey, name)
		}
	}
	var p multikeyPair
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%w: Multikey pair members have the wrong JSON types", ErrInvalidKey)
	}
	if p.Type != "" && p.Type != "Multikey" {
		return nil, fmt.Errorf("%w: Multikey pair has type %q, want Multikey", ErrInvalidKey, p.Type)
	}
	secret := p.SecretKeyMultibase
	switch {
	case p.SecretKeyMultibase != "" && p.PrivateKeyMultibase != "":
		return nil, fmt.Errorf("%w: Multikey pair has both secretKeyMultibase and privateKeyMultibase", ErrInvalidKey)
	case p.PrivateKeyMultibase != "":
		secret = p.PrivateKeyMultibase
	case secret == "":
		return nil, fmt.Errorf("%w: Multikey pair has no secretKeyMultibase", ErrInvalidKey)
	}
	if p.PublicKeyMultibase == "" {
		return nil, fmt.Errorf("%w: Multikey pair has no publicKeyMultibase", ErrInvalidKey)
	}
	priv, err := DecodeSecretMultikey(secret)
	if err != nil {
		return nil, err
	}
	pub, err := DecodeMultikey(p.PublicKeyMultibase)
	if err != nil {
		return nil, err
	}
	if !SamePublic(pub, priv.Public()) {
		return nil, ErrKeyMismatch
	}
	return priv, nil
}

// parseMultikeyPublic reads a JSON object with publicKeyMultibase (and no
// secret key), such as a Multikey verification method.
func parseMultikeyPublic(members map[string]json.RawMessage) (crypto.PublicKey, error) {
	if _, ok := members["secretKeyMultibase"]; ok {
		return nil, fmt.Errorf("%w: secretKeyMultibase", ErrPrivateKeyMaterial)
	}
	if _, ok := members["privateKeyMultibase"]; ok {
		return nil, fmt.Errorf("%w: privateKeyMultibase", ErrPrivateKeyMaterial)
	}
	var s string
	if err := json.Unmarshal(members["publicKeyMultibase"], &s); err != nil {
		return nil, fmt.Errorf("%w: publicKeyMultibase is not a string", ErrInvalidKey)
	}
	return DecodeMultikey(s)
}
