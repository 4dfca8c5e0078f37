package schemas

import (
	"bytes"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestEmbeddedSchemasCompile(t *testing.T) {
	set, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	docs := Embedded()
	if len(docs) < 9 {
		t.Fatalf("%d embedded schemas", len(docs))
	}
	for _, d := range docs {
		s := set.Get(d.ID)
		if s == nil || s.Compiled == nil || s.DigestSRI != SRI(d.Document) || !bytes.Equal(s.Document, d.Document) {
			t.Errorf("%s: %+v", d.ID, s)
		}
	}
	if set.Get(BaseURL+"nothing.json") != nil {
		t.Error("a schema that is not there")
	}
}

func TestCompileFetchesNothing(t *testing.T) {
	ref := Document{ID: "https://example.org/a.json", Document: []byte(`{"$ref": "https://example.org/elsewhere.json"}`)}
	if _, err := Compile([]Document{ref}); err == nil || !strings.Contains(err.Error(), "never fetched") {
		t.Fatalf("a $ref outside the set: %v", err)
	}
	one := Document{ID: "https://example.org/a.json", Document: []byte(`{"type": "object", "required": ["id"]}`)}
	if _, err := Compile([]Document{one, one}); err == nil {
		t.Fatal("an id given twice")
	}
	if _, err := Compile([]Document{{ID: "https://example.org/b.json", Document: []byte(`{"type": `)}}); err == nil {
		t.Fatal("a schema that is not JSON")
	}
	set, err := Compile([]Document{one})
	if err != nil {
		t.Fatal(err)
	}
	for doc, ok := range map[string]bool{`{"id": "x"}`: true, `{"name": "x"}`: false} {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err := set.Get(one.ID).Compiled.Validate(v); (err == nil) != ok {
			t.Errorf("%s: %v", doc, err)
		}
	}
}
