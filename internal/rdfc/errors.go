package rdfc

import (
	"errors"
	"strconv"
)

var (
	// ErrSyntax is wrapped by every N-Quads syntax error (see SyntaxError).
	ErrSyntax = errors.New("rdfc: invalid n-quads")

	// ErrTooLarge means the input is over a limit of package limits:
	// its size in bytes, its number of quads or of blank nodes.
	ErrTooLarge = errors.New("rdfc: input too large")

	// ErrTooComplex means canonicalizing the dataset needs more work than
	// allowed (RDFC-1.0, Security Considerations, "Dataset Poisoning").
	ErrTooComplex = errors.New("rdfc: dataset too complex to canonicalize")

	// ErrUnsupportedHash means the hash requested is neither SHA-256 nor
	// SHA-384.
	ErrUnsupportedHash = errors.New("rdfc: unsupported hash algorithm")

	// ErrInvalidTerm means a quad given to Canonicalize or AppendQuad holds a
	// term that is not valid in its position or cannot be written as
	// canonical N-Quads.
	ErrInvalidTerm = errors.New("rdfc: invalid rdf term")
)

// SyntaxError reports where and why an N-Quads document is invalid. It
// wraps ErrSyntax.
type SyntaxError struct {
	Line   int    // 1-based line number
	Column int    // 1-based column, in characters
	Msg    string // what is wrong
}

func (e *SyntaxError) Error() string {
	return "rdfc: n-quads line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Column) + ": " + e.Msg
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }
