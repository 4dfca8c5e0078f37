package status

import "errors"

var (
	// ErrMalformed: an entry, a status list credential or an encodedList
	// breaks a MUST of the data model (section 3, MALFORMED_VALUE_ERROR).
	ErrMalformed = errors.New("status: malformed value")

	// ErrListLength: a bitstring is shorter than MinEntries entries, or
	// longer than limits.MaxStatusListBytes allows
	// (STATUS_LIST_LENGTH_ERROR).
	ErrListLength = errors.New("status: status list length out of range")

	// ErrIndexOutOfRange: a statusListIndex is outside the bitstring
	// (section 3.2 step 10, RANGE_ERROR).
	ErrIndexOutOfRange = errors.New("status: index out of range")

	// ErrStatusSize: an entry has a statusSize other than 1, which this
	// package does not support (section 1.3).
	ErrStatusSize = errors.New("status: unsupported statusSize")

	// ErrPurposeMismatch: the entry's statusPurpose is not one of the
	// status list credential's (section 3.2 step 5).
	ErrPurposeMismatch = errors.New("status: status purpose mismatch")

	// ErrListMismatch: the status list credential's id is not the entry's
	// statusListCredential URL: it is another list.
	ErrListMismatch = errors.New("status: not the status list the entry names")

	// ErrIssuerMismatch: the status list credential was issued by someone
	// other than the credential's issuer.
	ErrIssuerMismatch = errors.New("status: status list issuer is not the credential issuer")

	// ErrListNotYetValid: the status list credential's validFrom is after
	// the time of the check.
	ErrListNotYetValid = errors.New("status: status list not yet valid")

	// ErrListExpired: the status list credential's validUntil is before
	// the time of the check.
	ErrListExpired = errors.New("status: status list expired")

	// ErrListStale: the status list credential was fetched longer ago than
	// its ttl (section 2.2, ttl).
	ErrListStale = errors.New("status: status list older than its ttl")
)
