package ld

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	gold "github.com/piprate/json-gold/ld"

	"github.com/staffpass/staffpass/internal/rdfc"
)

// docGen builds a JSON-LD document from fuzz bytes, choosing among
// contexts, member names and values that reach the parts of expansion the
// safe-mode walk mirrors: scoped and protected contexts, aliases,
// containers, coerced values, value objects, lists, nesting and graphs.
type docGen struct {
	data []byte
	i    int
}

func (g *docGen) pick(n int) int {
	if g.i >= len(g.data) {
		return 0
	}
	b := g.data[g.i]
	g.i++
	return int(b) % n
}

var genContexts = []any{
	credentialsV2,
	examplesV2,
	"https://w3id.org/security/data-integrity/v2",
	map[string]any{"@vocab": nil},
	map[string]any{"@protected": true, "a": "https://e.org/a"},
	map[string]any{"a": "https://e.org/a2"},
	map[string]any{"name": "https://e.org/name"},
	map[string]any{"T": map[string]any{"@id": "https://e.org/T", "@context": map[string]any{"b": "https://e.org/b"}}},
	map[string]any{"U": map[string]any{"@id": "https://e.org/U", "@context": map[string]any{"@propagate": true, "b": "https://e.org/b2"}}},
	map[string]any{"p": map[string]any{"@id": "https://e.org/p", "@context": map[string]any{"name": "https://e.org/n2", "c": "https://e.org/c"}}},
	map[string]any{"l": map[string]any{"@id": "https://e.org/l", "@container": "@list"}},
	map[string]any{"i": map[string]any{"@id": "https://e.org/i", "@type": "@id"}},
	map[string]any{"v": map[string]any{"@id": "https://e.org/v", "@type": "@vocab"}},
	map[string]any{"n": "@nest", "m": map[string]any{"@id": "https://e.org/m", "@nest": "n"}},
	map[string]any{"lang": map[string]any{"@id": "https://e.org/lang", "@container": "@language"}},
	map[string]any{"idx": map[string]any{"@id": "https://e.org/idx", "@container": "@index"}},
	map[string]any{"tm": map[string]any{"@id": "https://e.org/tm", "@container": "@type"}},
	map[string]any{"g": map[string]any{"@id": "https://e.org/g", "@container": "@graph"}},
	map[string]any{"@language": "en"},
	map[string]any{"x": nil},
	map[string]any{"@vocab": "https://e.org/vocab#"},
	map[string]any{"r": map[string]any{"@reverse": "https://e.org/r"}},
	map[string]any{"dt": map[string]any{"@id": "https://e.org/dt", "@type": "https://e.org/Type"}},
	map[string]any{"ex": "https://e.org/ns#", "ex:q": map[string]any{"@type": "@id"}},
}

var genKeys = []string{
	"id", "type", "name", "description", "credentialSubject", "issuer", "proof",
	"a", "b", "c", "p", "l", "i", "v", "n", "m", "lang", "idx", "tm", "g", "x", "r", "dt",
	"foo", "ex:q", "https://e.org/abs", "@id", "@type", "@list", "@set", "@included",
	"@graph", "@value", "@language", "@nest", "@context", "cryptosuite",
}

var genStrings = []string{
	"did:example:1", "urn:e:2", "rel", "T", "U", "VerifiableCredential", "DataIntegrityProof",
	"Foo", "_:b1", "https://e.org/x", "en", "fr-CA", "x_y", "ex:z", "a", "",
}

func (g *docGen) value(depth int) any {
	switch g.pick(9) {
	case 0, 1, 2:
		return genStrings[g.pick(len(genStrings))]
	case 3:
		return float64(g.pick(5))
	case 4:
		return g.pick(2) == 0
	case 5:
		if depth > 0 {
			n := g.pick(3)
			arr := make([]any, n)
			for i := range arr {
				arr[i] = g.value(depth - 1)
			}
			return arr
		}
		return nil
	default:
		if depth > 0 {
			return g.object(depth-1, false)
		}
		return "leaf"
	}
}

func (g *docGen) object(depth int, top bool) map[string]any {
	m := map[string]any{}
	if top || g.pick(6) == 0 {
		n := 1 + g.pick(3)
		ctx := make([]any, 0, n)
		if top {
			ctx = append(ctx, credentialsV2)
			if g.pick(2) == 0 {
				ctx = append(ctx, examplesV2)
			}
		}
		for range n {
			ctx = append(ctx, genContexts[g.pick(len(genContexts))])
		}
		m["@context"] = ctx
	}
	for range 1 + g.pick(4) {
		k := genKeys[g.pick(len(genKeys))]
		if k == "@context" {
			continue
		}
		m[k] = g.value(depth)
	}
	return m
}

// FuzzSafeModeAgreesWithJSONGold generates documents and holds the
// safe-mode walk and the quad writer to json-gold: a named undefined term
// or protected redefinition must also stop json-gold's safe mode (unless it
// is inside @list or @set, where json-gold swallows errors); whatever
// json-gold's safe mode refuses, the walk must have found and named; and a
// document ToRDF accepts must give the same dataset as json-gold's own
// conversion wherever json-gold's N-Quads are valid.
func FuzzSafeModeAgreesWithJSONGold(f *testing.F) {
	for _, s := range []string{"", "\x00", "\x01\x02\x03\x04", "\x05\x06\x07\x08\x09\x0a", "\x10\x20\x30\x40\x50\x60\x70", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8"} {
		f.Add([]byte(s))
	}
	l, err := NewLoader()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &docGen{data: data}
		doc := g.object(3, true)
		text, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		// Work on a fresh decoding: json-gold must not see shared maps.
		var mine, theirs any
		_ = json.Unmarshal(text, &mine)
		_ = json.Unmarshal(text, &theirs)

		quads, err := ToRDF(mine, l, Safe)
		var te *TermError
		if errors.As(err, &te) && te.panicked != "" && !strings.HasPrefix(te.panicked, "github.com/piprate/json-gold/") {
			t.Fatalf("panic in %s on %s", te.panicked, text)
		}
		goldDS, goldErr := func() (ds any, e error) {
			defer func() {
				if r := recover(); r != nil {
					e = errors.New("json-gold panicked")
				}
			}()
			return gold.NewJsonLdProcessor().ToRDF(theirs, options(l))
		}()
		swallowing := strings.Contains(string(text), `"@list"`) || strings.Contains(string(text), `"@set"`)
		if hasCode(goldErr, gold.InvalidProperty) || hasCode(goldErr, gold.ProtectedTermRedefinition) {
			if err == nil || te == nil || te.Unlocated {
				t.Fatalf("json-gold refused (%v), ToRDF did not name it (%v):\n%s", goldErr, err, text)
			}
		}
		if err != nil {
			named := te != nil && !te.Unlocated && (errors.Is(err, ErrUndefinedTerm) && te.Kind == "term" || errors.Is(err, ErrProtectedTermRedefinition))
			if named && goldErr == nil && !swallowing {
				t.Fatalf("ToRDF refused (%v), json-gold's safe mode accepted:\n%s", err, text)
			}
			return
		}
		if goldErr != nil {
			t.Fatalf("ToRDF accepted, json-gold refused (%v):\n%s", goldErr, text)
		}
		nq, err := (&gold.NQuadRDFSerializer{}).Serialize(goldDS.(*gold.RDFDataset))
		if err != nil {
			t.Fatal(err)
		}
		want, err := rdfc.CanonicalizeNQuads([]byte(nq.(string)), rdfc.Options{})
		if err != nil {
			return // json-gold wrote invalid N-Quads; ToRDF's are checked below
		}
		got, err := rdfc.Canonicalize(quads, rdfc.Options{})
		if err != nil {
			t.Fatalf("Canonicalize: %v", err)
		}
		if string(got.NQuads) != string(want.NQuads) {
			t.Fatalf("datasets differ for\n%s\nToRDF:\n%s\njson-gold:\n%s", text, got.NQuads, want.NQuads)
		}
	})
}
