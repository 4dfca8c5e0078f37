package sdjwt

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/keys"
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// RFC 9901 section 4.2.1's example Disclosure and its digest.
func TestRFC9901Disclosure(t *testing.T) {
	const enc = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
	d, err := ParseDisclosure(enc)
	if err != nil {
		t.Fatal(err)
	}
	if d.Salt != "_26bc4LT-ac6q2KI6cBW5es" || d.Name != "family_name" || d.Value != "Möbius" || d.Element {
		t.Fatalf("%+v", d)
	}
	if got := d.Digest(); got != "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0" {
		t.Fatalf("digest %s", got)
	}
}

type party struct {
	signer keys.Signer
	jwk    map[string]any
}

func newParty(t testing.TB, kid string) *party {
	t.Helper()
	k, err := keys.Generate(keys.P256)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(k, kid)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := keys.MarshalPublicJWK(k.Public())
	var m map[string]any
	json.Unmarshal(b, &m)
	return &party{signer: s, jwk: m}
}

func staffClaims(holder *party) map[string]any {
	return map[string]any{
		"iss": "did:web:kch.nhs.uk", "vct": "https://w3id.org/staffpass/vct/DBSCheck", "iat": now.Unix(),
		"cnf":          map[string]any{"jwk": holder.jwk},
		"given_name":   "Sam",
		"birthdate":    "1990-04-01",
		"dbs":          map[string]any{"level": "enhanced", "certificateNumber": "001234567890", "barredLists": []any{"adults"}},
		"workforce":    "adult",
		"large_number": json.Number("9007199254740991"),
	}
}

var staffDisclosable = []string{"/given_name", "/birthdate", "/dbs", "/dbs/certificateNumber", "/workforce"}

func verifyOpts(issuer *party, kb bool) VerifyOptions {
	return VerifyOptions{
		Types: []string{TypeSDJWTVC}, Algorithms: jose.DefaultAlgorithms(),
		IssuerKey: func(_ context.Context, kid string, _ map[string]any) (crypto.PublicKey, error) {
			if kid != issuer.signer.KeyID() {
				return nil, errors.New("unknown kid")
			}
			return issuer.signer.Public(), nil
		},
		RequireKeyBinding: kb, Audience: "https://bank.gstt.nhs.uk", Nonce: "n-0S6_WzA2Mj",
		Now: now, MaxAge: 5 * time.Minute, Skew: time.Minute,
	}
}

func kbOf(holder *party) *KeyBinding {
	return &KeyBinding{Signer: holder.signer, Audience: "https://bank.gstt.nhs.uk", Nonce: "n-0S6_WzA2Mj", IssuedAt: now}
}

func TestIssuePresentVerify(t *testing.T) {
	issuer, holder := newParty(t, "did:web:kch.nhs.uk#key-1"), newParty(t, "did:jwk:holder#0")
	claims := staffClaims(holder)
	sd, ds, err := Issue(claims, staffDisclosable, TypeSDJWTVC, issuer.signer)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 5 {
		t.Fatalf("%d Disclosures", len(ds))
	}
	// The payload holds no concealed value.
	c, _ := Split(sd)
	u, _ := jose.ParseUnverified(c.JWT)
	for _, secret := range []string{"001234567890", "1990-04-01", "Sam", "enhanced"} {
		if strings.Contains(string(u.Payload), secret) {
			t.Errorf("the payload shows %q", secret)
		}
	}
	if !strings.Contains(string(u.Payload), `"_sd_alg":"sha-256"`) || !strings.Contains(string(u.Payload), "9007199254740991") {
		t.Errorf("payload %s", u.Payload)
	}

	// Everything disclosed: the claims come back as issued.
	v, err := Verify(context.Background(), sd, verifyOpts(issuer, false))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(roundTrip(t, v.Claims), roundTrip(t, claims)) {
		t.Errorf("claims %v\nwant %v", v.Claims, claims)
	}
	if v.KeyBound || v.HolderKey == nil {
		t.Errorf("KeyBound %v HolderKey %v", v.KeyBound, v.HolderKey)
	}

	// The holder shows the DBS level and not the certificate number, bound
	// to the verifier's nonce and audience.
	pres, err := Present(sd, func(p string) bool { return p == "/dbs" }, kbOf(holder))
	if err != nil {
		t.Fatal(err)
	}
	v, err = Verify(context.Background(), pres, verifyOpts(issuer, true))
	if err != nil {
		t.Fatal(err)
	}
	dbs := v.Claims["dbs"].(map[string]any)
	if dbs["level"] != "enhanced" || dbs["certificateNumber"] != nil || v.Claims["given_name"] != nil || v.Claims["birthdate"] != nil {
		t.Errorf("claims %v", v.Claims)
	}
	if !v.KeyBound || !v.KeyBindingIssuedAt.Equal(now) || !reflect.DeepEqual(v.Disclosed, []string{"/dbs"}) {
		t.Errorf("KeyBound %v at %v, disclosed %v", v.KeyBound, v.KeyBindingIssuedAt, v.Disclosed)
	}
	// Keeping a claim inside a concealed object keeps the object.
	pres, _ = Present(sd, func(p string) bool { return p == "/dbs/certificateNumber" }, nil)
	v, err = Verify(context.Background(), pres, verifyOpts(issuer, false))
	if err != nil || v.Claims["dbs"].(map[string]any)["certificateNumber"] != "001234567890" {
		t.Fatalf("%v %v", err, v)
	}
}

func roundTrip(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// signPayload signs a hand-made payload, for the SD-JWTs Issue never makes.
func signPayload(t *testing.T, issuer *party, payload string, ds ...string) string {
	t.Helper()
	jwt, err := jose.SignDocument([]byte(payload), TypeSDJWTVC, issuer.signer, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return jwt + "~" + strings.Join(append(ds, ""), "~")
}

func disclosure(t *testing.T, parts ...any) (string, string) {
	t.Helper()
	b, _ := json.Marshal(parts)
	enc := base64.RawURLEncoding.EncodeToString(b)
	return enc, digest(enc)
}

func TestVerifyRefusesHostileSDJWTs(t *testing.T) {
	issuer, holder := newParty(t, "did:web:kch.nhs.uk#key-1"), newParty(t, "did:jwk:holder#0")
	other := newParty(t, "did:web:kch.nhs.uk#key-1")
	sd, _, err := Issue(staffClaims(holder), staffDisclosable, TypeSDJWTVC, issuer.signer)
	if err != nil {
		t.Fatal(err)
	}
	otherSD, _, _ := Issue(staffClaims(holder), staffDisclosable, TypeSDJWTVC, issuer.signer)
	otherC, _ := Split(otherSD)
	c, _ := Split(sd)

	dName, hName := disclosure(t, "salt-salt-salt-1", "given_name", "Sam")
	dElem, hElem := disclosure(t, "salt-salt-salt-2", "adults")
	dIss, hIss := disclosure(t, "salt-salt-salt-3", "iss", "did:web:evil.example")

	tests := []struct {
		name string
		in   string
		want error
	}{
		{"an _sd_alg other than sha-256", signPayload(t, issuer, `{"_sd_alg":"sha-512","_sd":["`+hName+`"]}`, dName), ErrHashAlgorithm},
		{"a digest twice in one _sd", signPayload(t, issuer, `{"_sd":["`+hName+`","`+hName+`"]}`, dName), ErrDuplicateDigest},
		{"a digest in two places", signPayload(t, issuer, `{"_sd":["`+hName+`"],"x":{"_sd":["`+hName+`"]}}`, dName), ErrDuplicateDigest},
		{"an undisclosed digest twice", signPayload(t, issuer, `{"_sd":["`+hElem+`"],"x":[{"...":"`+hElem+`"}]}`), ErrDuplicateDigest},
		{"a Disclosure no digest refers to", sd[:len(sd)] + otherC.Disclosures[0].Encoded + "~", ErrUnreferenced},
		{"a Disclosure given twice", sd + c.Disclosures[0].Encoded + "~", ErrMalformed},
		{"a disclosed name the object has", signPayload(t, issuer, `{"given_name":"Alex","_sd":["`+hName+`"]}`, dName), ErrMalformed},
		{"a disclosure that would overwrite iss", signPayload(t, issuer, `{"iss":"did:web:kch.nhs.uk","_sd":["`+hIss+`"]}`, dIss), ErrMalformed},
		{"an element's Disclosure for a property digest", signPayload(t, issuer, `{"_sd":["`+hElem+`"]}`, dElem), ErrMalformed},
		{"a property's Disclosure for an element digest", signPayload(t, issuer, `{"a":[{"...":"`+hName+`"}]}`, dName), ErrMalformed},
		{"a ... element with another member", signPayload(t, issuer, `{"a":[{"...":"`+hElem+`","b":1}]}`, dElem), ErrMalformed},
		{"_sd that is not an array", signPayload(t, issuer, `{"_sd":"`+hName+`"}`, dName), ErrMalformed},
		{"_sd holding a number", signPayload(t, issuer, `{"_sd":[1]}`), ErrMalformed},
		{"a Disclosure of a _sd claim", func() string {
			d, h := disclosure(t, "s", "_sd", []any{})
			return signPayload(t, issuer, `{"_sd":["`+h+`"]}`, d)
		}(), ErrMalformed},
		{"a Disclosure of four elements", func() string {
			d, h := disclosure(t, "s", "a", 1, 2)
			return signPayload(t, issuer, `{"_sd":["`+h+`"]}`, d)
		}(), ErrMalformed},
		{"a Disclosure whose salt is a number", func() string { d, h := disclosure(t, 7, "a", 1); return signPayload(t, issuer, `{"_sd":["`+h+`"]}`, d) }(), ErrMalformed},
		{"a Disclosure in padded base64url", sd + c.Disclosures[0].Encoded[:len(c.Disclosures[0].Encoded)-1] + "=~", ErrMalformed},
		{"a Disclosure with a changed value", strings.Replace(sd, c.Disclosures[0].Encoded, reencode(t, c.Disclosures[0], "forged"), 1), ErrUnreferenced},
		{"an empty Disclosure", c.JWT + "~~", ErrMalformed},
		{"no ~", c.JWT, ErrMalformed},
		{"signed by another key", func() string {
			jwt, _ := jose.SignDocument(mustPayload(t, c.JWT), TypeSDJWTVC, other.signer, 1<<20)
			return jwt + sd[len(c.JWT):]
		}(), ErrSignature},
		{"typ vc+jwt", func() string {
			jwt, _ := jose.SignDocument(mustPayload(t, c.JWT), "vc+jwt", issuer.signer, 1<<20)
			return jwt + sd[len(c.JWT):]
		}(), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(context.Background(), tt.in, verifyOpts(issuer, false))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func reencode(t *testing.T, d Disclosure, value any) string {
	enc, _ := disclosure(t, d.Salt, d.Name, value)
	return enc
}

func mustPayload(t *testing.T, jwt string) []byte {
	u, err := jose.ParseUnverified(jwt)
	if err != nil {
		t.Fatal(err)
	}
	return u.Payload
}

func TestKeyBindingRefusals(t *testing.T) {
	issuer, holder, thief := newParty(t, "did:web:kch.nhs.uk#key-1"), newParty(t, "did:jwk:holder#0"), newParty(t, "did:jwk:thief#0")
	sd, _, err := Issue(staffClaims(holder), staffDisclosable, TypeSDJWTVC, issuer.signer)
	if err != nil {
		t.Fatal(err)
	}
	present := func(kb *KeyBinding) string {
		p, err := Present(sd, func(string) bool { return true }, kb)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	withKB := func(change func(*KeyBinding)) string {
		kb := kbOf(holder)
		change(kb)
		return present(kb)
	}
	good := withKB(func(*KeyBinding) {})
	gc, _ := Split(good)
	tests := []struct {
		name string
		in   string
		opts func(*VerifyOptions)
	}{
		{"none when one is required", present(nil), nil},
		{"another nonce", withKB(func(kb *KeyBinding) { kb.Nonce = "replayed" }), nil},
		{"another audience", withKB(func(kb *KeyBinding) { kb.Audience = "https://evil.example" }), nil},
		{"signed by another key", withKB(func(kb *KeyBinding) { kb.Signer = thief.signer }), nil},
		{"too old", withKB(func(kb *KeyBinding) { kb.IssuedAt = now.Add(-time.Hour) }), nil},
		{"from the future", withKB(func(kb *KeyBinding) { kb.IssuedAt = now.Add(time.Hour) }), nil},
		{"a Disclosure dropped after binding", gc.JWT + "~" + gc.Disclosures[1].Encoded + "~" + gc.KeyBinding, nil},
		{"a verifier with no nonce", good, func(o *VerifyOptions) { o.Nonce = "" }},
		{"a KB-JWT of typ JWT", func() string {
			claims := mustPayload(t, gc.KeyBinding)
			jwt, _ := jose.SignDocument(claims, "JWT", holder.signer, 1<<20)
			return good[:len(good)-len(gc.KeyBinding)] + jwt
		}(), nil},
		{"a KB-JWT without sd_hash", func() string {
			jwt, _ := jose.SignDocument([]byte(`{"iat":`+itoa(now.Unix())+`,"aud":"https://bank.gstt.nhs.uk","nonce":"n-0S6_WzA2Mj"}`), TypeKeyBinding, holder.signer, 1<<20)
			return good[:len(good)-len(gc.KeyBinding)] + jwt
		}(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := verifyOpts(issuer, true)
			if tt.opts != nil {
				tt.opts(&o)
			}
			if _, err := Verify(context.Background(), tt.in, o); !errors.Is(err, ErrKeyBinding) {
				t.Fatalf("err = %v, want ErrKeyBinding", err)
			}
		})
	}
	if _, err := Verify(context.Background(), good, verifyOpts(issuer, true)); err != nil {
		t.Fatalf("the good one: %v", err)
	}
	// A credential that binds no key cannot be key-bound.
	claims := staffClaims(holder)
	delete(claims, "cnf")
	unbound, _, _ := Issue(claims, nil, TypeSDJWTVC, issuer.signer)
	p, _ := Present(unbound, func(string) bool { return true }, kbOf(holder))
	if _, err := Verify(context.Background(), p, verifyOpts(issuer, true)); !errors.Is(err, ErrKeyBinding) {
		t.Fatalf("no cnf: %v", err)
	}
}

func itoa(i int64) string { b, _ := json.Marshal(i); return string(b) }

func TestIssueRefusesWhatItCannotConceal(t *testing.T) {
	issuer, holder := newParty(t, "did:web:kch.nhs.uk#key-1"), newParty(t, "did:jwk:holder#0")
	for _, p := range []string{"given_name", "/nothing", "/given_name/x", "/"} {
		if _, _, err := Issue(staffClaims(holder), []string{p}, TypeSDJWTVC, issuer.signer); err == nil {
			t.Errorf("%q: issued", p)
		}
	}
	claims := staffClaims(holder)
	claims["_sd"] = []any{}
	if _, _, err := Issue(claims, nil, TypeSDJWTVC, issuer.signer); !errors.Is(err, ErrMalformed) {
		t.Errorf("claims with _sd: %v", err)
	}
}
