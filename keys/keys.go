// Package keys holds the key material staffpass signs and verifies with:
// Ed25519 (RFC 8032), ECDSA P-256 and ECDSA P-384 (FIPS 186-5); and, to
// verify only, ECDSA over secp256k1 (SEC 2, ES256K in RFC 8812), which
// Microsoft Entra Verified ID signs the NHS Digital Staff Passport's
// credentials with. staffpass never makes or signs with a secp256k1 key: a
// secp256k1 public key is a *secp256k1.PublicKey of
// github.com/decred/dcrd/dcrec/secp256k1/v4, read from a JWK, and nothing
// else.
//
// It reads and writes keys in the formats the standards staffpass implements
// use:
//
//   - JSON Web Key (RFC 7517 section 4, RFC 7518 section 6.2, RFC 8037
//     section 2), for vc+jwt and did:jwk;
//   - Multikey (W3C Controlled Identifiers 1.0 section 2.2.2, W3C Data
//     Integrity EdDSA and ECDSA Cryptosuites, "Multikey" sections):
//     multibase base58btc of a multicodec-prefixed key, for Data Integrity
//     proofs and did:key;
//   - PKCS#8 (RFC 5208) private keys and SubjectPublicKeyInfo (RFC 5280
//     section 4.1.2.7) public keys in PEM (RFC 7468).
//
// Private key files are written atomically with mode 0600 and refused on
// read when group or others may access them. A [Signer] is a
// [crypto.Signer] that also knows its key id (a DID URL) and its JOSE
// algorithm name, so that a KMS- or HSM-backed signer can stand in for a key
// file. [SignP1363] and [VerifyP1363] produce and check the IEEE P1363 (r||s)
// signatures that JOSE (RFC 7518 section 3.4) and Data Integrity use.
//
// Nothing in this package prints key material: errors name the problem,
// never the bytes.
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Errors callers can branch on with errors.Is.
var (
	// ErrUnsupportedKey means the key is of a type, curve or multicodec
	// staffpass does not use (anything but Ed25519, P-256 and P-384).
	ErrUnsupportedKey = errors.New("keys: unsupported key type")

	// ErrInvalidKey means the key's encoding is malformed: a wrong
	// length, a point not on the curve, a bad base64url or multibase
	// string, an uncompressed point where a compressed one is required.
	ErrInvalidKey = errors.New("keys: invalid key")

	// ErrKeyMismatch means a key pair's public key does not belong to
	// its private key.
	ErrKeyMismatch = errors.New("keys: public key does not match private key")

	// ErrPrivateKeyMaterial means a public key input carried private key
	// material (for example a JWK with a "d" member).
	ErrPrivateKeyMaterial = errors.New("keys: private key material where a public key was expected")

	// ErrUnknownFormat means key data is in none of the formats this
	// package reads.
	ErrUnknownFormat = errors.New("keys: unknown key format")

	// ErrTooLarge means a key file is larger than limits.MaxKeyFileBytes.
	ErrTooLarge = errors.New("keys: key file too large")

	// ErrFileExists means WritePrivateKeyFile was asked to write over an
	// existing file without WithOverwrite.
	ErrFileExists = errors.New("keys: key file already exists")

	// ErrInsecurePermissions means a private key file may be read or
	// written by group or others. The error is a *PermissionError.
	ErrInsecurePermissions = errors.New("keys: private key file permissions too open")

	// ErrInvalidSignature means a signature did not verify or is
	// malformed.
	ErrInvalidSignature = errors.New("keys: invalid signature")

	// ErrHighS means an ECDSA signature's s is in the upper half of the
	// curve order: the twin (r, n-s) of a signature (r, s) that anyone can
	// make from it without the key. CheckLowS refuses it; SignP1363 never
	// makes one.
	ErrHighS = errors.New("keys: ECDSA signature with a high s")

	// ErrInvalidKeyID means a Signer's key id is empty or not printable.
	ErrInvalidKeyID = errors.New("keys: invalid key id")
)

// KeyType names one of the key types staffpass uses. Its value is the JWK
// "crv" name.
type KeyType string

// The key types.
const (
	Ed25519 KeyType = "Ed25519"
	P256    KeyType = "P-256"
	P384    KeyType = "P-384"
	// Secp256k1 keys are verified, never generated or used to sign.
	Secp256k1 KeyType = "secp256k1"
)

// Algorithm returns the JOSE algorithm name (RFC 7518 section 3.1, RFC 8037
// section 3.1, RFC 8812 section 3.2) for signatures with keys of type t:
// EdDSA, ES256, ES384 or ES256K, or "" for an unknown type.
func (t KeyType) Algorithm() string {
	switch t {
	case Ed25519:
		return "EdDSA"
	case P256:
		return "ES256"
	case P384:
		return "ES384"
	case Secp256k1:
		return "ES256K"
	}
	return ""
}

// curve returns the elliptic curve of an ECDSA key type, or nil.
func (t KeyType) curve() elliptic.Curve {
	switch t {
	case P256:
		return elliptic.P256()
	case P384:
		return elliptic.P384()
	}
	return nil
}

// size is the length in bytes of a field element or scalar of the curve
// (and of an Ed25519 public key or seed).
func (t KeyType) size() int {
	switch t {
	case Ed25519, P256, Secp256k1:
		return 32
	case P384:
		return 48
	}
	return 0
}

// curveOrder returns the order n of an ECDSA key type's curve (nil for
// Ed25519).
func (t KeyType) curveOrder() *big.Int {
	switch t {
	case P256:
		return elliptic.P256().Params().N
	case P384:
		return elliptic.P384().Params().N
	case Secp256k1:
		return secp256k1.Params().N
	}
	return nil
}

// Generate makes a new key of type t from crypto/rand. The result is an
// ed25519.PrivateKey or an *ecdsa.PrivateKey.
func Generate(t KeyType) (crypto.Signer, error) {
	switch t {
	case Ed25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("keys: generating Ed25519 key: %w", err)
		}
		return priv, nil
	case P256, P384:
		priv, err := ecdsa.GenerateKey(t.curve(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("keys: generating %s key: %w", t, err)
		}
		return priv, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupportedKey, string(t))
}

// TypeOf returns the type of a public key, a private key or a
// crypto.Signer (whose Public key is examined). It returns ErrUnsupportedKey
// for other keys and ErrInvalidKey for a nil or malformed one.
func TypeOf(key any) (KeyType, error) {
	switch k := key.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", fmt.Errorf("%w: Ed25519 public key is %d bytes, want %d", ErrInvalidKey, len(k), ed25519.PublicKeySize)
		}
		return Ed25519, nil
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return "", fmt.Errorf("%w: Ed25519 private key is %d bytes, want %d", ErrInvalidKey, len(k), ed25519.PrivateKeySize)
		}
		return Ed25519, nil
	case *ecdsa.PublicKey:
		// The deprecated coordinates are read only to refuse a
		// half-built key, which crypto/ecdsa would panic on.
		if k == nil || k.X == nil || k.Y == nil {
			return "", fmt.Errorf("%w: incomplete ECDSA public key", ErrInvalidKey)
		}
		return curveType(k.Curve)
	case *ecdsa.PrivateKey:
		if k == nil || k.X == nil || k.Y == nil || k.D == nil {
			return "", fmt.Errorf("%w: incomplete ECDSA private key", ErrInvalidKey)
		}
		return curveType(k.Curve)
	case *secp256k1.PublicKey:
		if k == nil {
			return "", fmt.Errorf("%w: nil secp256k1 public key", ErrInvalidKey)
		}
		return Secp256k1, nil
	case crypto.Signer:
		if k == nil {
			return "", fmt.Errorf("%w: nil signer", ErrInvalidKey)
		}
		return TypeOf(k.Public())
	case nil:
		return "", fmt.Errorf("%w: nil key", ErrInvalidKey)
	}
	return "", fmt.Errorf("%w: %T", ErrUnsupportedKey, key)
}

func curveType(c elliptic.Curve) (KeyType, error) {
	switch c {
	case elliptic.P256():
		return P256, nil
	case elliptic.P384():
		return P384, nil
	case nil:
		return "", fmt.Errorf("%w: ECDSA key without a curve", ErrInvalidKey)
	}
	return "", fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedKey, c.Params().Name)
}

// publicKey checks pub is a supported, well-formed public key and returns
// its type. An *ecdsa.PublicKey must be a point on its curve.
func publicKey(pub crypto.PublicKey) (KeyType, error) {
	switch pub.(type) {
	case ed25519.PublicKey, *ecdsa.PublicKey, *secp256k1.PublicKey, nil:
	default:
		return "", fmt.Errorf("%w: %T is not a public key", ErrUnsupportedKey, pub)
	}
	t, err := TypeOf(pub)
	if err != nil {
		return "", err
	}
	if ec, ok := pub.(*ecdsa.PublicKey); ok {
		if _, err := ec.Bytes(); err != nil {
			return "", fmt.Errorf("%w: %s public key is not a point on the curve", ErrInvalidKey, t)
		}
	}
	return t, nil
}

// privateKey checks key is an ed25519.PrivateKey or *ecdsa.PrivateKey of a
// supported type whose bytes can be exported.
func privateKey(key crypto.Signer) (KeyType, error) {
	switch key.(type) {
	case ed25519.PrivateKey, *ecdsa.PrivateKey:
	case nil:
		return "", fmt.Errorf("%w: nil key", ErrInvalidKey)
	default:
		return "", fmt.Errorf("%w: %T cannot be exported; only ed25519.PrivateKey and *ecdsa.PrivateKey can", ErrUnsupportedKey, key)
	}
	t, err := TypeOf(key)
	if err != nil {
		return "", err
	}
	if ec, ok := key.(*ecdsa.PrivateKey); ok {
		if _, err := ec.Bytes(); err != nil {
			return "", fmt.Errorf("%w: malformed %s private key", ErrInvalidKey, t)
		}
	}
	return t, nil
}

// compressPoint returns the SEC 1 compressed form of an ECDSA public key.
func compressPoint(t KeyType, pub *ecdsa.PublicKey) ([]byte, error) {
	u, err := pub.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%w: %s public key is not a point on the curve", ErrInvalidKey, t)
	}
	n := t.size()
	if len(u) != 1+2*n {
		return nil, fmt.Errorf("%w: %s public key has the wrong length", ErrInvalidKey, t)
	}
	out := make([]byte, 1+n)
	out[0] = 2 | u[len(u)-1]&1
	copy(out[1:], u[1:1+n])
	return out, nil
}

// decompressPoint parses a SEC 1 compressed point of type t.
func decompressPoint(t KeyType, b []byte) (*ecdsa.PublicKey, error) {
	n := t.size()
	if len(b) == 1+2*n && b[0] == 4 {
		return nil, fmt.Errorf("%w: %s public key is uncompressed; a compressed point is required", ErrInvalidKey, t)
	}
	if len(b) != 1+n || (b[0] != 2 && b[0] != 3) {
		return nil, fmt.Errorf("%w: %s compressed point must be %d bytes starting 02 or 03", ErrInvalidKey, t, 1+n)
	}
	x, y := elliptic.UnmarshalCompressed(t.curve(), b)
	if x == nil {
		return nil, fmt.Errorf("%w: %s public key is not a point on the curve", ErrInvalidKey, t)
	}
	u := make([]byte, 1+2*n)
	u[0] = 4
	x.FillBytes(u[1 : 1+n])
	y.FillBytes(u[1+n:])
	return uncompressedPoint(t, u)
}

// uncompressedPoint parses 04 || X || Y.
func uncompressedPoint(t KeyType, u []byte) (*ecdsa.PublicKey, error) {
	pub, err := ecdsa.ParseUncompressedPublicKey(t.curve(), u)
	if err != nil {
		return nil, fmt.Errorf("%w: %s public key is not a point on the curve", ErrInvalidKey, t)
	}
	return pub, nil
}

// SamePublic reports whether two public keys of the supported types
// (Ed25519, ECDSA) are equal; false for any other type.
func SamePublic(a, b crypto.PublicKey) bool {
	switch a := a.(type) {
	case ed25519.PublicKey:
		return a.Equal(b)
	case *ecdsa.PublicKey:
		return a.Equal(b)
	case *secp256k1.PublicKey:
		o, ok := b.(*secp256k1.PublicKey)
		return ok && a != nil && o != nil && a.IsEqual(o)
	}
	return false
}
