package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"fmt"
	"slices"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/staffpass/staffpass/keys"
)

// The JOSE algorithms this package signs and verifies with (RFC 7518 section
// 3.1, RFC 8037 section 3.1, RFC 8812 section 3.2). Nothing else can be
// reached, whatever a caller lists.
const (
	AlgEdDSA = "EdDSA" // Ed25519
	AlgES256 = "ES256" // ECDSA P-256 with SHA-256
	AlgES384 = "ES384" // ECDSA P-384 with SHA-384
	// AlgES256K is ECDSA secp256k1 with SHA-256, verified only: Microsoft
	// Entra Verified ID signs with it; staffpass has no secp256k1 signer.
	AlgES256K = "ES256K"
)

// DefaultAlgorithms returns a new slice of every algorithm this package
// implements, for VerifyOptions.Algorithms.
func DefaultAlgorithms() []string {
	return []string{AlgEdDSA, AlgES256, AlgES384, AlgES256K}
}

// keyTypeFor returns the key type alg needs, or false for an algorithm this
// package does not implement.
func keyTypeFor(alg string) (keys.KeyType, bool) {
	switch alg {
	case AlgEdDSA:
		return keys.Ed25519, true
	case AlgES256:
		return keys.P256, true
	case AlgES384:
		return keys.P384, true
	case AlgES256K:
		return keys.Secp256k1, true
	}
	return "", false
}

// checkAlgorithm refuses alg unless this package implements it and the
// caller allows it. none and HMAC get their own message: they are the
// classic attacks on JWT verifiers.
func checkAlgorithm(alg string, allowed []string) (keys.KeyType, error) {
	t, ok := keyTypeFor(alg)
	switch {
	case ok:
	case strings.EqualFold(alg, "none"):
		return "", fmt.Errorf("%w: alg none (an unsecured JWS) is never accepted", ErrAlgorithmNotAllowed)
	case len(alg) >= 2 && strings.EqualFold(alg[:2], "HS"):
		return "", fmt.Errorf("%w: alg %s: HMAC algorithms are never accepted", ErrAlgorithmNotAllowed, quote(alg))
	default:
		return "", fmt.Errorf("%w: alg %s is not implemented (only EdDSA, ES256, ES384 and ES256K are)", ErrAlgorithmNotAllowed, quote(alg))
	}
	if !slices.Contains(allowed, alg) {
		return "", fmt.Errorf("%w: alg %s is not on the caller's list", ErrAlgorithmNotAllowed, alg)
	}
	return t, nil
}

// checkKey checks that pub is a public key of type want: an
// ed25519.PublicKey for EdDSA, an *ecdsa.PublicKey on P-256 or P-384 for
// ES256 and ES384, a *secp256k1.PublicKey for ES256K. Private keys, HMAC
// secrets and other types are refused.
func checkKey(alg string, want keys.KeyType, pub crypto.PublicKey) error {
	switch pub.(type) {
	case ed25519.PublicKey, *ecdsa.PublicKey, *secp256k1.PublicKey:
	default:
		return fmt.Errorf("%w: alg %s with a %T, not a public key", ErrAlgorithmKeyMismatch, alg, pub)
	}
	got, err := keys.TypeOf(pub)
	if err != nil {
		return fmt.Errorf("%w: alg %s: %w", ErrAlgorithmKeyMismatch, alg, err)
	}
	if got != want {
		return fmt.Errorf("%w: alg %s needs a %s key, got a %s key", ErrAlgorithmKeyMismatch, alg, want, got)
	}
	return nil
}

// verifySignature checks sig over the signing input with a key checkKey
// accepted. Ed25519 is checked directly; crypto/ed25519 refuses
// non-canonical signatures (S >= L). ECDSA signatures are r||s of the curve's
// size (RFC 7518 section 3.4), checked by keys.VerifyP1363.
func verifySignature(alg string, pub crypto.PublicKey, signingInput, sig []byte) error {
	if alg == AlgEdDSA {
		if len(sig) != ed25519.SignatureSize {
			return fmt.Errorf("%w: EdDSA signature is %d bytes, want %d", ErrSignature, len(sig), ed25519.SignatureSize)
		}
		if !ed25519.Verify(pub.(ed25519.PublicKey), signingInput, sig) {
			return fmt.Errorf("%w: EdDSA signature does not verify", ErrSignature)
		}
		return nil
	}
	if err := keys.VerifyP1363(pub, signingInput, sig); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrSignature, alg, err)
	}
	return nil
}
