package ld

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	gold "github.com/piprate/json-gold/ld"
)

// Context is a JSON-LD context document served under a URL.
type Context struct {
	// URL is the context's URL, exactly as documents name it. It must
	// start with "https://".
	URL string
	// Document is the context document: a JSON object with an @context
	// member.
	Document []byte
}

// Loader is a closed JSON-LD document loader: it serves the contexts
// embedded in this package (see contexts/SOURCE) and those registered with
// [NewLoader], and refuses every other URL with a [*ContextError] wrapping
// [ErrContextNotAllowed]. It never fetches anything.
//
// URLs match exactly, byte for byte: no trailing-slash, case or fragment
// tolerance, and no scheme substitution, so "http://www.w3.org/ns/credentials/v2"
// is refused even though "https://www.w3.org/ns/credentials/v2" is served.
// A document that names the http form means something the signer may not
// have meant, and a verifier must not quietly reinterpret it.
//
// Each context is checked and decoded once, when the Loader is made (the
// embedded ones once per process), and processed (JSON-LD 1.1 Processing
// Algorithms section 4.1) once per Loader: the active context that a
// document's list of context URLs produces, and the ones made from it by
// type-scoped and property-scoped contexts, are kept (see contextCache) and
// shared by every document processed afterwards. A Loader is safe for
// concurrent use.
type Loader struct {
	docs  map[string]any
	opts  *gold.JsonLdOptions
	cache *contextCache
	fast  *fastContexts

	univOnce sync.Once
	univ     *universe // what the served contexts name (rule 8)
}

// NewLoader returns a Loader that serves the embedded contexts and extra.
// It fails if an extra context is not strict JSON, has no @context member,
// does not have an https URL, repeats a URL already served, or leads back to
// itself through @context or @import references.
func NewLoader(extra ...Context) (*Loader, error) {
	base, err := embedded()
	if err != nil {
		return nil, err
	}
	docs := make(map[string]any, len(base)+len(extra))
	for u, d := range base {
		docs[u] = d
	}
	for _, c := range extra {
		if !strings.HasPrefix(c.URL, "https://") || strings.ContainsAny(c.URL, " \t\r\n#") || !validIRI(c.URL) {
			return nil, fmt.Errorf("ld: registering context %q: %w: the URL must be an https URL without a fragment", c.URL, ErrInvalidContext)
		}
		if _, dup := docs[c.URL]; dup {
			return nil, fmt.Errorf("ld: registering context %q: %w: that URL is already served", c.URL, ErrInvalidContext)
		}
		doc, err := decodeContext(c.Document)
		if err != nil {
			return nil, fmt.Errorf("ld: registering context %q: %w", c.URL, err)
		}
		docs[c.URL] = doc
	}
	if err := checkReferences(docs); err != nil {
		return nil, err
	}
	l := &Loader{docs: docs, cache: newContextCache()}
	l.fast = newFastContexts(l)
	opts := gold.NewJsonLdOptions("")
	opts.ProcessingMode = gold.JsonLd_1_1
	opts.DocumentLoader = &goldLoader{l: l}
	opts.SafeMode = true
	opts.Algorithm = gold.AlgorithmURDNA2015
	l.opts = opts
	return l, nil
}

// defaultLoader serves the embedded contexts only.
var defaultLoader = sync.OnceValues(func() (*Loader, error) { return NewLoader() })

// Default returns the Loader of the embedded contexts, one per process: the
// contexts it has processed, and what they name, are shared by every caller.
func Default() (*Loader, error) { return defaultLoader() }

// Serves reports whether l (nil: the embedded contexts) serves the context
// url: whether a document naming it can be read at all.
func (l *Loader) Serves(url string) bool {
	l, err := l.orDefault()
	if err != nil {
		return false
	}
	_, ok := l.docs[url]
	return ok
}

// orDefault returns l, or a Loader of the embedded contexts when l is nil.
func (l *Loader) orDefault() (*Loader, error) {
	if l != nil {
		return l, nil
	}
	return defaultLoader()
}

// checkReferences refuses served contexts that can reach themselves
// through @context or @import references. (A reference to a context that
// is not served is allowed: using it fails with ErrContextNotAllowed, as
// https://www.w3.org/2018/credentials/examples/v1 does for its ODRL
// context.)
// json-gold does not notice a context that includes itself (it loses the
// list of contexts being processed when it recurses) and would recurse
// until the stack overflows, which no recover can catch.
func checkReferences(docs map[string]any) error {
	refs := make(map[string][]string, len(docs))
	for u, d := range docs {
		var out []string
		collectReferences(d, false, &out)
		refs[u] = out
	}
	const (
		unvisited = iota
		visiting
		done
	)
	state := make(map[string]int, len(docs))
	var visit func(u string) error
	visit = func(u string) error {
		switch state[u] {
		case visiting:
			return fmt.Errorf("ld: context %q includes itself through @context or @import: %w", u, ErrInvalidContext)
		case done:
			return nil
		}
		state[u] = visiting
		for _, r := range refs[u] {
			if err := visit(r); err != nil {
				return err
			}
		}
		state[u] = done
		return nil
	}
	urls := make([]string, 0, len(docs))
	for u := range docs {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		if err := visit(u); err != nil {
			return err
		}
	}
	return nil
}

// collectReferences appends the URLs that v names as contexts: strings in
// the value of an @context member and the value of @import.
func collectReferences(v any, inContext bool, out *[]string) {
	switch v := v.(type) {
	case string:
		if inContext {
			*out = append(*out, v)
		}
	case []any:
		for _, e := range v {
			collectReferences(e, inContext, out)
		}
	case map[string]any:
		for k, e := range v {
			switch k {
			case "@context":
				collectReferences(e, true, out)
			case "@import":
				if s, ok := e.(string); ok {
					*out = append(*out, s)
				}
			default:
				collectReferences(e, false, out)
			}
		}
	}
}

// goldLoader is the Loader as a json-gold DocumentLoader. It keeps no
// state: the contexts a document makes json-gold load, and the work they
// cause, are counted by the safe-mode walk before json-gold starts.
type goldLoader struct {
	l *Loader
}

var _ gold.DocumentLoader = (*goldLoader)(nil)

// LoadDocument implements gold.DocumentLoader.
func (g *goldLoader) LoadDocument(u string) (*gold.RemoteDocument, error) {
	doc, ok := g.l.docs[u]
	if !ok {
		return nil, &ContextError{URL: u, Err: ErrContextNotAllowed}
	}
	return &gold.RemoteDocument{DocumentURL: u, Document: shareable(doc)}, nil
}

// shareable returns a view of a cached context document that json-gold may
// use without changing the cache. json-gold writes into exactly one map of
// a loaded document: when a context uses @import, it merges the importing
// context's members into the imported document's @context object. So the
// top-level object and its @context object are copied (shallowly); the rest
// is only read.
func shareable(doc any) any {
	m, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	top := make(map[string]any, len(m))
	for k, v := range m {
		top[k] = v
	}
	if c, ok := m["@context"].(map[string]any); ok {
		cc := make(map[string]any, len(c))
		for k, v := range c {
			cc[k] = v
		}
		top["@context"] = cc
	}
	return top
}
