package verifier

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/schemas"
	"github.com/staffpass/staffpass/vc"
)

// Trust is what a Verifier trusts, fixed when it is made: the trusted
// material, as sigstore-go calls it. At least one bundle or one issuer is
// required.
type Trust struct {
	// Bundles are trust bundles the caller opened with bundle.Open, each
	// against the publisher it has configured for it: the issuers they
	// list, each trusted for the credential types listed (the union, for
	// an issuer two bundles list), with their keys and key history; their
	// status lists; the digests of the contexts and schemas in use.
	Bundles []*bundle.Bundle
	// Issuers are DIDs trusted directly, for any credential type, their
	// keys found through Resolver.
	Issuers []string
	// Resolver resolves every DID no accepted bundle lists: the Issuers
	// and the holders of presentations. nil resolves did:key and did:jwk
	// only, which need no network. For other DIDs use a did.Router over
	// did/key, did/jwk and a did.StaticResolver of the documents you hold.
	Resolver did.Resolver
	// StatusLists are status list credentials (W3C Bitstring Status List,
	// or StatusList2021) and IETF Status List Tokens (statuslist+jwt, for
	// SD-JWT VCs),
	// signed by their issuers, as vc+jwt or Data Integrity JSON) besides
	// those in the bundles. Verification is offline: a credential whose
	// list is in neither fails the status check.
	StatusLists [][]byte
	// StatusListsFetched is when StatusLists were fetched. When it is set,
	// a list with a ttl is stale, and the status check fails, once the ttl
	// has passed since; when it is zero, ttls are not judged. (A bundle's
	// lists carry their own fetch times.)
	StatusListsFetched time.Time
	// Schemas are JSON Schemas besides staffpass's embedded ones, for the
	// schema check of credentials that name them in credentialSchema.
	Schemas []Schema
	// AnyDIDKeyIssuerUnsafe trusts every did:key issuer, for any type, as
	// if trusted directly. It is for conformance test harnesses, whose
	// suites send credentials signed by keys they make up; never for real
	// use, since anyone can make a did:key. Every Result of such a
	// Verifier carries ConformanceWarning.
	AnyDIDKeyIssuerUnsafe bool
}

// ConformanceWarning is the warning every Result of a Verifier whose Trust
// has AnyDIDKeyIssuerUnsafe carries.
const ConformanceWarning = "conformance mode: any did:key issuer is trusted, for any type; this verifier's results are not trust decisions"

// Schema is a JSON Schema document (2020-12) and the id credentials name it
// by in credentialSchema.
type Schema struct {
	ID       string
	Document []byte
}

// Policy is what one verification asks, apart from what the Verifier
// trusts: the challenge and domain a presentation must be bound to, which
// bundles to accept, and the clock.
type Policy struct {
	// Challenge is the challenge (nonce) this verifier gave the holder,
	// fresh for this presentation; Domain is who this verifier is (its
	// origin or DID). A presentation must answer both; a policy without
	// them verifies credentials only, and fails every presentation, which
	// could be a replay.
	Challenge, Domain string
	// Now is the time to verify at; zero means the Verifier's clock.
	Now time.Time
	// MaxPresentationAge is how long after it was made a presentation is
	// accepted; zero means limits.PresentationMaxAge.
	MaxPresentationAge time.Duration
	// Publishers, if not empty, are the publishers (DIDs) whose bundles
	// this verification accepts, among the Verifier's; empty accepts all.
	Publishers []string
	// AcceptStaleStatus uses trust bundles past their validUntil, with
	// the issuers, keys and status lists they held then. Every check
	// that relied on one says so. Without it such a check fails with
	// ErrStaleBundle.
	AcceptStaleStatus bool
	// RequireKeyBinding refuses an SD-JWT VC shown without a Key Binding
	// JWT: its Result is then a presentation whose proof failed
	// (ErrHolderBinding), since nothing shows who presents it.
	RequireKeyBinding bool
}

// Verifier verifies credentials and presentations against a Trust. It is
// safe for concurrent use.
type Verifier struct {
	issuers    map[string]*trustedIssuer
	lists      map[string][]*statusList
	tokenLists map[string]*tokenList
	resolver   did.Resolver
	loader     *ld.Loader
	schemas    *schemas.Set
	suites     []string
	algorithms []string
	clock      func() time.Time
	skew       time.Duration
	keys       keyCache
	lowS       bool
	anyDIDKey  bool
	// extraContexts are the caller's contexts (WithContext).
	extraContexts []ld.Context

	// contextPins and schemaPins are, by URL (id), the bundles whose
	// digest of that context (schema) is not of the document the
	// verifier holds.
	contextPins, schemaPins map[string][]*bundle.Bundle
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
// checked against when a Policy gives no time (default time.Now).
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

// WithAlgorithms sets the JOSE algorithms accepted for vc+jwt and vp+jwt
// (default: EdDSA, ES256, ES384). none and HMAC algorithms are never
// accepted.
func WithAlgorithms(algs ...string) Option {
	return func(c *config) error {
		c.algorithms = slices.Clone(algs)
		return nil
	}
}

// WithContext adds a JSON-LD context document, served for url, to the
// embedded contexts (the W3C ones and staffpass's own,
// https://w3id.org/staffpass/v1) that Data Integrity proofs are checked
// with. Contexts are never fetched.
func WithContext(url string, document []byte) Option {
	return func(c *config) error {
		c.contexts = append(c.contexts, ld.Context{URL: url, Document: slices.Clone(document)})
		return nil
	}
}

// WithLowSOnly refuses ECDSA signatures (ES256 and ES384 JWTs,
// ecdsa-rdfc-2019 and ecdsa-jcs-2019 proofs) whose s is above half the
// curve order. Every ECDSA signature (r, s) has a twin (r, n-s) that
// verifies too and that anyone can make from it, so a document has two
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

// heldContext returns the context document the verifier holds for url:
// one of the caller's, or an embedded one.
func (v *Verifier) heldContext(url string) ([]byte, bool) {
	for _, c := range v.extraContexts {
		if c.URL == url {
			return c.Document, true
		}
	}
	return ld.EmbeddedContext(url)
}

// New returns a Verifier for trust. It fails, wrapping ErrConfig, if the
// trust is empty (no bundle and no issuer) or malformed, or an option is
// invalid.
func New(trust Trust, opts ...Option) (*Verifier, error) {
	if len(trust.Issuers) == 0 && len(trust.Bundles) == 0 && !trust.AnyDIDKeyIssuerUnsafe {
		return nil, fmt.Errorf("%w: no trusted issuers and no trust bundle", ErrConfig)
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
	issuers, err := indexIssuers(trust)
	if err != nil {
		return nil, err
	}
	// The embedded contexts (the W3C ones and staffpass's own) and the
	// caller's.
	// Without contexts or schemas of the caller's, the embedded ones are
	// shared with every Verifier of the process, processed and compiled
	// once.
	loader, err := ld.Default()
	if len(cfg.contexts) > 0 {
		loader, err = ld.NewLoader(cfg.contexts...)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	set, err := schemas.Default()
	if len(trust.Schemas) > 0 {
		docs := schemas.Embedded()
		for _, s := range trust.Schemas {
			docs = append(docs, schemas.Document{ID: s.ID, Document: s.Document})
		}
		set, err = schemas.Compile(docs)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	lists, tokenLists, err := indexLists(trust)
	if err != nil {
		return nil, err
	}
	resolver := trust.Resolver
	if resolver == nil {
		resolver = did.Router{didkey.Method: didkey.Resolver{}, didjwk.Method: didjwk.Resolver{}}
	}
	v := &Verifier{
		issuers:     issuers,
		lists:       lists,
		tokenLists:  tokenLists,
		resolver:    resolver,
		loader:      loader,
		schemas:     set,
		suites:      cfg.suites,
		algorithms:  cfg.algorithms,
		clock:       cfg.clock,
		skew:        cfg.skew,
		lowS:        cfg.lowS,
		anyDIDKey:   trust.AnyDIDKeyIssuerUnsafe,
		contextPins: make(map[string][]*bundle.Bundle),
		schemaPins:  make(map[string][]*bundle.Bundle),
	}
	v.extraContexts = cfg.contexts
	held := v.heldContext
	for _, b := range trust.Bundles {
		for _, d := range b.Contexts {
			if doc, ok := held(d.ID); ok && bundle.SRI(doc) != d.DigestSRI {
				v.contextPins[d.ID] = append(v.contextPins[d.ID], b)
			}
		}
		for _, d := range b.Schemas {
			if s := set.Get(d.ID); s != nil && s.DigestSRI != d.DigestSRI {
				v.schemaPins[d.ID] = append(v.schemaPins[d.ID], b)
			}
		}
	}
	return v, nil
}

// state is one verification: its policy and time.
type state struct {
	p      *Policy
	now    time.Time
	maxAge time.Duration
	// nested is set while verifying the credentials of a presentation;
	// statusList while verifying a status list credential.
	nested, statusList bool
}

// accepts reports whether the policy accepts bundle b.
func (st *state) accepts(b *bundle.Bundle) bool {
	return len(st.p.Publishers) == 0 || slices.Contains(st.p.Publishers, b.Publisher)
}

// Verify verifies one credential or presentation, in any supported form: a
// vc+jwt or vp+jwt (or a VCDM 1.1 JWT) in compact form, a credential or
// presentation JSON with Data Integrity proofs, an enveloped credential
// or presentation JSON, or an SD-JWT VC (with a Key Binding JWT, a
// presentation). It returns the Result of every check, and an error
// that is nil exactly when all of them passed (otherwise it joins the
// failed checks' errors; see the Err* sentinels). It never panics, and does
// no I/O but through the Trust's Resolver.
func (v *Verifier) Verify(ctx context.Context, data []byte, p Policy) (*Result, error) {
	st := &state{p: &p, now: p.Now, maxAge: p.MaxPresentationAge}
	if st.now.IsZero() {
		st.now = v.clock()
	}
	if st.maxAge <= 0 {
		st.maxAge = limits.PresentationMaxAge
	}
	r := v.verify(ctx, data, st)
	r.MediaType, r.Version = ResultMediaType, ResultVersion
	if v.anyDIDKey {
		r.warn(ConformanceWarning)
	}
	return r, r.finish()
}

// verify dispatches on the form of data, and returns a finished Result.
func (v *Verifier) verify(ctx context.Context, data []byte, st *state) *Result {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] != '{' && isSDJWT(trimmed) {
		return v.verifySDJWT(ctx, trimmed, st)
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return v.verifyToken(ctx, trimmed, st, "")
	}
	doc, err := vc.ParseDocument(trimmed)
	if err != nil {
		r := newResult(guessKind(trimmed), st.now)
		r.fail(CheckSyntax, fmt.Errorf("%w: %w", ErrMalformed, err))
		r.skipRest(unreadable)
		r.finish()
		return r
	}
	switch doc.Kind {
	case vc.KindCredential:
		return v.verifyCredentialJSON(ctx, trimmed, doc.Credential, st)
	case vc.KindPresentation:
		return v.verifyPresentationJSON(ctx, trimmed, doc.Presentation, st)
	case vc.KindEnvelopedCredential, vc.KindEnvelopedPresentation:
		kind, media := KindCredential, vc.MediaTypeVCJWT
		if doc.Kind == vc.KindEnvelopedPresentation {
			kind, media = KindPresentation, vc.MediaTypeVPJWT
		}
		token, err := envelopedToken(doc.Envelope, media)
		if err != nil {
			r := newResult(kind, st.now)
			r.fail(CheckSyntax, err)
			r.skipRest(unreadable)
			r.finish()
			return r
		}
		return v.verifyToken(ctx, token, st, kind)
	}
	r := newResult(KindCredential, st.now)
	r.fail(CheckSyntax, fmt.Errorf("%w: a document of unknown kind", ErrMalformed))
	r.skipRest(unreadable)
	r.finish()
	return r
}

const (
	unreadable = "not run: the document could not be read"
	notJudged  = "not judged: the signature was not verified with a key of its signer, so nothing the document says is known to be theirs"
)

// guessKind tells, for the Result of a document that does not parse,
// whether it meant to be a presentation.
func guessKind(data []byte) string {
	if bytes.Contains(data, []byte(`"VerifiablePresentation"`)) || bytes.Contains(data, []byte(`"EnvelopedVerifiablePresentation"`)) {
		return KindPresentation
	}
	return KindCredential
}

// envelopedToken returns the JWT an enveloped credential or presentation
// carries. The envelope itself is not secured: a member besides @context,
// id and type (VCDM 2.0 section 4.13) would be read beside the document as
// if it were part of it, and is refused.
func envelopedToken(env *vc.Envelope, media string) ([]byte, error) {
	if len(env.Extra) > 0 {
		names := make([]string, 0, len(env.Extra))
		for k := range env.Extra {
			names = append(names, k)
		}
		slices.Sort(names)
		return nil, fmt.Errorf("%w: the envelope has %s, which the document it carries does not secure; an envelope has only @context, id and type",
			ErrMalformed, quoteTypes(names))
	}
	u, err := env.DataURL()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if u.MediaType != media {
		return nil, fmt.Errorf("%w: an envelope of media type %q; only %s is supported here", ErrMalformed, u.MediaType, media)
	}
	return u.Data, nil
}

// checkContexts fails closed on a context the verifier does not hold (a URL
// its Loader does not serve; an inline context says what it means), and on
// one an accepted bundle pins to other bytes.
func (v *Verifier) checkContexts(entries vc.Set[vc.ContextEntry], st *state) (string, error) {
	n := 0
	for i, e := range entries.Items {
		if e.URL == "" {
			continue
		}
		n++
		if !v.loader.Serves(e.URL) {
			return "", fmt.Errorf("%w: @context entry %d, %q, is not one this verifier holds, so what the document's terms mean is not known (add it with WithContext if it is to be trusted)", ErrUnknownContext, i, e.URL)
		}
		for _, b := range v.contextPins[e.URL] {
			if st.accepts(b) {
				return "", fmt.Errorf("%w: the trust bundle %s pins %s to another digest than the copy this verifier holds", ErrContextDigest, bundleName(b), e.URL)
			}
		}
	}
	if n == 1 {
		return "its context is one this verifier holds", nil
	}
	return fmt.Sprintf("its %d contexts are all ones this verifier holds", n), nil
}
