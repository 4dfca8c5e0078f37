package dataintegrity

import (
	"errors"

	"github.com/staffpass/staffpass/internal/ld"
)

// Errors Sign, Verify and ParseProof return, wrapped with details. Callers
// branch on them with errors.Is.
var (
	// ErrInvalidDocument: the input is not strict JSON (see
	// internal/strictjson) or not a JSON object.
	ErrInvalidDocument = errors.New("dataintegrity: invalid document")

	// ErrInvalidOptions: SignOptions or VerifyOptions are incomplete or
	// inconsistent (no suites allowed, no key function, no time, an
	// unknown suite name, a signer whose key does not fit the suite).
	ErrInvalidOptions = errors.New("dataintegrity: invalid options")

	// ErrNoProof: the document has no proof member, or an empty list.
	ErrNoProof = errors.New("dataintegrity: document has no proof")

	// ErrInvalidProof: a proof is malformed: not an object, a required
	// member missing, a member null or of the wrong type, a date that is
	// not an XML Schema dateTimeStamp, a proofValue that is not base58btc
	// multibase or has the wrong length, more proofs than limits.MaxProofs,
	// two proofs with the same id.
	ErrInvalidProof = errors.New("dataintegrity: invalid proof")

	// ErrUnsupportedSuite: the proof type is not DataIntegrityProof, or its
	// cryptosuite is unknown or not on the caller's allow-list.
	ErrUnsupportedSuite = errors.New("dataintegrity: unsupported or disallowed cryptosuite")

	// ErrKeyType: the key does not fit the cryptosuite (an Ed25519 key
	// for an ecdsa suite, an ECDSA key for an eddsa suite, a P-384 key
	// with a P-256 sized signature, a curve other than P-256 and P-384).
	ErrKeyType = errors.New("dataintegrity: key does not fit the cryptosuite")

	// ErrSignature: the signature does not verify over the document and
	// proof configuration.
	ErrSignature = errors.New("dataintegrity: signature does not verify")

	// ErrPurpose: the proof's proofPurpose is not the one expected.
	ErrPurpose = errors.New("dataintegrity: unexpected proof purpose")

	// ErrChallenge: the proof's challenge is not the one expected.
	ErrChallenge = errors.New("dataintegrity: challenge does not match")

	// ErrDomain: the proof's domain is not the one expected.
	ErrDomain = errors.New("dataintegrity: domain does not match")

	// ErrExpired: the proof's expires time is not after the verification
	// time.
	ErrExpired = errors.New("dataintegrity: proof expired")

	// ErrCreatedInFuture: the proof's created time is more than
	// limits.ProofClockSkew after the verification time.
	ErrCreatedInFuture = errors.New("dataintegrity: proof created in the future")

	// ErrPreviousProof: a proof names in previousProof a proof that is not
	// in the set, or one that did not verify.
	ErrPreviousProof = errors.New("dataintegrity: previous proof missing or not verified")

	// ErrContext: the document's @context cannot carry a DataIntegrityProof
	// (it defines neither the proof's type nor its members), or a -jcs-
	// proof's @context is not the beginning of the document's @context.
	ErrContext = errors.New("dataintegrity: @context does not fit the proof")

	// ErrNotBound: an -rdfc- proof would not bind what a reader of the
	// JSON sees. The document or the proof is outside the bound profile
	// of package ld (a member under another name than its term, a node
	// described twice, a value object, ...), or the proof carries an
	// @context of its own, which -rdfc- suites do not sign. It is
	// ld.ErrNotBound itself, so errors.Is works with either.
	ErrNotBound = ld.ErrNotBound
)
