package ld

import (
	"errors"
	"fmt"
	"strings"
)

// Errors that processing a document can return, each wrapped by a
// [*TermError] or a [*ContextError] that says where and what.
var (
	// ErrContextNotAllowed: the document names a context the Loader does
	// not serve. Nothing is ever fetched.
	ErrContextNotAllowed = errors.New("ld: context not allowed")

	// ErrUndefinedTerm: a member name, a type or a vocabulary-relative
	// value is not defined by any context in scope, so JSON-LD would drop
	// it (or keep it as a relative IRI, which RDF drops).
	ErrUndefinedTerm = errors.New("ld: term not defined by any @context")

	// ErrProtectedTermRedefinition: a context tries to change the meaning
	// of a term that an earlier context marked @protected.
	ErrProtectedTermRedefinition = errors.New("ld: protected term redefinition")

	// ErrInvalidIRI: an identifier, type, property or datatype expands to
	// something that is not a valid absolute IRI (a relative reference,
	// an IRI with a space, a blank node where RDF allows none).
	ErrInvalidIRI = errors.New("ld: not a valid absolute IRI")

	// ErrInvalidLanguage: a language tag is not well formed (BCP 47
	// section 2.2.9), so RDF would drop the statement.
	ErrInvalidLanguage = errors.New("ld: invalid language tag")

	// ErrBaseDirection: a string carries a base direction (@direction),
	// which RDF cannot hold unless an rdfDirection mode is chosen. We
	// choose none, as jsonld.js does for Data Integrity, and refuse such
	// values as its safe mode does instead of dropping the direction.
	ErrBaseDirection = errors.New("ld: base direction cannot be represented in RDF")

	// ErrInvalidContext: a @context is malformed.
	ErrInvalidContext = errors.New("ld: invalid @context")

	// ErrInvalidJSONLD: the document breaks a JSON-LD rule other than the
	// ones above.
	ErrInvalidJSONLD = errors.New("ld: invalid JSON-LD")

	// ErrLimit: processing the document would exceed a limit from
	// internal/limits.
	ErrLimit = errors.New("ld: processing limit exceeded")

	// ErrNotBound: in the [Bound] profile, the document's JSON says
	// something its RDF does not (or not only): a member named other than
	// by its one term, a value JSON-LD would merge, drop or read as
	// another, a JSON-LD feature that moves statements away from where
	// the JSON shows them. A proof that signs the RDF would not bind what
	// a reader of the JSON sees, so the document is refused.
	ErrNotBound = errors.New("ld: not bound to what a proof signs")
)

// TermError reports the place in a document that made processing fail.
type TermError struct {
	// Err is one of the package's sentinel errors.
	Err error
	// Pointer is the RFC 6901 JSON pointer of the member, value or
	// @context entry at fault ("" is the whole document), or "" with
	// Unlocated set when it could not be found.
	Pointer string
	// Unlocated says that the place is not known.
	Unlocated bool
	// Kind says what Term is: "term", "type", "id", "value", "datatype",
	// "language", "property", "graph" or "" when there is no term.
	Kind string
	// Term is the member name, type, identifier or language tag as
	// written in the document.
	Term string
	// IRI is what Term expanded to, when that matters.
	IRI string
	// Reason adds words for a person, such as the message of the JSON-LD
	// processor.
	Reason string

	// panicked names the function whose panic this error replaced.
	panicked string
}

func (e *TermError) Error() string {
	var b strings.Builder
	b.WriteString("ld: ")
	if errors.Is(e.Err, ErrProtectedTermRedefinition) {
		b.WriteString("@context")
		if !e.Unlocated {
			b.WriteString(" at ")
			b.WriteString(pointerText(e.Pointer))
		}
		b.WriteString(" redefines protected term")
		if e.Term != "" {
			fmt.Fprintf(&b, " %q", e.Term)
		}
		if e.Reason != "" {
			b.WriteString(": ")
			b.WriteString(e.Reason)
		}
		return b.String()
	}
	subject := e.Kind
	if subject == "" {
		subject = "document"
	}
	if e.Term != "" || e.Kind != "" {
		b.WriteString(subject)
		if e.Term != "" || e.Kind == "term" {
			fmt.Fprintf(&b, " %q", e.Term)
		}
	} else {
		b.WriteString("document")
	}
	if !e.Unlocated {
		b.WriteString(" at ")
		b.WriteString(pointerText(e.Pointer))
	}
	b.WriteByte(' ')
	switch {
	case errors.Is(e.Err, ErrUndefinedTerm):
		b.WriteString("is not defined by any @context")
	case errors.Is(e.Err, ErrInvalidIRI):
		if e.IRI != "" && e.IRI != e.Term {
			fmt.Fprintf(&b, "expands to %q, which is not a valid absolute IRI", e.IRI)
		} else {
			b.WriteString("is not a valid absolute IRI")
		}
	case errors.Is(e.Err, ErrInvalidLanguage):
		b.WriteString("is not a well-formed language tag")
	case errors.Is(e.Err, ErrBaseDirection):
		b.WriteString("has a base direction (@direction), which RDF cannot carry; such values are refused")
	case errors.Is(e.Err, ErrInvalidContext):
		b.WriteString("has an invalid @context")
	case errors.Is(e.Err, ErrLimit):
		b.WriteString("exceeds a processing limit")
	case errors.Is(e.Err, ErrNotBound):
		b.WriteString("is not bound to what a proof signs")
	default:
		b.WriteString("is not valid JSON-LD")
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrX) hold for the sentinel in Err.
func (e *TermError) Unwrap() error { return e.Err }

// ContextError reports a context URL that the Loader does not serve.
type ContextError struct {
	// URL is the context URL exactly as requested.
	URL string
	// Pointer is the JSON pointer of the @context entry that named it,
	// when known.
	Pointer string
	// Err is ErrContextNotAllowed or ErrLimit.
	Err error
}

func (e *ContextError) Error() string {
	at := ""
	if e.Pointer != "" {
		at = " at " + e.Pointer
	}
	if errors.Is(e.Err, ErrLimit) {
		return fmt.Sprintf("ld: context %q%s: too many context loads for one document", e.URL, at)
	}
	return fmt.Sprintf("ld: context %q%s is not allowed: only embedded and registered contexts are served, and nothing is fetched", e.URL, at)
}

// Unwrap makes errors.Is(err, ErrContextNotAllowed) hold.
func (e *ContextError) Unwrap() error { return e.Err }

func pointerText(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
