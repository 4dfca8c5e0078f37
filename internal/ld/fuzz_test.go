package ld

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gold "github.com/piprate/json-gold/ld"

	"github.com/staffpass/staffpass/internal/rdfc"
)

// fuzzSeeds are documents that reach the less common parts of expansion.
var fuzzSeeds = []string{
	`{"@context": {"l": {"@id": "https://e.org/l", "@container": "@list"}}, "@id": "urn:x", "l": [1, "a", {"@id": "urn:y"}, [2]]}`,
	`{"@context": {"j": {"@id": "https://e.org/j", "@type": "@json"}}, "@id": "urn:x", "j": {"b": [1.5, null], "a": "s"}}`,
	`{"@context": {"n": "@nest", "p": {"@id": "https://e.org/p", "@nest": "n"}}, "@id": "urn:x", "n": {"p": 1}}`,
	`{"@context": {"r": {"@reverse": "https://e.org/r"}}, "@id": "urn:x", "r": {"@id": "urn:y"}}`,
	`{"@context": {"m": {"@id": "https://e.org/m", "@container": "@index"}}, "@id": "urn:x", "m": {"a": {"@id": "urn:y"}, "b": "v"}}`,
	`{"@context": {"m": {"@id": "https://e.org/m", "@container": "@id"}}, "@id": "urn:x", "m": {"urn:y": {"@type": "https://e.org/T"}}}`,
	`{"@context": {"@vocab": "https://e.org/", "m": {"@container": "@type"}}, "@id": "urn:x", "m": {"T": {"@id": "urn:y"}}}`,
	`{"@context": {"m": {"@id": "https://e.org/m", "@container": "@language"}}, "@id": "urn:x", "m": {"en": "a", "fr": ["b"], "@none": "c"}}`,
	`{"@context": {"g": {"@id": "https://e.org/g", "@container": "@graph"}}, "@id": "urn:x", "g": {"@id": "urn:y", "https://e.org/p": 1}}`,
	`{"@context": {"@version": 1.1, "T": {"@id": "https://e.org/T", "@context": {"p": "https://e.org/p"}}}, "@type": "T", "p": {"p": 1}}`,
	`{"@context": {"p": {"@id": "https://e.org/p", "@context": {"q": "https://e.org/q"}}}, "p": {"q": {"q": 1}}}`,
	`{"@context": ["https://www.w3.org/ns/credentials/v2", {"@vocab": null}], "type": "VerifiableCredential", "@included": [{"id": "urn:y", "name": "n"}]}`,
	`{"@context": {"@import": "https://www.w3.org/ns/credentials/v2", "x": "https://e.org/x"}, "x": 1}`,
	`{"@context": {"@base": "https://e.org/", "p": {"@id": "https://e.org/p", "@type": "@id"}}, "@id": "a", "p": "../b"}`,
	`{"@context": {"@language": "en", "@direction": "ltr", "p": "https://e.org/p"}, "p": "x"}`,
	`[{"@id": "urn:x", "https://e.org/p": [{"@value": "1", "@type": "https://e.org/t"}, {"@set": [true]}]}]`,
}

// FuzzToRDF feeds arbitrary bytes to ToRDFJSON. It must never panic or
// hang. A panic inside json-gold is turned into an error (and logged here);
// a panic anywhere else is a bug. Whatever is accepted must be RDF that
// canonical N-Quads can write and RDFC-1.0 can canonicalize.
func FuzzToRDF(f *testing.F) {
	var files []string
	for _, pattern := range []string{
		filepath.Join(suiteDir, "*.json"),
		filepath.Join(vectorDir, "*", "*", "*.json"),
		filepath.Join(vectorDir, "*", "*", "employ", "*.json"),
	} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 50 {
		f.Fatalf("only %d seed files", len(files))
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	l, err := NewLoader(Context{URL: "https://e.org/ctx", Document: []byte(`{"@context": {"@protected": true, "p": {"@id": "https://e.org/p", "@type": "@id"}, "T": {"@id": "https://e.org/T", "@context": {"q": "https://e.org/q"}}}}`)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		quads, err := ToRDFJSON(data, l, Safe)
		var te *TermError
		if errors.As(err, &te) && te.panicked != "" {
			if !strings.HasPrefix(te.panicked, "github.com/piprate/json-gold/") {
				t.Fatalf("panic in %s: %v", te.panicked, err)
			}
			t.Logf("json-gold panicked in %s", te.panicked)
		}
		if err != nil {
			checkAgainstJSONGold(t, data, l, err)
			return
		}
		for _, q := range quads {
			if _, err := rdfc.AppendQuad(nil, q); err != nil {
				t.Fatalf("accepted a quad N-Quads cannot write: %+v: %v", q, err)
			}
		}
		if _, err := rdfc.Canonicalize(quads, rdfc.Options{}); err != nil && !errors.Is(err, rdfc.ErrTooComplex) && !errors.Is(err, rdfc.ErrTooLarge) {
			t.Fatalf("accepted quads RDFC-1.0 refuses: %v", err)
		}
	})
}

// checkAgainstJSONGold holds the safe-mode walk to json-gold: an undefined
// term or protected redefinition the walk reports must also stop json-gold
// (unless it sits where json-gold swallows errors, inside @list or @set),
// and one json-gold reports must have been found, and named, by the walk.
func checkAgainstJSONGold(t *testing.T, data []byte, l *Loader, err error) {
	var te *TermError
	if !errors.As(err, &te) || te.panicked != "" {
		return
	}
	named := !te.Unlocated && (errors.Is(err, ErrUndefinedTerm) && te.Kind == "term" || errors.Is(err, ErrProtectedTermRedefinition))
	unnamed := te.Unlocated && (errors.Is(err, ErrUndefinedTerm) || errors.Is(err, ErrProtectedTermRedefinition))
	if unnamed {
		t.Fatalf("json-gold found what the walk missed: %v", err)
	}
	if !named {
		return
	}
	if te.Kind == "term" && te.Term == "" {
		// A member named "": json-gold drops it silently, even where
		// @vocab would make an IRI of it, so its safe mode lets it
		// through; the walk refuses it on purpose (no proof could
		// cover its value).
		return
	}
	doc, derr := decode(data)
	if derr != nil {
		return
	}
	goldErr := func() (e error) {
		defer func() {
			if r := recover(); r != nil {
				e = errors.New("panic")
			}
		}()
		_, e = gold.NewJsonLdProcessor().Expand(doc, options(l))
		return e
	}()
	if goldErr == nil && !strings.Contains(string(data), "@list") && !strings.Contains(string(data), "@set") {
		t.Fatalf("the walk refused what json-gold's safe mode accepts: %v", err)
	}
}
