// Package staffpass is the root of the staffpass module, which turns NHS staff
// pre-employment checks into W3C Verifiable Credentials that a member of staff
// carries between NHS organisations and that the receiving organisation
// verifies offline.
//
// The packages:
//
//	vc             the Verifiable Credentials Data Model 2.0 (reads 1.1): Parse, Marshal
//	did            DIDs, DID documents, verification methods, resolvers
//	did/key        did:key (staff wallets)
//	did/jwk        did:jwk (staff wallets)
//	did/web        did:web (organisations), with a guarded HTTPS resolver
//	keys           Ed25519, P-256 and P-384 keys: JWK, PEM, Multikey, 0600 files, signers
//	issuer         an organisation's set-up and issuing
//	holder         a member of staff's presentations (vp+jwt, Data Integrity)
//	bundle         signed trust bundles: who is trusted for what, keys, status lists
//	verifier       offline verification of credentials and presentations
//	policy         the role verdict over verified presentations
//	cmd/staffpass  the command-line tool
//
// Verification is offline by construction: no package a verifier uses
// imports net/http, except did/web, which a caller must pass in explicitly.
package staffpass
