package dataintegrity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"fmt"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/keys"
)

// ProofType is the type of every proof this package makes and verifies.
const ProofType = "DataIntegrityProof"

// The cryptosuites (the proof's cryptosuite member).
const (
	EdDSARDFC2022 = "eddsa-rdfc-2022"
	EdDSAJCS2022  = "eddsa-jcs-2022"
	ECDSARDFC2019 = "ecdsa-rdfc-2019"
	ECDSAJCS2019  = "ecdsa-jcs-2019"
)

// The proof purposes of Controlled Identifiers 1.0 that credentials and
// presentations use. Any other purpose is accepted by name.
const (
	AssertionMethod = "assertionMethod"
	Authentication  = "authentication"
)

// suite describes one cryptosuite.
type suite struct {
	name  string
	jcs   bool // RFC 8785 instead of JSON-LD and RDFC-1.0
	ecdsa bool // ECDSA P-256 / P-384 instead of Ed25519
}

var suites = [...]suite{
	{name: EdDSARDFC2022},
	{name: EdDSAJCS2022, jcs: true},
	{name: ECDSARDFC2019, ecdsa: true},
	{name: ECDSAJCS2019, jcs: true, ecdsa: true},
}

func lookupSuite(name string) (*suite, bool) {
	for i := range suites {
		if suites[i].name == name {
			return &suites[i], true
		}
	}
	return nil, false
}

// keyFit is what a key implies for a suite: the hash used throughout and
// the signature length.
type keyFit struct {
	hash   crypto.Hash
	sigLen int
}

// fit checks that pub (a public key) may be used with the suite.
func (s *suite) fit(pub crypto.PublicKey) (keyFit, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if s.ecdsa {
			return keyFit{}, fmt.Errorf("%w: %s needs a P-256 or P-384 key, not Ed25519", ErrKeyType, s.name)
		}
		if len(k) != ed25519.PublicKeySize {
			return keyFit{}, fmt.Errorf("%w: Ed25519 public key of %d bytes", ErrKeyType, len(k))
		}
		return keyFit{crypto.SHA256, ed25519.SignatureSize}, nil
	case *ecdsa.PublicKey:
		if !s.ecdsa {
			return keyFit{}, fmt.Errorf("%w: %s needs an Ed25519 key, not ECDSA", ErrKeyType, s.name)
		}
		if k == nil || k.Curve == nil {
			return keyFit{}, fmt.Errorf("%w: empty ECDSA key", ErrKeyType)
		}
		switch k.Curve {
		case elliptic.P256():
			return keyFit{crypto.SHA256, 64}, nil
		case elliptic.P384():
			return keyFit{crypto.SHA384, 96}, nil
		}
		return keyFit{}, fmt.Errorf("%w: curve %s", ErrKeyType, k.Curve.Params().Name)
	}
	if t, err := keys.TypeOf(pub); err == nil {
		return keyFit{}, fmt.Errorf("%w: %s cannot use a %s key", ErrKeyType, s.name, t)
	}
	return keyFit{}, fmt.Errorf("%w: %s cannot use a %T", ErrKeyType, s.name, pub)
}

// signerFit checks a signer's key against the suite.
func (s *suite) signerFit(signer keys.Signer) (keyFit, error) {
	if signer == nil {
		return keyFit{}, fmt.Errorf("%w: no signer", ErrInvalidOptions)
	}
	pub := signer.Public()
	f, err := s.fit(pub)
	if err != nil {
		return keyFit{}, invalidOptions{err}
	}
	return f, nil
}

// CheckSigner reports whether signer's key fits the named cryptosuite
// (ErrKeyType, ErrInvalidOptions for a suite this package does not
// implement), as Sign would find it, before anything is signed.
func CheckSigner(suiteName string, signer keys.Signer) error {
	s, ok := lookupSuite(suiteName)
	if !ok {
		return fmt.Errorf("%w: unknown cryptosuite %q", ErrInvalidOptions, suiteName)
	}
	_, err := s.signerFit(signer)
	return err
}

// invalidOptions is an error in the options that already says what it is:
// it reads as its cause and is also ErrInvalidOptions.
type invalidOptions struct{ err error }

func (e invalidOptions) Error() string   { return e.err.Error() }
func (e invalidOptions) Unwrap() []error { return []error{ErrInvalidOptions, e.err} }

// dataIntegrityContexts are the contexts that define DataIntegrityProof
// and its members.
var dataIntegrityContexts = [...]string{
	"https://www.w3.org/ns/credentials/v2",
	"https://w3id.org/security/data-integrity/v2",
	"https://w3id.org/security/data-integrity/v1",
}

// checkContext implements the rule of the package documentation: a
// document with a @context must list one of dataIntegrityContexts. A
// document without @context (plain JSON, -jcs- suites only) passes.
func checkContext(ctx any, present bool) error {
	if !present {
		return nil
	}
	entries, ok := ctx.([]any)
	if !ok {
		entries = []any{ctx}
	}
	if len(entries) > limits.MaxContexts {
		return fmt.Errorf("%w: more than %d @context entries", ErrContext, limits.MaxContexts)
	}
	for _, e := range entries {
		if u, ok := e.(string); ok {
			for _, di := range dataIntegrityContexts {
				if u == di {
					return nil
				}
			}
		}
	}
	return fmt.Errorf("%w: the @context lists neither %s nor %s, so it does not define DataIntegrityProof", ErrContext, dataIntegrityContexts[0], dataIntegrityContexts[1])
}
