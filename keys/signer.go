package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"unicode"
	"unicode/utf8"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secp256k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/staffpass/staffpass/internal/limits"
)

// Signer is a crypto.Signer that knows the verification method it signs
// for and its JOSE algorithm name. Issuers sign credentials and holders sign
// presentations through a Signer, so a key file, a KMS or an HSM can stand
// behind one.
//
// Like every crypto.Signer, Sign takes a digest (or, for Ed25519, the whole
// message with crypto.Hash(0)) and returns an ECDSA signature in ASN.1 DER.
// JOSE and Data Integrity need the IEEE P1363 form r||s instead: use
// SignP1363, which hashes, signs and converts.
type Signer interface {
	crypto.Signer
	// KeyID is the verification method id, a DID URL such as
	// did:web:example.nhs.uk#key-1; it goes into a JWS "kid" or a
	// proof's verificationMethod.
	KeyID() string
	// Algorithm is the JOSE algorithm name: EdDSA, ES256 or ES384.
	Algorithm() string
}

// NewSigner wraps key, whose Public key must be Ed25519, P-256 or P-384,
// with its key id. key may be an ed25519.PrivateKey, an *ecdsa.PrivateKey
// or any other crypto.Signer (a KMS or HSM client). The key id must be a
// non-empty, printable string of at most limits.MaxDIDLength bytes; it is
// not otherwise checked here (package did parses DID URLs).
//
// The Signer formats as its algorithm and key id only, so printing or
// logging it never shows key material.
func NewSigner(key crypto.Signer, keyID string) (Signer, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: nil signer", ErrInvalidKey)
	}
	t, err := TypeOf(key)
	if err != nil {
		return nil, err
	}
	if keyID == "" || len(keyID) > limits.MaxDIDLength || !utf8.ValidString(keyID) {
		return nil, fmt.Errorf("%w: want a DID URL of 1 to %d bytes", ErrInvalidKeyID, limits.MaxDIDLength)
	}
	for _, r := range keyID {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return nil, fmt.Errorf("%w: it contains white space or a control character", ErrInvalidKeyID)
		}
	}
	local, err := ownPublic(key)
	if err != nil {
		return nil, err
	}
	return &signer{key: key, keyID: keyID, typ: t, local: local}, nil
}

// ownPublic reports whether key is a private key held in this process (an
// ed25519.PrivateKey or *ecdsa.PrivateKey), after checking that the public
// key it reports is the one its private half makes: neither type checks
// that as it signs (an Ed25519 key keeps its public half beside its seed,
// an ECDSA key its point beside its scalar), and a key put together from
// two pairs would sign what no key verifies. It fails wrapping
// ErrKeyMismatch for such a key.
func ownPublic(key crypto.Signer) (bool, error) {
	var made crypto.PublicKey
	switch k := key.(type) {
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return false, fmt.Errorf("%w: Ed25519 private key of %d bytes", ErrInvalidKey, len(k))
		}
		made = ed25519.NewKeyFromSeed(k.Seed()).Public()
	case *ecdsa.PrivateKey:
		dh, err := k.ECDH()
		if err != nil {
			return false, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		pub, err := k.PublicKey.ECDH()
		if err != nil || !dh.PublicKey().Equal(pub) {
			return false, fmt.Errorf("%w: the ECDSA key's point is not its scalar's", ErrKeyMismatch)
		}
		return true, nil
	default:
		return false, nil
	}
	if !SamePublic(made, key.Public()) {
		return false, fmt.Errorf("%w: the Ed25519 key's public half is not its seed's", ErrKeyMismatch)
	}
	return true, nil
}

type signer struct {
	key   crypto.Signer
	keyID string
	typ   KeyType
	// local tells that key is held in this process and reports its own
	// public key (checked by NewSigner).
	local bool
}

func (s *signer) Public() crypto.PublicKey { return s.key.Public() }
func (s *signer) KeyID() string            { return s.keyID }
func (s *signer) Algorithm() string        { return s.typ.Algorithm() }

func (s *signer) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return s.key.Sign(rand, digest, opts)
}

// Format prints the algorithm and key id, whatever the verb, so that no
// fmt verb can reach the private key.
func (s *signer) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "keys.Signer{%s %s}", s.typ.Algorithm(), s.keyID)
}

// hashFor returns the hash JOSE and the ECDSA Data Integrity cryptosuites
// pair with a key type: SHA-256 for P-256, SHA-384 for P-384, none for
// Ed25519.
func hashFor(t KeyType) crypto.Hash {
	switch t {
	case P256, Secp256k1:
		return crypto.SHA256
	case P384:
		return crypto.SHA384
	}
	return 0
}

func digest(h crypto.Hash, message []byte) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(message)
		return d[:]
	case crypto.SHA384:
		d := sha512.Sum384(message)
		return d[:]
	}
	return message
}

// SignP1363 signs message with s and returns the signature JOSE (RFC 7518
// section 3.4, RFC 8037 section 3.1) and Data Integrity use: for Ed25519
// the 64-byte signature of message; for P-256 and P-384 ECDSA over
// SHA-256 / SHA-384 of message, as the fixed-width r||s (64 / 96 bytes)
// of IEEE P1363, converted from the ASN.1 DER a crypto.Signer returns.
// Randomness comes from crypto/rand.
func SignP1363(s crypto.Signer, message []byte) ([]byte, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil signer", ErrInvalidKey)
	}
	t, err := TypeOf(s)
	if err != nil {
		return nil, err
	}
	h := hashFor(t)
	sig, err := s.Sign(rand.Reader, digest(h, message), h)
	if err != nil {
		return nil, fmt.Errorf("keys: signing with %s key: %w", t, err)
	}
	out := sig
	if t == Ed25519 {
		if len(sig) != ed25519.SignatureSize {
			return nil, fmt.Errorf("%w: signer returned %d bytes, want %d", ErrInvalidSignature, len(sig), ed25519.SignatureSize)
		}
	} else {
		if out, err = asn1ToP1363(sig, t.size()); err != nil {
			return nil, err
		}
		lowS(out, t.curveOrder())
	}
	// A KMS or HSM client could sign with another key than the one it
	// reports (a misconfigured key name, a rotated key): check before the
	// signature is handed out. A Signer NewSigner made of a private key
	// held in this process, whose public key it checked once, is not
	// verified again: that would cost more than the signing (an Ed25519
	// signature is made in about 30 µs and verified in about 55 µs).
	if !inProcess(s) {
		if err := VerifyP1363(s.Public(), message, out); err != nil {
			return nil, fmt.Errorf("%w: the signer's signature does not verify with the public key it reports", ErrInvalidSignature)
		}
	}
	return out, nil
}

// inProcess reports whether s is a Signer NewSigner made of a private key
// held in this process, whose public key it checked. A bare private key is
// checked with each signature, as any other crypto.Signer is.
func inProcess(s crypto.Signer) bool {
	w, ok := s.(*signer)
	return ok && w.local
}

// lowS turns the r||s signature sig into the one of its two encodings
// whose s is at most n/2: (r, n-s) verifies wherever (r, s) does, so
// writing only one makes every signature SignP1363 makes the only one for
// its message and key.
func lowS(sig []byte, n *big.Int) {
	size := len(sig) / 2
	s := new(big.Int).SetBytes(sig[size:])
	if s.Cmp(new(big.Int).Rsh(n, 1)) > 0 {
		s.Sub(n, s)
		s.FillBytes(sig[size:])
	}
}

// CheckLowS reports, for a signature made as SignP1363 makes it and a
// public key of the kind that made it, whether the signature is the lower
// of its two encodings: nil for an Ed25519 signature (it has one) and an
// ECDSA signature whose s is at most n/2, an error wrapping ErrHighS for
// any other ECDSA signature. It checks nothing else: VerifyP1363 does.
func CheckLowS(pub crypto.PublicKey, sig []byte) error {
	t, err := publicKey(pub)
	if err != nil {
		return err
	}
	if t == Ed25519 || len(sig) != 2*t.size() {
		return nil
	}
	n := t.curveOrder()
	if new(big.Int).SetBytes(sig[t.size():]).Cmp(new(big.Int).Rsh(n, 1)) > 0 {
		return fmt.Errorf("%w: %s signature's s is above n/2; its twin (r, n-s) is the one accepted", ErrHighS, t)
	}
	return nil
}

// VerifyP1363 checks a signature made as SignP1363 makes it. It returns
// nil or an error wrapping ErrInvalidSignature (or ErrUnsupportedKey /
// ErrInvalidKey for a bad public key).
func VerifyP1363(pub crypto.PublicKey, message, sig []byte) error {
	t, err := publicKey(pub)
	if err != nil {
		return err
	}
	switch t {
	case Ed25519:
		if len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub.(ed25519.PublicKey), message, sig) {
			return fmt.Errorf("%w: Ed25519 signature does not verify", ErrInvalidSignature)
		}
		return nil
	}
	n := t.size()
	if len(sig) != 2*n {
		return fmt.Errorf("%w: %s signature is %d bytes, want %d", ErrInvalidSignature, t, len(sig), 2*n)
	}
	if t == Secp256k1 {
		return verifySecp256k1(pub.(*secp256k1.PublicKey), message, sig)
	}
	r := new(big.Int).SetBytes(sig[:n])
	s := new(big.Int).SetBytes(sig[n:])
	if !ecdsa.Verify(pub.(*ecdsa.PublicKey), digest(hashFor(t), message), r, s) {
		return fmt.Errorf("%w: %s signature does not verify", ErrInvalidSignature, t)
	}
	return nil
}

// asn1ToP1363 converts an ASN.1 DER ECDSA-Sig-Value (RFC 3279 section
// 2.2.3) to r||s, each left-padded to size bytes.
func asn1ToP1363(der []byte, size int) ([]byte, error) {
	var v struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &v)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: signer returned malformed ASN.1", ErrInvalidSignature)
	}
	if v.R.Sign() <= 0 || v.S.Sign() <= 0 || v.R.BitLen() > 8*size || v.S.BitLen() > 8*size {
		return nil, fmt.Errorf("%w: signer returned r or s out of range", ErrInvalidSignature)
	}
	out := make([]byte, 2*size)
	v.R.FillBytes(out[:size])
	v.S.FillBytes(out[size:])
	return out, nil
}

// verifySecp256k1 checks an ES256K signature (RFC 8812 section 3.2): r||s,
// 32 bytes each, over SHA-256 of message. r and s must be in [1, n-1];
// either s of the twin pair verifies, as with the NIST curves (CheckLowS
// tells them apart).
func verifySecp256k1(pub *secp256k1.PublicKey, message, sig []byte) error {
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) || r.IsZero() || s.IsZero() {
		return fmt.Errorf("%w: secp256k1 signature's r or s is out of range", ErrInvalidSignature)
	}
	if !secp256k1ecdsa.NewSignature(&r, &s).Verify(digest(crypto.SHA256, message), pub) {
		return fmt.Errorf("%w: secp256k1 signature does not verify", ErrInvalidSignature)
	}
	return nil
}
