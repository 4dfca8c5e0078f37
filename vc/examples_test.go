package vc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Examples of the VCDM 2.0 specification (vc-data-model/examples) that
// are valid JSON but not credentials or presentations.
var examplesNotDocuments = map[int]string{
	23: "a JSON-LD context",
	33: "a JSON-LD context",
}

// Examples that Parse must refuse, with the reason and the problem kind.
var examplesRefused = map[int]struct {
	why string
	err error
}{
	1: {"a template for prototypes: it has no issuer, which section 4.7 requires", ErrIssuer},
}

// Examples that the repository's JSON Schemas refuse although the
// specification allows them (or, for 1, although they are only templates).
var examplesSchemaRefuses = map[int]string{
	1:  "the template has no issuer, which the schema requires",
	18: "the VP schema wants every verifiableCredential entry to match the VC schema; an EnvelopedVerifiableCredential has no issuer or credentialSubject",
	19: "an EnvelopedVerifiablePresentation is not a VerifiablePresentation; the VP schema requires that type",
	27: "the schema requires refreshService to have an id; VCDM 2.0 section 5.4 requires only a type",
}

type exampleIndexEntry struct {
	N         int    `json:"n"`
	File      string `json:"file"`
	Title     string `json:"title"`
	ValidJSON bool   `json:"validJSON"`
}

func readExampleIndex(t *testing.T, dir string) []exampleIndexEntry {
	t.Helper()
	var idx []exampleIndexEntry
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "examples", "examples-index.json")), &idx); err != nil {
		t.Fatal(err)
	}
	return idx
}

// kindByType tells a document's kind from its type, for choosing the
// parser in tests; 0 means neither kind.
func kindByType(t *testing.T, data []byte) Kind {
	t.Helper()
	var d struct {
		Type any `json:"type"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	types := fmt.Sprint(d.Type)
	switch {
	case strings.Contains(types, TypeEnvelopedPresentation):
		return KindEnvelopedPresentation
	case strings.Contains(types, TypeEnvelopedCredential):
		return KindEnvelopedCredential
	case strings.Contains(types, TypePresentation):
		return KindPresentation
	case strings.Contains(types, TypeCredential):
		return KindCredential
	}
	return 0
}

// localSchemas loads the repository's JSON Schemas from testdata only:
// the two schemas under their $id URLs; any other URL is an error (the
// 2020-12 metaschema is built into the library).
type localSchemas map[string]string

func (l localSchemas) Load(url string) (any, error) {
	file, ok := l[url]
	if !ok {
		return nil, fmt.Errorf("no local copy of %s (tests never use the network)", url)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

const (
	vcSchemaURL = "https://www.w3.org/2022/credentials/v2/verifiable-credential-schema.json"
	vpSchemaURL = "https://www.w3.org/2022/credentials/v2/verifiable-presentation-schema.json"
)

func compileSchemas(t *testing.T) (vcSchema, vpSchema *jsonschema.Schema) {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.UseLoader(localSchemas{
		vcSchemaURL: filepath.Join(dataModelDir, "schema", "verifiable-credential", "verifiable-credential-schema.json"),
		vpSchemaURL: filepath.Join(dataModelDir, "schema", "verifiable-presentation", "verifiable-presentation-schema.json"),
	})
	var err error
	if vcSchema, err = c.Compile(vcSchemaURL); err != nil {
		t.Fatal(err)
	}
	if vpSchema, err = c.Compile(vpSchemaURL); err != nil {
		t.Fatal(err)
	}
	return vcSchema, vpSchema
}

func validateSchema(t *testing.T, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return sch.Validate(inst)
}

func TestSpecExamplesParseAndMarshalBack(t *testing.T) {
	vcSchema, vpSchema := compileSchemas(t)
	idx := readExampleIndex(t, dataModelDir)
	if len(idx) != 40 {
		t.Fatalf("index lists %d examples, want 40", len(idx))
	}
	parsed := 0
	for _, e := range idx {
		if !e.ValidJSON {
			continue
		}
		t.Run(fmt.Sprintf("example %d %s", e.N, e.Title), func(t *testing.T) {
			data := readFile(t, filepath.Join(dataModelDir, "examples", e.File))
			kind := kindByType(t, data)
			if why, ok := examplesNotDocuments[e.N]; ok {
				if kind != 0 {
					t.Fatalf("listed as %s but has a credential or presentation type", why)
				}
				t.Skipf("not a credential or presentation: %s", why)
			}
			if kind == 0 {
				t.Fatal("neither a credential nor a presentation, and not listed as such")
			}
			v, err := parseAs(kind, data)
			if want, ok := examplesRefused[e.N]; ok {
				if !errors.Is(err, want.err) {
					t.Fatalf("Parse = %v; want %v (%s)", err, want.err, want.why)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			parsed++
			out := roundTrip(t, data, v)

			sch := vcSchema
			if kind != KindCredential {
				sch = vpSchema
			}
			for name, doc := range map[string][]byte{"input": data, "output": out} {
				err := validateSchema(t, sch, doc)
				why, refused := examplesSchemaRefuses[e.N]
				switch {
				case refused && err == nil:
					t.Errorf("%s: schema accepts it, but the test records a refusal: %s", name, why)
				case !refused && err != nil:
					t.Errorf("%s: schema refuses it: %v", name, err)
				}
			}
		})
	}
	if parsed != 22 {
		t.Errorf("parsed %d examples, want 22", parsed)
	}
	// The template is refused by Parse, but the schema verdict on it is
	// still recorded above; check it holds.
	data := readFile(t, filepath.Join(dataModelDir, "examples", idx[0].File))
	if err := validateSchema(t, vcSchema, data); err == nil {
		t.Errorf("the schema accepts example 1, but the test records a refusal: %s", examplesSchemaRefuses[1])
	}
}

func TestSchemaExamplesParseAndValidate(t *testing.T) {
	vcSchema, vpSchema := compileSchemas(t)
	for _, dir := range []struct {
		name string
		kind Kind
		sch  *jsonschema.Schema
	}{
		{"verifiable-credential", KindCredential, vcSchema},
		{"verifiable-presentation", KindPresentation, vpSchema},
	} {
		files, err := filepath.Glob(filepath.Join(dataModelDir, "schema", dir.name, "example-*.json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no examples in %s", dir.name)
		}
		for _, f := range files {
			t.Run(dir.name+"/"+filepath.Base(f), func(t *testing.T) {
				data := readFile(t, f)
				if err := validateSchema(t, dir.sch, data); err != nil {
					t.Fatalf("schema: %v", err)
				}
				v, err := parseAs(dir.kind, data)
				if err != nil {
					t.Fatal(err)
				}
				out := roundTrip(t, data, v)
				if err := validateSchema(t, dir.sch, out); err != nil {
					t.Errorf("schema on the marshalled form: %v", err)
				}
			})
		}
	}
}

func TestSchemaRefusesWhatParseRefuses(t *testing.T) {
	// A sanity check that the schema validation above can fail: a
	// credential without credentialSubject breaks both.
	vcSchema, _ := compileSchemas(t)
	data := []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:example:1"}`)
	if err := validateSchema(t, vcSchema, data); err == nil {
		t.Error("schema accepts a credential without credentialSubject")
	}
	if _, err := Parse(data); !errors.Is(err, ErrSubject) {
		t.Errorf("Parse = %v, want ErrSubject", err)
	}
}
