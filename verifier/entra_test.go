package verifier_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secp256k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc/status"
	"github.com/staffpass/staffpass/verifier"
)

// Credentials shaped as Microsoft Entra Verified ID issues them (the NHS
// Digital Staff Passport): VC-JWT of VCDM 1.1 with typ JWT, the credential
// in the vc claim, iss, sub, iat, nbf, exp, a bare UUID jti; signed ES256K
// (secp256k1), ES256 or EdDSA by a key a did:web (or did:ion) document lists
// as EcdsaSecp256k1VerificationKey2019 or JsonWebKey2020 under a fragment id;
// status as a StatusList2021Entry, or an Entra RevocationList2021Status.

const (
	entraDID  = "did:web:verifiedid.staffpassport.nhs.example"
	entraList = "https://status.staffpassport.nhs.example/lists/7"
	entraJTI  = "6c9f1f0b-2a4e-4d7c-9b61-3f2d8e5a7c10"
)

// entraKey signs as Entra would with one of its key types.
type entraKey struct {
	alg, kid, vmType string
	jwk              []byte
	sign             func(input []byte) []byte
}

func entraSecp256k1(t *testing.T, kid string) (*entraKey, *secp256k1.PrivateKey) {
	priv, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := keys.MarshalPublicJWK(priv.PubKey())
	if err != nil {
		t.Fatal(err)
	}
	return &entraKey{alg: "ES256K", kid: kid, vmType: did.TypeEcdsaSecp256k1VerificationKey2019, jwk: jwk, sign: func(input []byte) []byte {
		h := sha256.Sum256(input)
		sig := secp256k1ecdsa.Sign(priv, h[:])
		r, s := sig.R(), sig.S()
		out := make([]byte, 64)
		r.PutBytesUnchecked(out[:32])
		s.PutBytesUnchecked(out[32:])
		return out
	}}, priv
}

func entraStd(t *testing.T, kt keys.KeyType, kid string) *entraKey {
	key, err := keys.Generate(kt)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := keys.MarshalPublicJWK(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return &entraKey{alg: kt.Algorithm(), kid: kid, vmType: did.TypeJSONWebKey2020, jwk: jwk, sign: func(input []byte) []byte {
		sig, err := keys.SignP1363(key, input)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}}
}

// entraDocument is the issuer's DID document, its keys under fragment ids.
func entraDocument(t *testing.T, id string, ks ...*entraKey) *did.Document {
	var vms, refs []string
	for _, k := range ks {
		frag := k.kid[strings.IndexByte(k.kid, '#'):]
		vms = append(vms, `{"id":"`+frag+`","controller":"`+id+`","type":"`+k.vmType+`","publicKeyJwk":`+string(k.jwk)+`}`)
		refs = append(refs, `"`+frag+`"`)
	}
	doc, err := did.ParseDocument([]byte(`{"@context":["https://www.w3.org/ns/did/v1"],"id":"` + id + `",
		"verificationMethod":[` + strings.Join(vms, ",") + `],
		"authentication":[` + strings.Join(refs, ",") + `],"assertionMethod":[` + strings.Join(refs, ",") + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// entraToken signs claims with k under the header Entra writes.
func entraToken(t *testing.T, k *entraKey, header map[string]any, claims map[string]any) []byte {
	t.Helper()
	h := map[string]any{"alg": k.alg, "kid": k.kid, "typ": "JWT"}
	for name, v := range header {
		if v == nil {
			delete(h, name)
		} else {
			h[name] = v
		}
	}
	hb, _ := json.Marshal(h)
	cb, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(hb) + "." + enc.EncodeToString(cb)
	return []byte(input + "." + enc.EncodeToString(k.sign([]byte(input))))
}

// entraClaims is a staff passport credential's claims set; change edits it.
func entraClaims(iss string, status any, change func(claims, vc map[string]any)) map[string]any {
	vc := map[string]any{
		"@context": []any{"https://www.w3.org/2018/credentials/v1"},
		"type":     []any{"VerifiableCredential", "NHSStaffPassportIdentity"},
		"credentialSubject": map[string]any{
			"firstName": "Sam", "lastName": "Example", "employer": "King's College Hospital",
		},
	}
	if status != nil {
		vc["credentialStatus"] = status
	}
	claims := map[string]any{
		"vc": vc, "jti": entraJTI, "iss": iss,
		"sub": "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9",
		"iat": now.Add(-24 * time.Hour).Unix(), "nbf": now.Add(-24 * time.Hour).Unix(),
		"exp": now.Add(365 * 24 * time.Hour).Unix(),
	}
	if change != nil {
		change(claims, vc)
	}
	return claims
}

func entryOf(index int) map[string]any {
	return map[string]any{
		"id": entraList + "#" + itoa(index), "type": "StatusList2021Entry", "statusPurpose": "revocation",
		"statusListIndex": itoa(index), "statusListCredential": entraList,
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// entraStatusList is the issuer's StatusList2021Credential with the given
// bits set, as a VC-JWT signed by k.
func entraStatusList(t *testing.T, k *entraKey, iss string, set ...int) []byte {
	t.Helper()
	l, err := status.New(status.MinEntries)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range set {
		l.Set(i, true)
	}
	enc, err := l.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return entraToken(t, k, nil, map[string]any{
		"iss": iss, "jti": entraList, "nbf": now.Add(-time.Hour).Unix(), "exp": now.Add(24 * time.Hour).Unix(),
		"vc": map[string]any{
			"@context": []any{"https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1"},
			"type":     []any{"VerifiableCredential", "StatusList2021Credential"},
			"credentialSubject": map[string]any{
				"id": entraList + "#list", "type": "StatusList2021", "statusPurpose": "revocation",
				"encodedList": enc[1:], // StatusList2021: no multibase prefix
			},
		},
	})
}

func entraVerifier(t *testing.T, doc *did.Document, lists ...[]byte) *verifier.Verifier {
	t.Helper()
	static := &did.StaticResolver{}
	if err := static.Add(doc.ID, doc); err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Trust{
		Issuers:     []string{doc.ID},
		Resolver:    did.Router{"web": static, "ion": static, didkey.Method: didkey.Resolver{}, didjwk.Method: didjwk.Resolver{}},
		StatusLists: lists,
	}, verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEntraVerifiedIDCredentialsVerify(t *testing.T) {
	k1, _ := entraSecp256k1(t, entraDID+"#vcSigningKey-4f1e2")
	p256 := entraStd(t, keys.P256, entraDID+"#vcSigningKey-p256")
	ed := entraStd(t, keys.Ed25519, entraDID+"#vcSigningKey-ed")
	doc := entraDocument(t, entraDID, k1, p256, ed)
	v := entraVerifier(t, doc, entraStatusList(t, k1, entraDID, 42))

	for _, k := range []*entraKey{k1, p256, ed} {
		t.Run(k.alg, func(t *testing.T) {
			tok := entraToken(t, k, nil, entraClaims(entraDID, entryOf(7), nil))
			r, err := v.Verify(context.Background(), tok, verifier.Policy{})
			if err != nil {
				t.Fatalf("%v\n%s", err, resultText(r))
			}
			if r.Format != "vc-jwt-1.1" || r.Issuer != entraDID || r.ID != "urn:uuid:"+entraJTI {
				t.Errorf("format %q, issuer %q, id %q", r.Format, r.Issuer, r.ID)
			}
			if c := r.Check(verifier.CheckStatus); c == nil || c.Status != verifier.Passed {
				t.Errorf("status check %+v", c)
			}
		})
	}

	// Revoked in its StatusList2021 list.
	tok := entraToken(t, k1, nil, entraClaims(entraDID, entryOf(42), nil))
	if _, err := v.Verify(context.Background(), tok, verifier.Policy{}); !errors.Is(err, verifier.ErrRevoked) {
		t.Errorf("entry 42 is set: err = %v, want ErrRevoked", err)
	}
	// Without a credentialStatus, and with iat but no nbf (Entra's iat is
	// then its issuanceDate).
	tok = entraToken(t, k1, nil, entraClaims(entraDID, nil, func(c, _ map[string]any) { delete(c, "nbf") }))
	if r, err := v.Verify(context.Background(), tok, verifier.Policy{}); err != nil {
		t.Errorf("no nbf: %v\n%s", err, resultText(r))
	}
	// A jti that is already a URN is the id as it stands.
	tok = entraToken(t, k1, nil, entraClaims(entraDID, nil, func(c, _ map[string]any) { c["jti"] = "urn:pic:6c9f1f0b2a4e4d7c" }))
	if r, err := v.Verify(context.Background(), tok, verifier.Policy{}); err != nil || r.ID != "urn:pic:6c9f1f0b2a4e4d7c" {
		t.Errorf("a urn jti: %v, id %q", err, r.ID)
	}
}

// A did:ion issuer's document cannot be resolved offline (ION anchors in
// Bitcoin): it comes from a trust bundle or the caller's own resolver.
// Without one the credential is refused, saying so.
func TestEntraDIDIonIssuer(t *testing.T) {
	const ion = "did:ion:EiClkZMDxPKqC9c-umQfTkR8vvZ9JPhl_xLDI9Nfk38w5w"
	k1, _ := entraSecp256k1(t, ion+"#sig_1f0b2a4e")
	doc := entraDocument(t, ion, k1)
	tok := entraToken(t, k1, nil, entraClaims(ion, nil, nil))
	if r, err := entraVerifier(t, doc).Verify(context.Background(), tok, verifier.Policy{}); err != nil {
		t.Fatalf("with its document: %v\n%s", err, resultText(r))
	}
	// A verifier trusting it but holding no document for it.
	v, err := verifier.New(verifier.Trust{Issuers: []string{ion}}, verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.Verify(context.Background(), tok, verifier.Policy{})
	if err == nil {
		t.Fatal("a did:ion issuer without its document verified")
	}
	if c := r.Check(verifier.CheckVerificationMethod); c == nil || c.Status != verifier.Failed || !strings.Contains(c.Reason, "ion") {
		t.Errorf("verification-method check %+v", c)
	}
}

// Each thing the verifier cannot check in an Entra-shaped token fails
// closed, naming it.
func TestEntraUnsupportedFeaturesFailClosed(t *testing.T) {
	k1, _ := entraSecp256k1(t, entraDID+"#vcSigningKey-4f1e2")
	p256 := entraStd(t, keys.P256, entraDID+"#vcSigningKey-p256")
	doc := entraDocument(t, entraDID, k1, p256)
	other, _ := entraSecp256k1(t, "did:web:someone-else.example#key-1")
	v := entraVerifier(t, doc, entraStatusList(t, k1, entraDID))
	liar := *p256
	liar.alg = "ES256K" // a P-256 key under alg ES256K
	forged := *k1
	forged.sign = other.sign // the issuer's kid, another key's signature

	rl2021 := map[string]any{"id": "urn:uuid:5f2b9c1e-0d3a-4b7e-8c6f-1a2b3c4d5e6f?bit-index=7", "type": "RevocationList2021Status", "statusListIndex": "7"}
	tests := []struct {
		name   string
		tok    []byte
		want   error
		reason string
	}{
		{"RevocationList2021Status", entraToken(t, k1, nil, entraClaims(entraDID, rl2021, nil)), verifier.ErrStatus, "RevocationList2021Status"},
		{"an entry whose list was not given", entraToken(t, k1, nil, entraClaims(entraDID, map[string]any{
			"id": "https://status.example/other#3", "type": "StatusList2021Entry", "statusPurpose": "revocation",
			"statusListIndex": "3", "statusListCredential": "https://status.example/other"}, nil)), verifier.ErrStatus, "was not given"},
		{"an entry of a purpose StatusList2021 does not define", entraToken(t, k1, nil, entraClaims(entraDID, func() map[string]any {
			e := entryOf(7)
			e["statusPurpose"] = "expiry"
			return e
		}(), nil)), verifier.ErrStatus, "expiry"},
		{"ES256K with a P-256 key", entraToken(t, &liar, nil, entraClaims(entraDID, nil, nil)), nil, "ES256K"},
		{"ES256K signed by another key", entraToken(t, &forged, nil, entraClaims(entraDID, nil, nil)), nil, "signature"},
		{"ES512", entraToken(t, p256, map[string]any{"alg": "ES512"}, entraClaims(entraDID, nil, nil)), nil, "ES512"},
		{"RS256", entraToken(t, p256, map[string]any{"alg": "RS256"}, entraClaims(entraDID, nil, nil)), nil, "RS256"},
		{"a crit header", entraToken(t, k1, map[string]any{"crit": []any{"exp"}}, entraClaims(entraDID, nil, nil)), nil, "crit"},
		{"a jti that is neither a UUID nor a URL", entraToken(t, k1, nil, entraClaims(entraDID, nil, func(c, _ map[string]any) { c["jti"] = "6c9f1f0b" })), nil, "id"},
		{"iss another DID than the key's", entraToken(t, k1, nil, entraClaims("did:web:someone-else.example", nil, nil)), nil, "someone-else"},
		{"sub and credentialSubject.id differ", entraToken(t, k1, nil, entraClaims(entraDID, nil, func(_, vc map[string]any) {
			vc["credentialSubject"].(map[string]any)["id"] = "did:jwk:another"
		})), nil, "sub"},
		{"expired", entraToken(t, k1, nil, entraClaims(entraDID, nil, func(c, _ map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() })), verifier.ErrExpired, ""},
		{"a VCDM 2.0 credential in the vc claim", entraToken(t, k1, nil, entraClaims(entraDID, nil, func(_, vc map[string]any) {
			vc["@context"] = []any{"https://www.w3.org/ns/credentials/v2"}
		})), nil, "1.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := v.Verify(context.Background(), tt.tok, verifier.Policy{})
			if err == nil {
				t.Fatalf("verified:\n%s", resultText(r))
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if tt.reason != "" && !strings.Contains(err.Error(), tt.reason) && !strings.Contains(resultText(r), tt.reason) {
				t.Errorf("neither the error nor the result names %q:\n%v\n%s", tt.reason, err, resultText(r))
			}
		})
	}

	// A StatusList2021 list signed by another issuer's key is not the
	// issuer's list.
	alien := entraStatusList(t, other, "did:web:someone-else.example", 7)
	v2 := entraVerifier(t, doc, alien)
	tok := entraToken(t, k1, nil, entraClaims(entraDID, entryOf(7), nil))
	if _, err := v2.Verify(context.Background(), tok, verifier.Policy{}); !errors.Is(err, verifier.ErrStatus) {
		t.Errorf("a list by another issuer: %v", err)
	}
	// An EcdsaSecp256k1VerificationKey2019 holding a P-256 key.
	bad := *p256
	bad.vmType = did.TypeEcdsaSecp256k1VerificationKey2019
	bad.kid = entraDID + "#mislabelled"
	v3 := entraVerifier(t, entraDocument(t, entraDID, &bad))
	if _, err := v3.Verify(context.Background(), entraToken(t, &bad, nil, entraClaims(entraDID, nil, nil)), verifier.Policy{}); err == nil {
		t.Error("a P-256 key labelled EcdsaSecp256k1VerificationKey2019 verified")
	}
}

func resultText(r *verifier.Result) string {
	b, _ := json.MarshalIndent(r, "", "  ")
	return string(b)
}

// The way a receiving trust holds an Entra did:ion issuer: its DID document
// and StatusList2021 list, from files, in a signed trust bundle listing it
// for the passport's types. A type the bundle does not list is refused.
func TestEntraDIDIonIssuerFromATrustBundle(t *testing.T) {
	const ion = "did:ion:EiClkZMDxPKqC9c-umQfTkR8vvZ9JPhl_xLDI9Nfk38w5w"
	const list = "https://beta.eu.did.msidentity.example/status/ion-7"
	k1, _ := entraSecp256k1(t, ion+"#sig_1f0b2a4e")
	doc := entraDocument(t, ion, k1)
	docJSON, _ := json.Marshal(doc)
	statusList := func(set ...int) []byte {
		l, _ := status.New(status.MinEntries)
		for _, i := range set {
			l.Set(i, true)
		}
		enc, _ := l.Encode()
		return entraToken(t, k1, nil, map[string]any{
			"iss": ion, "jti": list, "nbf": now.Add(-time.Hour).Unix(), "exp": now.Add(24 * time.Hour).Unix(),
			"vc": map[string]any{
				"@context": []any{"https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1"},
				"type":     []any{"VerifiableCredential", "StatusList2021Credential"},
				"credentialSubject": map[string]any{"id": list + "#list", "type": "StatusList2021",
					"statusPurpose": "revocation", "encodedList": enc[1:]},
			},
		})
	}
	pubKey, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := didkey.New(pubKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keys.NewSigner(pubKey, pub.String()+"#"+pub.SpecificID())
	if err != nil {
		t.Fatal(err)
	}
	build := func(set ...int) *bundle.Bundle {
		files := bundle.NewFiles()
		for _, data := range [][]byte{docJSON, statusList(set...)} {
			if err := files.Add(data); err != nil {
				t.Fatal(err)
			}
		}
		tl := &bundle.TrustList{Name: "NHS Digital Staff Passport", Issuers: []bundle.ListedIssuer{{
			ID: ion, Types: []string{"NHSStaffPassportIdentity"}, StatusLists: []string{list},
		}}, Contexts: []string{"https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1"}}
		b, err := bundle.Build(context.Background(), tl, files, bundle.BuildOptions{Publisher: pub.String(), Now: now.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		signed, err := bundle.Sign(b, signer)
		if err != nil {
			t.Fatal(err)
		}
		opened, err := bundle.Open(context.Background(), signed, pub.String(), didkey.Resolver{})
		if err != nil {
			t.Fatal(err)
		}
		return opened
	}
	verify := func(b *bundle.Bundle, tok []byte) (*verifier.Result, error) {
		v, err := verifier.New(verifier.Trust{Bundles: []*bundle.Bundle{b}}, verifier.WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		return v.Verify(context.Background(), tok, verifier.Policy{Publishers: []string{pub.String()}})
	}
	entry := map[string]any{"id": list + "#9", "type": "StatusList2021Entry", "statusPurpose": "revocation",
		"statusListIndex": "9", "statusListCredential": list}
	tok := entraToken(t, k1, nil, entraClaims(ion, entry, nil))
	if r, err := verify(build(), tok); err != nil {
		t.Fatalf("%v\n%s", err, resultText(r))
	}
	if _, err := verify(build(9), tok); !errors.Is(err, verifier.ErrRevoked) {
		t.Errorf("revoked in the bundle's list: %v", err)
	}
	other := entraToken(t, k1, nil, entraClaims(ion, nil, func(_, vc map[string]any) {
		vc["type"] = []any{"VerifiableCredential", "NHSStaffPassportDBS"}
	}))
	if _, err := verify(build(), other); !errors.Is(err, verifier.ErrUntrustedIssuer) {
		t.Errorf("a type the bundle does not list: %v", err)
	}
}
