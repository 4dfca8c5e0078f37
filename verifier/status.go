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

// statusList is a status list credential given in the Trust. Its proof is
// checked once, the first time a credential needs it; its validity period,
// and the time limits of its proof (a JWT's nbf and exp, a Data Integrity
// proof's expires), every time.
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
func indexLists(trust Trust) (map[string][]*statusList, error) {
	lists := make(map[string][]*statusList)
	for i, data := range trust.StatusLists {
		id, err := statusListID(data)
		if err != nil {
			return nil, fmt.Errorf("%w: status list %d: %w", ErrConfig, i, err)
		}
		for _, l := range lists[id] {
			if l.b == nil {
				return nil, fmt.Errorf("%w: two status lists with id %s", ErrConfig, id)
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
	return lists, nil
}

// statusListID reads the id of a status list credential without verifying
// it, to index the lists a Verifier is given.
func statusListID(data []byte) (string, error) {
	trimmed := bytes.TrimSpace(data)
	payload := trimmed
	if len(trimmed) > 0 && trimmed[0] != '{' {
		u, err := jose.ParseUnverified(string(trimmed))
		if err != nil {
			return "", err
		}
		payload = u.Payload
	}
	c, err := vc.Parse(payload)
	if err != nil {
		return "", err
	}
	if !c.HasType(status.TypeListCredential) {
		return "", fmt.Errorf("not a %s", status.TypeListCredential)
	}
	if c.ID == "" {
		return "", errors.New("the status list credential has no id")
	}
	return c.ID, nil
}

// load verifies the list's proof and reads it, once: the outcome is kept,
// unless the proof could not be checked because ctx ended (a DID document
// that could not be resolved in time says nothing about the list).
func (l *statusList) load(ctx context.Context, v *Verifier, now time.Time) (*status.ListCredential, *Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.loaded {
		return l.list, l.res, l.err
	}
	// The list's own proof and key are judged with every bundle accepted:
	// whether its bundle is, is judged at each use.
	st := &state{p: &Policy{}, now: now, maxAge: limits.PresentationMaxAge, nested: true, statusList: true}
	r := v.verify(ctx, l.data, st)
	var list *status.ListCredential
	err := securedErr(r)
	if err != nil && ctx.Err() != nil {
		return nil, nil, err
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
	return nil
}

// checkStatus runs the status check: every credentialStatus entry is
// looked up in its list. It fails closed: an entry of a type other than
// BitstringStatusListEntry (StatusList2021Entry, RevocationList2021Status,
// ...) or of a statusPurpose the Bitstring Status List does not define is
// a status that cannot be checked. Entries for refresh and message say
// nothing about validity and are not looked up.
func (v *Verifier) checkStatus(ctx context.Context, r *Result, cred *vc.Credential, st *state) {
	if cred.CredentialStatus.Len() == 0 {
		r.pass(CheckStatus, "the credential has no credentialStatus: its issuer cannot revoke it")
		return
	}
	for i, obj := range cred.CredentialStatus.Items {
		if len(obj.Type.Items) != 1 || obj.Type.Items[0] != status.TypeEntry {
			r.fail(CheckStatus, fmt.Errorf("%w: credentialStatus[%d] is of type %s, which this verifier cannot check (only %s)",
				ErrStatus, i, quoteTypes(obj.Type.Items), status.TypeEntry))
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
			err := fmt.Errorf("%w: statusPurpose %q is not one the Bitstring Status List defines", ErrStatus, e.Purpose)
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
	var l *statusList
	for _, c := range v.lists[e.ListCredential] {
		if c.b == nil || st.accepts(c.b) {
			l = c
			break
		}
	}
	if l == nil {
		if len(v.lists[e.ListCredential]) > 0 {
			return "", fmt.Errorf("%w: the status list %s is only in trust bundles this policy does not accept", ErrStatus, e.ListCredential)
		}
		return "", fmt.Errorf("%w: the status list %s was not given to the verifier (verification is offline)", ErrStatus, e.ListCredential)
	}
	stale := ""
	if l.b != nil && l.b.Stale(st.now) {
		if !st.p.AcceptStaleStatus {
			return "", fmt.Errorf("%w: the status list %s comes from the trust bundle %s, valid until %s, before the verification time %s (get a new bundle, or accept stale status)",
				ErrStaleBundle, e.ListCredential, bundleName(l.b), stamp(l.b.ValidUntil), stamp(st.now))
		}
		stale = fmt.Sprintf(" from the trust bundle %s, STALE since %s, accepted as the policy allows", bundleName(l.b), stamp(l.b.ValidUntil))
	}
	list, res, err := l.load(ctx, v, st.now)
	if err != nil {
		return "", fmt.Errorf("%w: the status list %s does not verify: %w", ErrStatus, e.ListCredential, err)
	}
	if err := v.checkListTimes(res, st.now); err != nil {
		return "", fmt.Errorf("%w: the status list %s: %w", ErrStatus, e.ListCredential, err)
	}
	set, err := status.Validate(e, cred.Issuer.ID, list, status.Check{Now: st.now, Fetched: l.fetched, ClockSkew: v.skew})
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrStatus, err)
	}
	if set {
		if e.Purpose == status.PurposeRevocation {
			return "", fmt.Errorf("%w: by %s (entry %d of %s)", ErrRevoked, cred.Issuer.ID, e.Index, e.ListCredential)
		}
		return "", fmt.Errorf("%w: by %s (entry %d of %s)", ErrSuspended, cred.Issuer.ID, e.Index, e.ListCredential)
	}
	if l.fetched.IsZero() {
		return "as of the status list " + e.ListCredential + " (when it was fetched is not known)" + stale, nil
	}
	if r.StatusAsOf.IsZero() || l.fetched.Before(r.StatusAsOf) {
		r.StatusAsOf = l.fetched.UTC()
	}
	return fmt.Sprintf("as of the status list fetched %s, %s before the verification time%s", stamp(l.fetched), age(st.now.Sub(l.fetched)), stale), nil
}

// age says how long d is, to the minute, for people.
func age(d time.Duration) string {
	if d < 0 {
		return "0m"
	}
	d = d.Round(time.Minute)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	if days > 0 {
		return fmt.Sprintf("%dd%s", days, strings.TrimSuffix(d.String(), "0s"))
	}
	return strings.TrimSuffix(d.String(), "0s")
}
