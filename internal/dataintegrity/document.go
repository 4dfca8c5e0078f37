package dataintegrity

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
)

const mProof = "proof"

// decodeDocument checks data strictly and decodes it, in one pass, into the map
// every later step reads.
func decodeDocument(data []byte) (map[string]any, error) {
	v, err := strictjson.Decode(data, limits.MaxDocumentBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the document is a JSON %s, not an object", ErrInvalidDocument, jsonKind(v))
	}
	return m, nil
}

// proofList returns the proofs of a document's proof member: the object,
// or the elements of the list (Data Integrity 1.0 section 4.3 step 1).
func proofList(v any) ([]any, error) {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	if len(list) > limits.MaxProofs {
		return nil, fmt.Errorf("%w: %d proofs, more than the limit of %d", ErrInvalidProof, len(list), limits.MaxProofs)
	}
	return list, nil
}

// withoutProof returns a shallow copy of doc without its proof member.
func withoutProof(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != mProof {
			out[k] = v
		}
	}
	return out
}

// withProofs returns a shallow copy of unsecured whose proof member is
// proofs (section 4.3 step 6 and 4.5 step 3.3).
func withProofs(unsecured map[string]any, proofs []any) map[string]any {
	out := make(map[string]any, len(unsecured)+1)
	for k, v := range unsecured {
		out[k] = v
	}
	out[mProof] = proofs
	return out
}

// addProof returns data, a strict JSON object, with proof added to its
// proof member: as the member if there was none, or appended to the set
// (an existing single proof becomes a list). Everything else keeps its
// bytes. If the document is indented (its first member starts on a new
// line) the proof member is indented the same way. It finds the members on
// the tape of strictjson's lexer.
func addProof(data []byte, proof []byte) ([]byte, error) {
	tape, err := strictjson.Parse(data, limits.MaxDocumentBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	defer tape.Release()
	root := strictjson.Root
	if tape.Kind(root) != strictjson.KindObject {
		return nil, fmt.Errorf("%w: not an object", ErrInvalidDocument)
	}
	open, rootEnd := tape.Span(root)
	first := skipSpace(data, open+1)
	indent := ""
	if ws := data[open+1 : first]; bytes.IndexByte(ws, '\n') >= 0 {
		indent = string(ws[bytes.LastIndexByte(ws, '\n')+1:])
	}
	format := func(v []byte) []byte {
		if indent == "" {
			return v
		}
		var b bytes.Buffer
		if json.Indent(&b, v, indent, indent) != nil {
			return v
		}
		return b.Bytes()
	}
	out := make([]byte, 0, len(data)+2*len(proof)+64)
	if v := tape.Member(root, mProof); v != strictjson.None {
		start, end := tape.Span(v)
		old := data[start:end]
		var set []byte
		if old[0] == '[' {
			inner := bytes.TrimSpace(old[1 : len(old)-1])
			set = append(set, '[')
			if len(inner) > 0 {
				set = append(set, inner...)
				set = append(set, ',')
			}
		} else {
			set = append(append(set, '['), old...)
			set = append(set, ',')
		}
		set = append(append(set, proof...), ']')
		out = append(out, data[:start]...)
		out = append(out, format(set)...)
		return append(out, data[end:]...), nil
	}
	// No proof member: add one after the last member.
	last := rootEnd - 1 // the closing brace
	for last > open+1 && isSpace(data[last-1]) {
		last--
	}
	out = append(out, data[:last]...)
	if last > open+1 {
		out = append(out, ',')
	}
	if indent != "" {
		out = append(out, '\n')
		out = append(out, indent...)
		out = append(out, `"proof": `...)
	} else {
		out = append(out, `"proof":`...)
	}
	out = append(out, format(proof)...)
	if last == open+1 && indent != "" {
		out = append(out, '\n')
	}
	return append(out, data[last:]...), nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}
