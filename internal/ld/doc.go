// Package ld turns JSON-LD documents (credentials, presentations, proof
// configurations) into RDF quads, offline and in safe mode, for the
// RDFC-1.0 based Data Integrity cryptosuites (VC Data Integrity 1.0;
// eddsa-rdfc-2022, ecdsa-rdfc-2019).
//
// It implements, with github.com/piprate/json-gold for the JSON-LD
// algorithms:
//
//   - JSON-LD 1.1 Processing Algorithms and API (W3C Recommendation),
//     section 4 (Context Processing), 5.1 (Expansion), 7.2 (Node Map
//     Generation) through json-gold, and 8.1/8.2 (Deserialize JSON-LD to
//     RDF, Object to RDF Conversion) here, because json-gold's version
//     drops statements silently and writes wrong rdf:JSON literals;
//   - a closed document loader ([Loader]) over the contexts embedded in
//     contexts/ (copied byte for byte, with their digests checked by the
//     tests) and any the caller registers; any other URL fails with
//     [ErrContextNotAllowed]. Contexts are decoded once and processed once
//     per Loader, then shared by every document;
//   - safe mode: the document is refused, with the term and its JSON
//     pointer, when a member name or type is not defined by its contexts,
//     when a context redefines a protected term, or when any statement would
//     be lost or changed on the way to RDF (see safemode.go for what
//     json-gold alone misses);
//   - rdf:JSON literals in the JSON Canonicalization Scheme (RFC 8785);
//   - the bound profile ([Bound]), on top of safe mode, for every document
//     a Data Integrity -rdfc- proof signs or verifies: the document's JSON
//     must be an exact picture of its RDF, so that a check that reads JSON
//     members judges what the proof signed. bound.go gives its six rules
//     and why they close the class of rewrites that keep the RDF (and the
//     signature) while moving a value away from the name a reader looks
//     for; what breaks one is refused with [ErrNotBound], naming the member.
//
// Most documents take a faster road to the same quads (fastpath.go): when
// every @context is a served URL and the document keeps to the features
// credentials, presentations and proof configurations use, one walk over
// it expands it and writes its statements, reading contexts processed once
// per Loader. For anything else it declines and the json-gold path above
// runs; differential tests and fuzzing hold the two to the same result.
//
// Base direction. JSON-LD's rdfDirection option decides how a string's
// @direction reaches RDF. Digital Bazaar's jsonld.js, which the Data
// Integrity libraries and test suites use, leaves it unset, so the
// direction would be dropped, and since jsonld.js 8.3 its safe mode refuses
// such a value ("rdfDirection not set"). This package does the same: no
// rdfDirection (in particular not i18n-datatype, which would give
// different quads and so different signatures), and a value carrying a
// base direction fails with [ErrBaseDirection]. json-gold v0.9.1 has no
// rdfDirection option and would drop the direction silently.
//
// Numbers follow jsonld.js (an ECMAScript program): a JSON number is a
// float64; one with no fractional part and below 1e21 is written as an
// xsd:integer in full ("100000000000000000000", where json-gold writes
// 1.0E20), anything else as a canonical xsd:double ("1.5E0").
//
// The document base IRI is empty, as when jsonld.js canonicalizes a
// credential: relative IRI references stay relative, and are refused.
package ld
