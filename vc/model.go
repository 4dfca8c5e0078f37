package vc

import (
	"encoding/json"
	"fmt"
	"time"
)

// Base contexts: the first @context entry of a VCDM 2.0 and of a VCDM 1.1
// document.
const (
	ContextV2 = "https://www.w3.org/ns/credentials/v2"
	ContextV1 = "https://www.w3.org/2018/credentials/v1"
)

// Types this package gives meaning to.
const (
	TypeCredential            = "VerifiableCredential"
	TypePresentation          = "VerifiablePresentation"
	TypeEnvelopedCredential   = "EnvelopedVerifiableCredential"
	TypeEnvelopedPresentation = "EnvelopedVerifiablePresentation"
)

// Version is the version of the data model a document follows, told by
// its first @context entry.
type Version int

const (
	// VersionUnknown: the first @context entry is neither base context.
	VersionUnknown Version = iota
	// V1: VCDM 1.1, first context https://www.w3.org/2018/credentials/v1.
	V1
	// V2: VCDM 2.0, first context https://www.w3.org/ns/credentials/v2.
	V2
)

func (v Version) String() string {
	switch v {
	case V1:
		return "1.1"
	case V2:
		return "2.0"
	default:
		return "unknown"
	}
}

// ContextEntry is one @context entry: a context URL or an embedded
// context object.
type ContextEntry struct {
	URL    string          // set for a URL entry
	Object json.RawMessage // set for an embedded context object
}

// Credential is a verifiable credential (VCDM 2.0 section 4; VCDM 1.1
// read too). Parse returns one that follows every rule of the data model
// that needs neither a signature check nor JSON-LD processing; nothing in
// it has been verified.
//
// Members the fields below do not cover are kept in Extra, unchanged.
// Which fields are read depends on the version: name, description,
// validFrom, validUntil and relatedResource are VCDM 2.0 terms, and
// issuanceDate and expirationDate VCDM 1.1 terms; in a document of the
// other version they are kept in Extra.
type Credential struct {
	Context           Set[ContextEntry]
	ID                string
	Type              Set[string]
	Name              Set[LanguageValue]
	Description       Set[LanguageValue]
	Issuer            Issuer
	CredentialSubject Set[Subject]
	ValidFrom         DateTime // VCDM 2.0
	ValidUntil        DateTime // VCDM 2.0
	IssuanceDate      DateTime // VCDM 1.1
	ExpirationDate    DateTime // VCDM 1.1
	CredentialStatus  Set[TypedObject]
	CredentialSchema  Set[TypedObject]
	Evidence          Set[TypedObject]
	TermsOfUse        Set[TypedObject]
	RefreshService    Set[TypedObject]
	RelatedResource   Set[RelatedResource]
	// Proof holds the embedded proofs unparsed (each one an object with
	// a type); the Data Integrity code reads them.
	Proof Set[json.RawMessage]
	Extra map[string]json.RawMessage
}

// LanguageValue is one natural-language string: a plain JSON string or a
// language value object {"@value", "@language", "@direction"} (VCDM 2.0
// section 11.1).
type LanguageValue struct {
	Value     string
	Language  string // a BCP 47 language tag, or ""
	Direction string // "ltr", "rtl" or ""
	// Object keeps the object form for a value with neither language nor
	// direction ({"@value": "..."}); a value with either is always an
	// object.
	Object bool
}

// Issuer is the issuer of a credential: a URL, or an object with an id
// URL and other members (VCDM 2.0 section 4.7).
type Issuer struct {
	ID          string
	Name        Set[LanguageValue] // VCDM 2.0
	Description Set[LanguageValue] // VCDM 2.0
	Extra       map[string]json.RawMessage
	// Object keeps the object form for an issuer that has only an id;
	// an issuer with any other member is always an object.
	Object bool
}

// Holder is the holder of a presentation: a URL, or an object with an id
// URL and other members (VCDM 2.0 section 4.13).
type Holder struct {
	ID    string
	Extra map[string]json.RawMessage
	// Object keeps the object form for a holder that has only an id.
	Object bool
}

// Subject is one credentialSubject entry: an optional id and the claims
// about the subject, unparsed.
type Subject struct {
	ID     string
	Claims map[string]json.RawMessage
}

// TypedObject is an entry of credentialStatus, credentialSchema, evidence,
// termsOfUse or refreshService: an object with an optional id (required
// for credentialSchema, and in VCDM 1.1 for credentialStatus and
// refreshService), a type and other members.
type TypedObject struct {
	ID    string
	Type  Set[string]
	Extra map[string]json.RawMessage
}

// RelatedResource is an entry of relatedResource (VCDM 2.0 section 5.3):
// a resource the credential refers to, with a digest of its content.
type RelatedResource struct {
	ID              string
	DigestSRI       string
	DigestMultibase string
	MediaType       string
	Extra           map[string]json.RawMessage
}

// Presentation is a verifiable presentation (VCDM 2.0 section 4.13).
// Like a Credential it is parsed, not verified.
type Presentation struct {
	Context              Set[ContextEntry]
	ID                   string
	Type                 Set[string]
	Holder               *Holder
	VerifiableCredential Set[PresentedCredential]
	// Proof holds the embedded proofs unparsed.
	Proof Set[json.RawMessage]
	Extra map[string]json.RawMessage
}

// PresentedCredential is one entry of a presentation's
// verifiableCredential: exactly one of Credential (a credential with an
// embedded proof, or none) and Envelope (an EnvelopedVerifiableCredential)
// is set.
type PresentedCredential struct {
	Credential *Credential
	Envelope   *Envelope
}

// Envelope is an EnvelopedVerifiableCredential or an
// EnvelopedVerifiablePresentation (VCDM 2.0 sections 4.13.1 and 4.13.2):
// a credential or presentation secured by an enveloping mechanism such as
// VC-JOSE-COSE, carried in the data: URL of its id.
type Envelope struct {
	Context Set[ContextEntry]
	ID      string
	Type    Set[string]
	Extra   map[string]json.RawMessage
}

// Version returns the data model version told by the first @context
// entry.
func (c *Credential) Version() Version { return versionOf(c.Context) }

// Version returns the data model version told by the first @context
// entry.
func (p *Presentation) Version() Version { return versionOf(p.Context) }

func versionOf(ctx Set[ContextEntry]) Version {
	if len(ctx.Items) == 0 {
		return VersionUnknown
	}
	switch ctx.Items[0].URL {
	case ContextV2:
		return V2
	case ContextV1:
		return V1
	}
	return VersionUnknown
}

// ContextURLs returns the URL entries of @context, in order, leaving out
// embedded context objects.
func (c *Credential) ContextURLs() []string { return contextURLs(c.Context) }

// ContextURLs returns the URL entries of @context, in order, leaving out
// embedded context objects.
func (p *Presentation) ContextURLs() []string { return contextURLs(p.Context) }

func contextURLs(ctx Set[ContextEntry]) []string {
	urls := make([]string, 0, len(ctx.Items))
	for _, e := range ctx.Items {
		if e.URL != "" {
			urls = append(urls, e.URL)
		}
	}
	return urls
}

// HasType reports whether t is one of the credential's types.
func (c *Credential) HasType(t string) bool { return hasType(c.Type, t) }

// HasType reports whether t is one of the presentation's types.
func (p *Presentation) HasType(t string) bool { return hasType(p.Type, t) }

// HasType reports whether t is one of the envelope's types.
func (e *Envelope) HasType(t string) bool { return hasType(e.Type, t) }

func hasType(s Set[string], t string) bool {
	for _, v := range s.Items {
		if v == t {
			return true
		}
	}
	return false
}

// SubjectIDs returns the ids of the credential's subjects that have one,
// in order.
func (c *Credential) SubjectIDs() []string {
	ids := make([]string, 0, len(c.CredentialSubject.Items))
	for _, s := range c.CredentialSubject.Items {
		if s.ID != "" {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// A ValidityBound is one bound of a credential's validity period, as the
// credential states it.
type ValidityBound struct {
	Member string // validFrom, validUntil, issuanceDate or expirationDate
	Start  bool   // a start (validFrom, issuanceDate), not an end
	Time   time.Time
}

// ValidityBounds returns every bound of the credential's validity period it
// states, in either version of the data model: validFrom and validUntil
// (VCDM 2.0), issuanceDate and expirationDate (VCDM 1.1). A member of the
// other version than the credential's means nothing to its data model,
// which keeps it in Extra like any unknown member; it is a bound all the
// same, since its issuer wrote it and a proof over RDF may sign it (a VCDM
// 1.1 credential whose contexts were swapped for 2.0 ones would otherwise
// lose its expirationDate). Such a member that is not one date-time string
// is an error wrapping ErrDate: a checker must refuse what it cannot read,
// and an issuer must not sign it.
func (c *Credential) ValidityBounds() ([]ValidityBound, error) {
	own := []ValidityBound{
		{"validFrom", true, c.ValidFrom.Time()}, {"validUntil", false, c.ValidUntil.Time()},
		{"issuanceDate", true, c.IssuanceDate.Time()}, {"expirationDate", false, c.ExpirationDate.Time()},
	}
	var out []ValidityBound
	for _, b := range own {
		if raw, ok := c.Extra[b.Member]; ok {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, fmt.Errorf("%w: %s must be one dateTimeStamp string", ErrDate, b.Member)
			}
			dt, err := ParseDateTime(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", b.Member, err)
			}
			b.Time = dt.Time()
		}
		if !b.Time.IsZero() {
			out = append(out, b)
		}
	}
	return out, nil
}

// ValidityPeriod returns the period the credential states, whatever the
// version: the latest of its starts and the earliest of its ends among the
// ValidityBounds. A bound it does not state is the zero time.Time. The
// error is that of ValidityBounds; the period is then zero and must not be
// judged.
func (c *Credential) ValidityPeriod() (from, until time.Time, err error) {
	bounds, err := c.ValidityBounds()
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	for _, b := range bounds {
		switch {
		case b.Start && b.Time.After(from):
			from = b.Time
		case !b.Start && (until.IsZero() || b.Time.Before(until)):
			until = b.Time
		}
	}
	return from, until, nil
}

// MediaType returns the media type of the envelope's data: URL id, such as
// MediaTypeVCJWT, or "" if the id is not a data: URL.
func (e *Envelope) MediaType() string {
	u, _, err := parseDataURLHeader(e.ID)
	if err != nil {
		return ""
	}
	return u.MediaType
}

// DataURL decodes the envelope's data: URL id, payload included. Parse
// checks the form of the URL but not the encoding of its payload, which
// DataURL can still refuse.
func (e *Envelope) DataURL() (*DataURL, error) { return ParseDataURL(e.ID) }
