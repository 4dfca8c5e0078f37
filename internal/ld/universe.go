package ld

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	gold "github.com/piprate/json-gold/ld"
)

// The names the served contexts give
//
// Rule 7 pins the names readers of the data model know. Every other name a
// document uses (a claim, a type a policy or a trust list reads) is read
// by someone too, and an -rdfc- proof does not sign the contexts that give
// names their meaning: a holder who swaps the contexts can give a signed
// IRI another name (a PorterCredential written "SurgeonCredential", a
// claim "notClearedFor" written "clearedFor") and keep the signature. Rule
// 8 closes this: a name may stand for an IRI only as the contexts the
// Loader serves let it, whichever of them the document names.
//
//   - A name some served context defines as a term stands only for an IRI
//     some served context gives that name (its own term definition, or,
//     in a scoped context, that of a type or property).
//   - An IRI some served context names is written under a name a served
//     context gives it: its term, or the name a served @vocab makes of it.
//   - A name and an IRI the served contexts know nothing of (a term an
//     inline context adds for a new IRI) are the document's own.
//
// The served contexts do give a few names more than one meaning (VCDM
// 1.1's examples context and schema.org's http and https namespaces give
// "name", "givenName" and "familyName" each); those names keep the
// meanings the served contexts give them, and a reader that cares which
// reads the document's contexts, as the staff schemas do.

// universe is what the served contexts of one Loader name.
type universe struct {
	names  map[string][]string // term -> the IRIs served contexts give it
	iris   map[string][]string // IRI -> the terms served contexts give it
	vocabs []string            // every @vocab of a served context
}

// universe returns what l's served contexts name, worked out once.
func (l *Loader) universe() *universe {
	l.univOnce.Do(func() { l.univ = buildUniverse(l) })
	return l.univ
}

type universeBuilder struct {
	c     *checker
	u     *universe
	seen  map[*gold.TermDefinition]bool
	names map[string]map[string]bool
	iris  map[string]map[string]bool
	vocab map[string]bool
}

func buildUniverse(l *Loader) *universe {
	b := &universeBuilder{
		c: &checker{
			forRDF:   true,
			iris:     make(iriCache),
			l:        l,
			opts:     l.opts,
			reverted: make(map[*gold.Context]*gold.Context),
			scoped:   make(map[scopedKey]*gold.Context),
		},
		seen:  make(map[*gold.TermDefinition]bool),
		names: make(map[string]map[string]bool),
		iris:  make(map[string]map[string]bool),
		vocab: make(map[string]bool),
	}
	urls := make([]string, 0, len(l.docs))
	for u := range l.docs {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		ctx, err := parseContext(gold.NewContext(nil, l.opts), u)
		if err != nil {
			continue // a context that cannot be used alone names nothing by itself
		}
		b.add(ctx)
	}
	out := &universe{names: flatten(b.names), iris: flatten(b.iris)}
	for v := range b.vocab {
		out.vocabs = append(out.vocabs, v)
	}
	sort.Strings(out.vocabs)
	return out
}

// parseContext is Context.Parse turning a json-gold panic into an error.
func parseContext(ctx *gold.Context, local any) (next *gold.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			next, err = nil, fmt.Errorf("ld: %v", r)
		}
	}()
	return ctx.Parse(local)
}

// add records the terms and @vocab of ctx and of the scoped contexts its
// terms carry. A scoped context carries its parent's term definitions
// along (the same values), so each term's scoped context is applied once.
func (b *universeBuilder) add(ctx *gold.Context) {
	if ctx.Values != nil && ctx.Values.Vocab != nil && *ctx.Values.Vocab != "" {
		b.vocab[*ctx.Values.Vocab] = true
	}
	names := make([]string, 0, len(ctx.TermDefinitions))
	for name := range ctx.TermDefinitions {
		names = append(names, name)
	}
	sort.Strings(names) // the same universe every time
	for _, name := range names {
		td := ctx.TermDefinitions[name]
		if td == nil {
			continue
		}
		if !td.Reverse && td.ID != "" && !gold.IsKeyword(td.ID) && !strings.Contains(name, ":") {
			put(b.names, name, td.ID)
			put(b.iris, td.ID, name)
		}
		if td.HasContext && td.Context != nil && !b.seen[td] {
			b.seen[td] = true
			if next, err := b.scoped(ctx, td, name); err == nil && next != nil {
				b.add(next)
			}
		}
	}
}

func (b *universeBuilder) scoped(ctx *gold.Context, td *gold.TermDefinition, name string) (next *gold.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			next, err = nil, fmt.Errorf("ld: %v", r)
		}
	}()
	return b.c.parseOverriding(ctx, td.Context, nil, name)
}

func put(m map[string]map[string]bool, k, v string) {
	if m[k] == nil {
		m[k] = make(map[string]bool)
	}
	m[k][v] = true
}

func flatten(m map[string]map[string]bool) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, set := range m {
		l := make([]string, 0, len(set))
		for v := range set {
			l = append(l, v)
		}
		sort.Strings(l)
		out[k] = l
	}
	return out
}

// vocabName is the name a @vocab makes of the rest of an IRI, if it makes
// one that a reader could write as a member name.
func vocabName(s string) bool {
	return s != "" && !strings.Contains(s, ":") && !strings.HasPrefix(s, "@")
}

// problem says why name, standing for iri, breaks rule 8, or returns "".
func (u *universe) problem(name, iri string) string {
	if u == nil {
		return ""
	}
	if slices.Contains(u.names[name], iri) {
		return ""
	}
	for _, v := range u.vocabs {
		if s, ok := strings.CutPrefix(iri, v); ok && s == name {
			return ""
		}
	}
	if ns := u.iris[iri]; len(ns) > 0 {
		return fmt.Sprintf("it stands for %s, which the served contexts name %q: a proof does not sign the contexts, so an IRI they name is written under a name they give it", iri, ns[0])
	}
	for _, v := range u.vocabs {
		if s, ok := strings.CutPrefix(iri, v); ok && vocabName(s) {
			return fmt.Sprintf("it stands for %s, which the served vocabulary %s names %q: a proof does not sign the contexts, so an IRI they name is written under a name they give it", iri, v, s)
		}
	}
	if is := u.names[name]; len(is) > 0 {
		return fmt.Sprintf("the served contexts give %q the meaning %s, and here it stands for %s: a proof does not sign the contexts, so a name they define keeps its meaning", name, is[0], iri)
	}
	return ""
}
