package verifier

import "errors"

// Errors a failed check carries. The securing mechanisms' own errors (for
// example a bad signature) are wrapped inside, so errors.Is works with both.
var (
	// ErrNotVerified is returned when not every check passed.
	ErrNotVerified = errors.New("verifier: not verified")

	// ErrMalformed: the input is not a well-formed credential or
	// presentation in a supported format.
	ErrMalformed = errors.New("verifier: malformed credential")

	// ErrUnknownContext: the document names a JSON-LD context the
	// verifier does not hold (the embedded W3C contexts, staffpass's own
	// and any given WithContext), so what its terms mean is unknown. The
	// contexts check fails with it, whatever the securing mechanism.
	ErrUnknownContext = errors.New("verifier: unknown JSON-LD context")

	// ErrContextDigest: the verifier holds a context the document names
	// under a URL an accepted trust bundle pins, but not byte for byte the
	// document the bundle's digest is of.
	ErrContextDigest = errors.New("verifier: JSON-LD context differs from the trust bundle's")

	// ErrSchema: the credential does not match a JSON Schema its
	// credentialSchema names, or names one the verifier does not hold, of
	// another digest, or of a kind it cannot check.
	ErrSchema = errors.New("verifier: credential does not match its schema")

	// ErrProof: the proof or signature does not verify, or its securing
	// mechanism or algorithm is not allowed.
	ErrProof = errors.New("verifier: proof not valid")

	// ErrNotBound: a Data Integrity proof that signs RDF (eddsa-rdfc-2022,
	// ecdsa-rdfc-2019) does not bind what the document's JSON shows: a
	// member is written under another name than its term, a node is
	// described in two places, a value is a JSON-LD value object or
	// written twice, or another JSON-LD form moves a value away from
	// where a reader of the JSON looks for it. The proof check fails
	// with it, and the error names the member and why. (The rules are
	// those of the bound profile in internal/ld.)
	ErrNotBound = errors.New("verifier: the proof does not bind what the credential shows")

	// ErrIssuerKey: the signing key is not one the issuer's (holder's) DID
	// document lists for the purpose, or the DID document could not be
	// resolved.
	ErrIssuerKey = errors.New("verifier: key not authorised by the issuer")

	// ErrKeyRetired: the key was retired (a trust bundle says when) before
	// the credential says it was signed.
	ErrKeyRetired = errors.New("verifier: key retired before the credential was signed")

	// ErrKeyCompromised: a trust bundle marks the key compromised; it
	// verifies nothing, whatever date a credential gives.
	ErrKeyCompromised = errors.New("verifier: key compromised")

	// ErrUntrustedIssuer: the issuer is not one the verifier trusts, or not
	// for every type the credential has.
	ErrUntrustedIssuer = errors.New("verifier: issuer not trusted")

	// ErrStaleBundle: what the check relied on comes from a trust bundle
	// past its validUntil, and the policy does not accept stale status.
	ErrStaleBundle = errors.New("verifier: trust bundle is stale")

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

	// ErrChallenge: the presentation does not answer the policy's
	// challenge, or the policy gives none.
	ErrChallenge = errors.New("verifier: wrong challenge")

	// ErrDomain: the presentation is not meant for the policy's domain, or
	// the policy gives none: it may have been made for another verifier.
	ErrDomain = errors.New("verifier: wrong domain")

	// ErrStalePresentation: the presentation was made longer ago than the
	// policy allows, in the future, or has expired.
	ErrStalePresentation = errors.New("verifier: presentation not fresh")

	// ErrHolderBinding: a credential in the presentation is not about the
	// presentation's holder.
	ErrHolderBinding = errors.New("verifier: holder is not the subject")

	// ErrCredential: a credential in the presentation did not verify; its
	// own Result says why.
	ErrCredential = errors.New("verifier: a presented credential did not verify")

	// ErrConfig: New was given an incomplete or contradictory configuration.
	ErrConfig = errors.New("verifier: invalid configuration")
)
