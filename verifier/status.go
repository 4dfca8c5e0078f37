package verifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/status"
)

// statusList is a status list credential given in the Trust. Its proof is
// checked once, the first time a credential needs it; its validity period,
// and the time limits of its proof (a JWT's nbf and exp, a Data Integrity
// proof's expires), every time.
type statusList struct {
	data []byte

	mu     sync.Mutex
	loaded bool // list and err are the outcome of the first load
	list   *status.ListCredential
	sec    secured
	err    error
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
func (l *statusList) load(ctx context.Context, v *Verifier, now time.Time) (*status.ListCredential, secured, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.loaded {
		return l.list, l.sec, l.err
	}
	r := &Result{}
	sec := v.secure(ctx, r, l.data, now)
	var list *status.ListCredential
	err := r.Err()
	if err == nil && (r.Check(CheckSyntax) == nil || r.Check(CheckProof) == nil) {
		err = errors.New("the list's proof was not checked")
	}
	if err != nil && ctx.Err() != nil {
		return nil, secured{}, err
	}
	if err == nil {
		list, err = status.ReadListCredential(sec.cred)
	}
	l.loaded, l.list, l.sec, l.err = true, list, sec, err
	return list, sec, err
}

// checkListTimes judges the time limits a status list's securing mechanism
// adds to its validity period: a JWT's nbf and exp, given the same clock
// skew as the list's validFrom and validUntil, and a Data Integrity proof's
// expires.
func (v *Verifier) checkListTimes(sec secured, now time.Time) error {
	if j := sec.jwt; j != nil {
		if !j.NotBefore.IsZero() && now.Add(v.skew).Before(j.NotBefore) {
			return fmt.Errorf("%w: the list's JWT nbf is %s, checked at %s", status.ErrListNotYetValid, stamp(j.NotBefore), stamp(now))
		}
		if !j.Expires.IsZero() && now.Add(-v.skew).After(j.Expires) {
			return fmt.Errorf("%w: the list's JWT exp was %s, checked at %s", status.ErrListExpired, stamp(j.Expires), stamp(now))
		}
	}
	if !sec.proofExpires.IsZero() && !now.Before(sec.proofExpires) {
		return fmt.Errorf("%w: the list's proof expired %s, checked at %s", status.ErrListExpired, stamp(sec.proofExpires), stamp(now))
	}
	return nil
}

// checkStatus runs the status check: every credentialStatus entry is
// looked up in its list. It fails closed: an entry of a type other than
// BitstringStatusListEntry (StatusList2021Entry, RevocationList2021Status,
// ...) or of a statusPurpose the Bitstring Status List does not define is
// a status that cannot be checked. Entries for refresh and message say
// nothing about validity and are not looked up.
func (v *Verifier) checkStatus(ctx context.Context, r *Result, cred *vc.Credential, now time.Time) {
	if cred.CredentialStatus.Len() == 0 {
		r.passBecause(CheckStatus, "the credential has no credentialStatus: its issuer cannot revoke it")
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
	var errs []error
	for _, e := range entries {
		switch e.Purpose {
		case status.PurposeRevocation, status.PurposeSuspension:
			errs = append(errs, v.checkEntry(ctx, cred, e, now))
		case status.PurposeRefresh, status.PurposeMessage:
		default:
			errs = append(errs, fmt.Errorf("%w: statusPurpose %q is not one the Bitstring Status List defines", ErrStatus, e.Purpose))
		}
	}
	r.record(CheckStatus, errors.Join(errs...))
}

// quoteTypes names strings from a document (types, member names) for a
// message: each quoted and cut short, at most eight of them.
func quoteTypes(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	const maxNames, maxLen = 8, 64
	var q []string
	for i, n := range names {
		if i == maxNames {
			q = append(q, fmt.Sprintf("%d more", len(names)-maxNames))
			break
		}
		if len(n) > maxLen {
			n = n[:maxLen] + "…"
		}
		q = append(q, fmt.Sprintf("%q", n))
	}
	return strings.Join(q, " and ")
}

func (v *Verifier) checkEntry(ctx context.Context, cred *vc.Credential, e status.Entry, now time.Time) error {
	l := v.lists[e.ListCredential]
	if l == nil {
		return fmt.Errorf("%w: the status list %s was not given to the verifier (verification is offline)", ErrStatus, e.ListCredential)
	}
	list, sec, err := l.load(ctx, v, now)
	if err != nil {
		return fmt.Errorf("%w: the status list %s does not verify: %w", ErrStatus, e.ListCredential, err)
	}
	if err := v.checkListTimes(sec, now); err != nil {
		return fmt.Errorf("%w: the status list %s: %w", ErrStatus, e.ListCredential, err)
	}
	set, err := status.Validate(e, cred.Issuer.ID, list, status.Check{Now: now, Fetched: v.fetched, ClockSkew: v.skew})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStatus, err)
	}
	if !set {
		return nil
	}
	if e.Purpose == status.PurposeRevocation {
		return fmt.Errorf("%w: by %s (entry %d of %s)", ErrRevoked, cred.Issuer.ID, e.Index, e.ListCredential)
	}
	return fmt.Errorf("%w: by %s (entry %d of %s)", ErrSuspended, cred.Issuer.ID, e.Index, e.ListCredential)
}
