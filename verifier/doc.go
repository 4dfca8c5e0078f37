// Package verifier verifies staff credentials offline and says why: Verify
// returns a Result holding every check (syntax, proof, issuer trust, validity
// period) with its outcome and reason, and an error that is nil exactly when
// every check passed.
//
// A Verifier is made with New from a Trust (the issuers it trusts and a DID
// resolver) and a few options (clock, clock skew, allowed Data Integrity
// cryptosuites and JOSE algorithms, extra JSON-LD contexts). Everything trust
// depends on is an input; no option turns a check off.
//
// It verifies the securing mechanisms of W3C VC-JOSE-COSE (vc+jwt, and the
// VCDM 1.1 JWT encoding, read only) and W3C VC Data Integrity 1.0
// (eddsa-rdfc-2022, ecdsa-rdfc-2019, eddsa-jcs-2022, ecdsa-jcs-2019). A proof's
// verification method must be a DID URL of the credential's issuer, listed
// for assertionMethod in the issuer's DID document (Controlled Identifiers
// 1.0 section 3.3). JSON-LD contexts come only from the embedded set; the
// package does no I/O but through the Resolver the caller passes.
package verifier
