package verifier

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
	"github.com/staffpass/staffpass/vc"
)

// verifyToken verifies a compact JWS: a vc+jwt, a vp+jwt or a VCDM 1.1
// JWT. want, when set, is the kind the token must be (the kind of the
// envelope it came in).
func (v *Verifier) verifyToken(ctx context.Context, token []byte, st *state, want string) *Result {
	// The header's typ says which kind the token claims to be; Verify then
	// demands exactly that kind. A VCDM 1.1 JWT says it only in its claims:
	// Verify reads either, and its Kind decides.
	kind, jkind := KindCredential, jose.KindCredential
	switch tokenType(token) {
	case "vp+jwt":
		kind, jkind = KindPresentation, jose.KindPresentation
	case "vc+jwt":
	default:
		jkind = jose.KindAny
	}
	if want != "" && kind != want {
		kind, jkind = want, jose.KindCredential
		if want == KindPresentation {
			jkind = jose.KindPresentation
		}
	}
	if st.nested && kind == KindPresentation {
		r := newResult(kind, st.now)
		r.fail(CheckSyntax, fmt.Errorf("%w: a presentation inside a presentation", ErrMalformed))
		r.skipRest(unreadable)
		r.finish()
		return r
	}
	r := newResult(kind, st.now)
	log := &keyLog{}
	res, err := jose.VerifyBytes(ctx, token, jose.VerifyOptions{
		Algorithms: v.algorithms,
		Key:        v.keyFunc("", st.p, log),
		Kind:       jkind,
		LowS:       v.lowS,
	})
	if err != nil {
		switch {
		case errors.Is(err, jose.ErrMalformed), errors.Is(err, jose.ErrTooLarge), errors.Is(err, jose.ErrType),
			errors.Is(err, jose.ErrVCClaim), errors.Is(err, jose.ErrDocument), errors.Is(err, jose.ErrCritical),
			errors.Is(err, jose.ErrClaimConflict):
			r.fail(CheckSyntax, fmt.Errorf("%w: %w", ErrMalformed, err))
			r.skipRest(unreadable)
			r.finish()
			return r
		}
	}
	if res != nil && res.Kind == jose.KindPresentation && kind != KindPresentation {
		if st.nested {
			r.fail(CheckSyntax, fmt.Errorf("%w: a presentation inside a presentation", ErrMalformed))
			r.skipRest(unreadable)
			r.finish()
			return r
		}
		kind = KindPresentation
		r = newResult(kind, st.now)
	}
	// The token was read: describe it, verified or not.
	var cred *vc.Credential
	var pres *vc.Presentation
	if res != nil {
		cred, pres = res.Credential, res.Presentation
	} else {
		cred, pres = unverifiedJWT(token, kind)
	}
	if cred == nil && pres == nil {
		// A VCDM 1.1 JWT's document is rebuilt from its claims only once
		// its signature verifies: report why it did not.
		r.pass(CheckSyntax, "a well-formed JWT")
		r.Format = "jwt"
		r.skip(CheckContexts, "not run: the token's document is read only once its signature verifies")
		v.judgeSecuring(r, err, log, func(string) time.Time { return time.Time{} })
		return done(r)
	}
	legacy := res != nil && res.Legacy
	r.jwt, r.keys = res, log
	r.pass(CheckSyntax, wellFormed(kind, cred, pres))
	if kind == KindCredential {
		r.Format = "vc+jwt"
		if legacy {
			r.Format = "vc-jwt-1.1"
		}
		r.describe(cred)
		if !v.contextsOK(r, cred.Context, cred.RelatedResource.Items, st) {
			return done(r)
		}
	} else {
		r.Format = "vp+jwt"
		if legacy {
			r.Format = "vp-jwt-1.1"
		}
		r.describePresentation(pres)
		if !v.contextsOK(r, pres.Context, nil, st) {
			return done(r)
		}
	}
	var issuedAt time.Time
	if res != nil {
		issuedAt = res.IssuedAt
	}
	if !v.judgeSecuring(r, err, log, func(string) time.Time {
		if !issuedAt.IsZero() || cred == nil {
			return issuedAt
		}
		from, _, _ := cred.ValidityPeriod()
		return from
	}) {
		if kind == KindPresentation {
			v.presentedCredentials(ctx, r, st, presentedJWT(res, token))
		}
		return done(r)
	}
	if kind == KindCredential {
		v.judgeCredential(ctx, r, cred, res.Payload, res, log, st)
		return done(r)
	}
	v.judgePresentation(r, st, presentationBinding{
		challenge: []string{res.Nonce},
		domains:   [][]string{res.Audience},
		made:      []time.Time{res.IssuedAt},
		notBefore: res.NotBefore,
		expires:   []time.Time{res.Expires},
	})
	v.presentedCredentials(ctx, r, st, presentedJWT(res, token))
	v.judgeHolderBinding(r)
	return done(r)
}

// tokenType is the typ of a compact JWS's protected header, lower-case
// and without "application/", or "" when it has none or cannot be read.
// It only chooses which kind jose.Verify demands, which reads the header
// again and refuses a token that is not that kind.
func tokenType(token []byte) string {
	dot := bytes.IndexByte(token, '.')
	if dot <= 0 || dot > 4*limits.MaxJWSHeaderBytes/3+4 {
		return ""
	}
	header := make([]byte, base64.RawURLEncoding.DecodedLen(dot))
	n, err := base64.RawURLEncoding.Decode(header, token[:dot])
	if err != nil {
		return ""
	}
	t, err := strictjson.Parse(header[:n], limits.MaxJWSHeaderBytes)
	if err != nil {
		return ""
	}
	defer t.Release()
	v := t.Member(strictjson.Root, "typ")
	if v == strictjson.None {
		return ""
	}
	typ, _ := t.String(v)
	return strings.TrimPrefix(strings.ToLower(typ), "application/")
}

// unverifiedJWT reads the document of a token that did not verify, for the
// Result's description; nil if it cannot be read.
func unverifiedJWT(token []byte, kind string) (*vc.Credential, *vc.Presentation) {
	u, err := jose.ParseUnverified(string(token))
	if err != nil {
		return nil, nil
	}
	if kind == KindPresentation {
		p, err := vc.ParsePresentation(u.Payload)
		if err != nil {
			return nil, nil
		}
		return nil, p
	}
	c, err := vc.Parse(u.Payload)
	if err != nil {
		return nil, nil
	}
	return c, nil
}

// done finishes r and returns it.
func done(r *Result) *Result {
	r.finish()
	return r
}

// contextsOK runs the contexts check; when it fails, nothing after it can
// be trusted to mean what it says, and every later check is skipped.
func (v *Verifier) contextsOK(r *Result, entries vc.Set[vc.ContextEntry], related []vc.RelatedResource, st *state) bool {
	note, err := v.checkContexts(entries, st)
	if err == nil {
		err = v.checkRelated(related)
	}
	r.record(CheckContexts, err, note)
	if err != nil {
		r.skipRest("not run: what the document's terms mean is not known")
		return false
	}
	return true
}

// checkRelated checks the digests of a credential's related resources
// that are contexts the verifier holds (ErrContextDigest); the verifier
// fetches nothing, so the others are left to whoever retrieves them.
func (v *Verifier) checkRelated(related []vc.RelatedResource) error {
	for _, rr := range related {
		doc, ok := v.heldContext(rr.ID)
		if !ok {
			continue
		}
		if err := rr.CheckContent(doc); err != nil {
			return fmt.Errorf("%w: relatedResource %s: %w", ErrContextDigest, rr.ID, err)
		}
	}
	return nil
}

// judgeSecuring turns what verifying the signature gave (err, and the
// methods looked up in log) into the proof and verification-method checks.
// signedAt gives the time a method's signature claims (for retired keys).
// It reports whether both passed; if not, the checks that read what the
// document says are skipped.
func (v *Verifier) judgeSecuring(r *Result, err error, log *keyLog, signedAt func(method string) time.Time) bool {
	keyFailed := false
	for _, u := range log.uses {
		if u.err != nil {
			keyFailed = true
		}
	}
	switch {
	case err == nil:
		r.pass(CheckProof, proofNote(r))
		note, merr := checkMethods(log, signedAt)
		r.record(CheckVerificationMethod, merr, note)
	case keyFailed || errors.Is(err, jose.ErrKeyID) || errors.Is(err, jose.ErrKey) || errors.Is(err, jose.ErrIssuerMismatch):
		_, merr := checkMethods(log, signedAt)
		if merr == nil || len(log.uses) == 0 {
			merr = fmt.Errorf("%w: %w", ErrIssuerKey, err)
		}
		r.fail(CheckVerificationMethod, merr)
		r.skip(CheckProof, "not run: no key of the signer to check the signature with (see verification-method)")
	case errors.Is(err, dataintegrity.ErrNotBound):
		r.fail(CheckProof, fmt.Errorf("%w: %w", ErrNotBound, err))
		r.skip(CheckVerificationMethod, "not judged: the proof does not bind what the document shows")
	default:
		r.fail(CheckProof, fmt.Errorf("%w: %w", ErrProof, err))
		r.skip(CheckVerificationMethod, "not judged: the signature does not verify")
	}
	if r.passed(CheckProof) && r.passed(CheckVerificationMethod) {
		return true
	}
	r.skipRest(notJudged)
	return false
}

// wellFormed says what the syntax check found.
func wellFormed(kind string, c *vc.Credential, p *vc.Presentation) string {
	v := vc.V2
	switch {
	case c != nil:
		v = c.Version()
	case p != nil:
		v = p.Version()
	}
	return fmt.Sprintf("a well-formed %s of the VC Data Model %s", kind, v)
}

func proofNote(r *Result) string {
	if suite, ok := strings.CutPrefix(r.Format, "data-integrity/"); ok {
		return "the " + suite + " proof verifies"
	}
	return "the " + r.Format + " signature verifies"
}

// verifyCredentialJSON verifies a credential secured with Data Integrity
// proofs (or not secured at all).
func (v *Verifier) verifyCredentialJSON(ctx context.Context, data []byte, cred *vc.Credential, st *state) *Result {
	r := newResult(KindCredential, st.now)
	r.pass(CheckSyntax, wellFormed(KindCredential, cred, nil))
	r.describe(cred)
	if !v.contextsOK(r, cred.Context, cred.RelatedResource.Items, st) {
		return done(r)
	}
	results, err, log := v.verifyProofs(ctx, r, data, cred.Proof.Len(), cred.Issuer.ID, dataintegrity.AssertionMethod, st)
	if err == errUnsecured {
		return done(r)
	}
	if !v.judgeSecuring(r, err, log, createdBy(results)) {
		return done(r)
	}
	r.keys = log
	for _, res := range results {
		if e := res.Proof.Expires; !e.IsZero() && (r.proofExpires.IsZero() || e.Before(r.proofExpires)) {
			r.proofExpires = e
		}
		if c := res.Proof.Created; c.After(r.proofCreated) {
			r.proofCreated = c
		}
	}
	v.judgeCredential(ctx, r, cred, data, nil, log, st)
	return done(r)
}

var errUnsecured = errors.New("unsecured")

// verifyProofs verifies the Data Integrity proofs of a document whose
// proofs' methods must belong to controller, under purpose. It returns
// errUnsecured, having failed the proof check, when there is nothing to
// verify.
func (v *Verifier) verifyProofs(ctx context.Context, r *Result, data []byte, nProofs int, controller, purpose string, st *state) ([]dataintegrity.ProofResult, error, *keyLog) {
	log := &keyLog{}
	if nProofs == 0 {
		r.Format = "none"
		r.fail(CheckProof, fmt.Errorf("%w: the %s has no proof (it is unsecured)", ErrProof, r.Kind))
		r.skipRest(notJudged)
		return nil, errUnsecured, log
	}
	if len(v.suites) == 0 {
		r.Format = "data-integrity"
		r.fail(CheckProof, fmt.Errorf("%w: Data Integrity proofs are not accepted by this verifier", ErrProof))
		r.skipRest(notJudged)
		return nil, errUnsecured, log
	}
	if controller == "" {
		// Nobody's key may sign for a document that names no issuer
		// (holder): no DID URL belongs to the empty DID.
		controller = "did:none:nobody"
	}
	results, err := dataintegrity.Verify(ctx, data, dataintegrity.VerifyOptions{
		Suites:  v.suites,
		Key:     v.keyFunc(controller, st.p, log),
		Loader:  v.loader,
		Now:     st.now,
		Purpose: purpose,
		LowS:    v.lowS,
		// A presentation's freshness check judges its proof's times, and
		// the status check a status list's, at each use.
		CallerJudgesTimes: purpose == dataintegrity.Authentication || st.statusList,
	})
	r.Format = "data-integrity"
	if len(results) > 0 && results[0].Proof != nil && results[0].Proof.Cryptosuite != "" {
		r.Format += "/" + results[0].Proof.Cryptosuite
	}
	if err != nil && (errors.Is(err, errNotIssuersKey) || errors.Is(err, did.ErrNotFound) || errors.Is(err, did.ErrNotAuthorized)) && len(log.uses) == 0 {
		log.uses = append(log.uses, methodUse{err: err})
	}
	return results, err, log
}

// createdBy returns, for a method, when the proofs it signed say they were
// made: the latest created among them, or zero when one says nothing (a
// retired key's signature must say it was made before the retirement, and
// every one of them must).
func createdBy(results []dataintegrity.ProofResult) func(string) time.Time {
	return func(method string) time.Time {
		var latest time.Time
		for _, res := range results {
			if res.Proof == nil || res.Proof.VerificationMethod != method {
				continue
			}
			if res.Proof.Created.IsZero() {
				return time.Time{}
			}
			if res.Proof.Created.After(latest) {
				latest = res.Proof.Created
			}
		}
		return latest
	}
}

// judgeCredential runs the checks that read what a verified credential
// says: schema, issuer trust, validity period and status. payload is the
// JSON the schema is checked on; jwt is set for a vc+jwt.
func (v *Verifier) judgeCredential(ctx context.Context, r *Result, cred *vc.Credential, payload []byte, jwt *jose.Verified, log *keyLog, st *state) {
	if st.statusList {
		// A status list is judged by the status check of the credential
		// that points at it: its issuer, its validity.
		r.skipRest("not judged here: a status list is judged where it is used")
		return
	}
	note, err := v.checkSchema(cred, payload, st)
	r.record(CheckSchema, err, note)
	note, err = v.checkIssuerTrust(cred, st, log)
	r.record(CheckIssuerTrust, err, note)
	err = v.checkValidity(cred, jwt, st.now)
	r.record(CheckValidityPeriod, err, validityNote(r))
	v.checkStatus(ctx, r, cred, st)
}

// anyDIDKeyTrusts reports whether, in conformance mode
// (Trust.AnyDIDKeyIssuerUnsafe), issuer is a did:key whose own keys (from
// the Resolver) signed.
func (v *Verifier) anyDIDKeyTrusts(issuer string, log *keyLog) bool {
	return v.anyDIDKey && strings.HasPrefix(issuer, "did:key:") && len(log.uses) > 0 &&
		!slices.ContainsFunc(log.uses, func(u methodUse) bool { return !u.direct })
}

func validityNote(r *Result) string {
	switch {
	case r.ValidFrom.IsZero() && r.ValidUntil.IsZero():
		return "the credential states no validity period"
	case r.ValidUntil.IsZero():
		return "valid from " + stamp(r.ValidFrom)
	case r.ValidFrom.IsZero():
		return "valid until " + stamp(r.ValidUntil)
	}
	return "valid from " + stamp(r.ValidFrom) + " until " + stamp(r.ValidUntil)
}

// checkIssuerTrust judges the issuer for every type the credential has
// (besides VerifiableCredential). An issuer trusted directly is trusted for
// any type when the key it signed with came from the Resolver. Otherwise
// the trust comes from the accepted bundles that vouch for the key it
// signed with (log): the union of the types they list it for, and a bundle
// that does not hold that key lends nothing, so that one publisher's copy
// of an issuer's DID document never signs for the types another publisher
// trusts it for.
func (v *Verifier) checkIssuerTrust(cred *vc.Credential, st *state, log *keyLog) (string, error) {
	id := cred.Issuer.ID
	t := v.issuers[id]
	if t == nil && v.anyDIDKeyTrusts(id, log) {
		return fmt.Sprintf("%s is trusted only because this verifier trusts any did:key issuer (conformance mode)", id), nil
	}
	if t == nil {
		return "", fmt.Errorf("%w: %s is not a trusted issuer (no accepted trust bundle lists it, and it is not trusted directly)", ErrUntrustedIssuer, id)
	}
	var need []string
	for _, typ := range cred.Type.Items {
		if typ != vc.TypeCredential {
			need = append(need, typ)
		}
	}
	var ls []*listing
	direct := false
	for i, u := range log.uses {
		switch {
		case u.direct:
			direct = true
		case i == 0:
			ls = slices.Clone(u.vouchers)
		default:
			ls = slices.DeleteFunc(ls, func(l *listing) bool { return !slices.Contains(u.vouchers, l) })
		}
	}
	if direct {
		if t.direct {
			return fmt.Sprintf("%s is trusted directly, for any type", id), nil
		}
		if len(t.listings) > 0 {
			return "", fmt.Errorf("%w: %s is listed only by trust bundles this policy does not accept", ErrUntrustedIssuer, id)
		}
		return "", fmt.Errorf("%w: %s is not a trusted issuer", ErrUntrustedIssuer, id)
	}
	if len(ls) == 0 {
		return "", fmt.Errorf("%w: no accepted trust bundle holds every key %s signed this credential with", ErrUntrustedIssuer, id)
	}
	if len(need) == 0 {
		return "", fmt.Errorf("%w: the credential has no type but %s, and %s is trusted only for %s", ErrUntrustedIssuer, vc.TypeCredential, id, quoteTypes(typesOf(ls)))
	}
	covered := func(ls []*listing) []string {
		var missing []string
		for _, typ := range need {
			if !slices.ContainsFunc(ls, func(l *listing) bool { return l.types[typ] }) {
				missing = append(missing, typ)
			}
		}
		return missing
	}
	if missing := covered(ls); len(missing) > 0 {
		return "", fmt.Errorf("%w: %s is trusted for %s, not for %s, by the trust bundles that hold the key it signed with", ErrUntrustedIssuer, id, quoteTypes(typesOf(ls)), quoteTypes(missing))
	}
	var fresh, stale []*listing
	for _, l := range ls {
		if l.b.Stale(st.now) {
			stale = append(stale, l)
		} else {
			fresh = append(fresh, l)
		}
	}
	if len(fresh) > 0 && len(covered(fresh)) == 0 {
		return fmt.Sprintf("%s is trusted for %s by the trust bundle %s", id, quoteTypes(need), bundleName(fresh[0].b)), nil
	}
	b := stale[0].b
	if !st.p.AcceptStaleStatus {
		return "", fmt.Errorf("%w: %s is trusted for %s, with the key it signed with, only by the trust bundle %s, valid until %s, before the verification time %s (get a new bundle, or accept stale status)",
			ErrStaleBundle, id, quoteTypes(need), bundleName(b), stamp(b.ValidUntil), stamp(st.now))
	}
	return fmt.Sprintf("%s is trusted for %s by the trust bundle %s, STALE since %s, accepted as the policy allows", id, quoteTypes(need), bundleName(b), stamp(b.ValidUntil)), nil
}

func typesOf(ls []*listing) []string {
	var out []string
	for _, l := range ls {
		for _, t := range l.is.Types {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return out
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

// describe copies what the Result reports about a credential.
func (r *Result) describe(c *vc.Credential) {
	r.ID = c.ID
	r.Issuer = c.Issuer.ID
	r.Types = slices.Clone(c.Type.Items)
	r.Subjects = c.SubjectIDs()
	r.ValidFrom, r.ValidUntil, _ = c.ValidityPeriod() // zero when malformed; the validity check then fails
	r.Credential = c
}

// describePresentation copies what the Result reports about a
// presentation.
func (r *Result) describePresentation(p *vc.Presentation) {
	r.ID = p.ID
	r.Types = slices.Clone(p.Type.Items)
	if p.Holder != nil {
		r.Holder = p.Holder.ID
	}
	r.Presentation = p
}
