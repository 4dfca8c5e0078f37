package ld

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/rdfc"
)

const cred = "https://www.w3.org/2018/credentials#"

// boundBase is a credential in the bound profile: the shape every rewrite
// below starts from. Its status entry and subject have ids, so that rewrites
// can move their statements.
const boundBase = `{
  "@context": ["https://www.w3.org/ns/credentials/v2"],
  "id": "urn:uuid:0b7e2d1c-4a8e-4c39-9d1e-7f2a2b6c9e01",
  "type": ["VerifiableCredential"],
  "issuer": "did:web:kch.nhs.uk",
  "validFrom": "2026-01-01T00:00:00Z",
  "validUntil": "2027-01-01T00:00:00Z",
  "name": "Identity check",
  "credentialSubject": {
    "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "name": "Sam Example"
  },
  "credentialStatus": {
    "id": "https://kch.nhs.uk/status/1#5",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "5",
    "statusListCredential": "https://kch.nhs.uk/status/1",
    "statusSize": 1
  }
}`

func boundDoc(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(boundBase), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func canonicalNQuads(t testing.TB, quads []rdfc.Quad) []byte {
	t.Helper()
	res, err := rdfc.Canonicalize(quads, rdfc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.NQuads
}

// boundRewrite is a rewrite of boundBase. sameRDF says JSON-LD reads the
// rewritten document as the same dataset (so a proof over the original
// would verify it); the bound profile must refuse it all the same, with
// want, naming term or pointer.
type boundRewrite struct {
	name    string
	rewrite func(m map[string]any)
	sameRDF bool
	want    error
	term    string // the TermError's Term, if not ""
	pointer string // the TermError's Pointer, if not ""
}

func appendContext(m map[string]any, c any) {
	m["@context"] = append(m["@context"].([]any), c)
}

func boundRewrites() []boundRewrite {
	status := func(m map[string]any) map[string]any { return m["credentialStatus"].(map[string]any) }
	subject := func(m map[string]any) map[string]any { return m["credentialSubject"].(map[string]any) }
	move := func(m map[string]any, from, to string) {
		m[to] = m[from]
		delete(m, from)
	}
	return []boundRewrite{
		{
			name:    "a member named by the absolute IRI it stands for",
			rewrite: func(m map[string]any) { move(m, "credentialStatus", cred+"credentialStatus") },
			sameRDF: true, want: ErrNotBound, term: cred + "credentialStatus",
		},
		{
			name:    "validUntil named by its absolute IRI",
			rewrite: func(m map[string]any) { move(m, "validUntil", cred+"validUntil") },
			sameRDF: false, // the IRI is not coerced to xsd:dateTime
			want:    ErrNotBound, term: cred + "validUntil",
		},
		{
			name: "an inline alias of a term",
			rewrite: func(m map[string]any) {
				appendContext(m, map[string]any{"cs": map[string]any{"@id": cred + "credentialStatus", "@type": "@id"}})
				move(m, "credentialStatus", "cs")
			},
			sameRDF: true, want: ErrNotBound, term: "cs", pointer: "/cs",
		},
		{
			name: "an inline alias of @id",
			rewrite: func(m map[string]any) {
				appendContext(m, map[string]any{"sid": "@id"})
				move(subject(m), "id", "sid")
			},
			sameRDF: true, want: ErrNotBound, term: "sid", pointer: "/@context/1/sid",
		},
		{
			name: "an inline alias of @type",
			rewrite: func(m map[string]any) {
				appendContext(m, map[string]any{"kind": "@type"})
				move(status(m), "type", "kind")
			},
			want: ErrNotBound, term: "kind", pointer: "/@context/1/kind",
		},
		{
			name: "an inline alias of @value",
			rewrite: func(m map[string]any) {
				appendContext(m, map[string]any{"val": "@value"})
				subject(m)["name"] = map[string]any{"val": "Sam Example"}
			},
			sameRDF: true, want: ErrNotBound, term: "val", pointer: "/@context/1/val",
		},
		{
			name:    "the keyword @id as a member name",
			rewrite: func(m map[string]any) { move(subject(m), "id", "@id") },
			sameRDF: true, want: ErrNotBound, term: "@id", pointer: "/credentialSubject/@id",
		},
		{
			name:    "the keyword @type as a member name",
			rewrite: func(m map[string]any) { move(status(m), "type", "@type") },
			want:    ErrNotBound, term: "@type", pointer: "/credentialStatus/@type",
		},
		{
			name: "members moved under @nest",
			rewrite: func(m map[string]any) {
				m["@nest"] = map[string]any{"credentialStatus": m["credentialStatus"], "validUntil": m["validUntil"]}
				delete(m, "credentialStatus")
				delete(m, "validUntil")
			},
			sameRDF: true, want: ErrNotBound, term: "@nest", pointer: "/@nest",
		},
		{
			name: "a status entry moved to @included",
			rewrite: func(m map[string]any) {
				m["@included"] = []any{m["credentialStatus"]}
				m["credentialStatus"] = status(m)["id"]
			},
			sameRDF: true, want: ErrNotBound, term: "@included",
		},
		{
			name: "the credential inside a top-level @graph",
			rewrite: func(m map[string]any) {
				ctx := m["@context"]
				delete(m, "@context")
				for k := range m {
					if k != "@context" {
						continue
					}
				}
				inner := make(map[string]any, len(m))
				for k, v := range m {
					inner[k] = v
					delete(m, k)
				}
				m["@context"], m["@graph"] = ctx, []any{inner}
			},
			sameRDF: true, want: ErrNotBound, term: "@graph", pointer: "/@graph",
		},
		{
			name: "the status link written in reverse",
			rewrite: func(m map[string]any) {
				entry := status(m)
				delete(m, "credentialStatus")
				entry["@reverse"] = map[string]any{cred + "credentialStatus": map[string]any{"id": m["id"]}}
				m["@included"] = []any{entry}
			},
			sameRDF: true, want: ErrNotBound,
		},
		{
			name: "an inline @vocab",
			rewrite: func(m map[string]any) {
				appendContext(m, map[string]any{"@vocab": cred})
			},
			sameRDF: true, want: ErrNotBound, pointer: "/@context/1/@vocab",
		},
		{
			name:    "an inline context that redefines a protected term",
			rewrite: func(m map[string]any) { appendContext(m, map[string]any{"name": "https://evil.example/name"}) },
			want:    ErrProtectedTermRedefinition,
		},
		{
			name: "an inline context that adds a term for an IRI a served context names",
			rewrite: func(m map[string]any) {
				appendContext(m, map[string]any{"until": map[string]any{"@id": cred + "validUntil", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}})
				move(m, "validUntil", "until")
			},
			sameRDF: true, want: ErrNotBound, term: "until", pointer: "/until",
		},
		{
			name:    "a @context inside the document",
			rewrite: func(m map[string]any) { subject(m)["@context"] = []any{examplesV2} },
			sameRDF: true, want: ErrNotBound, pointer: "/credentialSubject/@context",
		},
		{
			name: "a value object in place of a date",
			rewrite: func(m map[string]any) {
				m["validUntil"] = map[string]any{"@value": m["validUntil"], "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
			},
			sameRDF: true, want: ErrNotBound, pointer: "/validUntil",
		},
		{
			name:    "a value object in place of a string",
			rewrite: func(m map[string]any) { status(m)["statusListIndex"] = map[string]any{"@value": "5"} },
			sameRDF: true, want: ErrNotBound, pointer: "/credentialStatus/statusListIndex",
		},
		{
			name:    "a string where the coercion's values are numbers",
			rewrite: func(m map[string]any) { status(m)["statusSize"] = "1" },
			sameRDF: true, want: ErrNotBound, pointer: "/credentialStatus/statusSize",
		},
		{
			name:    "a number where the coercion's values are strings",
			rewrite: func(m map[string]any) { m["validFrom"] = 2026.0 },
			want:    ErrNotBound, pointer: "/validFrom",
		},
		{
			name:    "a blank node label for the subject",
			rewrite: func(m map[string]any) { subject(m)["id"] = "_:alice" },
			want:    ErrNotBound, term: "_:alice", pointer: "/credentialSubject/id",
		},
		{
			name:    "a blank node label as a type",
			rewrite: func(m map[string]any) { m["type"] = []any{"VerifiableCredential", "_:t"} },
			want:    ErrNotBound, term: "_:t", pointer: "/type/1",
		},
		{
			name: "a type named by its absolute IRI",
			rewrite: func(m map[string]any) {
				status(m)["type"] = "https://www.w3.org/ns/credentials/status#BitstringStatusListEntry"
			},
			want: ErrUndefinedTerm, // the entry's scoped context no longer applies
		},
		{
			name: "the subject's statements split between two objects",
			rewrite: func(m map[string]any) {
				s := subject(m)
				m["credentialSubject"] = []any{map[string]any{"id": s["id"]}, s}
			},
			sameRDF: true, want: ErrNotBound, pointer: "/credentialSubject/1/id",
		},
		{
			name: "the subject described again where it is referenced",
			rewrite: func(m map[string]any) {
				m["relatedResource"] = []any{map[string]any{"id": subject(m)["id"], "name": "Sam"}}
			},
			want: ErrNotBound, pointer: "/relatedResource/0/id",
		},
		{
			name:    "a type written twice",
			rewrite: func(m map[string]any) { m["type"] = []any{"VerifiableCredential", "VerifiableCredential"} },
			sameRDF: true, want: ErrNotBound, pointer: "/type/1",
		},
		{
			name:    "a value written twice",
			rewrite: func(m map[string]any) { subject(m)["name"] = []any{"Sam Example", "Sam Example"} },
			sameRDF: true, want: ErrNotBound, pointer: "/credentialSubject/name/1",
		},
		{
			name:    "a reference written twice",
			rewrite: func(m map[string]any) { m["issuer"] = []any{m["issuer"], map[string]any{"id": m["issuer"]}} },
			sameRDF: true, want: ErrNotBound, pointer: "/issuer/1",
		},
		{
			name:    "a null where there was nothing",
			rewrite: func(m map[string]any) { m["description"] = nil },
			sameRDF: true, want: ErrNotBound, pointer: "/description",
		},
		{
			name:    "a null beside a value",
			rewrite: func(m map[string]any) { m["name"] = []any{m["name"], nil} },
			sameRDF: true, want: ErrNotBound, pointer: "/name/1",
		},
		{
			name:    "an array in an array",
			rewrite: func(m map[string]any) { m["credentialSubject"] = []any{[]any{m["credentialSubject"]}} },
			sameRDF: true, want: ErrNotBound, pointer: "/credentialSubject/0",
		},
		{
			name: "the subject described where the issuer is referenced",
			rewrite: func(m map[string]any) {
				m["credentialSubject"].(map[string]any)["id"] = m["issuer"]
			},
			want: ErrNotBound, pointer: "/issuer",
		},
		{
			name:    "an array in an array of values",
			rewrite: func(m map[string]any) { m["name"] = []any{[]any{m["name"]}} },
			sameRDF: true, want: ErrNotBound, pointer: "/name/0",
		},
		{
			name:    "the document an array",
			rewrite: nil, // see TestBoundProfileRefusesATopLevelArray
		},
	}
}

// Every rewrite that keeps a credential's RDF, and with it the signature of
// an -rdfc- proof, is refused in the bound profile, by the fast conversion
// and the slow path alike, naming the member and why; the credential itself
// converts.
func TestBoundProfileRefusesRewritesThatKeepTheRDF(t *testing.T) {
	l := testLoader(t)
	base, err := ToRDF(boundDoc(t), l, Bound)
	if err != nil {
		t.Fatalf("the base credential: %v", err)
	}
	if _, ok := fastToRDFIn(boundDoc(t), l, Bound); !ok {
		t.Fatal("the base credential does not take the fast path")
	}
	want := canonicalNQuads(t, base)
	for _, tt := range boundRewrites() {
		if tt.rewrite == nil {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			doc := boundDoc(t)
			tt.rewrite(doc)
			if tt.sameRDF {
				quads, err := ToRDF(clone(doc), l, Safe)
				if err != nil {
					t.Fatalf("safe mode refuses the rewrite: %v", err)
				}
				if got := canonicalNQuads(t, quads); !bytes.Equal(got, want) {
					t.Fatalf("the rewrite changes the RDF:\n%s\nwant\n%s", got, want)
				}
			}
			if _, ok := fastToRDFIn(clone(doc), l, Bound); ok {
				t.Error("the fast conversion takes it in the bound profile")
			}
			for _, conv := range []struct {
				name string
				f    func(any, *Loader, Profile) ([]rdfc.Quad, error)
			}{{"ToRDF", ToRDF}, {"slowToRDF", slowToRDF}} {
				_, err := conv.f(clone(doc), l, Bound)
				if !errors.Is(err, tt.want) {
					t.Fatalf("%s: err = %v, want %v", conv.name, err, tt.want)
				}
				var te *TermError
				if !errors.As(err, &te) {
					t.Fatalf("%s: err is a %T, not a *TermError", conv.name, err)
				}
				if tt.term != "" && te.Term != tt.term {
					t.Errorf("%s: term %q, want %q (%v)", conv.name, te.Term, tt.term, err)
				}
				if tt.pointer != "" && te.Pointer != tt.pointer {
					t.Errorf("%s: pointer %q, want %q (%v)", conv.name, te.Pointer, tt.pointer, err)
				}
				if errors.Is(err, ErrNotBound) && (te.Reason == "" || !strings.Contains(err.Error(), "not bound")) {
					t.Errorf("%s: the error does not say why: %v", conv.name, err)
				}
			}
		})
	}
}

func TestBoundProfileRefusesATopLevelArray(t *testing.T) {
	doc := []any{boundDoc(t)}
	if _, err := ToRDF(doc, testLoader(t), Bound); !errors.Is(err, ErrNotBound) {
		t.Fatalf("err = %v, want ErrNotBound", err)
	}
	if _, err := ToRDF(doc, testLoader(t), Safe); err != nil {
		t.Fatalf("safe mode: %v", err)
	}
}

// What the bound profile accepts: the shapes the data model uses.
func TestBoundProfileAcceptsTheDataModel(t *testing.T) {
	l := testLoader(t)
	tests := []struct {
		name    string
		rewrite func(m map[string]any)
		fast    bool // the fast conversion takes it
	}{
		{"the credential as it is", func(map[string]any) {}, true},
		{"a language-tagged name (VCDM 2.0 section 11.1)", func(m map[string]any) {
			m["name"] = []any{map[string]any{"@value": "Identity check", "@language": "en"}, map[string]any{"@value": "Gwiriad hunaniaeth", "@language": "cy"}}
		}, true},
		{"an issuer object", func(m map[string]any) {
			m["issuer"] = map[string]any{"id": m["issuer"], "name": "King's College Hospital"}
		}, true},
		{"two subjects", func(m map[string]any) {
			m["credentialSubject"] = []any{m["credentialSubject"], map[string]any{"id": "did:example:other", "name": "Alex"}}
		}, true},
		{"the issuer referenced from two nodes", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["worksFor"] = m["issuer"]
			appendContext(m, map[string]any{"worksFor": map[string]any{"@id": "https://staffpass.example/vocab#worksFor", "@type": "@id"}})
		}, false},
		{"a served context with @vocab, and a name under it", func(m map[string]any) {
			appendContext(m, examplesV2)
			m["credentialSubject"].(map[string]any)["alumniOf"] = "Example University"
		}, true},
		{"an inline context that adds plain terms (the ECDSA suite's mocks)", func(m map[string]any) {
			appendContext(m, map[string]any{"staffNumber": "https://staffpass.example/vocab#staffNumber", "modules": map[string]any{"@id": "https://staffpass.example/vocab#modules", "@container": "@list"}})
			m["credentialSubject"].(map[string]any)["staffNumber"] = "123"
			m["credentialSubject"].(map[string]any)["modules"] = []any{"fire", "fire"}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := boundDoc(t)
			tt.rewrite(doc)
			if _, err := slowToRDF(clone(doc), l, Bound); err != nil {
				t.Fatalf("the slow path refuses it: %v", err)
			}
			if _, ok := fastToRDFIn(clone(doc), l, Bound); ok != tt.fast {
				t.Errorf("the fast conversion takes it: %v, want %v", ok, tt.fast)
			}
			if _, problem := agreement(doc, l); problem != nil {
				t.Error(problem)
			}
		})
	}
}

// A proof does not sign a document's contexts: the names readers read
// stand for the IRIs the W3C contexts give them whatever the contexts of a
// document say (rule 7), and every other IRI has one name (rule 2).
func TestBoundProfilePinsTheNamesReadersRead(t *testing.T) {
	l := testLoader(t)
	const (
		v1   = "https://www.w3.org/2018/credentials/v1"
		sec  = "https://w3id.org/security#"
		st   = "https://www.w3.org/ns/credentials/status#"
		exNS = "https://www.w3.org/ns/credentials/examples#"
	)
	tests := []struct {
		name    string
		doc     string
		pointer string
	}{
		{
			"a proof's expires under an inline name",
			`{"@context": ["` + v1 + `", {"DataIntegrityProof": "` + sec + `DataIntegrityProof",
			  "proofExpiry": {"@id": "` + sec + `expiration", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}}],
			  "type": "DataIntegrityProof", "proofExpiry": "2026-01-01T00:00:00Z"}`,
			"/proofExpiry",
		},
		{
			"the reader's name made to stand for another IRI",
			`{"@context": ["` + v1 + `", {"DataIntegrityProof": "` + sec + `DataIntegrityProof",
			  "expires": {"@id": "https://evil.example/expires", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}}],
			  "type": "DataIntegrityProof", "expires": "2026-01-01T00:00:00Z"}`,
			"/expires",
		},
		{
			"expirationDate under an inline name in a 2.0 credential",
			`{"@context": ["` + credentialsV2 + `", {"expiry": {"@id": "` + cred + `expirationDate", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}}],
			  "type": "VerifiableCredential", "issuer": "did:example:i", "credentialSubject": {"id": "did:example:s"}, "expiry": "2026-01-01T00:00:00Z"}`,
			"/expiry",
		},
		{
			"a status entry typed under an inline name",
			`{"@context": ["` + v1 + `", {"Entry": "` + st + `BitstringStatusListEntry"}],
			  "type": "VerifiableCredential", "issuer": "did:example:i", "issuanceDate": "2026-01-01T00:00:00Z",
			  "credentialSubject": {"id": "did:example:s"}, "credentialStatus": {"id": "https://ex.org/s#1", "type": "Entry"}}`,
			"/credentialStatus/type",
		},
		{
			"a claim under a served @vocab written as its IRI",
			`{"@context": ["` + credentialsV2 + `", "` + examplesV2 + `"], "type": "VerifiableCredential", "issuer": "did:example:i",
			  "credentialSubject": {"id": "did:example:s", "` + exNS + `restriction": "no-prescribing"}}`,
			"/credentialSubject/" + strings.ReplaceAll(exNS, "/", "~1") + "restriction",
		},
		{
			"a claim under a served @vocab written as a compact IRI",
			`{"@context": ["` + credentialsV2 + `", "` + examplesV2 + `", {"ex": "` + exNS + `"}], "type": "VerifiableCredential", "issuer": "did:example:i",
			  "credentialSubject": {"id": "did:example:s", "ex:restriction": "no-prescribing"}}`,
			"/credentialSubject/ex:restriction",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := decode([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ToRDF(clone(doc), l, Safe); err != nil {
				t.Fatalf("safe mode refuses it: %v", err)
			}
			if _, ok := fastToRDFIn(clone(doc), l, Bound); ok {
				t.Error("the fast conversion takes it")
			}
			_, err = slowToRDF(clone(doc), l, Bound)
			var te *TermError
			if !errors.Is(err, ErrNotBound) || !errors.As(err, &te) || te.Pointer != tt.pointer {
				t.Fatalf("err = %v, want ErrNotBound at %s", err, tt.pointer)
			}
		})
	}
}
