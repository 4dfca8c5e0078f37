package status

import (
	"fmt"
	"strings"
	"time"
)

// Check is when and how Validate judges a status list's time limits.
type Check struct {
	// Now is the time of the check.
	Now time.Time
	// Fetched is when the list was fetched, or the trust bundle holding it
	// made; zero when it is not known, and then a ttl is not judged.
	Fetched time.Time
	// ClockSkew is how far the list issuer's clock and the verifier's may
	// disagree: a list is accepted from ClockSkew before its validFrom to
	// ClockSkew after its validUntil.
	ClockSkew time.Duration
}

// Validate runs the status check of the validate algorithm (section 3.2)
// for one entry of a credential, against the status list credential the entry
// names, and reports whether the entry's bit is set: for PurposeRevocation,
// whether the credential is revoked; for PurposeSuspension, whether it is
// suspended. Mapping the bit to a verdict is the caller's.
//
// The caller has already verified list's proof and trusts its issuer
// (section 3.2 step 4): Validate does no cryptography and no I/O. It checks,
// in order, that
//
//   - list's id, if it has one, is the entry's statusListCredential
//     (ErrListMismatch);
//   - list's issuer is issuer, the credential's issuer (ErrIssuerMismatch).
//     staffpass requires this although section 2.2 allows a separate status
//     authority: a verifier that trusts one must check it itself;
//   - c.Now is within list's validity period, give or take c.ClockSkew
//     (ErrListNotYetValid, ErrListExpired);
//   - when list has a ttl and c.Fetched is not zero, c.Now is no later
//     than c.Fetched+ttl (ErrListStale);
//   - the entry's statusPurpose is one of list's (ErrPurposeMismatch,
//     step 5);
//   - the entry's statusSize is 1 (ErrStatusSize);
//   - the entry's index is within the list (ErrIndexOutOfRange, step 10).
//
// The list's length was checked against MinEntries (step 9) when it was
// decoded.
func Validate(e Entry, issuer string, list *ListCredential, c Check) (bool, error) {
	now, fetched := c.Now, c.Fetched
	if list == nil || list.List == nil {
		return false, fmt.Errorf("%w: no status list", ErrMalformed)
	}
	if entryType(e.Type) != listType(list.Type) {
		return false, fmt.Errorf("%w: a %s names a %s", ErrListMismatch, entryType(e.Type), listType(list.Type))
	}
	if list.ID != "" && list.ID != e.ListCredential {
		return false, fmt.Errorf("%w: entry names %q, list is %q", ErrListMismatch, truncate(e.ListCredential), truncate(list.ID))
	}
	if list.Issuer != issuer {
		return false, fmt.Errorf("%w: list issued by %q, credential by %q", ErrIssuerMismatch, truncate(list.Issuer), truncate(issuer))
	}
	if !list.ValidFrom.IsZero() && now.Add(c.ClockSkew).Before(list.ValidFrom) {
		return false, fmt.Errorf("%w: valid from %s, checked at %s", ErrListNotYetValid,
			list.ValidFrom.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if !list.ValidUntil.IsZero() && now.Add(-c.ClockSkew).After(list.ValidUntil) {
		return false, fmt.Errorf("%w: valid until %s, checked at %s", ErrListExpired,
			list.ValidUntil.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if list.TTL > 0 && !fetched.IsZero() && now.Sub(fetched) > list.TTL {
		return false, fmt.Errorf("%w: fetched %s, ttl %s, checked at %s", ErrListStale,
			fetched.UTC().Format(time.RFC3339), list.TTL, now.UTC().Format(time.RFC3339))
	}
	if !contains(list.Purposes, e.Purpose) {
		return false, fmt.Errorf("%w: entry is for %q, list for %q", ErrPurposeMismatch, truncate(e.Purpose), truncate(strings.Join(list.Purposes, ", ")))
	}
	if e.Size != 1 && e.Size != 0 {
		return false, fmt.Errorf("%w: statusSize %d (only 1 is supported)", ErrStatusSize, e.Size)
	}
	return list.List.Get(e.Index)
}

// entryType and listType read the zero Type as Bitstring Status List's.
func entryType(t string) string {
	if t == "" {
		return TypeEntry
	}
	return t
}

func listType(t string) string {
	if t == "" || t == TypeListCredential {
		return TypeEntry
	}
	if t == TypeListCredential2021 {
		return TypeEntry2021
	}
	return t
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
