package ld

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/rdfc"
)

// The fast conversion
//
// ToRDF first tries fastToRDF: one walk over the decoded document that
// expands it (JSON-LD 1.1 Processing Algorithms section 5.1), and writes
// its statements (sections 7.2 and 8.1) as it goes, with no expanded form,
// node map or context copies. It reads contexts that were processed once
// per Loader (fastcontext.go) and mirrors, step for step, what the
// safe-mode walk (safemode.go) and json-gold's expansion and node map do
// with the documents it accepts, counting the same context work.
//
// It takes what credentials, presentations and proof configurations need:
// @context values that are served URLs (at the top and nested), keyword
// aliases, @vocab, type-scoped and property-scoped contexts with their
// reverting, @graph containers (each value a named graph with a blank node
// name), @list and @set containers, @json, typed and language-tagged
// values, value objects, @id and @vocab coercion, nested and blank nodes.
//
// For anything else, and for anything the slow path would refuse, it
// declines, and ToRDF runs the slow path (the safe-mode walk, json-gold's
// expansion and node map, and quadWriter), which is the authority and
// names the problem. So the fast conversion gives either the statements
// the slow path gives (up to blank node labels and repeated statements,
// which a dataset does not have) or nothing. The differential test and
// FuzzFastPathAgreesWithSlowPath hold it to that.
//
// It declines: a top-level array; an inline or otherwise not served
// @context; a member named "" (which json-gold reads as the top level);
// @graph, @list, @set, @included, @reverse, @nest, @index, @direction and
// the other keywords as member names; terms with @reverse, @nest or
// @index, and @index, @id, @type and @language containers; an undefined,
// null, blank or invalid member name, type, datatype or identifier; a
// malformed language tag; a base direction; a value object with @type and
// @language, with a null or structured @value, or at the top; anything
// but a node object in a @graph container; two structured @json values of
// the same kind for one node and property (json-gold panics comparing
// them); numbers held as other Go types than float64 and json.Number; and
// documents over the depth, context and statement limits. It also gives way
// when its Loader already keeps maxFastContexts contexts.

// fastPanics counts panics caught in the fast conversion. Each is a bug (the
// document then takes the slow path); the tests check it stays at zero.
var fastPanics atomic.Int64

// fastToDataset converts doc with the fast conversion into d, which it
// empties first, or declines (ok false) and leaves d in any state.
func fastToDataset(doc any, l *Loader, d *rdfc.Dataset, bound bool) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			fastPanics.Add(1)
			ok = false
		}
	}()
	m, isMap := doc.(map[string]any)
	if !isMap {
		return false
	}
	init := l.fast.initialContext()
	if init == nil {
		return false
	}
	d.Reset()
	w := walkers.Get().(*fastWalker)
	w.fc, w.d, w.bound = l.fast, d, bound
	_, isNode, ok := w.object(init, "", init.term(""), m, true, 1, 0)
	ok = ok && isNode && w.work <= limits.MaxContextWork && w.loads <= limits.MaxContextLoads
	// Rule 6 of the bound profile: with rule 5 kept, a statement made
	// twice is a value written twice for one property.
	ok = ok && !(bound && d.HasDuplicate())
	w.reset()
	walkers.Put(w)
	return ok
}

// walkers keeps fastWalkers, with their scratch stacks, for reuse.
var walkers = sync.Pool{New: func() any { return new(fastWalker) }}

// reset readies w for another document, keeping its scratch space but no
// reference to the last document.
// Space grown past maxKept by a large document is left to the GC.
func (w *fastWalker) reset() {
	const maxKept = 256
	keys, terms, buf, labels, seen, nodes := w.keys, w.terms, w.buf, w.labels, w.seen, w.nodes
	if cap(keys) > maxKept {
		keys = nil
	}
	clear(keys[:cap(keys)])
	if cap(terms) > maxKept {
		terms = nil
	}
	clear(terms[:cap(terms)])
	if cap(buf) > 16*maxKept {
		buf = nil
	}
	if len(labels) > maxKept {
		labels = nil
	}
	clear(labels)
	if len(seen) > maxKept {
		seen = nil
	}
	clear(seen)
	if len(nodes) > maxKept {
		nodes = nil
	}
	clear(nodes)
	*w = fastWalker{keys: keys[:0], terms: terms[:0], buf: buf[:0], labels: labels, seen: seen, nodes: nodes}
}

// fastWalker holds the state of one fast conversion.
type fastWalker struct {
	fc    *fastContexts
	d     *rdfc.Dataset // where the statements go
	graph rdfc.TermID

	labels map[string]rdfc.TermID // blank node label in the document -> blank node

	// vocab holds the TermIDs of rdf:type, rdf:first, rdf:rest and rdf:nil
	// once interned (0 before); zeros those of the xsd:double literals
	// "0.0E0" and "-0.0E0".
	vocab [4]rdfc.TermID
	zeros [2]rdfc.TermID

	// work and loads count what the safe-mode walk would charge
	// (checker.charge).
	work, loads int

	// seen records, per graph, subject and property, the values that
	// json-gold's node map would wrongly take for equal to another value
	// (see clash).
	seen map[seenKey]struct{}

	// bound applies the rules of the bound profile (bound.go), declining
	// wherever one fails; nodes records for rule 5, per graph, each node
	// with an IRI met so far and whether it was described.
	bound   bool
	inGraph bool // the next object is a value of a @graph container
	nodes   map[[2]rdfc.TermID]bool

	// Scratch stacks, used in stack order by the recursion.
	keys  []keyInfo
	terms []rdfc.TermID
	buf   []byte
}

type keyInfo struct {
	key  string
	val  any
	exp  *expansion
	term *fastTerm // the member name's definition, if it is a term
}

type seenKey struct {
	graph, subject rdfc.TermID
	pred           string
	kind           byte
}

// clash records a value of kind for subject's property pred, and reports
// whether json-gold's node map would mistake it for one recorded before.
// The node map drops a value equal (by Go's ==) to one the property has,
// and compares structured @json values, which panics: kinds 'o' and 'a'
// are @json objects and arrays, which clash with one of the same kind.
// It keeps only the first of 0 and -0, whose xsd:double literals differ:
// kinds '+' and '-', which clash with each other.
func (w *fastWalker) clash(subject rdfc.TermID, pred string, kind byte) bool {
	other := kind
	switch kind {
	case '+':
		other = '-'
	case '-':
		other = '+'
	}
	if _, ok := w.seen[seenKey{graph: w.graph, subject: subject, pred: pred, kind: other}]; ok {
		return true
	}
	if w.seen == nil {
		w.seen = make(map[seenKey]struct{})
	}
	w.seen[seenKey{graph: w.graph, subject: subject, pred: pred, kind: kind}] = struct{}{}
	return false
}

// node applies rule 5 of the bound profile to the node n, met as a node
// object that describes it or not, or as a reference; false if it fails.
func (w *fastWalker) node(n rdfc.TermID, described bool) bool {
	k := [2]rdfc.TermID{w.graph, n}
	prev, seen := w.nodes[k]
	if !seen {
		if w.nodes == nil {
			w.nodes = make(map[[2]rdfc.TermID]bool)
		}
		w.nodes[k] = described
		return true
	}
	return !prev && !described
}

// The IRIs of w.vocab.
var vocabIRIs = [...]string{rdfType, rdfFirst, rdfRest, rdfNil}

const (
	vocabType = iota
	vocabFirst
	vocabRest
	vocabNil
)

// charge adds what the safe-mode walk charges for applying a context of
// terms term definitions naming loads contexts to ctx, and reports whether
// the document is still within the limits.
func (w *fastWalker) charge(ctx *fastContext, terms, loads int) bool {
	w.work += ctx.nTerms + 10*terms
	w.loads += loads
	return w.loads <= limits.MaxContextLoads && w.work <= limits.MaxContextWork
}

func (w *fastWalker) emit(s, p, o rdfc.TermID) bool {
	return w.d.Add(s, p, o, w.graph) == nil
}

// iri interns an IRI.
func (w *fastWalker) iri(v string) (rdfc.TermID, bool) {
	id, err := w.d.IRI(v)
	return id, err == nil
}

// vocabTerm returns the TermID of vocabIRIs[i].
func (w *fastWalker) vocabTerm(i int) (rdfc.TermID, bool) {
	if id := w.vocab[i]; id != 0 {
		return id, true
	}
	id, ok := w.iri(vocabIRIs[i])
	w.vocab[i] = id
	return id, ok
}

// literal interns a literal, noting the xsd:double zeros.
func (w *fastWalker) literal(t rdfc.Term) (rdfc.TermID, bool) {
	id, err := w.d.Literal(t.Value, t.Datatype, t.Language)
	if err != nil {
		return 0, false
	}
	if t.Datatype == xsdDouble {
		switch t.Value {
		case "0.0E0":
			w.zeros[0] = id
		case "-0.0E0":
			w.zeros[1] = id
		}
	}
	return id, true
}

// fresh makes a new blank node.
func (w *fastWalker) fresh() rdfc.TermID { return w.d.BlankNode() }

// blank returns the blank node a document's label ("_:x") stands for.
func (w *fastWalker) blank(id string) rdfc.TermID {
	if b, ok := w.labels[id]; ok {
		return b
	}
	b := w.fresh()
	if w.labels == nil {
		w.labels = make(map[string]rdfc.TermID)
	}
	w.labels[id] = b
	return b
}

// object mirrors checker.object and json-gold's expandElement for a JSON
// object, then converts it: a node object gives its subject (isNode), a
// value object its literal.
func (w *fastWalker) object(ctx *fastContext, activeProp string, propTD *fastTerm, elem map[string]any, top bool, depth, ctxDepth int) (term rdfc.TermID, isNode, ok bool) {
	if !ctx.usable {
		return term, false, false
	}
	graphValue := w.inGraph
	w.inGraph = false
	var typeScoped *fastContext
	if ctx.hasPrev() {
		typeScoped = ctx
	}
	local, hasContext := elem["@context"]
	if w.bound && hasContext && !top && !graphValue {
		return term, false, false
	}
	mustRevert := true
	if typeScoped != nil && len(elem) <= 2 && !hasContext {
		for key := range elem {
			e := typeScoped.expandVocab(key)
			if e == nil {
				return term, false, false
			}
			if e.kw == kwValue {
				mustRevert = false
				ctx = typeScoped
				break
			}
			if e.kw == kwID && len(elem) == 1 {
				mustRevert = false
				break
			}
		}
	}
	if mustRevert {
		r := ctx.reverted()
		if r == nil {
			return term, false, false
		}
		if r != ctx {
			w.work += r.nTerms
			ctx = r
		}
	}
	if propTD != nil && propTD.ctxNonNil {
		if ctxDepth++; ctxDepth > limits.MaxContextDepth {
			return term, false, false
		}
		if !w.charge(ctx, propTD.ctxTerms, propTD.ctxLoads) {
			return term, false, false
		}
		if ctx = ctx.scoped(propTD, 'p', activeProp); ctx == nil || !ctx.usable {
			return term, false, false
		}
	}
	if hasContext {
		if ctxDepth++; ctxDepth > limits.MaxContextDepth {
			return term, false, false
		}
		key, isURLs := contextKey(w.buf[:0], local)
		w.buf = key[:0]
		if !isURLs {
			return term, false, false
		}
		if top {
			e := w.fc.top(key, local)
			if !w.charge(ctx, e.terms, e.loads) || e.ctx == nil {
				return term, false, false
			}
			ctx = e.ctx
		} else {
			e := ctx.nestedContext(key, local)
			if !w.charge(ctx, e.terms, e.loads) || e.ctx == nil {
				return term, false, false
			}
			ctx = e.ctx
		}
		if !ctx.usable {
			return term, false, false
		}
	}
	typeScoped = ctx

	// The member names as they expand in ctx, and the one that expands to
	// @type, if any.
	start := len(w.keys)
	defer func() { w.keys = w.keys[:start] }()
	typeAt := -1
	for key, v := range elem {
		if key == "@context" {
			continue
		}
		if key == "" {
			// json-gold takes the values of a member named "" for
			// those of the top level, and drops some.
			return term, false, false
		}
		e, t := ctx.lookup(key)
		if e == nil {
			return term, false, false
		}
		if e.kw == kwType {
			if typeAt >= 0 {
				return term, false, false
			}
			typeAt = len(w.keys) - start
		}
		n := len(w.keys)
		if n == cap(w.keys) {
			w.keys = slices.Grow(w.keys, max(16, n))
		}
		w.keys = w.keys[:n+1]
		k := &w.keys[n]
		k.key, k.val, k.exp, k.term = key, v, e, t
	}
	infos := w.keys[start:len(w.keys):len(w.keys)]

	// Type-scoped contexts, applied in lexicographical order of the types
	// that have one (json-gold's expandElement).
	if typeAt >= 0 {
		var names [4]string
		scoped := names[:0]
		addType := func(t string) {
			if td := typeScoped.term(t); td != nil && td.hasContext {
				scoped = append(scoped, t)
			}
		}
		switch tv := infos[typeAt].val.(type) {
		case string:
			addType(tv)
		case []any:
			for _, x := range tv {
				s, isStr := x.(string)
				if !isStr {
					return term, false, false
				}
				addType(s)
			}
		default:
			return term, false, false
		}
		if len(scoped) > 1 {
			slices.Sort(scoped)
		}
		for _, name := range scoped {
			td := typeScoped.term(name)
			if ctxDepth++; ctxDepth > limits.MaxContextDepth {
				return term, false, false
			}
			if !w.charge(ctx, td.ctxTerms, td.ctxLoads) {
				return term, false, false
			}
			if ctx = ctx.scoped(td, 't', name); ctx == nil || !ctx.usable {
				return term, false, false
			}
		}
		if len(scoped) > 0 {
			// json-gold expands the members in the new context; the
			// type member must still be the only one meaning @type.
			for i := range infos {
				e, t := ctx.lookup(infos[i].key)
				if e == nil || (e.kw == kwType) != (i == typeAt) {
					return term, false, false
				}
				infos[i].exp, infos[i].term = e, t
			}
		}
	}

	// What each member is (checker.members).
	var pinBuf [2]*pins
	pinned := pinBuf[:0]
	if w.bound && typeAt >= 0 {
		pinned = typePins(typeScoped, infos[typeAt].val, pinned)
	}
	idAt, valueAt, langAt, props := -1, -1, -1, 0
	for i := range infos {
		e := infos[i].exp
		if w.bound && !boundKey(ctx, &infos[i], pinned) {
			return term, false, false
		}
		switch e.kw {
		case kwNone:
			if !e.prop() {
				return term, false, false
			}
			props++
		case kwType:
		case kwID:
			if idAt >= 0 {
				return term, false, false
			}
			idAt = i
		case kwValue:
			if valueAt >= 0 {
				return term, false, false
			}
			valueAt = i
		case kwLanguage:
			if langAt >= 0 {
				return term, false, false
			}
			langAt = i
		default:
			return term, false, false
		}
	}

	if valueAt >= 0 {
		if top || props > 0 || idAt >= 0 {
			return term, false, false
		}
		if w.bound {
			// Rule 3: only a language-tagged string.
			if _, isStr := infos[valueAt].val.(string); !isStr || typeAt >= 0 || langAt < 0 {
				return term, false, false
			}
		}
		var typeVal, langVal any
		if typeAt >= 0 {
			typeVal = infos[typeAt].val
		}
		if langAt >= 0 {
			langVal = infos[langAt].val
		}
		lit, ok := w.valueObject(typeScoped, infos[valueAt].val, typeVal, typeAt >= 0, langVal, langAt >= 0)
		if !ok {
			return term, false, false
		}
		id, ok := w.literal(lit)
		return id, false, ok
	}
	if langAt >= 0 {
		return term, false, false
	}

	// A node object: its identifier, types and properties.
	var subject rdfc.TermID
	if idAt >= 0 {
		s, isStr := infos[idAt].val.(string)
		if !isStr {
			return term, false, false
		}
		iri, ok := ctx.expandID(s)
		if !ok {
			return term, false, false
		}
		switch {
		case w.bound && (iri != s || isBlankNode(iri)):
			return term, false, false // rule 4
		case isBlankNode(iri):
			subject = w.blank(iri)
		case validIRI(iri):
			if subject, ok = w.iri(iri); !ok {
				return term, false, false
			}
			if w.bound && !w.node(subject, props > 0 || typeAt >= 0) {
				return term, false, false // rule 5
			}
		default:
			return term, false, false
		}
	} else {
		subject = w.fresh()
	}
	if typeAt >= 0 {
		typ, ok := w.vocabTerm(vocabType)
		if !ok {
			return term, false, false
		}
		emitType := func(t string) bool {
			e := typeScoped.expandVocab(t)
			var o rdfc.TermID
			switch {
			case e == nil:
				return false
			case w.bound && !typeScoped.boundName(t, e, readerTypes):
				return false // rules 4 and 7
			case e.blank:
				o = w.blank(e.iri)
			case e.valid && e.kw == kwNone:
				var ok bool
				if o, ok = w.iri(e.iri); !ok {
					return false
				}
			default:
				return false
			}
			return w.emit(subject, typ, o)
		}
		switch tv := infos[typeAt].val.(type) {
		case string:
			if !emitType(tv) {
				return term, false, false
			}
		case []any:
			for _, x := range tv {
				if !emitType(x.(string)) { // strings, checked above
					return term, false, false
				}
			}
		}
	}
	for i := range infos {
		if infos[i].exp.kw != kwNone {
			continue
		}
		if !w.property(ctx, subject, &infos[i], depth, ctxDepth) {
			return term, false, false
		}
	}
	return subject, true, true
}

// valueObject converts a value object: @value with @type or @language.
func (w *fastWalker) valueObject(typeScoped *fastContext, value, typeVal any, hasType bool, langVal any, hasLang bool) (rdfc.Term, bool) {
	switch value.(type) {
	case string, bool, float64, json.Number:
	default:
		return rdfc.Term{}, false
	}
	if hasType && hasLang {
		return rdfc.Term{}, false
	}
	datatype := ""
	if hasType {
		t, isStr := typeVal.(string)
		if !isStr {
			return rdfc.Term{}, false
		}
		e := typeScoped.expandVocab(t)
		if e == nil || !e.valid || e.kw != kwNone {
			return rdfc.Term{}, false
		}
		datatype = e.iri
	}
	lang := ""
	if hasLang {
		ls, isStr := langVal.(string)
		if !isStr || !validLanguage(ls) {
			return rdfc.Term{}, false
		}
		if _, isStr := value.(string); !isStr {
			return rdfc.Term{}, false
		}
		if lang = strings.ToLower(ls); !validLanguage(lang) {
			return rdfc.Term{}, false
		}
	}
	lit, err := literalTerm(value, datatype, hasType, lang, hasLang)
	return lit, err == nil
}

// property mirrors checker.property and the part of json-gold's
// expandObject after the keywords, and writes the statements of subject's
// property key (which expands to pred).
func (w *fastWalker) property(ctx *fastContext, subject rdfc.TermID, m *keyInfo, depth, ctxDepth int) bool {
	key, pred, value, t := m.key, m.exp.iri, m.val, m.term
	if t != nil && t.unsupported {
		return false
	}
	termCtx := ctx
	if t != nil && t.hasContext {
		if !w.charge(ctx, t.ctxTerms, t.ctxLoads) {
			return false
		}
		if termCtx = ctx.scoped(t, 'p', key); termCtx == nil || !termCtx.usable {
			return false
		}
	}
	// The key's values expand in termCtx, by its definition there (tt);
	// its container mapping is the one of the active context, ctx
	// (JSON-LD 1.1 Expansion Algorithm step 13.5), which a scoped context
	// that resets the term, as the VCDM 2.0 context does for
	// verifiableCredential, must not lose (json-ld-api test pr43).
	tt := t
	if termCtx != ctx {
		tt = termCtx.term(key)
	}
	var container uint8
	if t != nil {
		container = t.container
	}
	if container&containerOther != 0 || tt != nil && (tt.container&containerOther != 0 || tt.unsupported) {
		return false
	}
	p, ok := w.iri(pred)
	if !ok {
		return false
	}
	if t != nil && t.typeKind == typeJSON {
		if container&(containerList|containerGraph) != 0 {
			return false
		}
		var kind byte
		switch value.(type) {
		case map[string]any:
			kind = 'o'
		case []any:
			kind = 'a'
		}
		if kind != 0 && w.clash(subject, pred, kind) {
			return false
		}
		lex, err := jsonLiteral(value)
		if err != nil {
			return false
		}
		o, ok := w.literal(rdfc.Term{Kind: rdfc.Literal, Value: lex, Datatype: rdfJSON})
		return ok && w.emit(subject, p, o)
	}
	switch {
	case container&containerList != 0:
		if value == nil {
			return !w.bound
		}
		start := len(w.terms)
		if !w.element(termCtx, key, tt, value, &sink{list: true}, depth, ctxDepth) {
			return false
		}
		head, ok := w.list(start)
		return ok && w.emit(subject, p, head)
	case container&containerGraph != 0:
		return w.graphValue(termCtx, key, tt, value, subject, p, depth, ctxDepth)
	default:
		return w.element(termCtx, key, tt, value, &sink{s: subject, p: p, pred: pred}, depth, ctxDepth)
	}
}

// list writes an RDF collection of the terms on the stack from start, pops
// them and returns its head.
func (w *fastWalker) list(start int) (rdfc.TermID, bool) {
	items := w.terms[start:]
	defer func() { w.terms = w.terms[:start] }()
	nilID, ok := w.vocabTerm(vocabNil)
	if !ok || len(items) == 0 {
		return nilID, ok
	}
	first, ok1 := w.vocabTerm(vocabFirst)
	rest, ok2 := w.vocabTerm(vocabRest)
	if !ok1 || !ok2 {
		return 0, false
	}
	head := w.fresh()
	subject := head
	for i, item := range items {
		if !w.emit(subject, first, item) {
			return head, false
		}
		next := nilID
		if i < len(items)-1 {
			next = w.fresh()
		}
		if !w.emit(subject, rest, next) {
			return head, false
		}
		subject = next
	}
	return head, true
}

// graphValue writes the values of a property with a @graph container: each
// node object becomes a named graph, named by a new blank node that is the
// object of the property.
func (w *fastWalker) graphValue(ctx *fastContext, key string, kt *fastTerm, value any, subject, p rdfc.TermID, depth, ctxDepth int) bool {
	if depth > maxDepth {
		return false
	}
	switch v := value.(type) {
	case nil:
		return !w.bound
	case []any:
		if len(v) == 0 && w.bound {
			return false // rule 3
		}
		for _, item := range v {
			if _, isArr := item.([]any); isArr && w.bound {
				return false
			}
			if !w.graphValue(ctx, key, kt, item, subject, p, depth+1, ctxDepth) {
				return false
			}
		}
		return true
	case map[string]any:
		g := w.fresh()
		if !w.emit(subject, p, g) {
			return false
		}
		outer := w.graph
		w.graph, w.inGraph = g, true
		_, isNode, ok := w.object(ctx, key, kt, v, false, depth+1, ctxDepth)
		w.graph = outer
		return ok && isNode
	}
	return false
}

// sink is where element puts what a value expands to: the objects of a
// property (pred, interned as p), written at once, or the items of a list,
// kept on w.terms.
type sink struct {
	list bool
	s, p rdfc.TermID
	pred string
}

func (w *fastWalker) put(out *sink, t rdfc.TermID) bool {
	if !out.list {
		if t != 0 && (t == w.zeros[0] || t == w.zeros[1]) {
			sign := byte('+')
			if t == w.zeros[1] {
				sign = '-'
			}
			if w.clash(out.s, out.pred, sign) {
				return false
			}
		}
		return w.emit(out.s, out.p, t)
	}
	w.terms = append(w.terms, t)
	return true
}

// element mirrors checker.element and json-gold's expandElement for a value
// of activeProp (whose definition in ctx is apt), and puts what it expands
// to into out: one term for a node, value or list, none for null, and each
// item of an array (arrays in an array of a @list property become lists).
func (w *fastWalker) element(ctx *fastContext, activeProp string, apt *fastTerm, value any, out *sink, depth, ctxDepth int) bool {
	if depth > maxDepth {
		return false
	}
	switch v := value.(type) {
	case nil:
		return !w.bound // rule 3
	case []any:
		inList := apt != nil && apt.container&containerList != 0
		if len(v) == 0 && w.bound && !inList {
			return false // rule 3
		}
		for _, item := range v {
			if _, isArr := item.([]any); isArr && w.bound {
				return false // rule 3
			}
			if arr, isArr := item.([]any); isArr && inList {
				start := len(w.terms)
				if !w.element(ctx, activeProp, apt, arr, &sink{list: true}, depth+1, ctxDepth) {
					return false
				}
				head, ok := w.list(start)
				if !ok || !w.put(out, head) {
					return false
				}
				continue
			}
			if !w.element(ctx, activeProp, apt, item, out, depth+1, ctxDepth) {
				return false
			}
		}
		return true
	case map[string]any:
		t, _, ok := w.object(ctx, activeProp, apt, v, false, depth+1, ctxDepth)
		return ok && w.put(out, t)
	default:
		t, ok := w.scalar(ctx, apt, v)
		if !ok {
			return false
		}
		id, ok := w.scalarTerm(t)
		if w.bound && t.Kind == rdfc.IRI && !w.node(id, false) {
			return false // rule 5
		}
		return ok && w.put(out, id)
	}
}

// scalar mirrors checker.scalar and json-gold's ExpandValue, and converts
// the value.
func (w *fastWalker) scalar(ctx *fastContext, td *fastTerm, value any) (rdfc.Term, bool) {
	switch value.(type) {
	case string, bool, float64, json.Number:
	default:
		return rdfc.Term{}, false
	}
	s, isStr := value.(string)
	if td != nil && (td.typeKind == typeID || td.typeKind == typeVocab) {
		if !isStr {
			if w.bound {
				return rdfc.Term{}, false // rule 3
			}
			lit, err := literalTerm(value, "", false, nil, false)
			return lit, err == nil
		}
		var iri string
		if td.typeKind == typeID {
			var ok bool
			if iri, ok = ctx.expandID(s); !ok || (w.bound && iri != s) {
				return rdfc.Term{}, false
			}
		} else {
			e := ctx.expandVocab(s)
			if e == nil || e.kw != kwNone || (w.bound && !ctx.boundName(s, e, readerPurposes)) {
				return rdfc.Term{}, false
			}
			iri = e.iri
		}
		switch {
		case w.bound && isBlankNode(iri):
			return rdfc.Term{}, false // rule 4
		case isBlankNode(iri):
			return rdfc.Term{Kind: rdfc.BlankNode, Value: iri}, true
		case validIRI(iri):
			return rdfc.Term{Kind: rdfc.IRI, Value: iri}, true
		}
		return rdfc.Term{}, false
	}
	if td != nil && td.typeKind == typeJSON {
		return rdfc.Term{}, false
	}
	if td != nil && td.typeKind == typeDatatype {
		if !td.dtValid || (w.bound && coercedJSONType(td.typ) != jsonTypeName(value)) {
			return rdfc.Term{}, false
		}
		lit, err := literalTerm(value, td.typ, true, nil, false)
		return lit, err == nil
	}
	if !isStr {
		lit, err := literalTerm(value, "", false, nil, false)
		return lit, err == nil
	}
	lang, hasLang := "", false
	if td != nil && td.hasLang {
		if !td.langNull {
			if !td.langOK {
				return rdfc.Term{}, false
			}
			lang, hasLang = td.lang, true
		}
	} else if ctx.hasLang {
		if !ctx.langOK {
			return rdfc.Term{}, false
		}
		lang, hasLang = ctx.lang, true
	}
	if td != nil && td.hasDir {
		if td.dirSet {
			return rdfc.Term{}, false
		}
	} else if ctx.dir != "" {
		return rdfc.Term{}, false
	}
	if !hasLang {
		return rdfc.Term{Kind: rdfc.Literal, Value: s, Datatype: rdfc.XSDString}, true
	}
	if w.bound {
		return rdfc.Term{}, false // rule 3: a language the JSON does not show
	}
	return rdfc.Term{Kind: rdfc.Literal, Value: s, Datatype: rdfc.RDFLangString, Language: lang}, true
}

// scalarTerm interns what scalar made: an IRI, a literal, or a blank node
// (Value its document label).
func (w *fastWalker) scalarTerm(t rdfc.Term) (rdfc.TermID, bool) {
	switch t.Kind {
	case rdfc.IRI:
		return w.iri(t.Value)
	case rdfc.BlankNode:
		return w.blank(t.Value), true
	}
	return w.literal(t)
}
