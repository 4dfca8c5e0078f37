package jose

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/vc"
)

// Legacy VC-JWTs of VCDM 1.1 (section 6.3.1), built here with our keys the
// way the earlier NHS staff passport's wallets hold them.
const (
	legacySubject = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
	legacyID      = "urn:uuid:0d4c6f2e-1b7a-4c1e-9d2e-6f1b2a3c4d5e"
	// legacyVC is a vc claim that leaves issuer, id, issuanceDate,
	// expirationDate and the subject's id to the registered claims.
	legacyVC = `{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential","DBSCheckCredential"],"credentialSubject":{"dbsCheck":{"level":"enhanced","barredLists":["adults"]}}}`
	// legacyClaims are the registered claims of the legacy credentials.
	legacyClaims = `{"iss":"did:web:kch.nhs.uk","sub":"` + legacySubject + `","nbf":1262304000,"exp":1893456000,"jti":"` + legacyID + `"}`
)

// legacyPayload returns the claims set legacyClaims with the vc claim v and
// member overrides (name, raw JSON value or "" to remove).
func legacyPayload(t *testing.T, v string, overrides ...string) string {
	t.Helper()
	p := withMember(t, legacyClaims, "vc", v)
	for i := 0; i+1 < len(overrides); i += 2 {
		p = withMember(t, p, overrides[i], overrides[i+1])
	}
	return p
}

func TestLegacyCredentialIsRebuiltFromItsClaims(t *testing.T) {
	signers, ring := fixedSigners(t)
	ed := signers[kidEd]
	for _, hdr := range []string{header(AlgEdDSA, kidEd, "JWT"), `{"alg":"EdDSA","kid":"` + kidEd + `"}`} {
		t.Run("a legacy VC-JWT with header "+hdr+" maps iss, sub, nbf, exp and jti", func(t *testing.T) {
			tok := signRaw(t, hdr, legacyPayload(t, legacyVC), ed)
			v, err := Verify(context.Background(), tok, verifyOptions(ring, KindAny))
			if err != nil {
				t.Fatal(err)
			}
			c := v.Credential
			if !v.Legacy || v.Kind != KindCredential || c == nil {
				t.Fatalf("Legacy %v, Kind %v", v.Legacy, v.Kind)
			}
			if c.Version() != vc.V1 {
				t.Errorf("version %v", c.Version())
			}
			for _, f := range []struct{ name, got, want string }{
				{"issuer", c.Issuer.ID, issuerDID},
				{"credentialSubject.id", strings.Join(c.SubjectIDs(), ","), legacySubject},
				{"issuanceDate", c.IssuanceDate.String(), "2010-01-01T00:00:00Z"},
				{"expirationDate", c.ExpirationDate.String(), "2030-01-01T00:00:00Z"},
				{"id", c.ID, legacyID},
				{"NotBefore", v.NotBefore.Format("2006-01-02T15:04:05Z07:00"), "2010-01-01T00:00:00Z"},
				{"Expires", v.Expires.Format("2006-01-02T15:04:05Z07:00"), "2030-01-01T00:00:00Z"},
			} {
				if f.got != f.want {
					t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
				}
			}
			if !c.ValidFrom.IsZero() || !c.ValidUntil.IsZero() {
				t.Errorf("validFrom/validUntil set on a VCDM 1.1 credential")
			}
			from, until, _ := c.ValidityPeriod()
			if !from.Equal(v.NotBefore) || !until.Equal(v.Expires) {
				t.Errorf("validity period %v to %v", from, until)
			}
		})
	}
}

func TestLegacyClaimsMayRepeatTheCredential(t *testing.T) {
	signers, ring := fixedSigners(t)
	ed := signers[kidEd]
	full := `{"@context":["https://www.w3.org/2018/credentials/v1"],"id":"` + legacyID + `","type":["VerifiableCredential"],"issuer":{"id":"did:web:kch.nhs.uk","name":"KCH"},"issuanceDate":"2010-01-01T00:00:00.250Z","expirationDate":"2030-01-01T00:00:00Z","credentialSubject":[{"id":"` + legacySubject + `","x":1}]}`
	tests := []struct {
		name string
		vc   string
	}{
		{"equal values in the vc claim are accepted (issuanceDate to the second)", full},
		{"an issuer object without id gets iss as its id", strings.Replace(full, `"id":"did:web:kch.nhs.uk",`, ``, 1)},
		{"a one-subject array without id gets sub as its id", strings.Replace(full, `"id":"`+legacySubject+`",`, ``, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Verify(context.Background(), signRaw(t, header(AlgEdDSA, kidEd, "JWT"), legacyPayload(t, tt.vc), ed), verifyOptions(ring, KindCredential))
			if err != nil {
				t.Fatal(err)
			}
			if v.Credential.Issuer.ID != issuerDID || strings.Join(v.Credential.SubjectIDs(), ",") != legacySubject {
				t.Errorf("issuer %q subjects %v", v.Credential.Issuer.ID, v.Credential.SubjectIDs())
			}
		})
	}
}

func TestLegacyCredentialRefusals(t *testing.T) {
	signers, ring := fixedSigners(t)
	ed := signers[kidEd]
	jwtHeader := header(AlgEdDSA, kidEd, "JWT")
	with := func(name, v string) string { return withMember(t, legacyVC, name, v) }
	tests := []struct {
		name  string
		token string
		kind  Kind
		want  error
	}{
		{"iss other than vc.issuer is refused", signRaw(t, jwtHeader, legacyPayload(t, with("issuer", `"did:web:evil.example"`)), ed), KindCredential, ErrIssuerMismatch},
		{"iss other than vc.issuer.id is refused", signRaw(t, jwtHeader, legacyPayload(t, with("issuer", `{"id":"did:web:evil.example"}`)), ed), KindCredential, ErrIssuerMismatch},
		{"sub other than credentialSubject.id is refused", signRaw(t, jwtHeader, legacyPayload(t, with("credentialSubject", `{"id":"did:example:other","x":1}`)), ed), KindCredential, ErrClaimConflict},
		{"sub with two subjects is refused", signRaw(t, jwtHeader, legacyPayload(t, with("credentialSubject", `[{"x":1},{"y":2}]`)), ed), KindCredential, ErrClaimConflict},
		{"jti other than id is refused", signRaw(t, jwtHeader, legacyPayload(t, with("id", `"urn:uuid:other"`)), ed), KindCredential, ErrClaimConflict},
		{"nbf other than issuanceDate is refused", signRaw(t, jwtHeader, legacyPayload(t, with("issuanceDate", `"2010-01-01T00:00:01Z"`)), ed), KindCredential, ErrClaimConflict},
		{"exp other than expirationDate is refused", signRaw(t, jwtHeader, legacyPayload(t, with("expirationDate", `"2031-01-01T00:00:00Z"`)), ed), KindCredential, ErrClaimConflict},
		{"a legacy credential without nbf or issuanceDate is refused", signRaw(t, jwtHeader, legacyPayload(t, legacyVC, "nbf", ""), ed), KindCredential, vc.ErrDate},
		{"a vc claim holding a VCDM 2.0 credential is refused", signRaw(t, jwtHeader, legacyPayload(t, strings.Replace(legacyVC, "https://www.w3.org/2018/credentials/v1", vc.ContextV2, 1), "nbf", ""), ed), KindCredential, ErrVCClaim},
		{"a vc claim that is not an object is refused", signRaw(t, jwtHeader, legacyPayload(t, `"eyJhbGciOi"`), ed), KindCredential, ErrVCClaim},
		{"vc and vp claims together are refused", signRaw(t, jwtHeader, legacyPayload(t, legacyVC, "vp", `{}`), ed), KindAny, ErrVCClaim},
		{"typ JWT without vc or vp is refused", signRaw(t, jwtHeader, legacyClaims, ed), KindAny, ErrType},
		{"a cty in a legacy token is refused", signRaw(t, `{"alg":"EdDSA","cty":"vc","kid":"`+kidEd+`","typ":"JWT"}`, legacyPayload(t, legacyVC), ed), KindAny, ErrType},
		{"a legacy credential where a presentation is expected is refused", signRaw(t, jwtHeader, legacyPayload(t, legacyVC), ed), KindPresentation, ErrType},
		{"a legacy credential of another issuer is refused by kid", signRaw(t, jwtHeader, legacyPayload(t, legacyVC, "iss", `"did:web:evil.example"`), ed), KindCredential, ErrKeyID},
		{"a legacy token with duplicate claims is refused", signRaw(t, jwtHeader, strings.Replace(legacyPayload(t, legacyVC), `"iss":`, `"iss":"did:web:evil.example","iss":`, 1), ed), KindCredential, ErrMalformed},
		{"a legacy token with alg none is refused", rawToken(`{"alg":"none","typ":"JWT"}`, legacyPayload(t, legacyVC), nil), KindCredential, ErrAlgorithmNotAllowed},
		{"a legacy token whose nbf is not a date is refused", signRaw(t, jwtHeader, legacyPayload(t, legacyVC, "nbf", `"yesterday"`), ed), KindCredential, ErrMalformed},
		{"a changed legacy claim is refused", changePayload(t, signRaw(t, jwtHeader, legacyPayload(t, legacyVC), ed), "1893456000", "1993456000"), KindCredential, ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(context.Background(), tt.token, verifyOptions(ring, tt.kind))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// changePayload replaces old with new in a token's payload and keeps its
// header and signature.
func changePayload(t *testing.T, tok, old, new string) string {
	t.Helper()
	s := segments(tok)
	p := mustB64(t, s[1])
	changed := strings.Replace(string(p), old, new, 1)
	if changed == string(p) {
		t.Fatalf("%q not in the payload", old)
	}
	return s[0] + "." + b64.EncodeToString([]byte(changed)) + "." + s[2]
}

func TestLegacyPresentationReturnsItsCredentialJWTs(t *testing.T) {
	signers, ring := fixedSigners(t)
	ed, hold := signers[kidEd], signers[kidHold]
	jwtHeader := header(AlgEdDSA, kidEd, "JWT")
	vc1 := signRaw(t, jwtHeader, legacyPayload(t, legacyVC), ed)
	vc2 := signRaw(t, jwtHeader, legacyPayload(t, legacyVC, "jti", `"urn:uuid:second"`), ed)
	embedded := `{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential"],"issuer":"did:web:kch.nhs.uk","issuanceDate":"2020-01-01T00:00:00Z","credentialSubject":{"id":"` + legacySubject + `","x":1},"proof":{"type":"Ed25519Signature2020"}}`
	vp := `{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiablePresentation"],"verifiableCredential":["` + vc1 + `",` + embedded + `,"` + vc2 + `"]}`
	claims := `{"iss":"` + holderDID + `","aud":"did:web:leeds.nhs.uk","nonce":"challenge-42","jti":"urn:uuid:vp-1","nbf":1700000000,"exp":1700000600}`
	holdHeader := header(AlgEdDSA, kidHold, "JWT")
	tok := signRaw(t, holdHeader, withMember(t, claims, "vp", vp), hold)

	v, err := Verify(context.Background(), tok, verifyOptions(ring, KindAny))
	if err != nil {
		t.Fatal(err)
	}
	p := v.Presentation
	if !v.Legacy || v.Kind != KindPresentation || p.Version() != vc.V1 {
		t.Fatalf("Legacy %v Kind %v version %v", v.Legacy, v.Kind, p.Version())
	}
	if p.Holder == nil || p.Holder.ID != holderDID || p.ID != "urn:uuid:vp-1" {
		t.Errorf("holder %+v id %q", p.Holder, p.ID)
	}
	if strings.Join(v.Audience, ",") != "did:web:leeds.nhs.uk" || v.Nonce != "challenge-42" {
		t.Errorf("aud %v nonce %q", v.Audience, v.Nonce)
	}
	if len(v.EnvelopedJWTs) != 2 || v.EnvelopedJWTs[0] != vc1 || v.EnvelopedJWTs[1] != vc2 {
		t.Fatalf("EnvelopedJWTs %d entries, want vc1 and vc2 in order", len(v.EnvelopedJWTs))
	}
	if n := p.VerifiableCredential.Len(); n != 1 || p.VerifiableCredential.Items[0].Credential == nil {
		t.Errorf("the embedded credential is not kept: %d entries", n)
	}
	for i, j := range v.EnvelopedJWTs {
		c, err := Verify(context.Background(), j, verifyOptions(ring, KindCredential))
		if err != nil {
			t.Fatalf("credential JWT %d: %v", i, err)
		}
		if c.Credential.Issuer.ID != issuerDID {
			t.Errorf("credential JWT %d issuer %q", i, c.Credential.Issuer.ID)
		}
	}

	for _, tt := range []struct {
		name  string
		token string
		want  error
	}{
		{"a legacy presentation with one JWT string verifies", signRaw(t, holdHeader, withMember(t, claims, "vp", withMember(t, vp, "verifiableCredential", `"`+vc1+`"`)), hold), nil},
		{"iss other than vp.holder is refused", signRaw(t, holdHeader, withMember(t, claims, "vp", withMember(t, vp, "holder", `"did:web:evil.example"`)), hold), ErrIssuerMismatch},
		{"jti other than vp.id is refused", signRaw(t, holdHeader, withMember(t, claims, "vp", withMember(t, vp, "id", `"urn:uuid:other"`)), hold), ErrClaimConflict},
		{"a legacy presentation signed with an issuer key is refused", signRaw(t, jwtHeader, withMember(t, claims, "vp", vp), ed), ErrKeyID},
		{"a legacy presentation over the credential limit is refused", signRaw(t, holdHeader, withMember(t, claims, "vp", withMember(t, vp, "verifiableCredential", `[`+strings.Repeat(`"x",`, 100)+`"x"]`)), hold), ErrDocument},
		{"a vp claim holding a VCDM 2.0 presentation is refused", signRaw(t, holdHeader, withMember(t, claims, "vp", strings.Replace(vp, "https://www.w3.org/2018/credentials/v1", vc.ContextV2, 1)), hold), ErrVCClaim},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(context.Background(), tt.token, verifyOptions(ring, KindPresentation))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// Microsoft Entra Verified ID writes a bare UUID as jti and iat without
// nbf: the UUID stands for its URN, and iat for issuanceDate when neither
// nbf nor issuanceDate says otherwise. PeekDocument rebuilds the same
// document without verifying.
func TestLegacyEntraJTIAndIAT(t *testing.T) {
	signers, ring := fixedSigners(t)
	ed := signers[kidEd]
	const uuid = "6C9F1F0B-2a4e-4d7c-9b61-3f2d8e5a7c10"
	tests := []struct {
		name, payload, id, issued string
		wantErr                   error
	}{
		{"a bare UUID jti", legacyPayload(t, legacyVC, "jti", `"`+uuid+`"`), "urn:uuid:" + uuid, "2010-01-01T00:00:00Z", nil},
		{"a bare UUID jti and the URN as id", legacyPayload(t, withMember(t, legacyVC, "id", `"urn:uuid:`+uuid+`"`), "jti", `"`+uuid+`"`), "urn:uuid:" + uuid, "2010-01-01T00:00:00Z", nil},
		{"a bare UUID jti and another id", legacyPayload(t, withMember(t, legacyVC, "id", `"urn:uuid:00000000-0000-0000-0000-000000000000"`), "jti", `"`+uuid+`"`), "", "", ErrClaimConflict},
		{"a UUID with a missing digit is no UUID", legacyPayload(t, legacyVC, "jti", `"`+uuid[:35]+`"`), "", "", ErrDocument},
		{"iat without nbf", legacyPayload(t, legacyVC, "nbf", "", "iat", "1577836800"), legacyID, "2020-01-01T00:00:00Z", nil},
		{"nbf wins over iat", legacyPayload(t, legacyVC, "iat", "1577836800"), legacyID, "2010-01-01T00:00:00Z", nil},
		{"iat beside an issuanceDate", legacyPayload(t, withMember(t, legacyVC, "issuanceDate", `"2019-06-01T00:00:00Z"`), "nbf", "", "iat", "1577836800"), legacyID, "2019-06-01T00:00:00Z", nil},
		{"neither nbf nor iat nor issuanceDate", legacyPayload(t, legacyVC, "nbf", ""), "", "", ErrDocument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := signRaw(t, header(AlgEdDSA, kidEd, "JWT"), tt.payload, ed)
			v, err := Verify(context.Background(), tok, verifyOptions(ring, KindAny))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Credential.ID != tt.id || v.Credential.IssuanceDate.String() != tt.issued {
				t.Errorf("id %q, issuanceDate %q", v.Credential.ID, v.Credential.IssuanceDate.String())
			}
			peeked, err := PeekDocument([]byte(tok))
			if err != nil {
				t.Fatal(err)
			}
			c, err := vc.Parse(peeked)
			if err != nil || c.ID != tt.id || c.Issuer.ID != issuerDID {
				t.Errorf("PeekDocument: %v, %+v", err, c)
			}
		})
	}
}
