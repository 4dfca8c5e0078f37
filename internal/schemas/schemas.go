// Package schemas holds staffpass's JSON Schemas (2020-12) and compiles
// sets of schemas that never fetch anything: the embedded ones, which
// package vc/staff validates staff credentials and roles with, and any a
// verifier is given besides. It is internal so that the verifier can check
// a credential against the schema it names without importing vc/staff.
package schemas

import (
	"bytes"
	"crypto/sha512"
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// BaseURL is the prefix of the $id of every staffpass JSON Schema: a
// schema's id is BaseURL and its file name.
const BaseURL = "https://w3id.org/staffpass/schemas/v1/"

//go:embed files/*.json
var files embed.FS

// Document is a JSON Schema document with the id it is known by.
type Document struct {
	ID       string
	Document []byte
}

// Embedded returns staffpass's own schemas, in file name order.
func Embedded() []Document {
	names, err := fs.Glob(files, "files/*.json")
	if err != nil {
		panic(err) // a constant pattern
	}
	sort.Strings(names)
	out := make([]Document, 0, len(names))
	for _, n := range names {
		doc, err := files.ReadFile(n)
		if err != nil {
			panic(err) // embedded
		}
		out = append(out, Document{ID: BaseURL + path.Base(n), Document: doc})
	}
	return out
}

// Schema is one compiled schema.
type Schema struct {
	// ID is the id it was compiled under (a credentialSchema's id).
	ID string
	// DigestSRI is the Subresource Integrity digest (sha384) of Document.
	DigestSRI string
	// Document is the schema, byte for byte.
	Document []byte
	// Compiled validates instances decoded with jsonschema.UnmarshalJSON.
	Compiled *jsonschema.Schema
}

// Set is a set of compiled schemas, by id.
type Set struct {
	byID map[string]*Schema
}

// Compile compiles docs as one set: each is registered under its id and a
// $ref may name any of them, but nothing else (no schema is ever
// fetched). Formats are asserted. It fails on a document that is not a
// JSON Schema, on an id given twice, and on a $ref outside the set.
func Compile(docs []Document) (*Set, error) {
	c := jsonschema.NewCompiler()
	c.UseLoader(closedLoader{})
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	set := &Set{byID: make(map[string]*Schema, len(docs))}
	for _, d := range docs {
		if _, dup := set.byID[d.ID]; dup {
			return nil, fmt.Errorf("schemas: %s given twice", d.ID)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(d.Document))
		if err != nil {
			return nil, fmt.Errorf("schemas: %s: %w", d.ID, err)
		}
		if err := c.AddResource(d.ID, v); err != nil {
			return nil, fmt.Errorf("schemas: %s: %w", d.ID, err)
		}
		set.byID[d.ID] = &Schema{ID: d.ID, DigestSRI: SRI(d.Document), Document: bytes.Clone(d.Document)}
	}
	for id, s := range set.byID {
		compiled, err := c.Compile(id)
		if err != nil {
			return nil, fmt.Errorf("schemas: %s: %w", id, err)
		}
		s.Compiled = compiled
	}
	return set, nil
}

// Get returns the schema with id, or nil.
func (s *Set) Get(id string) *Schema {
	if s == nil {
		return nil
	}
	return s.byID[id]
}

// Default is the set of the embedded schemas, compiled once.
var Default = sync.OnceValues(func() (*Set, error) { return Compile(Embedded()) })

// SRI returns the Subresource Integrity digest of data, SHA-384.
func SRI(data []byte) string {
	sum := sha512.Sum384(data)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}

// closedLoader refuses to load any schema: every schema a set knows is
// registered before compiling.
type closedLoader struct{}

func (closedLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schemas: %q is not one this set holds, and schemas are never fetched", url)
}
