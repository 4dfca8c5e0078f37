// Package status implements W3C Bitstring Status List v1.0
// (https://www.w3.org/TR/vc-bitstring-status-list/, Recommendation of
// 15 May 2025): the bitstring itself ([List]: section 2.2 encodedList,
// sections 3.3 and 3.4, the generation and expansion algorithms, and the
// bit order of section 7.1), the BitstringStatusListEntry a credential
// carries in credentialStatus ([Entry], section 2.1), the
// BitstringStatusListCredential that publishes a list ([ListCredential],
// section 2.2), and the status check of the validate algorithm (section 3.2)
// as a pure function ([Validate]).
//
// It also reads, never writes, its predecessor, the W3C CCG's
// StatusList2021 (https://www.w3.org/community/reports/credentials/CG-FINAL-vc-status-list-2021-20230102/),
// which Microsoft Entra Verified ID and so the NHS Digital Staff Passport
// use: a StatusList2021Entry ([TypeEntry2021]) and a
// StatusList2021Credential ([TypeListCredential2021]) hold the same
// bitstring, encoded without the multibase prefix ([Decode2021]). An entry
// of one kind is only ever judged against a list of the same kind. Other
// status types (RevocationList2021Status, CredentialStatusList2017, ...)
// are not read: the verifier fails them closed.
//
// The package neither fetches nor verifies anything: the caller verifies the
// status list credential's proof (and that it trusts its issuer) before
// handing it to [ReadListCredential] and [Validate], and passes the time.
//
// Only statusSize 1 is supported, which section 1.3 allows ("conforming
// processors MAY choose to only support bitstring entry sizes of 1"): entries
// with a larger statusSize parse, but [Validate] refuses them with
// [ErrStatusSize].
//
// Errors map to the spec's error types: [ErrMalformed] is
// MALFORMED_VALUE_ERROR, [ErrListLength] STATUS_LIST_LENGTH_ERROR,
// [ErrIndexOutOfRange] RANGE_ERROR, and the mismatch and validity errors are
// kinds of STATUS_VERIFICATION_ERROR.
package status
