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

	// MaxProofValueLength caps a Data Integrity proofValue before it is
	// decoded. Base58 decoding takes time quadratic in the length; the
	// longest signature staffpass checks (96 bytes, P-384) is 132
	// characters in base58btc.
	MaxProofValueLength = 256

	// ProofClockSkew is how far a Data Integrity proof's created time may
	// lie after the verifier's clock before the proof is refused as made
	// in the future, to allow for clocks that disagree.
	ProofClockSkew = 5 * time.Minute

	// MaxJWTBytes caps a compact JWS (vc+jwt, vp+jwt).
	MaxJWTBytes = 3 << 20 // 3 MiB: a 2 MiB payload, base64url-encoded

	// MaxJWSHeaderBytes caps the decoded protected header of a JWS: alg,
	// typ, cty, crit and a kid of at most MaxDIDLength bytes fit easily.
	MaxJWSHeaderBytes = 8 << 10 // 8 KiB

	// MaxProblems caps the problems one validation error lists; the rest
	// are counted, not kept, so a hostile document cannot make the report
	// itself large.
	MaxProblems = 100
)

// JSON-LD and RDF.
const (
	// MaxQuads caps the RDF statements one document may produce.
	MaxQuads = 200_000

	// MaxContextDepth caps nested scoped contexts during JSON-LD processing.
	MaxContextDepth = 32

	// MaxContextLoads caps how many times processing one document may load
	// a context by URL (from the embedded set: nothing is fetched). Each
	// load processes the whole context again, so this bounds the work of a
	// document that repeats @context references in many nodes. A
	// presentation of MaxPresentationCredentials credentials, each naming a
	// few contexts, stays well below it.
	MaxContextLoads = 4_096

	// MaxContextWork caps the work JSON-LD context processing may do for
	// one document: one unit per term definition copied (processing a
	// context copies the active context, as does leaving a type-scoped
	// context) and ten per term definition created. json-gold processes a
	// scoped context again at every node it applies to, so a large context
	// applied at many nodes would otherwise keep a verifier busy for
	// minutes. A credential takes a few thousand units, a presentation of
	// a hundred credentials under two hundred thousand.
	MaxContextWork = 2_000_000

	// MaxBlankNodes caps the blank nodes of a dataset that is canonicalised.
	MaxBlankNodes = 50_000

	// MaxHashNDegreeCalls caps the calls of the RDFC-1.0 Hash N-Degree
	// Quads algorithm, so a "poison" graph fails closed instead of
	// running for hours (RDFC-1.0 section 4.4.1, "Dataset Poisoning").
	MaxHashNDegreeCalls = 10_000

	// MaxHashNDegreeSteps caps the work done inside those calls, counted
	// as related blank nodes hashed plus blank nodes placed while trying
	// permutations (RDFC-1.0 section 4.8.3 steps 3 and 5.4), so that few
	// calls over many permutations cannot run for long either.
	MaxHashNDegreeSteps = 1_000_000

	// MaxNQuadsBytes caps N-Quads text given to the canonicaliser.
	MaxNQuadsBytes = 16 << 20 // 16 MiB

	// MaxCanonicalBytes caps the canonical N-Quads the canonicaliser
	// writes, so that terms repeated over many quads cannot make it use
	// unbounded memory.
	MaxCanonicalBytes = 64 << 20 // 64 MiB
)

// Status lists (W3C Bitstring Status List v1.0).
const (
	// MaxStatusListBytes caps the decompressed bitstring of a status list
	// (134,217,728 one-bit entries, a thousand times the 16 KB minimum). A
	// few kilobytes of GZIP can expand to gigabytes, so decoding stops
	// here instead of trusting the compressed size.
	MaxStatusListBytes = 16 << 20 // 16 MiB
)

// Time.
const (
	// ClockSkew is how far an issuer's clock and a verifier's may disagree:
	// a credential is accepted this long before its validity period (or
	// its JWT nbf) starts and this long after it (or its JWT exp) ends.
	ClockSkew = time.Minute
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

	// MaxCachedKeys caps the did:key and did:jwk public keys a verifier
	// keeps once resolved, so that a stream of credentials from ever new
	// holders cannot make its cache grow without bound.
	MaxCachedKeys = 4_096
)

// Salted identifier hashes (vc/staff.SaltedHash, PBKDF2-HMAC-SHA256).
const (
	// MinHashIterations is the fewest PBKDF2 iterations a salted
	// identifier hash may record. Fewer would let anyone holding a
	// credential try every value of a short identifier (a 9-digit
	// passport number, a 12-digit DBS certificate number) cheaply; such a
	// hash is refused, never checked.
	MinHashIterations = 10_000

	// MaxHashIterations is the most PBKDF2 iterations a salted identifier
	// hash may record: fifty times the default (vc/staff.DefaultIterations),
	// room to raise it for years, while checking one hostile hash still
	// costs a verifier at most about two seconds of CPU.
	MaxHashIterations = 10_000_000
)

// Batch issuance from a spreadsheet export (vc/staff.ReadCSV,
// issuer.IssueBatch).
const (
	// MaxCSVBytes caps a CSV file of staff rows: a few hundred bytes a
	// row, so room for the largest trust's whole workforce.
	MaxCSVBytes = 64 << 20 // 64 MiB

	// MaxCSVRows caps the data rows of one CSV file read whole
	// (vc/staff.ReadCSV); vc/staff.CSVReader streams a file of any
	// number of rows.
	MaxCSVRows = 200_000

	// MaxCSVRowBytes caps one row of a CSV file read as a stream: the
	// widest row of a staff type is a few KiB.
	MaxCSVRowBytes = 256 << 10 // 256 KiB

	// MaxCSVColumns caps the columns of one CSV file; the widest row
	// mapping (mandatory training) has about fifty.
	MaxCSVColumns = 200

	// MaxCSVCellBytes caps one cell: a list of fifty texts of two hundred
	// characters fits.
	MaxCSVCellBytes = 64 << 10 // 64 KiB

	// MaxBatchFailures caps the failures a batch keeps in memory for its
	// result; its errors file lists them all.
	MaxBatchFailures = 10_000

	// MaxBatchWorkers caps the goroutines that issue a batch's rows at once.
	MaxBatchWorkers = 64
)

// Keys.
const (
	// MaxKeyFileBytes caps a key file (JWK, PEM or Multikey JSON).
	MaxKeyFileBytes = 64 << 10 // 64 KiB
)

// Trust bundles and presentations.
const (
	// MaxBundleBytes caps a signed trust bundle: the issuers of a whole
	// country, their DID documents and status lists (NHS England's 250
	// organisations with two lists each make about 3 MiB).
	MaxBundleBytes = 64 << 20 // 64 MiB

	// MaxBundleIssuers caps the issuers of one trust bundle.
	MaxBundleIssuers = 10_000

	// MaxBundleStatusLists caps the status list credentials of one bundle.
	MaxBundleStatusLists = 10_000

	// MaxBundleDocumentBytes caps one DID document or status list
	// credential a bundle is built from.
	MaxBundleDocumentBytes = MaxFetchBytes

	// MaxFetchBytes caps a body did:web's guarded client fetches besides a
	// DID document: a status list credential.
	MaxFetchBytes = 4 << 20 // 4 MiB

	// PresentationMaxAge is how long after it was made a presentation is
	// accepted by default: a phone makes one for the verifier in front of
	// it, so minutes are plenty, and a replay later fails.
	PresentationMaxAge = 10 * time.Minute
)
