package rdfc

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/piprate/json-gold/ld"
)

// credentialDataset builds, with a fixed seed, the N-Quads of a
// credential-like dataset with the given number of blank node subjects:
// one credential whose subjects each hold an identity, a DBS check and two
// training records. Checks and training records are blank nodes that often
// look alike (same course, same level), so their first degree hashes are
// shared and Hash N-Degree Quads runs, as it does for real bulk credentials.
// Quads come in random order with random blank node labels.
func credentialDataset(subjects int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const (
		rdfType = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
		cred    = "<https://www.w3.org/2018/credentials#"
		schema  = "<https://schema.org/"
		staff   = "<https://staffpass.nhs.example/vocab#"
		xsdDate = "^^<http://www.w3.org/2001/XMLSchema#dateTime>"
	)
	given := []string{"Amara", "Ben", "Chloé", "Dev", "Eilidh", "Femi", "Grace", "Hamza", "Ioana", "Jack"}
	family := []string{"Okafor", "Smith", "Jones", "Patel", "Nowak", "Evans", "O'Brien", "Khan", "Murphy", "Li"}
	courses := []string{"Basic Life Support", "Fire Safety", "Information Governance", "Safeguarding Adults L2", "Manual Handling"}
	roles := []string{"Staff Nurse", "Healthcare Assistant", "Registrar", "Physiotherapist"}

	labels := rng.Perm(1 + 3*subjects)
	label := func(i int) string { return "_:n" + strconv.Itoa(labels[i]) }
	date := func() string {
		return fmt.Sprintf("\"202%d-%02d-%02dT00:00:00Z\"%s", rng.IntN(6), 1+rng.IntN(12), 1+rng.IntN(28), xsdDate)
	}
	var lines []string
	add := func(s, p, o string) { lines = append(lines, s+" "+p+" "+o+" .\n") }

	c := label(0)
	add(c, rdfType, cred+"VerifiableCredential>")
	add(c, rdfType, staff+"StaffPassportCredential>")
	add(c, cred+"issuer>", "<did:web:kch.nhs.example>")
	add(c, cred+"validFrom>", date())
	for i := range subjects {
		s, check, train := label(1+3*i), label(2+3*i), label(3+3*i)
		add(c, cred+"credentialSubject>", s)
		add(s, rdfType, schema+"Person>")
		add(s, schema+"givenName>", strconv.Quote(given[rng.IntN(len(given))]))
		add(s, schema+"familyName>", strconv.Quote(family[rng.IntN(len(family))]))
		add(s, staff+"employeeNumber>", fmt.Sprintf("\"E%06d\"", i))
		add(s, schema+"jobTitle>", strconv.Quote(roles[rng.IntN(len(roles))])+"@en-GB")
		add(s, staff+"dbsCheck>", check)
		add(check, rdfType, staff+"DBSCheck>")
		add(check, staff+"level>", `"Enhanced"`)
		add(check, staff+"result>", `"Clear"`)
		add(s, staff+"training>", train)
		add(train, rdfType, staff+"TrainingRecord>")
		add(train, schema+"name>", strconv.Quote(courses[rng.IntN(len(courses))]))
		add(train, staff+"completed>", fmt.Sprintf("\"202%d-01-01T00:00:00Z\"%s", rng.IntN(3), xsdDate))
	}
	rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	var doc []byte
	for _, l := range lines {
		doc = append(doc, l...)
	}
	return doc
}

type benchInput struct {
	name string
	doc  []byte
}

func benchInputs(b *testing.B) []benchInput {
	var in []benchInput
	for _, d := range []struct{ name, path string }{
		{"eddsa-rdfc-2022", "vc-di-eddsa/eddsa-rdfc-2022/canonDocDataInt.txt"},
		{"eddsa-rdfc-2022-employ", "vc-di-eddsa/eddsa-rdfc-2022/employ/canonDocDataInt.txt"},
		{"ecdsa-rdfc-2019-p256", "vc-di-ecdsa/ecdsa-rdfc-2019-p256/canonDocECDSAP256.txt"},
	} {
		doc, err := os.ReadFile(filepath.Join(diDir, d.path))
		if err != nil {
			b.Fatal(err)
		}
		in = append(in, benchInput{d.name, doc})
	}
	return append(in, benchInput{"200-subjects", credentialDataset(200, 1)})
}

// BenchmarkCanonicalize measures N-Quads text to canonical N-Quads, the
// same work as BenchmarkJSONGoldURDNA2015.
func BenchmarkCanonicalize(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.doc)))
			for b.Loop() {
				if _, err := CanonicalizeNQuads(in.doc, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCanonicalizeQuads measures parsed quads to canonical N-Quads,
// the Data Integrity path (JSON-LD gives quads, not text).
func BenchmarkCanonicalizeQuads(b *testing.B) {
	for _, in := range benchInputs(b) {
		quads, err := ParseNQuads(in.doc)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Canonicalize(quads, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJSONGoldURDNA2015 measures json-gold v0.9.1 doing the same:
// ld.ParseNQuads, then its URDNA2015 normaliser to N-Quads text. The
// dataset is parsed in the loop because normalising modifies it.
func BenchmarkJSONGoldURDNA2015(b *testing.B) {
	opts := ld.NewJsonLdOptions("")
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	api := ld.NewJsonLdApi()
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.doc)))
			for b.Loop() {
				ds, err := ld.ParseNQuads(string(in.doc))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := api.Normalize(ds, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
