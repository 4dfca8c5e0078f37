package ld

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
)

// credGen makes credentials, presentations and proof configurations over
// the features the fast conversion takes, with a few it declines mixed in.
// Its choices come from r, or, when r is nil, from data (the fuzzer's
// bytes; zeros once they run out).
type credGen struct {
	r    *rand.Rand
	data []byte
	i    int
	// ids counts identifiers made, so that some repeat.
	ids int
}

func (g *credGen) pick(n int) int {
	if n <= 1 {
		return 0
	}
	if g.r != nil {
		return g.r.IntN(n)
	}
	if g.i >= len(g.data) {
		return 0
	}
	b := g.data[g.i]
	g.i++
	return int(b) % n
}

func (g *credGen) oneOf(s ...string) string { return s[g.pick(len(s))] }

const (
	credentialsV1   = "https://www.w3.org/2018/credentials/v1"
	dataIntegrityV2 = "https://w3id.org/security/data-integrity/v2"
)

// numbers are the shapes of JSON number jsonld.js writes differently.
var numbers = []any{
	0.0, math.Copysign(0, -1), 1.0, -7.0, 42.0, 1.5, -0.25, 1e20, 1e21, 1e-7, 123456789012345678.0,
	9007199254740993.0, 1e300, 5e-324, 2.5e-5, 100.0, json.Number("12"), json.Number("1.50"), json.Number("-0"), json.Number("1E3"),
}

var words = []string{"Staff Nurse", "", "Ward 7", "a\"quote", "line\nbreak", "tab\t", "é accent", "日本", "x"}

func (g *credGen) number() any { return numbers[g.pick(len(numbers))] }

func (g *credGen) iri() string {
	g.ids++
	switch g.pick(6) {
	case 0:
		return fmt.Sprintf("did:example:%d", g.pick(4))
	case 1:
		return fmt.Sprintf("urn:uuid:%08x-0000-4000-8000-000000000000", g.ids)
	case 2:
		return fmt.Sprintf("https://staff.example/people/%d?x=1#frag", g.ids)
	case 3:
		return fmt.Sprintf("_:n%d", g.pick(3))
	case 4:
		return "ex:local" + fmt.Sprint(g.pick(3))
	default:
		return "https://example.org:8443/a/b"
	}
}

// scalar returns a JSON scalar of any shape.
func (g *credGen) scalar() any {
	switch g.pick(5) {
	case 0, 1:
		return words[g.pick(len(words))]
	case 2:
		return g.number()
	case 3:
		return g.pick(2) == 0
	default:
		return nil
	}
}

// value returns a value for a property defined by @vocab or a term
// without coercion.
func (g *credGen) value(depth int) any {
	switch g.pick(9) {
	case 0, 1, 2:
		return g.scalar()
	case 3:
		if depth > 0 {
			a := make([]any, g.pick(4))
			for i := range a {
				a[i] = g.value(depth - 1)
			}
			return a
		}
		return "leaf"
	case 4:
		return g.valueObject()
	case 5, 6:
		if depth > 0 {
			return g.node(depth-1, true)
		}
		return map[string]any{"id": g.iri()}
	case 7:
		return map[string]any{"id": g.iri()}
	default:
		return map[string]any{}
	}
}

func (g *credGen) valueObject() any {
	switch g.pick(8) {
	case 0:
		return map[string]any{"@value": words[g.pick(len(words))], "@language": g.oneOf("en", "en-GB", "fr-CA", "de")}
	case 1:
		return map[string]any{"@value": "2025-01-01", "@type": xsd + "date"}
	case 2:
		return map[string]any{"@value": g.number(), "@type": g.oneOf(xsd+"double", xsd+"decimal", "ex:score")}
	case 3:
		return map[string]any{"val": g.scalarNotNull(), "kind": xsd + "string"}
	case 4:
		return map[string]any{"@value": true, "@type": xsd + "boolean"}
	case 5:
		return map[string]any{"@value": g.scalarNotNull()}
	case 6:
		return map[string]any{"@value": "x", "@type": g.oneOf("StaffMember", "Team", "https://example.org/dt")}
	default:
		return map[string]any{"val": "x", "lang": "EN"}
	}
}

func (g *credGen) scalarNotNull() any {
	if v := g.scalar(); v != nil {
		return v
	}
	return "v"
}

// node returns a node object with claims; typed says it may carry types
// with scoped contexts.
func (g *credGen) node(depth int, typed bool) map[string]any {
	m := map[string]any{}
	switch g.pick(5) {
	case 0:
	case 1:
		m["ident"] = g.iri()
	case 2:
		m["@id"] = g.iri()
	default:
		m["id"] = g.iri()
	}
	staff, team := false, false
	if typed {
		switch g.pick(7) {
		case 0:
			m["type"] = "StaffMember"
			staff = true
		case 1:
			m["type"] = "Team"
			team = true
		case 2:
			m["type"] = []any{"Team", "StaffMember", "ExamplePerson"}
			staff, team = true, true
		case 3:
			m["kind"] = g.oneOf("ExamplePerson", "https://example.org/T", "_:K", "ex:Kind")
		case 4:
			m["@type"] = []any{"ExamplePerson", g.oneOf("Team", "_:K")}
		}
	}
	for range 1 + g.pick(6) {
		k, v := g.claim(depth, staff, team)
		m[k] = v
	}
	if g.pick(8) == 0 {
		m["@context"] = g.oneOf(nestedCtxURL, langCtxURL)
		m["note"] = g.scalar()
	}
	return m
}

// claim returns a member name and value.
func (g *credGen) claim(depth int, staff, team bool) (string, any) {
	switch g.pick(24) {
	case 0:
		return "steps", g.listValue(depth)
	case 1:
		return "tags", g.value(depth)
	case 2:
		return "data", g.jsonValue(depth)
	case 3:
		return "count", g.scalarNotNull()
	case 4:
		return "ratio", g.number()
	case 5:
		return "born", "1990-01-01"
	case 6:
		return g.oneOf("motto", "plain", "untyped"), words[g.pick(len(words))]
	case 7:
		return "ref", g.iri()
	case 8:
		return "level", g.oneOf("Gold", "Silver", "ex:Bronze", "_:lvl", "https://example.org/Platinum")
	case 9:
		return "employer", map[string]any{"name": "Trust", "code": g.scalar(), "id": g.iri()}
	case 10:
		if depth > 0 {
			items := make([]any, 1+g.pick(2))
			for i := range items {
				items[i] = g.node(depth-1, true)
			}
			return "evidenceGraph", items
		}
		return "evidenceGraph", map[string]any{"raw": 1.0}
	case 11:
		if staff {
			return "band", g.number()
		}
		return "ward", g.iri()
	case 12:
		if staff {
			return "ward", g.iri()
		}
		return "raw", g.value(depth)
	case 13:
		if team {
			return "lead", g.value(depth)
		}
		return "alumniOf", g.value(depth)
	case 14:
		return "https://example.org/abs#p", g.value(depth)
	case 15:
		return "ex:compact", g.value(depth)
	case 16:
		return "name", g.oneOf("Ada", "Grace")
	case 17:
		return "description", g.valueObject()
	case 18:
		return "greeting", "hello"
	default:
		return g.oneOf("raw", "role", "alumniOf", "degree", "score"), g.value(depth)
	}
}

func (g *credGen) listValue(depth int) any {
	switch g.pick(4) {
	case 0:
		return g.scalar()
	case 1:
		return []any{}
	default:
		a := make([]any, g.pick(4))
		for i := range a {
			if depth > 0 && g.pick(3) == 0 {
				a[i] = []any{g.scalar(), []any{g.scalar()}}
			} else {
				a[i] = g.value(depth)
			}
		}
		return a
	}
}

func (g *credGen) jsonValue(depth int) any {
	switch g.pick(5) {
	case 0:
		return map[string]any{"b": []any{g.number(), nil, "x"}, "a": map[string]any{"\u20ac": true, "1": g.scalar()}}
	case 1:
		return []any{g.scalar(), g.scalar()}
	case 2:
		return nil
	default:
		return g.scalar()
	}
}

// credential returns a credential with n subjects (a VCDM 2.0 one, or
// sometimes a VCDM 1.1 one), with a proof when withProof and the dice say so.
func (g *credGen) credential(n int, withProof bool) map[string]any {
	if g.pick(10) == 0 {
		return g.credentialV1(withProof)
	}
	ctx := []any{credentialsV2, examplesV2, testCtxURL}
	switch g.pick(6) {
	case 0:
		ctx = []any{credentialsV2, examplesV2}
	case 1:
		ctx = append(ctx, langCtxURL)
	}
	subjects := make([]any, n)
	for i := range subjects {
		subjects[i] = g.node(2, true)
	}
	vc := map[string]any{
		"@context":          ctx,
		"id":                g.iri(),
		"type":              []any{"VerifiableCredential", g.oneOf("ExampleStaffCredential", "AlumniCredential")},
		"issuer":            g.issuer(),
		"validFrom":         "2025-01-01T00:00:00Z",
		"credentialSubject": subjects,
	}
	if n == 1 {
		vc["credentialSubject"] = subjects[0]
	}
	if g.pick(3) == 0 {
		vc["validUntil"] = "2030-01-01T00:00:00Z"
	}
	if g.pick(2) == 0 {
		vc["name"] = g.valueObject()
	}
	if g.pick(3) == 0 {
		vc["credentialStatus"] = map[string]any{
			"id":                   "https://status.example/list/1#94567",
			"type":                 "BitstringStatusListEntry",
			"statusPurpose":        g.oneOf("revocation", "suspension"),
			"statusListIndex":      "94567",
			"statusListCredential": "https://status.example/list/1",
		}
	}
	if withProof && g.pick(2) == 0 {
		if g.pick(4) == 0 {
			vc["proof"] = []any{g.proof("assertionMethod"), g.proof("assertionMethod")}
		} else {
			vc["proof"] = g.proof("assertionMethod")
		}
	}
	return vc
}

func (g *credGen) issuer() any {
	if g.pick(2) == 0 {
		return "did:example:issuer"
	}
	return map[string]any{"id": "did:web:kch.nhs.uk", "name": "King's College Hospital"}
}

func (g *credGen) credentialV1(withProof bool) map[string]any {
	vc := map[string]any{
		"@context":     []any{credentialsV1, dataIntegrityV2},
		"id":           g.iri(),
		"type":         []any{"VerifiableCredential"},
		"issuer":       g.issuer(),
		"issuanceDate": "2025-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id":                       "did:example:subject",
			"https://schema.org/name":  "Ada",
			"https://example.org/band": g.number(),
		},
	}
	if withProof && g.pick(2) == 0 {
		vc["proof"] = g.proof("assertionMethod")
	}
	return vc
}

func (g *credGen) proof(purpose string) map[string]any {
	p := map[string]any{
		"type":               "DataIntegrityProof",
		"cryptosuite":        g.oneOf("eddsa-rdfc-2022", "ecdsa-rdfc-2019"),
		"created":            "2023-02-24T23:36:38Z",
		"verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
		"proofPurpose":       purpose,
		"proofValue":         "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme",
	}
	if g.pick(3) == 0 {
		p["id"] = "urn:uuid:" + fmt.Sprint(g.pick(100))
	}
	if purpose == "authentication" {
		p["challenge"] = "1235abcd6789"
		p["domain"] = "github.com/w3c/vc-data-model-2.0-test-suite"
	}
	if g.pick(4) == 0 {
		p["expires"] = "2030-01-01T00:00:00Z"
	}
	return p
}

// proofConfig returns a proof configuration: a proof without its value,
// with the contexts of the document it secures.
func (g *credGen) proofConfig() map[string]any {
	p := g.proof(g.oneOf("assertionMethod", "authentication"))
	delete(p, "proofValue")
	switch g.pick(3) {
	case 0:
		p["@context"] = []any{credentialsV2}
	case 1:
		p["@context"] = []any{credentialsV2, examplesV2}
	default:
		p["@context"] = []any{credentialsV1, dataIntegrityV2}
	}
	return p
}

// presentation returns a presentation of n credentials, each with its own
// contexts and a proof, and a proof of its own.
func (g *credGen) presentation(n int) map[string]any {
	vcs := make([]any, n)
	for i := range vcs {
		vcs[i] = g.credential(1+g.pick(3), true)
	}
	vp := map[string]any{
		"@context":             []any{credentialsV2},
		"type":                 "VerifiablePresentation",
		"holder":               "did:example:holder",
		"verifiableCredential": vcs,
	}
	if n == 1 && g.pick(2) == 0 {
		vp["verifiableCredential"] = vcs[0]
	}
	if g.pick(2) == 0 {
		vp["proof"] = g.proof("authentication")
	}
	if g.pick(4) == 0 {
		vp["id"] = g.iri()
	}
	return vp
}
