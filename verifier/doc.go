// Package verifier verifies staff credentials offline and says why: Verify
// returns a Result holding every check (syntax, proof, issuer trust, validity
// period, status) with its outcome and reason, and an error that is nil
// exactly when every check passed.
//
// A Verifier is made with New from a Trust (the issuers it trusts and a DID
// resolver) and a few options (clock, clock skew, allowed Data Integrity
// cryptosuites and JOSE algorithms, extra JSON-LD contexts, low-S ECDSA
// only). Everything trust depends on is an input; no option turns a check
// off.
//
// It verifies the securing mechanisms of W3C VC-JOSE-COSE (vc+jwt, and the
// VCDM 1.1 JWT encoding, read only) and W3C VC Data Integrity 1.0
// (eddsa-rdfc-2022, ecdsa-rdfc-2019, eddsa-jcs-2022, ecdsa-jcs-2019). A proof's
// verification method must be a DID URL of the credential's issuer, listed
// for assertionMethod in the issuer's DID document (Controlled Identifiers
// 1.0 section 3.3). JSON-LD contexts come only from the embedded set; the
// package does no I/O but through the Resolver the caller passes.
//
// # Judging what was signed
//
// Every check reads the credential's JSON, while a proof of an -rdfc- suite
// signs the RDF the JSON stands for. Such a proof is accepted only when the
// JSON is in the bound profile of package internal/ld: an exact picture of
// the RDF, each member named by the one term the contexts give its IRI,
// nothing merged, dropped or moved by a JSON-LD feature. Otherwise the proof
// check fails with ErrNotBound, naming the member and why, and nothing the
// credential says is judged. vc+jwt and the -jcs- suites sign the JSON
// itself; a JWT's registered claims must say what the members they stand
// for say.
//
// It fails closed: a credential naming a context the verifier does not
// hold (ErrUnknownContext), a status entry of a type or purpose it cannot
// check, a status list outside its validity period, its JWT nbf and exp or
// its proof's expires, and an envelope carrying members besides the
// credential are all refused, each with a reason that names it.
package verifier
