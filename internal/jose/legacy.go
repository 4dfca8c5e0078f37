package jose

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
	"github.com/staffpass/staffpass/vc"
)

// readLegacy reads the payload of a VC-JWT of VCDM 1.1 (section 6.3.1): a
// claims set with a vc or a vp claim. It rebuilds the VCDM 1.1 document from
// the claim and the registered claims that stand for its members, following
// the decoding rules of that section, and refuses registered claims that say
// something else than the members they repeat.
func readLegacy(payload []byte, want Kind) (*Verified, claims, error) {
	if err := strictjson.Check(payload, limits.MaxDocumentBytes); err != nil {
		return nil, claims{}, fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(payload, &m); err != nil || m == nil {
		return nil, claims{}, fmt.Errorf("%w: payload is not a JSON object", ErrMalformed)
	}
	vcRaw, hasVC := m["vc"]
	vpRaw, hasVP := m["vp"]
	var kind Kind
	var raw json.RawMessage
	switch {
	case hasVC && hasVP:
		return nil, claims{}, fmt.Errorf("%w: a legacy VC-JWT with both a vc and a vp claim", ErrVCClaim)
	case hasVC:
		kind, raw = KindCredential, vcRaw
	case hasVP:
		kind, raw = KindPresentation, vpRaw
	default:
		return nil, claims{}, fmt.Errorf("%w: typ JWT (or none) but no vc or vp claim: neither a vc+jwt nor a legacy VC-JWT", ErrType)
	}
	if want != KindAny && want != kind {
		return nil, claims{}, fmt.Errorf("%w: a legacy VC-JWT of a %s, want a %s", ErrType, kind, want)
	}
	c, err := readClaims(m)
	if err != nil {
		return nil, claims{}, err
	}
	var doc map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &doc) != nil {
		return nil, claims{}, fmt.Errorf("%w: claim %s is not a JSON object", ErrVCClaim, claimName(kind))
	}

	v := &Verified{Kind: kind}
	var version vc.Version
	if kind == KindCredential {
		data, err := legacyCredential(doc, c)
		if err != nil {
			return nil, claims{}, err
		}
		cred, err := vc.Parse(data)
		if err != nil {
			return nil, claims{}, fmt.Errorf("%w: claim vc: %w", ErrDocument, err)
		}
		v.Credential, version = cred, cred.Version()
	} else {
		data, jwts, err := legacyPresentation(doc, c)
		if err != nil {
			return nil, claims{}, err
		}
		pres, err := vc.ParsePresentation(data)
		if err != nil {
			return nil, claims{}, fmt.Errorf("%w: claim vp: %w", ErrDocument, err)
		}
		v.Presentation, v.EnvelopedJWTs, version = pres, jwts, pres.Version()
	}
	if version != vc.V1 {
		return nil, claims{}, fmt.Errorf("%w: claim %s holds a %v document, not a VCDM 1.1 one", ErrVCClaim, claimName(kind), version)
	}
	return v, c, nil
}

func claimName(k Kind) string {
	if k == KindPresentation {
		return "vp"
	}
	return "vc"
}

// legacyCredential applies the registered claims to the vc claim's object
// and returns the credential's JSON.
func legacyCredential(doc map[string]json.RawMessage, c claims) ([]byte, error) {
	if c.hasIss {
		if err := mapID(doc, "issuer", c.iss, ErrIssuerMismatch, "iss"); err != nil {
			return nil, err
		}
	}
	if c.hasSub {
		if err := mapSubject(doc, c.sub); err != nil {
			return nil, err
		}
	}
	if c.hasJTI {
		if err := mapJTI(doc, c.jti); err != nil {
			return nil, err
		}
	}
	if !c.nbf.IsZero() {
		if err := mapDate(doc, "issuanceDate", c.nbf, "nbf"); err != nil {
			return nil, err
		}
	} else if _, ok := doc["issuanceDate"]; !ok && !c.iat.IsZero() {
		// VCDM 1.1 maps only nbf to issuanceDate; Microsoft Entra Verified
		// ID writes iat alone. The issuer signed when it issued the token,
		// so without nbf and issuanceDate iat stands for issuanceDate.
		doc["issuanceDate"] = quoteJSON(vc.NewDateTime(c.iat.UTC()).String())
	}
	if !c.exp.IsZero() {
		if err := mapDate(doc, "expirationDate", c.exp, "exp"); err != nil {
			return nil, err
		}
	}
	return marshalDoc(doc)
}

// legacyPresentation applies the registered claims to the vp claim's object
// and takes the JWT strings out of its verifiableCredential. It returns the
// presentation's JSON and those JWTs.
func legacyPresentation(doc map[string]json.RawMessage, c claims) ([]byte, []string, error) {
	if c.hasIss {
		if err := mapID(doc, "holder", c.iss, ErrIssuerMismatch, "iss"); err != nil {
			return nil, nil, err
		}
	}
	if c.hasJTI {
		if err := mapJTI(doc, c.jti); err != nil {
			return nil, nil, err
		}
	}
	var jwts []string
	if raw, ok := doc["verifiableCredential"]; ok {
		var entries []json.RawMessage
		if raw[0] == '[' {
			if err := json.Unmarshal(raw, &entries); err != nil {
				return nil, nil, fmt.Errorf("%w: verifiableCredential: %w", ErrMalformed, err)
			}
		} else {
			entries = []json.RawMessage{raw}
		}
		if len(entries) > limits.MaxPresentationCredentials {
			return nil, nil, fmt.Errorf("%w: %d credentials in the presentation, limit %d", ErrDocument, len(entries), limits.MaxPresentationCredentials)
		}
		kept := entries[:0]
		for _, e := range entries {
			if e[0] != '"' {
				kept = append(kept, e)
				continue
			}
			var s string
			if err := json.Unmarshal(e, &s); err != nil {
				return nil, nil, fmt.Errorf("%w: verifiableCredential entry: %w", ErrMalformed, err)
			}
			jwts = append(jwts, s)
		}
		if len(kept) == 0 {
			delete(doc, "verifiableCredential")
		} else {
			b, err := json.Marshal(kept)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: verifiableCredential: %w", ErrMalformed, err)
			}
			doc["verifiableCredential"] = b
		}
	}
	data, err := marshalDoc(doc)
	return data, jwts, err
}

// mapID applies a claim that stands for a member whose value is a URL or an
// object with an id (issuer, holder): it sets the member, or the object's id,
// when absent, and refuses a different value with conflict.
func mapID(doc map[string]json.RawMessage, member, value string, conflict error, claim string) error {
	raw, ok := doc[member]
	if !ok {
		doc[member] = quoteJSON(value)
		return nil
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil && s != value {
			return fmt.Errorf("%w: %s %s, %s %s", conflict, claim, quote(value), member, quote(s))
		}
	case '{':
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil // vc.Parse reports it
		}
		if err := mapString(obj, "id", value, claim); err != nil {
			return fmt.Errorf("%w (%s.id)", err, member)
		}
		b, err := marshalDoc(obj)
		if err != nil {
			return err
		}
		doc[member] = b
	}
	return nil
}

// mapSubject applies sub to credentialSubject.id. With several subjects sub
// cannot say which one it is and is refused.
func mapSubject(doc map[string]json.RawMessage, sub string) error {
	raw, ok := doc["credentialSubject"]
	if !ok {
		doc["credentialSubject"] = json.RawMessage(`{"id":` + string(quoteJSON(sub)) + `}`)
		return nil
	}
	if raw[0] == '[' {
		var subjects []json.RawMessage
		if json.Unmarshal(raw, &subjects) != nil {
			return nil // vc.Parse reports it
		}
		if len(subjects) != 1 {
			return fmt.Errorf("%w: sub %s with %d credential subjects", ErrClaimConflict, quote(sub), len(subjects))
		}
		one := map[string]json.RawMessage{"credentialSubject": subjects[0]}
		if err := mapSubject(one, sub); err != nil {
			return err
		}
		doc["credentialSubject"] = json.RawMessage("[" + string(one["credentialSubject"]) + "]")
		return nil
	}
	return mapID(doc, "credentialSubject", sub, ErrClaimConflict, "sub")
}

// mapJTI applies jti to id. A jti that is a bare UUID (RFC 9562 section 4,
// 8-4-4-4-12 hex digits), as Microsoft Entra Verified ID writes it, is no
// URL and cannot be an id as it stands: it stands for the UUID URN
// "urn:uuid:" + jti (RFC 9562 section 4), and an id in the document must be
// that URN (or, as written, the bare UUID, which vc.Parse then refuses).
// Any other jti is the id itself.
func mapJTI(doc map[string]json.RawMessage, jti string) error {
	if isUUID(jti) {
		var id string
		if raw, ok := doc["id"]; ok && json.Unmarshal(raw, &id) == nil && id == jti {
			return nil
		}
		return mapString(doc, "id", "urn:uuid:"+jti, "jti")
	}
	return mapString(doc, "id", jti, "jti")
}

// isUUID reports whether s is a UUID in its textual form: 36 characters,
// hyphens at 8, 13, 18 and 23, hex digits elsewhere.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// mapString applies a claim that stands for a string member (id).
func mapString(doc map[string]json.RawMessage, member, value, claim string) error {
	raw, ok := doc[member]
	if !ok {
		doc[member] = quoteJSON(value)
		return nil
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil && s != value {
		err := ErrClaimConflict
		if claim == "iss" {
			err = ErrIssuerMismatch
		}
		return fmt.Errorf("%w: %s %s, %s %s", err, claim, quote(value), member, quote(s))
	}
	return nil
}

// mapDate applies nbf or exp to issuanceDate or expirationDate. VCDM 1.1
// writes NumericDates in whole seconds, so the two must name the same second.
func mapDate(doc map[string]json.RawMessage, member string, t time.Time, claim string) error {
	raw, ok := doc[member]
	if !ok {
		doc[member] = quoteJSON(vc.NewDateTime(t.UTC()).String())
		return nil
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return nil // vc.Parse reports it
	}
	d, err := vc.ParseDateTime(s)
	if err != nil {
		return nil // vc.Parse reports it
	}
	if d.Time().Unix() != t.Unix() {
		return fmt.Errorf("%w: %s %s, %s %s", ErrClaimConflict, claim, t.UTC().Format(time.RFC3339), member, quote(s))
	}
	return nil
}

func quoteJSON(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

func marshalDoc(doc map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return b, nil
}
