package staff

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/vc"
)

// Meta holds what a staff credential says besides its claims.
type Meta struct {
	// ID is the credential's id, a URL such as "urn:uuid:..."; optional.
	ID string
	// Issuer is the issuing organisation's DID (its did:web).
	Issuer string
	// Subject is the member of staff's DID (their wallet's did:key or
	// did:jwk).
	Subject string
	// ValidFrom is when the credential becomes valid, normally the time
	// of issue. Its calendar date, in its own location, is the date no
	// check or completion in the claims may be after.
	ValidFrom time.Time
	// ValidUntil is when the credential stops being valid; zero for
	// never.
	ValidUntil time.Time
}

// NewCredential returns the unsigned credential that says claims about
// m.Subject: @context [credentials v2, ContextURL], type
// [VerifiableCredential, claims.CredentialType()], a credentialSchema entry
// naming the type's schema with its digestSRI, and m. The issuer adds a
// credentialStatus entry, if any, and secures it.
//
// It refuses claims that fail claims.Validate at the date of m.ValidFrom,
// and Meta without an issuer DID, a subject DID or ValidFrom, or with
// ValidUntil before ValidFrom, with a *ValidationError.
func NewCredential(claims Claims, m Meta) (*vc.Credential, error) {
	var ps problems
	if claims == nil {
		ps.add(subjectPointer, ErrMissing, "no claims")
		return nil, ps.err()
	}
	if _, err := did.Parse(m.Issuer); err != nil {
		ps.add("/issuer", ErrFormat, "is not a DID")
	}
	if _, err := did.Parse(m.Subject); err != nil {
		ps.add("/credentialSubject/id", ErrFormat, "is not a DID")
	}
	if m.ValidFrom.IsZero() {
		ps.add("/validFrom", ErrMissing, "is required")
	} else if y := m.ValidFrom.Year(); y < 1 || y > 9999 {
		ps.add("/validFrom", ErrFormat, "needs a year from 0001 to 9999")
	}
	if !m.ValidUntil.IsZero() && !m.ValidFrom.IsZero() && m.ValidUntil.Before(m.ValidFrom) {
		ps.add("/validUntil", ErrContradiction, "is before validFrom")
	} else if y := m.ValidUntil.Year(); !m.ValidUntil.IsZero() && (y < 1 || y > 9999) {
		ps.add("/validUntil", ErrFormat, "needs a year from 0001 to 9999")
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	if err := claims.Validate(DateOf(m.ValidFrom)); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(claims)
	if err != nil {
		return nil, invalid(subjectPointer, ErrFormat, "cannot be written as JSON: %v", err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, invalid(subjectPointer, ErrFormat, "cannot be written as JSON: %v", err)
	}
	set, err := loadSchemas()
	if err != nil {
		return nil, err
	}
	sch := set.byKey[claims.CredentialType()]
	sri, _ := json.Marshal(sch.sri)
	c := &vc.Credential{
		Context: vc.Set[vc.ContextEntry]{Items: []vc.ContextEntry{{URL: vc.ContextV2}, {URL: ContextURL}}},
		ID:      m.ID,
		Type:    vc.Set[string]{Items: []string{vc.TypeCredential, claims.CredentialType()}},
		Issuer:  vc.Issuer{ID: m.Issuer},
		CredentialSubject: vc.Set[vc.Subject]{Single: true, Items: []vc.Subject{
			{ID: m.Subject, Claims: members},
		}},
		ValidFrom: vc.NewDateTime(m.ValidFrom),
		CredentialSchema: vc.Set[vc.TypedObject]{Single: true, Items: []vc.TypedObject{{
			ID:    sch.id,
			Type:  vc.Set[string]{Single: true, Items: []string{TypeJSONSchema}},
			Extra: map[string]json.RawMessage{"digestSRI": sri},
		}}},
	}
	if !m.ValidUntil.IsZero() {
		c.ValidUntil = vc.NewDateTime(m.ValidUntil)
	}
	// The claims passed their Go rules; the credential must also pass the
	// schema, or the two disagree and nothing should be issued.
	data, err := c.MarshalJSON()
	if err != nil {
		return nil, invalid("", ErrFormat, "cannot be written as JSON: %v", err)
	}
	if _, err := vc.Parse(data); err != nil {
		var ve *vc.ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				ps.add(p.Pointer, ErrFormat, "%s", p.Message)
			}
			return nil, ps.err()
		}
		return nil, invalid("", ErrFormat, "%v", err)
	}
	if err := Validate(data); err != nil {
		return nil, err
	}
	return c, nil
}
