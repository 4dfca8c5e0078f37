package ld

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

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

// toFloat converts the number types a decoded JSON document may hold to the
// float64 that jsonld.js (an ECMAScript program) would hold.
func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return f, err == nil
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	}
	return 0, false
}
