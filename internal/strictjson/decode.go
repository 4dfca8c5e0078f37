package strictjson

// Decode checks data as Check(data, maxBytes) does and decodes it into the
// values encoding/json gives an interface (map[string]any, []any, string,
// float64, bool, nil): the lexer's tape, made into Go values. Every error
// is Check's, wrapping ErrInvalid. A maxBytes of 0 means
// limits.MaxDocumentBytes.
//
// It copies data to one string once: every string without escapes, value
// or member name, is a substring of it, and every object and array is made
// at its final size. Nothing it returns shares memory with data.
func Decode(data []byte, maxBytes int) (any, error) {
	l := getLexer(data)
	defer l.release()
	if err := l.lex(maxBytes); err != nil {
		return nil, err
	}
	b := builder{nodes: l.nodes, src: string(data)}
	v, _ := b.value(0)
	return v, nil
}

// builder makes Go values from a tape.
type builder struct {
	nodes []node
	src   string // the text, copied
}

// value builds the value of node i and returns it and the node after it.
func (b *builder) value(i int32) (any, int32) {
	n := &b.nodes[i]
	switch n.kind {
	case '{':
		count := 0
		for c := i + 1; c < n.next; c = b.nodes[c].next {
			count++
		}
		m := make(map[string]any, count)
		for c := i + 1; c < n.next; {
			cn := &b.nodes[c]
			name := b.src[cn.nameStart:cn.nameEnd]
			if cn.nameEsc {
				name = unescape([]byte(name))
			}
			m[name], c = b.value(c)
		}
		return m, n.next
	case '[':
		count := 0
		for c := i + 1; c < n.next; c = b.nodes[c].next {
			count++
		}
		a := make([]any, 0, count)
		for c := i + 1; c < n.next; {
			var v any
			v, c = b.value(c)
			a = append(a, v)
		}
		return a, n.next
	case '"':
		if n.esc {
			return unescape([]byte(b.src[n.start+1 : n.end-1])), n.next
		}
		return b.src[n.start+1 : n.end-1], n.next
	case 't':
		return true, n.next
	case 'f':
		return false, n.next
	case 'n':
		return nil, n.next
	}
	return n.num, n.next
}
