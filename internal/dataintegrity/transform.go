package dataintegrity

import (
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"

	"github.com/staffpass/staffpass/internal/jcs"
	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/rdfc"
)

// transformer runs the transformation and hashing steps of the
// cryptosuites. It keeps one scratch buffer for RFC 8785 output, so that
// hashing the document and the proof configurations of a proof set
// allocates it once.
type transformer struct {
	loader *ld.Loader
	buf    []byte
}

// canonical returns the transformed form of v under suite s (Data
// Integrity EdDSA and ECDSA Cryptosuites, sections 3.2.3 and 3.3.3):
// canonical N-Quads (RDFC-1.0, hashing with h inside) for the -rdfc-
// suites, RFC 8785 JSON for the -jcs- suites. The result is valid until
// the next call.
func (t *transformer) canonical(s *suite, v any, h crypto.Hash) ([]byte, error) {
	if s.jcs {
		out, err := jcs.Append(t.buf[:0], v)
		if err != nil {
			return nil, err
		}
		t.buf = out
		return out, nil
	}
	quads, err := ld.ToRDF(v, t.loader)
	if err != nil {
		return nil, err
	}
	res, err := rdfc.Canonicalize(quads, rdfc.Options{Hash: h})
	if err != nil {
		return nil, err
	}
	return res.NQuads, nil
}

// documentHash appends the hash of the transformed document (sections
// 3.x.4 "Hashing", transformedDocumentHash) to dst.
func (t *transformer) documentHash(dst []byte, s *suite, doc map[string]any, h crypto.Hash) ([]byte, error) {
	c, err := t.canonical(s, doc, h)
	if err != nil {
		if errors.Is(err, jcs.ErrUnsupportedValue) || errors.Is(err, jcs.ErrTooDeep) {
			err = fmt.Errorf("%w: %w", ErrInvalidDocument, err)
		}
		return dst, fmt.Errorf("dataintegrity: transforming the document: %w", err)
	}
	return appendHash(dst, h, c), nil
}

// configHash appends the hash of the canonical proof configuration
// (sections 3.x.5 "Proof Configuration" and 3.x.4, proofConfigHash) to dst.
// For the -rdfc- suites a term the @context does not define is an
// ErrContext; any other failure makes the proof an ErrInvalidProof.
func (t *transformer) configHash(dst []byte, s *suite, config map[string]any, h crypto.Hash) ([]byte, error) {
	c, err := t.canonical(s, config, h)
	if err != nil {
		if errors.Is(err, ld.ErrUndefinedTerm) {
			return dst, fmt.Errorf("%w: in the proof configuration: %w", ErrContext, err)
		}
		return dst, fmt.Errorf("%w: transforming the proof configuration: %w", ErrInvalidProof, err)
	}
	return appendHash(dst, h, c), nil
}

// appendHash appends the hash h (SHA-256 or SHA-384) of data to dst.
func appendHash(dst []byte, h crypto.Hash, data []byte) []byte {
	if h == crypto.SHA384 {
		sum := sha512.Sum384(data)
		return append(dst, sum[:]...)
	}
	sum := sha256.Sum256(data)
	return append(dst, sum[:]...)
}
