package ld

import (
	"hash/fnv"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	gold "github.com/piprate/json-gold/ld"
)

// The fast conversion (fastpath.go) reads active contexts in the form kept
// here: each is made once per Loader from the json-gold Context that the
// safe-mode walk (safemode.go) and json-gold's expansion use for the same
// document, so both paths mean the same thing by every term. What a
// context becomes under a type-scoped or property-scoped context, a nested
// @context or a revert is worked out by the walk's own code the first time
// a document needs it, and kept as an edge of the graph of fastContexts.

// maxFastContexts caps the fastContexts one Loader keeps. A credential
// type adds a handful; a document that needs more than the cap allows is
// converted by the slow path instead.
const maxFastContexts = 512

// maxMemo caps the expansions of one fastContext's memo of member names,
// types and vocabulary values that are not terms (those under @vocab,
// compact IRIs, absolute IRIs). Each new entry copies the memo.
const maxMemo = 1024

// keyword identifies the keywords the fast conversion acts on.
type keyword uint8

const (
	kwNone     keyword = iota // not a keyword
	kwID                      // @id
	kwType                    // @type
	kwValue                   // @value
	kwLanguage                // @language
	kwContext                 // @context
	kwOther                   // any other keyword: the fast conversion declines it
)

// expansion is what IRI expansion (with vocab set) makes of a member name,
// type or vocabulary-relative value, and what it may stand for in RDF.
type expansion struct {
	iri string
	kw  keyword
	// undefined: the result is neither a keyword nor an IRI-like string
	// (no colon), so a member name with it is an undefined term.
	undefined bool
	// blank: a blank node identifier ("_:" and a label).
	blank bool
	// valid: a valid absolute IRI (validIRI).
	valid bool
	// fail: the expansion made json-gold fail (or panic).
	fail bool
}

// prop reports whether a member name with this expansion is a property
// that RDF can carry.
func (e *expansion) prop() bool { return e.kw == kwNone && !e.undefined && !e.blank && e.valid }

func classify(iri string) expansion {
	e := expansion{iri: iri}
	if gold.IsKeyword(iri) {
		e.kw = keywordOf(iri)
		return e
	}
	e.undefined = iri == "" || !strings.Contains(iri, ":")
	e.blank = isBlankNode(iri)
	e.valid = validIRI(iri)
	return e
}

func keywordOf(s string) keyword {
	switch s {
	case "@id":
		return kwID
	case "@type":
		return kwType
	case "@value":
		return kwValue
	case "@language":
		return kwLanguage
	case "@context":
		return kwContext
	}
	if gold.IsKeyword(s) {
		return kwOther
	}
	return kwNone
}

// keywordExpansions holds the expansion of each keyword (itself), so
// that looking one up takes no call into json-gold. (A keyword missing
// here is expanded by json-gold, to the same result.)
var keywordExpansions = func() map[string]*expansion {
	m := make(map[string]*expansion)
	for _, k := range []string{"@always", "@base", "@container", "@context", "@default",
		"@direction", "@embed", "@explicit", "@first", "@json",
		"@id", "@included", "@index", "@graph", "@import",
		"@language", "@last", "@list", "@nest", "@never",
		"@none", "@null", "@omitDefault", "@once", "@prefix",
		"@preserve", "@propagate", "@protected", "@requireAll", "@reverse",
		"@set", "@type", "@value", "@version", "@vocab"} {
		if gold.IsKeyword(k) {
			e := classify(k)
			m[k] = &e
		}
	}
	return m
}()

// Type mappings of a term.
const (
	typeNone     uint8 = iota // no @type
	typeID                    // @id
	typeVocab                 // @vocab
	typeJSON                  // @json
	typeNoneKw                // @none
	typeDatatype              // a datatype IRI
)

// Container mappings of a term.
const (
	containerList uint8 = 1 << iota
	containerSet
	containerGraph
	containerOther // @index, @id, @type, @language: the fast conversion declines
)

// fastTerm is one term definition of a json-gold Context, read once.
type fastTerm struct {
	td  *gold.TermDefinition // nil: the term is defined as null
	exp expansion            // what the term expands to as a member name or type

	typ      string // the @type mapping as json-gold holds it
	typeKind uint8
	dtValid  bool // for typeDatatype: typ is a valid IRI

	container uint8

	hasLang  bool   // the term sets @language (possibly to null)
	lang     string // lower case, as json-gold holds it
	langNull bool
	langOK   bool

	hasDir bool // the term sets @direction
	dirSet bool // ... to ltr or rtl

	hasContext bool // the term has a scoped context (possibly null)
	ctxNonNil  bool // ... which is not null
	ctxTerms   int  // what applying it costs (checker.termCount)
	ctxLoads   int  // and the context loads it counts

	unsupported bool // @reverse, @nest or @index: the fast conversion declines
	prefix      bool // usable as the prefix of a compact IRI
}

// fastContext is an active context as the fast conversion reads it. Apart
// from its memo and edges it never changes once made.
type fastContext struct {
	g      *gold.Context
	fc     *fastContexts
	terms  map[string]*fastTerm
	nTerms int // len(g.TermDefinitions), for the context work count
	usable bool

	hasLang bool
	lang    string
	langOK  bool
	dir     string

	// prevGold is what reverting a type-scoped context leaves (g itself
	// when there is nothing to revert); prev is its fastContext.
	prevGold *gold.Context
	prev     atomic.Pointer[fastContext]

	memo   cowMap[string, *expansion]
	edges  cowMap[fastEdge, *fastContext]
	nested cowMap[string, *nestedEdge]

	// names counts, for each IRI a term stands for, the terms that do,
	// and vocab is the context's @vocab ("" for none) (checker.termNames):
	// the bound profile's rules 2 and 4.
	names map[string]termName
	vocab string
}

// fastEdge names a scoped context applied to a fastContext: kind 'p' for a
// property-scoped and 't' for a type-scoped context of td.
type fastEdge struct {
	td   *gold.TermDefinition
	kind byte
}

// nestedEdge is a nested @context of served URLs applied to a fastContext,
// with what the safe-mode walk charges for it.
type nestedEdge struct {
	ctx          *fastContext // nil: json-gold refuses it
	terms, loads int
}

// hasPrev reports whether the context carries a type-scoped context that
// a nested node object reverts.
func (c *fastContext) hasPrev() bool { return c.prevGold != c.g }

// term returns the definition of a term, or nil when the term is not
// defined or defined as null (json-gold's GetTermDefinition).
func (c *fastContext) term(name string) *fastTerm {
	t := c.terms[name]
	if t == nil || t.td == nil {
		return nil
	}
	return t
}

// expandVocab is json-gold's ExpandIri(s, true, true) on the context: what a
// member name, a type or a value of a @vocab-typed term expands to. (The
// document base IRI is empty, so "relative" changes nothing.) It returns
// nil when json-gold fails on s.
func (c *fastContext) expandVocab(s string) *expansion {
	e, _ := c.lookup(s)
	return e
}

// lookup is expandVocab that also returns the definition of s when s is a
// term (not defined as null).
func (c *fastContext) lookup(s string) (*expansion, *fastTerm) {
	if len(s) > 0 && s[0] == '@' {
		if e, ok := keywordExpansions[s]; ok {
			return e, nil
		}
		// json-gold gives "" for what looks like a keyword, and
		// otherwise looks such a string up as a term too.
		return c.memoExpand(s), c.term(s)
	} else if t, ok := c.terms[s]; ok {
		if t.td == nil {
			return &t.exp, nil
		}
		return &t.exp, t
	}
	return c.memoExpand(s), nil
}

// memoExpand expands s with json-gold, once per context.
func (c *fastContext) memoExpand(s string) *expansion {
	if e, ok := c.memo.load(s); ok {
		if e.fail {
			return nil
		}
		return e
	}
	e := &expansion{fail: true}
	if iri, ok := goldExpand(c.g, s); ok {
		x := classify(iri)
		e = &x
	}
	if e = c.memo.store(s, e, maxMemo); e.fail {
		return nil
	}
	return e
}

// goldExpand runs json-gold's ExpandIri(s, true, true), which panics when
// the prefix of a compact IRI is a term defined as null.
func goldExpand(g *gold.Context, s string) (iri string, ok bool) {
	defer func() {
		if recover() != nil {
			iri, ok = "", false
		}
	}()
	iri, err := g.ExpandIri(s, true, true, nil, nil)
	return iri, err == nil
}

// expandID is json-gold's ExpandIri(s, true, false), which expands @id
// values and values of @id-typed terms: s itself, unless it is a compact
// IRI whose prefix is a prefix term. ok is false when json-gold would fail
// or the result cannot be an IRI or a blank node (a keyword, or a string
// json-gold ignores because it looks like one).
func (c *fastContext) expandID(s string) (iri string, ok bool) {
	if len(s) > 0 && s[0] == '@' {
		return "", false
	}
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return s, true
	}
	prefix, suffix := s[:i], s[i+1:]
	if prefix == "_" || strings.HasPrefix(suffix, "//") {
		return s, true
	}
	t, ok := c.terms[prefix]
	if !ok {
		return s, true
	}
	if t.td == nil {
		return "", false // json-gold dereferences the null definition
	}
	if t.prefix {
		return t.td.ID + suffix, true
	}
	return s, true
}

// fastContexts is a Loader's graph of fastContexts.
type fastContexts struct {
	l *Loader

	// Read by every document, without locking.
	tops    cowMap[string, *topEntry]
	initial atomic.Pointer[fastContext]

	// Used when a context is made; count is read before.
	mu      sync.RWMutex
	byGold  map[*gold.Context]*fastContext // the fastContext of a json-gold Context
	byShape map[uint64][]*fastContext      // the fastContexts of each shape
	terms   map[*gold.TermDefinition]*fastTerm
	count   atomic.Int32 // fastContexts made
}

// topEntry is the context a document's top-level @context of served URLs
// makes, with what the safe-mode walk charges for processing it.
type topEntry struct {
	ctx          *fastContext // nil: processing it fails
	terms, loads int
}

func newFastContexts(l *Loader) *fastContexts {
	return &fastContexts{
		l:       l,
		byGold:  make(map[*gold.Context]*fastContext),
		byShape: make(map[uint64][]*fastContext),
		terms:   make(map[*gold.TermDefinition]*fastTerm),
	}
}

// scratch returns a safe-mode walker used only to derive contexts: its own
// counts are thrown away (the fast conversion keeps the document's).
func (fc *fastContexts) scratch() *checker {
	return &checker{
		forRDF:   true,
		iris:     make(iriCache),
		l:        fc.l,
		opts:     fc.l.opts,
		reverted: make(map[*gold.Context]*gold.Context),
		scoped:   make(map[scopedKey]*gold.Context),
	}
}

// derive runs f, turning a failure or a json-gold panic into nil.
func derive(f func() (*gold.Context, error)) (g *gold.Context) {
	defer func() {
		if recover() != nil {
			g = nil
		}
	}()
	g, err := f()
	if err != nil {
		return nil
	}
	return g
}

// counts returns what the safe-mode walk charges for applying local:
// checker.termCount and the context loads it counts.
func (fc *fastContexts) counts(local any) (terms, loads int) {
	c := &checker{l: fc.l}
	terms = c.termCount(local, 0)
	return terms, c.loads
}

// initialContext returns the context of a document without @context.
func (fc *fastContexts) initialContext() *fastContext {
	if c := fc.initial.Load(); c != nil {
		return c
	}
	c := fc.context(gold.NewContext(nil, fc.l.opts))
	if c == nil {
		return nil
	}
	fc.initial.CompareAndSwap(nil, c)
	return fc.initial.Load()
}

// top returns the entry for a document's @context, given as key (see
// contextKey), made the first time from local.
func (fc *fastContexts) top(key []byte, local any) *topEntry {
	if e, ok := fc.tops.snapshot()[string(key)]; ok {
		return e
	}
	e := &topEntry{}
	if !fc.served(local) {
		return e // not remembered: any string can be a URL
	}
	e.terms, e.loads = fc.counts(local)
	sk := string(key)
	// The safe-mode walk keeps the same context under its own key.
	walkKey, _ := fc.scratch().servedURLs(local)
	g := fc.l.cache.top(walkKey)
	if g == nil {
		init := fc.initialContext()
		if init == nil {
			return e // the Loader keeps too many contexts: not remembered
		}
		if g = derive(func() (*gold.Context, error) { return init.g.Parse(local) }); g != nil {
			g = fc.l.cache.putTop(walkKey, g)
		}
	}
	if e.ctx = fc.context(g); e.ctx == nil && g != nil {
		return e // the Loader keeps too many contexts: not remembered
	}
	return fc.tops.store(sk, e, maxFastContexts)
}

// context returns the fastContext made from g, making it if need be; nil
// when the Loader keeps too many already. Contexts that json-gold holds
// as different values but that mean the same (a reverted context is a copy
// of the one it reverts to; the contexts of a credential in a presentation
// are those of the same credential alone) share one fastContext.
func (fc *fastContexts) context(g *gold.Context) *fastContext {
	if g == nil {
		return nil
	}
	fc.mu.RLock()
	c := fc.byGold[g]
	fc.mu.RUnlock()
	if c != nil {
		return c
	}
	h := shape(g, 0)
	fc.mu.RLock()
	c = fc.sameAs(h, g)
	fc.mu.RUnlock()
	if c == nil {
		if fc.count.Load() >= maxFastContexts {
			return nil
		}
		built := fc.build(g)
		fc.mu.Lock()
		if c = fc.sameAs(h, g); c == nil {
			c = built
			fc.byShape[h] = append(fc.byShape[h], c)
			fc.count.Add(1)
		}
		fc.mu.Unlock()
	}
	fc.mu.Lock()
	if len(fc.byGold) < 8*maxFastContexts {
		fc.byGold[g] = c
	}
	fc.mu.Unlock()
	return c
}

// sameAs returns the fastContext of a context of shape h that means the
// same as g, if there is one. fc.mu is held.
func (fc *fastContexts) sameAs(h uint64, g *gold.Context) *fastContext {
	for _, c := range fc.byShape[h] {
		if sameContext(c.g, g, 0) {
			return c
		}
	}
	return nil
}

// maxRevertDepth bounds how far shape and sameContext follow the contexts
// a context reverts to; past it, contexts are taken to differ.
const maxRevertDepth = 3

// shape hashes what sameContext compares, to find candidates quickly.
func shape(g *gold.Context, depth int) uint64 {
	h := fnv.New64a()
	names := make([]string, 0, len(g.TermDefinitions))
	for name := range g.TermDefinitions {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		h.Write([]byte(name))
		h.Write([]byte{0})
		if td := g.TermDefinitions[name]; td != nil {
			h.Write([]byte(td.ID))
			h.Write([]byte{0})
			h.Write([]byte(td.Type))
			h.Write([]byte{0, byte(len(td.Container))})
		}
	}
	if g.Values != nil {
		if g.Values.Vocab != nil {
			h.Write([]byte(*g.Values.Vocab))
		}
		h.Write([]byte{0})
		h.Write([]byte(g.Values.Language))
		h.Write([]byte{0})
		h.Write([]byte(g.Values.Direction))
	}
	sum := h.Sum64()
	if r := g.RevertToPreviousContext(); r != g && depth < maxRevertDepth {
		sum = sum*31 + shape(r, depth+1)
	}
	return sum
}

// sameContext reports whether a and b mean the same in every respect the
// fast conversion and the contexts derived from them depend on: term
// definitions, default values, protected terms and what they revert to.
func sameContext(a, b *gold.Context, depth int) bool {
	if a == b {
		return true
	}
	if depth > maxRevertDepth || a.Values == nil || b.Values == nil {
		return false
	}
	va, vb := *a.Values, *b.Values
	if va.Vocab != nil && vb.Vocab != nil && *va.Vocab == *vb.Vocab {
		vb.Vocab = va.Vocab
	}
	if va.Version != nil && vb.Version != nil && *va.Version == *vb.Version {
		vb.Version = va.Version
	}
	if va != vb || len(a.TermDefinitions) != len(b.TermDefinitions) || !maps.Equal(a.Protected, b.Protected) {
		return false
	}
	for name, ta := range a.TermDefinitions {
		tb, ok := b.TermDefinitions[name]
		if !ok || !sameTerm(ta, tb) {
			return false
		}
	}
	ra, rb := a.RevertToPreviousContext(), b.RevertToPreviousContext()
	if (ra == a) != (rb == b) {
		return false
	}
	return ra == a || sameContext(ra, rb, depth+1)
}

func sameTerm(a, b *gold.TermDefinition) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return a.ID == b.ID && a.Reverse == b.Reverse && slices.Equal(a.Container, b.Container) &&
		a.Type == b.Type && a.Nest == b.Nest && a.HasContext == b.HasContext &&
		reflect.DeepEqual(a.Context, b.Context) && sameBool(a.Prefix, b.Prefix) &&
		a.Index == b.Index && a.Protected == b.Protected && samePtr(a.Direction, b.Direction) &&
		a.HasDirection == b.HasDirection && samePtr(a.Language, b.Language) && a.HasLanguage == b.HasLanguage
}

func sameBool(a, b *bool) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func samePtr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func (fc *fastContexts) build(g *gold.Context) *fastContext {
	c := &fastContext{
		g:      g,
		fc:     fc,
		terms:  make(map[string]*fastTerm, len(g.TermDefinitions)),
		nTerms: len(g.TermDefinitions),
		usable: g.Values != nil && g.Values.Base == "",
	}
	c.names = make(map[string]termName, len(g.TermDefinitions))
	for name, td := range g.TermDefinitions {
		c.terms[name] = fc.term(td)
		if td != nil && !td.Reverse && td.ID != "" && !gold.IsKeyword(td.ID) {
			t := c.names[td.ID]
			t.n++
			if t.name == "" || name < t.name {
				t.name = name
			}
			c.names[td.ID] = t
		}
	}
	if g.Values != nil && g.Values.Vocab != nil {
		c.vocab = *g.Values.Vocab
	}
	if g.Values != nil {
		c.hasLang = g.Values.HasLanguage
		c.lang = g.Values.Language
		c.langOK = validLanguage(c.lang)
		c.dir = g.Values.Direction
	}
	c.prevGold = derive(func() (*gold.Context, error) { return fc.scratch().revert(g), nil })
	if c.prevGold == nil {
		c.usable = false
		c.prevGold = g
	}
	return c
}

// term returns the fastTerm for td, shared by every context holding td.
func (fc *fastContexts) term(td *gold.TermDefinition) *fastTerm {
	fc.mu.RLock()
	t := fc.terms[td]
	fc.mu.RUnlock()
	if t != nil {
		return t
	}
	t = fc.makeTerm(td)
	fc.mu.Lock()
	if prev := fc.terms[td]; prev != nil {
		t = prev
	} else if len(fc.terms) < 16*maxFastContexts {
		fc.terms[td] = t
	}
	fc.mu.Unlock()
	return t
}

func (fc *fastContexts) makeTerm(td *gold.TermDefinition) *fastTerm {
	if td == nil {
		return &fastTerm{exp: expansion{undefined: true}}
	}
	t := &fastTerm{td: td, exp: classify(td.ID), typ: td.Type}
	switch td.Type {
	case "":
		t.typeKind = typeNone
	case "@id":
		t.typeKind = typeID
	case "@vocab":
		t.typeKind = typeVocab
	case "@json":
		t.typeKind = typeJSON
	case "@none":
		t.typeKind = typeNoneKw
	default:
		t.typeKind = typeDatatype
		t.dtValid = validIRI(td.Type)
	}
	for _, k := range td.Container {
		switch k {
		case "@list":
			t.container |= containerList
		case "@set":
			t.container |= containerSet
		case "@graph":
			t.container |= containerGraph
		default:
			t.container |= containerOther
		}
	}
	if t.container&containerList != 0 && t.container&^containerList != 0 {
		t.container |= containerOther
	}
	if td.HasLanguage {
		t.hasLang = true
		if td.Language == nil {
			t.langNull = true
		} else {
			t.lang = *td.Language
			t.langOK = validLanguage(t.lang)
		}
	}
	if td.HasDirection {
		t.hasDir = true
		t.dirSet = td.Direction != nil && *td.Direction != ""
	}
	if td.HasContext {
		t.hasContext = true
		t.ctxNonNil = td.Context != nil
		t.ctxTerms, t.ctxLoads = fc.counts(td.Context)
	}
	t.unsupported = td.Reverse || td.Nest != "" || td.Index != ""
	t.prefix = td.ID != "" && td.Prefix != nil && *td.Prefix
	return t
}

// reverted returns the context a nested node object reverts c to (c
// itself when c has no type-scoped context to revert); nil if it cannot be
// made.
func (c *fastContext) reverted() *fastContext {
	if !c.hasPrev() {
		return c
	}
	if p := c.prev.Load(); p != nil {
		return p
	}
	p := c.fc.context(c.prevGold)
	if p != nil {
		c.prev.CompareAndSwap(nil, p)
		p = c.prev.Load()
	}
	return p
}

// scoped returns c with the scoped context of t applied, as a
// property-scoped (kind 'p') or type-scoped (kind 't') context, exactly as
// the safe-mode walk applies it; nil if json-gold refuses it.
func (c *fastContext) scoped(t *fastTerm, kind byte, term string) *fastContext {
	key := fastEdge{td: t.td, kind: kind}
	if next, ok := c.edges.load(key); ok {
		return next
	}
	g := derive(func() (*gold.Context, error) {
		return c.fc.scratch().scopedContext(c.g, t.td, kind, nil, term)
	})
	next := c.fc.context(g)
	if next == nil && g != nil {
		return nil // the Loader keeps too many contexts: not remembered
	}
	return c.edges.store(key, next, maxFastContexts)
}

// nestedContext returns the edge for a nested @context value local (one
// served URL or a list of them) whose key is key (see contextKey).
func (c *fastContext) nestedContext(key []byte, local any) *nestedEdge {
	if e, ok := c.nested.snapshot()[string(key)]; ok {
		return e
	}
	e := &nestedEdge{}
	if !c.fc.served(local) {
		return e // not remembered: any string can be a URL
	}
	e.terms, e.loads = c.fc.counts(local)
	g := derive(func() (*gold.Context, error) { return c.g.Parse(local) })
	e.ctx = c.fc.context(g)
	if e.ctx == nil && g != nil {
		return e // the Loader keeps too many contexts: not remembered
	}
	return c.nested.store(string(key), e, maxFastContexts)
}

// contextKey appends to buf a key for a @context value that is one URL or
// a non-empty list of them, and reports whether it is one. (Whether the
// Loader serves them is checked when the key is first seen: see served.)
// No two values have the same key: no URL the Loader serves holds a line
// feed, and a value with one gets no key.
func contextKey(buf []byte, local any) ([]byte, bool) {
	switch v := local.(type) {
	case string:
		if strings.IndexByte(v, '\n') >= 0 {
			return buf, false
		}
		buf = append(buf, 's')
		return append(buf, v...), true
	case []any:
		if len(v) == 0 {
			return buf, false
		}
		buf = append(buf, 'l')
		for _, e := range v {
			s, ok := e.(string)
			if !ok || strings.IndexByte(s, '\n') >= 0 {
				return buf, false
			}
			buf = append(buf, s...)
			buf = append(buf, '\n')
		}
		return buf, true
	}
	return buf, false
}

// served reports whether the Loader serves every URL of a @context value
// for which contextKey made a key.
func (fc *fastContexts) served(local any) bool {
	if s, ok := local.(string); ok {
		_, ok := fc.l.docs[s]
		return ok
	}
	for _, e := range local.([]any) {
		if _, ok := fc.l.docs[e.(string)]; !ok {
			return false
		}
	}
	return true
}

// cowMap is a map read without locking: writers, which are rare (each
// entry is written once), replace it with a copy.
type cowMap[K comparable, V any] struct {
	m  atomic.Pointer[map[K]V]
	mu sync.Mutex
}

// snapshot returns the map as it is (nil if empty), to read without
// locking: indexing it with string(b) for a []byte b does not allocate.
func (c *cowMap[K, V]) snapshot() map[K]V {
	if m := c.m.Load(); m != nil {
		return *m
	}
	return nil
}

func (c *cowMap[K, V]) load(k K) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// store adds k with v unless k is there already (it returns the value
// kept) or the map holds limit entries (it returns v, not kept).
func (c *cowMap[K, V]) store(k K, v V, limit int) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	var n int
	if old != nil {
		if prev, ok := (*old)[k]; ok {
			return prev
		}
		n = len(*old)
	}
	if n >= limit {
		return v
	}
	m := make(map[K]V, n+1)
	if old != nil {
		maps.Copy(m, *old)
	}
	m[k] = v
	c.m.Store(&m)
	return v
}
