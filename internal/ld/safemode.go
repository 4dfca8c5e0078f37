package ld

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	gold "github.com/piprate/json-gold/ld"

	"github.com/staffpass/staffpass/internal/limits"
)

// maxDepth caps the nesting of a document and of a JSON literal in it. A
// document read through ToRDFJSON already passed strictjson's check of the
// same limit; one handed over decoded may not have.
const maxDepth = limits.MaxJSONDepth

// Safe mode
//
// json-gold's SafeMode (JsonLdOptions.SafeMode) makes expansion fail when a
// member name does not expand to an absolute IRI or keyword, without saying
// which member; it misses members inside an explicit @list or @set object
// (expansion discards errors there), and it does not look at types,
// identifiers, datatypes, language tags or base directions at all: a type
// that is not defined (with "@vocab": null, "ExampleTestCredential" expands
// to the relative IRI "ExampleTestCredential"), or one mapped to
// "https ://not-a-url#X", simply disappears from the RDF, as does a relative
// @id. Its one-call Normalize does not even pass SafeMode to the expansion
// it runs.
//
// So before json-gold expands a document, check walks it the way
// expansion does, keeping the active context with json-gold's own Context
// type (embedded contexts, property-scoped and type-scoped contexts and their
// reverting, as in json-gold's expandElement and expandObject), and refuses
// the first member, type, identifier, coerced value, datatype, language tag
// or base direction that expansion or RDF conversion would drop or change,
// and any context that redefines a protected term, naming it and its JSON
// pointer. jsonld.js's safe mode (the one Digital Bazaar's Data Integrity
// libraries use) refuses the same things. Expansion then runs with SafeMode
// set, and conversion to RDF (quadWriter) fails instead of skipping, so
// should this walk ever disagree with json-gold, the document is still
// refused, only with a less precise message.

// walk runs the safe-mode walk over doc, with the rules of profile p.
// forRDF adds the checks only conversion to RDF needs (no base direction).
func walk(doc any, l *Loader, forRDF bool, p Profile) (*checker, error) {
	c := &checker{
		forRDF:   forRDF,
		iris:     make(iriCache),
		l:        l,
		opts:     options(l),
		reverted: make(map[*gold.Context]*gold.Context),
		scoped:   make(map[scopedKey]*gold.Context),
	}
	if p == Bound {
		c.b = &boundState{}
		if _, isMap := doc.(map[string]any); !isMap {
			return c, c.notBound(nil, "", "", "", "the document must be one JSON object, a node")
		}
	}
	ctx := gold.NewContext(nil, c.opts)
	return c, c.element(ctx, "", doc, nil, false, nil, 0, 0)
}

type checker struct {
	// forRDF is set when the document is converted to RDF, which cannot
	// carry a base direction (see the package doc); expansion keeps it.
	forRDF bool

	iris iriCache
	l    *Loader
	opts *gold.JsonLdOptions

	// top is the kept context of the document's @context, when that is a
	// list of served URLs.
	top *gold.Context

	// loads counts the context documents json-gold will load.
	loads int

	// Contexts are never changed once made, so within one walk the
	// result of reverting a context, and of applying a term's scoped
	// context to a context, can be remembered: each costs a copy of every
	// term definition, and a document repeats them for every node.
	reverted map[*gold.Context]*gold.Context
	scoped   map[scopedKey]*gold.Context

	// work estimates what json-gold's expansion will spend on contexts
	// (see limits.MaxContextWork). It counts every application, also
	// those remembered here, because json-gold remembers none.
	work int

	// b holds the state of the bound profile's rules (bound.go); nil in
	// the Safe profile.
	b *boundState

	// graphFixes are the members whose values json-gold would not put in
	// the named graphs their @graph container asks for (see
	// containerFromActiveContext): expand wraps each value in an
	// explicit graph object before json-gold sees it.
	graphFixes [][]pathStep
}

// pathStep is one step of a path kept past the walk: a member name or an
// array index.
type pathStep struct {
	key   string
	index int
	isIdx bool
}

// steps returns p as a list of steps from the top.
func (p *path) steps() []pathStep {
	var out []pathStep
	for q := p; q != nil; q = q.parent {
		out = append(out, pathStep{key: q.key, index: q.index, isIdx: q.isIdx})
	}
	slices.Reverse(out)
	return out
}

// containerFromActiveContext handles a term whose property-scoped context
// changes its container mapping. JSON-LD 1.1 takes a key's container
// mapping from the active context (Expansion Algorithm step 13.5), as the
// json-ld-api test pr43 checks, but json-gold takes it from the term's
// scoped context, where a context that resets the term (the VCDM 2.0
// context does so for verifiableCredential, "@context": null) has lost
// it: json-gold would put a presentation's credentials in its default
// graph. A lost @graph container (with or without @set) is restored by
// wrapping each value in a graph object for json-gold (expand), which
// then makes the named graphs the container asks for; any other change
// is refused rather than expanded wrongly.
func (c *checker) containerFromActiveContext(ctx, termCtx *gold.Context, key string, value any, p *path) error {
	containers := func(g *gold.Context) []string {
		td := g.GetTermDefinition(key)
		if td == nil {
			return nil
		}
		out := slices.DeleteFunc(slices.Clone(td.Container), func(s string) bool { return s == "@set" })
		slices.Sort(out)
		return out
	}
	active, scoped := containers(ctx), containers(termCtx)
	if slices.Equal(active, scoped) {
		return nil
	}
	if !slices.Equal(active, []string{"@graph"}) || len(scoped) != 0 {
		return &TermError{Err: ErrInvalidJSONLD, Pointer: p.String(), Kind: "term", Term: key,
			Reason: "its scoped context changes its container mapping, which json-gold would read from the wrong context"}
	}
	items, isArr := value.([]any)
	if !isArr {
		items = []any{value}
	}
	for i, item := range items {
		if _, ok := item.(map[string]any); !ok && item != nil {
			ip := p
			if isArr {
				ip = p.item(i)
			}
			return &TermError{Err: ErrInvalidJSONLD, Pointer: ip.String(), Kind: "term", Term: key,
				Reason: "a value of a @graph container whose scoped context resets the term must be a node object"}
		}
	}
	c.graphFixes = append(c.graphFixes, p.steps())
	return nil
}

// wrapGraphs returns doc with the value of each member at fixes wrapped in
// graph objects, each item of an array in one of its own, copying the
// objects and arrays on the way so that doc itself is not changed.
func wrapGraphs(doc any, fixes [][]pathStep) any {
	for _, fix := range fixes {
		doc = wrapAt(doc, fix)
	}
	return doc
}

func wrapAt(v any, steps []pathStep) any {
	if len(steps) == 0 {
		items, isArr := v.([]any)
		if !isArr {
			return map[string]any{"@graph": []any{v}}
		}
		out := make([]any, len(items))
		for i, item := range items {
			out[i] = map[string]any{"@graph": []any{item}}
		}
		return out
	}
	switch x := v.(type) {
	case map[string]any:
		step := steps[0]
		if step.isIdx {
			return v
		}
		cp := make(map[string]any, len(x))
		for k, e := range x {
			cp[k] = e
		}
		if e, ok := x[step.key]; ok {
			cp[step.key] = wrapAt(e, steps[1:])
		}
		return cp
	case []any:
		step := steps[0]
		if !step.isIdx || step.index >= len(x) {
			return v
		}
		cp := slices.Clone(x)
		cp[step.index] = wrapAt(x[step.index], steps[1:])
		return cp
	}
	return v
}

// charge adds the work of applying local to ctx: copying ctx's term
// definitions and creating local's, and loading the served contexts it
// names.
func (c *checker) charge(ctx *gold.Context, local any, p *path) error {
	c.work += len(ctx.TermDefinitions) + 10*c.termCount(local, 0)
	if c.loads > limits.MaxContextLoads {
		return &TermError{Err: ErrLimit, Pointer: p.String(), Reason: fmt.Sprintf("the document names contexts more than %d times", limits.MaxContextLoads)}
	}
	return c.overBudget(p)
}

// chargeRevert adds the work of leaving a type-scoped context: a copy of
// the context it reverts to.
func (c *checker) chargeRevert(reverted *gold.Context, p *path) error {
	c.work += len(reverted.TermDefinitions)
	return c.overBudget(p)
}

func (c *checker) overBudget(p *path) error {
	if c.work > limits.MaxContextWork {
		return &TermError{Err: ErrLimit, Pointer: p.String(), Reason: "the document's contexts would make JSON-LD processing define or copy too many terms"}
	}
	return nil
}

// termCount returns how many term definitions processing local creates.
func (c *checker) termCount(local any, depth int) int {
	if depth > 4 {
		return 0
	}
	switch v := local.(type) {
	case []any:
		n := 0
		for _, e := range v {
			n += c.termCount(e, depth+1)
		}
		return n
	case map[string]any:
		if inner, ok := v["@context"]; ok {
			return c.termCount(inner, depth+1)
		}
		n := len(v)
		if imp, ok := v["@import"].(string); ok {
			n += c.termCount(imp, depth+1)
		}
		return n
	case string:
		c.loads++
		if doc, ok := c.l.docs[v].(map[string]any); ok {
			return c.termCount(doc["@context"], depth+1)
		}
	}
	return 0
}

// scopedKey identifies the application of a term's scoped context.
type scopedKey struct {
	ctx  *gold.Context
	td   *gold.TermDefinition
	kind byte // 'p' property-scoped, 't' type-scoped
}

// revert is ctx.RevertToPreviousContext, remembered for the walk and, for
// a kept context, by the Loader.
func (c *checker) revert(ctx *gold.Context) *gold.Context {
	if r, ok := c.reverted[ctx]; ok {
		return r
	}
	known := c.l.cache.isKnown(ctx)
	var r *gold.Context
	if known {
		r = c.l.cache.revert(ctx)
	}
	if r == nil {
		r = ctx.RevertToPreviousContext()
		if known && r != ctx {
			r = c.l.cache.putRevert(ctx, r)
		}
	}
	c.reverted[ctx] = r
	return r
}

// path is a JSON pointer under construction, built only when an error
// needs it.
type path struct {
	parent *path
	key    string
	index  int // used when key == "" and isIndex
	isIdx  bool
}

func (p *path) child(key string) *path { return &path{parent: p, key: key} }
func (p *path) item(i int) *path       { return &path{parent: p, index: i, isIdx: true} }

func (p *path) String() string {
	if p == nil {
		return ""
	}
	var parts []string
	for q := p; q != nil; q = q.parent {
		if q.isIdx {
			parts = append(parts, strconv.Itoa(q.index))
		} else {
			parts = append(parts, strings.ReplaceAll(strings.ReplaceAll(q.key, "~", "~0"), "/", "~1"))
		}
	}
	slices.Reverse(parts)
	return "/" + strings.Join(parts, "/")
}

func (c *checker) fail(err error, p *path, kind, term, iri string) error {
	return &TermError{Err: err, Pointer: p.String(), Kind: kind, Term: term, IRI: iri}
}

// element mirrors json-gold's expandElement.
func (c *checker) element(ctx *gold.Context, activeProperty string, element any, p *path, insideIndex bool, typeScoped *gold.Context, depth, ctxDepth int) error {
	if depth > maxDepth {
		return c.fail(ErrLimit, p, "", "", "")
	}
	switch el := element.(type) {
	case nil:
		return nil
	case []any:
		for i, item := range el {
			if err := c.element(ctx, activeProperty, item, p.item(i), insideIndex, typeScoped, depth+1, ctxDepth); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		return c.object(ctx, activeProperty, el, p, insideIndex, typeScoped, depth+1, ctxDepth)
	default:
		// A scalar at the top or in @graph is dropped by expansion: it
		// says nothing, so nothing is lost.
		if activeProperty == "" || activeProperty == "@graph" {
			return nil
		}
		return c.scalar(ctx, activeProperty, el, p)
	}
}

// scalar checks what expansion makes of a scalar value of activeProperty
// (json-gold's Context.ExpandValue).
func (c *checker) scalar(ctx *gold.Context, activeProperty string, value any, p *path) error {
	td := ctx.GetTermDefinition(activeProperty)
	if err := c.safeScalar(ctx, td, value, p); err != nil || c.b == nil {
		return err
	}
	return c.boundScalar(ctx, td, value, p)
}

// safeScalar is scalar's safe-mode check of a value of a term defined by
// td (nil: not a term).
func (c *checker) safeScalar(ctx *gold.Context, td *gold.TermDefinition, value any, p *path) error {
	s, isString := value.(string)
	if td != nil && (td.Type == "@id" || td.Type == "@vocab") {
		if !isString {
			return nil
		}
		vocab := td.Type == "@vocab"
		iri, err := ctx.ExpandIri(s, true, vocab, nil, nil)
		if err != nil {
			return c.fail(ErrInvalidJSONLD, p, "value", s, "")
		}
		if isBlankNode(iri) || c.iris.valid(iri) {
			return nil
		}
		if vocab && !strings.Contains(s, ":") && ctx.GetTermDefinition(s) == nil {
			return c.fail(ErrUndefinedTerm, p, "value", s, "")
		}
		return c.fail(ErrInvalidIRI, p, "value", s, iri)
	}
	if td != nil && td.Type != "" && td.Type != "@none" && td.Type != "@json" {
		if !c.iris.valid(td.Type) {
			return c.fail(ErrInvalidIRI, p, "datatype", td.Type, "")
		}
		return nil
	}
	if !isString {
		return nil
	}
	if td != nil && td.HasLanguage {
		if td.Language != nil && !validLanguage(*td.Language) {
			return c.fail(ErrInvalidLanguage, p, "language", *td.Language, "")
		}
	} else if ctx.Values.HasLanguage && !validLanguage(ctx.Values.Language) {
		return c.fail(ErrInvalidLanguage, p, "language", ctx.Values.Language, "")
	}
	if td != nil && td.HasDirection {
		if td.Direction != nil && *td.Direction != "" {
			return c.failDirection(p, "value", s, "")
		}
	} else if ctx.Values.Direction != "" {
		return c.failDirection(p, "value", s, "")
	}
	return nil
}

// hasPrevious reports whether ctx carries a type-scoped context that a
// nested node object reverts.
func (c *checker) hasPrevious(ctx *gold.Context) bool { return c.revert(ctx) != ctx }

// object mirrors the context handling of json-gold's expandElement for a
// JSON object, then checks its members.
func (c *checker) object(ctx *gold.Context, activeProperty string, elem map[string]any, p *path, insideIndex bool, typeScoped *gold.Context, depth, ctxDepth int) error {
	var propertyScoped any
	propertyTD := ctx.GetTermDefinition(activeProperty)
	if propertyTD != nil {
		propertyScoped = propertyTD.Context
	}
	if typeScoped == nil && c.hasPrevious(ctx) {
		typeScoped = ctx
	}
	keys := sortedKeys(elem)
	elemCtx, hasContext := elem["@context"]
	if c.b != nil {
		graphValue := c.b.graphValue
		c.b.graphValue = false
		if hasContext {
			if err := c.boundContext(elemCtx, p, graphValue); err != nil {
				return err
			}
		}
	}
	mustRevert := !insideIndex
	if mustRevert && typeScoped != nil && len(keys) <= 2 && !hasContext {
		for _, key := range keys {
			e, err := typeScoped.ExpandIri(key, false, true, nil, nil)
			if err != nil {
				return c.fail(ErrInvalidJSONLD, p.child(key), "term", key, "")
			}
			if e == "@value" {
				mustRevert = false
				ctx = typeScoped
				break
			}
			if e == "@id" && len(keys) == 1 {
				mustRevert = false
				break
			}
		}
	}
	if mustRevert {
		if r := c.revert(ctx); r != ctx {
			if err := c.chargeRevert(r, p); err != nil {
				return err
			}
			ctx = r
		}
	}
	var err error
	if propertyScoped != nil {
		if ctxDepth++; ctxDepth > limits.MaxContextDepth {
			return c.fail(ErrLimit, p, "", "", "")
		}
		if ctx, err = c.scopedContext(ctx, propertyTD, 'p', p, activeProperty); err != nil {
			return err
		}
	}
	if hasContext {
		if ctxDepth++; ctxDepth > limits.MaxContextDepth {
			return c.fail(ErrLimit, p.child("@context"), "", "", "")
		}
		if err := c.charge(ctx, elemCtx, p.child("@context")); err != nil {
			return err
		}
		key, servedOnly := c.servedURLs(elemCtx)
		if p == nil && servedOnly {
			// The document's own @context, naming served contexts only:
			// processed once per Loader.
			if kept := c.l.cache.top(key); kept != nil {
				ctx = kept
			} else {
				if ctx, err = c.parse(ctx, elemCtx, p.child("@context")); err != nil {
					return err
				}
				ctx = c.l.cache.putTop(key, ctx)
			}
			c.top = ctx
		} else if ctx, err = c.parse(ctx, elemCtx, p.child("@context")); err != nil {
			return err
		}
	}
	typeScoped = ctx
	for _, key := range keys {
		e, err := ctx.ExpandIri(key, false, true, nil, nil)
		if err != nil {
			return c.fail(ErrInvalidJSONLD, p.child(key), "term", key, "")
		}
		if e != "@type" {
			continue
		}
		var types []string
		switch v := elem[key].(type) {
		case string:
			types = []string{v}
		case []any:
			for i, t := range v {
				s, ok := t.(string)
				if !ok {
					return &TermError{Err: ErrInvalidJSONLD, Pointer: p.child(key).item(i).String(), Kind: "type", Reason: "@type values must be strings"}
				}
				types = append(types, s)
			}
			slices.Sort(types)
		default:
			return &TermError{Err: ErrInvalidJSONLD, Pointer: p.child(key).String(), Kind: "type", Reason: "@type must be a string or an array of strings"}
		}
		for _, t := range types {
			td := typeScoped.GetTermDefinition(t)
			if td == nil || !td.HasContext {
				continue
			}
			if ctxDepth++; ctxDepth > limits.MaxContextDepth {
				return c.fail(ErrLimit, p.child(key), "type", t, "")
			}
			if ctx, err = c.scopedContext(ctx, td, 't', p.child(key), t); err != nil {
				return err
			}
		}
	}
	return c.members(ctx, activeProperty, elem, keys, p, typeScoped, depth, ctxDepth)
}

// members mirrors json-gold's expandObject: it checks each member name and
// what expansion does with its value.
func (c *checker) members(ctx *gold.Context, activeProperty string, elem map[string]any, keys []string, p *path, typeScoped *gold.Context, depth, ctxDepth int) error {
	expanded := make([]string, len(keys))
	isValue := false
	for i, key := range keys {
		if key == "@context" {
			continue
		}
		if key == "" {
			// json-gold drops the member even where @vocab would make
			// an IRI of it: a signature would not cover its value.
			return &TermError{Err: ErrUndefinedTerm, Pointer: p.child(key).String(), Kind: "term",
				Reason: "a member with an empty name is dropped by JSON-LD expansion, so no proof can cover it"}
		}
		e, err := ctx.ExpandIri(key, false, true, nil, nil)
		if err != nil {
			return c.fail(ErrInvalidJSONLD, p.child(key), "term", key, "")
		}
		if e == "" || (!strings.Contains(e, ":") && !gold.IsKeyword(e)) {
			return c.fail(ErrUndefinedTerm, p.child(key), "term", key, "")
		}
		if !gold.IsKeyword(e) {
			if isBlankNode(e) {
				return &TermError{Err: ErrInvalidIRI, Pointer: p.child(key).String(), Kind: "term", Term: key, IRI: e, Reason: "a property cannot be a blank node"}
			}
			if !c.iris.valid(e) {
				return c.fail(ErrInvalidIRI, p.child(key), "term", key, e)
			}
		}
		if e == "@value" {
			isValue = true
		}
		expanded[i] = e
	}
	if c.b != nil {
		if err := c.boundKeys(ctx, typeScoped, elem, keys, expanded, p, isValue); err != nil {
			return err
		}
	}
	var nests []string
	for i, key := range keys {
		if key == "@context" {
			continue
		}
		e, value, kp := expanded[i], elem[key], p.child(key)
		if gold.IsKeyword(e) {
			switch e {
			case "@id":
				if s, ok := value.(string); ok {
					iri, err := ctx.ExpandIri(s, true, false, nil, nil)
					if err != nil {
						return c.fail(ErrInvalidJSONLD, kp, "id", s, "")
					}
					if !isBlankNode(iri) && !c.iris.valid(iri) {
						return c.fail(ErrInvalidIRI, kp, "id", s, iri)
					}
				}
			case "@type":
				if err := c.types(typeScoped, value, kp, isValue); err != nil {
					return err
				}
			case "@language":
				if s, ok := value.(string); ok && !validLanguage(s) {
					return c.fail(ErrInvalidLanguage, kp, "language", s, "")
				}
			case "@direction":
				if value != nil {
					return c.failDirection(p, "value", fmt.Sprint(elem[firstKeyExpandingTo(keys, expanded, "@value")]), "")
				}
			case "@graph":
				if err := c.element(ctx, "@graph", value, kp, false, nil, depth, ctxDepth); err != nil {
					return err
				}
			case "@included":
				if err := c.element(ctx, activeProperty, value, kp, false, nil, depth, ctxDepth); err != nil {
					return err
				}
			case "@list":
				if activeProperty == "" || activeProperty == "@graph" {
					continue
				}
				if err := c.element(ctx, activeProperty, value, kp, false, nil, depth, ctxDepth); err != nil {
					return err
				}
			case "@set":
				if err := c.element(ctx, activeProperty, value, kp, false, nil, depth, ctxDepth); err != nil {
					return err
				}
			case "@reverse":
				if _, ok := value.(map[string]any); ok {
					if err := c.element(ctx, "@reverse", value, kp, false, nil, depth, ctxDepth); err != nil {
						return err
					}
				}
			case "@nest":
				nests = append(nests, key)
			}
			continue
		}
		if err := c.property(ctx, key, value, kp, depth, ctxDepth); err != nil {
			return err
		}
	}
	for _, n := range nests {
		np := p.child(n)
		arr, isArr := elem[n].([]any)
		if !isArr {
			arr = []any{elem[n]}
		}
		for i, nv := range arr {
			nvp := np
			if isArr {
				nvp = np.item(i)
			}
			m, ok := nv.(map[string]any)
			if !ok {
				return &TermError{Err: ErrInvalidJSONLD, Pointer: nvp.String(), Reason: "a nested value must be a node object"}
			}
			if depth+1 > maxDepth {
				return c.fail(ErrLimit, nvp, "", "", "")
			}
			if err := c.members(ctx, activeProperty, m, sortedKeys(m), nvp, typeScoped, depth+1, ctxDepth); err != nil {
				return err
			}
		}
	}
	return nil
}

func firstKeyExpandingTo(keys, expanded []string, want string) string {
	for i, e := range expanded {
		if e == want {
			return keys[i]
		}
	}
	return ""
}

// types checks the values of @type: node types must expand to an IRI or a
// blank node, a value's datatype to an IRI.
func (c *checker) types(typeScoped *gold.Context, value any, p *path, isValue bool) error {
	one := func(t string, tp *path) error {
		if isValue && t == "@json" {
			return nil
		}
		iri, err := typeScoped.ExpandIri(t, true, true, nil, nil)
		if err != nil {
			return c.fail(ErrInvalidJSONLD, tp, "type", t, "")
		}
		if c.iris.valid(iri) || (!isValue && isBlankNode(iri)) {
			if c.b != nil && !isValue {
				return c.boundName(typeScoped, t, iri, tp, "type", readerTypes)
			}
			return nil
		}
		kind := "type"
		if isValue {
			kind = "datatype"
		}
		if typeScoped.GetTermDefinition(t) == nil && typeScoped.Values.Vocab == nil && !strings.Contains(t, ":") {
			return c.fail(ErrUndefinedTerm, tp, kind, t, "")
		}
		return c.fail(ErrInvalidIRI, tp, kind, t, iri)
	}
	switch v := value.(type) {
	case string:
		return one(v, p)
	case []any:
		var seen []string
		for i, t := range v {
			if s, ok := t.(string); ok {
				if err := one(s, p.item(i)); err != nil {
					return err
				}
				if c.b != nil {
					iri, _ := typeScoped.ExpandIri(s, true, true, nil, nil)
					if err := repeated(&seen, iri, p.item(i), c); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// property checks a member whose name expanded to an IRI, mirroring the
// part of json-gold's expandObject after the keyword cases.
func (c *checker) property(ctx *gold.Context, key string, value any, p *path, depth, ctxDepth int) error {
	termCtx := ctx
	td := ctx.GetTermDefinition(key)
	var err error
	if td != nil && td.HasContext {
		if termCtx, err = c.scopedContext(ctx, td, 'p', p, key); err != nil {
			return err
		}
	}
	if termCtx != ctx {
		if err := c.containerFromActiveContext(ctx, termCtx, key, value, p); err != nil {
			return err
		}
	}
	if c.b != nil && !(td != nil && td.Type == "@json") {
		for _, container := range [...]string{"@language", "@index", "@id", "@type"} {
			if ctx.HasContainerMapping(key, container) {
				return c.notBound(p, "term", key, "", fmt.Sprintf("a term with a %s container: its values are keyed by something other than the property", container))
			}
		}
		if err := c.boundValue(ctx, termCtx, key, value, p); err != nil {
			return err
		}
		if ctx.HasContainerMapping(key, "@graph") {
			return c.boundGraph(termCtx, key, value, p, depth, ctxDepth)
		}
	}
	valueMap, isMap := value.(map[string]any)
	switch {
	case termCtx.HasContainerMapping(key, "@language") && isMap:
		for _, lang := range sortedKeys(valueMap) {
			lp := p.child(lang)
			e, err := termCtx.ExpandIri(lang, false, true, nil, nil)
			if err != nil {
				return c.fail(ErrInvalidJSONLD, lp, "language", lang, "")
			}
			if e != "@none" && !validLanguage(lang) {
				return c.fail(ErrInvalidLanguage, lp, "language", lang, "")
			}
			if valueMap[lang] == nil {
				continue
			}
			if td != nil && td.HasDirection {
				if td.Direction != nil && *td.Direction != "" {
					return c.failDirection(lp, "value", fmt.Sprint(valueMap[lang]), "")
				}
			} else if termCtx.Values.Direction != "" {
				return c.failDirection(lp, "value", fmt.Sprint(valueMap[lang]), "")
			}
		}
		return nil
	case termCtx.HasContainerMapping(key, "@index") && isMap:
		indexKey := "@index"
		if tdk := termCtx.GetTermDefinition(key); tdk != nil && tdk.Index != "" {
			indexKey = tdk.Index
			e, err := ctx.ExpandIri(indexKey, false, true, nil, nil)
			if err != nil || !c.iris.valid(e) {
				return c.fail(ErrInvalidIRI, p, "property", indexKey, e)
			}
		}
		return c.indexMap(termCtx, key, valueMap, indexKey, p, depth, ctxDepth)
	case termCtx.HasContainerMapping(key, "@id") && isMap:
		return c.indexMap(termCtx, key, valueMap, "@id", p, depth, ctxDepth)
	case termCtx.HasContainerMapping(key, "@type") && isMap:
		r := c.revert(termCtx)
		if r != termCtx {
			if err := c.chargeRevert(r, p); err != nil {
				return err
			}
		}
		return c.indexMap(r, key, valueMap, "@type", p, depth, ctxDepth)
	case td != nil && td.Type == "@json":
		return nil
	default:
		return c.element(termCtx, key, value, p, false, nil, depth, ctxDepth)
	}
}

// indexMap mirrors json-gold's expandIndexMap.
func (c *checker) indexMap(ctx *gold.Context, activeProperty string, m map[string]any, indexKey string, p *path, depth, ctxDepth int) error {
	if depth+1 > maxDepth {
		return c.fail(ErrLimit, p, "", "", "")
	}
	for _, key := range sortedKeys(m) {
		kp := p.child(key)
		indexCtx := ctx
		if indexKey == "@type" {
			if td := ctx.GetTermDefinition(key); td != nil && td.HasContext {
				if ctxDepth+1 > limits.MaxContextDepth {
					return c.fail(ErrLimit, kp, "type", key, "")
				}
				if err := c.charge(ctx, td.Context, kp); err != nil {
					return err
				}
				var err error
				if indexCtx, err = c.parse(ctx, td.Context, kp); err != nil {
					return err
				}
			}
		}
		v := m[key]
		if _, isArr := v.([]any); !isArr {
			v = []any{v}
		}
		if err := c.element(indexCtx, activeProperty, v, kp, true, nil, depth+1, ctxDepth); err != nil {
			return err
		}
		e, err := indexCtx.ExpandIri(key, false, true, nil, nil)
		if err != nil {
			return c.fail(ErrInvalidJSONLD, kp, "term", key, "")
		}
		if e == "@none" {
			continue
		}
		switch indexKey {
		case "@id":
			iri, err := indexCtx.ExpandIri(key, true, false, nil, nil)
			if err != nil || (!isBlankNode(iri) && !c.iris.valid(iri)) {
				return c.fail(ErrInvalidIRI, kp, "id", key, iri)
			}
		case "@type":
			if !isBlankNode(e) && !c.iris.valid(e) {
				if indexCtx.GetTermDefinition(key) == nil && indexCtx.Values.Vocab == nil && !strings.Contains(key, ":") {
					return c.fail(ErrUndefinedTerm, kp, "type", key, "")
				}
				return c.fail(ErrInvalidIRI, kp, "type", key, e)
			}
		}
	}
	return nil
}

// parse processes a context from the document (json-gold's Context.Parse).
func (c *checker) parse(ctx *gold.Context, local any, p *path) (*gold.Context, error) {
	next, err := ctx.Parse(local)
	if err != nil {
		return nil, c.contextError(ctx, local, p, err)
	}
	return next, nil
}

// scopedContext applies the scoped context of term definition td to ctx,
// as a property-scoped (kind 'p') or type-scoped (kind 't') context.
func (c *checker) scopedContext(ctx *gold.Context, td *gold.TermDefinition, kind byte, p *path, term string) (*gold.Context, error) {
	if err := c.charge(ctx, td.Context, p); err != nil {
		return nil, err
	}
	key := scopedKey{ctx: ctx, td: td, kind: kind}
	if next, ok := c.scoped[key]; ok {
		return next, nil
	}
	known := c.l.cache.isKnown(ctx)
	if known {
		if next := c.l.cache.scopedContext(key); next != nil {
			c.scoped[key] = next
			return next, nil
		}
	}
	var next *gold.Context
	var err error
	if kind == 't' {
		next, err = c.parseTypeScoped(ctx, td.Context, p, term)
	} else {
		next, err = c.parseOverriding(ctx, td.Context, p, term)
	}
	if err != nil {
		return nil, err
	}
	if known {
		next = c.l.cache.putScoped(key, next)
	}
	c.scoped[key] = next
	return next, nil
}

// parseTypeScoped applies a type-scoped context, which does not propagate
// to nested node objects unless it says "@propagate": true. json-gold does
// this with an unexported parse flag; here a leading {"@propagate": false}
// has the same effect, unless the context's own first entry says otherwise
// (json-gold reads @propagate from the first entry only).
func (c *checker) parseTypeScoped(ctx *gold.Context, local any, p *path, typ string) (*gold.Context, error) {
	list, isList := local.([]any)
	if !isList {
		list = []any{local}
	}
	if first, ok := firstMap(list); !ok || first["@propagate"] == nil {
		list = append([]any{map[string]any{"@propagate": false}}, list...)
	}
	next, err := ctx.Parse(list)
	if err != nil {
		return nil, c.scopedError(ctx, local, p, "type", typ, err)
	}
	return next, nil
}

// servedURLs reports whether a @context value is one served URL or a
// non-empty list of them, and returns them as a cache key.
func (c *checker) servedURLs(local any) (string, bool) {
	list, isList := local.([]any)
	if !isList {
		list = []any{local}
	}
	if len(list) == 0 {
		return "", false
	}
	var b strings.Builder
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return "", false
		}
		if _, ok := c.l.docs[s]; !ok {
			return "", false
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String(), true
}

func firstMap(list []any) (map[string]any, bool) {
	if len(list) == 0 {
		return nil, false
	}
	m, ok := list[0].(map[string]any)
	return m, ok
}

// parseOverriding applies a property-scoped context, which may redefine
// protected terms (JSON-LD 1.1 section 4.1.11). json-gold does this with an
// unexported flag; here the active context is copied with its terms'
// protection lifted, the scoped context applied, and protection put back on
// the terms it did not redefine.
func (c *checker) parseOverriding(ctx *gold.Context, local any, p *path, term string) (*gold.Context, error) {
	open := gold.CopyContext(ctx)
	lifted := make(map[string]*gold.TermDefinition)
	for k, td := range open.TermDefinitions {
		if td != nil && td.Protected {
			cp := td.Copy()
			cp.Protected = false
			open.TermDefinitions[k] = cp
			lifted[k] = td
		}
	}
	wasProtected := open.Protected
	open.Protected = make(map[string]bool)
	next, err := open.Parse(local)
	if err != nil {
		return nil, c.scopedError(ctx, local, p, "term", term, err)
	}
	for k, orig := range lifted {
		if cur, ok := next.TermDefinitions[k]; ok && cur == open.TermDefinitions[k] {
			next.TermDefinitions[k] = orig // not redefined: protected again
		}
	}
	// json-gold only ever adds to a context's set of protected terms, and
	// that set decides whether the context may later be nullified.
	if len(next.TermDefinitions) > 0 || len(next.Protected) > 0 {
		for k := range wasProtected {
			next.Protected[k] = true
		}
	}
	return next, nil
}

// scopedError reports a failure to apply the scoped context of a term or
// type.
func (c *checker) scopedError(ctx *gold.Context, local any, p *path, kind, term string, err error) error {
	e := c.contextError(ctx, local, p, err)
	var te *TermError
	if errors.As(e, &te) && te.Term == "" {
		te.Kind, te.Term = kind, term
		te.Reason = strings.TrimPrefix(te.Reason+"; in the scoped context of "+kind+" "+strconv.Quote(term), "; ")
	}
	return e
}

// contextError turns a failure to process a context into our error. json-gold's
// errors do not say which entry or term is at fault, so for a protected term
// redefinition and an invalid IRI mapping the entry and term are found by
// trial.
func (c *checker) contextError(ctx *gold.Context, local any, p *path, err error) error {
	list, isList := local.([]any)
	var ce *ContextError
	if errors.As(err, &ce) {
		withPtr := *ce
		withPtr.Pointer = p.String()
		for i, e := range list {
			if e == any(ce.URL) {
				withPtr.Pointer = p.item(i).String()
				break
			}
		}
		return &withPtr
	}
	var je *gold.JsonLdError
	if !errors.As(err, &je) {
		return &TermError{Err: ErrInvalidContext, Pointer: p.String(), Reason: err.Error()}
	}
	switch je.Code {
	case gold.ProtectedTermRedefinition:
		ptr, term, _ := c.findCulprit(ctx, local, p, je.Code)
		return &TermError{Err: ErrProtectedTermRedefinition, Pointer: ptr, Kind: "term", Term: term}
	case gold.InvalidIRIMapping:
		ptr, term, iri := c.findCulprit(ctx, local, p, je.Code)
		if term != "" {
			return &TermError{Err: ErrInvalidIRI, Pointer: ptr, Kind: "term", Term: term, IRI: iri, Reason: "a term must map to an absolute IRI, a blank node or a keyword"}
		}
		return &TermError{Err: ErrInvalidContext, Pointer: ptr, Reason: err.Error()}
	}
	if !isList {
		return &TermError{Err: ErrInvalidContext, Pointer: p.String(), Reason: err.Error()}
	}
	ptr, _, _ := c.findCulprit(ctx, local, p, je.Code)
	return &TermError{Err: ErrInvalidContext, Pointer: ptr, Reason: err.Error()}
}

// maxProbes caps the trial parses findCulprit makes.
const maxProbes = 64

// findCulprit finds which entry of a @context value, and which term in it,
// makes processing fail with code. It applies the entries one by one; in
// the failing entry it tries each candidate term alone (with the entry's
// keywords), then, if that did not reproduce the failure, the entry without
// each candidate. Candidates are the protected terms of the active context
// for a redefinition, and every term otherwise.
func (c *checker) findCulprit(ctx *gold.Context, local any, p *path, code gold.ErrorCode) (ptr, term, iri string) {
	list, isList := local.([]any)
	if !isList {
		list = []any{local}
	}
	cur := ctx
	probes := 0
	for i, entry := range list {
		ep := p
		if isList {
			ep = p.item(i)
		}
		next, err := cur.Parse(entry)
		probes++
		if err == nil {
			cur = next
			continue
		}
		if !hasCode(err, code) {
			return ep.String(), "", ""
		}
		m := c.contextMap(entry)
		var candidates []string
		for _, k := range sortedKeys(m) {
			if strings.HasPrefix(k, "@") {
				continue
			}
			if code == gold.ProtectedTermRedefinition {
				if td := cur.GetTermDefinition(k); td == nil || !td.Protected {
					continue
				}
			}
			candidates = append(candidates, k)
		}
		// Each candidate alone, with the entry's keywords and the other
		// non-candidates: finds one culprit among several.
		for _, k := range candidates {
			if probes >= maxProbes {
				return ep.String(), "", ""
			}
			probes++
			if hasCode(tryParse(cur, m, func(mk string) bool { return mk == k || !slices.Contains(candidates, mk) }), code) {
				return ep.String(), k, mappedIRI(m[k])
			}
		}
		// The entry without each candidate: finds a culprit whose
		// definition needs other terms of the entry (a compact IRI).
		for _, k := range candidates {
			if probes >= maxProbes {
				break
			}
			probes++
			if !hasCode(tryParse(cur, m, func(mk string) bool { return mk != k }), code) {
				return ep.String(), k, mappedIRI(m[k])
			}
		}
		return ep.String(), "", ""
	}
	return p.String(), "", ""
}

// tryParse applies the members of m that keep selects to cur.
func tryParse(cur *gold.Context, m map[string]any, keep func(string) bool) error {
	trial := make(map[string]any, len(m))
	for k, v := range m {
		if keep(k) {
			trial[k] = v
		}
	}
	_, err := cur.Parse(trial)
	return err
}

// mappedIRI returns what a term definition maps its term to, as written.
func mappedIRI(def any) string {
	switch d := def.(type) {
	case string:
		return d
	case map[string]any:
		if id, ok := d["@id"].(string); ok {
			return id
		}
		if id, ok := d["@reverse"].(string); ok {
			return id
		}
	}
	return ""
}

func hasCode(err error, code gold.ErrorCode) bool {
	var je *gold.JsonLdError
	return errors.As(err, &je) && je.Code == code
}

// contextMap returns the term definitions of one @context entry: the entry
// itself, or the served document it names.
func (c *checker) contextMap(entry any) map[string]any {
	if s, ok := entry.(string); ok {
		doc, _ := c.l.docs[s].(map[string]any)
		entry = doc
	}
	m, _ := entry.(map[string]any)
	if inner, ok := m["@context"].(map[string]any); ok {
		m = inner
	}
	return m
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// failDirection refuses a value with a base direction when the document is
// on its way to RDF, and lets expansion keep it.
func (c *checker) failDirection(p *path, kind, term, iri string) error {
	if !c.forRDF {
		return nil
	}
	return c.fail(ErrBaseDirection, p, kind, term, iri)
}
