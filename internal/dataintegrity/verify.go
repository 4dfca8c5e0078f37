package dataintegrity

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/multiformats/go-multibase"

	"github.com/staffpass/staffpass/internal/jcs"
	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/keys"
)

// KeyFunc returns the public key of a verification method, given the
// proof's verificationMethod and proofPurpose. It is where the caller
// decides whom to trust: it resolves the method (a DID URL) and checks that
// it is listed under the purpose's verification relationship of a
// controller the caller accepts. Its error is returned wrapped in the
// proof's result.
type KeyFunc func(ctx context.Context, verificationMethod, purpose string) (crypto.PublicKey, error)

// VerifyOptions say what Verify accepts. Suites, Key, Now and Purpose are
// required; the zero value of the others skips nothing that was asked for.
type VerifyOptions struct {
	// Suites is the allow-list of cryptosuites. A proof with any other
	// cryptosuite fails with ErrUnsupportedSuite.
	Suites []string
	// Key resolves verification methods.
	Key KeyFunc
	// Loader serves the JSON-LD contexts of the -rdfc- suites; nil means
	// the embedded contexts only.
	Loader *ld.Loader
	// Now is the verification time, for created and expires.
	Now time.Time
	// Purpose is the expected proofPurpose (Data Integrity 1.0 section
	// 4.4 step 5): AssertionMethod for a credential, Authentication for a
	// presentation.
	Purpose string
	// Challenge and Domain, when not empty, must equal the proof's
	// challenge and domain (section 4.4 steps 6 and 7). A proof with a
	// domain set must hold exactly this one domain.
	Challenge, Domain string
	// LowS refuses an ECDSA proofValue whose s is above half the curve
	// order (keys.ErrHighS). Every ECDSA signature (r, s) has a twin
	// (r, n-s), which anyone can make from it and which verifies too;
	// Sign writes only the lower. Off, both are accepted: other
	// implementations write either, and so do three of the six W3C
	// ECDSA test vectors.
	LowS bool
	// CallerJudgesTimes leaves created and expires to the caller, who
	// reads them from the verified Proof: a presentation's freshness,
	// judged against its own policy. Off, a proof created after Now (give
	// or take limits.ProofClockSkew) or expired at Now fails.
	CallerJudgesTimes bool
}

// ProofResult is the outcome for one proof of a document, in document
// order.
type ProofResult struct {
	// Proof is the proof as read, or nil if it could not be read.
	Proof *Proof
	// Err is nil if the proof verified, and otherwise wraps one of the
	// package's errors (or the KeyFunc's).
	Err error
}

// Verify checks every proof of doc (Data Integrity 1.0 sections 4.4
// "Verify Proof" and 4.5 "Verify Proof Sets and Chains") and returns one
// result per proof. The error is nil exactly when every proof verified;
// otherwise it joins the failures, each naming its proof. A document that
// cannot be read, or has no proof, gives no results and ErrInvalidDocument
// or ErrNoProof; bad options give ErrInvalidOptions.
func Verify(ctx context.Context, doc []byte, opts VerifyOptions) ([]ProofResult, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	m, err := decodeDocument(doc)
	if err != nil {
		return nil, err
	}
	v, ok := m[mProof]
	if !ok {
		return nil, ErrNoProof
	}
	all, err := proofList(v)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%w: the proof list is empty", ErrNoProof)
	}
	vr := &verification{
		opts:      &opts,
		all:       all,
		unsecured: withoutProof(m),
		t:         transformer{loader: opts.Loader},
	}
	defer vr.t.release()
	vr.ctx, vr.hasCtx = m[mContext]
	results := make([]ProofResult, len(all))
	for i, e := range all {
		results[i].Proof, results[i].Err = parseProof(e)
	}
	vr.refuseDuplicateIDs(results)
	for i := range results {
		if results[i].Err == nil {
			results[i].Err = vr.verify(ctx, results[i].Proof, all[i].(map[string]any))
		}
	}
	vr.checkChains(results)
	var errs []error
	for i, r := range results {
		if r.Err != nil {
			name := ""
			if r.Proof != nil {
				name = " (" + quote(r.Proof.VerificationMethod) + ")"
			}
			errs = append(errs, fmt.Errorf("proof %d%s: %w", i, name, r.Err))
		}
	}
	return results, errors.Join(errs...)
}

func (o *VerifyOptions) check() error {
	switch {
	case len(o.Suites) == 0:
		return fmt.Errorf("%w: no cryptosuites allowed", ErrInvalidOptions)
	case o.Key == nil:
		return fmt.Errorf("%w: no key function", ErrInvalidOptions)
	case o.Now.IsZero():
		return fmt.Errorf("%w: no verification time", ErrInvalidOptions)
	case o.Purpose == "":
		return fmt.Errorf("%w: no expected proof purpose", ErrInvalidOptions)
	}
	for _, s := range o.Suites {
		if _, ok := lookupSuite(s); !ok {
			return fmt.Errorf("%w: unknown cryptosuite %s in the allow-list", ErrInvalidOptions, quote(s))
		}
	}
	return nil
}

// verification is the state shared by the proofs of one document: the
// document decoded once, and the hashes of its transformed forms, computed
// once per distinct input.
type verification struct {
	opts      *VerifyOptions
	all       []any
	unsecured map[string]any
	ctx       any
	hasCtx    bool
	t         transformer
	cache     []cachedHash
}

// cachedHash is the hash of one transformed document: the unsecured
// document, or it with some previous proofs, under one suite's transform
// and hash, and for -jcs- one @context.
type cachedHash struct {
	jcs      bool
	hash     crypto.Hash
	context  string // RFC 8785 of the proof's @context (-jcs- only)
	previous string // the indices of the previous proofs
	sum      []byte
}

func (vr *verification) refuseDuplicateIDs(results []ProofResult) {
	for i := range results {
		p := results[i].Proof
		if p == nil || p.ID == "" {
			continue
		}
		for j := range i {
			if q := results[j].Proof; q != nil && q.ID == p.ID {
				err := fmt.Errorf("%w: proofs %d and %d have the same id %s", ErrInvalidProof, j, i, quote(p.ID))
				results[i].Err, results[j].Err = err, err
			}
		}
	}
}

// verify checks one proof, p, read from pm.
func (vr *verification) verify(ctx context.Context, p *Proof, pm map[string]any) error {
	o := vr.opts
	s, _ := lookupSuite(p.Cryptosuite)
	if !slices.Contains(o.Suites, s.name) {
		return fmt.Errorf("%w: %s is not on the allow-list", ErrUnsupportedSuite, quote(s.name))
	}
	if p.ProofPurpose != o.Purpose {
		return fmt.Errorf("%w: %s, want %s", ErrPurpose, quote(p.ProofPurpose), quote(o.Purpose))
	}
	if o.Challenge != "" && p.Challenge != o.Challenge {
		return fmt.Errorf("%w: got %s", ErrChallenge, quote(p.Challenge))
	}
	if o.Domain != "" && (len(p.Domain) != 1 || p.Domain[0] != o.Domain) {
		return fmt.Errorf("%w: got %s", ErrDomain, quote(strings.Join(p.Domain, " ")))
	}
	if !o.CallerJudgesTimes && !p.Expires.IsZero() && !o.Now.Before(p.Expires) {
		return fmt.Errorf("%w: expires %s", ErrExpired, p.expiresLexical())
	}
	if !o.CallerJudgesTimes && !p.Created.IsZero() && p.Created.After(o.Now.Add(limits.ProofClockSkew)) {
		return fmt.Errorf("%w: created %s", ErrCreatedInFuture, p.createdLexical())
	}
	sig, err := decodeProofValue(p.ProofValue)
	if err != nil {
		return err
	}

	// The document this proof signs: without proofs, or with the proofs
	// it chains from.
	input, previous := vr.unsecured, ""
	if len(p.PreviousProof) > 0 {
		matching, at, err := matchingProofs(vr.all, p.PreviousProof)
		if err != nil {
			return err
		}
		input = withProofs(vr.unsecured, matching)
		previous = fmt.Sprint(at)
	}
	if _, ok := pm[mContext]; ok && !s.jcs {
		// The -rdfc- suites hash the proof configuration under the
		// document's @context (proofConfig), so the proof's own would
		// be read by nobody the proof binds.
		return fmt.Errorf("%w: the proof has an @context of its own, which %s does not sign", ErrNotBound, s.name)
	}
	config := proofConfig(s, pm, vr.ctx, vr.hasCtx)
	ctxKey := ""
	if s.jcs {
		// Section 3.3.2 step 4: the document's @context must start with
		// the proof's, and the document is hashed under the proof's.
		if pctx, ok := pm[mContext]; ok {
			if err := contextPrefix(pctx, vr.ctx, vr.hasCtx); err != nil {
				return err
			}
			if err := checkContext(pctx, true); err != nil {
				return err
			}
			input = withMember(input, mContext, pctx)
			ctxKey = string(p.Context)
		} else if err := checkContext(vr.ctx, vr.hasCtx); err != nil {
			return err
		}
	}

	pub, err := o.Key(ctx, p.VerificationMethod, p.ProofPurpose)
	if err != nil {
		return fmt.Errorf("dataintegrity: verification method %s: %w", quote(p.VerificationMethod), err)
	}
	fit, err := s.fit(pub)
	if err != nil {
		return err
	}
	if len(sig) != fit.sigLen {
		if s.ecdsa && (len(sig) == 64 || len(sig) == 96) {
			return fmt.Errorf("%w: a %d-byte signature with a key that makes %d-byte ones", ErrKeyType, len(sig), fit.sigLen)
		}
		return fmt.Errorf("%w: proofValue holds %d bytes, want %d", ErrInvalidProof, len(sig), fit.sigLen)
	}

	var hb [2 * 48]byte
	hashData, err := vr.t.configHash(hb[:0], s, config, fit.hash)
	if err != nil {
		return err
	}
	if hashData, err = vr.documentHash(hashData, s, input, fit.hash, ctxKey, previous); err != nil {
		return err
	}
	if err := keys.VerifyP1363(pub, hashData, sig); err != nil {
		if errors.Is(err, keys.ErrInvalidSignature) {
			return fmt.Errorf("%w: %s", ErrSignature, s.name)
		}
		return fmt.Errorf("%w: %w", ErrKeyType, err)
	}
	if o.LowS {
		if err := keys.CheckLowS(pub, sig); err != nil {
			return fmt.Errorf("%w: %w", ErrSignature, err)
		}
	}
	return nil
}

// proofConfig returns the proof configuration a verifier hashes for the
// proof pm: the proof without proofValue (Verify Proof step 2) and, for
// the -rdfc- suites, with the document's @context in place of any the
// proof has (Proof Configuration step 4). The -jcs- suites keep the
// proof's own @context.
func proofConfig(s *suite, pm map[string]any, docCtx any, hasDocCtx bool) map[string]any {
	config := make(map[string]any, len(pm)+1)
	for k, v := range pm {
		if k != mProofValue {
			config[k] = v
		}
	}
	if !s.jcs {
		delete(config, mContext)
		if hasDocCtx {
			config[mContext] = docCtx
		}
	}
	return config
}

// documentHash appends the hash of input to dst, computing it once per
// distinct (transform, hash, @context, previous proofs).
func (vr *verification) documentHash(dst []byte, s *suite, input map[string]any, h crypto.Hash, ctxKey, previous string) ([]byte, error) {
	for _, c := range vr.cache {
		if c.jcs == s.jcs && c.hash == h && c.context == ctxKey && c.previous == previous {
			return append(dst, c.sum...), nil
		}
	}
	n := len(dst)
	dst, err := vr.t.documentHash(dst, s, input, h)
	if err != nil {
		return dst, err
	}
	vr.cache = append(vr.cache, cachedHash{jcs: s.jcs, hash: h, context: ctxKey, previous: previous, sum: bytes.Clone(dst[n:])})
	return dst, nil
}

// checkChains fails every proof whose previous proofs did not all verify
// (section 4.5: a proof with a previousProof counts only if the proofs it
// references do), repeating until nothing changes so that a failure
// travels along a chain.
func (vr *verification) checkChains(results []ProofResult) {
	for changed := true; changed; {
		changed = false
		for i := range results {
			p := results[i].Proof
			if results[i].Err != nil || p == nil || len(p.PreviousProof) == 0 {
				continue
			}
			for _, id := range p.PreviousProof {
				for j := range results {
					if q := results[j].Proof; q != nil && q.ID == id && results[j].Err != nil {
						results[i].Err = fmt.Errorf("%w: proof %d (id %s) did not verify", ErrPreviousProof, j, quote(id))
						changed = true
					}
				}
			}
		}
	}
}

// decodeProofValue decodes a multibase base58btc proofValue.
func decodeProofValue(v string) ([]byte, error) {
	if len(v) > limits.MaxProofValueLength {
		return nil, fmt.Errorf("%w: proofValue is %d characters, more than the limit of %d", ErrInvalidProof, len(v), limits.MaxProofValueLength)
	}
	if v[0] != 'z' {
		return nil, fmt.Errorf("%w: proofValue is not multibase base58btc (prefix %s, want \"z\")", ErrInvalidProof, quote(v[:1]))
	}
	enc, sig, err := multibase.Decode(v)
	if err != nil || enc != multibase.Base58BTC {
		return nil, fmt.Errorf("%w: proofValue is not valid base58btc", ErrInvalidProof)
	}
	return sig, nil
}

// contextPrefix checks that the document's @context starts with the
// proof's, entry by entry (eddsa-jcs-2022 and ecdsa-jcs-2019, Verify Proof
// step 4.1). A single value counts as a list of one.
func contextPrefix(proofCtx, docCtx any, hasDocCtx bool) error {
	if !hasDocCtx {
		return fmt.Errorf("%w: the proof has an @context but the document has none", ErrContext)
	}
	pl, dl := asList(proofCtx), asList(docCtx)
	if len(pl) > len(dl) {
		return fmt.Errorf("%w: the proof's @context has more entries than the document's", ErrContext)
	}
	for i := range pl {
		a, err1 := jcs.Marshal(pl[i])
		b, err2 := jcs.Marshal(dl[i])
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			return fmt.Errorf("%w: @context entry %d of the document differs from the proof's", ErrContext, i)
		}
	}
	return nil
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// withMember returns a shallow copy of m with k set to v.
func withMember(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for mk, mv := range m {
		out[mk] = mv
	}
	out[k] = v
	return out
}
