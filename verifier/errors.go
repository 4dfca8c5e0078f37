package verifier

import "errors"

// Errors a failed check carries. The securing mechanisms' own errors (for
// example a bad signature) are wrapped inside, so errors.Is works with both.
var (
	// ErrNotVerified is returned when not every check passed.
	ErrNotVerified = errors.New("verifier: not verified")

	// ErrMalformed: the input is not a well-formed credential in a
	// supported format.
	ErrMalformed = errors.New("verifier: malformed credential")

	// ErrProof: the proof or signature does not verify, or its securing
	// mechanism or algorithm is not allowed.
	ErrProof = errors.New("verifier: proof not valid")

	// ErrUnknownContext: the credential names a JSON-LD context the
	// verifier does not hold (the embedded W3C contexts, staffpass's own
	// and any given WithContext), so what its terms mean is unknown. The
	// syntax check fails with it, whatever the securing mechanism.
	ErrUnknownContext = errors.New("verifier: unknown JSON-LD context")

	// ErrNotBound: a Data Integrity proof that signs RDF (eddsa-rdfc-2022,
	// ecdsa-rdfc-2019) does not bind what the credential's JSON shows: a
	// member is written under another name than its term, a node is
	// described in two places, a value is a JSON-LD value object or
	// written twice, or another JSON-LD form moves a value away from
	// where a reader of the JSON looks for it. The proof check fails
	// with it, and the error names the member and why. (The rules are
	// those of the bound profile in internal/ld.)
	ErrNotBound = errors.New("verifier: the proof does not bind what the credential shows")

	// ErrIssuerKey: the signing key is not one the issuer's DID document
	// lists for the purpose, or the DID document could not be resolved.
	ErrIssuerKey = errors.New("verifier: key not authorised by the issuer")

	// ErrUntrustedIssuer: the issuer is not one the verifier trusts.
	ErrUntrustedIssuer = errors.New("verifier: issuer not trusted")

	// ErrNotYetValid: the credential's validity period (or its JWT nbf, or
	// its proof's created time) starts after the verification time.
	ErrNotYetValid = errors.New("verifier: not yet valid")

	// ErrExpired: the credential's validity period (or its JWT exp, or its
	// proof's expires time) ended before the verification time.
	ErrExpired = errors.New("verifier: expired")

	// ErrRevoked: a revocation status entry of the credential is set in
	// its issuer's status list.
	ErrRevoked = errors.New("verifier: revoked")

	// ErrSuspended: a suspension status entry of the credential is set.
	ErrSuspended = errors.New("verifier: suspended")

	// ErrStatus: the credential's status could not be checked: its status
	// list was not given to the verifier, does not verify, is not its
	// issuer's, is outside its validity period, or the entry is malformed.
	ErrStatus = errors.New("verifier: status cannot be checked")

	// ErrConfig: New was given an incomplete or contradictory configuration.
	ErrConfig = errors.New("verifier: invalid configuration")
)
