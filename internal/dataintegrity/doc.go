// Package dataintegrity adds and verifies W3C Data Integrity proofs
// (Verifiable Credential Data Integrity 1.0, W3C Recommendation) of type
// DataIntegrityProof, with four cryptosuites:
//
//   - eddsa-rdfc-2022 and eddsa-jcs-2022 (Data Integrity EdDSA Cryptosuites
//     v1.0, sections 3.2 and 3.3): Ed25519 over SHA-256 hashes;
//   - ecdsa-rdfc-2019 and ecdsa-jcs-2019 (Data Integrity ECDSA Cryptosuites
//     v1.0, sections 3.2 and 3.3): ECDSA with P-256 and SHA-256, or P-384
//     and SHA-384 throughout (both hashes and, for ecdsa-rdfc-2019, the hash
//     inside RDFC-1.0), with IEEE P1363 signatures (r||s).
//
// Each suite hashes two things and signs proofConfigHash || documentHash:
//
//   - the document without its proof, transformed: for the -rdfc- suites
//     JSON-LD to RDF (package ld, safe mode, contexts only from a closed
//     Loader) then RDFC-1.0 (package rdfc) to canonical N-Quads; for the
//     -jcs- suites RFC 8785 (package jcs) of the JSON, with no JSON-LD
//     processing at all;
//   - the proof configuration: the proof without proofValue, transformed
//     the same way. For the -rdfc- suites its @context is the document's
//     (section 3.2.5 "Proof Configuration"). For the -jcs- suites the
//     proof carries the document's @context itself when the document has
//     one (section 3.3.1 "Create Proof", step 2), and a verifier checks that
//     the document's @context starts with the proof's and hashes the
//     document under the proof's @context (section 3.3.2, step 4).
//
// The proof value is multibase base58btc ('z') of the signature.
//
// Proof sets and chains follow Data Integrity 1.0 sections 4.3 "Add Proof
// Set/Chain" and 4.5 "Verify Proof Sets and Chains": every proof signs the
// document without any proof, except that a proof naming others in
// previousProof signs the document whose proof is the list of those
// proofs, in the order they appear in the set. Verify checks every proof;
// a proof whose previous proofs do not verify fails with ErrPreviousProof.
//
// Sign refuses a document whose @context cannot define DataIntegrityProof:
// one that lists neither https://www.w3.org/ns/credentials/v2 nor a
// https://w3id.org/security/data-integrity/ context (ErrContext). A VCDM 1.1
// credential (https://www.w3.org/2018/credentials/v1 alone) must have
// https://w3id.org/security/data-integrity/v2 added to its @context by the
// caller before it is signed: Sign never changes what the issuer wrote
// outside the proof. Verify applies the same rule to -jcs- proofs (the
// -rdfc- ones fail JSON-LD safe mode on an undefined term instead).
//
// The -rdfc- suites convert documents, proof configurations included, in
// the bound profile of package ld, both to sign and to verify: a document
// whose JSON a reader could read otherwise than the RDF the proof signs (a
// member under its absolute IRI, an alias, @nest, a node described twice, a
// value object, ...) is refused with ErrNotBound, so what a verifier reads
// is what was signed; and an -rdfc- proof carrying its own @context, which
// these suites do not sign, is refused the same way. Sign writes only the
// lower-S form of an ECDSA signature; VerifyOptions.LowS refuses the other.
//
// Verification takes its trust decisions as inputs: an allow-list of
// suites, the expected proof purpose, the time, and a KeyFunc that turns a
// verification method into a public key (the caller resolves DIDs and
// checks that the issuer controls the method; this package never does). It
// never panics, and every failure wraps one of the package's sentinel
// errors (errors from packages ld and rdfc are wrapped as they are).
package dataintegrity
