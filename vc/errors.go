package vc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/staffpass/staffpass/internal/limits"
)

// ErrInvalid is wrapped by every error that Parse, ParsePresentation and
// ParseDocument return.
var ErrInvalid = errors.New("vc: invalid document")

// Sentinels for the kinds of rule a document can break. Each [Problem]
// carries one of them, and errors.Is(err, ErrX) holds for a
// [*ValidationError] when any of its problems has kind ErrX.
var (
	// ErrSyntax: the text is not strict JSON (duplicate member names,
	// invalid UTF-8, too deep, too large; see internal/strictjson) or is
	// not a JSON object.
	ErrSyntax = errors.New("vc: not a strict JSON object")

	// ErrLimit: a list is longer than internal/limits allows.
	ErrLimit = errors.New("vc: limit exceeded")

	// ErrContext: @context is missing, does not start with the base
	// context, or holds an entry that is neither a URL nor an object
	// (VCDM 2.0 section 4.3).
	ErrContext = errors.New("vc: invalid @context")

	// ErrType: type is missing, is not one or more non-empty strings, or
	// lacks the required type (VCDM 2.0 section 4.5).
	ErrType = errors.New("vc: invalid type")

	// ErrID: an id is not a single URL (VCDM 2.0 section 4.4).
	ErrID = errors.New("vc: invalid id")

	// ErrText: name or description is not a string, a language value
	// object or an array of them (VCDM 2.0 sections 4.6 and 11.1).
	ErrText = errors.New("vc: invalid name or description")

	// ErrIssuer: issuer is missing or is neither a URL nor an object with
	// an id URL (VCDM 2.0 section 4.7).
	ErrIssuer = errors.New("vc: invalid issuer")

	// ErrSubject: credentialSubject is missing or holds an entry that is
	// not an object with at least one claim (VCDM 2.0 section 4.8).
	ErrSubject = errors.New("vc: invalid credentialSubject")

	// ErrDate: a date is not an XML Schema dateTimeStamp (VCDM 2.0
	// section 4.9, appendix "Regular expression to detect a valid XML
	// Schema 1.1 Part 2 dateTimeStamp") or, for VCDM 1.1, issuanceDate is
	// missing.
	ErrDate = errors.New("vc: invalid date")

	// ErrValidityPeriod: validUntil is before validFrom (VCDM 2.0 section
	// 4.9).
	ErrValidityPeriod = errors.New("vc: validUntil before validFrom")

	// ErrEntry: an entry of credentialStatus, credentialSchema, evidence,
	// termsOfUse, refreshService, relatedResource or verifiableCredential
	// is not an object with the members it needs (VCDM 2.0 sections 4.10,
	// 4.11, 4.13, 5.3 to 5.6).
	ErrEntry = errors.New("vc: invalid entry")

	// ErrProof: a proof is not an object with a type.
	ErrProof = errors.New("vc: invalid proof")

	// ErrHolder: holder is neither a URL nor an object with an id URL
	// (VCDM 2.0 section 4.13).
	ErrHolder = errors.New("vc: invalid holder")

	// ErrEnvelope: an EnvelopedVerifiableCredential or
	// EnvelopedVerifiablePresentation does not have a data: URL id
	// (VCDM 2.0 sections 4.13.1 and 4.13.2).
	ErrEnvelope = errors.New("vc: invalid envelope")
)

// Problem is one broken rule.
type Problem struct {
	// Pointer is the RFC 6901 JSON pointer of the offending member or
	// element ("" is the whole document).
	Pointer string
	// Message says what is wrong, for a person.
	Message string
	// Err is the sentinel for the kind of rule, such as ErrIssuer.
	Err error
}

func (p Problem) String() string {
	ptr := p.Pointer
	if ptr == "" {
		ptr = "/"
	}
	return ptr + ": " + p.Message
}

// ValidationError lists every rule a document breaks: first the problems
// of the members present, in document order, then missing members and
// rules that relate two members (validUntil before validFrom).
type ValidationError struct {
	// Problems holds at most limits.MaxProblems problems.
	Problems []Problem
	// Omitted counts the problems found beyond that cap.
	Omitted int
	// cause is the strict JSON error when the text itself was refused.
	cause error
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("vc: invalid document: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	if e.Omitted > 0 {
		b.WriteString("; and " + strconv.Itoa(e.Omitted) + " more")
	}
	return b.String()
}

// Unwrap returns ErrInvalid, the kind of every problem and, when the text
// was not strict JSON, the strict JSON error, so that errors.Is and
// errors.As see all of them.
func (e *ValidationError) Unwrap() []error {
	errs := []error{ErrInvalid}
	for _, p := range e.Problems {
		seen := false
		for _, k := range errs {
			if k == p.Err {
				seen = true
				break
			}
		}
		if !seen && p.Err != nil {
			errs = append(errs, p.Err)
		}
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// problems collects what a parse finds wrong.
type problems struct {
	list    []Problem
	omitted int
}

func (ps *problems) add(ptr string, kind error, format string, args ...any) {
	if len(ps.list) >= limits.MaxProblems {
		ps.omitted++
		return
	}
	ps.list = append(ps.list, Problem{Pointer: ptr, Message: fmt.Sprintf(format, args...), Err: kind})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps.list, Omitted: ps.omitted}
}

// child returns the JSON pointer of member name of the value at ptr.
func child(ptr, name string) string {
	if strings.ContainsAny(name, "~/") {
		name = strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
	}
	return ptr + "/" + name
}

// index returns the JSON pointer of element i of the array at ptr.
func index(ptr string, i int) string {
	return ptr + "/" + strconv.Itoa(i)
}
