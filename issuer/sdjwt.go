package issuer

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/vc/status"
)

// FormatSDJWT issues a staff credential as an SD-JWT VC (see vc/staff):
// through the registry only (IssueRecorded with Issuance.Plain, IssueOne),
// never by Issue, which has no identifiers to disclose.
const FormatSDJWT Format = "dc+sd-jwt"

// TokenListURL is the URL of the IETF Token Status List an organisation
// publishes beside the Bitstring Status List at listURL: the same bits, for
// SD-JWT VCs (PublishTokenList writes it).
func TokenListURL(listURL string) string { return listURL + ".statuslist" }

// ErrNotStaff means an SD-JWT VC was asked for a credential that is not a
// staff credential.
var ErrNotStaff = errors.New("issuer: SD-JWT VCs are issued for staff credentials only")

// signSDJWT makes the SD-JWT VC of the staff credential cred, reserved as
// rec: its subject's claims with the identifiers of plain in place of their
// placeholder hashes, selectively disclosable with the date of birth; iss,
// vct, iat, nbf, exp, jti, sub, the holder's key (from the subject's did:key
// or did:jwk) in cnf, and its revocation entry as a Token Status List
// reference. An SD-JWT VC refers to one status list: it is revocable, and
// cannot be suspended.
func signSDJWT(cred *vc.Credential, rec *registry.Record, plain map[string]string, signer keys.Signer, now time.Time) ([]byte, error) {
	if len(cred.CredentialSubject.Items) != 1 || cred.CredentialSubject.Items[0].ID == "" {
		return nil, fmt.Errorf("%w: an SD-JWT VC is about one subject with an id", ErrNotStaff)
	}
	subject, err := subjectMap(cred.CredentialSubject.Items[0])
	if err != nil {
		return nil, err
	}
	claims, disclosable, err := staff.SDJWTClaims(subject, plain)
	if err != nil {
		return nil, err
	}
	sub := cred.CredentialSubject.Items[0].ID
	holder, err := walletKey(sub)
	if err != nil {
		return nil, err
	}
	jwk, err := keys.MarshalPublicJWK(holder)
	if err != nil {
		return nil, err
	}
	from, until, err := cred.ValidityPeriod()
	if err != nil {
		return nil, err
	}
	claims["iss"] = cred.Issuer.ID
	claims["vct"] = staff.VCT(CredentialType(cred))
	claims["iat"] = now.Unix()
	claims["jti"] = rec.CredentialID
	claims["sub"] = sub
	claims["cnf"] = map[string]any{"jwk": json.RawMessage(jwk)}
	if !from.IsZero() {
		claims["nbf"] = from.Unix()
	}
	if !until.IsZero() {
		claims["exp"] = until.Unix()
	}
	for _, a := range rec.Status {
		if a.Purpose == status.PurposeRevocation {
			claims["status"] = map[string]any{"status_list": map[string]any{"idx": a.Index, "uri": TokenListURL(a.ListURL)}}
		}
	}
	out, _, err := sdjwt.Issue(claims, disclosable, sdjwt.TypeSDJWTVC, signer)
	if err != nil {
		return nil, err
	}
	return []byte(out), nil
}

// walletKey is the public key of a member of staff's did:key or did:jwk.
func walletKey(id string) (any, error) {
	d, err := did.Parse(id)
	if err != nil {
		return nil, err
	}
	switch d.Method() {
	case didkey.Method:
		return didkey.PublicKey(id)
	case didjwk.Method:
		return didjwk.PublicKey(id)
	}
	return nil, fmt.Errorf("%w: the subject %s is not a did:key or did:jwk, so no wallet key can be bound (cnf)", ErrNotStaff, id)
}

// sdjwtClaimsOf returns the claims of a stored SD-JWT VC with every
// Disclosure in place, without its registered claims.
func sdjwtClaimsOf(stored []byte) (map[string]any, error) {
	c, err := sdjwt.Split(string(stored))
	if err != nil {
		return nil, err
	}
	u, err := jose.ParseUnverified(c.JWT)
	if err != nil {
		return nil, err
	}
	var payload map[string]any
	dec := json.NewDecoder(strings.NewReader(string(u.Payload)))
	dec.UseNumber()
	if err := dec.Decode(&payload); err != nil {
		return nil, err
	}
	claims, _, err := sdjwt.Process(payload, c.Disclosures)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"iss", "vct", "iat", "nbf", "exp", "jti", "sub", "cnf", "status"} {
		delete(claims, k)
	}
	return claims, nil
}

// checkIssuedSDJWT reports whether the SD-JWT VC stored for the row's
// issuance key says what the row says.
func (b *batch) checkIssuedSDJWT(r *staff.Row, stored []byte) error {
	claims, plain, err := r.PlaceholderClaims()
	if err != nil {
		return err
	}
	cred, err := staff.NewCredential(claims, staff.Meta{Issuer: b.issuer, Subject: r.Subject, ValidFrom: b.opts.Clock()})
	if err != nil {
		return err
	}
	subject, err := subjectMap(cred.CredentialSubject.Items[0])
	if err != nil {
		return err
	}
	want, _, err := staff.SDJWTClaims(subject, plain)
	if err != nil {
		return err
	}
	got, err := sdjwtClaimsOf(stored)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(roundTripJSON(want), roundTripJSON(got)) {
		return errors.New("other values")
	}
	return nil
}

func roundTripJSON(v any) any {
	b, _ := json.Marshal(v)
	var out any
	json.Unmarshal(b, &out)
	return out
}

// subjectMap is a credential subject as a JSON object (numbers kept as
// written).
func subjectMap(sub vc.Subject) (map[string]any, error) {
	out := make(map[string]any, len(sub.Claims)+1)
	for k, raw := range sub.Claims {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	if sub.ID != "" {
		out["id"] = sub.ID
	}
	return out, nil
}
