package did

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
)

// Contexts DID documents commonly use.
const (
	// ContextV1 is the DID Core 1.0 JSON-LD context.
	ContextV1 = "https://www.w3.org/ns/did/v1"
	// ContextMultikey defines Multikey verification methods.
	ContextMultikey = "https://w3id.org/security/multikey/v1"
	// ContextJWS2020 defines JsonWebKey2020 verification methods.
	ContextJWS2020 = "https://w3id.org/security/suites/jws-2020/v1"
	// ContextJWK defines JsonWebKey verification methods.
	ContextJWK = "https://w3id.org/security/jwk/v1"
)

// Document is a DID document (DID Core section 5) in its JSON (or JSON-LD)
// representation. Members this type does not name are kept in Extra and
// written back unchanged.
type Document struct {
	// Context is the "@context" member as it was read: a string or an
	// array. It is optional in plain JSON.
	Context json.RawMessage
	// ID is the DID the document is about.
	ID string
	// Controller lists the DIDs that control the document; one
	// controller is written as a string.
	Controller []string
	// AlsoKnownAs lists other URIs of the subject.
	AlsoKnownAs []string
	// VerificationMethod lists the document's verification methods.
	VerificationMethod []VerificationMethod
	// The verification relationships (DID Core section 5.3). Each entry
	// references a method by id or embeds one.
	Authentication       []MethodRef
	AssertionMethod      []MethodRef
	KeyAgreement         []MethodRef
	CapabilityInvocation []MethodRef
	CapabilityDelegation []MethodRef
	// Service lists service endpoints (DID Core section 5.4).
	Service []Service
	// Extra holds every other member, by name, as it was read.
	Extra map[string]json.RawMessage
}

// MethodRef is one entry of a verification relationship: either a
// reference to a verification method (a DID URL, possibly relative such as
// "#key-1") or an embedded verification method.
type MethodRef struct {
	Ref      string
	Embedded *VerificationMethod
}

// Service is a service endpoint (DID Core section 5.4).
type Service struct {
	ID string
	// Type is one type or more; one type is written as a string.
	Type []string
	// ServiceEndpoint is a URI string, a map or a set of them, as read.
	ServiceEndpoint json.RawMessage
	Extra           map[string]json.RawMessage
}

// documentMembers are the members Document names, in the order
// MarshalJSON writes them.
var documentMembers = []string{"@context", "id", "controller", "alsoKnownAs", "verificationMethod",
	"authentication", "assertionMethod", "keyAgreement", "capabilityInvocation", "capabilityDelegation", "service"}

// ParseDocument parses and checks a DID document. It refuses:
//
//   - JSON that strictjson refuses (duplicate member names, bad UTF-8,
//     deep nesting) and documents over limits.MaxDIDDocumentBytes;
//   - members of the wrong JSON type;
//   - an id that is not a DID, controllers that are not DIDs;
//   - verification methods whose id is not a DID URL (relative ids are
//     resolved against the document's id), whose controller is not a DID,
//     or that carry private key material (a JWK "d", secretKeyMultibase);
//   - two methods with the same id, more than
//     limits.MaxVerificationMethods methods (embedded ones included);
//   - relationship references that name no method of the document.
//
// Keys are decoded only when VerificationMethod.PublicKey is called, so a
// document with method types this package does not read still parses.
func ParseDocument(data []byte) (*Document, error) {
	if err := strictjson.Check(data, limits.MaxDIDDocumentBytes); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	doc := new(Document)
	if err := json.Unmarshal(data, doc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	if err := doc.Validate(); err != nil {
		return nil, err
	}
	return doc, nil
}

// UnmarshalJSON reads a DID document's members by their JSON types. It
// does not check identifiers or references: ParseDocument and Validate do.
func (d *Document) UnmarshalJSON(data []byte) error {
	members, err := object(data, "DID document")
	if err != nil {
		return err
	}
	*d = Document{}
	for name, raw := range members {
		switch name {
		case "@context":
			if len(raw) == 0 || (raw[0] != '"' && raw[0] != '[') {
				return fmt.Errorf("@context must be a string or an array")
			}
			d.Context = slices.Clone(raw)
		case "id":
			err = str(raw, name, &d.ID)
		case "controller":
			d.Controller, err = strOrStrings(raw, name)
		case "alsoKnownAs":
			err = stringList(raw, name, &d.AlsoKnownAs)
		case "verificationMethod":
			err = json.Unmarshal(raw, &d.VerificationMethod)
			if err == nil && (raw[0] != '[') {
				err = fmt.Errorf("verificationMethod must be an array")
			}
		case "authentication":
			d.Authentication, err = refs(raw, name)
		case "assertionMethod":
			d.AssertionMethod, err = refs(raw, name)
		case "keyAgreement":
			d.KeyAgreement, err = refs(raw, name)
		case "capabilityInvocation":
			d.CapabilityInvocation, err = refs(raw, name)
		case "capabilityDelegation":
			d.CapabilityDelegation, err = refs(raw, name)
		case "service":
			err = json.Unmarshal(raw, &d.Service)
			if err == nil && raw[0] != '[' {
				err = fmt.Errorf("service must be an array")
			}
		default:
			if d.Extra == nil {
				d.Extra = map[string]json.RawMessage{}
			}
			d.Extra[name] = slices.Clone(raw)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// MarshalJSON writes the document with its known members first, in DID
// Core order, then the Extra members sorted by name.
func (d Document) MarshalJSON() ([]byte, error) {
	w := newObjectWriter()
	if len(d.Context) > 0 {
		w.raw("@context", d.Context)
	}
	w.value("id", d.ID)
	switch len(d.Controller) {
	case 0:
	case 1:
		w.value("controller", d.Controller[0])
	default:
		w.value("controller", d.Controller)
	}
	if d.AlsoKnownAs != nil {
		w.value("alsoKnownAs", d.AlsoKnownAs)
	}
	if d.VerificationMethod != nil {
		w.value("verificationMethod", d.VerificationMethod)
	}
	for _, r := range []struct {
		name string
		refs []MethodRef
	}{
		{"authentication", d.Authentication},
		{"assertionMethod", d.AssertionMethod},
		{"keyAgreement", d.KeyAgreement},
		{"capabilityInvocation", d.CapabilityInvocation},
		{"capabilityDelegation", d.CapabilityDelegation},
	} {
		if r.refs != nil {
			w.value(r.name, r.refs)
		}
	}
	if d.Service != nil {
		w.value("service", d.Service)
	}
	if err := w.extra(d.Extra, documentMembers); err != nil {
		return nil, err
	}
	return w.close()
}

// UnmarshalJSON reads a reference (a string) or an embedded method (an
// object).
func (r *MethodRef) UnmarshalJSON(data []byte) error {
	switch {
	case len(data) > 0 && data[0] == '"':
		*r = MethodRef{}
		return json.Unmarshal(data, &r.Ref)
	case len(data) > 0 && data[0] == '{':
		vm := new(VerificationMethod)
		if err := json.Unmarshal(data, vm); err != nil {
			return err
		}
		*r = MethodRef{Embedded: vm}
		return nil
	}
	return fmt.Errorf("a verification relationship entry must be a string or an object")
}

// MarshalJSON writes the reference or the embedded method.
func (r MethodRef) MarshalJSON() ([]byte, error) {
	if r.Embedded != nil {
		if r.Ref != "" {
			return nil, fmt.Errorf("did: a relationship entry has both a reference and an embedded method")
		}
		return json.Marshal(r.Embedded)
	}
	return json.Marshal(r.Ref)
}

var serviceMembers = []string{"id", "type", "serviceEndpoint"}

// UnmarshalJSON reads a service.
func (s *Service) UnmarshalJSON(data []byte) error {
	members, err := object(data, "service")
	if err != nil {
		return err
	}
	*s = Service{}
	for name, raw := range members {
		switch name {
		case "id":
			err = str(raw, "service id", &s.ID)
		case "type":
			s.Type, err = strOrStrings(raw, "service type")
		case "serviceEndpoint":
			if raw[0] != '"' && raw[0] != '{' && raw[0] != '[' {
				err = fmt.Errorf("serviceEndpoint must be a string, a map or a set")
			}
			s.ServiceEndpoint = slices.Clone(raw)
		default:
			if s.Extra == nil {
				s.Extra = map[string]json.RawMessage{}
			}
			s.Extra[name] = slices.Clone(raw)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// MarshalJSON writes a service.
func (s Service) MarshalJSON() ([]byte, error) {
	w := newObjectWriter()
	w.value("id", s.ID)
	if len(s.Type) == 1 {
		w.value("type", s.Type[0])
	} else {
		w.value("type", s.Type)
	}
	if len(s.ServiceEndpoint) > 0 {
		w.raw("serviceEndpoint", s.ServiceEndpoint)
	}
	if err := w.extra(s.Extra, serviceMembers); err != nil {
		return nil, err
	}
	return w.close()
}

// object decodes a JSON object into its members.
func object(data []byte, what string) (map[string]json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, fmt.Errorf("%s must be a JSON object", what)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, err
	}
	return members, nil
}

// str decodes a JSON string (not null).
func str(raw json.RawMessage, name string, out *string) error {
	if len(raw) == 0 || raw[0] != '"' {
		return fmt.Errorf("%s must be a string", name)
	}
	return json.Unmarshal(raw, out)
}

// stringList decodes an array of strings.
func stringList(raw json.RawMessage, name string, out *[]string) error {
	if len(raw) == 0 || raw[0] != '[' {
		return fmt.Errorf("%s must be an array of strings", name)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return err
	}
	res := make([]string, len(items))
	for i, it := range items {
		if err := str(it, name, &res[i]); err != nil {
			return fmt.Errorf("%s must be an array of strings", name)
		}
	}
	*out = res
	return nil
}

// strOrStrings decodes a string or an array of strings.
func strOrStrings(raw json.RawMessage, name string) ([]string, error) {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return []string{s}, err
	}
	var out []string
	if err := stringList(raw, name, &out); err != nil {
		return nil, fmt.Errorf("%s must be a string or an array of strings", name)
	}
	return out, nil
}

func refs(raw json.RawMessage, name string) ([]MethodRef, error) {
	if raw[0] != '[' {
		return nil, fmt.Errorf("%s must be an array", name)
	}
	var out []MethodRef
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// objectWriter writes a JSON object member by member.
type objectWriter struct {
	buf bytes.Buffer
	n   int
	err error
}

func newObjectWriter() *objectWriter {
	w := &objectWriter{}
	w.buf.WriteByte('{')
	return w
}

func (w *objectWriter) raw(name string, v json.RawMessage) {
	if w.err != nil {
		return
	}
	if w.n > 0 {
		w.buf.WriteByte(',')
	}
	w.n++
	k, _ := json.Marshal(name)
	w.buf.Write(k)
	w.buf.WriteByte(':')
	if !json.Valid(v) {
		w.err = fmt.Errorf("did: member %q holds invalid JSON", name)
		return
	}
	w.err = json.Compact(&w.buf, v)
}

func (w *objectWriter) value(name string, v any) {
	if w.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		w.err = err
		return
	}
	w.raw(name, b)
}

// extra writes the extra members in name order, refusing names that are
// known members.
func (w *objectWriter) extra(extra map[string]json.RawMessage, known []string) error {
	names := make([]string, 0, len(extra))
	for k := range extra {
		if slices.Contains(known, k) {
			return fmt.Errorf("did: Extra holds %q, which is a named field", k)
		}
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		w.raw(k, extra[k])
	}
	return nil
}

func (w *objectWriter) close() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	w.buf.WriteByte('}')
	return w.buf.Bytes(), nil
}

// isURI reports whether s is an absolute URI (RFC 3986 section 4.3).
func isURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}
