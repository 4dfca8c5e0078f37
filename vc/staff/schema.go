package staff

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/staffpass/staffpass/internal/schemas"
)

// SchemaBaseURL is the prefix of the $id of every staffpass JSON Schema.
const SchemaBaseURL = schemas.BaseURL

// TypeJSONSchema is the credentialSchema type of VCDM 2.0 (Verifiable
// Credentials JSON Schema Specification, section 3.1.1).
const TypeJSONSchema = "JsonSchema"

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

// loadSchemas looks up the embedded schema of each type (package
// internal/schemas compiles them once, fetching nothing).
var loadSchemas = sync.OnceValues(func() (*schemaSet, error) {
	all, err := schemas.Default()
	if err != nil {
		return nil, fmt.Errorf("staff: embedded schemas: %w", err)
	}
	set := &schemaSet{byKey: make(map[string]*compiledSchema, len(schemaFile))}
	for key, file := range schemaFile {
		s := all.Get(SchemaBaseURL + file)
		if s == nil {
			return nil, fmt.Errorf("staff: no embedded schema %s", file)
		}
		set.byKey[key] = &compiledSchema{id: s.ID, sri: s.DigestSRI, doc: s.Document, schema: s.Compiled}
	}
	return set, nil
})
