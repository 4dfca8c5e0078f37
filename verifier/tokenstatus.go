package verifier

import (
	"bytes"
	"context"
	"crypto"
	"fmt"
	"strings"
	"time"

	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/vc/status"
)

// tokenList is an IETF Status List Token given in the Trust, verified at
// each use (its issuer's key may be judged by the policy's bundles).
type tokenList struct {
	data    []byte
	fetched time.Time
}

// tokenListURI reports whether data is a Status List Token (a compact JWS
// of typ statuslist+jwt) and, read unverified, the URI its sub names.
func tokenListURI(data []byte) (string, bool, error) {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || t[0] == '{' {
		return "", false, nil
	}
	u, err := jose.ParseUnverified(string(t))
	if err != nil || strings.TrimPrefix(strings.ToLower(u.Header.Typ), "application/") != status.TypeStatusListToken {
		return "", false, nil
	}
	l, err := status.ReadTokenList(u.Payload)
	if err != nil {
		return "", true, err
	}
	return l.Subject, true, nil
}

// checkTokenStatus runs the status check of an SD-JWT VC whose status claim
// is claim: the Status List Token its status_list names, signed by a key
// of the credential's issuer, for that URI, current, says the credential's
// entry is valid.
func (v *Verifier) checkTokenStatus(ctx context.Context, r *Result, issuer string, claim any, st *state) {
	ref, err := status.ReadReference(claim)
	if err != nil {
		r.fail(CheckStatus, fmt.Errorf("%w: %w", ErrStatus, err))
		return
	}
	tl := v.tokenLists[ref.URI]
	if tl == nil {
		r.fail(CheckStatus, fmt.Errorf("%w: the Status List Token %s was not given to the verifier (verification is offline)", ErrStatus, ref.URI))
		return
	}
	log := &keyLog{}
	keyOf := v.keyFunc(issuer, st.p, log)
	payload, _, err := jose.VerifyDocument(tl.data, status.TypeStatusListToken, v.algorithms, func(kid string) (crypto.PublicKey, error) {
		return keyOf(ctx, kid, "assertionMethod")
	}, limits.MaxJWTBytes, limits.MaxJWTBytes)
	if err == nil {
		_, err = checkMethods(log, func(string) time.Time { return time.Time{} })
	}
	if err != nil {
		r.fail(CheckStatus, fmt.Errorf("%w: the Status List Token %s does not verify as %s's: %w", ErrStatus, ref.URI, issuer, err))
		return
	}
	l, err := status.ReadTokenList(payload)
	if err == nil && l.Subject != ref.URI {
		err = fmt.Errorf("it is the list %s", l.Subject)
	}
	now := st.now
	switch {
	case err != nil:
	case l.IssuedAt.After(now.Add(v.skew)):
		err = fmt.Errorf("it was issued %s, after the verification time %s", stamp(l.IssuedAt), stamp(now))
	case !l.Expires.IsZero() && now.Add(-v.skew).After(l.Expires):
		err = fmt.Errorf("it expired %s, before the verification time %s", stamp(l.Expires), stamp(now))
	case l.TTL > 0 && !tl.fetched.IsZero() && now.Sub(tl.fetched) > l.TTL:
		err = fmt.Errorf("it was fetched %s and its ttl is %s: fetch it again", stamp(tl.fetched), l.TTL)
	case !tl.fetched.IsZero() && tl.fetched.After(now.Add(v.skew)):
		err = fmt.Errorf("it was fetched %s, after the verification time %s", stamp(tl.fetched), stamp(now))
	}
	if err != nil {
		r.fail(CheckStatus, fmt.Errorf("%w: the Status List Token %s: %w", ErrStatus, ref.URI, err))
		return
	}
	value, err := l.Status(ref.Index)
	switch {
	case err != nil:
		r.fail(CheckStatus, fmt.Errorf("%w: %w", ErrStatus, err))
	case value == status.TokenInvalid:
		r.fail(CheckStatus, fmt.Errorf("%w: by %s (entry %d of %s)", ErrRevoked, issuer, ref.Index, ref.URI))
	case value == status.TokenSuspended:
		r.fail(CheckStatus, fmt.Errorf("%w: by %s (entry %d of %s)", ErrSuspended, issuer, ref.Index, ref.URI))
	case value != status.TokenValid:
		r.fail(CheckStatus, fmt.Errorf("%w: entry %d of %s has the status 0x%02x, which means nothing this verifier knows", ErrStatus, ref.Index, ref.URI, value))
	default:
		reason := "neither revoked nor suspended, as of the Status List Token " + ref.URI + " issued " + stamp(l.IssuedAt)
		if !tl.fetched.IsZero() {
			reason += ", fetched " + stamp(tl.fetched)
			if r.StatusAsOf.IsZero() || tl.fetched.Before(r.StatusAsOf) {
				r.StatusAsOf = tl.fetched.UTC()
			}
		}
		r.pass(CheckStatus, reason)
	}
}
