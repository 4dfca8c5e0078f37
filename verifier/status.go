package verifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/status"
)

// statusList is a status list credential given in the Trust. Its
// signature is checked once, the first time a credential needs it, with
// every bundle's keys; at every use, whether a bundle the policy accepts
// vouches for the key it was signed with, its validity period, and the
// time limits of its proof (a JWT's nbf and exp, a Data Integrity proof's
// created and expires).
type statusList struct {
	data []byte
	url  string
	// fetched is when it was fetched (zero: not known, ttls not judged);
	// b is the bundle it came in, nil for Trust.StatusLists.
	fetched time.Time
	b       *bundle.Bundle

	mu     sync.Mutex
	loaded bool // list, res and err are the outcome of the first load
	list   *status.ListCredential
	res    *Result
	err    error
}

// indexLists gathers the status lists of trust by URL: those given
// directly and each bundle's. A URL two bundles hold has both copies;
// checkEntry uses the most recently fetched one the policy accepts.
func indexLists(trust Trust) (map[string][]*statusList, map[string]*tokenList, error) {
	lists := make(map[string][]*statusList)
	tokens := make(map[string]*tokenList)
	for i, data := range trust.StatusLists {
		if uri, ok, err := tokenListURI(data); ok {
			if err != nil {
				return nil, nil, fmt.Errorf("%w: status list %d: %w", ErrConfig, i, err)
			}
			if tokens[uri] != nil {
				return nil, nil, fmt.Errorf("%w: two Status List Tokens for %s", ErrConfig, uri)
			}
			tokens[uri] = &tokenList{data: slices.Clone(bytes.TrimSpace(data)), fetched: trust.StatusListsFetched}
			continue
		}
		id, err := statusListID(data)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: status list %d: %w", ErrConfig, i, err)
		}
		for _, l := range lists[id] {
			if l.b == nil {
				return nil, nil, fmt.Errorf("%w: two status lists with id %s", ErrConfig, id)
			}
		}
		lists[id] = append(lists[id], &statusList{data: slices.Clone(data), url: id, fetched: trust.StatusListsFetched})
	}
	for _, b := range trust.Bundles {
		for _, sl := range b.StatusLists {
			lists[sl.URL] = append(lists[sl.URL], &statusList{data: sl.Credential, url: sl.URL, fetched: sl.Fetched, b: b})
		}
	}
	for _, ls := range lists {
		slices.SortStableFunc(ls, func(a, b *statusList) int { return b.fetched.Compare(a.fetched) })
	}
	return lists, tokens, nil
}

// statusListID reads the id of a status list credential without verifying
// it, to index the lists a Verifier is given.
func statusListID(data []byte) (string, error) {
	payload, err := jose.PeekDocument(data)
	if err != nil {
		return "", err
	}
	c, err := vc.Parse(payload)
	if err != nil {
		return "", err
	}
	if !c.HasType(status.TypeListCredential) && !c.HasType(status.TypeListCredential2021) {
		return "", fmt.Errorf("not a %s (or %s)", status.TypeListCredential, status.TypeListCredential2021)
	}
	if c.ID == "" {
		return "", errors.New("the status list credential has no id")
	}
	return c.ID, nil
}

// load verifies the list's signature and reads it. A success, or a list
// that cannot be read or whose signature does not verify, is kept; a
// failure to find its key is not (a DID document that could not be
// resolved this time says nothing about the list). Nothing kept depends on
// the time: the times are judged at each use.
func (l *statusList) load(ctx context.Context, v *Verifier, now time.Time) (*status.ListCredential, *Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.loaded {
		return l.list, l.res, l.err
	}
	st := &state{p: &Policy{}, now: now, maxAge: limits.PresentationMaxAge, nested: true, statusList: true}
	r := v.verify(ctx, l.data, st)
	var list *status.ListCredential
	err := securedErr(r)
	if err != nil && (ctx.Err() != nil || r.Check(CheckVerificationMethod).Status == Failed) {
		return nil, nil, err
	}
	if err == nil && r.Credential == nil {
		err = fmt.Errorf("%w: a %s is not a status list credential", ErrStatus, r.Format)
	}
	if err == nil {
		list, err = status.ReadListCredential(r.Credential)
	}
	if err == nil && list.ID != l.url {
		err = fmt.Errorf("the status list credential at %s has the id %s", l.url, list.ID)
	}
	l.loaded, l.list, l.res, l.err = true, list, r, err
	return list, r, err
}

// listKeyTrusted reports whether the key a status list of issuer was
// signed with is one this policy trusts: from the Resolver for an issuer
// trusted directly, or vouched for by a bundle the policy accepts.
func (v *Verifier) listKeyTrusted(r *Result, issuer string, st *state) error {
	t := v.issuers[issuer]
	if t == nil && r.keys != nil && v.anyDIDKeyTrusts(issuer, r.keys) {
		return nil
	}
	if r.keys == nil || len(r.keys.uses) == 0 || t == nil {
		return fmt.Errorf("%w: the status list's signer %s is not trusted", ErrStatus, issuer)
	}
	for _, u := range r.keys.uses {
		switch {
		case u.direct && t.direct:
		case !u.direct && slices.ContainsFunc(u.vouchers, func(l *listing) bool { return st.accepts(l.b) }):
		default:
			return fmt.Errorf("%w: the key %s signed the status list with is vouched for by no trust bundle this policy accepts", ErrStatus, u.method)
		}
	}
	return nil
}

// securedErr is the error of the checks of a list's Result that judge its
// form and signature (syntax, contexts, proof, verification method): the
// others (issuer trust for the list's type, its own status) do not apply
// to a status list, whose issuer must be the credential's.
func securedErr(r *Result) error {
	var errs []error
	for _, name := range []string{CheckSyntax, CheckContexts, CheckProof, CheckVerificationMethod} {
		c := r.Check(name)
		switch {
		case c == nil:
		case c.Status == Failed:
			errs = append(errs, c.Err)
		case c.Status != Passed:
			errs = append(errs, fmt.Errorf("the list's %s check did not run: %s", name, c.Reason))
		}
	}
	return errors.Join(errs...)
}

// checkListTimes judges the time limits a status list's securing mechanism
// adds to its validity period: a JWT's nbf and exp, given the same clock
// skew as the list's validFrom and validUntil, and a Data Integrity proof's
// expires.
func (v *Verifier) checkListTimes(r *Result, now time.Time) error {
	if j := r.jwt; j != nil {
		if !j.NotBefore.IsZero() && now.Add(v.skew).Before(j.NotBefore) {
			return fmt.Errorf("%w: the list's JWT nbf is %s, checked at %s", status.ErrListNotYetValid, stamp(j.NotBefore), stamp(now))
		}
		if !j.Expires.IsZero() && now.Add(-v.skew).After(j.Expires) {
			return fmt.Errorf("%w: the list's JWT exp was %s, checked at %s", status.ErrListExpired, stamp(j.Expires), stamp(now))
		}
	}
	if !r.proofExpires.IsZero() && !now.Before(r.proofExpires) {
		return fmt.Errorf("%w: the list's proof expired %s, checked at %s", status.ErrListExpired, stamp(r.proofExpires), stamp(now))
	}
	if !r.proofCreated.IsZero() && r.proofCreated.After(now.Add(limits.ProofClockSkew)) {
		return fmt.Errorf("%w: the list's proof was created %s, after the verification time %s", status.ErrListNotYetValid, stamp(r.proofCreated), stamp(now))
	}
	return nil
}

// checkStatus runs the status check: every credentialStatus entry is
// looked up in its list. It fails closed: an entry of a type other than
// BitstringStatusListEntry and StatusList2021Entry (RevocationList2021Status,
// CredentialStatusList2017, ...) or of a statusPurpose the Bitstring Status
// List does not define is a status that cannot be checked. Entries for
// refresh and message say nothing about validity and are not looked up.
func (v *Verifier) checkStatus(ctx context.Context, r *Result, cred *vc.Credential, st *state) {
	if cred.CredentialStatus.Len() == 0 {
		r.pass(CheckStatus, "the credential has no credentialStatus: its issuer cannot revoke it")
		return
	}
	for i, obj := range cred.CredentialStatus.Items {
		if len(obj.Type.Items) != 1 || (obj.Type.Items[0] != status.TypeEntry && obj.Type.Items[0] != status.TypeEntry2021) {
			r.fail(CheckStatus, fmt.Errorf("%w: credentialStatus[%d] is of type %s, which this verifier cannot check (only %s and %s)",
				ErrStatus, i, quoteTypes(obj.Type.Items), status.TypeEntry, status.TypeEntry2021))
			return
		}
	}
	entries, err := status.Entries(cred)
	if err != nil {
		r.fail(CheckStatus, fmt.Errorf("%w: %w", ErrStatus, err))
		return
	}
	var errs, notes []string
	var all []error
	for _, e := range entries {
		switch e.Purpose {
		case status.PurposeRevocation, status.PurposeSuspension:
			note, err := v.checkEntry(ctx, r, cred, e, st)
			if err != nil {
				all = append(all, err)
				errs = append(errs, reasonOf(err))
			} else if note != "" && !slices.Contains(notes, note) {
				notes = append(notes, note)
			}
		case status.PurposeRefresh, status.PurposeMessage:
		default:
			err := fmt.Errorf("%w: statusPurpose %q is not one the Bitstring Status List (or StatusList2021) defines", ErrStatus, e.Purpose)
			all = append(all, err)
			errs = append(errs, reasonOf(err))
		}
	}
	if len(all) > 0 {
		r.set(CheckStatus, Failed, strings.Join(errs, "; "), errors.Join(all...))
		return
	}
	reason := "neither revoked nor suspended"
	if len(notes) > 0 {
		reason += ", " + strings.Join(notes, "; ")
	}
	r.pass(CheckStatus, reason)
}

func (v *Verifier) checkEntry(ctx context.Context, r *Result, cred *vc.Credential, e status.Entry, st *state) (string, error) {
	issuer := cred.Issuer.ID
	// The copies the policy may use: the caller's own, and those of the
	// accepted bundles that list the credential's issuer (a bundle vouches
	// for the status of the issuers it lists, no other).
	var cands []*statusList
	for _, c := range v.lists[e.ListCredential] {
		if c.b == nil || (st.accepts(c.b) && c.b.Issuer(issuer) != nil) {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		if len(v.lists[e.ListCredential]) > 0 {
			return "", fmt.Errorf("%w: the status list %s is only in trust bundles this policy does not accept, or that do not list %s", ErrStatus, e.ListCredential, issuer)
		}
		return "", fmt.Errorf("%w: the status list %s was not given to the verifier (verification is offline)", ErrStatus, e.ListCredential)
	}
	// Of the copies that verify, the one its issuer signed last.
	var l *statusList
	var list *status.ListCredential
	var errs []error
	for _, c := range cands {
		got, res, err := c.load(ctx, v, st.now)
		if err == nil {
			err = v.listKeyTrusted(res, issuer, st)
		}
		if err == nil {
			err = v.checkListTimes(res, st.now)
		}
		if err == nil {
			err = checkFetched(c, st.now, v.skew)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if l == nil || got.ValidFrom.After(list.ValidFrom) {
			l, list = c, got
		}
	}
	if l == nil {
		return "", fmt.Errorf("%w: the status list %s does not verify: %w", ErrStatus, e.ListCredential, errors.Join(errs...))
	}
	stale := ""
	if l.b != nil && l.b.Stale(st.now) {
		if !st.p.AcceptStaleStatus {
			return "", fmt.Errorf("%w: the status list %s comes from the trust bundle %s, valid until %s, before the verification time %s (get a new bundle, or accept stale status)",
				ErrStaleBundle, e.ListCredential, bundleName(l.b), stamp(l.b.ValidUntil), stamp(st.now))
		}
		stale = fmt.Sprintf(" from the trust bundle %s, STALE since %s, accepted as the policy allows", bundleName(l.b), stamp(l.b.ValidUntil))
	}
	set, err := status.Validate(e, issuer, list, status.Check{Now: st.now, Fetched: l.fetched, ClockSkew: v.skew})
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrStatus, err)
	}
	if set {
		if e.Purpose == status.PurposeRevocation {
			return "", fmt.Errorf("%w: by %s (entry %d of %s)", ErrRevoked, issuer, e.Index, e.ListCredential)
		}
		return "", fmt.Errorf("%w: by %s (entry %d of %s)", ErrSuspended, issuer, e.Index, e.ListCredential)
	}
	if l.fetched.IsZero() {
		return "as of the status list " + e.ListCredential + " (when it was fetched is not known)" + stale, nil
	}
	if r.StatusAsOf.IsZero() || l.fetched.Before(r.StatusAsOf) {
		r.StatusAsOf = l.fetched.UTC()
	}
	return fmt.Sprintf("as of the status list fetched %s, %s before the verification time%s", stamp(l.fetched), age(st.now.Sub(l.fetched)), stale), nil
}

// checkFetched refuses a copy of a status list said to have been fetched
// after the verification time, or after the bundle holding it was built:
// its ttl could then never run out.
func checkFetched(l *statusList, now time.Time, skew time.Duration) error {
	switch {
	case l.fetched.After(now.Add(skew)):
		return fmt.Errorf("%w: the status list was fetched %s, after the verification time %s", ErrStatus, stamp(l.fetched), stamp(now))
	case l.b != nil && l.fetched.After(l.b.Created):
		return fmt.Errorf("%w: the trust bundle %s says it fetched the status list %s, after it was built %s", ErrStatus, bundleName(l.b), stamp(l.fetched), stamp(l.b.Created))
	}
	return nil
}

// age says how long d is, to the minute, for people.
func age(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	d = d.Round(time.Minute)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	if days > 0 {
		return fmt.Sprintf("%dd%s", days, strings.TrimSuffix(d.String(), "0s"))
	}
	return strings.TrimSuffix(d.String(), "0s")
}
