// Package rdfc implements RDF Dataset Canonicalization, RDFC-1.0
// (W3C Recommendation, https://www.w3.org/TR/rdf-canon/), and the strict
// N-Quads 1.1 parsing and canonical N-Quads writing it needs.
//
// Canonicalize follows the algorithms of RDFC-1.0 section 4:
//
//   - 4.4.3 the canonicalization algorithm (blank node to quads map, first
//     degree hashes, canonical identifiers for unique hashes, then for
//     shared hashes through the hash path list),
//   - 4.5 Issue Identifier (canonical issuer "c14n", temporary issuers "b"),
//   - 4.6 Hash First Degree Quads ("_:a" for the reference blank node,
//     "_:z" for any other),
//   - 4.7 Hash Related Blank Node,
//   - 4.8 Hash N-Degree Quads,
//
// and returns the serialized canonical form of section 5: every quad in
// the canonical N-Quads form of Appendix A, sorted in code point order and
// concatenated, together with the issued identifiers map of the canonical
// issuer.
//
// The blank node to quads map holds each blank node's mention set (section
// 3): a quad naming the same blank node twice, as in "_:a <p> _:a", is
// hashed once for it, as the reference implementations do. json-gold
// v0.9.1 hashes it twice, so for such datasets its labels can differ.
//
// RDFC-1.0 hashes with SHA-256. The caller may choose SHA-384 instead, as
// ecdsa-rdfc-2019 with P-384 requires for the hash used inside the
// algorithm (the test suite's test075 does the same); no other hash is
// accepted.
//
// Some datasets ("poison" graphs, Security Considerations, "Dataset
// Poisoning") make Hash N-Degree Quads run for an exponential time. Work is
// therefore bounded: by the number of calls of Hash N-Degree Quads and by
// the number of steps spent inside those calls (related blank nodes hashed
// and blank nodes placed while trying permutations). Going over either
// bound fails with ErrTooComplex. Within the bounds the output is exactly
// that of the Recommendation: the implementation prunes permutations whose
// path can no longer become the chosen path, which changes how much work
// is done, never the result.
//
// ParseNQuads reads N-Quads 1.1 (https://www.w3.org/TR/n-quads/) strictly:
// absolute IRIs only, valid UTF-8, ECHAR and UCHAR escapes, language tags,
// datatypes, comments and an optional graph label. AppendQuad writes one
// quad in canonical N-Quads form.
package rdfc
