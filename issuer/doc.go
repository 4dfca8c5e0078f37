// Package issuer is the issuing side of staffpass: an NHS organisation's
// set-up (its did:web DID, signing key and DID document), and issuing
// credentials.
package issuer
