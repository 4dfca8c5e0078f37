package dataintegrity

import (
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/multiformats/go-multibase"

	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/keys"
)

// SignOptions are the proof options of Sign (Data Integrity 1.0 section
// 2.1). Suite, Signer, Purpose and Created are required.
type SignOptions struct {
	// Suite is the cryptosuite: EdDSARDFC2022, EdDSAJCS2022 (Ed25519
	// keys), ECDSARDFC2019 or ECDSAJCS2019 (P-256 or P-384 keys).
	Suite string
	// Signer signs; its KeyID is the proof's verificationMethod.
	Signer keys.Signer
	// Purpose is the proofPurpose: AssertionMethod for credentials,
	// Authentication for presentations, or another by name.
	Purpose string
	// Created is the proof's creation time, written in UTC to the second.
	Created time.Time
	// Expires, if not zero, is when the proof stops being valid.
	Expires time.Time
	// Challenge, Domain and Nonce, if not empty, bind the proof to a
	// verifier's request (a presentation's challenge and domain).
	Challenge, Domain, Nonce string
	// ID, if not empty, is the proof's id, which later proofs of a chain
	// name in their previousProof.
	ID string
	// PreviousProof, if not empty, lists the ids of proofs already on the
	// document that this proof chains from (one id is written as a
	// string, several as an array).
	PreviousProof []string
}

// Sign adds a DataIntegrityProof to doc, a JSON object, and returns the
// secured document: doc's bytes with the proof added to its proof member
// (Data Integrity 1.0 sections 4.2 "Add Proof" and 4.3 "Add Proof
// Set/Chain"). A document that already has proofs gets a proof set; with
// PreviousProof the new proof signs the document together with the named
// proofs. l serves the JSON-LD contexts of the -rdfc- suites (nil means
// the embedded ones); the -jcs- suites do not use it.
//
// The document's @context must define DataIntegrityProof (see the package
// documentation); Sign refuses with ErrContext rather than adding a
// context to what the issuer wrote.
func Sign(doc []byte, opts SignOptions, l *ld.Loader) ([]byte, error) {
	s, fit, err := opts.check()
	if err != nil {
		return nil, err
	}
	m, err := decodeDocument(doc)
	if err != nil {
		return nil, err
	}
	var all []any
	if v, ok := m[mProof]; ok {
		if all, err = proofList(v); err != nil {
			return nil, err
		}
		if len(all)+1 > limits.MaxProofs {
			return nil, fmt.Errorf("%w: the document already has %d proofs, the limit is %d", ErrInvalidProof, len(all), limits.MaxProofs)
		}
		for i, e := range all {
			p, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%w: proof %d is a JSON %s, not an object", ErrInvalidProof, i, jsonKind(e))
			}
			if opts.ID != "" && p[mID] == opts.ID {
				return nil, fmt.Errorf("%w: the document already has a proof with id %s", ErrInvalidOptions, quote(opts.ID))
			}
		}
	}
	ctx, hasCtx := m[mContext]
	if err := checkContext(ctx, hasCtx); err != nil {
		return nil, err
	}
	unsecured := withoutProof(m)
	input := unsecured
	if len(opts.PreviousProof) > 0 {
		matching, _, err := matchingProofs(all, opts.PreviousProof)
		if err != nil {
			return nil, err
		}
		input = withProofs(unsecured, matching)
	}

	p := &Proof{
		Type:               ProofType,
		ID:                 opts.ID,
		Cryptosuite:        s.name,
		Created:            opts.Created.UTC().Truncate(time.Second),
		VerificationMethod: opts.Signer.KeyID(),
		ProofPurpose:       opts.Purpose,
		Challenge:          opts.Challenge,
		Nonce:              opts.Nonce,
		PreviousProof:      opts.PreviousProof,
		previousProofList:  len(opts.PreviousProof) > 1,
	}
	if !opts.Expires.IsZero() {
		p.Expires = opts.Expires.UTC().Truncate(time.Second)
	}
	if opts.Domain != "" {
		p.Domain = []string{opts.Domain}
	}
	config, err := p.configMembers()
	if err != nil {
		return nil, err
	}
	if hasCtx {
		// -rdfc-: the proof configuration's @context is the document's
		// (section 3.2.5 step 4). -jcs-: the proof itself carries it
		// (section 3.3.1 step 2).
		config[mContext] = ctx
		if s.jcs {
			if p.Context, err = rawMember(mContext, ctx); err != nil {
				return nil, err
			}
		}
	}

	t := &transformer{loader: l}
	defer t.release()
	var hb [2 * 48]byte
	hashData, err := t.configHash(hb[:0], s, config, fit.hash)
	if err != nil {
		return nil, err
	}
	if hashData, err = t.documentHash(hashData, s, input, fit.hash); err != nil {
		return nil, err
	}
	sig, err := keys.SignP1363(opts.Signer, hashData)
	if err != nil {
		return nil, fmt.Errorf("dataintegrity: signing: %w", err)
	}
	if p.ProofValue, err = multibase.Encode(multibase.Base58BTC, sig); err != nil {
		return nil, fmt.Errorf("dataintegrity: encoding the signature: %w", err)
	}
	proofJSON, err := p.appendJSON(nil, true)
	if err != nil {
		return nil, err
	}
	return addProof(doc, proofJSON)
}

// check validates the options and returns the suite and what the
// signer's key implies for it.
func (o *SignOptions) check() (*suite, keyFit, error) {
	s, ok := lookupSuite(o.Suite)
	if !ok {
		return nil, keyFit{}, fmt.Errorf("%w: unknown cryptosuite %s", ErrInvalidOptions, quote(o.Suite))
	}
	fit, err := s.signerFit(o.Signer)
	if err != nil {
		return nil, keyFit{}, err
	}
	switch {
	case !isURL(o.Signer.KeyID()):
		return nil, keyFit{}, fmt.Errorf("%w: the signer's key id %s is not a URL (a verification method)", ErrInvalidOptions, quote(o.Signer.KeyID()))
	case o.Purpose == "":
		return nil, keyFit{}, fmt.Errorf("%w: no proof purpose", ErrInvalidOptions)
	case o.Created.IsZero():
		return nil, keyFit{}, fmt.Errorf("%w: no created time", ErrInvalidOptions)
	case !o.Expires.IsZero() && !o.Expires.After(o.Created):
		return nil, keyFit{}, fmt.Errorf("%w: expires is not after created", ErrInvalidOptions)
	}
	for _, year := range []int{o.Created.UTC().Year(), o.Expires.UTC().Year()} {
		if year < 0 || year > 9999 {
			return nil, keyFit{}, fmt.Errorf("%w: a time outside the years 0000 to 9999", ErrInvalidOptions)
		}
	}
	for i, id := range o.PreviousProof {
		if id == "" {
			return nil, keyFit{}, fmt.Errorf("%w: previousProof %d is empty", ErrInvalidOptions, i)
		}
	}
	return s, fit, nil
}

// isURL reports whether s is an absolute URL such as a DID URL, as a
// verificationMethod must be (Data Integrity 1.0 section 2.1).
func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Opaque+u.Host+u.Path != ""
}

// matchingProofs returns the proofs of all whose id is one of ids, in the
// order of all, and their positions (Data Integrity 1.0 section 4.3 steps
// 4 and 5, section 4.5 step 3.2). Every id must name a proof.
func matchingProofs(all []any, ids []string) ([]any, []int, error) {
	for _, id := range ids {
		if !slices.ContainsFunc(all, func(e any) bool { return proofID(e) == id }) {
			return nil, nil, fmt.Errorf("%w: no proof has id %s", ErrPreviousProof, quote(id))
		}
	}
	var out []any
	var at []int
	for i, e := range all {
		if id := proofID(e); id != "" && slices.Contains(ids, id) {
			out = append(out, e)
			at = append(at, i)
		}
	}
	return out, at, nil
}

// proofID returns the id of a decoded proof, or "".
func proofID(e any) string {
	p, _ := e.(map[string]any)
	id, _ := p[mID].(string)
	return id
}
