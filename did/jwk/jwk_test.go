package jwk_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/did/jwk"
	"github.com/staffpass/staffpass/keys"
)

// The P-256 and X25519 examples of the did:jwk specification
// (https://github.com/quartzjer/did-jwk/blob/main/spec.md, "Examples").
const (
	specP256   = "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
	specX25519 = "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdPUTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9"
	specP256X  = "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0"
	specP256Y  = "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE"
)

type equaler interface{ Equal(crypto.PublicKey) bool }

func TestTheSpecP256ExampleResolves(t *testing.T) {
	doc, err := jwk.Resolver{}.Resolve(context.Background(), specP256)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	vm := specP256 + "#0"
	want := `{"@context":["https://www.w3.org/ns/did/v1","https://w3id.org/security/suites/jws-2020/v1"],"id":"` + specP256 +
		`","verificationMethod":[{"id":"` + vm + `","type":"JsonWebKey2020","controller":"` + specP256 +
		`","publicKeyJwk":{"crv":"P-256","kty":"EC","x":"` + specP256X + `","y":"` + specP256Y + `"}}],` +
		`"authentication":["` + vm + `"],"assertionMethod":["` + vm + `"],"keyAgreement":["` + vm + `"],"capabilityInvocation":["` + vm + `"],"capabilityDelegation":["` + vm + `"]}`
	if string(out) != want {
		t.Fatalf("document\n%s\nwant\n%s", out, want)
	}
	if _, err := did.ParseDocument(out); err != nil {
		t.Fatal(err)
	}
	// New gives back the same DID: the spec's JWK has its members sorted.
	pub, err := jwk.PublicKey(specP256)
	if err != nil {
		t.Fatal(err)
	}
	d, err := jwk.New(pub)
	if err != nil || d.String() != specP256 {
		t.Fatalf("New = %s, %v", d, err)
	}
	kid, err := jwk.KeyID(pub)
	if err != nil || kid != vm {
		t.Fatalf("KeyID = %s, %v", kid, err)
	}
}

func TestTheSpecX25519ExampleIsUnsupported(t *testing.T) {
	_, err := jwk.Resolver{}.Resolve(context.Background(), specX25519)
	if !errors.Is(err, keys.ErrUnsupportedKey) || !errors.Is(err, did.ErrInvalidDID) {
		t.Fatalf("error = %v, want keys.ErrUnsupportedKey (staffpass verifies signatures only)", err)
	}
}

func didJWK(t *testing.T, members map[string]any) string {
	t.Helper()
	j, err := json.Marshal(members)
	if err != nil {
		t.Fatal(err)
	}
	return "did:jwk:" + base64.RawURLEncoding.EncodeToString(j)
}

func TestUseSelectsTheRelationships(t *testing.T) {
	base := map[string]any{"kty": "EC", "crv": "P-256", "x": specP256X, "y": specP256Y}
	tests := []struct {
		use  any
		rels []did.Relationship
	}{
		{nil, []did.Relationship{did.Authentication, did.AssertionMethod, did.KeyAgreement, did.CapabilityInvocation, did.CapabilityDelegation}},
		{"sig", []did.Relationship{did.Authentication, did.AssertionMethod, did.CapabilityInvocation, did.CapabilityDelegation}},
		{"enc", []did.Relationship{did.KeyAgreement}},
	}
	all := []did.Relationship{did.Authentication, did.AssertionMethod, did.KeyAgreement, did.CapabilityInvocation, did.CapabilityDelegation}
	for _, tt := range tests {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		if tt.use != nil {
			m["use"] = tt.use
		}
		id := didJWK(t, m)
		doc, err := jwk.Resolver{}.Resolve(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, rel := range all {
			_, err := doc.Method("#0", rel)
			listed := false
			for _, r := range tt.rels {
				listed = listed || r == rel
			}
			if listed && err != nil || !listed && !errors.Is(err, did.ErrNotAuthorized) {
				t.Errorf("use %v, %s: %v", tt.use, rel, err)
			}
		}
		if string(doc.VerificationMethod[0].PublicKeyJwk) != mustDecode(t, id) {
			t.Errorf("publicKeyJwk is not the JWK of the DID")
		}
	}
}

func mustDecode(t *testing.T, id string) string {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(id, "did:jwk:"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestNewRoundTripsEachKeyType(t *testing.T) {
	for _, kt := range []keys.KeyType{keys.Ed25519, keys.P256, keys.P384} {
		priv, err := keys.Generate(kt)
		if err != nil {
			t.Fatal(err)
		}
		d, err := jwk.New(priv.Public())
		if err != nil {
			t.Fatal(err)
		}
		m, err := did.ResolveMethod(context.Background(), did.Router{"jwk": jwk.Resolver{}}, d.String()+"#0", did.AssertionMethod)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := m.PublicKey()
		if err != nil || !pub.(equaler).Equal(priv.Public()) {
			t.Fatalf("%s: %v", kt, err)
		}
	}
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if _, err := jwk.New(&p521.PublicKey); !errors.Is(err, keys.ErrUnsupportedKey) {
		t.Fatalf("P-521: %v", err)
	}
}

func TestResolveRefusesBadDIDJWKs(t *testing.T) {
	base := map[string]any{"kty": "EC", "crv": "P-256", "x": specP256X, "y": specP256Y}
	with := func(k string, v any) map[string]any {
		m := map[string]any{k: v}
		for k2, v2 := range base {
			if k2 != k {
				m[k2] = v2
			}
		}
		return m
	}
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name, in string
		want     error
	}{
		{"a private JWK is refused", didJWK(t, with("d", "gPh-VvVS8MbvKQ9LSVVmfnxnKjHn4Tqj0bmbpehRlpc")), keys.ErrPrivateKeyMaterial},
		{"padding is refused", specP256 + "%3D", did.ErrInvalidDID},
		{"standard base64 is refused", "did:jwk:" + base64.StdEncoding.EncodeToString([]byte(`{"kty":"EC","crv":"P-256","x":"`+specP256X+`","y":"`+specP256Y+`"}`+"\xff\xfe")), did.ErrInvalidDID},
		{"a colon in the value is refused", "did:jwk:eyJ:abc", did.ErrInvalidDID},
		{"a value that is not JSON is refused", "did:jwk:" + b64([]byte("hello")), did.ErrInvalidDID},
		{"a JWK with duplicate members is refused", "did:jwk:" + b64([]byte(`{"kty":"EC","kty":"EC"}`)), did.ErrInvalidDID},
		{"an RSA JWK is unsupported", didJWK(t, map[string]any{"kty": "RSA", "n": "AQAB", "e": "AQAB"}), keys.ErrUnsupportedKey},
		{"a point not on the curve is refused", didJWK(t, with("y", specP256X)), keys.ErrInvalidKey},
		{"a numeric use is refused", didJWK(t, with("use", 1)), did.ErrInvalidDID},
		{"another method is refused", "did:key:z6Mk", did.ErrInvalidDID},
		{"a DID URL is refused", specP256 + "#0", did.ErrInvalidDID},
		{"non-canonical trailing bits are refused", specP256[:len(specP256)-1] + "B", did.ErrInvalidDID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jwk.Resolver{}.Resolve(context.Background(), tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var re *did.ResolutionError
			if !errors.As(err, &re) {
				t.Fatalf("%v is not a *did.ResolutionError", err)
			}
		})
	}
}

func FuzzResolve(f *testing.F) {
	f.Add(specP256)
	f.Add(specX25519)
	f.Add("did:jwk:eyJjcnYiOiJFZDI1NTE5Iiwia3R5IjoiT0tQIiwieCI6IjExcVlBWUt4Q3JmVlNfN1R5V1FIT2c3aGN2UGFwaU1scndJYWFQY0hVUm8ifQ")
	f.Fuzz(func(t *testing.T, id string) {
		doc, err := jwk.Resolver{}.Resolve(context.Background(), id)
		if err != nil {
			return
		}
		out, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := did.ParseDocument(out); err != nil {
			t.Fatalf("resolved document does not parse: %v\n%s", err, out)
		}
		if _, err := doc.VerificationMethod[0].PublicKey(); err != nil {
			t.Fatal(err)
		}
	})
}
