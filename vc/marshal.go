package vc

import (
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"
)

// MarshalJSON writes the credential as JSON. For a credential that Parse
// returned, the output has the same members with the same values as the
// input (member order and white space aside): unknown members come back
// from Extra unchanged, and each Set keeps the single-value or array form
// it was read in.
//
// It fails when Extra repeats a member that a field also writes, or holds
// a value that is not JSON.
func (c *Credential) MarshalJSON() ([]byte, error) {
	e := &encoder{b: make([]byte, 0, 1024)}
	if err := e.credential(c); err != nil {
		return nil, err
	}
	return e.b, nil
}

// MarshalJSON writes the presentation as JSON, as Credential.MarshalJSON
// does.
func (p *Presentation) MarshalJSON() ([]byte, error) {
	e := &encoder{b: make([]byte, 0, 1024)}
	if err := e.presentation(p); err != nil {
		return nil, err
	}
	return e.b, nil
}

// MarshalJSON writes the envelope as JSON.
func (v *Envelope) MarshalJSON() ([]byte, error) {
	e := &encoder{b: make([]byte, 0, 256+len(v.ID))}
	if err := e.envelope(v); err != nil {
		return nil, err
	}
	return e.b, nil
}

type encoder struct {
	b []byte
}

// object writes one JSON object, remembering the names written so that
// Extra cannot repeat them.
type object struct {
	e     *encoder
	names []string
}

func (e *encoder) open() *object {
	e.b = append(e.b, '{')
	return &object{e: e}
}

func (o *object) name(n string) {
	if len(o.names) > 0 {
		o.e.b = append(o.e.b, ',')
	}
	o.names = append(o.names, n)
	o.e.b = appendString(o.e.b, n)
	o.e.b = append(o.e.b, ':')
}

func (o *object) str(n, v string) {
	if v == "" {
		return
	}
	o.name(n)
	o.e.b = appendString(o.e.b, v)
}

func (o *object) close() { o.e.b = append(o.e.b, '}') }

// extra writes the members of m, sorted by name.
func (o *object) extra(m map[string]json.RawMessage) error {
	if len(m) == 0 {
		return nil
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if slices.Contains(o.names, n) {
			return fmt.Errorf("vc: Extra member %q repeats a member written from a field", n)
		}
		o.name(n)
		if err := o.e.raw(m[n], n); err != nil {
			return err
		}
	}
	return nil
}

func (e *encoder) raw(v json.RawMessage, what string) error {
	if !json.Valid(v) {
		return fmt.Errorf("vc: the value of %q is not JSON", what)
	}
	e.b = append(e.b, v...)
	return nil
}

// set writes a Set: a bare value when it was read as one, else an array.
func set[T any](e *encoder, s Set[T], one func(T) error) error {
	if s.Single && len(s.Items) == 1 {
		return one(s.Items[0])
	}
	e.b = append(e.b, '[')
	for i, v := range s.Items {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		if err := one(v); err != nil {
			return err
		}
	}
	e.b = append(e.b, ']')
	return nil
}

// setMember writes a Set member unless the Set is empty.
func setMember[T any](o *object, n string, s Set[T], one func(T) error) error {
	if len(s.Items) == 0 {
		return nil
	}
	o.name(n)
	return set(o.e, s, one)
}

func (e *encoder) string(s string) error {
	e.b = appendString(e.b, s)
	return nil
}

func (e *encoder) context(c ContextEntry) error {
	switch {
	case c.URL != "" && c.Object == nil:
		e.b = appendString(e.b, c.URL)
		return nil
	case c.URL == "" && c.Object != nil:
		return e.raw(c.Object, "@context")
	default:
		return fmt.Errorf("vc: a @context entry must have exactly one of URL and Object")
	}
}

func (e *encoder) languageValue(v LanguageValue) error {
	if !v.Object && v.Language == "" && v.Direction == "" {
		e.b = appendString(e.b, v.Value)
		return nil
	}
	o := e.open()
	o.name("@value")
	e.b = appendString(e.b, v.Value)
	o.str("@language", v.Language)
	o.str("@direction", v.Direction)
	o.close()
	return nil
}

func (e *encoder) rawValue(v json.RawMessage) error { return e.raw(v, "proof") }

func (e *encoder) typedObject(t TypedObject) error {
	o := e.open()
	o.str("id", t.ID)
	if err := setMember(o, "type", t.Type, e.string); err != nil {
		return err
	}
	if err := o.extra(t.Extra); err != nil {
		return err
	}
	o.close()
	return nil
}

func (e *encoder) relatedResource(r RelatedResource) error {
	o := e.open()
	o.str("id", r.ID)
	o.str("digestSRI", r.DigestSRI)
	o.str("digestMultibase", r.DigestMultibase)
	o.str("mediaType", r.MediaType)
	if err := o.extra(r.Extra); err != nil {
		return err
	}
	o.close()
	return nil
}

func (e *encoder) subject(s Subject) error {
	o := e.open()
	o.str("id", s.ID)
	if err := o.extra(s.Claims); err != nil {
		return err
	}
	o.close()
	return nil
}

func (e *encoder) issuer(is Issuer) error {
	if !is.Object && is.Name.Len() == 0 && is.Description.Len() == 0 && len(is.Extra) == 0 {
		e.b = appendString(e.b, is.ID)
		return nil
	}
	o := e.open()
	o.str("id", is.ID)
	if err := setMember(o, "name", is.Name, e.languageValue); err != nil {
		return err
	}
	if err := setMember(o, "description", is.Description, e.languageValue); err != nil {
		return err
	}
	if err := o.extra(is.Extra); err != nil {
		return err
	}
	o.close()
	return nil
}

func (e *encoder) holder(h *Holder) error {
	if !h.Object && len(h.Extra) == 0 {
		e.b = appendString(e.b, h.ID)
		return nil
	}
	o := e.open()
	o.str("id", h.ID)
	if err := o.extra(h.Extra); err != nil {
		return err
	}
	o.close()
	return nil
}

func (o *object) dateTime(n string, d DateTime) {
	if d.IsZero() {
		return
	}
	o.name(n)
	o.e.b = appendString(o.e.b, d.String())
}

func (e *encoder) credential(c *Credential) error {
	o := e.open()
	if err := setMember(o, "@context", c.Context, e.context); err != nil {
		return err
	}
	o.str("id", c.ID)
	if err := setMember(o, "type", c.Type, e.string); err != nil {
		return err
	}
	if err := setMember(o, "name", c.Name, e.languageValue); err != nil {
		return err
	}
	if err := setMember(o, "description", c.Description, e.languageValue); err != nil {
		return err
	}
	if c.Issuer.ID != "" || c.Issuer.Object || c.Issuer.Name.Len() > 0 || c.Issuer.Description.Len() > 0 || len(c.Issuer.Extra) > 0 {
		o.name("issuer")
		if err := e.issuer(c.Issuer); err != nil {
			return err
		}
	}
	o.dateTime("validFrom", c.ValidFrom)
	o.dateTime("validUntil", c.ValidUntil)
	o.dateTime("issuanceDate", c.IssuanceDate)
	o.dateTime("expirationDate", c.ExpirationDate)
	if err := setMember(o, "credentialSubject", c.CredentialSubject, e.subject); err != nil {
		return err
	}
	for _, m := range []struct {
		name string
		set  Set[TypedObject]
	}{
		{"credentialStatus", c.CredentialStatus},
		{"credentialSchema", c.CredentialSchema},
		{"evidence", c.Evidence},
		{"termsOfUse", c.TermsOfUse},
		{"refreshService", c.RefreshService},
	} {
		if err := setMember(o, m.name, m.set, e.typedObject); err != nil {
			return err
		}
	}
	if err := setMember(o, "relatedResource", c.RelatedResource, e.relatedResource); err != nil {
		return err
	}
	if err := setMember(o, "proof", c.Proof, e.rawValue); err != nil {
		return err
	}
	if err := o.extra(c.Extra); err != nil {
		return err
	}
	o.close()
	return nil
}

func (e *encoder) presented(pc PresentedCredential) error {
	switch {
	case pc.Credential != nil && pc.Envelope == nil:
		return e.credential(pc.Credential)
	case pc.Credential == nil && pc.Envelope != nil:
		return e.envelope(pc.Envelope)
	default:
		return fmt.Errorf("vc: a presented credential must have exactly one of Credential and Envelope")
	}
}

func (e *encoder) presentation(p *Presentation) error {
	o := e.open()
	if err := setMember(o, "@context", p.Context, e.context); err != nil {
		return err
	}
	o.str("id", p.ID)
	if err := setMember(o, "type", p.Type, e.string); err != nil {
		return err
	}
	if p.Holder != nil {
		o.name("holder")
		if err := e.holder(p.Holder); err != nil {
			return err
		}
	}
	if err := setMember(o, "verifiableCredential", p.VerifiableCredential, e.presented); err != nil {
		return err
	}
	if err := setMember(o, "proof", p.Proof, e.rawValue); err != nil {
		return err
	}
	if err := o.extra(p.Extra); err != nil {
		return err
	}
	o.close()
	return nil
}

func (e *encoder) envelope(v *Envelope) error {
	o := e.open()
	if err := setMember(o, "@context", v.Context, e.context); err != nil {
		return err
	}
	o.str("id", v.ID)
	if err := setMember(o, "type", v.Type, e.string); err != nil {
		return err
	}
	if err := o.extra(v.Extra); err != nil {
		return err
	}
	o.close()
	return nil
}

// appendString appends s as a JSON string. Unlike encoding/json it leaves
// '<', '>' and '&' as they are; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
