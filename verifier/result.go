package verifier

import (
	"errors"
	"time"

	"github.com/staffpass/staffpass/vc"
)

// The checks a Result can hold, in the order they run. A check that could not
// run because an earlier one failed is reported as skipped.
const (
	// CheckSyntax: the input is a well-formed credential (strict JSON, every
	// VC Data Model rule that needs no signature) in a supported format.
	CheckSyntax = "syntax"
	// CheckProof: the signature (Data Integrity proof or JWS) verifies with
	// a key the issuer's DID document lists for assertionMethod, and the
	// securing mechanism is on the allow-list.
	CheckProof = "proof"
	// CheckIssuerTrust: the issuer is one the verifier trusts.
	CheckIssuerTrust = "issuer-trust"
	// CheckValidityPeriod: the credential (and its proof and JWT time
	// claims) is valid at the verification time.
	CheckValidityPeriod = "validity-period"
	// CheckStatus: no status entry of the credential (Bitstring Status
	// List) says it is revoked or suspended, each checked against a
	// status list credential the verifier was given, signed by the
	// credential's issuer and within its validity period.
	CheckStatus = "status"

	// numChecks is how many checks a Result of VerifyCredential holds.
	numChecks = 5
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Check is the outcome of one check, with the reason when it did not pass.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Reason says in words why the check failed or was skipped (or, for a
	// check that passed with nothing to check, why).
	Reason string `json:"reason,omitempty"`
	// Err is the error behind a failed check; errors.Is works on it.
	Err error `json:"-"`
}

// Result is the outcome of verifying one credential: every check with its
// status, and what was learnt about the credential. It marshals to the JSON
// report that "staffpass verify --output json" prints.
type Result struct {
	// Verified is true exactly when every check passed.
	Verified bool `json:"verified"`
	// Format is the securing mechanism: "vc+jwt", "vc-jwt-1.1" (a VCDM 1.1
	// JWT) or "data-integrity/<cryptosuite>".
	Format string `json:"format,omitempty"`
	// ID, Issuer, Types and Subjects come from the credential; they are
	// only trustworthy when Verified is true.
	ID       string   `json:"id,omitempty"`
	Issuer   string   `json:"issuer,omitempty"`
	Types    []string `json:"types,omitempty"`
	Subjects []string `json:"subjects,omitempty"`
	// ValidFrom and ValidUntil are the credential's validity period as the
	// checks judge it: the latest start and earliest end it states, in
	// VCDM 2.0 (validFrom, validUntil) or 1.1 (issuanceDate,
	// expirationDate) terms; zero when absent.
	ValidFrom  time.Time `json:"validFrom,omitzero"`
	ValidUntil time.Time `json:"validUntil,omitzero"`
	// VerifiedAt is the time the checks were made against.
	VerifiedAt time.Time `json:"verifiedAt"`
	Checks     []Check   `json:"checks"`

	// Credential is the parsed credential, nil if it did not parse. Treat
	// its contents as verified only when Verified is true.
	Credential *vc.Credential `json:"-"`
}

// Check returns the check named name, or nil.
func (r *Result) Check(name string) *Check {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			return &r.Checks[i]
		}
	}
	return nil
}

// Err returns nil when every check passed, and otherwise an error joining
// the errors of the failed checks, so errors.Is(err, ErrExpired) and the
// like work on it.
func (r *Result) Err() error {
	var errs []error
	for _, c := range r.Checks {
		if c.Status == Failed {
			errs = append(errs, c.Err)
		}
	}
	return errors.Join(errs...)
}

func (r *Result) pass(name string) {
	r.Checks = append(r.Checks, Check{Name: name, Status: Passed})
}

// passBecause records a passed check with a note on why there was nothing
// to fail.
func (r *Result) passBecause(name, note string) {
	r.Checks = append(r.Checks, Check{Name: name, Status: Passed, Reason: note})
}

func (r *Result) fail(name string, err error) {
	r.Checks = append(r.Checks, Check{Name: name, Status: Failed, Reason: err.Error(), Err: err})
}

func (r *Result) skip(name, reason string) {
	r.Checks = append(r.Checks, Check{Name: name, Status: Skipped, Reason: reason})
}

// record adds the outcome of a check: passed when err is nil.
func (r *Result) record(name string, err error) {
	if err != nil {
		r.fail(name, err)
		return
	}
	r.pass(name)
}

// finish sets Verified and returns the Result's error.
func (r *Result) finish() error {
	err := r.Err()
	r.Verified = err == nil
	for _, c := range r.Checks {
		if c.Status != Passed {
			r.Verified = false
		}
	}
	if !r.Verified && err == nil {
		err = ErrNotVerified
	}
	return err
}
