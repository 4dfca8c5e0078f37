// Package strictjson checks that JSON text meets the rules staffpass applies to
// every signed or security-relevant input before any decoder sees it:
//
//   - it is well-formed JSON (RFC 8259) and valid UTF-8, with no unpaired
//     surrogate escapes (I-JSON, RFC 7493 section 2.1);
//   - no object has two members with the same name (RFC 7493 section 2.3).
//     encoding/json keeps the last of two duplicates silently, so a signer
//     and a verifier could read different values from the same bytes;
//   - numbers are within the range of a float64 and say no more than a
//     float64 holds (RFC 7493 section 2.2): 9007199254740993 and
//     0.10000000000000000001 are refused, since a reader that uses float64
//     (a JSON-LD processor) and one that does not would read two values;
//   - nesting depth, member counts and total size stay within
//     [limits.MaxJSONDepth], [limits.MaxJSONMembers] and a caller's cap.
//
// One lexer (lex.go) applies these rules, and every reader of JSON in the
// security core reads what it found: Check, Decode (Go values), and Parse
// (a [Tape] of the values' kinds and spans, which the data model, the JOSE
// header reader and the Data Integrity proof writer walk instead of
// splitting the text again). A value read by two parsers would be a value
// two parsers could disagree on.
package strictjson

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error Check returns.
var ErrInvalid = errors.New("invalid JSON")

// Error reports where JSON text breaks a rule.
type Error struct {
	// Pointer is the RFC 6901 JSON pointer of the member or element being
	// read when the problem was found ("" is the whole document).
	Pointer string
	// Offset is the byte offset of the problem.
	Offset int
	// Reason says what is wrong, in words.
	Reason string
}

func (e *Error) Error() string {
	ptr := e.Pointer
	if ptr == "" {
		ptr = "/"
	}
	return fmt.Sprintf("invalid JSON at %s (byte %d): %s", ptr, e.Offset, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *Error) Unwrap() error { return ErrInvalid }

// Check reports whether data is one strict JSON value (see the package
// documentation), at most maxBytes long. A maxBytes of 0 means
// [limits.MaxDocumentBytes].
func Check(data []byte, maxBytes int) error {
	l := getLexer(data)
	defer l.release()
	return l.lex(maxBytes)
}
