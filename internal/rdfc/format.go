package rdfc

import "fmt"

// AppendQuad appends q to dst in canonical N-Quads form (RDFC-1.0
// Appendix A): the terms separated by single spaces, " ." and a single
// line feed. Blank nodes keep their labels. It fails, wrapping
// ErrInvalidTerm, if a term cannot stand where it is or cannot be written
// unambiguously (for example an IRI holding a space).
func AppendQuad(dst []byte, q Quad) ([]byte, error) {
	for p, t := range [4]Term{q.Subject, q.Predicate, q.Object, q.Graph} {
		if msg := t.problem(position(p)); msg != "" {
			return dst, fmt.Errorf("%w: %s: %s", ErrInvalidTerm, position(p), msg)
		}
	}
	dst = appendTerm(dst, q.Subject)
	dst = append(dst, ' ')
	dst = appendTerm(dst, q.Predicate)
	dst = append(dst, ' ')
	dst = appendTerm(dst, q.Object)
	if q.Graph.Kind != DefaultGraph {
		dst = append(dst, ' ')
		dst = appendTerm(dst, q.Graph)
	}
	return append(dst, " .\n"...), nil
}

// appendTerm appends the canonical N-Quads form of a valid term; the
// default graph is written as nothing.
func appendTerm(dst []byte, t Term) []byte {
	switch t.Kind {
	case IRI:
		dst = append(dst, '<')
		dst = append(dst, t.Value...)
		return append(dst, '>')
	case BlankNode:
		dst = append(dst, "_:"...)
		return append(dst, t.Value...)
	case Literal:
		dst = append(dst, '"')
		dst = appendEscaped(dst, t.Value)
		dst = append(dst, '"')
		switch t.Datatype {
		case XSDString:
		case RDFLangString:
			dst = append(dst, '@')
			dst = append(dst, t.Language...)
		default:
			dst = append(dst, "^^<"...)
			dst = append(dst, t.Datatype...)
			dst = append(dst, '>')
		}
	}
	return dst
}

// escapes maps each byte that the canonical form escapes inside a
// STRING_LITERAL_QUOTE to its ECHAR; 'u' marks one written as a UCHAR.
var escapes = func() (t [256]byte) {
	for c := 0; c < 0x20; c++ {
		t[c] = 'u'
	}
	t[0x7F] = 'u'
	t['\b'], t['\t'], t['\n'], t['\f'], t['\r'] = 'b', 't', 'n', 'f', 'r'
	t['"'], t['\\'] = '"', '\\'
	return t
}()

const upperHex = "0123456789ABCDEF"

// appendEscaped appends s with the escapes of RDFC-1.0 Appendix A: BS, HT,
// LF, FF, CR, '"' and '\' as ECHAR, any other of U+0000-U+001F and U+007F
// as a UCHAR with upper-case hex, everything else as itself.
func appendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		e := escapes[s[i]]
		if e == 0 {
			continue
		}
		dst = append(dst, s[start:i]...)
		if e == 'u' {
			dst = append(dst, '\\', 'u', '0', '0', upperHex[s[i]>>4], upperHex[s[i]&0xF])
		} else {
			dst = append(dst, '\\', e)
		}
		start = i + 1
	}
	return append(dst, s[start:]...)
}
