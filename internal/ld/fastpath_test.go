package ld

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/staffpass/staffpass/internal/rdfc"
)

// Contexts a test Loader serves besides the embedded ones: terms for every
// feature the fast conversion takes (lists, sets, @json, datatypes,
// languages, coercion, scoped contexts, graphs, prefixes) and contexts that
// make it decline.
const (
	testCtxURL     = "https://staffpass.example/ns/test/v1"
	nestedCtxURL   = "https://staffpass.example/ns/nested/v1"
	evilCtxURL     = "https://staffpass.example/ns/evil/v1"
	langCtxURL     = "https://staffpass.example/ns/lang/v1"
	dirCtxURL      = "https://staffpass.example/ns/dir/v1"
	reverseCtxURL  = "https://staffpass.example/ns/reverse/v1"
	badLangCtxURL  = "https://staffpass.example/ns/badlang/v1"
	nullTermCtxURL = "https://staffpass.example/ns/nullterm/v1"
)

var testContexts = []Context{
	{URL: testCtxURL, Document: []byte(`{"@context": {
		"@protected": true,
		"ex": "https://example.org/ns#",
		"steps": {"@id": "ex:steps", "@container": "@list"},
		"tags": {"@id": "ex:tags", "@container": "@set"},
		"data": {"@id": "ex:data", "@type": "@json"},
		"count": {"@id": "ex:count", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
		"ratio": {"@id": "ex:ratio", "@type": "http://www.w3.org/2001/XMLSchema#double"},
		"born": {"@id": "ex:born", "@type": "http://www.w3.org/2001/XMLSchema#date"},
		"motto": {"@id": "ex:motto", "@language": "en-GB"},
		"plain": {"@id": "ex:plain", "@language": null},
		"untyped": {"@id": "ex:untyped", "@type": "@none"},
		"ref": {"@id": "ex:ref", "@type": "@id"},
		"level": {"@id": "ex:level", "@type": "@vocab", "@context": {"Gold": "ex:Gold", "Silver": "ex:Silver"}},
		"employer": {"@id": "ex:employer", "@context": {"name": "ex:legalName", "code": "ex:code"}},
		"StaffMember": {"@id": "ex:StaffMember", "@context": {"band": "ex:band", "ward": {"@id": "ex:ward", "@type": "@id"}}},
		"Team": {"@id": "ex:Team", "@context": {"@propagate": true, "lead": "ex:lead"}},
		"evidenceGraph": {"@id": "ex:evidenceGraph", "@container": ["@graph", "@set"]},
		"kind": "@type",
		"ident": "@id",
		"val": "@value",
		"lang": "@language",
		"raw": "ex:raw",
		"byLang": {"@id": "ex:byLang", "@container": "@language"},
		"byIndex": {"@id": "ex:byIndex", "@container": "@index"},
		"nest": "@nest",
		"nested": {"@id": "ex:nested", "@nest": "nest"},
		"included": "@included",
		"dirText": {"@id": "ex:dirText", "@direction": "rtl"},
		"listGraph": {"@id": "ex:listGraph", "@container": "@graph"}
	}}`)},
	{URL: nestedCtxURL, Document: []byte(`{"@context": {"note": "https://example.org/nested#note", "Badge": "https://example.org/nested#Badge"}}`)},
	{URL: evilCtxURL, Document: []byte(`{"@context": {"name": "https://evil.example/name"}}`)},
	{URL: langCtxURL, Document: []byte(`{"@context": {"@language": "en-GB", "greeting": "https://example.org/lang#greeting"}}`)},
	{URL: dirCtxURL, Document: []byte(`{"@context": {"@direction": "rtl", "caption": "https://example.org/dir#caption"}}`)},
	{URL: reverseCtxURL, Document: []byte(`{"@context": {"memberOf": {"@reverse": "https://example.org/rev#member"}}}`)},
	{URL: badLangCtxURL, Document: []byte(`{"@context": {"@language": "en_GB", "greeting": "https://example.org/lang#greeting"}}`)},
	{URL: nullTermCtxURL, Document: []byte(`{"@context": {"name": null, "pfx": null}}`)},
}

func testLoader(t testing.TB) *Loader {
	t.Helper()
	l, err := NewLoader(testContexts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// outcome is what one path made of a document.
type outcome struct {
	declined bool   // the fast conversion declined
	err      error  // the slow path refused
	nquads   []byte // canonical N-Quads
	cerr     error  // canonicalization failed
}

func canonicalOutcome(quads []rdfc.Quad) outcome {
	res, err := rdfc.Canonicalize(quads, rdfc.Options{})
	if err != nil {
		return outcome{cerr: err}
	}
	return outcome{nquads: res.NQuads}
}

// fastToRDF is the fast conversion's statements as quads, or ok false
// where it declines.
func fastToRDF(doc any, l *Loader) (quads []rdfc.Quad, ok bool) {
	return fastToRDFIn(doc, l, Safe)
}

func fastToRDFIn(doc any, l *Loader, p Profile) (quads []rdfc.Quad, ok bool) {
	var d rdfc.Dataset
	if !fastToDataset(doc, l, &d, p == Bound) {
		return nil, false
	}
	return d.Quads(), true
}

// clone returns a deep copy of decoded JSON, so that neither path can see
// what the other did to its input.
func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = clone(e)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, e := range v {
			a[i] = clone(e)
		}
		return a
	}
	return v
}

// agreement runs both paths on doc, in both profiles, and reports a
// disagreement: the fast conversion accepted what the slow path refuses, or
// their canonical datasets differ. It returns whether the fast conversion
// took doc in the Safe profile.
func agreement(doc any, l *Loader) (took bool, problem error) {
	took, problem = agreementIn(doc, l, Safe)
	if problem != nil {
		return took, problem
	}
	if _, problem := agreementIn(doc, l, Bound); problem != nil {
		return took, fmt.Errorf("in the bound profile: %w", problem)
	}
	return took, nil
}

// agreementIn is agreement in profile p.
func agreementIn(doc any, l *Loader, p Profile) (took bool, problem error) {
	before := fastPanics.Load()
	quads, ok := fastToRDFIn(clone(doc), l, p)
	if n := fastPanics.Load(); n != before {
		return false, fmt.Errorf("the fast conversion panicked")
	}
	if !ok {
		return false, nil
	}
	fast := canonicalOutcome(quads)
	slowQuads, err := slowToRDF(clone(doc), l, p)
	if err != nil {
		return true, fmt.Errorf("the fast conversion accepted what the slow path refuses: %w", err)
	}
	slow := canonicalOutcome(slowQuads)
	switch {
	case (fast.cerr == nil) != (slow.cerr == nil):
		return true, fmt.Errorf("canonicalization: fast %v, slow %v", fast.cerr, slow.cerr)
	case fast.cerr != nil:
		return true, nil // both too large or complex to compare
	case !bytes.Equal(fast.nquads, slow.nquads):
		return true, fmt.Errorf("datasets differ\nfast:\n%s\nslow:\n%s", fast.nquads, slow.nquads)
	}
	return true, nil
}

// corpusFiles returns every JSON file under testdata, by path.
func corpusFiles(t testing.TB) map[string]any {
	t.Helper()
	docs := map[string]any{}
	err := filepath.WalkDir("../../testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (!strings.HasSuffix(path, ".json") && !strings.HasSuffix(path, ".jsonld")) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := decode(data)
		if err != nil {
			return nil // not strict JSON: not a document either path reads
		}
		docs[path] = doc
		if m, ok := doc.(map[string]any); ok {
			// A signed document is canonicalized without its proof,
			// and its proof with the document's contexts.
			if proof, ok := m["proof"]; ok {
				without := clone(m).(map[string]any)
				delete(without, "proof")
				docs[path+" without proof"] = without
				for i, p := range arrayOf(proof) {
					if pm, ok := p.(map[string]any); ok {
						cfg := clone(pm).(map[string]any)
						delete(cfg, "proofValue")
						cfg["@context"] = clone(m["@context"])
						docs[fmt.Sprintf("%s proof %d as a proof configuration", path, i)] = cfg
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func arrayOf(v any) []any {
	if a, ok := v.([]any); ok {
		return a
	}
	return []any{v}
}

// packageDocuments returns the documents the other tests of this package
// convert.
func packageDocuments(t testing.TB) map[string]any {
	docs := map[string]any{}
	for i, s := range fuzzSeeds {
		var doc any
		if err := json.Unmarshal([]byte(s), &doc); err != nil {
			t.Fatal(err)
		}
		docs[fmt.Sprintf("fuzz seed %d", i)] = doc
	}
	for _, tc := range safeModeRefusals() {
		docs["refusal: "+tc.name] = tc.doc
	}
	for _, tc := range safeModeAcceptances() {
		docs["acceptance: "+tc.name] = tc.doc
	}
	for _, tc := range literalCases() {
		docs["literal: "+tc.name] = literalDocument(tc.value)
	}
	docs["presentation of 3"] = presentation(t, 3)
	docs["manySubjects(20)"] = manySubjects(20)
	return docs
}

// The differential test: on every JSON document in testdata, every
// document the package's tests convert, and generated credentials,
// presentations and proof configurations, the fast conversion either
// declines or gives exactly the slow path's dataset. The typical documents
// must take the fast path.
func TestFastPathAgreesWithSlowPath(t *testing.T) {
	l := testLoader(t)
	docs := corpusFiles(t)
	for name, doc := range packageDocuments(t) {
		docs[name] = doc
	}
	r := rand.New(rand.NewPCG(7, 2026))
	for i := range 80 {
		g := &credGen{r: r}
		docs[fmt.Sprintf("generated credential %d", i)] = g.credential(1+r.IntN(12), true)
		docs[fmt.Sprintf("generated presentation %d", i)] = g.presentation(1 + r.IntN(3))
		docs[fmt.Sprintf("generated proof configuration %d", i)] = g.proofConfig()
	}
	for _, n := range []int{1, 10, 50, 200} {
		docs[fmt.Sprintf("generated credential of %d subjects", n)] = (&credGen{r: r}).credential(n, false)
	}
	for i := range 200 {
		data := make([]byte, 24)
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		docs[fmt.Sprintf("docGen %d", i)] = (&docGen{data: data}).object(3, true)
	}
	category := func(name string) string {
		switch {
		case strings.HasPrefix(name, "../../testdata/"):
			return "testdata files"
		case strings.HasPrefix(name, "generated "):
			return "generated documents"
		case strings.HasPrefix(name, "docGen "):
			return "docGen documents"
		}
		return "package test documents"
	}
	took, total := map[string]int{}, map[string]int{}
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		ok, problem := agreement(docs[name], l)
		if problem != nil {
			t.Errorf("%s: %v", name, problem)
		}
		total[category(name)]++
		if ok {
			took[category(name)]++
		}
	}
	for _, c := range []string{"testdata files", "package test documents", "generated documents", "docGen documents"} {
		t.Logf("%s: %d, %d took the fast path", c, total[c], took[c])
	}
	if n := fastPanics.Load(); n != 0 {
		t.Errorf("the fast conversion panicked %d times", n)
	}
}

// The documents verification converts all the time take the fast path:
// should it come to decline them, verification would be slow, not wrong,
// so only this test notices.
func TestTypicalDocumentsTakeTheFastPath(t *testing.T) {
	l := testLoader(t)
	signed := readJSON(t, filepath.Join(vectorDir, "vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json"))
	unsigned := clone(signed).(map[string]any)
	delete(unsigned, "proof")
	r := rand.New(rand.NewPCG(1, 2))
	// bound: the document is in the bound profile too, and must take the
	// fast path there as well. (The generator puts @context in places
	// the bound profile refuses.)
	docs := []struct {
		name  string
		doc   any
		bound bool
	}{
		{"the eddsa vector credential without its proof", unsigned, true},
		{"the eddsa vector credential with its proof", signed, true},
		{"the eddsa vector proof configuration", readJSON(t, filepath.Join(vectorDir, "vc-di-eddsa/eddsa-rdfc-2022/proofConfigDataInt.json")), true},
		{"the employment authorization credential", readJSON(t, filepath.Join(vectorDir, "vc-di-eddsa/eddsa-rdfc-2022/employ/signedDataInt.json")), true},
		{"the ecdsa P-256 credential", readJSON(t, filepath.Join(vectorDir, "vc-di-ecdsa/ecdsa-rdfc-2019-p256/signedECDSAP256.json")), true},
		{"a presentation of three credentials", presentation(t, 3), true},
		{"a credential with 200 subjects", manySubjects(200), true},
		{"a generated staff credential", (&credGen{r: r}).credential(1, false), false},
		{"a generated presentation", (&credGen{r: r}).presentation(2), false},
		{"a generated proof configuration", (&credGen{r: r}).proofConfig(), true},
	}
	for _, tt := range docs {
		t.Run(tt.name, func(t *testing.T) {
			took, problem := agreement(tt.doc, l)
			if problem != nil {
				t.Fatal(problem)
			}
			if !took {
				t.Error("declined")
			}
			if _, ok := fastToRDFIn(clone(tt.doc), l, Bound); tt.bound && !ok {
				_, err := slowToRDF(clone(tt.doc), l, Bound)
				t.Errorf("declined in the bound profile (the slow path says %v)", err)
			}
		})
	}
}

// For each feature it does not take, the fast conversion declines: the slow
// path then refuses the document or converts it (and names any problem).
func TestFastPathDeclinesWhatItDoesNotTake(t *testing.T) {
	l := testLoader(t)
	base := func(extra map[string]any, contexts ...any) map[string]any {
		ctx := append([]any{credentialsV2, examplesV2, testCtxURL}, contexts...)
		d := map[string]any{
			"@context":          ctx,
			"id":                "urn:uuid:1",
			"type":              []any{"VerifiableCredential"},
			"issuer":            "did:example:issuer",
			"credentialSubject": map[string]any{"id": "did:example:subject", "name": "A"},
		}
		for k, v := range extra {
			d[k] = v
		}
		return d
	}
	subject := func(s map[string]any, contexts ...any) map[string]any {
		return base(map[string]any{"credentialSubject": s}, contexts...)
	}
	manyNested := func() map[string]any {
		nodes := make([]any, 5000)
		for i := range nodes {
			nodes[i] = map[string]any{"@context": nestedCtxURL, "note": "x"}
		}
		return subject(map[string]any{"id": "did:example:s", "raw": nodes})
	}
	tests := []struct {
		name string
		doc  any
	}{
		{"a top-level array", []any{base(nil)}},
		{"an inline context object", base(nil, map[string]any{"grade": "https://example.org/grade"})},
		{"an inline nested context", subject(map[string]any{"@context": map[string]any{"x": "https://e.org/x"}, "x": 1})},
		{"an unserved context", base(nil, "https://example.com/evil")},
		{"no context at all, with an undefined term", map[string]any{"@id": "urn:x", "name": "y"}},
		{"@reverse", subject(map[string]any{"@reverse": map[string]any{"https://e.org/r": map[string]any{"@id": "urn:y"}}})},
		{"a reverse term", subject(map[string]any{"memberOf": map[string]any{"@id": "urn:team"}}, reverseCtxURL)},
		{"@nest", subject(map[string]any{"nest": map[string]any{"nested": "x"}})},
		{"a @nest term", subject(map[string]any{"nested": "x"})},
		{"a @language map", subject(map[string]any{"byLang": map[string]any{"en": "x"}})},
		{"an @index map", subject(map[string]any{"byIndex": map[string]any{"a": "x"}})},
		{"@included", subject(map[string]any{"included": []any{map[string]any{"@id": "urn:y", "raw": 1}}})},
		{"@graph as a member", subject(map[string]any{"@graph": []any{map[string]any{"@id": "urn:y", "raw": 1}}})},
		{"an explicit @list", subject(map[string]any{"raw": map[string]any{"@list": []any{1.0}}})},
		{"an explicit @set", subject(map[string]any{"raw": map[string]any{"@set": []any{1.0}}})},
		{"an undefined term", subject(map[string]any{"id": "did:example:s", "bogus": 1.0}, map[string]any{"@vocab": nil})},
		{"an undefined type", base(map[string]any{"type": []any{"VerifiableCredential", "Bogus"}}, nullTermCtxURL)},
		{"a term defined as null", subject(map[string]any{"name": "x"}, nullTermCtxURL)},
		{"a compact IRI whose prefix is defined as null", subject(map[string]any{"id": "pfx:x"}, nullTermCtxURL)},
		{"a relative identifier", subject(map[string]any{"id": "staff/1"})},
		{"an identifier with a space", subject(map[string]any{"id": "urn:a b"})},
		{"an identifier that looks like a keyword", subject(map[string]any{"id": "@foo"})},
		{"an identifier that is not a string", subject(map[string]any{"id": 5.0})},
		{"a relative @id-typed value", base(map[string]any{"issuer": "issuers/1"})},
		{"a type that is not a string", base(map[string]any{"type": []any{"VerifiableCredential", 5.0}})},
		{"a datatype that is undefined", subject(map[string]any{"raw": map[string]any{"@value": "1", "@type": "Nope"}}, map[string]any{"@vocab": nil})},
		{"a datatype that is a blank node", subject(map[string]any{"raw": map[string]any{"@value": "1", "@type": "_:dt"}})},
		{"a @json datatype", subject(map[string]any{"raw": map[string]any{"@value": map[string]any{"a": 1.0}, "@type": "@json"}})},
		{"a value object with @type and @language", subject(map[string]any{"raw": map[string]any{"@value": "x", "@type": xsd + "string", "@language": "en"}})},
		{"a value object with a null value", subject(map[string]any{"raw": map[string]any{"@value": nil}})},
		{"a value object with a structured value", subject(map[string]any{"raw": map[string]any{"@value": []any{1.0}}})},
		{"a value object with another member", subject(map[string]any{"raw": map[string]any{"@value": "x", "raw": "y"}})},
		{"a language-tagged number", subject(map[string]any{"raw": map[string]any{"@value": 1.0, "@language": "en"}})},
		{"a malformed language tag", subject(map[string]any{"raw": map[string]any{"@value": "x", "@language": "en_GB"}})},
		{"a malformed default language", subject(map[string]any{"greeting": "hi"}, badLangCtxURL)},
		{"a @language without @value", subject(map[string]any{"raw": map[string]any{"lang": "en", "raw": "x"}})},
		{"a base direction in a value", subject(map[string]any{"raw": map[string]any{"@value": "x", "@direction": "rtl"}})},
		{"a default base direction", subject(map[string]any{"caption": "x"}, dirCtxURL)},
		{"a term's base direction", subject(map[string]any{"dirText": "x"})},
		{"a protected term redefined by a nested context", subject(map[string]any{"@context": evilCtxURL, "name": "x"})},
		{"a literal in a @graph container", subject(map[string]any{"listGraph": "x"})},
		{"two structured @json values for one property of one node", subject(map[string]any{"raw": []any{
			map[string]any{"id": "urn:n", "data": map[string]any{"a": 1.0}},
			map[string]any{"id": "urn:n", "data": map[string]any{"b": 2.0}},
		}})},
		{"0 and -0 as xsd:double for one property of one node", subject(map[string]any{"ratio": []any{0.0, math.Copysign(0, -1)}})},
		{"a number held as an int", subject(map[string]any{"raw": 5})},
		{"a number that is not finite", subject(map[string]any{"raw": json.Number("1e999")})},
		{"two members meaning @id", subject(map[string]any{"id": "urn:a", "ident": "urn:a"})},
		{"two members meaning @type", subject(map[string]any{"type": "StaffMember", "kind": "StaffMember"})},
		{"a keyword the fast path does not take as a member", subject(map[string]any{"@index": "x", "raw": 1.0})},
		{"a blank node predicate", subject(map[string]any{"_:p": 1.0})},
		{"a member named with the empty string", subject(map[string]any{"": []any{"x", map[string]any{"raw": 1.0}}})},
		{"more context loads than allowed", manyNested()},
		{"nesting deeper than allowed", deepSubject(maxDepth + 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := fastToRDF(clone(tt.doc), l); ok {
				_, err := slowToRDF(clone(tt.doc), l, Safe)
				t.Fatalf("the fast conversion took it (the slow path says %v)", err)
			}
		})
	}
	if n := fastPanics.Load(); n != 0 {
		t.Errorf("the fast conversion panicked %d times", n)
	}
}

func deepSubject(depth int) map[string]any {
	var v any = "leaf"
	for range depth {
		v = map[string]any{"raw": v}
	}
	return map[string]any{
		"@context":          []any{credentialsV2, testCtxURL},
		"type":              "VerifiableCredential",
		"credentialSubject": v,
	}
}

// Near the features it declines, what the fast conversion takes it gets
// right: these documents take the fast path and agree with the slow one.
func TestFastPathTakesTheFeaturesItSupports(t *testing.T) {
	l := testLoader(t)
	subject := func(s map[string]any, contexts ...any) map[string]any {
		ctx := append([]any{credentialsV2, examplesV2, testCtxURL}, contexts...)
		return map[string]any{
			"@context":          ctx,
			"id":                "urn:uuid:1",
			"type":              []any{"VerifiableCredential", "ExampleStaffCredential"},
			"issuer":            map[string]any{"id": "did:example:issuer", "name": "Trust"},
			"validFrom":         "2025-01-01T00:00:00Z",
			"credentialSubject": s,
		}
	}
	tests := []struct {
		name string
		doc  any
	}{
		{"a list of mixed values with a nested list", subject(map[string]any{"steps": []any{"a", 1.0, true, map[string]any{"id": "urn:s"}, []any{2.0, []any{}}, nil}})},
		{"an empty list", subject(map[string]any{"steps": []any{}})},
		{"a one-value list", subject(map[string]any{"steps": "only"})},
		{"a set", subject(map[string]any{"tags": []any{"a", "b", "a"}})},
		{"@json values of every kind", subject(map[string]any{"data": map[string]any{"b": []any{1.5, nil, "x"}, "a": true}, "raw": map[string]any{"data": []any{3.0, 1.0}}})},
		{"a @json null", subject(map[string]any{"data": nil})},
		{"numbers of all shapes", subject(map[string]any{"raw": []any{0.0, math.Copysign(0, -1), -7.0, 1.5, 1e20, 1e21, 1e-7, 123456789012345678.0, json.Number("12"), json.Number("1.50")}})},
		{"0 and -0 as xsd:double for different properties", subject(map[string]any{"ratio": 0.0, "raw": map[string]any{"@value": math.Copysign(0, -1), "@type": xsd + "double"}})},
		{"0 and -0 as integers", subject(map[string]any{"raw": []any{0.0, math.Copysign(0, -1)}})},
		{"typed numbers", subject(map[string]any{"count": []any{5.0, 5.5, "7"}, "ratio": []any{5.0, 0.25}, "born": "1990-01-01"})},
		{"booleans", subject(map[string]any{"raw": []any{true, false}, "count": true})},
		{"language-tagged strings", subject(map[string]any{"motto": "Care", "plain": "x", "untyped": "y", "raw": map[string]any{"@value": "Colour", "@language": "en-GB"}})},
		{"a default language", subject(map[string]any{"greeting": "hello", "raw": "not tagged? yes, tagged"}, langCtxURL)},
		{"aliased value objects", subject(map[string]any{"raw": map[string]any{"val": "x", "lang": "fr"}})},
		{"typed value objects", subject(map[string]any{"raw": []any{map[string]any{"@value": "2025-01-01", "@type": xsd + "date"}, map[string]any{"@value": 5.0, "@type": xsd + "double"}, map[string]any{"@value": 5.0, "@type": "ex:score"}}})},
		{"@id and @vocab coercion", subject(map[string]any{"ref": []any{"urn:a", "_:b1", "ex:c"}, "level": "Gold"})},
		{"blank node subjects and types", subject(map[string]any{"id": "_:s", "type": "_:Kind", "ref": "_:s"})},
		{"a property-scoped context", subject(map[string]any{"employer": map[string]any{"name": "Trust", "code": "R1"}})},
		{"a type-scoped context and its revert", subject(map[string]any{"type": "StaffMember", "band": 5.0, "ward": "urn:ward:1", "raw": map[string]any{"name": "nested"}})},
		{"a propagating type-scoped context", subject(map[string]any{"type": "Team", "lead": map[string]any{"lead": "x"}})},
		{"two types with scoped contexts", subject(map[string]any{"type": []any{"Team", "StaffMember"}, "band": 1.0, "lead": "y"})},
		{"a nested served context", subject(map[string]any{"@context": nestedCtxURL, "note": "x", "type": "Badge"})},
		{"a nested list of served contexts", subject(map[string]any{"@context": []any{nestedCtxURL, langCtxURL}, "note": "x", "greeting": "hi"})},
		{"a graph container", subject(map[string]any{"evidenceGraph": []any{map[string]any{"id": "urn:e1", "raw": 1.0}, map[string]any{"raw": 2.0}}})},
		{"absolute and compact IRIs as members and types", subject(map[string]any{"https://example.org/abs": "x", "ex:compact": 1.0, "type": "https://example.org/T"})},
		{"a node reference and an empty node", subject(map[string]any{"raw": []any{map[string]any{"id": "urn:r"}, map[string]any{}}})},
		{"the same node twice", subject(map[string]any{"id": "urn:same", "raw": []any{map[string]any{"id": "urn:same", "raw": "x"}, map[string]any{"id": "urn:same", "raw": "x"}}})},
		{"structured @json values of two kinds for one property of one node", subject(map[string]any{"raw": []any{
			map[string]any{"id": "urn:n", "data": map[string]any{"a": 1.0}},
			map[string]any{"id": "urn:n", "data": []any{2.0}},
		}})},
		{"nulls", subject(map[string]any{"raw": nil, "steps": nil, "tags": []any{nil}})},
		{"no context, absolute IRIs only", map[string]any{"@id": "urn:x", "@type": "https://e.org/T", "https://e.org/p": []any{"y", map[string]any{"@id": "urn:z"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			took, problem := agreement(tt.doc, l)
			if problem != nil {
				t.Fatal(problem)
			}
			if !took {
				_, err := slowToRDF(clone(tt.doc), l, Safe)
				t.Fatalf("declined (the slow path says %v)", err)
			}
		})
	}
}

// FuzzFastPathAgreesWithSlowPath holds the fast conversion to the slow
// path. The first byte chooses how the rest makes a document: choices for
// the credential generator (credentials, presentations and proof
// configurations over the features the fast conversion takes), choices for
// docGen (the wider feature space of the safe-mode fuzz target), or JSON
// text, seeded with every JSON file in testdata, for the fuzzer to mutate.
// The fast conversion must decline, or give the slow path's dataset.
func FuzzFastPathAgreesWithSlowPath(f *testing.F) {
	for _, doc := range corpusFiles(f) {
		text, err := json.Marshal(doc)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(append([]byte{2}, text...))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 64 {
		seed := make([]byte, 1+r.IntN(200))
		for i := range seed {
			seed[i] = byte(r.Uint32())
		}
		seed[0] = byte(r.IntN(2))
		f.Add(seed)
	}
	l := testLoader(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		var doc any
		switch data[0] % 3 {
		case 0:
			g := &credGen{data: data[1:]}
			switch g.pick(3) {
			case 0:
				doc = g.credential(1+g.pick(4), true)
			case 1:
				doc = g.presentation(1 + g.pick(2))
			default:
				doc = g.proofConfig()
			}
		case 1:
			doc = (&docGen{data: data[1:]}).object(3, true)
		default:
			var err error
			if doc, err = decode(data[1:]); err != nil {
				return
			}
		}
		if _, problem := agreement(doc, l); problem != nil {
			text, _ := json.Marshal(doc)
			t.Fatalf("%v\ndocument: %s", problem, text)
		}
	})
}

// One Loader's contexts are made and shared by concurrent conversions (run
// with -race); each gets the dataset the slow path gives alone.
func TestFastPathIsSafeForConcurrentUse(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	docs := make([]any, 24)
	want := make([][]byte, len(docs))
	ref := testLoader(t)
	for i := range docs {
		g := &credGen{r: r}
		switch i % 3 {
		case 0:
			docs[i] = g.credential(1+i%4, true)
		case 1:
			docs[i] = g.presentation(2)
		default:
			docs[i] = g.proofConfig()
		}
		quads, err := slowToRDF(clone(docs[i]), ref, Safe)
		if err == nil {
			want[i] = canonicalOutcome(quads).nquads
		}
	}
	shared := testLoader(t)
	var wg sync.WaitGroup
	errs := make(chan error, len(docs))
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range docs {
				i := (k + 4*g) % len(docs)
				quads, ok := fastToRDF(clone(docs[i]), shared)
				if !ok {
					continue
				}
				if got := canonicalOutcome(quads).nquads; want[i] == nil || !bytes.Equal(got, want[i]) {
					errs <- fmt.Errorf("document %d: the concurrent fast conversion differs from the slow path", i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A Loader keeps at most maxFastContexts contexts for the fast conversion.
// Past that, documents that need new ones take the slow path, and convert
// all the same.
func TestFastPathGivesWayWhenTheLoaderIsFull(t *testing.T) {
	extra := make([]Context, maxFastContexts+20)
	for i := range extra {
		extra[i] = Context{
			URL:      fmt.Sprintf("https://staffpass.example/ns/many/%d", i),
			Document: []byte(fmt.Sprintf(`{"@context": {"note%d": "https://example.org/many#note"}}`, i)),
		}
	}
	l, err := NewLoader(extra...)
	if err != nil {
		t.Fatal(err)
	}
	declined := 0
	for i, c := range extra {
		doc := map[string]any{"@context": c.URL, "@id": "urn:x", fmt.Sprintf("note%d", i): "y"}
		took, problem := agreement(doc, l)
		if problem != nil {
			t.Fatal(problem)
		}
		if !took {
			declined++
			quads, err := ToRDF(doc, l, Safe)
			if err != nil || len(quads) != 1 {
				t.Fatalf("document %d: %d quads, %v", i, len(quads), err)
			}
		}
	}
	if declined == 0 || declined > 30 {
		t.Errorf("%d documents declined, want the few past the cap", declined)
	}
	if n := l.fast.count.Load(); n > maxFastContexts {
		t.Errorf("the Loader keeps %d contexts, more than %d", n, maxFastContexts)
	}
}

// The fast conversion keeps processed contexts under a key made from the
// URLs; a list of URLs and one string holding them all do not share it.
func TestFastPathDoesNotConfuseContextLists(t *testing.T) {
	l := testLoader(t)
	served := map[string]any{"@context": []any{credentialsV2, examplesV2}, "id": "urn:x", "type": "VerifiableCredential"}
	if _, ok := fastToRDF(served, l); !ok {
		t.Fatal("declined the served list")
	}
	for _, ctx := range []any{
		[]any{credentialsV2 + "\n" + examplesV2},
		credentialsV2 + "\n" + examplesV2 + "\n",
		"l" + credentialsV2,
	} {
		doc := map[string]any{"@context": ctx, "id": "urn:x", "type": "VerifiableCredential"}
		if _, ok := fastToRDF(doc, l); ok {
			t.Errorf("took @context %q", ctx)
		}
		if _, err := ToRDF(doc, l, Safe); !errors.Is(err, ErrContextNotAllowed) {
			t.Errorf("@context %q: err = %v, want ErrContextNotAllowed", ctx, err)
		}
	}
}
