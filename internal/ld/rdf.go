package ld

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"

	gold "github.com/piprate/json-gold/ld"

	"github.com/staffpass/staffpass/internal/jcs"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/rdfc"
	"github.com/staffpass/staffpass/internal/strictjson"
)

// IRIs of the RDF and XSD vocabulary that conversion writes.
const (
	rdfType    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
	rdfFirst   = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
	rdfRest    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
	rdfNil     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
	rdfJSON    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
	xsdBoolean = "http://www.w3.org/2001/XMLSchema#boolean"
	xsdInteger = "http://www.w3.org/2001/XMLSchema#integer"
	xsdDouble  = "http://www.w3.org/2001/XMLSchema#double"
)

// ToRDFJSON is [ToRDF] for JSON text: it decodes data with
// [strictjson.Decode] (at most [limits.MaxDocumentBytes]), whose errors
// wrap [strictjson.ErrInvalid].
func ToRDFJSON(data []byte, l *Loader, p Profile) ([]rdfc.Quad, error) {
	doc, err := decode(data)
	if err != nil {
		return nil, err
	}
	return ToRDF(doc, l, p)
}

// ToRDF converts a JSON-LD document (decoded JSON: map[string]any or
// []any, numbers as float64 or json.Number) to RDF quads, in safe mode and,
// with p [Bound], in the bound profile, loading contexts only from l (nil
// means the embedded contexts only).
//
// It fails, naming the term and its JSON pointer, if any member name or
// type is not defined by the contexts in scope, if a context redefines a
// protected term, or if a statement would otherwise be lost or changed on
// the way to RDF (a relative or malformed IRI, a blank node predicate, a
// malformed language tag, a base direction); in the bound profile also
// (wrapping [ErrNotBound]) wherever the JSON would not be an exact picture
// of the RDF (see bound.go). The quads are in no particular order, their
// blank node labels are arbitrary, and a statement may be repeated: the
// dataset they make is what matters (which rdfc.Canonicalize writes out).
func ToRDF(doc any, l *Loader, p Profile) (quads []rdfc.Quad, err error) {
	defer recoverPanic(&err)
	l, err = l.orDefault()
	if err != nil {
		return nil, err
	}
	var d rdfc.Dataset
	if fastToDataset(doc, l, &d, p == Bound) {
		return d.Quads(), nil
	}
	return slowToRDF(doc, l, p)
}

// ToDataset is [ToRDF] into d, which it empties first: the form
// rdfc.WriteCanonical reads, without a [rdfc.Quad] for each statement.
// Errors are those of ToRDF, and those of d (wrapping rdfc.ErrInvalidTerm
// or rdfc.ErrTooLarge) for a statement d refuses. On error d holds any
// part of the dataset.
func ToDataset(doc any, l *Loader, d *rdfc.Dataset, p Profile) (err error) {
	defer recoverPanic(&err)
	l, err = l.orDefault()
	if err != nil {
		return err
	}
	if fastToDataset(doc, l, d, p == Bound) {
		return nil
	}
	quads, err := slowToRDF(doc, l, p)
	if err != nil {
		return err
	}
	d.Reset()
	return addQuads(d, quads)
}

// ToDatasetJSON is [ToDataset] of a JSON document, with the errors of
// [ToRDFJSON]: for a caller that wants the dataset, or only whether the
// document converts, with a Dataset it reuses.
func ToDatasetJSON(data []byte, l *Loader, d *rdfc.Dataset, p Profile) error {
	doc, err := decode(data)
	if err != nil {
		return err
	}
	return ToDataset(doc, l, d, p)
}

// addQuads adds quads to d, blank nodes known by label.
func addQuads(d *rdfc.Dataset, quads []rdfc.Quad) error {
	blanks := make(map[string]rdfc.TermID)
	id := func(t rdfc.Term) (rdfc.TermID, error) {
		switch t.Kind {
		case rdfc.IRI:
			return d.IRI(t.Value)
		case rdfc.Literal:
			return d.Literal(t.Value, t.Datatype, t.Language)
		case rdfc.BlankNode:
			b, ok := blanks[t.Value]
			if !ok {
				b = d.BlankNode()
				blanks[t.Value] = b
			}
			return b, nil
		}
		return rdfc.DefaultGraphID, nil
	}
	for _, q := range quads {
		var ids [4]rdfc.TermID
		for i, t := range [4]rdfc.Term{q.Subject, q.Predicate, q.Object, q.Graph} {
			x, err := id(t)
			if err != nil {
				return err
			}
			ids[i] = x
		}
		if err := d.Add(ids[0], ids[1], ids[2], ids[3]); err != nil {
			return err
		}
	}
	return nil
}

// slowToRDF is ToRDF without the fast conversion (fastpath.go): the
// safe-mode walk, json-gold's expansion and node map, and quadWriter. It
// is the authority the fast conversion is held to.
func slowToRDF(doc any, l *Loader, p Profile) (quads []rdfc.Quad, err error) {
	defer recoverPanic(&err)
	nodeMap, issuer, err := process(doc, l, p)
	if err != nil {
		return nil, err
	}
	return toQuads(nodeMap, issuer)
}

// Expand returns the JSON-LD expanded form of doc (JSON-LD 1.1 Processing
// Algorithms section 5.1), after the same safe-mode checks as [ToRDF]
// except the refusal of base directions, which the expanded form keeps.
func Expand(doc any, l *Loader) (expanded []any, err error) {
	defer recoverPanic(&err)
	return expand(doc, l, false, Safe)
}

// decode checks data strictly, at most limits.MaxDocumentBytes, and
// decodes it; its errors wrap strictjson.ErrInvalid.
func decode(data []byte) (any, error) {
	return strictjson.Decode(data, limits.MaxDocumentBytes)
}

// recoverPanic turns a panic into an error: json-gold asserts the types of
// its input in places, and nothing may panic on input. The error records
// the function that panicked, so the fuzz test can tell json-gold's panics
// (expected on odd input) from this package's (bugs).
func recoverPanic(err *error) {
	r := recover()
	if r == nil {
		return
	}
	*err = &TermError{
		Err:       ErrInvalidJSONLD,
		Unlocated: true,
		Reason:    fmt.Sprintf("the JSON-LD processor failed on this input (%v)", r),
		panicked:  panicOrigin(),
	}
}

// panicOrigin returns the name of the function that panicked: the first
// frame below runtime.gopanic that is not in the runtime.
func panicOrigin() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	below := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			below = true
		case below && !strings.HasPrefix(f.Function, "runtime."):
			return f.Function
		}
		if !more {
			return ""
		}
	}
}

// options returns the json-gold options for documents processed with l
// (shared and never changed: json-gold copies them).
func options(l *Loader) *gold.JsonLdOptions { return l.opts }

// expand runs the safe-mode check (and, with p Bound, the bound profile's)
// and then json-gold's expansion; forRDF adds the checks only conversion
// to RDF needs.
func expand(doc any, l *Loader, forRDF bool, p Profile) ([]any, error) {
	l, err := l.orDefault()
	if err != nil {
		return nil, err
	}
	switch doc.(type) {
	case map[string]any, []any:
	default:
		return nil, &TermError{Err: ErrInvalidJSONLD, Reason: "a JSON-LD document must be a JSON object or array"}
	}
	w, err := walk(doc, l, forRDF, p)
	if err != nil {
		return nil, err
	}
	input := doc
	if w.top != nil {
		// The document's @context is a list of served URLs that the walk
		// found processed already: json-gold takes the processed context
		// in its place (its context processing uses a *Context value as
		// is), instead of processing the same contexts again. It gets a
		// copy, because it then sets the processing mode on the value it
		// was given.
		m := doc.(map[string]any)
		cp := make(map[string]any, len(m))
		for k, v := range m {
			cp[k] = v
		}
		cp["@context"] = gold.CopyContext(w.top)
		input = cp
	}
	if len(w.graphFixes) > 0 {
		input = wrapGraphs(input, w.graphFixes)
	}
	expanded, err := gold.NewJsonLdProcessor().Expand(input, options(l))
	if err != nil {
		return nil, goldError(err)
	}
	return expanded, nil
}

// process expands doc and builds json-gold's node map of it (JSON-LD 1.1
// Processing Algorithms section 7.2).
func process(doc any, l *Loader, p Profile) (map[string]any, *gold.IdentifierIssuer, error) {
	expanded, err := expand(doc, l, true, p)
	if err != nil {
		return nil, nil, err
	}
	nodeMap := map[string]any{"@default": map[string]any{}}
	issuer := gold.NewIdentifierIssuer("_:b")
	if _, err := gold.NewJsonLdApi().GenerateNodeMap(expanded, nodeMap, "@default", issuer, "", "", nil); err != nil {
		return nil, nil, goldError(err)
	}
	return nodeMap, issuer, nil
}

// goldError turns an error from json-gold into one of ours.
func goldError(err error) error {
	var ce *ContextError
	if errors.As(err, &ce) {
		return ce
	}
	var te *TermError
	if errors.As(err, &te) {
		return te
	}
	var je *gold.JsonLdError
	if errors.As(err, &je) {
		switch je.Code {
		case gold.InvalidProperty:
			return &TermError{Err: ErrUndefinedTerm, Unlocated: true, Kind: "term", Reason: "json-gold safe mode found a member that does not expand to an absolute IRI"}
		case gold.ProtectedTermRedefinition:
			return &TermError{Err: ErrProtectedTermRedefinition, Unlocated: true, Reason: err.Error()}
		case gold.InvalidLocalContext, gold.InvalidRemoteContext, gold.InvalidTermDefinition,
			gold.InvalidIRIMapping, gold.CyclicIRIMapping, gold.KeywordRedefinition,
			gold.InvalidContextNullification, gold.InvalidContextEntry, gold.InvalidVocabMapping,
			gold.InvalidTypeMapping, gold.InvalidContainerMapping, gold.InvalidKeywordAlias,
			gold.InvalidBaseIRI, gold.InvalidDefaultLanguage, gold.InvalidImportValue,
			gold.InvalidPropagateValue, gold.InvalidVersionValue, gold.InvalidReverseProperty,
			gold.InvalidLanguageMapping, gold.InvalidPrefixValue, gold.InvalidNestValue,
			gold.InvalidBaseDirection, gold.RecursiveContextInclusion, gold.ProcessingModeConflict:
			return &TermError{Err: ErrInvalidContext, Unlocated: true, Reason: err.Error()}
		}
	}
	return &TermError{Err: ErrInvalidJSONLD, Unlocated: true, Reason: err.Error()}
}

// quadWriter turns a node map into quads (JSON-LD 1.1 Processing
// Algorithms section 8.1, Deserialize JSON-LD to RDF), failing where the
// algorithm would silently skip a statement.
//
// json-gold's own conversion (RDFDataset.GraphToRDF) skips relative IRIs,
// drops statements it finds invalid, writes a statement with no object for
// a list item it cannot convert, and makes wrong rdf:JSON literals; here
// each of those is an error, and literals follow jsonld.js.
type quadWriter struct {
	issuer *gold.IdentifierIssuer
	quads  []rdfc.Quad
	graph  rdfc.Term
	iris   iriCache
}

func toQuads(nodeMap map[string]any, issuer *gold.IdentifierIssuer) ([]rdfc.Quad, error) {
	w := &quadWriter{issuer: issuer, iris: make(iriCache), quads: make([]rdfc.Quad, 0, countStatements(nodeMap))}
	names := make([]string, 0, len(nodeMap))
	for name := range nodeMap {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		graph, ok := nodeMap[name].(map[string]any)
		if !ok {
			return nil, internalShape("graph")
		}
		switch {
		case name == "@default":
			w.graph = rdfc.Term{}
		case isBlankNode(name):
			w.graph = rdfc.Term{Kind: rdfc.BlankNode, Value: name[2:]}
		case w.iris.valid(name):
			w.graph = rdfc.Term{Kind: rdfc.IRI, Value: name}
		default:
			return nil, &TermError{Err: ErrInvalidIRI, Unlocated: true, Kind: "graph", Term: name}
		}
		if err := w.writeGraph(graph); err != nil {
			return nil, err
		}
	}
	return w.quads, nil
}

func (w *quadWriter) writeGraph(graph map[string]any) error {
	ids := make([]string, 0, len(graph))
	for id := range graph {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		node, ok := graph[id].(map[string]any)
		if !ok {
			return internalShape("node")
		}
		subject, err := w.nodeTerm(id, "id")
		if err != nil {
			return err
		}
		props := make([]string, 0, len(node))
		for p := range node {
			props = append(props, p)
		}
		slices.Sort(props)
		for _, p := range props {
			items, ok := node[p].([]any)
			if p == "@type" {
				if !ok {
					return internalShape("@type")
				}
				for _, t := range items {
					ts, ok := t.(string)
					if !ok {
						return internalShape("@type value")
					}
					object, err := w.nodeTerm(ts, "type")
					if err != nil {
						return err
					}
					if err := w.add(subject, rdfc.Term{Kind: rdfc.IRI, Value: rdfType}, object); err != nil {
						return err
					}
				}
				continue
			}
			if gold.IsKeyword(p) {
				continue
			}
			if !w.iris.valid(p) {
				return &TermError{Err: ErrInvalidIRI, Unlocated: true, Kind: "property", Term: p, Reason: "RDF predicates must be IRIs"}
			}
			if !ok {
				return internalShape("property values")
			}
			predicate := rdfc.Term{Kind: rdfc.IRI, Value: p}
			for _, item := range items {
				object, err := w.object(item)
				if err != nil {
					return err
				}
				if err := w.add(subject, predicate, object); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (w *quadWriter) add(s, p, o rdfc.Term) error {
	if len(w.quads) >= limits.MaxQuads {
		return &TermError{Err: ErrLimit, Unlocated: true, Reason: fmt.Sprintf("the document makes more than %d RDF statements", limits.MaxQuads)}
	}
	w.quads = append(w.quads, rdfc.Quad{Subject: s, Predicate: p, Object: o, Graph: w.graph})
	return nil
}

// countStatements counts the statements a node map holds outside lists,
// to size the result once.
func countStatements(nodeMap map[string]any) int {
	n := 0
	for _, g := range nodeMap {
		graph, _ := g.(map[string]any)
		for _, node := range graph {
			props, _ := node.(map[string]any)
			for p, v := range props {
				if items, ok := v.([]any); ok && (p == "@type" || !strings.HasPrefix(p, "@")) {
					n += len(items)
				}
			}
		}
	}
	return min(n, limits.MaxQuads)
}

// nodeTerm makes the term for a node identifier (an IRI or a blank node).
func (w *quadWriter) nodeTerm(id, kind string) (rdfc.Term, error) {
	if isBlankNode(id) {
		return rdfc.Term{Kind: rdfc.BlankNode, Value: id[2:]}, nil
	}
	if !w.iris.valid(id) {
		return rdfc.Term{}, &TermError{Err: ErrInvalidIRI, Unlocated: true, Kind: kind, Term: id}
	}
	return rdfc.Term{Kind: rdfc.IRI, Value: id}, nil
}

// object converts a value object, list object or node reference.
func (w *quadWriter) object(item any) (rdfc.Term, error) {
	m, ok := item.(map[string]any)
	if !ok {
		return rdfc.Term{}, internalShape("object")
	}
	if _, ok := m["@value"]; ok {
		return w.literal(m)
	}
	if list, ok := m["@list"]; ok {
		items, ok := list.([]any)
		if !ok {
			return rdfc.Term{}, internalShape("@list")
		}
		return w.list(items)
	}
	id, ok := m["@id"].(string)
	if !ok {
		return rdfc.Term{}, internalShape("node reference")
	}
	return w.nodeTerm(id, "id")
}

// list writes an RDF collection and returns its head.
func (w *quadWriter) list(items []any) (rdfc.Term, error) {
	if len(items) == 0 {
		return rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}, nil
	}
	first := rdfc.Term{Kind: rdfc.IRI, Value: rdfFirst}
	rest := rdfc.Term{Kind: rdfc.IRI, Value: rdfRest}
	head := rdfc.Term{Kind: rdfc.BlankNode, Value: w.issuer.GetId("")[2:]}
	subject := head
	for i, item := range items {
		object, err := w.object(item)
		if err != nil {
			return rdfc.Term{}, err
		}
		if err := w.add(subject, first, object); err != nil {
			return rdfc.Term{}, err
		}
		next := rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}
		if i < len(items)-1 {
			next = rdfc.Term{Kind: rdfc.BlankNode, Value: w.issuer.GetId("")[2:]}
		}
		if err := w.add(subject, rest, next); err != nil {
			return rdfc.Term{}, err
		}
		subject = next
	}
	return head, nil
}

// literal converts a value object (JSON-LD 1.1 Processing Algorithms section
// 8.2, Object to RDF Conversion, steps 5 to 13), writing numbers as
// jsonld.js does.
func (w *quadWriter) literal(m map[string]any) (rdfc.Term, error) {
	value := m["@value"]
	datatype, hasType := m["@type"].(string)
	if _, bad := m["@type"]; bad && !hasType {
		return rdfc.Term{}, internalShape("@type of a value")
	}
	if d, ok := m["@direction"]; ok && d != nil {
		s, _ := d.(string)
		return rdfc.Term{}, &TermError{Err: ErrBaseDirection, Unlocated: true, Kind: "value", Term: fmt.Sprint(value), Reason: fmt.Sprintf("direction %q", s)}
	}
	if hasType && datatype != "@json" && !w.iris.valid(datatype) {
		return rdfc.Term{}, &TermError{Err: ErrInvalidIRI, Unlocated: true, Kind: "datatype", Term: datatype}
	}
	lang, hasLang := m["@language"]
	return literalTerm(value, datatype, hasType, lang, hasLang)
}

// literalTerm makes the literal for a value object's @value, its datatype
// (when hasType) and its language (when hasLang): JSON-LD 1.1 Processing
// Algorithms section 8.2, Object to RDF Conversion, steps 5 to 13, with
// numbers written as jsonld.js writes them. The datatype, when not @json,
// has been checked already.
func literalTerm(value any, datatype string, hasType bool, lang any, hasLang bool) (rdfc.Term, error) {
	lit := func(lex, dflt string) rdfc.Term {
		dt := dflt
		if hasType {
			dt = datatype
		}
		return rdfc.Term{Kind: rdfc.Literal, Value: lex, Datatype: dt}
	}
	if hasType && datatype == "@json" {
		lex, err := jsonLiteral(value)
		if err != nil {
			return rdfc.Term{}, err
		}
		return rdfc.Term{Kind: rdfc.Literal, Value: lex, Datatype: rdfJSON}, nil
	}
	switch v := value.(type) {
	case bool:
		if v {
			return lit("true", xsdBoolean), nil
		}
		return lit("false", xsdBoolean), nil
	case string:
		if hasLang {
			ls, ok := lang.(string)
			if !ok || !validLanguage(ls) {
				return rdfc.Term{}, &TermError{Err: ErrInvalidLanguage, Unlocated: true, Kind: "language", Term: fmt.Sprint(lang)}
			}
			return rdfc.Term{Kind: rdfc.Literal, Value: v, Datatype: rdfc.RDFLangString, Language: ls}, nil
		}
		return lit(v, rdfc.XSDString), nil
	}
	f, ok := jcs.Float(value)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return rdfc.Term{}, internalShape("@value")
	}
	if f != math.Trunc(f) || math.Abs(f) >= 1e21 || (hasType && datatype == xsdDouble) {
		return lit(canonicalDouble(f), xsdDouble), nil
	}
	if f == 0 {
		return lit("0", xsdInteger), nil // also for -0, as ECMAScript's toFixed
	}
	if math.Abs(f) < 1<<53 {
		// Exact as an int64, and written the same; FormatInt does not
		// allocate for small numbers.
		return lit(strconv.FormatInt(int64(f), 10), xsdInteger), nil
	}
	return lit(strconv.FormatFloat(f, 'f', 0, 64), xsdInteger), nil
}

// canonicalDouble writes f as XSD canonical double, the way jsonld.js does:
// toExponential(15) with trailing zeros of the mantissa and the exponent's
// "+" and leading zeros removed ("1.5E0", "1.0E21", "1.25E-7").
func canonicalDouble(f float64) string {
	s := strconv.FormatFloat(f, 'e', 15, 64) // d.ddddddddddddddde±dd
	mant, exp, _ := strings.Cut(s, "e")
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		mant = strings.TrimRight(mant, "0")
		if strings.HasSuffix(mant, ".") {
			mant += "0"
		}
	}
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(exp, "+-")
	exp = strings.TrimLeft(exp, "0")
	if exp == "" {
		exp = "0"
	}
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}

func internalShape(what string) error {
	return &TermError{Err: ErrInvalidJSONLD, Unlocated: true, Reason: "unexpected shape of " + what + " after expansion"}
}
