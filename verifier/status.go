package verifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/status"
)

// statusList is a status list credential given in the Trust. Its proof is
// checked once, the first time a credential needs it; its validity period
// every time.
type statusList struct {
	data []byte

	once sync.Once
	list *status.ListCredential
	err  error
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

// load verifies the list's proof (once) and reads it.
func (l *statusList) load(ctx context.Context, v *Verifier, now time.Time) (*status.ListCredential, error) {
	l.once.Do(func() {
		r := &Result{}
		cred, _ := v.secure(ctx, r, l.data, now)
		if err := r.Err(); err != nil {
			l.err = err
			return
		}
		l.list, l.err = status.ReadListCredential(cred)
	})
	return l.list, l.err
}

// checkStatus runs the status check: every credentialStatus entry of a
// purpose staffpass knows (revocation, suspension) is looked up in its list.
func (v *Verifier) checkStatus(ctx context.Context, r *Result, cred *vc.Credential, now time.Time) {
	if cred.CredentialStatus.Len() == 0 {
		r.passBecause(CheckStatus, "the credential has no credentialStatus: its issuer cannot revoke it")
		return
	}
	entries, err := status.Entries(cred)
	if err != nil {
		r.fail(CheckStatus, fmt.Errorf("%w: %w", ErrStatus, err))
		return
	}
	var errs []error
	for _, e := range entries {
		if e.Purpose != status.PurposeRevocation && e.Purpose != status.PurposeSuspension {
			continue
		}
		errs = append(errs, v.checkEntry(ctx, cred, e, now))
	}
	r.record(CheckStatus, errors.Join(errs...))
}

func (v *Verifier) checkEntry(ctx context.Context, cred *vc.Credential, e status.Entry, now time.Time) error {
	l := v.lists[e.ListCredential]
	if l == nil {
		return fmt.Errorf("%w: the status list %s was not given to the verifier (verification is offline)", ErrStatus, e.ListCredential)
	}
	list, err := l.load(ctx, v, now)
	if err != nil {
		return fmt.Errorf("%w: the status list %s does not verify: %w", ErrStatus, e.ListCredential, err)
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
