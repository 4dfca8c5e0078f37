package rdfc

// TermKind says what an RDF term is.
type TermKind uint8

// The kinds of RDF term. The zero Kind is the default graph, so a Quad whose
// Graph is the zero Term is in the default graph.
const (
	DefaultGraph TermKind = iota
	IRI
	BlankNode
	Literal
)

// Term is an RDF term (RDF 1.1 Concepts section 3).
//
// For an IRI, Value is the IRI. For a blank node, Value is its label without
// the "_:" prefix. For a literal, Value is the lexical form, Datatype its
// datatype IRI (never empty: xsd:string or rdf:langString when the input had
// none) and Language its language tag, only for rdf:langString.
type Term struct {
	Kind     TermKind
	Value    string
	Datatype string
	Language string
}

// Quad is an RDF statement in a named or the default graph.
type Quad struct {
	Subject, Predicate, Object, Graph Term
}

// Well-known datatype IRIs.
const (
	XSDString     = "http://www.w3.org/2001/XMLSchema#string"
	RDFLangString = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
)
