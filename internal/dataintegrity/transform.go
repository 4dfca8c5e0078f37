package dataintegrity

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"sync"

	"github.com/staffpass/staffpass/internal/jcs"
	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/rdfc"
)

// transformer runs the transformation and hashing steps of the
// cryptosuites. It keeps one scratch buffer for RFC 8785 output, so that
// hashing the document and the proof configurations of a proof set
// allocates it once, and for the -rdfc- suites a Dataset from datasets.
type transformer struct {
	loader *ld.Loader
	buf    []byte
	ds     *rdfc.Dataset
}

// datasets keeps the Datasets of earlier transformations for reuse; they
// are emptied before they are put back, and are not kept once they grew
// past maxPooledQuads statements.
var datasets = sync.Pool{New: func() any { return new(rdfc.Dataset) }}

const maxPooledQuads = 16384

// release returns t's Dataset to the pool. t must not be used after.
func (t *transformer) release() {
	if t.ds == nil {
		return
	}
	keep := t.ds.Len() <= maxPooledQuads
	t.ds.Reset()
	if keep {
		datasets.Put(t.ds)
	}
	t.ds = nil
}

// dataset converts v to RDF into t's Dataset.
func (t *transformer) dataset(v any) (*rdfc.Dataset, error) {
	if t.ds == nil {
		t.ds = datasets.Get().(*rdfc.Dataset)
	}
	if err := ld.ToDataset(v, t.loader, t.ds, ld.Bound); err != nil {
		return nil, err
	}
	return t.ds, nil
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
	d, err := t.dataset(v)
	if err != nil {
		return nil, err
	}
	b := bytes.NewBuffer(t.buf[:0])
	if err := rdfc.WriteCanonical(b, d, rdfc.Options{Hash: h}); err != nil {
		return nil, err
	}
	t.buf = b.Bytes()
	return t.buf, nil
}

// hash appends the hash h of v transformed under suite s to dst. For the
// -rdfc- suites the canonical N-Quads go straight into the hash.
func (t *transformer) hash(dst []byte, s *suite, v any, h crypto.Hash) ([]byte, error) {
	if s.jcs {
		c, err := t.canonical(s, v, h)
		if err != nil {
			return dst, err
		}
		return appendHash(dst, h, c), nil
	}
	d, err := t.dataset(v)
	if err != nil {
		return dst, err
	}
	hh := h.New()
	if err := rdfc.WriteCanonical(hh, d, rdfc.Options{Hash: h}); err != nil {
		return dst, err
	}
	return hh.Sum(dst), nil
}

// documentHash appends the hash of the transformed document (sections
// 3.x.4 "Hashing", transformedDocumentHash) to dst.
func (t *transformer) documentHash(dst []byte, s *suite, doc map[string]any, h crypto.Hash) ([]byte, error) {
	out, err := t.hash(dst, s, doc, h)
	if err != nil {
		if errors.Is(err, jcs.ErrUnsupportedValue) || errors.Is(err, jcs.ErrTooDeep) {
			err = fmt.Errorf("%w: %w", ErrInvalidDocument, err)
		}
		return dst, fmt.Errorf("dataintegrity: transforming the document: %w", err)
	}
	return out, nil
}

// configHash appends the hash of the canonical proof configuration
// (sections 3.x.5 "Proof Configuration" and 3.x.4, proofConfigHash) to dst.
// For the -rdfc- suites a term the @context does not define is an
// ErrContext; any other failure makes the proof an ErrInvalidProof.
func (t *transformer) configHash(dst []byte, s *suite, config map[string]any, h crypto.Hash) ([]byte, error) {
	out, err := t.hash(dst, s, config, h)
	if err != nil {
		if errors.Is(err, ld.ErrUndefinedTerm) {
			return dst, fmt.Errorf("%w: in the proof configuration: %w", ErrContext, err)
		}
		return dst, fmt.Errorf("%w: transforming the proof configuration: %w", ErrInvalidProof, err)
	}
	return out, nil
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
