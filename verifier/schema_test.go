package verifier_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/verifier"
)

// dbsCredential is staffpass's DBS check example, issued by kch, after
// edit has changed its JSON text.
func dbsCredential(t *testing.T, f *fixture, edit func(string) string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "staff", "valid", "dbs-check.json"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), `"did:web:riverside-trust.example"`, `"`+f.kch.did+`"`, 1)
	if edit != nil {
		text = edit(text)
	}
	return issue(t, f.kch, []byte(text), issuer.FormatEdDSARDFC2022)
}

const dbsSchema = "https://w3id.org/staffpass/schemas/v1/dbs-check.json"

// A credential is checked against the JSON Schema its credentialSchema
// names, and the check fails closed.
func TestTheSchemaCheck(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	r, err := v.Verify(context.Background(), dbsCredential(t, f, nil), verifier.Policy{})
	if err != nil {
		t.Fatalf("the example: %v", err)
	}
	if c := r.Check(verifier.CheckSchema); c.Status != verifier.Passed || !strings.Contains(c.Reason, dbsSchema) {
		t.Fatalf("schema check %+v", c)
	}
	custom := []byte(`{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "required": ["credentialSubject"],
		"properties": {"credentialSubject": {"type": "object", "required": ["dbsLevel"], "properties": {"dbsLevel": {"const": "basic"}}}}}`)
	tests := []struct {
		name   string
		edit   func(string) string
		trust  []verifier.Schema
		reason string
	}{
		{"a value the schema does not allow", func(s string) string {
			return strings.Replace(s, `"dbsLevel": "enhanced-with-barred-lists"`, `"dbsLevel": "ultra"`, 1)
		}, nil, "/credentialSubject/dbsLevel"},
		{"a schema the verifier does not hold", func(s string) string {
			return strings.Replace(s, dbsSchema, "https://schemas.example/dbs.json", 1)
		}, nil, "not one this verifier holds"},
		{"another digest than the verifier's copy", func(s string) string {
			return strings.Replace(s, `"digestSRI": "sha384-`, `"digestSRI": "sha384-A`, 1)
		}, nil, "a digest that is not of the copy this verifier holds"},
		{"a kind of schema the verifier cannot check", func(s string) string {
			return strings.Replace(s, `"type": "JsonSchema"`, `"type": "JsonSchemaCredential"`, 1)
		}, nil, "cannot check"},
		{"a schema given in the Trust, not met", func(s string) string {
			s = strings.Replace(s, dbsSchema, "https://schemas.example/basic-only.json", 1)
			return strings.Replace(s, `"digestSRI"`, `"name"`, 1)
		}, []verifier.Schema{{ID: "https://schemas.example/basic-only.json", Document: custom}}, "/credentialSubject/dbsLevel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred := dbsCredential(t, f, tt.edit)
			v, err := verifier.New(verifier.Trust{Issuers: []string{f.kch.did}, Resolver: f.resolver, Schemas: tt.trust},
				verifier.WithClock(func() time.Time { return now }))
			if err != nil {
				t.Fatal(err)
			}
			r, err := v.Verify(context.Background(), cred, verifier.Policy{})
			c := r.Check(verifier.CheckSchema)
			if !errors.Is(err, verifier.ErrSchema) || c.Status != verifier.Failed || !strings.Contains(c.Reason, tt.reason) {
				t.Fatalf("err %v, schema check %+v; want a failure saying %q", err, c, tt.reason)
			}
		})
	}
	// A bundle that pins the schema to another digest.
	b := &bundle.Bundle{Publisher: "did:example:publisher", Created: now.Add(-time.Hour), ValidUntil: now.Add(time.Hour),
		Issuers: []bundle.Issuer{{ID: f.kch.did, Types: []string{"DBSCheckCredential"}, Document: func() *did.Document { d := *f.kch.doc; return &d }()}},
		Schemas: []bundle.Digest{{ID: dbsSchema, DigestSRI: "sha384-AAAA"}}}
	v, err = verifier.New(verifier.Trust{Bundles: []*bundle.Bundle{b}})
	if err != nil {
		t.Fatal(err)
	}
	r, err = v.Verify(context.Background(), dbsCredential(t, f, nil), verifier.Policy{Now: now})
	if c := r.Check(verifier.CheckSchema); !errors.Is(err, verifier.ErrSchema) || !strings.Contains(c.Reason, "pins the schema") {
		t.Fatalf("a bundle pinning another digest: %v, %+v", err, c)
	}
	// A policy that does not accept that bundle takes nothing from it, not
	// even the issuer's keys.
	if _, err := v.Verify(context.Background(), dbsCredential(t, f, nil), verifier.Policy{Now: now, Publishers: []string{"did:example:other"}}); !errors.Is(err, verifier.ErrIssuerKey) {
		t.Fatalf("the bundle not accepted: %v", err)
	}
}
