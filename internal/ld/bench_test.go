package ld

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	gold "github.com/piprate/json-gold/ld"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/rdfc"
	"github.com/staffpass/staffpass/internal/strictjson"
)

// manySubjects returns a credential with n subjects, generated from a fixed
// seed: each has an identifier, a type, strings, a number, a date, a nested
// object and a list of two values.
func manySubjects(n int) map[string]any {
	r := rand.New(rand.NewPCG(2026, 11))
	roles := []string{"Staff Nurse", "Healthcare Assistant", "Consultant", "Porter", "Pharmacist", "Midwife"}
	trusts := []string{"King's College Hospital", "Guy's and St Thomas'", "Barts Health", "Leeds Teaching Hospitals"}
	subjects := make([]any, n)
	for i := range subjects {
		subjects[i] = map[string]any{
			"id":          fmt.Sprintf("did:example:staff-%06d", r.IntN(1_000_000)),
			"type":        "ExampleStaffMember",
			"name":        fmt.Sprintf("Staff member %d", i),
			"role":        roles[r.IntN(len(roles))],
			"band":        float64(2 + r.IntN(8)),
			"checkedOn":   fmt.Sprintf("2025-%02d-%02dT09:00:00Z", 1+r.IntN(12), 1+r.IntN(28)),
			"employer":    map[string]any{"name": trusts[r.IntN(len(trusts))], "odsCode": fmt.Sprintf("R%02X", r.IntN(256))},
			"completedOn": []any{fmt.Sprintf("2024-%02d-01", 1+r.IntN(12)), fmt.Sprintf("2025-%02d-01", 1+r.IntN(12))},
		}
	}
	return map[string]any{
		"@context":          []any{credentialsV2, examplesV2},
		"id":                "urn:uuid:4f6a0a4e-2f3c-4f2a-9d3e-0d6c2b8a7e11",
		"type":              []any{"VerifiableCredential", "ExampleStaffListCredential"},
		"issuer":            "did:web:kch.nhs.uk",
		"validFrom":         "2025-01-01T00:00:00Z",
		"credentialSubject": subjects,
	}
}

func benchDocs(b *testing.B) map[string]map[string]any {
	signed := readJSON(b, filepath.Join(vectorDir, "vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json"))
	delete(signed, "proof")
	return map[string]map[string]any{
		"eddsa-vector":  signed,
		"proof-config":  readJSON(b, filepath.Join(vectorDir, "vc-di-eddsa/eddsa-rdfc-2022/proofConfigDataInt.json")),
		"10-subjects":   manySubjects(10),
		"200-subjects":  manySubjects(200),
		"presentation3": presentation(b, 3),
	}
}

var benchNames = []string{"eddsa-vector", "proof-config", "10-subjects", "200-subjects", "presentation3"}

// paths are the two conversions, in the bound profile that Data Integrity
// uses: ToRDF as callers get it (the fast conversion, which takes every
// benchmark document) and the json-gold path alone.
var paths = []struct {
	name string
	conv func(any, *Loader, Profile) ([]rdfc.Quad, error)
}{
	{"fast", ToRDF},
	{"slow", slowToRDF},
}

// measure records the process CPU time a benchmark takes.
type measure struct {
	cpu int64
	ok  bool
}

func startMeasure() measure {
	cpu, ok := cpuTime()
	return measure{cpu, ok}
}

// report adds the wall time per statement and, where it can be measured,
// the process CPU time per operation and per statement.
func (m measure) report(b *testing.B, statements int) {
	n := float64(b.N)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n/float64(statements), "ns/statement")
	if end, ok := cpuTime(); ok && m.ok {
		cpu := float64(end-m.cpu) / n
		b.ReportMetric(cpu, "cpu-ns/op")
		b.ReportMetric(cpu/float64(statements), "cpu-ns/statement")
	}
}

// BenchmarkToRDF measures the conversion of each document both ways, and
// reports the time per RDF statement, which must not grow with the
// document (the 200-subject credential against the 10-subject one).
func BenchmarkToRDF(b *testing.B) {
	l, err := NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	docs := benchDocs(b)
	for _, name := range benchNames {
		doc := docs[name]
		if _, ok := fastToRDF(doc, l); !ok {
			b.Fatalf("%s does not take the fast path", name)
		}
		for _, p := range paths {
			quads, err := p.conv(doc, l, Bound)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(name+"/"+p.name, func(b *testing.B) {
				b.ReportAllocs()
				m := startMeasure()
				for b.Loop() {
					if _, err := p.conv(doc, l, Bound); err != nil {
						b.Fatal(err)
					}
				}
				m.report(b, len(quads))
			})
		}
	}
}

// BenchmarkToRDFCanonicalize measures what the -rdfc- cryptosuites do
// with a document: conversion and RDFC-1.0.
func BenchmarkToRDFCanonicalize(b *testing.B) {
	l, err := NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	docs := benchDocs(b)
	for _, name := range benchNames {
		doc := docs[name]
		for _, p := range paths {
			quads, err := p.conv(doc, l, Bound)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(name+"/"+p.name, func(b *testing.B) {
				b.ReportAllocs()
				m := startMeasure()
				for b.Loop() {
					quads, err := p.conv(doc, l, Bound)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := rdfc.Canonicalize(quads, rdfc.Options{}); err != nil {
						b.Fatal(err)
					}
				}
				m.report(b, len(quads))
			})
		}
	}
}

// BenchmarkToRDFJSON measures conversion from JSON text: strict decoding
// and conversion; /decode the first alone, beside strictjson.Check and
// encoding/json, which it does the work of.
func BenchmarkToRDFJSON(b *testing.B) {
	l, err := NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"eddsa-vector", "200-subjects"} {
		data, err := json.Marshal(benchDocs(b)[name])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := ToRDFJSON(data, l, Safe); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/decode", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/strictjson-check", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if err := strictjson.Check(data, limits.MaxDocumentBytes); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/encoding-json", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var v any
				if err := json.Unmarshal(data, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJSONGoldToRDF is json-gold's own ToRDF (SafeMode, same loader)
// on the same documents, for comparison.
func BenchmarkJSONGoldToRDF(b *testing.B) {
	l, err := NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"eddsa-vector", "200-subjects"} {
		doc := benchDocs(b)[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := gold.NewJsonLdProcessor().ToRDF(doc, options(l)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
