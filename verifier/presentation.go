package verifier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
	"github.com/staffpass/staffpass/vc"
)

// verifyPresentationJSON verifies a presentation secured with Data
// Integrity proofs (proofPurpose authentication) by its holder.
func (v *Verifier) verifyPresentationJSON(ctx context.Context, data []byte, pres *vc.Presentation, st *state) *Result {
	r := newResult(KindPresentation, st.now)
	if st.nested {
		r.fail(CheckSyntax, fmt.Errorf("%w: a presentation inside a presentation", ErrMalformed))
		r.skipRest(unreadable)
		return done(r)
	}
	r.pass(CheckSyntax, wellFormed(KindPresentation, nil, pres))
	r.describePresentation(pres)
	if !v.contextsOK(r, pres.Context, nil, st) {
		return done(r)
	}
	entries, err := presentedJSON(data)
	if err != nil {
		r.fail(CheckCredentials, fmt.Errorf("%w: %w", ErrMalformed, err))
	}
	results, err, log := v.verifyProofs(ctx, r, data, pres.Proof.Len(), r.Holder, dataintegrity.Authentication, st)
	if err == errUnsecured {
		v.presentedCredentials(ctx, r, st, entries)
		return done(r)
	}
	if !v.judgeSecuring(r, err, log, createdBy(results)) {
		v.presentedCredentials(ctx, r, st, entries)
		return done(r)
	}
	var b presentationBinding
	for _, res := range results {
		p := res.Proof
		b.challenge = append(b.challenge, p.Challenge)
		b.domains = append(b.domains, p.Domain)
		b.made = append(b.made, p.Created)
		b.expires = append(b.expires, p.Expires)
	}
	v.judgePresentation(r, st, b)
	v.presentedCredentials(ctx, r, st, entries)
	v.judgeHolderBinding(r)
	return done(r)
}

// presentationBinding is what a presentation's signatures say about whom
// and when it was made for: one entry per proof (one for a JWT).
type presentationBinding struct {
	challenge []string
	domains   [][]string
	made      []time.Time
	notBefore time.Time
	expires   []time.Time
}

// judgePresentation runs the challenge, domain and freshness checks.
func (v *Verifier) judgePresentation(r *Result, st *state, b presentationBinding) {
	switch {
	case st.p.Challenge == "":
		r.fail(CheckChallenge, fmt.Errorf("%w: the policy gives no challenge, so a presentation cannot be told from a replay", ErrChallenge))
	default:
		var err error
		for _, c := range b.challenge {
			if c != st.p.Challenge {
				if c == "" {
					err = fmt.Errorf("%w: the presentation answers no challenge", ErrChallenge)
				} else {
					err = fmt.Errorf("%w: the presentation answers the challenge %s, not this verifier's", ErrChallenge, quoteTypes([]string{c}))
				}
				break
			}
		}
		r.record(CheckChallenge, err, "the presentation answers this verifier's challenge")
	}
	switch {
	case st.p.Domain == "":
		r.fail(CheckDomain, fmt.Errorf("%w: the policy gives no domain, so a presentation made for another verifier cannot be told apart", ErrDomain))
	default:
		var err error
		for _, d := range b.domains {
			if !slices.Contains(d, st.p.Domain) {
				if len(d) == 0 {
					err = fmt.Errorf("%w: the presentation names no domain, so it could be meant for anyone", ErrDomain)
				} else {
					err = fmt.Errorf("%w: the presentation was made for %s, not %q", ErrDomain, quoteTypes(d), st.p.Domain)
				}
				break
			}
		}
		r.record(CheckDomain, err, fmt.Sprintf("the presentation was made for %q", st.p.Domain))
	}
	var errs []error
	var newest time.Time
	for _, m := range b.made {
		switch {
		case m.IsZero():
			errs = append(errs, fmt.Errorf("%w: the presentation does not say when it was made", ErrStalePresentation))
		case m.After(st.now.Add(v.skew)):
			errs = append(errs, fmt.Errorf("%w: the presentation says it was made %s, after the verification time %s", ErrStalePresentation, stamp(m), stamp(st.now)))
		case st.now.Sub(m) > st.maxAge+v.skew:
			errs = append(errs, fmt.Errorf("%w: the presentation was made %s, %s before the verification time; this policy accepts presentations up to %s old",
				ErrStalePresentation, stamp(m), st.now.Sub(m).Round(time.Second), st.maxAge))
		}
		if m.After(newest) {
			newest = m
		}
	}
	if !b.notBefore.IsZero() && b.notBefore.After(st.now.Add(v.skew)) {
		errs = append(errs, fmt.Errorf("%w: the presentation's nbf is %s, after the verification time %s", ErrStalePresentation, stamp(b.notBefore), stamp(st.now)))
	}
	for _, e := range b.expires {
		if !e.IsZero() && st.now.Add(-v.skew).After(e) {
			errs = append(errs, fmt.Errorf("%w: the presentation expired %s, before the verification time %s", ErrStalePresentation, stamp(e), stamp(st.now)))
		}
	}
	r.record(CheckFreshness, errors.Join(errs...), fmt.Sprintf("made %s, %s before the verification time", stamp(newest), st.now.Sub(newest).Round(time.Second)))
}

// presented is one entry of a presentation's verifiableCredential, as the
// bytes to verify.
type presented struct {
	data []byte
	err  error // the entry cannot be verified at all
}

// presentedCredentials verifies each credential of a presentation, with
// the presentation's policy and time, and runs the credentials check.
func (v *Verifier) presentedCredentials(ctx context.Context, r *Result, st *state, entries []presented) {
	if c := r.Check(CheckCredentials); c != nil && c.Status == Failed {
		return
	}
	nested := *st
	nested.nested = true
	var errs []error
	var bad []string
	for i, e := range entries {
		var cr *Result
		if e.err != nil {
			cr = newResult(KindCredential, st.now)
			cr.fail(CheckSyntax, fmt.Errorf("%w: %w", ErrMalformed, e.err))
			cr.skipRest(unreadable)
			cr.finish()
		} else {
			cr = v.verify(ctx, e.data, &nested)
		}
		r.Credentials = append(r.Credentials, cr)
		if !cr.Verified {
			bad = append(bad, fmt.Sprintf("%d (%s)", i+1, cr.Summary()))
			if err := cr.Err(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	switch {
	case len(bad) > 0:
		main := fmt.Errorf("%w: credential %s", ErrCredential, strings.Join(bad, "; credential "))
		r.set(CheckCredentials, Failed, reasonOf(main), errors.Join(append([]error{main}, errs...)...))
	case len(entries) == 0:
		r.pass(CheckCredentials, "the presentation holds no credential")
	default:
		r.pass(CheckCredentials, fmt.Sprintf("every credential verified (%d)", len(entries)))
	}
}

// judgeHolderBinding checks that the presentation's holder is a subject of
// every credential in it. It runs only when the holder's signature
// verified (the holder is then known to be who signed).
func (v *Verifier) judgeHolderBinding(r *Result) {
	if r.Holder == "" {
		r.fail(CheckHolderBinding, fmt.Errorf("%w: the presentation names no holder", ErrHolderBinding))
		return
	}
	var errs []error
	for i, cr := range r.Credentials {
		if !slices.Contains(cr.Subjects, r.Holder) {
			about := "no identified subject"
			if len(cr.Subjects) > 0 {
				about = quoteTypes(cr.Subjects)
			}
			errs = append(errs, fmt.Errorf("%w: credential %d is about %s, not the holder %s", ErrHolderBinding, i+1, about, r.Holder))
		}
	}
	r.record(CheckHolderBinding, errors.Join(errs...), fmt.Sprintf("the holder %s, who signed, is the subject of every credential", r.Holder))
}

// presentedJSON returns the entries of the verifiableCredential member of
// a presentation's JSON, each as its own text: a credential with embedded
// proofs is verified on exactly the bytes the holder sent.
func presentedJSON(data []byte) ([]presented, error) {
	t, err := strictjson.Parse(data, limits.MaxDocumentBytes)
	if err != nil {
		return nil, err
	}
	defer t.Release()
	vcs := t.Member(strictjson.Root, "verifiableCredential")
	if vcs == strictjson.None {
		return nil, nil
	}
	one := func(e strictjson.Value) presented {
		if t.Kind(e) != strictjson.KindObject {
			return presented{err: errors.New("a verifiableCredential entry is not an object")}
		}
		return presented{data: append([]byte(nil), t.Raw(e)...)}
	}
	if t.Kind(vcs) != strictjson.KindArray {
		return []presented{one(vcs)}, nil
	}
	var out []presented
	for e := t.FirstChild(vcs); e != strictjson.None; e = t.NextSibling(vcs, e) {
		out = append(out, one(e))
	}
	return out, nil
}

// presentedJWT returns the credentials of a vp+jwt (or VCDM 1.1 JWT) in
// order: its verifiableCredential entries, then, for a VCDM 1.1 JWT, the
// JWT strings among them. res is nil when the token did not verify; the
// entries are then read unverified from token, to report on them.
func presentedJWT(res *jose.Verified, token []byte) []presented {
	var payload []byte
	var legacy []string
	if res != nil {
		payload, legacy = res.Payload, res.EnvelopedJWTs
		if res.Legacy {
			payload = nil
		}
	} else if u, err := jose.ParseUnverified(string(token)); err == nil {
		payload = u.Payload
	}
	var out []presented
	if payload != nil {
		entries, err := presentedJSON(payload)
		if err != nil {
			return []presented{{err: err}}
		}
		out = entries
	} else if res != nil && res.Presentation != nil {
		for _, pc := range res.Presentation.VerifiableCredential.Items {
			switch {
			case pc.Credential != nil:
				data, err := pc.Credential.MarshalJSON()
				out = append(out, presented{data: data, err: err})
			case pc.Envelope != nil:
				data, err := pc.Envelope.MarshalJSON()
				out = append(out, presented{data: data, err: err})
			}
		}
	}
	for _, j := range legacy {
		out = append(out, presented{data: []byte(j)})
	}
	return out
}
