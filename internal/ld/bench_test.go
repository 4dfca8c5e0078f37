package ld

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	gold "github.com/piprate/json-gold/ld"
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
		"eddsa-vector": signed,
		"200-subjects": manySubjects(200),
	}
}

// BenchmarkToRDF measures the whole conversion: safe-mode walk, json-gold
// expansion and node map, and quad writing.
func BenchmarkToRDF(b *testing.B) {
	l, err := NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"eddsa-vector", "200-subjects"} {
		doc := benchDocs(b)[name]
		if _, err := ToRDF(doc, l); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ToRDF(doc, l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJSONGoldToRDF is json-gold's own ToRDF (SafeMode, same loader)
// on the same documents, for comparison: what the safe-mode walk and the
// stricter conversion cost on top.
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
