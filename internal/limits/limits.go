// Package limits holds every size, depth, count and time limit that staffpass
// applies to input it does not trust, in one place, so that a reviewer can see
// at a glance how much work a hostile credential, presentation, DID document or
// status list can make a verifier do.
//
// Each limit is generous for real NHS staff credentials (one subject, tens of
// claims, a handful of credentials in a presentation) and small enough that
// hitting it means the input is broken or hostile.
package limits

import "time"

// JSON input.
const (
	// MaxDocumentBytes caps a credential, presentation or DID document read
	// from a file, an HTTP body or a JWT payload.
	MaxDocumentBytes = 2 << 20 // 2 MiB

	// MaxJSONDepth caps the nesting of objects and arrays.
	MaxJSONDepth = 64

	// MaxJSONMembers caps the members of one object and the elements of
	// one array.
	MaxJSONMembers = 10_000
)

// Verifiable credentials and presentations.
const (
	// MaxContexts caps the entries of one @context.
	MaxContexts = 32

	// MaxTypes caps the entries of one type member.
	MaxTypes = 32

	// MaxSubjects caps the credentialSubject entries of one credential.
	MaxSubjects = 1_000

	// MaxPresentationCredentials caps the credentials in a presentation.
	MaxPresentationCredentials = 100

	// MaxProofs caps the proofs in one proof set.
	MaxProofs = 8

	// MaxJWTBytes caps a compact JWS (vc+jwt, vp+jwt).
	MaxJWTBytes = 3 << 20 // 3 MiB: a 2 MiB payload, base64url-encoded
)

// JSON-LD and RDF.
const (
	// MaxQuads caps the RDF statements one document may produce.
	MaxQuads = 200_000

	// MaxContextDepth caps nested scoped contexts during JSON-LD processing.
	MaxContextDepth = 32

	// MaxBlankNodes caps the blank nodes of a dataset that is canonicalised.
	MaxBlankNodes = 50_000

	// MaxHashNDegreeCalls caps the calls of the RDFC-1.0 Hash N-Degree
	// Quads algorithm, so a "poison" graph fails closed instead of
	// running for hours (RDFC-1.0 section 4.4.1, "Dataset Poisoning").
	MaxHashNDegreeCalls = 10_000

	// MaxNQuadsBytes caps N-Quads text given to the canonicaliser.
	MaxNQuadsBytes = 16 << 20 // 16 MiB
)

// DIDs.
const (
	// MaxDIDLength caps a DID or DID URL.
	MaxDIDLength = 2_048

	// MaxDIDDocumentBytes caps a DID document fetched or read.
	MaxDIDDocumentBytes = 256 << 10 // 256 KiB

	// MaxVerificationMethods caps the verification methods of a DID document.
	MaxVerificationMethods = 256

	// DIDWebTimeout caps a whole did:web resolution, redirects included.
	DIDWebTimeout = 10 * time.Second

	// DIDWebMaxRedirects caps the redirects a did:web resolution follows.
	DIDWebMaxRedirects = 3
)

// Keys.
const (
	// MaxKeyFileBytes caps a key file (JWK, PEM or Multikey JSON).
	MaxKeyFileBytes = 64 << 10 // 64 KiB
)
