package ld

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/rdfc"
)

// credential returns a minimal VCDM 2.0 credential naming contexts.
func credential(contexts ...any) map[string]any {
	return map[string]any{
		"@context":          contexts,
		"type":              []any{"VerifiableCredential"},
		"issuer":            "did:example:issuer",
		"credentialSubject": map[string]any{"id": "did:example:subject"},
	}
}

const credentialsV2 = "https://www.w3.org/ns/credentials/v2"

// The loader serves only the exact URLs it holds; every other URL, however
// close to a served one, is refused with an error that names it, and
// nothing is fetched.
func TestLoaderRefusesURLsItDoesNotServe(t *testing.T) {
	tests := []struct {
		name string
		url  string
	}{
		{"an unknown host", "https://example.com/evil"},
		{"the http form of credentials/v2", "http://www.w3.org/ns/credentials/v2"},
		{"credentials/v2 with a trailing slash", "https://www.w3.org/ns/credentials/v2/"},
		{"credentials/v2 with a fragment", "https://www.w3.org/ns/credentials/v2#x"},
		{"credentials/v2 in upper case", "https://WWW.W3.ORG/ns/credentials/v2"},
		{"a staffpass context that does not exist", "https://w3id.org/staffpass/v2"},
		{"a file path", "/etc/passwd"},
		{"a relative reference", "v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			_, err := ToRDF(credential(credentialsV2, tt.url), nil, Safe)
			if !errors.Is(err, ErrContextNotAllowed) {
				t.Fatalf("err = %v, want ErrContextNotAllowed", err)
			}
			var ce *ContextError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %T, want *ContextError", err)
			}
			if ce.URL != tt.url {
				t.Errorf("URL = %q, want %q", ce.URL, tt.url)
			}
			if ce.Pointer != "/@context/1" {
				t.Errorf("Pointer = %q, want /@context/1", ce.Pointer)
			}
			if !strings.Contains(err.Error(), tt.url) {
				t.Errorf("message %q does not name the URL", err)
			}
		})
	}
}

func TestLoaderServesAContextRegisteredAtConstruction(t *testing.T) {
	const url = "https://contexts.example/staff/v1"
	l, err := NewLoader(Context{URL: url, Document: []byte(`{"@context": {
		"@protected": true,
		"DBSCheckCredential": "https://w3id.org/staffpass#DBSCheckCredential",
		"dbsLevel": "https://w3id.org/staffpass#dbsLevel"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	doc := credential(credentialsV2, url)
	doc["type"] = []any{"VerifiableCredential", "DBSCheckCredential"}
	if _, err := NewLoader(Context{URL: "https://w3id.org/staffpass/v1", Document: []byte(`{"@context": {}}`)}); err == nil {
		t.Error("a context registered under the URL of an embedded one")
	}
	doc["credentialSubject"] = map[string]any{"id": "did:example:subject", "dbsLevel": "enhanced"}
	quads, err := ToRDF(doc, l, Safe)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, q := range quads {
		if q.Predicate.Value == "https://w3id.org/staffpass#dbsLevel" && q.Object.Value == "enhanced" {
			found = true
		}
	}
	if !found {
		t.Error("the registered term did not reach the RDF")
	}
	// The default loader does not know it.
	if _, err := ToRDF(doc, nil, Safe); !errors.Is(err, ErrContextNotAllowed) {
		t.Errorf("default loader: err = %v, want ErrContextNotAllowed", err)
	}
}

func TestNewLoaderRefusesBadExtraContexts(t *testing.T) {
	good := []byte(`{"@context": {"x": "https://example.org/x"}}`)
	tests := []struct {
		name  string
		extra []Context
		want  error
	}{
		{"an http URL", []Context{{URL: "http://w3id.org/staffpass/v1", Document: good}}, ErrInvalidContext},
		{"a URL with a fragment", []Context{{URL: "https://w3id.org/staffpass/v1#a", Document: good}}, ErrInvalidContext},
		{"a URL with a space", []Context{{URL: "https://w3id.org/staff pass/v1", Document: good}}, ErrInvalidContext},
		{"a URL already embedded", []Context{{URL: credentialsV2, Document: good}}, ErrInvalidContext},
		{"the same URL twice", []Context{{URL: "https://a.example/c", Document: good}, {URL: "https://a.example/c", Document: good}}, ErrInvalidContext},
		{"a document that is not JSON", []Context{{URL: "https://a.example/c", Document: []byte(`{"@context":`)}}, nil},
		{"a document with a duplicate member", []Context{{URL: "https://a.example/c", Document: []byte(`{"@context": {}, "@context": {}}`)}}, nil},
		{"a document without @context", []Context{{URL: "https://a.example/c", Document: []byte(`{"x": 1}`)}}, ErrInvalidContext},
		{"a document that is an array", []Context{{URL: "https://a.example/c", Document: []byte(`[{"@context": {}}]`)}}, ErrInvalidContext},
		{"a context that includes itself", []Context{{URL: "https://a.example/c", Document: []byte(`{"@context": ["https://a.example/c"]}`)}}, ErrInvalidContext},
		{"two contexts that include each other", []Context{
			{URL: "https://a.example/c", Document: []byte(`{"@context": {"t": {"@id": "https://a.example/t", "@context": "https://a.example/d"}}}`)},
			{URL: "https://a.example/d", Document: []byte(`{"@context": {"@import": "https://a.example/c"}}`)},
		}, ErrInvalidContext},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			l, err := NewLoader(tt.extra...)
			if err == nil {
				t.Fatalf("NewLoader succeeded (%v)", l)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// json-gold merges an @import-ing context into the imported document's
// @context object. The loader hands out copies, so a document cannot change
// what the next document reads.
func TestImportDoesNotChangeTheServedContexts(t *testing.T) {
	poison := credential(map[string]any{
		"@import": credentialsV2,
		"poison":  "https://evil.example/poison",
	})
	poison["credentialSubject"] = map[string]any{"id": "did:example:subject", "poison": "x"}
	if _, err := ToRDF(poison, nil, Safe); err != nil && !errors.Is(err, ErrProtectedTermRedefinition) {
		t.Logf("the importing document itself: %v", err)
	}
	victim := credential(credentialsV2)
	victim["credentialSubject"] = map[string]any{"id": "did:example:subject", "poison": "x"}
	if _, err := ToRDF(victim, nil, Safe); !errors.Is(err, ErrUndefinedTerm) {
		t.Fatalf("after an @import, credentials/v2 defines the importer's term: err = %v", err)
	}
}

// A document that names a context in every node makes json-gold process it
// again each time; the loads are capped.
func TestContextLoadsPerDocumentAreCapped(t *testing.T) {
	const tiny = "https://a.example/tiny"
	l, err := NewLoader(Context{URL: tiny, Document: []byte(`{"@context": {"note": "https://a.example/note"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	nodes := make([]any, 0, 5000)
	for i := range 5000 {
		nodes = append(nodes, map[string]any{
			"@context": tiny,
			"@id":      fmt.Sprintf("urn:example:%d", i),
			"note":     "x",
		})
	}
	doc := map[string]any{"@context": tiny, "@id": "urn:example:top", "note": "y", "@included": nodes}
	_, err = ToRDF(doc, l, Safe)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
	// Below the cap the same shape is fine.
	doc["@included"] = nodes[:100]
	if _, err := ToRDF(doc, l, Safe); err != nil {
		t.Fatal(err)
	}
}

// One Loader serves many goroutines (run with -race): they fill and share
// its processed contexts while converting different documents, and each
// gets the dataset a fresh Loader gives.
func TestLoaderIsSafeForConcurrentUse(t *testing.T) {
	docs := []func() any{
		func() any { return readJSON(t, vectorDir+"/vc-di-eddsa/eddsa-rdfc-2022/employ/signedDataInt.json") },
		func() any { return readJSON(t, vectorDir+"/vc-di-ecdsa/ecdsa-rdfc-2019-p256/signedECDSAP256.json") },
		func() any { return manySubjects(20) },
		func() any { return presentation(t, 3) },
	}
	want := make([]string, len(docs))
	for i, d := range docs {
		quads, err := ToRDF(d(), defaultLoaderOrFail(t), Safe)
		if err != nil {
			t.Fatal(err)
		}
		c, err := rdfc.Canonicalize(quads, rdfc.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = string(c.NQuads)
	}
	shared := defaultLoaderOrFail(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 4 {
				i := (g + r) % len(docs)
				got, err := ToRDF(docs[i](), shared, Safe)
				if err != nil {
					errs <- err
					return
				}
				c, err := rdfc.Canonicalize(got, rdfc.Options{})
				if err != nil || string(c.NQuads) != want[i] {
					errs <- fmt.Errorf("document %d: concurrent conversion differs (%v)", i, err)
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

// presentation returns a presentation of n copies of the employment
// authorization credential, each with its own contexts and proof.
func presentation(t testing.TB, n int) map[string]any {
	vcs := make([]any, n)
	for i := range vcs {
		vcs[i] = readJSON(t, vectorDir+"/vc-di-eddsa/eddsa-rdfc-2022/employ/signedDataInt.json")
	}
	return map[string]any{
		"@context":             []any{credentialsV2},
		"type":                 "VerifiablePresentation",
		"holder":               "did:example:holder",
		"verifiableCredential": vcs,
	}
}

// Real documents stay far below the context work budget.
func TestContextWorkOfRealDocumentsIsSmall(t *testing.T) {
	docs := map[string]any{
		"the eddsa credential":              readJSON(t, vectorDir+"/vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json"),
		"the employment credential":         readJSON(t, vectorDir+"/vc-di-eddsa/eddsa-rdfc-2022/employ/signedDataInt.json"),
		"a credential with 200 subjects":    manySubjects(200),
		"a presentation of 100 credentials": presentation(t, limits.MaxPresentationCredentials),
	}
	for name, doc := range docs {
		w, err := walk(doc, defaultLoaderOrFail(t), true, Safe)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		work := w.work
		t.Logf("%s: %d units", name, work)
		if work > limits.MaxContextWork/4 {
			t.Errorf("%s: %d units, over a quarter of the budget", name, work)
		}
	}
	if _, err := ToRDF(presentation(t, 10), nil, Safe); err != nil {
		t.Errorf("a presentation of 10 credentials: %v", err)
	}
}

func defaultLoaderOrFail(t testing.TB) *Loader {
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// A large property-scoped context applied at many nodes: json-gold would
// process it again at each one (twice), for minutes; the walk refuses the
// document before json-gold starts.
func TestContextWorkIsCapped(t *testing.T) {
	scoped := map[string]any{}
	for i := range 3000 {
		scoped[fmt.Sprintf("t%d", i)] = fmt.Sprintf("https://e.org/t%d", i)
	}
	ctx := map[string]any{"p": map[string]any{"@id": "https://e.org/p", "@context": scoped}}
	var node any = map[string]any{"t1": "leaf"}
	nodes := make([]any, 2000)
	for i := range nodes {
		nodes[i] = map[string]any{"@id": fmt.Sprintf("urn:n:%d", i), "p": node}
	}
	doc := map[string]any{"@context": ctx, "@id": "urn:top", "@included": nodes}
	_, err := ToRDF(doc, nil, Safe)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
}
