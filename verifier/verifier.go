package verifier

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/vc"
)

// Trust is what a Verifier trusts. Issuers and Resolver are required.
type Trust struct {
	// Issuers are the DIDs of the issuers whose credentials are accepted.
	Issuers []string
	// Resolver resolves the DIDs of issuers (and holders) to their DID
	// documents. For offline verification use a did.Router over did/key,
	// did/jwk and a did.StaticResolver holding the trusted issuers'
	// documents.
	Resolver did.Resolver
	// StatusLists are the status list credentials (W3C Bitstring Status
	// List, signed by the issuers, as vc+jwt or Data Integrity JSON) that
	// revocation and suspension are checked against. Verification is
	// offline: a credential with a credentialStatus whose list is not
	// here fails the status check.
	StatusLists [][]byte
	// StatusListsFetched is when StatusLists were fetched (or the bundle
	// holding them made). When it is set, a list with a ttl is stale, and
	// the status check fails (status.ErrListStale), once the ttl has
	// passed since; when it is zero, ttls are not judged.
	StatusListsFetched time.Time
}

// Verifier verifies credentials against a Trust. It is safe for concurrent
// use.
type Verifier struct {
	issuers    map[string]bool
	lists      map[string]*statusList
	fetched    time.Time // when the lists were fetched
	resolver   did.Resolver
	loader     *ld.Loader
	suites     []string
	algorithms []string
	clock      func() time.Time
	skew       time.Duration
	keys       keyCache
	lowS       bool
}

// Option configures a Verifier.
type Option func(*config) error

type config struct {
	clock      func() time.Time
	skew       time.Duration
	suites     []string
	algorithms []string
	contexts   []ld.Context
	lowS       bool
}

// WithClock sets the clock that validity periods and proof times are
// checked against (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return fmt.Errorf("%w: nil clock", ErrConfig)
		}
		c.clock = now
		return nil
	}
}

// WithClockSkew sets how far the issuer's and the verifier's clocks may
// disagree: a credential is accepted up to d before it becomes valid and up
// to d after it expires (default limits.ClockSkew).
func WithClockSkew(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 || d > time.Hour {
			return fmt.Errorf("%w: clock skew %v is not between 0 and 1h", ErrConfig, d)
		}
		c.skew = d
		return nil
	}
}

// WithCryptosuites sets the Data Integrity cryptosuites accepted (default:
// eddsa-rdfc-2022, ecdsa-rdfc-2019, eddsa-jcs-2022, ecdsa-jcs-2019).
func WithCryptosuites(suites ...string) Option {
	return func(c *config) error {
		c.suites = slices.Clone(suites)
		return nil
	}
}

// WithAlgorithms sets the JOSE algorithms accepted for vc+jwt (default:
// EdDSA, ES256, ES384). none and HMAC algorithms are never accepted.
func WithAlgorithms(algs ...string) Option {
	return func(c *config) error {
		c.algorithms = slices.Clone(algs)
		return nil
	}
}

// WithContext adds a JSON-LD context document, served for url, to the
// embedded contexts (the W3C ones and staffpass's own,
// https://w3id.org/staffpass/v1) that Data Integrity proofs are checked with. Contexts are
// never fetched.
func WithContext(url string, document []byte) Option {
	return func(c *config) error {
		c.contexts = append(c.contexts, ld.Context{URL: url, Document: slices.Clone(document)})
		return nil
	}
}

// WithLowSOnly refuses ECDSA signatures (ES256 and ES384 vc+jwt,
// ecdsa-rdfc-2019 and ecdsa-jcs-2019 proofs) whose s is above half the
// curve order. Every ECDSA signature (r, s) has a twin (r, n-s) that
// verifies too and that anyone can make from it, so a credential has two
// valid encodings; staffpass signs only the lower. The default accepts
// both, because other implementations write either, half the time each
// (Digital Bazaar's libraries and jose, through WebCrypto), and so do three
// of the six W3C ECDSA test vectors: use it where every issuer and holder
// is known to sign low-S.
func WithLowSOnly() Option {
	return func(c *config) error {
		c.lowS = true
		return nil
	}
}

// DefaultCryptosuites are the Data Integrity cryptosuites a Verifier accepts
// unless told otherwise.
func DefaultCryptosuites() []string {
	return []string{dataintegrity.EdDSARDFC2022, dataintegrity.ECDSARDFC2019, dataintegrity.EdDSAJCS2022, dataintegrity.ECDSAJCS2019}
}

// New returns a Verifier for trust. It fails, wrapping ErrConfig, if the
// trust is incomplete (no issuer, no resolver) or an option is invalid.
func New(trust Trust, opts ...Option) (*Verifier, error) {
	if trust.Resolver == nil {
		return nil, fmt.Errorf("%w: no DID resolver", ErrConfig)
	}
	if len(trust.Issuers) == 0 {
		return nil, fmt.Errorf("%w: no trusted issuers", ErrConfig)
	}
	cfg := config{
		clock:      time.Now,
		skew:       limits.ClockSkew,
		suites:     DefaultCryptosuites(),
		algorithms: jose.DefaultAlgorithms(),
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if len(cfg.suites) == 0 && len(cfg.algorithms) == 0 {
		return nil, fmt.Errorf("%w: no cryptosuite and no algorithm allowed", ErrConfig)
	}
	for _, s := range cfg.suites {
		if !slices.Contains(DefaultCryptosuites(), s) {
			return nil, fmt.Errorf("%w: unknown cryptosuite %q", ErrConfig, s)
		}
	}
	for _, a := range cfg.algorithms {
		if !slices.Contains(jose.DefaultAlgorithms(), a) {
			return nil, fmt.Errorf("%w: algorithm %q is not supported (only %s)", ErrConfig, a, strings.Join(jose.DefaultAlgorithms(), ", "))
		}
	}
	issuers := make(map[string]bool, len(trust.Issuers))
	for _, id := range trust.Issuers {
		if _, err := did.Parse(id); err != nil {
			return nil, fmt.Errorf("%w: trusted issuer %q: %w", ErrConfig, id, err)
		}
		issuers[id] = true
	}
	// The embedded contexts (the W3C ones and staffpass's own) and the
	// caller's.
	loader, err := ld.NewLoader(cfg.contexts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	lists := make(map[string]*statusList, len(trust.StatusLists))
	for i, data := range trust.StatusLists {
		id, err := statusListID(data)
		if err != nil {
			return nil, fmt.Errorf("%w: status list %d: %w", ErrConfig, i, err)
		}
		if lists[id] != nil {
			return nil, fmt.Errorf("%w: two status lists with id %s", ErrConfig, id)
		}
		lists[id] = &statusList{data: slices.Clone(data)}
	}
	return &Verifier{
		issuers:    issuers,
		lists:      lists,
		fetched:    trust.StatusListsFetched,
		resolver:   trust.Resolver,
		loader:     loader,
		suites:     cfg.suites,
		algorithms: cfg.algorithms,
		clock:      cfg.clock,
		skew:       cfg.skew,
		lowS:       cfg.lowS,
	}, nil
}

// VerifyCredential verifies one credential: a vc+jwt (or a VCDM 1.1 JWT) in
// compact form, a credential JSON with Data Integrity proofs, or an
// EnvelopedVerifiableCredential holding a vc+jwt. It returns the Result of
// every check, and an error that is nil exactly when all of them passed
// (otherwise it joins the failed checks' errors; see the Err* sentinels).
// It never panics, and it does no I/O but through the Trust's Resolver.
func (v *Verifier) VerifyCredential(ctx context.Context, data []byte) (*Result, error) {
	now := v.clock()
	r := &Result{VerifiedAt: now.UTC(), Checks: make([]Check, 0, numChecks)}
	sec := v.secure(ctx, r, data, now)
	cred := sec.cred
	if cred == nil {
		for _, name := range []string{CheckProof, CheckIssuerTrust, CheckValidityPeriod, CheckStatus} {
			if r.Check(name) == nil {
				r.skip(name, "the credential could not be read")
			}
		}
		return r, r.finish()
	}
	r.describe(cred)
	r.record(CheckIssuerTrust, v.checkIssuer(cred.Issuer.ID))
	if c := r.Check(CheckProof); c != nil && c.Status != Passed {
		// What the credential says is not known to be its issuer's: its
		// validity period and status entries are not judged.
		r.skip(CheckValidityPeriod, notJudged)
		r.skip(CheckStatus, notJudged)
		return r, r.finish()
	}
	r.record(CheckValidityPeriod, v.checkValidity(cred, sec.jwt, now))
	v.checkStatus(ctx, r, cred, now)
	return r, r.finish()
}

const notJudged = "not judged: the proof did not verify, so nothing the credential says is known to be its issuer's"

// secured is what checking a credential's securing mechanism gave: the
// credential, if it could be read (verified or not: the Result says), and
// the time limits the mechanism adds to the credential's own: a JWT's nbf
// and exp, the latest created and earliest expires of its Data Integrity
// proofs.
type secured struct {
	cred                       *vc.Credential
	jwt                        *jose.Verified
	proofCreated, proofExpires time.Time
}

// secure runs the syntax and proof checks of a credential in any of the
// supported forms, recording them in r.
func (v *Verifier) secure(ctx context.Context, r *Result, data []byte, now time.Time) secured {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return v.verifyJWT(ctx, r, trimmed)
	}
	doc, err := parseJSON(trimmed)
	if err != nil {
		r.fail(CheckSyntax, err)
		return secured{}
	}
	if doc.Envelope != nil {
		token, err := envelopedJWT(doc.Envelope)
		if err != nil {
			r.fail(CheckSyntax, err)
			return secured{}
		}
		return v.verifyJWT(ctx, r, token)
	}
	if err := v.checkContexts(doc.Credential); err != nil {
		r.fail(CheckSyntax, err)
		return secured{}
	}
	r.pass(CheckSyntax)
	sec := secured{cred: doc.Credential}
	sec.proofCreated, sec.proofExpires = v.verifyDataIntegrity(ctx, r, trimmed, doc.Credential, now)
	return sec
}

// parseJSON reads a credential or an enveloped credential. vc.ParseDocument
// checks the text with strictjson first; its error wraps strictjson's.
func parseJSON(data []byte) (*vc.Document, error) {
	doc, err := vc.ParseDocument(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	switch doc.Kind {
	case vc.KindCredential, vc.KindEnvelopedCredential:
		return doc, nil
	default:
		return nil, fmt.Errorf("%w: a %s, not a credential", ErrMalformed, kindName(doc.Kind))
	}
}

func kindName(k vc.Kind) string {
	switch k {
	case vc.KindPresentation:
		return "presentation"
	case vc.KindEnvelopedPresentation:
		return "enveloped presentation"
	}
	return "document of unknown kind"
}

// envelopedJWT returns the vc+jwt an EnvelopedVerifiableCredential carries.
// The envelope itself is not secured: a member besides @context, id and
// type (VCDM 2.0 section 4.13.1) would be read beside the credential as if
// it were part of it, and is refused.
func envelopedJWT(env *vc.Envelope) ([]byte, error) {
	if len(env.Extra) > 0 {
		names := slices.Sorted(maps.Keys(env.Extra))
		return nil, fmt.Errorf("%w: the envelope has %s, which the credential it carries does not secure; an EnvelopedVerifiableCredential has only @context, id and type",
			ErrMalformed, quoteTypes(names))
	}
	u, err := env.DataURL()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if u.MediaType != vc.MediaTypeVCJWT {
		return nil, fmt.Errorf("%w: enveloped credential of media type %q; only %s is supported", ErrMalformed, u.MediaType, vc.MediaTypeVCJWT)
	}
	return u.Data, nil
}

// checkContexts fails closed on a context the verifier does not hold: a
// URL its Loader does not serve. (An inline context says what it means.)
func (v *Verifier) checkContexts(c *vc.Credential) error {
	for i, e := range c.Context.Items {
		if e.URL != "" && !v.loader.Serves(e.URL) {
			return fmt.Errorf("%w: @context entry %d, %q, is not one this verifier holds, so what the credential's terms mean is not known (add it with WithContext if it is to be trusted)", ErrUnknownContext, i, e.URL)
		}
	}
	return nil
}

// verifyJWT verifies a vc+jwt (or a VCDM 1.1 JWT), recording the syntax and
// proof checks. It returns the credential when the token could be read.
func (v *Verifier) verifyJWT(ctx context.Context, r *Result, token []byte) secured {
	res, err := jose.VerifyBytes(ctx, token, jose.VerifyOptions{
		Algorithms: v.algorithms,
		Key:        v.keyFunc(""),
		Kind:       jose.KindCredential,
		LowS:       v.lowS,
	})
	if err == nil {
		r.Format = "vc+jwt"
		if res.Legacy {
			r.Format = "vc-jwt-1.1"
		}
		if err := v.checkContexts(res.Credential); err != nil {
			r.fail(CheckSyntax, err)
			return secured{}
		}
		r.pass(CheckSyntax)
		r.pass(CheckProof)
		return secured{cred: res.Credential, jwt: res}
	}
	switch {
	case errors.Is(err, jose.ErrMalformed), errors.Is(err, jose.ErrTooLarge), errors.Is(err, jose.ErrType),
		errors.Is(err, jose.ErrVCClaim), errors.Is(err, jose.ErrDocument), errors.Is(err, jose.ErrCritical),
		errors.Is(err, jose.ErrClaimConflict):
		r.fail(CheckSyntax, fmt.Errorf("%w: %w", ErrMalformed, err))
		return secured{}
	}
	// The token was read but does not verify: report the credential it
	// claims to be, unverified, and the proof failure.
	r.pass(CheckSyntax)
	switch {
	case errors.Is(err, jose.ErrKeyID), errors.Is(err, jose.ErrKey), errors.Is(err, jose.ErrIssuerMismatch):
		r.fail(CheckProof, fmt.Errorf("%w: %w", ErrIssuerKey, err))
	default:
		r.fail(CheckProof, fmt.Errorf("%w: %w", ErrProof, err))
	}
	return secured{cred: unverifiedJWTCredential(token)}
}

// unverifiedJWTCredential reads the credential of a token that did not
// verify, for the Result's description; nil if it cannot be read.
func unverifiedJWTCredential(token []byte) *vc.Credential {
	u, err := jose.ParseUnverified(string(token))
	if err != nil {
		return nil
	}
	c, err := vc.Parse(u.Payload)
	if err != nil {
		return nil
	}
	return c
}

// verifyDataIntegrity verifies the Data Integrity proofs of a parsed
// credential, recording the proof check, and returns the latest created
// and the earliest expires of its proofs (zero when none has one).
func (v *Verifier) verifyDataIntegrity(ctx context.Context, r *Result, data []byte, cred *vc.Credential, now time.Time) (created, expires time.Time) {
	if cred.Proof.Len() == 0 {
		r.Format = "none"
		r.fail(CheckProof, fmt.Errorf("%w: the credential has no proof (an unsecured credential)", ErrProof))
		return
	}
	if len(v.suites) == 0 {
		r.fail(CheckProof, fmt.Errorf("%w: Data Integrity proofs are not accepted by this verifier", ErrProof))
		return
	}
	results, err := dataintegrity.Verify(ctx, data, dataintegrity.VerifyOptions{
		Suites:  v.suites,
		Key:     v.keyFunc(cred.Issuer.ID),
		Loader:  v.loader,
		Now:     now,
		Purpose: dataintegrity.AssertionMethod,
		LowS:    v.lowS,
	})
	r.Format = "data-integrity"
	if len(results) > 0 && results[0].Proof != nil {
		r.Format += "/" + results[0].Proof.Cryptosuite
	}
	if err != nil {
		switch {
		case errors.Is(err, dataintegrity.ErrNotBound):
			r.fail(CheckProof, fmt.Errorf("%w: %w", ErrNotBound, err))
		case errors.Is(err, errNotIssuersKey) || errors.Is(err, did.ErrNotFound) || errors.Is(err, did.ErrNotAuthorized):
			r.fail(CheckProof, fmt.Errorf("%w: %w", ErrIssuerKey, err))
		default:
			r.fail(CheckProof, fmt.Errorf("%w: %w", ErrProof, err))
		}
		return
	}
	r.pass(CheckProof)
	for _, res := range results {
		if p := res.Proof; p != nil {
			if p.Created.After(created) {
				created = p.Created
			}
			if !p.Expires.IsZero() && (expires.IsZero() || p.Expires.Before(expires)) {
				expires = p.Expires
			}
		}
	}
	return created, expires
}

var errNotIssuersKey = errors.New("the verification method is not the issuer's")

// keyFunc returns the key lookup shared by both securing mechanisms: the
// method must be a DID URL of controller (when controller is set; the JOSE
// code checks the kid's DID against the issuer itself), listed in its DID
// document under purpose and controlled by it.
func (v *Verifier) keyFunc(controller string) func(ctx context.Context, method, purpose string) (crypto.PublicKey, error) {
	return func(ctx context.Context, method, purpose string) (crypto.PublicKey, error) {
		if controller != "" {
			u, err := did.ParseURL(method)
			if err != nil {
				return nil, err
			}
			if u.DID().String() != controller {
				return nil, fmt.Errorf("%w: %q belongs to %s, the issuer is %s", errNotIssuersKey, method, u.DID(), controller)
			}
		}
		cache := cacheable(method)
		if cache {
			if k, ok := v.keys.get(method, purpose); ok {
				return k, nil
			}
		}
		m, err := did.ResolveMethod(ctx, v.resolver, method, did.Relationship(purpose))
		if err != nil {
			return nil, err
		}
		k, err := m.PublicKey()
		if err != nil {
			return nil, err
		}
		if cache {
			v.keys.put(method, purpose, k)
		}
		return k, nil
	}
}

func (v *Verifier) checkIssuer(id string) error {
	if v.issuers[id] {
		return nil
	}
	return fmt.Errorf("%w: %s is not a trusted issuer", ErrUntrustedIssuer, id)
}

// checkValidity checks the credential's validity period and, for a JWT, its
// nbf and exp claims, against now with the allowed clock skew.
func (v *Verifier) checkValidity(cred *vc.Credential, jwt *jose.Verified, now time.Time) error {
	dates, err := cred.ValidityBounds()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var errs []error
	notBefore := func(what string, t time.Time) {
		if !t.IsZero() && now.Add(v.skew).Before(t) {
			errs = append(errs, fmt.Errorf("%w: %s is %s, after the verification time %s", ErrNotYetValid, what, stamp(t), stamp(now)))
		}
	}
	notAfter := func(what string, t time.Time) {
		if !t.IsZero() && now.Add(-v.skew).After(t) {
			errs = append(errs, fmt.Errorf("%w: %s was %s, before the verification time %s", ErrExpired, what, stamp(t), stamp(now)))
		}
	}
	for _, d := range dates {
		if d.Start {
			notBefore(d.Member, d.Time)
		} else {
			notAfter(d.Member, d.Time)
		}
	}
	if jwt != nil {
		notBefore("the JWT's nbf", jwt.NotBefore)
		notAfter("the JWT's exp", jwt.Expires)
	}
	return errors.Join(errs...)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// describe copies what the Result reports about the credential.
func (r *Result) describe(c *vc.Credential) {
	r.ID = c.ID
	r.Issuer = c.Issuer.ID
	r.Types = slices.Clone(c.Type.Items)
	r.Subjects = c.SubjectIDs()
	r.ValidFrom, r.ValidUntil, _ = c.ValidityPeriod() // zero when malformed; the validity check then fails
	r.Credential = c
}
