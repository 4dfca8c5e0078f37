package staff_test

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/rdfc"
	"github.com/staffpass/staffpass/vc/staff"
)

// contextSHA256 pins the context document served at staff.ContextURL. It
// must never change: a context with another meaning gets a new URL.
const contextSHA256 = "578d573298f30a61e0f172abd9e9b8054f2af3141c89d8ad53ef5f76a1473f9d"

func TestTheContextNeverChanges(t *testing.T) {
	sum := sha256.Sum256(staff.ContextDocument())
	if got := hex.EncodeToString(sum[:]); got != contextSHA256 {
		t.Fatalf("sha256 of the %s context is %s, pinned %s: a released context never changes; publish a new one under a new URL", staff.ContextURL, got, contextSHA256)
	}
}

// schemaDigests pins the embedded schemas. Issued credentials carry these
// digests in credentialSchema.digestSRI, so a schema that changed would
// make every credential issued against it fail Validate: a changed schema
// gets a new $id (schemas/v2/...) instead. The files are in internal/schemas/files.
var schemaDigests = map[string]string{
	staff.TypeIdentityCheck:               "sha384-F84tgZmZ4yvxjYfZP4JrVMvrZcC9sfVWmhhFM+iuWXH4k1bsPGsMhlKDRwjKoCy5",
	staff.TypeRightToWork:                 "sha384-/lcuigcfZrSeykZgz6RbdDsZucdcerG2+sBL9iiRuDA69LRZh00PKnOg7gZE50za",
	staff.TypeDBSCheck:                    "sha384-9aV/JQYBmTTMqekTegI81bq5CLXl01xIrg3CD1yeBlair5iYqGNdq82Awbj+w8JC",
	staff.TypeMandatoryTraining:           "sha384-utc2SAxBv7Tgqck8Usjnl1uv1nuLARpXH8CxcBJf5hYFd1FfNO31oxgV0NXlF0zi",
	staff.TypeProfessionalRegistration:    "sha384-L7BmGMRxX4McvzW1B8IF2s4Zjj/BKoSk5+ydExzoHxaylmpeUWduXtClpJXJrv29",
	staff.TypeOccupationalHealthClearance: "sha384-0dhoSMJL1RPBa3UbZxLIiTWFX2oQBteAkCLxanXdKBoEKPlNh3IpG1MaS8SMdYyM",
	staff.TypeEmployment:                  "sha384-uzZQOVOmx5EjRca6UoXY7wvLXiO24nUcAbw54ajQ7hln3QDb1/V0AwSpTHEQo3Ki",
	staff.TypeEmploymentHistory:           "sha384-Xvt0rkK7BRU1i+QBpX0o6x4tulU7xW8Q+5n+MkDEvDvXf7bDmR56xuzICtAmwIDF",
}

func TestTheSchemasNeverChange(t *testing.T) {
	for _, typ := range staff.Types() {
		s, _ := staff.CredentialSchema(typ)
		if s.DigestSRI != schemaDigests[typ] {
			t.Errorf("the schema of %s (%s) is now %s, pinned %s: a released schema never changes; publish a new one under a new $id", typ, s.ID, s.DigestSRI, schemaDigests[typ])
		}
	}
}

func TestContextDocumentReturnsACopy(t *testing.T) {
	a := staff.ContextDocument()
	a[0] = 'x'
	if staff.ContextDocument()[0] == 'x' {
		t.Fatal("changing the returned document changed the package's copy")
	}
}

// ourTerms returns the terms the staffpass context defines.
func ourTerms(t *testing.T) map[string]any {
	t.Helper()
	var doc struct {
		Context map[string]any `json:"@context"`
	}
	if err := json.Unmarshal(staff.ContextDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Context
}

func TestTheContextDefinesEveryTermProtectedUnderTheVocabulary(t *testing.T) {
	terms := ourTerms(t)
	if terms["@protected"] != true {
		t.Fatal("the context is not @protected")
	}
	for _, k := range []string{"@vocab", "@base", "@import", "@propagate"} {
		if _, ok := terms[k]; ok {
			t.Errorf("the context has %s", k)
		}
	}
	for term, def := range terms {
		if strings.HasPrefix(term, "@") {
			continue
		}
		iri, _ := def.(string)
		if m, ok := def.(map[string]any); ok {
			iri, _ = m["@id"].(string)
			for k := range m {
				if k != "@id" && k != "@type" {
					t.Errorf("%s: %s in a term definition", term, k)
				}
			}
		}
		if iri != staff.VocabularyURL+term {
			t.Errorf("%s maps to %q, not %q", term, iri, staff.VocabularyURL+term)
		}
	}
	for _, typ := range staff.Types() {
		if _, ok := terms[typ]; !ok {
			t.Errorf("the context does not define the type %s", typ)
		}
	}
}

// contextTerms collects every term that a context document defines, at
// any depth (scoped contexts included).
func contextTerms(v any, out map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if k == "@context" {
				if m, ok := e.(map[string]any); ok {
					for term := range m {
						if !strings.HasPrefix(term, "@") {
							out[term] = true
						}
					}
				}
			}
			contextTerms(e, out)
		}
	case []any:
		for _, e := range v {
			contextTerms(e, out)
		}
	}
}

// TestTheContextRedefinesNoTermOfAnEmbeddedContext holds our terms apart
// from every term of the contexts staffpass embeds (credentials v2 and its
// type-scoped contexts, status, Data Integrity, Multikey, JWK ...): a
// protected term defined twice differently makes safe mode refuse the
// document. The one exception is the citizenship vocabulary, which also
// defines givenName and familyName (as schema.org terms): it describes
// permanent residents, not staff checks, and no staff credential names
// it.
func TestTheContextRedefinesNoTermOfAnEmbeddedContext(t *testing.T) {
	ours := ourTerms(t)
	root := "../../internal/ld/contexts"
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".jsonld") {
			return err
		}
		if strings.HasSuffix(path, "w3id.org/staffpass/v1.jsonld") {
			return nil // ours
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			return err
		}
		theirs := map[string]bool{}
		contextTerms(doc, theirs)
		var clash []string
		for term := range theirs {
			if _, ok := ours[term]; ok {
				clash = append(clash, term)
			}
		}
		sort.Strings(clash)
		if strings.Contains(path, "citizenship") && slices.Equal(clash, []string{"familyName", "givenName"}) {
			clash = nil
		}
		if len(clash) > 0 {
			t.Errorf("%s also defines %s", path, strings.Join(clash, ", "))
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("read only %d contexts under %s", n, root)
	}
}

func loader(t *testing.T) *ld.Loader {
	t.Helper()
	l, err := ld.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestEachValidExampleExpandsInSafeMode(t *testing.T) {
	l := loader(t)
	for _, ex := range validExamples(t) {
		t.Run(strings.TrimSuffix(ex.file, ".json"), func(t *testing.T) {
			data := readExample(t, "valid/"+ex.file)
			quads, err := ld.ToRDFJSON(data, l, ld.Safe)
			if err != nil {
				t.Fatal(err)
			}
			var vocab int
			for _, q := range quads {
				if strings.HasPrefix(q.Predicate.Value, staff.VocabularyURL) {
					vocab++
				}
			}
			if vocab == 0 {
				t.Fatal("no statement uses the staffpass vocabulary")
			}
		})
	}
}

// TestDatesBecomeXSDDates checks the coercions: dates are typed
// xsd:date, the employer an IRI.
func TestDatesBecomeXSDDates(t *testing.T) {
	quads, err := ld.ToRDFJSON(readExample(t, "valid/employment.json"), loader(t), ld.Safe)
	if err != nil {
		t.Fatal(err)
	}
	var sawDate, sawEmployer bool
	for _, q := range quads {
		switch q.Predicate.Value {
		case staff.VocabularyURL + "startDate":
			sawDate = q.Object.Value == "2021-09-06" && q.Object.Datatype == "http://www.w3.org/2001/XMLSchema#date"
		case staff.VocabularyURL + "employer":
			sawEmployer = q.Object.Value == issuerDID && q.Object.Kind == rdfc.IRI
		}
	}
	if !sawDate || !sawEmployer {
		t.Fatalf("startDate typed xsd:date: %v; employer an IRI: %v", sawDate, sawEmployer)
	}
}

// TestIterationsBecomeXSDIntegers checks the coercion of a salted hash's
// iteration count: an xsd:integer in its canonical form.
func TestIterationsBecomeXSDIntegers(t *testing.T) {
	quads, err := ld.ToRDFJSON(readExample(t, "valid/dbs-check.json"), loader(t), ld.Safe)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, q := range quads {
		if q.Predicate.Value == staff.VocabularyURL+"iterations" {
			seen = append(seen, q.Object.Value+"^^"+q.Object.Datatype)
		}
	}
	if want := []string{"200000^^http://www.w3.org/2001/XMLSchema#integer"}; !slices.Equal(seen, want) {
		t.Fatalf("iterations statements %v; want %v", seen, want)
	}
}

// TestTheSchemasHoldIterationsToTheLimits: every schema bounds a salted
// hash's iteration count by the limits the Go code applies, so the two
// cannot disagree.
func TestTheSchemasHoldIterationsToTheLimits(t *testing.T) {
	for _, typ := range staff.Types() {
		s, _ := staff.CredentialSchema(typ)
		var doc struct {
			Defs struct {
				SaltedHash struct {
					Required   []string `json:"required"`
					Properties struct {
						Iterations struct {
							Type    string `json:"type"`
							Minimum int    `json:"minimum"`
							Maximum int    `json:"maximum"`
						} `json:"iterations"`
					} `json:"properties"`
				} `json:"saltedHash"`
			} `json:"$defs"`
		}
		if err := json.Unmarshal(s.Document, &doc); err != nil {
			t.Fatal(err)
		}
		h := doc.Defs.SaltedHash
		it := h.Properties.Iterations
		if !slices.Equal(h.Required, []string{"salt", "digest", "iterations"}) || it.Type != "integer" ||
			it.Minimum != limits.MinHashIterations || it.Maximum != limits.MaxHashIterations {
			t.Errorf("%s: saltedHash requires %v, iterations %+v; want salt, digest, iterations and an integer from %d to %d",
				typ, h.Required, it, limits.MinHashIterations, limits.MaxHashIterations)
		}
	}
}

func TestARevocableCredentialNeedsNoOtherContext(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(readExample(t, "valid/dbs-check.json"), &doc); err != nil {
		t.Fatal(err)
	}
	doc["credentialStatus"] = map[string]any{
		"id":                   "https://riverside-trust.example/status/1#94567",
		"type":                 "BitstringStatusListEntry",
		"statusPurpose":        "revocation",
		"statusListIndex":      "94567",
		"statusListCredential": "https://riverside-trust.example/status/1",
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ld.ToRDFJSON(data, loader(t), ld.Safe); err != nil {
		t.Fatal(err)
	}
	if err := staff.Validate(data); err != nil {
		t.Fatal(err)
	}
}

func TestARawIdentifierIsAnUndefinedTermInSafeMode(t *testing.T) {
	for _, file := range []string{"dbs-check-raw-certificate-number.json", "right-to-work-raw-share-code.json", "identity-check-raw-document-number.json"} {
		_, err := ld.ToRDFJSON(readExample(t, "invalid/"+file), loader(t), ld.Safe)
		if !errors.Is(err, ld.ErrUndefinedTerm) {
			t.Errorf("%s: ToRDF = %v; want ld.ErrUndefinedTerm", file, err)
		}
	}
}

func TestTheSchemasAreEmbeddedWithTheirDigests(t *testing.T) {
	ids := map[string]bool{}
	for _, typ := range staff.Types() {
		s, ok := staff.CredentialSchema(typ)
		if !ok {
			t.Fatalf("no schema for %s", typ)
		}
		sum := sha512.Sum384(s.Document)
		if s.DigestSRI != "sha384-"+base64.StdEncoding.EncodeToString(sum[:]) {
			t.Errorf("%s: digestSRI %s is not the digest of the document", typ, s.DigestSRI)
		}
		var doc struct {
			ID     string `json:"$id"`
			Schema string `json:"$schema"`
		}
		if err := json.Unmarshal(s.Document, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.ID != s.ID || !strings.HasPrefix(s.ID, staff.SchemaBaseURL) || ids[s.ID] {
			t.Errorf("%s: $id %q, ID %q", typ, doc.ID, s.ID)
		}
		if doc.Schema != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("%s: $schema %q", typ, doc.Schema)
		}
		ids[s.ID] = true
		onDisk, err := os.ReadFile(filepath.Join("..", "..", "internal", "schemas", "files", filepath.Base(s.ID)))
		if err != nil || string(onDisk) != string(s.Document) {
			t.Errorf("%s: the schema is not internal/schemas/files/%s byte for byte", typ, filepath.Base(s.ID))
		}
	}
	if _, ok := staff.CredentialSchema("VerifiableCredential"); ok {
		t.Error("a schema for VerifiableCredential")
	}
	if _, ok := staff.CredentialSchema("role"); ok {
		t.Error("the role schema is returned as a credential schema")
	}
	if r := staff.RoleSchema(); r.ID != staff.SchemaBaseURL+"role.json" || len(r.Document) == 0 {
		t.Errorf("RoleSchema = %q", r.ID)
	}
	if !slices.Equal(staff.Types(), staff.Types()) {
		t.Fatal("Types is not stable")
	}
}
