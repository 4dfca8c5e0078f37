package ld

import (
	"sync"

	gold "github.com/piprate/json-gold/ld"
)

// maxCachedContexts caps each map of a contextCache. A credential type
// with its scoped contexts adds a handful of entries; when a map is full,
// further contexts are processed per document, as before.
const maxCachedContexts = 1024

// contextCache keeps processed active contexts across documents, so that
// credentials/v2 and the scoped contexts of its types are processed once
// per Loader instead of once (or, for scoped contexts, once per node) per
// document.
//
// Only contexts that depend on served context documents alone are kept:
// the result of processing a document's @context when it is a list of
// served URLs, and what type-scoped and property-scoped contexts of terms
// those contexts define make of a kept context. A document's own inline
// contexts are never kept. json-gold never changes a Context once
// processing made it (Parse copies, and expansion only reads), so kept
// contexts are shared without copying; the race detector runs the tests
// that share them.
type contextCache struct {
	mu       sync.Mutex
	known    map[*gold.Context]bool
	tops     map[string]*gold.Context
	scoped   map[scopedKey]*gold.Context
	reverted map[*gold.Context]*gold.Context
}

func newContextCache() *contextCache {
	return &contextCache{
		known:    make(map[*gold.Context]bool),
		tops:     make(map[string]*gold.Context),
		scoped:   make(map[scopedKey]*gold.Context),
		reverted: make(map[*gold.Context]*gold.Context),
	}
}

// isKnown reports whether ctx is a kept context.
func (cc *contextCache) isKnown(ctx *gold.Context) bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.known[ctx]
}

// top returns the kept context for a list of served context URLs.
func (cc *contextCache) top(key string) *gold.Context {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.tops[key]
}

// putTop keeps ctx for key and returns the context kept for it (an earlier
// one if another document got there first).
func (cc *contextCache) putTop(key string, ctx *gold.Context) *gold.Context {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if prev, ok := cc.tops[key]; ok {
		return prev
	}
	if len(cc.tops) < maxCachedContexts {
		cc.tops[key] = ctx
		cc.known[ctx] = true
	}
	return ctx
}

func (cc *contextCache) scopedContext(key scopedKey) *gold.Context {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.scoped[key]
}

func (cc *contextCache) putScoped(key scopedKey, ctx *gold.Context) *gold.Context {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if prev, ok := cc.scoped[key]; ok {
		return prev
	}
	if len(cc.scoped) < maxCachedContexts {
		cc.scoped[key] = ctx
		cc.known[ctx] = true
	}
	return ctx
}

func (cc *contextCache) revert(ctx *gold.Context) *gold.Context {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.reverted[ctx]
}

func (cc *contextCache) putRevert(ctx, r *gold.Context) *gold.Context {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if prev, ok := cc.reverted[ctx]; ok {
		return prev
	}
	if len(cc.reverted) < maxCachedContexts {
		cc.reverted[ctx] = r
		cc.known[r] = true
	}
	return r
}
