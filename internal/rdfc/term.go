package rdfc

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// position names a component of a quad.
type position uint8

const (
	posSubject position = iota
	posPredicate
	posObject
	posGraph
)

var positionNames = [...]string{"subject", "predicate", "object", "graph"}

func (p position) String() string { return positionNames[p] }

func (k TermKind) String() string {
	switch k {
	case DefaultGraph:
		return "default graph"
	case IRI:
		return "IRI"
	case BlankNode:
		return "blank node"
	case Literal:
		return "literal"
	}
	return "unknown kind " + fmt.Sprint(uint8(k))
}

// allowedIn reports whether a term of kind k may stand at position p
// (RDF 1.1 Concepts section 3.1 and N-Quads 1.1 section 2).
func (k TermKind) allowedIn(p position) bool {
	switch p {
	case posSubject:
		return k == IRI || k == BlankNode
	case posPredicate:
		return k == IRI
	case posObject:
		return k == IRI || k == BlankNode || k == Literal
	case posGraph:
		return k == DefaultGraph || k == IRI || k == BlankNode
	}
	return false
}

// problem returns why t cannot be written as canonical N-Quads at
// position p, or "" if it can. Every term ParseNQuads returns passes.
func (t Term) problem(p position) string {
	if !t.Kind.allowedIn(p) {
		return "a " + t.Kind.String() + " cannot be the " + p.String()
	}
	switch t.Kind {
	case DefaultGraph:
		if t.Value != "" || t.Datatype != "" || t.Language != "" {
			return "default graph term has a value, datatype or language"
		}
	case IRI:
		if t.Datatype != "" || t.Language != "" {
			return "IRI term has a datatype or language"
		}
		return iriProblem(t.Value)
	case BlankNode:
		if t.Datatype != "" || t.Language != "" {
			return "blank node term has a datatype or language"
		}
		return labelProblem(t.Value)
	case Literal:
		if !utf8.ValidString(t.Value) {
			return "literal is not valid UTF-8"
		}
		if t.Datatype == "" {
			return "literal has no datatype"
		}
		if msg := iriProblem(t.Datatype); msg != "" {
			return "literal datatype: " + msg
		}
		if t.Datatype == RDFLangString {
			if t.Language == "" {
				return "rdf:langString literal has no language tag"
			}
			return langProblem(t.Language)
		}
		if t.Language != "" {
			return "literal with a language tag must have datatype rdf:langString"
		}
	}
	return ""
}

// iriProblem returns why s is not an absolute IRI that N-Quads can hold in
// an IRIREF without escapes, or "". The canonical N-Quads form writes IRIs
// unescaped, so a character IRIREF forbids would make the output ambiguous.
func iriProblem(s string) string {
	if s == "" {
		return "empty IRI"
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if iriForbidden[c] {
			return fmt.Sprintf("IRI contains %q, which is not allowed in an IRI", rune(c))
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	if !ascii && !utf8.ValidString(s) {
		return "IRI is not valid UTF-8"
	}
	if !hasScheme(s) {
		return "IRI is relative (no scheme); only absolute IRIs are allowed"
	}
	return ""
}

// iriForbidden marks the bytes that may not appear unescaped in an IRIREF:
// [#x00-#x20<>"{}|^`\] (N-Quads 1.1 production [10]).
var iriForbidden = func() (t [256]bool) {
	for c := 0; c <= 0x20; c++ {
		t[c] = true
	}
	for _, c := range []byte("<>\"{}|^`\\") {
		t[c] = true
	}
	return t
}()

func iriByteAllowed(c byte) bool { return !iriForbidden[c] }

func iriRuneAllowed(r rune) bool {
	return r > 0x7F || iriByteAllowed(byte(r))
}

// hasScheme reports whether s starts with an RFC 3986 scheme and a colon.
func hasScheme(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return true
		case isLetter(c) || isDigit(c) || c == '+' || c == '-' || c == '.':
		default:
			return false
		}
	}
	return false
}

// langProblem returns why s is not a LANGTAG body
// ([a-zA-Z]+ ('-' [a-zA-Z0-9]+)*), or "".
func langProblem(s string) string {
	const bad = "language tag must be letters, then groups of '-' and letters or digits"
	i := 0
	for i < len(s) && isLetter(s[i]) {
		i++
	}
	if i == 0 {
		return bad
	}
	for i < len(s) {
		if s[i] != '-' {
			return bad
		}
		i++
		start := i
		for i < len(s) && (isLetter(s[i]) || isDigit(s[i])) {
			i++
		}
		if i == start {
			return bad
		}
	}
	return ""
}

// labelProblem returns why s is not the part of a BLANK_NODE_LABEL after
// "_:" (N-Quads 1.1 production [141s]), or "".
func labelProblem(s string) string {
	if s == "" {
		return "empty blank node label"
	}
	if !utf8.ValidString(s) {
		return "blank node label is not valid UTF-8"
	}
	r, n := utf8.DecodeRuneInString(s)
	if !isPNCharsU(r) && !(r >= '0' && r <= '9') {
		return fmt.Sprintf("blank node label cannot start with %q", r)
	}
	for _, r := range s[n:] {
		if !isPNChars(r) && r != '.' {
			return fmt.Sprintf("blank node label cannot contain %q", r)
		}
	}
	if strings.HasSuffix(s, ".") {
		return "blank node label cannot end with '.'"
	}
	return ""
}

func isLetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// isPNCharsBase implements N-Quads 1.1 production [157s].
func isPNCharsBase(r rune) bool {
	switch {
	case r < 0x80:
		return isLetter(byte(r))
	case r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x2FF,
		r >= 0x370 && r <= 0x37D, r >= 0x37F && r <= 0x1FFF, r >= 0x200C && r <= 0x200D,
		r >= 0x2070 && r <= 0x218F, r >= 0x2C00 && r <= 0x2FEF, r >= 0x3001 && r <= 0xD7FF,
		r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFFD, r >= 0x10000 && r <= 0xEFFFF:
		return true
	}
	return false
}

// isPNCharsU implements production [158s].
func isPNCharsU(r rune) bool { return isPNCharsBase(r) || r == '_' || r == ':' }

// isPNChars implements production [160s].
func isPNChars(r rune) bool {
	return isPNCharsU(r) || r == '-' || (r >= '0' && r <= '9') || r == 0xB7 ||
		(r >= 0x300 && r <= 0x36F) || (r >= 0x203F && r <= 0x2040)
}
