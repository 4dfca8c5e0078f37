// Package vc implements the W3C Verifiable Credentials Data Model v2.0
// (https://www.w3.org/TR/vc-data-model-2.0/), and reads documents of the
// Verifiable Credentials Data Model v1.1
// (https://www.w3.org/TR/vc-data-model-1.1/): the [Credential] and
// [Presentation] types, the enveloped forms of section 4.13
// ([Envelope], with the data: URL of RFC 2397 in [DataURL]), and a strict
// parser and a marshaller for them.
//
// [Parse], [ParsePresentation] and [ParseDocument] are strict and do not
// verify. They refuse text that is not strict JSON and report, in one
// [*ValidationError], every normative rule of the data model that the
// document breaks and that can be judged without JSON-LD processing or a
// signature check:
//
//   - section 4.3: @context is an ordered set whose first entry is
//     https://www.w3.org/ns/credentials/v2 (or, for 1.1,
//     https://www.w3.org/2018/credentials/v1), and each entry is a URL or an
//     object;
//   - 4.4: every id is a single URL;
//   - 4.5: type is present, one or more non-empty strings, and includes
//     VerifiableCredential or VerifiablePresentation;
//   - 4.6 and 11.1: name and description are strings or language value
//     objects;
//   - 4.7: issuer is a URL or an object with an id URL;
//   - 4.8: credentialSubject is present and each subject has a claim;
//   - 4.9: validFrom and validUntil are dateTimeStamps and validUntil is
//     not before validFrom (1.1: issuanceDate is present; both 1.1 dates
//     are dateTimeStamps);
//   - 4.10, 4.11, 5.3 to 5.6: each credentialStatus, credentialSchema,
//     evidence, termsOfUse and refreshService entry has a type (and the
//     ids each needs), and each relatedResource entry an id and a digest;
//   - 4.12: each proof is an object with a type;
//   - 4.13: holder is a URL or an object with an id URL, and each
//     verifiableCredential entry is a credential (checked by the same
//     rules) or an EnvelopedVerifiableCredential whose id is a data: URL.
//
// Rules that need JSON-LD processing (every term maps to an IRI, a
// protected term is not redefined) are left to the JSON-LD processor, and
// proofs to the securing mechanisms. A successful parse proves only that
// the document is well formed.
//
// Members the types do not model are kept in Extra maps, and each value
// that JSON may write as one value or an array remembers its form ([Set]),
// so that a parsed document marshals back to the same members and values.
package vc
