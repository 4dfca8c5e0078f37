package rdfc

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/staffpass/staffpass/internal/limits"
)

// ParseNQuads parses an N-Quads 1.1 document (https://www.w3.org/TR/n-quads/).
//
// It is strict: the document must be valid UTF-8; IRIs must be absolute and
// may not hold, even through a UCHAR escape, a character that IRIREF
// forbids; a UCHAR must be a Unicode scalar value; an rdf:langString
// literal needs a language tag. Statements are separated by line ends,
// white space between terms is spaces and tabs, and '#' starts a comment
// outside IRIs and strings. Literals without a datatype get xsd:string.
// Duplicate statements are kept.
//
// Errors wrap ErrSyntax (as a *SyntaxError naming the line and column) or
// ErrTooLarge when the document is over limits.MaxNQuadsBytes or holds more
// than limits.MaxQuads statements.
func ParseNQuads(doc []byte) ([]Quad, error) {
	if len(doc) > limits.MaxNQuadsBytes {
		return nil, fmt.Errorf("%w: n-quads document of %d bytes is over the limit of %d", ErrTooLarge, len(doc), limits.MaxNQuadsBytes)
	}
	p := parser{doc: doc, line: 1, strs: make(map[string]string, min(bytes.Count(doc, []byte{'\n'})+1, 256))}
	if !utf8.Valid(doc) {
		return nil, p.invalidUTF8()
	}
	return p.parse()
}

type parser struct {
	doc       []byte
	pos       int
	line      int // current line, 1-based
	lineStart int // offset of the current line's first byte
	strs      map[string]string
	buf       []byte // scratch for unescaping
}

func (p *parser) parse() ([]Quad, error) {
	quads := make([]Quad, 0, min(bytes.Count(p.doc, []byte{'\n'})+1, limits.MaxQuads))
	for {
		p.skipSpace()
		if p.pos >= len(p.doc) {
			return quads, nil
		}
		switch p.doc[p.pos] {
		case '\n', '\r':
			p.eol()
			continue
		case '#':
			p.skipComment()
			continue
		}
		if len(quads) == limits.MaxQuads {
			return nil, fmt.Errorf("%w: n-quads document has more than %d statements", ErrTooLarge, limits.MaxQuads)
		}
		q, err := p.statement()
		if err != nil {
			return nil, err
		}
		quads = append(quads, q)
		p.skipSpace()
		if p.pos < len(p.doc) && p.doc[p.pos] == '#' {
			p.skipComment()
		}
		if p.pos < len(p.doc) && p.doc[p.pos] != '\n' && p.doc[p.pos] != '\r' {
			return nil, p.errorf("expected the end of the line after '.', found %s", p.found())
		}
	}
}

// statement parses subject predicate object graphLabel? '.'.
func (p *parser) statement() (Quad, error) {
	var q Quad
	var err error
	if q.Subject, err = p.term(posSubject); err != nil {
		return q, err
	}
	p.skipSpace()
	if q.Predicate, err = p.term(posPredicate); err != nil {
		return q, err
	}
	p.skipSpace()
	if q.Object, err = p.term(posObject); err != nil {
		return q, err
	}
	p.skipSpace()
	if p.pos < len(p.doc) && (p.doc[p.pos] == '<' || p.doc[p.pos] == '_') {
		if q.Graph, err = p.term(posGraph); err != nil {
			return q, err
		}
		p.skipSpace()
	}
	if p.pos >= len(p.doc) || p.doc[p.pos] != '.' {
		return q, p.errorf("expected '.' to end the statement, found %s", p.found())
	}
	p.pos++
	return q, nil
}

// term parses the term at position pos of a statement.
func (p *parser) term(pos position) (Term, error) {
	if p.pos < len(p.doc) {
		switch c := p.doc[p.pos]; {
		case c == '<':
			v, err := p.iri()
			return Term{Kind: IRI, Value: v}, err
		case c == '_' && pos != posPredicate:
			v, err := p.blankNode()
			return Term{Kind: BlankNode, Value: v}, err
		case c == '"' && pos == posObject:
			return p.literal()
		}
	}
	switch pos {
	case posSubject:
		return Term{}, p.errorf("expected a subject (IRI or blank node), found %s", p.found())
	case posPredicate:
		return Term{}, p.errorf("expected a predicate (IRI), found %s", p.found())
	default:
		return Term{}, p.errorf("expected an object (IRI, blank node or literal), found %s", p.found())
	}
}

// iri parses an IRIREF; p.doc[p.pos] is '<'.
func (p *parser) iri() (string, error) {
	start := p.pos
	p.pos++
	escaped := false
	p.buf = p.buf[:0]
	for {
		if p.pos >= len(p.doc) {
			return "", p.errorAt(start, "IRI is not closed by '>'")
		}
		c := p.doc[p.pos]
		switch {
		case c == '>':
			raw := p.doc[start+1 : p.pos]
			p.pos++
			var v string
			if escaped {
				v = p.intern(p.buf)
			} else {
				v = p.intern(raw)
			}
			if !hasScheme(v) {
				return "", p.errorAt(start, "IRI is relative (no scheme); only absolute IRIs are allowed")
			}
			return v, nil
		case c == '\\':
			at := p.pos
			r, err := p.uchar()
			if err != nil {
				return "", err
			}
			if !iriRuneAllowed(r) {
				return "", p.errorAt(at, fmt.Sprintf("escape in IRI stands for %U, which is not allowed in an IRI", r))
			}
			if !escaped {
				escaped = true
				p.buf = append(p.buf, p.doc[start+1:at]...)
			}
			p.buf = utf8.AppendRune(p.buf, r)
		case !iriByteAllowed(c):
			if c == '\n' || c == '\r' {
				return "", p.errorAt(start, "IRI is not closed by '>' before the end of the line")
			}
			return "", p.errorf("%s is not allowed in an IRI", p.found())
		default:
			if escaped {
				p.buf = append(p.buf, c)
			}
			p.pos++
		}
	}
}

// uchar parses a UCHAR; p.doc[p.pos] is '\'.
func (p *parser) uchar() (rune, error) {
	at := p.pos
	if p.pos+1 >= len(p.doc) || (p.doc[p.pos+1] != 'u' && p.doc[p.pos+1] != 'U') {
		return 0, p.errorf("invalid escape in IRI, only \\uXXXX and \\UXXXXXXXX are allowed")
	}
	n := 4
	if p.doc[p.pos+1] == 'U' {
		n = 8
	}
	p.pos += 2
	var r rune
	for i := 0; i < n; i++ {
		if p.pos >= len(p.doc) {
			return 0, p.errorAt(at, "escape sequence cut short")
		}
		d := unhex(p.doc[p.pos])
		if d < 0 {
			return 0, p.errorAt(at, fmt.Sprintf("escape needs %d hex digits", n))
		}
		r = r<<4 | rune(d)
		p.pos++
	}
	if r > utf8.MaxRune || (r >= 0xD800 && r <= 0xDFFF) {
		return 0, p.errorAt(at, fmt.Sprintf("escape stands for %#x, which is not a Unicode scalar value", uint32(r)))
	}
	return r, nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// blankNode parses a BLANK_NODE_LABEL; p.doc[p.pos] is '_'.
func (p *parser) blankNode() (string, error) {
	start := p.pos
	if p.pos+1 >= len(p.doc) || p.doc[p.pos+1] != ':' {
		return "", p.errorf("expected \"_:\" to start a blank node")
	}
	p.pos += 2
	r, n := utf8.DecodeRune(p.doc[p.pos:])
	if n == 0 || !(isPNCharsU(r) || (r >= '0' && r <= '9')) {
		return "", p.errorf("blank node label cannot start with %s", p.found())
	}
	p.pos += n
	end := p.pos // end of the label without trailing dots
	for p.pos < len(p.doc) {
		r, n := utf8.DecodeRune(p.doc[p.pos:])
		if r == '.' {
			p.pos += n
			continue
		}
		if !isPNChars(r) {
			break
		}
		p.pos += n
		end = p.pos
	}
	// A label cannot end with '.': trailing dots belong to what follows.
	p.pos = end
	return p.intern(p.doc[start+2 : end]), nil
}

// literal parses STRING_LITERAL_QUOTE ('^^' IRIREF | LANGTAG)?;
// p.doc[p.pos] is '"'.
func (p *parser) literal() (Term, error) {
	start := p.pos
	p.pos++
	escaped := false
	p.buf = p.buf[:0]
	var value string
	for {
		if p.pos >= len(p.doc) {
			return Term{}, p.errorAt(start, "string is not closed by '\"'")
		}
		c := p.doc[p.pos]
		if c == '"' {
			if escaped {
				value = string(p.buf)
			} else {
				value = string(p.doc[start+1 : p.pos])
			}
			p.pos++
			break
		}
		if c == '\n' || c == '\r' {
			return Term{}, p.errorAt(start, "string is not closed by '\"' before the end of the line")
		}
		if c != '\\' {
			if escaped {
				p.buf = append(p.buf, c)
			}
			p.pos++
			continue
		}
		at := p.pos
		if !escaped {
			escaped = true
			p.buf = append(p.buf, p.doc[start+1:at]...)
		}
		if p.pos+1 >= len(p.doc) {
			return Term{}, p.errorf("escape sequence cut short")
		}
		var e byte
		switch p.doc[p.pos+1] {
		case 't':
			e = '\t'
		case 'b':
			e = '\b'
		case 'n':
			e = '\n'
		case 'r':
			e = '\r'
		case 'f':
			e = '\f'
		case '"', '\'', '\\':
			e = p.doc[p.pos+1]
		case 'u', 'U':
			r, err := p.uchar()
			if err != nil {
				return Term{}, err
			}
			p.buf = utf8.AppendRune(p.buf, r)
			continue
		default:
			p.pos++
			found := p.found()
			return Term{}, p.errorAt(at, "invalid escape \\"+found+" in string")
		}
		p.buf = append(p.buf, e)
		p.pos += 2
	}

	t := Term{Kind: Literal, Value: value, Datatype: XSDString}
	p.skipSpace()
	if p.pos >= len(p.doc) {
		return t, nil
	}
	switch p.doc[p.pos] {
	case '@':
		p.pos++
		s := p.pos
		for p.pos < len(p.doc) && (isLetter(p.doc[p.pos]) || isDigit(p.doc[p.pos]) || p.doc[p.pos] == '-') {
			p.pos++
		}
		lang := p.doc[s:p.pos]
		if msg := langProblem(string(lang)); msg != "" {
			return t, p.errorAt(s-1, msg)
		}
		t.Datatype, t.Language = RDFLangString, p.intern(lang)
	case '^':
		if p.pos+1 >= len(p.doc) || p.doc[p.pos+1] != '^' {
			return t, p.errorf("expected \"^^\" before a datatype IRI")
		}
		p.pos += 2
		p.skipSpace()
		if p.pos >= len(p.doc) || p.doc[p.pos] != '<' {
			return t, p.errorf("expected a datatype IRI after \"^^\", found %s", p.found())
		}
		at := p.pos
		dt, err := p.iri()
		if err != nil {
			return t, err
		}
		if dt == RDFLangString {
			return t, p.errorAt(at, "rdf:langString literal needs a language tag, not a datatype")
		}
		t.Datatype = dt
	}
	return t, nil
}

// intern returns b as a string, shared with earlier equal strings of the
// document (IRIs, labels and language tags repeat a lot).
func (p *parser) intern(b []byte) string {
	if s, ok := p.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	p.strs[s] = s
	return s
}

func (p *parser) skipSpace() {
	for p.pos < len(p.doc) && (p.doc[p.pos] == ' ' || p.doc[p.pos] == '\t') {
		p.pos++
	}
}

func (p *parser) skipComment() {
	for p.pos < len(p.doc) && p.doc[p.pos] != '\n' && p.doc[p.pos] != '\r' {
		p.pos++
	}
}

// eol consumes one line end: LF, CR or CR LF.
func (p *parser) eol() {
	if p.doc[p.pos] == '\r' && p.pos+1 < len(p.doc) && p.doc[p.pos+1] == '\n' {
		p.pos++
	}
	p.pos++
	p.line++
	p.lineStart = p.pos
}

// found describes what is at the current position, for error messages.
func (p *parser) found() string {
	if p.pos >= len(p.doc) {
		return "the end of the document"
	}
	switch c := p.doc[p.pos]; c {
	case '\n', '\r':
		return "the end of the line"
	}
	r, _ := utf8.DecodeRune(p.doc[p.pos:])
	return fmt.Sprintf("%q", r)
}

func (p *parser) errorf(format string, args ...any) error {
	return p.errorAt(p.pos, fmt.Sprintf(format, args...))
}

func (p *parser) errorAt(at int, msg string) error {
	at = min(at, len(p.doc))
	return &SyntaxError{Line: p.line, Column: utf8.RuneCount(p.doc[p.lineStart:at]) + 1, Msg: msg}
}

// invalidUTF8 locates the first invalid UTF-8 sequence for the error.
func (p *parser) invalidUTF8() error {
	for i := 0; i < len(p.doc); {
		r, n := utf8.DecodeRune(p.doc[i:])
		if r == utf8.RuneError && n <= 1 {
			return p.errorAt(i, "invalid UTF-8")
		}
		if p.doc[i] == '\n' || (p.doc[i] == '\r' && (i+1 >= len(p.doc) || p.doc[i+1] != '\n')) {
			p.line++
			p.lineStart = i + 1
		}
		i += n
	}
	return p.errorAt(0, "invalid UTF-8")
}
