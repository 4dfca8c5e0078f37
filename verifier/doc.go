// Package verifier verifies staff credentials and the presentations that
// carry them, offline, and says why: Verify returns a Result holding every
// check with its outcome (passed, failed or skipped) and a reason a person
// can read, and an error that is nil exactly when every check passed.
//
// # Trust and policy
//
// As in sigstore-go, what a Verifier trusts is kept apart from what one
// verification asks. New takes a Trust, the trusted material: trust bundles
// (package bundle; each opened against the publisher the caller configured
// for it), issuers trusted directly, a DID resolver for everything else,
// status lists and JSON Schemas. Verify takes a Policy: the challenge and
// domain a presentation must answer, the time, how old a presentation may
// be, which bundles to accept, and whether stale bundles may be used.
// Options to New set the clock, the clock skew, the allowed Data Integrity
// cryptosuites and JOSE algorithms, extra JSON-LD contexts and low-S ECDSA
// only. No option turns a check off.
//
// One entry point takes any supported document: a vc+jwt or vp+jwt (W3C
// VC-JOSE-COSE) or a VCDM 1.1 JWT, read only; a credential or presentation
// secured with W3C VC Data Integrity 1.0 proofs (eddsa-rdfc-2022,
// ecdsa-rdfc-2019, eddsa-jcs-2022, ecdsa-jcs-2019); or an enveloped
// credential or presentation. A presentation may mix credentials of every
// form.
//
// # The checks
//
// A credential:
//
//   - syntax: well-formed (strict JSON, every VC Data Model rule that
//     needs no signature);
//   - contexts: each JSON-LD context it names is one the verifier holds
//     (ErrUnknownContext), byte for byte as the accepted bundles pin it
//     (ErrContextDigest);
//   - schema: it matches the JSON Schemas its credentialSchema names,
//     which must be ones the verifier holds, of the digest given
//     (ErrSchema);
//   - proof: the signature verifies (ErrProof), and for an -rdfc- proof
//     the JSON is what was signed (ErrNotBound, below);
//   - verification-method: the key is the issuer's, listed for
//     assertionMethod in its DID document or the bundle's copy
//     (ErrIssuerKey); a key a bundle marks compromised verifies nothing
//     (ErrKeyCompromised), and a retired one only what says it was signed
//     before it was retired (ErrKeyRetired);
//   - issuer-trust: the issuer is trusted for every type the credential
//     has: by an accepted bundle (the union of the types each lists it
//     for) or directly (ErrUntrustedIssuer);
//   - validity-period: within its validity period, give or take the clock
//     skew (ErrNotYetValid, ErrExpired);
//   - status: no revocation or suspension entry is set in its issuer's
//     status list (ErrRevoked, ErrSuspended), each list verified, the
//     issuer's, within its validity and ttl, and the reason says when the
//     list was fetched (ErrStatus).
//
// A presentation: syntax, contexts, proof and verification-method (the
// holder's key, for authentication), then challenge and domain (the
// proof's challenge and domain, or the JWT's nonce and aud, must be the
// policy's: ErrChallenge, ErrDomain), freshness (made within the policy's
// MaxPresentationAge, not in the future, not expired:
// ErrStalePresentation), holder-binding (the holder, who signed, is a
// subject of every credential: ErrHolderBinding) and credentials (every
// credential in it verified, each with a Result of its own in
// Result.Credentials: ErrCredential, joined with their errors).
//
// Checks that read what a document says run only once its signature
// verified with a key of its signer; otherwise they are skipped, and say
// so. A trust bundle past its validUntil fails the checks that relied on
// it (ErrStaleBundle) unless the policy accepts stale status; they then
// pass and say that the bundle was stale.
//
// # The Result as JSON
//
// A Result marshals to a report whose shape is fixed by ResultMediaType
// and ResultVersion (testdata/golden holds examples):
//
//	{
//	  "mediaType": "application/vnd.staffpass.verification-result+json",
//	  "version": 1,
//	  "verified": false,
//	  "kind": "presentation",              // or "credential"
//	  "format": "vp+jwt",                  // vc+jwt, data-integrity/<suite>, dc+sd-jwt, ...
//	  "id": "...", "types": ["VerifiablePresentation"],
//	  "holder": "did:key:...",             // a presentation's
//	  "issuer": "did:web:...", "subjects": ["did:key:..."],   // a credential's
//	  "validFrom": "...", "validUntil": "...",                 // a credential's, as judged
//	  "statusAsOf": "...",                 // when the oldest status list read was fetched
//	  "verifiedAt": "2026-11-25T09:00:00Z",
//	  "checks": [{"name": "proof", "status": "passed", "reason": "..."}, ...],
//	  "credentials": [ { ...a Result without mediaType and version... } ],
//	  "warnings": ["conformance mode: ..."],  // what a reader must know besides the checks
//	  "disclosed": ["/dateOfBirth"],       // an SD-JWT VC's: the claims its holder showed
//	  "withheld": {"/dbsCheck": 1}         // an SD-JWT VC's: claims kept back, by where
//	}
//
// Members are only ever added within a version; absent values are left
// out.
//
// # Judging what was signed
//
// Every check reads the document's JSON, while a proof of an -rdfc- suite
// signs the RDF the JSON stands for. Such a proof is accepted only when the
// JSON is in the bound profile of package internal/ld: an exact picture of
// the RDF, each member named by the one term the served contexts give its
// IRI, nothing merged, dropped or moved by a JSON-LD feature. Otherwise the
// proof check fails with ErrNotBound, naming the member and why, and nothing
// the document says is judged. vc+jwt and the -jcs- suites sign the JSON
// itself; a JWT's registered claims must say what the members they stand
// for say.
//
// It fails closed: a context the verifier does not hold, a status entry of
// a type or purpose it cannot check, a schema it does not hold, a status
// list outside its validity period, its JWT nbf and exp or its proof's
// expires, and an envelope carrying members besides the document are all
// refused, each with a reason that names it.
//
// The package does no I/O but through the Resolver the caller passes, never
// fetches a context or schema, and never panics.
package verifier
