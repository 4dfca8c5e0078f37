package staff

import (
	"bytes"
	"crypto/sha512"
	"embed"
	"encoding/base64"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaBaseURL is the prefix of the $id of every staffpass JSON Schema.
const SchemaBaseURL = "https://w3id.org/staffpass/schemas/v1/"

// TypeJSONSchema is the credentialSchema type of VCDM 2.0 (Verifiable
// Credentials JSON Schema Specification, section 3.1.1).
const TypeJSONSchema = "JsonSchema"

//go:embed schemas/*.json
var schemaFiles embed.FS

// schemaFile names the schema file of each credential type, and of a role.
var schemaFile = map[string]string{
	TypeIdentityCheck:               "identity-check.json",
	TypeRightToWork:                 "right-to-work.json",
	TypeDBSCheck:                    "dbs-check.json",
	TypeMandatoryTraining:           "mandatory-training.json",
	TypeProfessionalRegistration:    "professional-registration.json",
	TypeOccupationalHealthClearance: "occupational-health-clearance.json",
	TypeEmployment:                  "employment.json",
	TypeEmploymentHistory:           "employment-history.json",
	roleSchemaKey:                   "role.json",
}

// roleSchemaKey keys the role schema in schemaFile.
const roleSchemaKey = "role"

// Schema is one embedded JSON Schema (2020-12).
type Schema struct {
	// ID is the schema's $id, the id of a credentialSchema entry.
	ID string
	// DigestSRI is the Subresource Integrity digest (sha384) of Document,
	// the digestSRI of a credentialSchema entry.
	DigestSRI string
	// Document is the schema, byte for byte.
	Document []byte
}

// CredentialSchema returns the JSON Schema of a staff credential type, or
// false for a type that is not one.
func CredentialSchema(credentialType string) (Schema, bool) {
	s, err := loadSchemas()
	if err != nil || credentialType == roleSchemaKey {
		return Schema{}, false
	}
	c, ok := s.byKey[credentialType]
	if !ok {
		return Schema{}, false
	}
	return Schema{ID: c.id, DigestSRI: c.sri, Document: bytes.Clone(c.doc)}, true
}

// RoleSchema returns the JSON Schema of a role requirements document.
func RoleSchema() Schema {
	s, err := loadSchemas()
	if err != nil {
		return Schema{}
	}
	c := s.byKey[roleSchemaKey]
	return Schema{ID: c.id, DigestSRI: c.sri, Document: bytes.Clone(c.doc)}
}

type compiledSchema struct {
	id, sri string
	doc     []byte
	schema  *jsonschema.Schema
}

type schemaSet struct {
	byKey map[string]*compiledSchema
}

// loadSchemas compiles the embedded schemas once. They are registered
// with the compiler under their $id and nothing else can be loaded: the
// loader refuses every URL, so a $ref can never fetch anything.
var loadSchemas = sync.OnceValues(func() (*schemaSet, error) {
	c := jsonschema.NewCompiler()
	c.UseLoader(closedLoader{})
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	set := &schemaSet{byKey: make(map[string]*compiledSchema, len(schemaFile))}
	for key, file := range schemaFile {
		doc, err := schemaFiles.ReadFile("schemas/" + file)
		if err != nil {
			return nil, fmt.Errorf("staff: embedded schema %s: %w", file, err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			return nil, fmt.Errorf("staff: embedded schema %s: %w", file, err)
		}
		id := SchemaBaseURL + file
		if err := c.AddResource(id, v); err != nil {
			return nil, fmt.Errorf("staff: embedded schema %s: %w", file, err)
		}
		sum := sha512.Sum384(doc)
		set.byKey[key] = &compiledSchema{id: id, sri: "sha384-" + base64.StdEncoding.EncodeToString(sum[:]), doc: doc}
	}
	for key, cs := range set.byKey {
		s, err := c.Compile(cs.id)
		if err != nil {
			return nil, fmt.Errorf("staff: embedded schema for %s: %w", key, err)
		}
		cs.schema = s
	}
	return set, nil
})

// closedLoader refuses to load any schema: every schema is registered
// from the embedded copies before compiling.
type closedLoader struct{}

func (closedLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("staff: schema %q is not embedded, and schemas are never fetched", url)
}
