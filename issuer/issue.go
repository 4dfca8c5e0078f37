package issuer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
)

// Format is how a credential is secured (vc.Format).
type Format = vc.Format

// The securing formats (those of package vc).
const (
	FormatJWT           = vc.FormatJWT
	FormatEdDSARDFC2022 = vc.FormatEdDSARDFC2022
	FormatECDSARDFC2019 = vc.FormatECDSARDFC2019
	FormatEdDSAJCS2022  = vc.FormatEdDSAJCS2022
	FormatECDSAJCS2019  = vc.FormatECDSAJCS2019
)

// Formats lists every securing format, for flag help and validation.
func Formats() []Format { return vc.Formats() }

// ErrIssuerMismatch means the signing key's DID is not the credential's
// issuer: a verifier would refuse the result.
var ErrIssuerMismatch = errors.New("issuer: the signing key does not belong to the credential's issuer")

// ErrSignerNotListed means the signer's verification method is not in its
// DID's document for assertionMethod, or holds another key: verifiers
// would refuse everything it signs.
var ErrSignerNotListed = errors.New("issuer: the signing key is not the issuer's assertion key")

// CheckSigner resolves the signer's verification method through r, as a
// verifier will, and checks that it is listed for assertionMethod in its
// DID's document, controlled by that DID, and holds the signer's public
// key. Run it once before issuing (an Organisation's Signer does), not for
// each credential.
func CheckSigner(ctx context.Context, r did.Resolver, signer keys.Signer) error {
	m, err := did.ResolveMethod(ctx, r, signer.KeyID(), did.AssertionMethod)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSignerNotListed, err)
	}
	pub, err := m.PublicKey()
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrSignerNotListed, signer.KeyID(), err)
	}
	if !keys.SamePublic(pub, signer.Public()) {
		return fmt.Errorf("%w: %s in the DID document holds another key than the signer's", ErrSignerNotListed, signer.KeyID())
	}
	return nil
}

// ErrOptions means Issue was called with incomplete options.
var ErrOptions = errors.New("issuer: invalid options")

// Options say how Issue secures a credential.
type Options struct {
	// Format is the securing format (required).
	Format Format
	// Created is the proof's creation time (Data Integrity); required for
	// Data Integrity formats, because the time is the caller's to choose.
	Created time.Time
	// Contexts are extra JSON-LD contexts (URL and document) the
	// credential uses beyond the embedded ones.
	Contexts map[string][]byte
	// IssuerMismatchUnsafe signs even when the signer's DID is not the
	// credential's issuer, as a low-level tool must be able to (the W3C
	// vectors are signed that way). Verifiers refuse such credentials.
	IssuerMismatchUnsafe bool
}

// Issue secures the credential data (JSON that vc.Parse accepts) with signer
// and returns the secured credential: for FormatJWT the compact JWS, for Data
// Integrity formats the credential JSON with its proof. The signer's key id
// must be a DID URL of the credential's issuer, unless IssuerMismatchUnsafe
// is set.
func Issue(data []byte, signer keys.Signer, opts Options) ([]byte, error) {
	if signer == nil {
		return nil, fmt.Errorf("%w: no signer", ErrOptions)
	}
	if !slices.Contains(Formats(), opts.Format) {
		return nil, fmt.Errorf("%w: unknown format %q", ErrOptions, opts.Format)
	}
	cred, err := vc.Parse(data)
	if err != nil {
		return nil, err
	}
	if _, err := cred.ValidityBounds(); err != nil {
		return nil, err // a verifier refuses a period it cannot read
	}
	if err := CheckIssuer(cred, signer.KeyID()); err != nil && !opts.IssuerMismatchUnsafe {
		return nil, err
	}
	return secure(data, signer, opts)
}

// secure is Issue after its checks of the credential.
func secure(data []byte, signer keys.Signer, opts Options) ([]byte, error) {
	if opts.Format == FormatJWT {
		token, err := jose.Sign(data, jose.SignOptions{Kind: jose.KindCredential, Signer: signer})
		if err != nil {
			return nil, err
		}
		return []byte(token), nil
	}
	if opts.Created.IsZero() {
		return nil, fmt.Errorf("%w: no proof creation time", ErrOptions)
	}
	loader, err := defaultLoader()
	if len(opts.Contexts) > 0 {
		var extra []ld.Context
		for url, doc := range opts.Contexts {
			extra = append(extra, ld.Context{URL: url, Document: doc})
		}
		loader, err = ld.NewLoader(extra...)
	}
	if err != nil {
		return nil, err
	}
	return dataintegrity.Sign(data, dataintegrity.SignOptions{
		Suite:   string(opts.Format),
		Signer:  signer,
		Purpose: dataintegrity.AssertionMethod,
		Created: opts.Created,
	}, loader)
}

// defaultLoader serves the embedded contexts: the W3C ones and the staffpass
// vocabulary. It is made once: a Loader processes each context once and
// reuses it, which matters for batches.
var defaultLoader = sync.OnceValues(func() (*ld.Loader, error) { return ld.NewLoader() })

// CheckIssuer reports, wrapping ErrIssuerMismatch, whether the verification
// method keyID is not a DID URL of the credential's issuer.
func CheckIssuer(cred *vc.Credential, keyID string) error {
	u, err := did.ParseURL(keyID)
	if err != nil {
		return fmt.Errorf("%w: key id %q is not a DID URL", ErrIssuerMismatch, keyID)
	}
	if u.DID().String() != cred.Issuer.ID {
		return fmt.Errorf("%w: the key %s belongs to %s, the credential's issuer is %s", ErrIssuerMismatch, keyID, u.DID(), cred.Issuer.ID)
	}
	return nil
}
