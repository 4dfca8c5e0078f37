// Package bundle builds, signs and opens trust bundles: what a verifier
// needs to verify staff credentials offline, signed and dated by a
// publisher it has chosen to trust (NHS England's did:web for the national
// list, a consortium such as the four King's Health Partners organisations
// for theirs, or the receiving trust itself).
//
// # Format (version 1)
//
// A signed bundle is a compact JWS (RFC 7515) with typ
// "staffpass-trust-bundle+jwt", signed with EdDSA, ES256 or ES384 by a
// verification method the publisher's DID document lists for
// assertionMethod (its kid). Its payload is a JSON object (strict JSON:
// no duplicate member, no member this version does not define):
//
//	{
//	  "type": "StaffpassTrustBundle",
//	  "version": 1,
//	  "publisher": "did:web:england.nhs.uk",
//	  "name": "NHS England national trust list",
//	  "created": "2026-12-06T09:00:00Z",
//	  "validUntil": "2026-12-13T09:00:00Z",
//	  "issuers": [{
//	    "id": "did:web:kch.nhs.uk",
//	    "name": "King's College Hospital NHS Foundation Trust",
//	    "types": ["IdentityCheckCredential", "DBSCheckCredential"],
//	    "didDocument": { ... the issuer's DID document ... },
//	    "retiredKeys": [{"method": { ... a verification method ... },
//	                     "relationships": ["assertionMethod"],
//	                     "retired": "2026-06-01T00:00:00Z"}],
//	    "compromisedKeys": ["did:web:kch.nhs.uk#key-2024"]
//	  }],
//	  "statusLists": [{"url": "https://kch.nhs.uk/status/1",
//	                   "fetched": "2026-12-06T09:00:00Z",
//	                   "credential": "eyJ... (a vc+jwt) or { ... Data Integrity JSON ... }"}],
//	  "contexts": [{"id": "https://w3id.org/staffpass/v1", "digestSRI": "sha384-..."}],
//	  "schemas": [{"id": "https://w3id.org/staffpass/schemas/v1/dbs-check.json", "digestSRI": "sha384-..."}]
//	}
//
// The meaning a verifier gives it (package verifier):
//
//   - an issuer is trusted for the credential types listed, and no other;
//     an issuer listed by two bundles a verifier accepts gets the union;
//   - its DID document is the one used to find its keys; a retired key
//     verifies what was issued (by the proof's created, a JWT's iat)
//     before it was retired, and nothing after; a compromised key verifies
//     nothing, whatever date a credential gives, since an issue date is
//     only the signer's word;
//   - the status lists are checked like any status list credential (their
//     own proof, issuer, validity), and are as fresh as when fetched;
//   - past validUntil the bundle is stale: verification fails on it unless
//     the caller accepts stale status, and then says so;
//   - a context or schema a verifier holds under an id the bundle lists
//     must have the digest it gives.
//
// Build assembles a bundle from a TrustList, over the network (did:web's
// guarded resolver), from local files (Files: DID documents and status list
// credentials, each found by the id it carries) or from any other Source,
// and keeps each issuer's key history from the bundle built before. Sign
// signs it; Open verifies one against the publisher the caller configured
// and reads it. The package does no network I/O of its own (ReadFiles reads
// the files it is given).
package bundle
