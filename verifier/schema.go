package verifier

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
	"github.com/staffpass/staffpass/vc"
)

// typeJSONSchema is the credentialSchema type of VCDM 2.0 (Verifiable
// Credentials JSON Schema Specification, section 3.1.1).
const typeJSONSchema = "JsonSchema"

// maxSchemaProblems caps the problems a failed schema check lists.
const maxSchemaProblems = 5

// checkSchema checks the credential (payload, its JSON) against every JSON
// Schema its credentialSchema names. It fails closed: a schema the
// verifier does not hold, of another digest than the entry or an accepted
// bundle gives, or of a type other than JsonSchema (a JsonSchemaCredential
// would need its own verification) fails the check.
func (v *Verifier) checkSchema(cred *vc.Credential, payload []byte, st *state) (string, error) {
	if cred.CredentialSchema.Len() == 0 {
		return "the credential names no schema", nil
	}
	var inst any
	var ids []string
	for i, cs := range cred.CredentialSchema.Items {
		if len(cs.Type.Items) != 1 || cs.Type.Items[0] != typeJSONSchema {
			return "", fmt.Errorf("%w: credentialSchema[%d] is of type %s, which this verifier cannot check (only %s)", ErrSchema, i, quoteTypes(cs.Type.Items), typeJSONSchema)
		}
		s := v.schemas.Get(cs.ID)
		if s == nil {
			return "", fmt.Errorf("%w: the schema %s is not one this verifier holds (schemas are never fetched; give it in the Trust)", ErrSchema, cs.ID)
		}
		if raw, ok := cs.Extra["digestSRI"]; ok {
			var d string
			if err := json.Unmarshal(raw, &d); err != nil || d != s.DigestSRI {
				return "", fmt.Errorf("%w: credentialSchema[%d] gives %s a digest that is not of the copy this verifier holds", ErrSchema, i, cs.ID)
			}
		}
		for _, b := range v.schemaPins[cs.ID] {
			if st.accepts(b) {
				return "", fmt.Errorf("%w: the trust bundle %s pins the schema %s to another digest than the copy this verifier holds", ErrSchema, bundleName(b), cs.ID)
			}
		}
		if inst == nil {
			// The strict decoder: numbers are float64, which is exact for
			// every number strict JSON accepts.
			var err error
			if inst, err = strictjson.Decode(payload, limits.MaxDocumentBytes); err != nil {
				return "", fmt.Errorf("%w: %w", ErrMalformed, err)
			}
		}
		if err := s.Compiled.Validate(inst); err != nil {
			return "", fmt.Errorf("%w: the credential does not match the schema %s: %s", ErrSchema, cs.ID, schemaProblems(err))
		}
		ids = append(ids, cs.ID)
	}
	return "the credential matches " + strings.Join(ids, " and "), nil
}

// schemaProblems says what a validation error found, a few problems, each
// at its JSON pointer.
func schemaProblems(err error) string {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return err.Error()
	}
	var out []string
	var walk func(e *jsonschema.ValidationError, depth int)
	walk = func(e *jsonschema.ValidationError, depth int) {
		if len(out) >= maxSchemaProblems {
			return
		}
		if len(e.Causes) > 0 && depth < 32 {
			for _, c := range e.Causes {
				walk(c, depth+1)
			}
			return
		}
		msg := e.Error()
		if _, after, ok := strings.Cut(msg, "': "); ok && strings.HasPrefix(msg, "at '") {
			msg = after
		}
		ptr := "/" + strings.Join(e.InstanceLocation, "/")
		if line := ptr + ": " + msg; !slices.Contains(out, line) {
			out = append(out, line)
		}
	}
	walk(ve, 0)
	return strings.Join(out, "; ")
}
