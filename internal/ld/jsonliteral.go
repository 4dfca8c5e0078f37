package ld

import (
	"errors"
	"fmt"

	"github.com/staffpass/staffpass/internal/jcs"
)

// jsonLiteral returns the lexical form of an rdf:JSON literal: the JSON
// Canonicalization Scheme (RFC 8785) serialisation of v, as JSON-LD 1.1
// (section 8.5 of the API, step 8 of Object to RDF Conversion) and
// jsonld.js require.
//
// json-gold gets this wrong for every @json value that is not an object
// (it parses a string value as JSON text, gives up on arrays and null, and
// writes non-integral numbers as xsd:double lexical forms), so literals are
// made here instead, with package jcs.
func jsonLiteral(v any) (string, error) {
	b, err := jcs.Marshal(v)
	switch {
	case errors.Is(err, jcs.ErrTooDeep):
		return "", fmt.Errorf("%w: JSON literal nested too deeply", ErrLimit)
	case err != nil:
		return "", fmt.Errorf("%w: a JSON literal: %w", ErrInvalidJSONLD, err)
	}
	return string(b), nil
}
