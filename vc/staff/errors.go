package staff

import (
	"errors"
	"fmt"
	"strings"

	"github.com/staffpass/staffpass/internal/limits"
)

// ErrInvalid is wrapped by every error that says a staff credential, a
// claims value or a role is not valid (a [*ValidationError]).
var ErrInvalid = errors.New("staff: invalid")

// Sentinels for the kinds of rule a credential, a claims value or a role
// can break. Each [FieldError] carries one of them, and errors.Is(err, ErrX)
// holds for a [*ValidationError] when any of its problems has kind ErrX.
var (
	// ErrSyntax: the text is not strict JSON (see internal/strictjson) or
	// not a JSON object.
	ErrSyntax = errors.New("staff: not a strict JSON object")

	// ErrType: the credential has none of the staff credential types, or
	// more than one.
	ErrType = errors.New("staff: not exactly one staff credential type")

	// ErrSchema: the credential does not match the JSON Schema of its type
	// (a wrong JSON type, an unknown member, a malformed date) in a way
	// that no more precise kind below describes. Where the Go rules of the
	// type find a problem at the same field, the problem carries their
	// kind and words instead.
	ErrSchema = errors.New("staff: does not match its JSON Schema")

	// ErrSchemaReference: credentialSchema does not name the schema of the
	// credential's type with the digest of the embedded copy.
	ErrSchemaReference = errors.New("staff: credentialSchema does not reference the schema of its type")

	// ErrMissing: a field that the credential type, or another field,
	// requires is absent.
	ErrMissing = errors.New("staff: required field missing")

	// ErrNotAllowed: a field is present that another field rules out,
	// such as a permission expiry date on an unlimited right to work.
	ErrNotAllowed = errors.New("staff: field not allowed here")

	// ErrContradiction: two fields contradict each other, such as a
	// follow-up date after the permission expires.
	ErrContradiction = errors.New("staff: contradictory fields")

	// ErrFormat: a value does not have the form its field needs, such as
	// a registration number that is not in the regulator's format.
	ErrFormat = errors.New("staff: value not in the expected format")

	// ErrIterations: the PBKDF2 iteration count of a SaltedHash is below
	// limits.MinHashIterations (too cheap to guess against) or above
	// limits.MaxHashIterations (too costly to check).
	ErrIterations = errors.New("staff: salted hash iteration count out of bounds")

	// ErrFuture: a date that must already have passed (a check, a
	// completion, a birth) is after the date the credential was issued.
	ErrFuture = errors.New("staff: date in the future")
)

// FieldError is one broken rule, located by the RFC 6901 JSON pointer of
// the field in the credential (such as "/credentialSubject/dbsLevel") or,
// for a role, in the role document.
type FieldError struct {
	// Pointer is the JSON pointer of the offending field ("" is the whole
	// document).
	Pointer string
	// Reason says what is wrong, for a person.
	Reason string
	// Err is the sentinel for the kind of rule, such as ErrMissing.
	Err error
}

func (e *FieldError) Error() string {
	where := e.Pointer
	if where == "" {
		where = "document"
	}
	return fmt.Sprintf("%s: %s", where, e.Reason)
}

// Unwrap makes errors.Is(err, ErrX) hold for the sentinel in Err.
func (e *FieldError) Unwrap() error { return e.Err }

// ValidationError lists every rule a credential, claims value or role
// breaks, at most limits.MaxProblems of them.
type ValidationError struct {
	// Problems holds the broken rules, each naming its field.
	Problems []*FieldError
	// Omitted counts the problems found beyond limits.MaxProblems.
	Omitted int
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("staff: invalid: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Error())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "; and %d more", e.Omitted)
	}
	return b.String()
}

// Unwrap returns ErrInvalid and every problem, so that errors.Is and
// errors.As see all of them.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, 0, len(e.Problems)+1)
	out = append(out, ErrInvalid)
	for _, p := range e.Problems {
		out = append(out, p)
	}
	return out
}

// Field returns the first problem at pointer, or nil.
func (e *ValidationError) Field(pointer string) *FieldError {
	for _, p := range e.Problems {
		if p.Pointer == pointer {
			return p
		}
	}
	return nil
}

// problems collects FieldErrors while a value is checked.
type problems struct {
	list    []*FieldError
	omitted int
}

func (ps *problems) add(pointer string, err error, format string, args ...any) {
	if len(ps.list) >= limits.MaxProblems {
		ps.omitted++
		return
	}
	ps.list = append(ps.list, &FieldError{Pointer: pointer, Reason: fmt.Sprintf(format, args...), Err: err})
}

// err returns nil when nothing was added, else a *ValidationError.
func (ps *problems) err() error {
	if len(ps.list) == 0 && ps.omitted == 0 {
		return nil
	}
	return &ValidationError{Problems: ps.list, Omitted: ps.omitted}
}

// pointerEscape escapes a member name for a JSON pointer (RFC 6901
// section 3).
func pointerEscape(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
