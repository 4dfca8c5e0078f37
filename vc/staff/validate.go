package staff

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
	"github.com/staffpass/staffpass/vc"
)

// Validate checks a staff credential, given as JSON (the credential
// itself, or the payload of a vc+jwt), against the rules of its type:
//
//   - it has exactly one staff credential type;
//   - it matches that type's embedded JSON Schema (see CredentialSchema);
//   - its credentialSchema names that schema with the digest of the
//     embedded copy;
//   - its claims pass the type's Validate, with the date of validFrom as
//     the issue date (no check or completion after it).
//
// It does not verify the credential: that is the verifier's job, and it
// should call Validate only on a credential it verified. It never fetches
// anything. The error is a *ValidationError listing every problem, each
// naming its field with a JSON pointer.
func Validate(data []byte) error {
	_, err := validate(data)
	return err
}

// FromCredential validates c as Validate does and returns its claims: a
// *IdentityCheck, *RightToWork, *DBSCheck, *MandatoryTraining,
// *ProfessionalRegistration, *OccupationalHealthClearance, *Employment or
// *EmploymentHistory. The subject's id is c.CredentialSubject.Items[0].ID.
func FromCredential(c *vc.Credential) (Claims, error) {
	if c == nil {
		return nil, invalid("", ErrSyntax, "no credential")
	}
	data, err := c.MarshalJSON()
	if err != nil {
		return nil, invalid("", ErrSyntax, "the credential cannot be written as JSON: %v", err)
	}
	return validate(data)
}

func invalid(ptr string, kind error, format string, args ...any) error {
	var ps problems
	ps.add(ptr, kind, format, args...)
	return ps.err()
}

func validate(data []byte) (Claims, error) {
	// The strict decoder, as the verifier's schema check uses: numbers
	// are float64, exact for every number strict JSON accepts.
	inst, err := strictjson.Decode(data, limits.MaxDocumentBytes)
	if err != nil {
		ptr := ""
		var se *strictjson.Error
		if errors.As(err, &se) {
			ptr = se.Pointer
		}
		return nil, invalid(ptr, ErrSyntax, "%v", err)
	}
	doc, ok := inst.(map[string]any)
	if !ok {
		return nil, invalid("", ErrSyntax, "a credential is a JSON object")
	}
	typ, err := staffType(doc)
	if err != nil {
		return nil, err
	}
	set, err := loadSchemas()
	if err != nil {
		return nil, err
	}
	sch := set.byKey[typ]

	var ps problems
	issued, issuedOK := issueDate(&ps, doc["validFrom"])
	if err := sch.schema.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, invalid("", ErrSchema, "%v", err)
		}
		schemaProblems(&ps, ve, typ)
		explain(&ps, doc["credentialSubject"], typ, issued)
	}
	checkSchemaReference(&ps, doc["credentialSchema"], sch)
	if len(ps.list) > 0 || ps.omitted > 0 {
		return nil, ps.err()
	}

	claims := newClaims(typ)
	if err := decodeSubject(doc["credentialSubject"], claims); err != nil {
		return nil, invalid(subjectPointer, ErrSchema, "cannot be read as a %s: %v", typ, err)
	}
	if !issuedOK {
		return nil, invalid("/validFrom", ErrMissing, "is required")
	}
	if err := claims.Validate(issued); err != nil {
		return nil, err
	}
	return claims, nil
}

// explain replaces the schema's words for a problem with the Go rules'
// own, where those find a problem at the same field: "an unlimited right
// to work has no expiry date" says more than "not allowed". It does so
// only when the subject can be decoded at all.
func explain(ps *problems, subject any, typ string, issued Date) {
	claims := newClaims(typ)
	if decodeSubject(subject, claims) != nil {
		return
	}
	var ve *ValidationError
	if !errors.As(claims.Validate(issued), &ve) {
		return
	}
	for _, p := range ps.list {
		if g := ve.Field(p.Pointer); g != nil && strings.HasPrefix(p.Pointer, subjectPointer+"/") {
			p.Reason, p.Err = g.Reason, g.Err
		}
	}
}

// staffType returns the one staff credential type in doc's type member.
func staffType(doc map[string]any) (string, error) {
	var types []any
	switch t := doc["type"].(type) {
	case string:
		types = []any{t}
	case []any:
		types = t
	}
	var found []string
	for _, t := range types {
		if s, ok := t.(string); ok && newClaims(s) != nil && !slices.Contains(found, s) {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", invalid("/type", ErrType, "names none of the staff credential types (%s)", strings.Join(Types(), ", "))
	}
	return "", invalid("/type", ErrType, "names more than one staff credential type (%s)", strings.Join(found, ", "))
}

// schemaProblems turns the leaves of a schema validation error into
// FieldErrors, in pointer order. Only the problems kept (limits.MaxProblems)
// have their message written.
func schemaProblems(ps *problems, ve *jsonschema.ValidationError, typ string) {
	type leaf struct {
		fe *FieldError
		e  *jsonschema.ValidationError // nil when fe.Reason is set
	}
	var found []leaf
	var walk func(e *jsonschema.ValidationError, depth int)
	walk = func(e *jsonschema.ValidationError, depth int) {
		if len(e.Causes) > 0 && depth < limits.MaxJSONDepth {
			for _, c := range e.Causes {
				walk(c, depth+1)
			}
			return
		}
		ptr := pointerOf(e.InstanceLocation)
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				found = append(found, leaf{fe: &FieldError{Pointer: ptr + "/" + pointerEscape(m), Reason: "is required", Err: ErrMissing}})
			}
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				found = append(found, leaf{fe: &FieldError{Pointer: ptr + "/" + pointerEscape(p), Reason: "is not a field of the " + typ, Err: ErrSchema}})
			}
		case *kind.FalseSchema:
			found = append(found, leaf{fe: &FieldError{Pointer: ptr, Reason: "is not allowed with the values of the other fields", Err: ErrNotAllowed}})
		default:
			found = append(found, leaf{fe: &FieldError{Pointer: ptr, Err: ErrSchema}, e: e})
		}
	}
	walk(ve, 0)
	slices.SortStableFunc(found, func(a, b leaf) int { return strings.Compare(a.fe.Pointer, b.fe.Pointer) })
	for i, f := range found {
		if len(ps.list) >= limits.MaxProblems {
			ps.omitted += len(found) - i
			return
		}
		if f.e != nil {
			msg := f.e.Error()
			if _, after, ok := strings.Cut(msg, "': "); ok && strings.HasPrefix(msg, "at '") {
				msg = after
			}
			f.fe.Reason = msg
		}
		if last := len(ps.list) - 1; last >= 0 && ps.list[last].Pointer == f.fe.Pointer && ps.list[last].Reason == f.fe.Reason {
			continue
		}
		ps.add(f.fe.Pointer, f.fe.Err, "%s", f.fe.Reason)
	}
}

func pointerOf(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(pointerEscape(t))
	}
	return b.String()
}

// checkSchemaReference requires a credentialSchema entry naming sch with
// its digest.
func checkSchemaReference(ps *problems, v any, sch *compiledSchema) {
	var entries []any
	switch v := v.(type) {
	case map[string]any:
		entries = []any{v}
	case []any:
		entries = v
	case nil:
		return // the schema reports it missing
	}
	for _, e := range entries {
		m, ok := e.(map[string]any)
		if !ok || m["id"] != sch.id {
			continue
		}
		if !hasType(m["type"], TypeJSONSchema) {
			ps.add("/credentialSchema", ErrSchemaReference, "the entry for %s must have type %s", sch.id, TypeJSONSchema)
			return
		}
		if m["digestSRI"] != sch.sri {
			ps.add("/credentialSchema", ErrSchemaReference, "the entry for %s must have digestSRI %s, the digest of the schema this package holds", sch.id, sch.sri)
		}
		return
	}
	ps.add("/credentialSchema", ErrSchemaReference, "has no entry for %s", sch.id)
}

func hasType(v any, want string) bool {
	switch v := v.(type) {
	case string:
		return v == want
	case []any:
		return slices.Contains(v, any(want))
	}
	return false
}

// issueDate returns the calendar date of validFrom as written (its own
// time zone), the date at which a credential's claims are judged.
func issueDate(ps *problems, v any) (Date, bool) {
	if v == nil {
		return Date{}, false // the schema reports it missing
	}
	s, ok := v.(string)
	if !ok {
		ps.add("/validFrom", ErrFormat, "is not a string")
		return Date{}, false
	}
	if _, err := vc.ParseDateTime(s); err != nil {
		ps.add("/validFrom", ErrFormat, "is not an XML Schema dateTimeStamp")
		return Date{}, false
	}
	if len(s) < 10 {
		ps.add("/validFrom", ErrFormat, "staff credentials need a year from 0001 to 9999")
		return Date{}, false
	}
	d, err := ParseDate(s[:10])
	if err != nil {
		ps.add("/validFrom", ErrFormat, "staff credentials need a year from 0001 to 9999")
		return Date{}, false
	}
	return d, true
}

// decodeSubject decodes the subject's claims (everything but id) into
// claims, refusing unknown members. Numbers are float64 (strictjson): one
// the schema accepted as an integer (1.0, 1e0) marshals as one ("1"), as
// encoding/json needs for an integer field.
func decodeSubject(v any, claims Claims) error {
	m, ok := v.(map[string]any)
	if !ok {
		return errors.New("credentialSubject is not one object")
	}
	rest := make(map[string]any, len(m))
	for k, e := range m {
		if k != "id" {
			rest[k] = e // numbers are float64: an integer marshals as one
		}
	}
	data, err := json.Marshal(rest)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(claims)
}

func integers(v any, depth int) any {
	if depth > limits.MaxJSONDepth {
		return v
	}
	switch v := v.(type) {
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return v
		}
		if f, err := v.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return json.Number(strconv.FormatInt(int64(f), 10))
		}
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = integers(e, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = integers(e, depth+1)
		}
		return out
	}
	return v
}
