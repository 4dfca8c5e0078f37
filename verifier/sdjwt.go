package verifier

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	didjwk "github.com/staffpass/staffpass/did/jwk"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/vc"
)

// SD-JWT VC (draft-ietf-oauth-sd-jwt-vc, on RFC 9901)
//
// An SD-JWT VC is judged with the checks of any credential: its
// Issuer-signed JWT (typ dc+sd-jwt, or vc+sd-jwt as earlier drafts wrote
// it) signed by a key its iss, a DID, lists under assertionMethod; the
// Disclosures against its digests; the issuer trusted for its vct as for a
// credential type; nbf and exp; and its status. It names no JSON-LD context
// and no JSON Schema. The claims SD-JWT VC section 3.2.2.2 says are never
// selectively disclosable (iss, vct, nbf, exp, cnf, status) are refused
// when a Disclosure gives them. Its subject is the holder its cnf.jwk binds,
// named by that key's did:jwk (its sub only when it binds no key).
//
// With a Key Binding JWT it is a presentation by that holder: the
// Key Binding JWT's signature (with the cnf key), nonce (the challenge), aud
// (the domain) and iat (freshness) are the presentation's checks, and the
// SD-JWT VC its one credential.

// Formats of SD-JWT results.
const (
	FormatSDJWTVC   = "dc+sd-jwt"
	FormatSDJWTVCKB = "dc+sd-jwt+kb"
)

// neverDisclosable are the claims SD-JWT VC section 3.2.2.2 forbids to be
// selectively disclosable.
var neverDisclosable = []string{"iss", "vct", "nbf", "exp", "cnf", "status", "vct#integrity"}

// isSDJWT tells an SD-JWT (a compact JWS followed by ~) from the other
// token forms.
func isSDJWT(data []byte) bool {
	s := string(data)
	i := strings.IndexByte(s, '~')
	return i > 0 && strings.Count(s[:i], ".") == 2
}

func (v *Verifier) verifySDJWT(ctx context.Context, data []byte, st *state) *Result {
	c, err := sdjwt.Split(string(data))
	if err == nil && st.statusList {
		err = errors.New("an SD-JWT is not a status list credential")
	}
	if err != nil {
		r := newResult(KindCredential, st.now)
		r.Format = FormatSDJWTVC
		r.fail(CheckSyntax, fmt.Errorf("%w: %w", ErrMalformed, err))
		r.skipRest(unreadable)
		return done(r)
	}
	if c.KeyBinding == "" && (!st.p.RequireKeyBinding || st.nested) {
		cr, _ := v.verifySDJWTCredential(ctx, c, st)
		return cr
	}
	r := newResult(KindPresentation, st.now)
	r.Format = FormatSDJWTVCKB
	if st.nested {
		r.fail(CheckSyntax, fmt.Errorf("%w: a presentation inside a presentation", ErrMalformed))
		r.skipRest(unreadable)
		return done(r)
	}
	nested := *st
	nested.nested = true
	bare := *c
	bare.KeyBinding = ""
	cr, holderKey := v.verifySDJWTCredential(ctx, &bare, &nested)
	r.Credentials = []*Result{cr}
	r.pass(CheckContexts, "an SD-JWT names no JSON-LD context")
	credentialsCheck(r)
	if c.KeyBinding == "" {
		r.pass(CheckSyntax, "a well-formed SD-JWT, without a Key Binding JWT")
		r.fail(CheckProof, fmt.Errorf("%w: the SD-JWT VC is shown without a Key Binding JWT, and this policy requires one: nothing shows that its holder presents it", ErrHolderBinding))
		r.skipRest(notJudged)
		return done(r)
	}
	r.pass(CheckSyntax, "a well-formed SD-JWT with a Key Binding JWT")
	if holderKey == nil {
		reason := "the credential binds no holder key (cnf.jwk)"
		if !cr.passed(CheckProof) || !cr.passed(CheckVerificationMethod) {
			reason = "its credential's signature did not verify, so the key it binds is not known"
		}
		r.fail(CheckVerificationMethod, fmt.Errorf("%w: %s", ErrHolderBinding, reason))
		r.skip(CheckProof, "not run: no key to check the Key Binding JWT with (see verification-method)")
		r.skipRest(notJudged)
		return done(r)
	}
	holder, err := didjwk.New(holderKey)
	if err == nil {
		r.Holder = holder.String()
	}
	kb, err := sdjwt.VerifyKeyBinding(c, holderKey, v.algorithms, v.lowS)
	if err != nil {
		r.fail(CheckProof, fmt.Errorf("%w: %w", ErrProof, err))
		r.skip(CheckVerificationMethod, "not judged: the Key Binding JWT does not verify")
		r.skipRest(notJudged)
		return done(r)
	}
	r.pass(CheckProof, "the Key Binding JWT's signature verifies, and its sd_hash is that of what was presented")
	r.pass(CheckVerificationMethod, "signed with the key the credential binds (cnf.jwk)")
	v.judgePresentation(r, st, presentationBinding{
		challenge: []string{kb.Nonce},
		domains:   [][]string{{kb.Audience}},
		made:      []time.Time{kb.IssuedAt},
	})
	v.judgeHolderBinding(r)
	return done(r)
}

// credentialsCheck runs the credentials check of an SD-JWT+KB from its one
// credential's Result.
func credentialsCheck(r *Result) {
	cr := r.Credentials[0]
	if cr.Verified {
		r.pass(CheckCredentials, "every credential verified (1)")
		return
	}
	main := fmt.Errorf("%w: credential 1 (%s)", ErrCredential, cr.Summary())
	r.set(CheckCredentials, Failed, reasonOf(main), errors.Join(main, cr.Err()))
}

// verifySDJWTCredential verifies the SD-JWT VC c (without a Key Binding
// JWT) and returns its Result and, when its signature and key verified,
// the holder key its cnf binds.
func (v *Verifier) verifySDJWTCredential(ctx context.Context, c *sdjwt.Compact, st *state) (*Result, crypto.PublicKey) {
	r := newResult(KindCredential, st.now)
	r.Format = FormatSDJWTVC
	claims, iss, vct, err := readSDJWTVC(c)
	if err != nil {
		r.fail(CheckSyntax, fmt.Errorf("%w: %w", ErrMalformed, err))
		r.skipRest(unreadable)
		return done(r), nil
	}
	r.Issuer, r.Types = iss, []string{vct}
	if id, ok := claims["jti"].(string); ok {
		r.ID = id
	}
	r.pass(CheckSyntax, "a well-formed SD-JWT VC of type "+vct)
	r.pass(CheckContexts, "an SD-JWT VC names no JSON-LD context")
	log := &keyLog{}
	keyOf := v.keyFunc(iss, st.p, log)
	ver, err := sdjwt.Verify(ctx, c.String(), sdjwt.VerifyOptions{
		Types:      []string{sdjwt.TypeSDJWTVC, sdjwt.TypeSDJWTVCLegacy},
		Algorithms: v.algorithms,
		LowS:       v.lowS,
		IssuerKey: func(ctx context.Context, kid string, _ map[string]any) (crypto.PublicKey, error) {
			return keyOf(ctx, kid, "assertionMethod")
		},
	})
	iat := numericDate(claims["iat"])
	if !v.judgeSecuring(r, err, log, func(string) time.Time { return iat }) {
		return done(r), nil
	}
	r.pass(CheckProof, "the issuer's signature verifies, and each Disclosure answers one of its digests")
	r.Disclosed = ver.Disclosed
	if len(ver.Withheld) > 0 {
		r.Withheld = ver.Withheld
	}
	r.SDJWTClaims = ver.Claims
	if ver.HolderKey != nil {
		if h, err := didjwk.New(ver.HolderKey); err == nil {
			r.Subjects = append(r.Subjects, h.String())
		}
	}
	// A credential that binds a key is about that key's holder only: its
	// sub is a claim, and holder binding goes through the key.
	if sub, ok := ver.Claims["sub"].(string); ok && ver.HolderKey == nil {
		r.Subjects = append(r.Subjects, sub)
	}
	if st.statusList {
		r.skipRest("not judged here: a status list is judged where it is used")
		return done(r), nil
	}
	r.pass(CheckSchema, "an SD-JWT VC names no JSON Schema (the type metadata of its vct is not fetched: verification is offline)")
	// Trust and validity are judged as for a credential of type vct.
	synthetic := &vc.Credential{Issuer: vc.Issuer{ID: iss}, Type: vc.Set[string]{Items: []string{vc.TypeCredential, vct}}}
	note, err := v.checkIssuerTrust(synthetic, st, log)
	r.record(CheckIssuerTrust, err, note)
	nbf, exp := numericDate(claims["nbf"]), numericDate(claims["exp"])
	r.ValidFrom, r.ValidUntil = nbf, exp
	if r.ValidFrom.IsZero() {
		r.ValidFrom = iat
	}
	err = v.checkValidity(synthetic, &jose.Verified{NotBefore: nbf, Expires: exp}, st.now)
	if err == nil && nbf.IsZero() && !iat.IsZero() && st.now.Add(v.skew).Before(iat) {
		// Without nbf, the credential is valid from when it was issued.
		err = fmt.Errorf("%w: iat is %s, after the verification time %s", ErrNotYetValid, stamp(iat), stamp(st.now))
	}
	r.record(CheckValidityPeriod, err, validityNote(r))
	if sc, ok := claims["status"]; ok {
		v.checkTokenStatus(ctx, r, iss, sc, st)
	} else {
		r.pass(CheckStatus, "the credential has no status: its issuer cannot revoke it")
	}
	return done(r), ver.HolderKey
}

// readSDJWTVC reads, without verifying, what the syntax check judges: the
// processed claims, iss (a DID: staffpass finds keys through DIDs, not JWT
// VC Issuer Metadata) and vct; and refuses a Disclosure of a claim that may
// never be selectively disclosable.
func readSDJWTVC(c *sdjwt.Compact) (map[string]any, string, string, error) {
	u, err := jose.ParseUnverified(c.JWT)
	if err != nil {
		return nil, "", "", err
	}
	typ := strings.TrimPrefix(strings.ToLower(u.Header.Typ), "application/")
	if typ != sdjwt.TypeSDJWTVC && typ != sdjwt.TypeSDJWTVCLegacy {
		return nil, "", "", fmt.Errorf("typ %q: an SD-JWT VC is typ %s (or %s)", u.Header.Typ, sdjwt.TypeSDJWTVC, sdjwt.TypeSDJWTVCLegacy)
	}
	var payload map[string]any
	dec := json.NewDecoder(strings.NewReader(string(u.Payload)))
	dec.UseNumber()
	if err := dec.Decode(&payload); err != nil || payload == nil {
		return nil, "", "", errors.New("the payload is not a JSON object")
	}
	claims, paths, err := sdjwt.Process(payload, slices.Clone(c.Disclosures))
	if err != nil {
		return nil, "", "", err
	}
	for _, p := range paths {
		if name := strings.TrimPrefix(p, "/"); slices.Contains(neverDisclosable, name) {
			return nil, "", "", fmt.Errorf("the claim %s is selectively disclosable, which SD-JWT VC forbids", name)
		}
	}
	iss, _ := claims["iss"].(string)
	vct, _ := claims["vct"].(string)
	switch {
	case vct == "":
		return nil, "", "", errors.New("no vct (the credential's type), or not a string")
	case iss == "":
		return nil, "", "", errors.New("no iss, or not a string")
	case !strings.HasPrefix(iss, "did:"):
		return nil, "", "", fmt.Errorf("iss %q is not a DID: staffpass finds an issuer's keys through its DID document, and does not fetch JWT VC Issuer Metadata", iss)
	}
	for _, name := range []string{"iat", "nbf", "exp"} {
		if v, ok := claims[name]; ok {
			if _, ok := v.(json.Number); !ok {
				return nil, "", "", fmt.Errorf("%s is not a NumericDate", name)
			}
			if numericDate(v).IsZero() {
				return nil, "", "", fmt.Errorf("%s is not a whole number of seconds between 1970 and the year 9999", name)
			}
		}
	}
	if cnf, ok := claims["cnf"]; ok {
		if _, err := sdjwt.CnfKey(cnf); err != nil {
			return nil, "", "", err
		}
	}
	return claims, iss, vct, nil
}

// maxNumericDate is the last second of the year 9999, the latest time a
// Result can write.
const maxNumericDate = 253402300799

// numericDate reads a JWT NumericDate of whole seconds from 1970 to the
// year 9999; zero otherwise.
func numericDate(v any) time.Time {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}
	}
	s, err := n.Int64()
	if err != nil || s <= 0 || s > maxNumericDate {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}
