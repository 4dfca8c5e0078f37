// Package staff defines the NHS staff credentials of staffpass: what each
// says, as Go types, as a JSON-LD vocabulary and as JSON Schemas, and what an
// NHS role needs to see in them.
//
// It models the NHS Employers employment check standards (identity, right
// to work, criminal record (DBS), professional registration, occupational
// health, employment history) and the Core Skills Training Framework as
// eight credential types of the W3C Verifiable Credentials Data Model 2.0:
//
//	IdentityCheckCredential                 *IdentityCheck
//	RightToWorkCredential                   *RightToWork
//	DBSCheckCredential                      *DBSCheck
//	MandatoryTrainingCredential             *MandatoryTraining
//	ProfessionalRegistrationCredential      *ProfessionalRegistration
//	OccupationalHealthClearanceCredential   *OccupationalHealthClearance
//	EmploymentCredential                    *Employment
//	EmploymentHistoryCredential             *EmploymentHistory
//
// Vocabulary. Every claim is a term of the JSON-LD context at ContextURL
// (https://w3id.org/staffpass/v1, embedded; ContextDocument), which a staff
// credential names second, after https://www.w3.org/ns/credentials/v2.
// The context is @protected, has no @vocab, and maps each term to
// VocabularyURL + term. Dates are typed xsd:date, a salted hash's
// iteration count xsd:integer, the employer is an IRI, the SRI photo
// digest is a credentials#sriString, and enumerations are plain strings
// checked by the schemas. It redefines no term of credentials v2, which
// itself defines BitstringStatusListEntry, so a revocable credential needs
// no third context. The document never changes once released; a change of
// meaning gets a new URL.
//
// Schemas. Each type has a JSON Schema (draft 2020-12, embedded, see
// CredentialSchema) with $id SchemaBaseURL + "<type>.json". A credential
// references its schema in credentialSchema with type JsonSchema and the
// digestSRI of the embedded bytes (Verifiable Credentials JSON Schema
// Specification section 3.1.1; VCDM 2.0 section 4.11 and 5.3). Validate
// checks a credential against the embedded schemas only (nothing is ever
// fetched) and against the Go rules of its type, which also judge what a
// schema cannot: dates in order, no date after issue.
//
// Minimum disclosure. No credential holds a photograph, what a DBS
// certificate disclosed, health details beyond yes/no clearance flags, or a
// document number, share code or DBS certificate number: those appear only
// as a SaltedHash (PBKDF2-HMAC-SHA256, RFC 8018, with a random salt and the
// iteration count recorded beside the digest) that a verifier holding the
// real number can check. The hash makes each guess slow; it cannot stop
// someone holding the credential from guessing, so a credential stays
// personal data.
//
// Training currency. A MandatoryTraining credential says when each subject
// was completed; RefreshPeriod values say how long each stays current, with
// defaults read from the CSTF guidance that an organisation overrides in its
// own policy (see DefaultRefreshPeriods and TrainingCurrency).
//
// Role requirements. A Role (ParseRole, a JSON document with a JSON Schema)
// says what a role needs; Evaluate judges verified credentials against it,
// requirement by requirement.
//
// Dates are calendar dates (Date). Time is always passed in, never read from
// the clock.
package staff
