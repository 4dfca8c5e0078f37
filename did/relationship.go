package did

import (
	"fmt"
	"slices"

	"github.com/staffpass/staffpass/internal/limits"
)

// Relationship is a verification relationship (DID Core section 5.3): the
// purpose a verification method may be used for.
type Relationship string

// The verification relationships of DID Core.
const (
	// Authentication: proving control of the DID, as a holder does when
	// signing a presentation.
	Authentication Relationship = "authentication"
	// AssertionMethod: issuing statements, as an issuer does when
	// signing a credential.
	AssertionMethod      Relationship = "assertionMethod"
	KeyAgreement         Relationship = "keyAgreement"
	CapabilityInvocation Relationship = "capabilityInvocation"
	CapabilityDelegation Relationship = "capabilityDelegation"
)

// entries returns the document's entries for rel, and whether rel is known.
func (d *Document) entries(rel Relationship) ([]MethodRef, bool) {
	switch rel {
	case Authentication:
		return d.Authentication, true
	case AssertionMethod:
		return d.AssertionMethod, true
	case KeyAgreement:
		return d.KeyAgreement, true
	case CapabilityInvocation:
		return d.CapabilityInvocation, true
	case CapabilityDelegation:
		return d.CapabilityDelegation, true
	}
	return nil, false
}

var allRelationships = []Relationship{Authentication, AssertionMethod, KeyAgreement, CapabilityInvocation, CapabilityDelegation}

// Validate checks the document as ParseDocument does (everything but the
// JSON syntax and size).
func (d *Document) Validate() error {
	id, err := Parse(d.ID)
	if err != nil {
		return fmt.Errorf("%w: id: %w", ErrInvalidDocument, err)
	}
	if d.Context != nil && len(d.Context) == 0 {
		return fmt.Errorf("%w: empty @context", ErrInvalidDocument)
	}
	for _, c := range d.Controller {
		if _, err := Parse(c); err != nil {
			return fmt.Errorf("%w: controller: %w", ErrInvalidDocument, err)
		}
	}
	for _, a := range d.AlsoKnownAs {
		if !isURI(a) {
			return fmt.Errorf("%w: alsoKnownAs %s is not a URI", ErrInvalidDocument, quote(a))
		}
	}
	ids := make(map[string]bool, len(d.VerificationMethod))
	add := func(m *VerificationMethod) error {
		abs, err := m.validate(id)
		if err != nil {
			return err
		}
		if ids[abs] {
			return fmt.Errorf("%w: two verification methods have the id %s", ErrInvalidDocument, quote(abs))
		}
		ids[abs] = true
		if len(ids) > limits.MaxVerificationMethods {
			return fmt.Errorf("%w: more than %d verification methods", ErrInvalidDocument, limits.MaxVerificationMethods)
		}
		return nil
	}
	for i := range d.VerificationMethod {
		if err := add(&d.VerificationMethod[i]); err != nil {
			return err
		}
	}
	for _, rel := range allRelationships {
		entries, _ := d.entries(rel)
		for _, e := range entries {
			if e.Embedded != nil {
				if e.Ref != "" {
					return fmt.Errorf("%w: %s entry has both a reference and an embedded method", ErrInvalidDocument, rel)
				}
				if err := add(e.Embedded); err != nil {
					return err
				}
			}
		}
	}
	for _, rel := range allRelationships {
		entries, _ := d.entries(rel)
		for _, e := range entries {
			if e.Embedded != nil {
				continue
			}
			u, err := id.ResolveReference(e.Ref)
			if err != nil {
				return fmt.Errorf("%w: %s: %w", ErrInvalidDocument, rel, err)
			}
			if !ids[u.String()] {
				return fmt.Errorf("%w: %s references %s, which is not a verification method of the document", ErrInvalidDocument, rel, quote(e.Ref))
			}
		}
	}
	services := make(map[string]bool, len(d.Service))
	for _, s := range d.Service {
		abs := s.ID
		if len(abs) > 0 && abs[0] == '#' {
			abs = d.ID + abs
		}
		if !isURI(abs) {
			return fmt.Errorf("%w: service id %s is not a URI", ErrInvalidDocument, quote(s.ID))
		}
		if services[abs] {
			return fmt.Errorf("%w: two services have the id %s", ErrInvalidDocument, quote(abs))
		}
		services[abs] = true
		if len(s.Type) == 0 || slices.Contains(s.Type, "") {
			return fmt.Errorf("%w: service %s has no type", ErrInvalidDocument, quote(s.ID))
		}
		if len(s.ServiceEndpoint) == 0 {
			return fmt.Errorf("%w: service %s has no serviceEndpoint", ErrInvalidDocument, quote(s.ID))
		}
	}
	return nil
}

// sameID reports whether the method id or reference ref, relative to the
// document id docID, is the absolute DID URL abs, without allocating.
func sameID(ref, docID, abs string) bool {
	if len(ref) > 0 && ref[0] == '#' {
		return len(abs) == len(docID)+len(ref) && abs[:len(docID)] == docID && abs[len(docID):] == ref
	}
	return ref == abs
}

// Method returns the verification method idOrRef names, if the document
// lists it under the relationship rel. idOrRef is an absolute DID URL or a
// fragment reference ("#key-1") relative to the document's id. The method
// returned is a copy whose ID is absolute.
//
// It returns an error wrapping ErrNotFound if the document has no such
// method, and ErrNotAuthorized if it has one but not under rel.
func (d *Document) Method(idOrRef string, rel Relationship) (*VerificationMethod, error) {
	entries, ok := d.entries(rel)
	if !ok {
		return nil, fmt.Errorf("%w: unknown verification relationship %q", ErrNotAuthorized, rel)
	}
	abs := idOrRef
	if len(idOrRef) > 0 && idOrRef[0] == '#' {
		abs = d.ID + idOrRef
	}
	found := func(m *VerificationMethod) *VerificationMethod {
		c := m.clone()
		c.ID = abs
		return c
	}
	for _, e := range entries {
		switch {
		case e.Embedded != nil:
			if sameID(e.Embedded.ID, d.ID, abs) {
				return found(e.Embedded), nil
			}
		case sameID(e.Ref, d.ID, abs):
			if m := d.lookup(abs); m != nil {
				return found(m), nil
			}
			return nil, fmt.Errorf("%w: %s is listed under %s but not defined", ErrNotFound, quote(abs), rel)
		}
	}
	if d.lookup(abs) != nil {
		return nil, fmt.Errorf("%w: %s is not listed under %s", ErrNotAuthorized, quote(abs), rel)
	}
	return nil, fmt.Errorf("%w: no verification method %s in the DID document of %s", ErrNotFound, quote(abs), quote(d.ID))
}

// lookup finds a method by absolute id in verificationMethod or embedded
// in any relationship.
func (d *Document) lookup(abs string) *VerificationMethod {
	for i := range d.VerificationMethod {
		if sameID(d.VerificationMethod[i].ID, d.ID, abs) {
			return &d.VerificationMethod[i]
		}
	}
	for _, rel := range allRelationships {
		entries, _ := d.entries(rel)
		for _, e := range entries {
			if e.Embedded != nil && sameID(e.Embedded.ID, d.ID, abs) {
				return e.Embedded
			}
		}
	}
	return nil
}

// clone returns a deep copy of d.
func (d *Document) clone() *Document {
	c := *d
	c.Context = slices.Clone(d.Context)
	c.Controller = slices.Clone(d.Controller)
	c.AlsoKnownAs = slices.Clone(d.AlsoKnownAs)
	if d.VerificationMethod != nil {
		c.VerificationMethod = make([]VerificationMethod, len(d.VerificationMethod))
		for i := range d.VerificationMethod {
			c.VerificationMethod[i] = *d.VerificationMethod[i].clone()
		}
	}
	cloneRefs := func(r []MethodRef) []MethodRef {
		if r == nil {
			return nil
		}
		out := make([]MethodRef, len(r))
		for i, e := range r {
			out[i] = MethodRef{Ref: e.Ref}
			if e.Embedded != nil {
				out[i].Embedded = e.Embedded.clone()
			}
		}
		return out
	}
	c.Authentication = cloneRefs(d.Authentication)
	c.AssertionMethod = cloneRefs(d.AssertionMethod)
	c.KeyAgreement = cloneRefs(d.KeyAgreement)
	c.CapabilityInvocation = cloneRefs(d.CapabilityInvocation)
	c.CapabilityDelegation = cloneRefs(d.CapabilityDelegation)
	if d.Service != nil {
		c.Service = make([]Service, len(d.Service))
		for i, s := range d.Service {
			c.Service[i] = Service{ID: s.ID, Type: slices.Clone(s.Type), ServiceEndpoint: slices.Clone(s.ServiceEndpoint), Extra: cloneExtra(s.Extra)}
		}
	}
	c.Extra = cloneExtra(d.Extra)
	return &c
}
