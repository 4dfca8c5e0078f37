package verifier_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/rdfc"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/status"
	"github.com/staffpass/staffpass/verifier"
)

// The oracle of FuzzJudgedValuesAreSigned: what the verifier judged of a
// credential whose proof it accepted (issuer, subjects, validity period,
// status entries), read from the JSON, must equal what the signed dataset
// says, read from its RDF.

const (
	rdfType   = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
	statusNS  = "https://www.w3.org/ns/credentials/status#"
	typeVC    = credNS + "VerifiableCredential"
	typeEntry = statusNS + "BitstringStatusListEntry"
)

// judged is what a verifier judges of a credential, in a form both
// readings give.
type judged struct {
	issuer     string
	subjects   []string // ids; "" for a subject without one
	validFrom  string   // RFC 3339, UTC; "" when absent
	validUntil string
	entries    []string // each status entry: type, purpose, index, list, size
}

func (j judged) String() string {
	return fmt.Sprintf("issuer %q, subjects %q, valid from %q until %q, status %q", j.issuer, j.subjects, j.validFrom, j.validUntil, j.entries)
}

func (j judged) equal(k judged) bool {
	return j.issuer == k.issuer && slices.Equal(j.subjects, k.subjects) && j.validFrom == k.validFrom &&
		j.validUntil == k.validUntil && slices.Equal(j.entries, k.entries)
}

func stampOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// judgedFromJSON is what the verifier read: the Result and the status
// entries of its credential.
func judgedFromJSON(r *verifier.Result) (judged, error) {
	c := r.Credential
	j := judged{issuer: c.Issuer.ID, validFrom: stampOf(r.ValidFrom), validUntil: stampOf(r.ValidUntil)}
	for _, s := range c.CredentialSubject.Items {
		j.subjects = append(j.subjects, s.ID)
	}
	for _, obj := range c.CredentialStatus.Items {
		e, err := status.ParseEntry(obj)
		if err != nil {
			return j, err
		}
		j.entries = append(j.entries, fmt.Sprintf("%s %s %d %s %d", typeEntry, e.Purpose, e.Index, e.ListCredential, e.Size))
	}
	slices.Sort(j.subjects)
	slices.Sort(j.entries)
	return j, nil
}

// graph is the default graph of a dataset, by subject.
type graph map[rdfc.Term][]rdfc.Quad

func (g graph) objects(s rdfc.Term, p string) []rdfc.Term {
	var out []rdfc.Term
	for _, q := range g[s] {
		if q.Predicate.Value == p {
			out = append(out, q.Object)
		}
	}
	return out
}

func (g graph) one(s rdfc.Term, p string) (rdfc.Term, error) {
	o := g.objects(s, p)
	if len(o) > 1 {
		return rdfc.Term{}, fmt.Errorf("%d values of %s", len(o), p)
	}
	if len(o) == 0 {
		return rdfc.Term{}, nil
	}
	return o[0], nil
}

// judgedFromRDF reads the same values from the dataset of the signed
// document (its proof left out), as JSON-LD safe mode converts it.
func judgedFromRDF(signed []byte, l *ld.Loader, credentialID string) (judged, error) {
	var m map[string]any
	if err := json.Unmarshal(signed, &m); err != nil {
		return judged{}, err
	}
	delete(m, "proof")
	quads, err := ld.ToRDF(m, l, ld.Safe)
	if err != nil {
		return judged{}, err
	}
	g := graph{}
	objects := map[rdfc.Term]bool{}
	for _, q := range quads {
		if q.Graph.Kind != rdfc.DefaultGraph {
			continue
		}
		g[q.Subject] = append(g[q.Subject], q)
		objects[q.Object] = true
	}
	// The credential: the node typed VerifiableCredential with its id,
	// or the only one nothing points at.
	var cred []rdfc.Term
	for s, qs := range g {
		for _, q := range qs {
			if q.Predicate.Value == rdfType && q.Object.Value == typeVC && (credentialID != "" && s.Value == credentialID || credentialID == "" && !objects[s]) {
				cred = append(cred, s)
			}
		}
	}
	if len(cred) != 1 {
		return judged{}, fmt.Errorf("%d credential nodes", len(cred))
	}
	c := cred[0]
	var j judged
	iss, err := g.one(c, credNS+"issuer")
	if err != nil {
		return j, err
	}
	j.issuer = iss.Value
	for _, s := range g.objects(c, credNS+"credentialSubject") {
		if s.Kind == rdfc.IRI {
			j.subjects = append(j.subjects, s.Value)
		} else {
			j.subjects = append(j.subjects, "")
		}
	}
	// The validity period: the latest start and earliest end stated, in
	// either version's terms.
	var from, until time.Time
	for _, f := range []struct {
		p     string
		start bool
	}{{credNS + "validFrom", true}, {credNS + "validUntil", false}, {credNS + "issuanceDate", true}, {credNS + "expirationDate", false}} {
		lit, err := g.one(c, f.p)
		if err != nil {
			return j, err
		}
		if lit.Value == "" {
			continue
		}
		d, err := vc.ParseDateTime(lit.Value)
		if err != nil {
			return j, err
		}
		switch t := d.Time(); {
		case f.start && t.After(from):
			from = t
		case !f.start && (until.IsZero() || t.Before(until)):
			until = t
		}
	}
	j.validFrom, j.validUntil = stampOf(from), stampOf(until)
	for _, e := range g.objects(c, credNS+"credentialStatus") {
		var typ []string
		for _, t := range g.objects(e, rdfType) {
			typ = append(typ, t.Value)
		}
		field := func(p string) string {
			o, _ := g.one(e, statusNS+p)
			return o.Value
		}
		size := field("statusSize")
		if size == "" {
			size = "1"
		}
		idx := strings.TrimLeft(field("statusListIndex"), "0")
		if idx == "" {
			idx = "0"
		}
		j.entries = append(j.entries, fmt.Sprintf("%s %s %s %s %s", strings.Join(typ, ","), field("statusPurpose"), idx, field("statusListCredential"), size))
	}
	slices.Sort(j.subjects)
	slices.Sort(j.entries)
	return j, nil
}

// mutator rewrites a decoded document as fuzz bytes choose: the JSON-LD
// rewrites that keep a dataset (or change it a little), and others.
type mutator struct {
	data []byte
	i    int
}

func (m *mutator) pick(n int) int {
	if m.i >= len(m.data) || n <= 0 {
		return 0
	}
	b := m.data[m.i]
	m.i++
	return int(b) % n
}

// IRIs of the terms a verifier reads, for rewrites that name a member by
// the IRI it stands for.
var termIRIs = map[string]string{
	"credentialStatus": credNS + "credentialStatus", "validUntil": credNS + "validUntil",
	"validFrom": credNS + "validFrom", "issuer": credNS + "issuer", "credentialSubject": credNS + "credentialSubject",
	"statusPurpose": statusNS + "statusPurpose", "statusListIndex": statusNS + "statusListIndex",
	"statusListCredential": statusNS + "statusListCredential", "statusSize": statusNS + "statusSize",
	"id": "@id", "type": "@type", "name": "https://schema.org/name",
}

// objectsOf lists the objects of a decoded document, the document first.
func objectsOf(v any, out *[]map[string]any) {
	switch v := v.(type) {
	case map[string]any:
		*out = append(*out, v)
		for _, k := range sortedKeys(v) {
			if k != "@context" && k != "proof" {
				objectsOf(v[k], out)
			}
		}
	case []any:
		for _, e := range v {
			objectsOf(e, out)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (m *mutator) apply(doc map[string]any) {
	for range 1 + m.pick(4) {
		var objs []map[string]any
		objectsOf(doc, &objs)
		o := objs[m.pick(len(objs))]
		keys := sortedKeys(o)
		if len(keys) == 0 {
			continue
		}
		k := keys[m.pick(len(keys))]
		if k == "@context" || k == "proof" {
			continue
		}
		v := o[k]
		switch m.pick(14) {
		case 0: // the member under the IRI it stands for
			if iri, ok := termIRIs[k]; ok {
				delete(o, k)
				o[iri] = v
			}
		case 1: // under @nest
			delete(o, k)
			nest, _ := o["@nest"].(map[string]any)
			if nest == nil {
				nest = map[string]any{}
			}
			nest[k] = v
			o["@nest"] = nest
		case 2: // in an array, or out of one
			if a, ok := v.([]any); ok && len(a) == 1 {
				o[k] = a[0]
			} else {
				o[k] = []any{v}
			}
		case 3: // a value object
			if s, ok := v.(string); ok {
				vo := map[string]any{"@value": s}
				if m.pick(2) == 0 {
					vo["@type"] = "http://www.w3.org/2001/XMLSchema#dateTime"
				}
				o[k] = vo
			}
		case 4: // an inline alias
			if iri, ok := termIRIs[k]; ok {
				alias := "x" + k
				def := any(iri)
				if k == "credentialStatus" || k == "issuer" || k == "credentialSubject" {
					def = map[string]any{"@id": iri, "@type": "@id"}
				}
				ctx, _ := doc["@context"].([]any)
				doc["@context"] = append(ctx, map[string]any{alias: def})
				delete(o, k)
				o[alias] = v
			}
		case 5: // the node split in two
			if id, ok := o["id"].(string); ok && len(o) > 2 {
				delete(o, k)
				doc["@included"] = append(asList(doc["@included"]), map[string]any{"id": id, k: v})
			}
		case 6: // a value written twice
			if a, ok := v.([]any); ok && len(a) > 0 {
				o[k] = append(a, a[m.pick(len(a))])
			} else {
				o[k] = []any{v, v}
			}
		case 7: // a null beside it
			o["description"] = nil
		case 8: // the whole document in @graph
			inner := map[string]any{}
			for _, key := range sortedKeys(doc) {
				if key != "@context" && key != "proof" {
					inner[key] = doc[key]
					delete(doc, key)
				}
			}
			doc["@graph"] = []any{inner}
			return
		case 9: // a number as a string, a string as a number
			switch x := v.(type) {
			case float64:
				o[k] = fmt.Sprint(x)
			case string:
				var f float64
				if _, err := fmt.Sscan(x, &f); err == nil {
					o[k] = f
				}
			}
		case 10: // a served context added
			ctx, _ := doc["@context"].([]any)
			doc["@context"] = append(ctx, "https://www.w3.org/ns/credentials/examples/v2")
		case 11: // the member dropped
			delete(o, k)
		case 12: // the data model's version swapped, its members kept by inline terms
			ctx, _ := doc["@context"].([]any)
			if len(ctx) == 0 {
				continue
			}
			dt := "http://www.w3.org/2001/XMLSchema#dateTime"
			terms := map[string]any{}
			for _, n := range []string{"issuanceDate", "expirationDate", "validFrom", "validUntil"} {
				terms[n] = map[string]any{"@id": credNS + n, "@type": dt}
			}
			first := "https://www.w3.org/ns/credentials/v2"
			if ctx[0] == first {
				first = "https://www.w3.org/2018/credentials/v1"
			}
			out := []any{first}
			for _, c := range ctx[1:] {
				if c != "https://www.w3.org/ns/credentials/v2" && c != "https://www.w3.org/2018/credentials/v1" {
					out = append(out, c)
				}
			}
			doc["@context"] = append(out, terms)
		case 13: // a member renamed by an inline term for its IRI
			if iri, ok := termIRIs[k]; ok && !strings.HasPrefix(iri, "@") {
				ctx, _ := doc["@context"].([]any)
				doc["@context"] = append(ctx, map[string]any{"n" + k: iri})
				delete(o, k)
				o["n"+k] = v
			}
		}
	}
}

func asList(v any) []any {
	if v == nil {
		return nil
	}
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// judgedBases are the documents FuzzJudgedValuesAreSigned starts from: a
// credential with status entries and a validity period, and the staff
// credentials of testdata, all issued by kch.
func judgedBases(t testing.TB, f *fixture) [][]byte {
	t.Helper()
	var out [][]byte
	out = append(out, credentialJSON(f.kch.did, func(c map[string]any) {
		c["credentialStatus"] = []any{
			map[string]any{"id": "https://kch.nhs.uk/status/1#5", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "5", "statusListCredential": "https://kch.nhs.uk/status/1"},
			map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "suspension", "statusListIndex": "007", "statusListCredential": "https://kch.nhs.uk/status/2"},
		}
	}))
	out = append(out, []byte(`{"@context":["https://www.w3.org/2018/credentials/v1","https://w3id.org/security/data-integrity/v2","https://www.w3.org/ns/credentials/status/v1"],
		"id":"urn:uuid:7d9c3e1a-5b2f-4e8d-9a61-3c0f2b7e4d15","type":["VerifiableCredential"],"issuer":"`+f.kch.did+`",
		"issuanceDate":"2026-01-01T00:00:00Z","expirationDate":"2027-01-01T00:00:00Z",
		"credentialSubject":{"id":"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"},
		"credentialStatus":{"id":"https://kch.nhs.uk/status/1#9","type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"9","statusListCredential":"https://kch.nhs.uk/status/1"}}`))
	files, err := filepath.Glob("../testdata/staff/valid/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("staff examples: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		m["issuer"] = f.kch.did
		data, _ = json.Marshal(m)
		out = append(out, data)
	}
	return out
}

// FuzzJudgedValuesAreSigned holds the verifier to the rule "judge what was
// signed" for eddsa-rdfc-2022: for any credential whose proof it accepts,
// the issuer, subjects, validity period and status entries it judged
// equal those the signed dataset says. In mode 0 the document is rewritten
// by the fuzzer and then signed (anything the issuing side signs and the
// verifier accepts); in mode 1 an issued credential is rewritten after
// signing, as a holder would, and must be refused or read as signed.
func FuzzJudgedValuesAreSigned(f *testing.F) {
	fx := newFixture(f)
	v := fx.verifier(f)
	l, err := ld.NewLoader()
	if err != nil {
		f.Fatal(err)
	}
	bases := judgedBases(f, fx)
	for i := range bases {
		for _, ops := range [][]byte{{0}, {1, 0, 0, 0, 0}, {2, 0, 1, 0, 5}, {3, 1, 2, 3, 4, 5, 6}, {0, 9, 9, 9, 0}, {0, 0, 0, 12}, {1, 0, 0, 13}} {
			f.Add(byte(0), byte(i), ops)
			f.Add(byte(1), byte(i), ops)
		}
	}
	f.Fuzz(func(t *testing.T, mode, base byte, ops []byte) {
		var doc map[string]any
		if err := json.Unmarshal(bases[int(base)%len(bases)], &doc); err != nil {
			t.Fatal(err)
		}
		mut := &mutator{data: ops}
		var input, signed []byte
		if mode%2 == 0 {
			mut.apply(doc)
			data, _ := json.Marshal(doc)
			out, err := issuer.Issue(data, fx.kch.signer, issuer.Options{Format: issuer.FormatEdDSARDFC2022, Created: now.Add(-time.Hour)})
			if err != nil {
				return // the issuing side refuses it
			}
			input, signed = out, out
		} else {
			data, _ := json.Marshal(doc)
			out, err := issuer.Issue(data, fx.kch.signer, issuer.Options{Format: issuer.FormatEdDSARDFC2022, Created: now.Add(-time.Hour)})
			if err != nil {
				t.Fatalf("a base credential: %v", err)
			}
			var m map[string]any
			json.Unmarshal(out, &m)
			proof := m["proof"]
			mut.apply(m)
			m["proof"] = proof
			input, _ = json.Marshal(m)
			signed = out
		}
		r, err := v.Verify(context.Background(), input, verifier.Policy{})
		if r == nil {
			t.Fatal("nil Result")
		}
		if c := r.Check(verifier.CheckProof); c == nil || c.Status != verifier.Passed {
			return
		}
		if _, err := r.Credential.ValidityBounds(); err != nil {
			if mode%2 == 0 {
				t.Fatalf("the issuing side signed a validity period the verifier cannot read: %v\n%s", err, input)
			}
			if c := r.Check(verifier.CheckValidityPeriod); c == nil || c.Status != verifier.Failed {
				t.Fatalf("a validity period that cannot be read (%v) did not fail the check: %+v\n%s", err, c, input)
			}
			return
		}
		fromJSON, err := judgedFromJSON(r)
		if err != nil {
			return // the status check refuses a malformed entry
		}
		fromRDF, err := judgedFromRDF(signed, l, r.ID)
		if err != nil {
			t.Fatalf("the proof verified, but the signed dataset does not read as one credential: %v\n%s", err, input)
		}
		if !fromJSON.equal(fromRDF) {
			t.Fatalf("the verifier judged values the proof does not sign:\njudged: %v\nsigned: %v\ninput:  %s", fromJSON, fromRDF, input)
		}
	})
}
