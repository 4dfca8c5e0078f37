package ld

import (
	"fmt"
	"math"
	"slices"
	"strings"

	gold "github.com/piprate/json-gold/ld"

	"github.com/staffpass/staffpass/internal/rdfc"
)

// Profile chooses which documents conversion accepts.
type Profile uint8

const (
	// Safe is JSON-LD safe mode: nothing the document says is lost or
	// changed on the way to RDF (see safemode.go). What is converted is
	// what the RDF says, but a reader of the JSON may read something
	// else: the same statement can be written in many JSON shapes.
	Safe Profile = iota

	// Bound is Safe, and the document's JSON is an exact picture of its
	// RDF: the profile of every document a Data Integrity -rdfc- proof
	// signs or verifies (credentials, presentations, status lists and the
	// proof configurations themselves). See "The bound profile" below.
	Bound
)

// The bound profile
//
// A Data Integrity proof with an -rdfc- cryptosuite signs the canonical RDF
// of a document, not its JSON, while every check a verifier makes (the
// validity period, the status entries, the holder, the proof's own options,
// a role's requirements) reads JSON members by name. JSON-LD can write one
// dataset in many JSON shapes: a member under the absolute IRI it stands
// for, under an alias from an inline context, under @nest; a node's
// statements split between two objects with the same id; a value as a
// value object, as a string or as a number. Any rewrite that keeps the RDF
// keeps the signature, so a holder could move a value to a name the reader
// does not read, and the reader would take it for absent.
//
// staffpass closes that class by construction, not by listing rewrites:
// a document is converted in this profile only if its JSON, read the plain
// way a reader reads it, is the dataset. Reading it the plain way means:
// every JSON object is one node and each of its members one property,
// named by the one term the contexts give its IRI; every value is one
// statement. The rules below make JSON-LD's reading and the plain reading
// agree; anything outside them is refused with ErrNotBound, naming the
// member and why:
//
//  1. Contexts: @context appears at the top of the document, and at the top
//     of a node in a @graph container (a credential in a presentation). Its
//     entries are served contexts, by URL, and inline contexts that only
//     add terms standing for IRIs (with a @type coercion, an @set or @list
//     container): no keyword alias, @vocab, @base, @language, @direction,
//     @import, scoped context, @reverse or @nest that the document makes
//     for itself. (A term it adds that stands for an IRI another term
//     stands for fails rule 2, and one that redefines a term the served
//     contexts protect fails safe mode.)
//  2. Member names: "@context" where rule 1 allows it; "id" and "type" for
//     @id and @type (the only keyword aliases of the served contexts);
//     otherwise the one name the IRI it stands for has (readers.go): its
//     term, if the active context has one (and only one); else the name
//     @vocab makes of it; else the IRI itself, never a compact IRI. So a
//     reader that knows a property by a name finds it under that name, and
//     only there. No other keyword as a member name (@id, @type, @graph,
//     @included, @reverse, @nest, @list, @set, @index, ...), no reverse
//     property, and no @index, @id, @type or @language container.
//  3. Values: a string, number or boolean; a node object; a non-empty
//     array of these (not of arrays; an empty one only as a @list); a
//     value object only as a language-tagged
//     string ({"@value": "...", "@language": "..."}, VCDM 2.0 section
//     11.1). No null (JSON-LD drops it). Under a datatype coercion a
//     value's JSON type must be the datatype's own (a number for XSD's
//     numeric types, a boolean for xsd:boolean, a string otherwise), since
//     "5" and 5 there make the same literal; no coercion to rdf:JSON (use
//     an @json term).
//  4. Identifiers: ids and @id-coerced values are written as what they
//     expand to (no compact IRI with a prefix term), types and
//     @vocab-coerced values under the one name of rule 2; no blank node
//     label (canonicalization renames blank nodes, so a proof never signs
//     a label).
//  5. Nodes: within one graph, a node with an IRI is described (has members
//     besides its id) in one place only, and a node described in one place
//     appears nowhere else; JSON-LD would merge the two, so what the JSON
//     shows at one place would not be all the proof signs about the node.
//  6. Statements: no value is written twice for one property of one node
//     (RDF keeps one; a reader of the JSON would count two).
//  7. The names readers know: a proof does not sign the contexts, so a
//     holder may swap them. The members the data model, the status list
//     reader and the Data Integrity proof reader read on credentials,
//     presentations, status entries, status lists and proofs, the types
//     that tell those apart, and the proof purposes, stand for the IRIs
//     the W3C contexts give them whatever the document's contexts say,
//     and those IRIs go under those names only (readers.go).
//  8. The names the served contexts give: every other name too keeps the
//     meaning the contexts the Loader serves give it, and an IRI they name
//     goes under a name they give it, whichever contexts the document
//     names (universe.go); no property stands for rdf:type. A holder who
//     swaps contexts cannot write a signed PorterCredential as
//     "SurgeonCredential", or swap two claims' names.
//
// Under these rules the JSON tree and the dataset are the same graph:
// each object a node with exactly the statements its members make, each
// member one predicate, each value one object, nothing merged, dropped or
// added. Whatever a reader finds in the JSON, the proof signs it; whatever
// the proof signs, a reader finds it where the JSON puts it. Numbers are
// bound by strictjson, which refuses a number written more precisely than
// the float64 both JSON-LD and the readers turn it into.
//
// The safe-mode walk (checker) applies these rules with JSON pointers in
// its errors; the fast conversion (fastpath.go) declines wherever one would
// fail, so that the walk then names the problem. The issuing side converts
// in this profile too, so staffpass never signs what it would refuse to
// verify.

// boundState is what the bound profile's rules remember during one walk.
type boundState struct {
	// graph is the graph being walked (0 is the default graph), graphs
	// the number of named graphs met so far.
	graph, graphs int
	// graphValue is set just before the walk enters a value of a @graph
	// container, the one place besides the top where a @context may be.
	graphValue bool
	// nodes records, per graph, the nodes with an IRI met so far.
	nodes map[nodeKey]nodeUse
	// names memoizes termNames per context.
	names map[*gold.Context]map[string]termName
}

type nodeKey struct {
	graph int
	iri   string
}

type nodeUse struct {
	described bool
	at        string // JSON pointer
}

// termName is what a context names an IRI: how many terms stand for it,
// and the first of them in lexical order.
type termName struct {
	n    int
	name string
}

// termNames returns, for every IRI a term of ctx stands for, its names.
// Keyword aliases, null and reverse definitions stand for no IRI.
func (c *checker) termNames(ctx *gold.Context) map[string]termName {
	if m, ok := c.b.names[ctx]; ok {
		return m
	}
	m := make(map[string]termName, len(ctx.TermDefinitions))
	for name, td := range ctx.TermDefinitions {
		if td == nil || td.Reverse || td.ID == "" || gold.IsKeyword(td.ID) {
			continue
		}
		t := m[td.ID]
		t.n++
		if t.name == "" || name < t.name {
			t.name = name
		}
		m[td.ID] = t
	}
	if c.b.names == nil {
		c.b.names = make(map[*gold.Context]map[string]termName)
	}
	c.b.names[ctx] = m
	return m
}

func (c *checker) notBound(p *path, kind, term, iri, reason string) error {
	return &TermError{Err: ErrNotBound, Pointer: p.String(), Kind: kind, Term: term, IRI: iri, Reason: reason}
}

// boundName applies rules 2, 4 and 7 to name, a member name, type or
// @vocab-coerced value that expands to iri in ctx, where pinned are the
// reader's names (see nameProblem).
func (c *checker) boundName(ctx *gold.Context, name, iri string, p *path, kind string, pinned ...*pins) error {
	t := c.termNames(ctx)[iri]
	vocab := ""
	if ctx.Values != nil && ctx.Values.Vocab != nil {
		vocab = *ctx.Values.Vocab
	}
	isTerm := func(s string) bool { _, ok := ctx.TermDefinitions[s]; return ok }
	if reason := nameProblem(c.l.universe(), name, iri, t.n, t.name, vocab, isTerm, pinned...); reason != "" {
		return c.notBound(p, kind, name, iri, reason)
	}
	return nil
}

// boundKeys applies rules 1 to 4 and 7 to the member names of an object,
// whose names expand as expanded says (its types in typeScoped), and rule
// 5 to the object itself.
func (c *checker) boundKeys(ctx, typeScoped *gold.Context, elem map[string]any, keys, expanded []string, p *path, isValue bool) error {
	if isValue {
		_, langIsStr := elem["@language"].(string)
		_, isStr := elem["@value"].(string)
		if p == nil || len(keys) != 2 || !langIsStr || !isStr {
			return c.notBound(p, "value", fmt.Sprint(elem[firstKeyExpandingTo(keys, expanded, "@value")]), "", "a JSON-LD value object in place of a plain value: only a language-tagged string ({\"@value\": \"...\", \"@language\": \"...\"}) may be one")
		}
		return nil
	}
	var types []string
	for i, key := range keys {
		if expanded[i] != "@type" {
			continue
		}
		list, isList := elem[key].([]any)
		if !isList {
			list = []any{elem[key]}
		}
		for _, t := range list {
			if s, ok := t.(string); ok {
				if iri, err := typeScoped.ExpandIri(s, true, true, nil, nil); err == nil {
					types = append(types, iri)
				}
			}
		}
	}
	pinned := nodePins(types)
	id, idAt, described := "", "", false
	for i, key := range keys {
		e, kp := expanded[i], p.child(key)
		switch {
		case key == "@context":
			continue
		case gold.IsKeyword(key):
			return c.notBound(kp, "term", key, "", boundKeywordReason(key))
		case gold.IsKeyword(e):
			if (key == "id" && e == "@id") || (key == "type" && e == "@type") {
				break
			}
			return c.notBound(kp, "term", key, e, fmt.Sprintf("an alias of %s: only \"id\" and \"type\" may stand for keywords", e))
		default:
			if err := c.boundName(ctx, key, e, kp, "term", pinned...); err != nil {
				return err
			}
			if td := ctx.GetTermDefinition(key); td != nil && td.Reverse {
				return c.notBound(kp, "term", key, e, "a reverse property: its statements point at this node from elsewhere")
			}
		}
		if e == "@id" {
			s, ok := elem[key].(string)
			if !ok {
				return c.notBound(kp, "id", "", "", "an id must be a string")
			}
			if err := c.boundID(ctx, s, kp, "id"); err != nil {
				return err
			}
			id, idAt = s, key
			continue
		}
		described = true
	}
	if idAt != "" {
		return c.boundNode(id, described, p.child(idAt))
	}
	return nil
}

func boundKeywordReason(key string) string {
	switch key {
	case "@id", "@type":
		return fmt.Sprintf("the keyword %s as a member name: a reader reads %q", key, strings.TrimPrefix(key, "@"))
	case "@nest":
		return "@nest moves members into another object than the node they describe"
	case "@included":
		return "@included adds nodes that nothing in the JSON links to"
	case "@reverse":
		return "@reverse makes statements that point at this node from elsewhere"
	case "@graph":
		return "@graph as a member puts its nodes in a graph a reader does not see"
	case "@value", "@language":
		return "a JSON-LD value object in place of a plain value"
	}
	return fmt.Sprintf("the keyword %s as a member name", key)
}

// boundID applies rule 4 to s, an id or @id-coerced value.
func (c *checker) boundID(ctx *gold.Context, s string, p *path, kind string) error {
	if isBlankNode(s) {
		return c.notBound(p, kind, s, "", "a blank node label: canonicalization renames blank nodes, so no proof signs the label")
	}
	iri, err := ctx.ExpandIri(s, true, false, nil, nil)
	if err != nil || iri != s {
		return c.notBound(p, kind, s, iri, "a compact IRI whose prefix is a term: the proof signs the IRI it expands to, a reader reads the string")
	}
	return nil
}

// boundNode applies rule 5 to a node with IRI iri met at p, as a node
// object that describes it or not, or as a reference.
func (c *checker) boundNode(iri string, described bool, p *path) error {
	k := nodeKey{graph: c.b.graph, iri: iri}
	prev, seen := c.b.nodes[k]
	if !seen {
		if c.b.nodes == nil {
			c.b.nodes = make(map[nodeKey]nodeUse)
		}
		c.b.nodes[k] = nodeUse{described: described, at: p.String()}
		return nil
	}
	if !prev.described && !described {
		return nil
	}
	return c.notBound(p, "id", iri, "", fmt.Sprintf("the node is also at %s: JSON-LD merges the two into one node, so what the JSON shows in either place is not all a proof signs about it", pointerText(prev.at)))
}

// boundScalar applies rules 3 and 4 to a scalar value of a term defined
// by td (nil: no definition) in ctx.
func (c *checker) boundScalar(ctx *gold.Context, td *gold.TermDefinition, value any, p *path) error {
	s, isString := value.(string)
	if td == nil {
		if isString && ctx.Values.HasLanguage && ctx.Values.Language != "" {
			return c.notBound(p, "value", s, "", "a plain string that JSON-LD tags with the language its context sets: the JSON does not show the tag the proof signs")
		}
		return nil
	}
	switch td.Type {
	case "@id", "@vocab":
		if !isString {
			return c.notBound(p, "value", fmt.Sprint(value), "", fmt.Sprintf("a %s where the term's values are identifiers", jsonTypeName(value)))
		}
		if td.Type == "@id" {
			iri, _ := ctx.ExpandIri(s, true, false, nil, nil)
			if err := c.boundID(ctx, s, p, "value"); err != nil {
				return err
			}
			return c.boundNode(iri, false, p)
		}
		iri, err := ctx.ExpandIri(s, true, true, nil, nil)
		if err != nil {
			return nil // the safe-mode check names it
		}
		if err := c.boundName(ctx, s, iri, p, "value", readerPurposes); err != nil {
			return err
		}
		return c.boundNode(iri, false, p)
	case "@json":
		return nil
	case "", "@none":
		lang := ctx.Values.HasLanguage && ctx.Values.Language != ""
		if td.HasLanguage {
			lang = td.Language != nil
		}
		if isString && lang {
			return c.notBound(p, "value", s, "", "a plain string that JSON-LD tags with the language its context sets: the JSON does not show the tag the proof signs")
		}
		return nil
	}
	if coercedJSONType(td.Type) == "none" {
		return c.notBound(p, "value", fmt.Sprint(value), "", "a coercion to rdf:JSON: a string there is the same literal as the JSON value it spells under an @json term")
	}
	if want := coercedJSONType(td.Type); want != jsonTypeName(value) {
		return c.notBound(p, "value", fmt.Sprint(value), "", fmt.Sprintf("a %s under a coercion to %s, whose values are written as a JSON %s: JSON-LD makes the same literal of both", jsonTypeName(value), td.Type, want))
	}
	return nil
}

// The XSD datatypes whose literals are written as JSON numbers, in XSD's
// namespace and in the https one that the VCDM 2.0 context uses for some
// (statusSize, exp, iat, nbf).
var numericDatatypes = func() map[string]bool {
	m := make(map[string]bool)
	for _, t := range []string{"integer", "decimal", "double", "float", "nonNegativeInteger",
		"positiveInteger", "negativeInteger", "nonPositiveInteger", "long", "int", "short",
		"byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"} {
		m["http://www.w3.org/2001/XMLSchema#"+t] = true
		m["https://www.w3.org/2001/XMLSchema#"+t] = true
	}
	return m
}()

// coercedJSONType is the JSON type of the values of a term coerced to
// datatype (rule 3): a number for XSD's numeric types, a boolean for
// xsd:boolean, a string for every other datatype but rdf:JSON, whose
// literals are what an @json term makes of any JSON value, so that no
// JSON type writes them in one way only ("none").
func coercedJSONType(datatype string) string {
	switch {
	case datatype == rdfJSON:
		return "none"
	case numericDatatypes[datatype]:
		return "number"
	case datatype == "http://www.w3.org/2001/XMLSchema#boolean", datatype == "https://www.w3.org/2001/XMLSchema#boolean":
		return "boolean"
	}
	return "string"
}

func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "number"
}

// boundValue applies rules 3 and 6 to the value of a member key, whose
// container mapping is ctx's and whose values expand in termCtx: no null, no
// array in an array, and (outside a @list) no value twice.
func (c *checker) boundValue(ctx, termCtx *gold.Context, key string, value any, p *path) error {
	list := ctx.HasContainerMapping(key, "@list")
	items, isArr := value.([]any)
	if !isArr {
		items = []any{value}
	} else if len(items) == 0 && !list {
		return c.notBound(p, "value", "[]", "", "an empty array makes no statement, so no proof signs it; leave the member out")
	}
	var seen []string
	for i, item := range items {
		ip := p
		if isArr {
			ip = p.item(i)
		}
		switch v := item.(type) {
		case nil:
			return c.notBound(ip, "value", "null", "", "JSON-LD drops a null, so no proof signs it")
		case []any:
			return c.notBound(ip, "value", "", "", "an array in an array: JSON-LD flattens it")
		case map[string]any:
			if !isArr || list {
				continue
			}
			if k, ok := c.valueKey(termCtx, v); ok {
				if err := repeated(&seen, k, ip, c); err != nil {
					return err
				}
			}
		default:
			if !isArr || list {
				continue
			}
			if k, ok := c.scalarKey(termCtx, key, v); ok {
				if err := repeated(&seen, k, ip, c); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func repeated(seen *[]string, k string, p *path, c *checker) error {
	if slices.Contains(*seen, k) {
		return c.notBound(p, "value", "", "", "the same value is already given for this member: RDF keeps one, a reader of the JSON would count two")
	}
	*seen = append(*seen, k)
	return nil
}

// scalarKey returns what a scalar value of key converts to, as a string
// that is equal for two values exactly when their RDF terms are.
func (c *checker) scalarKey(ctx *gold.Context, key string, v any) (string, bool) {
	td := ctx.GetTermDefinition(key)
	s, isString := v.(string)
	if td != nil && isString && (td.Type == "@id" || td.Type == "@vocab") {
		iri, err := ctx.ExpandIri(s, true, td.Type == "@vocab", nil, nil)
		return "i" + iri, err == nil
	}
	datatype, hasType := "", false
	if td != nil && td.Type != "" && td.Type != "@none" && td.Type != "@id" && td.Type != "@vocab" {
		datatype, hasType = td.Type, true
	}
	var lang any
	hasLang := false
	if isString && !hasType {
		if td != nil && td.HasLanguage {
			if td.Language != nil {
				lang, hasLang = strings.ToLower(*td.Language), true
			}
		} else if ctx.Values.HasLanguage {
			lang, hasLang = strings.ToLower(ctx.Values.Language), true
		}
	}
	if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return "", false
	}
	t, err := literalTerm(v, datatype, hasType, lang, hasLang)
	if err != nil {
		return "", false
	}
	return "l" + t.Value + "\x00" + t.Datatype + "\x00" + t.Language, true
}

// valueKey is scalarKey for an object: a node reference (an object with
// only an id) or a language-tagged value object. ok is false for anything
// else: a blank node is a new node each time, and a node described twice
// breaks rule 5, which says so.
func (c *checker) valueKey(ctx *gold.Context, m map[string]any) (string, bool) {
	if v, ok := m["@value"].(string); ok {
		lang, _ := m["@language"].(string)
		return "l" + v + "\x00" + rdfc.RDFLangString + "\x00" + strings.ToLower(lang), true
	}
	if len(m) != 1 {
		return "", false
	}
	for k, v := range m {
		if e, err := ctx.ExpandIri(k, false, true, nil, nil); err == nil && e == "@id" {
			if s, ok := v.(string); ok {
				return "i" + s, true
			}
		}
	}
	return "", false
}

// boundContext applies rule 1 to the @context of the object at p;
// graphValue says the object is a value of a @graph container.
func (c *checker) boundContext(local any, p *path, graphValue bool) error {
	cp := p.child("@context")
	if p != nil && !graphValue {
		return c.notBound(cp, "", "", "", "a @context inside the document can give a member another meaning than the document's contexts give it")
	}
	list, isList := local.([]any)
	if !isList {
		list = []any{local}
	}
	if len(list) == 0 {
		return c.notBound(cp, "", "", "", "an empty @context")
	}
	for i, e := range list {
		ep := cp
		if isList {
			ep = cp.item(i)
		}
		switch e := e.(type) {
		case string:
		case map[string]any:
			if err := c.boundInline(e, ep); err != nil {
				return err
			}
		default:
			return c.notBound(ep, "", "", "", "a @context entry must be the URL of a served context or an object of term definitions")
		}
	}
	return nil
}

// boundInline applies rule 1 to an inline context: it may only add terms
// that stand for an IRI, with an optional @type coercion, an @set or @list
// container, and @protected; and it may say @protected and @version.
func (c *checker) boundInline(m map[string]any, p *path) error {
	for _, k := range sortedKeys(m) {
		kp, def := p.child(k), m[k]
		if strings.HasPrefix(k, "@") {
			if k == "@protected" || k == "@version" {
				continue
			}
			return c.notBound(kp, "", "", "", fmt.Sprintf("an inline context may only define terms, not set %s", k))
		}
		var id string
		switch d := def.(type) {
		case string:
			id = d
		case map[string]any:
			id, _ = d["@id"].(string)
			for _, dk := range sortedKeys(d) {
				switch dk {
				case "@id", "@type", "@protected":
					continue
				case "@container":
					if !plainContainer(d[dk]) {
						return c.notBound(kp.child(dk), "term", k, "", "an inline context may give a term an @set or @list container only")
					}
					continue
				}
				return c.notBound(kp.child(dk), "term", k, "", fmt.Sprintf("an inline context may not give a term %s", dk))
			}
		default:
			return c.notBound(kp, "term", k, "", "an inline context may only map a term to an IRI")
		}
		if id == "" || gold.IsKeyword(id) || strings.HasPrefix(id, "@") {
			return c.notBound(kp, "term", k, id, "an inline context may only map a term to an IRI, not make it an alias of a keyword")
		}
	}
	return nil
}

func plainContainer(v any) bool {
	switch v := v.(type) {
	case string:
		return v == "@set" || v == "@list"
	case []any:
		return len(v) == 1 && plainContainer(v[0])
	}
	return false
}

// boundGraph walks the values of key, a term with a @graph container in
// termCtx: each is a node object, the top of a named graph of its own, and
// may carry a @context (a credential in a presentation).
func (c *checker) boundGraph(termCtx *gold.Context, key string, value any, p *path, depth, ctxDepth int) error {
	items, isArr := value.([]any)
	if !isArr {
		items = []any{value}
	} else if depth > maxDepth {
		return c.fail(ErrLimit, p, "", "", "")
	} else if len(items) == 0 {
		return c.notBound(p, "value", "[]", "", "an empty array makes no statement, so no proof signs it; leave the member out")
	}
	outer := c.b.graph
	defer func() { c.b.graph, c.b.graphValue = outer, false }()
	for i, item := range items {
		ip, d := p, depth
		if isArr {
			ip, d = p.item(i), depth+1
		}
		if _, ok := item.(map[string]any); !ok {
			return c.notBound(ip, "value", "", "", "a value of a @graph container must be a node object")
		}
		c.b.graphs++
		c.b.graph, c.b.graphValue = c.b.graphs, true
		if err := c.element(termCtx, key, item, ip, false, nil, d, ctxDepth); err != nil {
			return err
		}
	}
	return nil
}

// boundName is checker.boundName for the fast conversion: whether name,
// which expands to e, keeps rules 2, 4 and 7 in c.
func (c *fastContext) boundName(name string, e *expansion, pinned ...*pins) bool {
	t := c.names[e.iri]
	return nameProblem(c.fc.l.universe(), name, e.iri, t.n, t.name, c.vocab, c.isTerm, pinned...) == ""
}

func (c *fastContext) isTerm(s string) bool { _, ok := c.terms[s]; return ok }

// boundKey is the part of checker.boundKeys the fast conversion applies to
// one member name k, in the context c its object's members expand in, on
// a node whose members the reader pins as pinned says.
func boundKey(c *fastContext, k *keyInfo, pinned []*pins) bool {
	switch k.exp.kw {
	case kwNone:
		return c.boundName(k.key, k.exp, pinned...)
	case kwID:
		return k.key == "id"
	case kwType:
		return k.key == "type"
	case kwValue:
		return k.key == "@value"
	case kwLanguage:
		return k.key == "@language"
	}
	return false
}
