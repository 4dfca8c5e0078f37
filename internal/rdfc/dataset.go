package rdfc

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/staffpass/staffpass/internal/limits"
)

// TermID names a term of a Dataset: DefaultGraphID, a blank node (as made
// by BlankNode) or an IRI or literal (as interned by IRI and Literal). It
// means nothing outside its Dataset.
type TermID int32

// DefaultGraphID is the default graph, the graph of a quad in no named
// graph, in every Dataset.
const DefaultGraphID TermID = 0

// Dataset is an RDF dataset built statement by statement in a compact form:
// each distinct IRI and literal is held once, each blank node is a number,
// and a quad is four TermIDs. It is what a producer of many statements
// (JSON-LD to RDF) hands to WriteCanonical without making a Quad of each.
//
// Terms are checked when they are first interned, as Canonicalize checks
// them, and quads when they are added. A Dataset may hold a quad more than
// once; it still means the set. The zero value is an empty Dataset. A
// Dataset is not safe for concurrent use; Reset empties it for reuse.
type Dataset struct {
	terms []Term            // interned terms; terms[0] is the default graph
	iris  map[string]TermID // IRIs by value
	strs  map[string]TermID // xsd:string literals by lexical form
	typed map[typedKey]TermID
	langs map[[2]string]TermID // rdf:langString literals by form and tag
	// The datatypes of typed, by number; dtIndex holds them too once
	// there are more than a few.
	datatypes []string
	dtIndex   map[string]int32
	blanks    int32 // blank nodes made
	quads     [][4]TermID
	sorted    [][4]TermID // HasDuplicate's scratch space
}

// typedKey is a literal of another datatype than xsd:string and
// rdf:langString: its lexical form and datatype number.
type typedKey struct {
	value string
	dt    int32
}

// IRI returns the TermID of the IRI iri, interning it. It fails, wrapping
// ErrInvalidTerm, if iri is not an absolute IRI that canonical N-Quads can
// write.
func (d *Dataset) IRI(iri string) (TermID, error) {
	if id, ok := d.iris[iri]; ok {
		return id, nil
	}
	t := Term{Kind: IRI, Value: iri}
	if msg := iriProblem(iri); msg != "" {
		return 0, fmt.Errorf("%w: %s", ErrInvalidTerm, msg)
	}
	if d.iris == nil {
		d.iris = make(map[string]TermID)
	}
	id := d.intern(t)
	d.iris[iri] = id
	return id, nil
}

// Literal returns the TermID of the literal with lexical form value,
// datatype IRI datatype and language tag language (empty unless datatype
// is RDFLangString), interning it. It fails, wrapping ErrInvalidTerm, for a
// literal Canonicalize would refuse.
func (d *Dataset) Literal(value, datatype, language string) (TermID, error) {
	var tk typedKey
	switch {
	case datatype == XSDString && language == "":
		if id, ok := d.strs[value]; ok {
			return id, nil
		}
	case datatype == RDFLangString:
		if id, ok := d.langs[[2]string{value, language}]; ok {
			return id, nil
		}
	case language == "":
		tk = typedKey{value, d.datatype(datatype)}
		if id, ok := d.typed[tk]; ok {
			return id, nil
		}
	}
	t := Term{Kind: Literal, Value: value, Datatype: datatype, Language: language}
	if msg := t.problem(posObject); msg != "" {
		return 0, fmt.Errorf("%w: %s", ErrInvalidTerm, msg)
	}
	id := d.intern(t)
	switch {
	case datatype == XSDString:
		if d.strs == nil {
			d.strs = make(map[string]TermID)
		}
		d.strs[value] = id
	case datatype == RDFLangString:
		if d.langs == nil {
			d.langs = make(map[[2]string]TermID)
		}
		d.langs[[2]string{value, language}] = id
	default:
		if d.typed == nil {
			d.typed = make(map[typedKey]TermID)
		}
		d.typed[tk] = id
	}
	return id, nil
}

// datatype returns the number of a datatype IRI, giving it one if it has
// none: documents use a few datatypes, found by comparing strings (often
// the same strings), more through a map.
func (d *Dataset) datatype(iri string) int32 {
	const scanned = 8
	if d.dtIndex == nil {
		for i, dt := range d.datatypes {
			if dt == iri {
				return int32(i)
			}
		}
		if len(d.datatypes) < scanned {
			d.datatypes = append(d.datatypes, iri)
			return int32(len(d.datatypes) - 1)
		}
		d.dtIndex = make(map[string]int32, 2*scanned)
		for i, dt := range d.datatypes {
			d.dtIndex[dt] = int32(i)
		}
	}
	if i, ok := d.dtIndex[iri]; ok {
		return i
	}
	d.datatypes = append(d.datatypes, iri)
	d.dtIndex[iri] = int32(len(d.datatypes) - 1)
	return int32(len(d.datatypes) - 1)
}

// intern adds t, a valid IRI or literal not yet interned, to the terms.
func (d *Dataset) intern(t Term) TermID {
	if len(d.terms) == 0 {
		d.terms = append(d.terms, Term{}) // the default graph
	}
	d.terms = append(d.terms, t)
	return TermID(len(d.terms) - 1)
}

// BlankNode returns a new blank node, distinct from every other.
func (d *Dataset) BlankNode() TermID {
	d.blanks++
	return ^TermID(d.blanks - 1)
}

// Add adds the quad (s, p, o, g); g is DefaultGraphID for the default
// graph. It fails, wrapping ErrInvalidTerm, if a term is not one of d's or
// cannot stand where it is (a literal as subject, a blank node as
// predicate), and wrapping ErrTooLarge past limits.MaxQuads quads.
func (d *Dataset) Add(s, p, o, g TermID) error {
	q := [4]TermID{s, p, o, g}
	for pos, id := range q {
		if msg := d.problem(id, position(pos)); msg != "" {
			return fmt.Errorf("%w: %s: %s", ErrInvalidTerm, position(pos), msg)
		}
	}
	if len(d.quads) >= limits.MaxQuads {
		return fmt.Errorf("%w: more than %d quads", ErrTooLarge, limits.MaxQuads)
	}
	d.quads = append(d.quads, q)
	return nil
}

// problem returns why id cannot stand at position p, or "".
func (d *Dataset) problem(id TermID, p position) string {
	kind := BlankNode
	switch {
	case id < 0:
		if ^id >= TermID(d.blanks) {
			return "not a blank node of the dataset"
		}
	case id == DefaultGraphID:
		kind = DefaultGraph
	case int(id) >= len(d.terms):
		return "not a term of the dataset"
	default:
		kind = d.terms[id].Kind
	}
	if !kind.allowedIn(p) {
		return "a " + kind.String() + " cannot be the " + p.String()
	}
	return ""
}

// HasDuplicate reports whether a quad was added more than once.
func (d *Dataset) HasDuplicate() bool {
	q := d.quads
	if len(q) <= 32 {
		for i := 1; i < len(q); i++ {
			for j := range i {
				if q[i] == q[j] {
					return true
				}
			}
		}
		return false
	}
	d.sorted = append(d.sorted[:0], q...)
	slices.SortFunc(d.sorted, func(a, b [4]TermID) int {
		for i := range a {
			if a[i] != b[i] {
				return cmp.Compare(a[i], b[i])
			}
		}
		return 0
	})
	for i := 1; i < len(d.sorted); i++ {
		if d.sorted[i] == d.sorted[i-1] {
			return true
		}
	}
	return false
}

// Len returns the number of quads added, counting repeated ones.
func (d *Dataset) Len() int { return len(d.quads) }

// Term returns the term id names: blank node number n is labelled "b<n>".
// It returns the zero Term (the default graph) for an id that is not d's.
func (d *Dataset) Term(id TermID) Term {
	switch {
	case id < 0 && ^id < TermID(d.blanks):
		return Term{Kind: BlankNode, Value: "b" + strconv.Itoa(int(^id))}
	case id > 0 && int(id) < len(d.terms):
		return d.terms[id]
	}
	return Term{}
}

// Quads returns the quads added, in order, with blank nodes labelled as by
// Term.
func (d *Dataset) Quads() []Quad {
	quads := make([]Quad, len(d.quads))
	labels := make([]string, d.blanks)
	term := func(id TermID) Term {
		if id >= 0 {
			return d.terms[id]
		}
		if labels[^id] == "" {
			labels[^id] = "b" + strconv.Itoa(int(^id))
		}
		return Term{Kind: BlankNode, Value: labels[^id]}
	}
	for i, q := range d.quads {
		quads[i] = Quad{Subject: term(q[0]), Predicate: term(q[1]), Object: term(q[2])}
		if q[3] != DefaultGraphID {
			quads[i].Graph = term(q[3])
		}
	}
	return quads
}

// Reset empties d, keeping its storage but no reference to its terms.
func (d *Dataset) Reset() {
	clear(d.terms)
	d.terms = d.terms[:0]
	clear(d.iris)
	clear(d.strs)
	clear(d.typed)
	clear(d.langs)
	clear(d.datatypes)
	d.datatypes = d.datatypes[:0]
	d.dtIndex = nil
	d.blanks = 0
	d.quads = d.quads[:0]
}
