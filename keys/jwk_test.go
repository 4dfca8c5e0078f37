package keys_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/keys"
)

func TestJWKRoundTripsEachKeyType(t *testing.T) {
	for _, kt := range allTypes {
		t.Run(string(kt), func(t *testing.T) {
			key := fixedKey(t, kt)
			pubJSON, err := keys.MarshalPublicJWK(key.Public())
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(pubJSON), `"d"`) {
				t.Fatal("public JWK has a d member")
			}
			pub, err := keys.ParsePublicJWK(pubJSON)
			if err != nil {
				t.Fatal(err)
			}
			if !pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
				t.Fatal("public JWK does not round-trip")
			}
			privJSON, err := keys.MarshalPrivateJWK(key)
			if err != nil {
				t.Fatal(err)
			}
			priv, err := keys.ParsePrivateJWK(privJSON)
			if err != nil {
				t.Fatal(err)
			}
			if !priv.(interface{ Equal(crypto.PrivateKey) bool }).Equal(key) {
				t.Fatal("private JWK does not round-trip")
			}
		})
	}
}

func TestMarshalPublicJWKSortsMembersWithoutWhiteSpace(t *testing.T) {
	want := map[keys.KeyType]string{
		keys.Ed25519: `{"crv":"Ed25519","kty":"OKP","x":"`,
		keys.P256:    `{"crv":"P-256","kty":"EC","x":"`,
		keys.P384:    `{"crv":"P-384","kty":"EC","x":"`,
	}
	for kt, prefix := range want {
		got, err := keys.MarshalPublicJWK(fixedKey(t, kt).Public())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(got), prefix) || strings.ContainsAny(string(got), " \n") {
			t.Errorf("%s: %s", kt, got)
		}
		fixture, err := os.ReadFile("../testdata/keys/" + fixtureName(kt) + ".pub.jwk")
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(string(fixture)) != string(got) {
			t.Errorf("%s: MarshalPublicJWK differs from the fixture", kt)
		}
	}
}

// jwkWith returns the fixture JWK of type kt with members changed (a nil
// value deletes the member).
func jwkWith(t *testing.T, kt keys.KeyType, private bool, change map[string]any) string {
	t.Helper()
	var data []byte
	var err error
	if private {
		data, err = keys.MarshalPrivateJWK(fixedKey(t, kt))
	} else {
		data, err = keys.MarshalPublicJWK(fixedKey(t, kt).Public())
	}
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range change {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestParsePublicJWKRefusesBadKeys(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p521x, _ := p521.PublicKey.Bytes()
	x := jwkField(t, keys.P256, "x")
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"a private JWK is refused", jwkWith(t, keys.P256, true, nil), keys.ErrPrivateKeyMaterial},
		{"an Ed25519 private JWK is refused", jwkWith(t, keys.Ed25519, true, nil), keys.ErrPrivateKeyMaterial},
		{"a symmetric key is refused", `{"kty":"oct","k":"AAAA"}`, keys.ErrPrivateKeyMaterial},
		{"an RSA key is unsupported", `{"kty":"RSA","n":"AQAB","e":"AQAB"}`, keys.ErrUnsupportedKey},
		{"an X25519 key is unsupported", `{"kty":"OKP","crv":"X25519","x":"` + b64(make([]byte, 32)) + `"}`, keys.ErrUnsupportedKey},
		{"a P-521 key is unsupported", `{"kty":"EC","crv":"P-521","x":"` + b64(p521x[1:67]) + `","y":"` + b64(p521x[67:]) + `"}`, keys.ErrUnsupportedKey},
		{"a P-256 point named secp256k1 is not on its curve", jwkWith(t, keys.P256, false, map[string]any{"crv": "secp256k1"}), keys.ErrInvalidKey},
		{"a missing kty is invalid", jwkWith(t, keys.P256, false, map[string]any{"kty": nil}), keys.ErrInvalidKey},
		{"a missing crv is invalid", jwkWith(t, keys.P256, false, map[string]any{"crv": nil}), keys.ErrInvalidKey},
		{"a missing y is invalid", jwkWith(t, keys.P256, false, map[string]any{"y": nil}), keys.ErrInvalidKey},
		{"a short x is invalid", jwkWith(t, keys.P256, false, map[string]any{"x": b64(make([]byte, 31))}), keys.ErrInvalidKey},
		{"a padded x is invalid", jwkWith(t, keys.Ed25519, false, map[string]any{"x": base64.URLEncoding.EncodeToString(make([]byte, 32))}), keys.ErrInvalidKey},
		{"standard base64 is invalid", jwkWith(t, keys.P256, false, map[string]any{"x": strings.NewReplacer("-", "+", "_", "/").Replace(x) + "+"}), keys.ErrInvalidKey},
		{"a line break in x is invalid", jwkWith(t, keys.P256, false, map[string]any{"x": x[:10] + "\n" + x[10:]}), keys.ErrInvalidKey},
		{"a point not on the curve is invalid", jwkWith(t, keys.P256, false, map[string]any{"y": b64(make([]byte, 32))}), keys.ErrInvalidKey},
		{"an alg that does not fit the key is invalid", jwkWith(t, keys.P256, false, map[string]any{"alg": "ES384"}), keys.ErrInvalidKey},
		{"alg none is invalid", jwkWith(t, keys.Ed25519, false, map[string]any{"alg": "none"}), keys.ErrInvalidKey},
		{"an OKP key with y is invalid", jwkWith(t, keys.Ed25519, false, map[string]any{"y": x}), keys.ErrInvalidKey},
		{"a number for x is invalid", jwkWith(t, keys.P256, false, map[string]any{"x": 5}), keys.ErrInvalidKey},
		{"duplicate members are invalid", `{"kty":"EC","kty":"EC"}`, keys.ErrInvalidKey},
		{"an array is invalid", `[]`, keys.ErrInvalidKey},
		{"null is invalid", `null`, keys.ErrInvalidKey},
		{"broken JSON is invalid", `{"kty":`, keys.ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := keys.ParsePublicJWK([]byte(tt.in)); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func jwkField(t *testing.T, kt keys.KeyType, name string) string {
	t.Helper()
	data, err := keys.MarshalPrivateJWK(fixedKey(t, kt))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m[name]
}

func TestParsePrivateJWKRefusesBadKeys(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	d2 := make([]byte, 32)
	d2[31] = 7 // the P-256 scalar 7, another key than the fixture's
	other := b64(d2)
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"a public JWK is not a private key", jwkWith(t, keys.P256, false, nil), keys.ErrInvalidKey},
		{"a d of another key is a mismatch", jwkWith(t, keys.P256, true, map[string]any{"d": other}), keys.ErrKeyMismatch},
		{"an Ed25519 d of another key is a mismatch", jwkWith(t, keys.Ed25519, true, map[string]any{"d": b64(make([]byte, 32))}), keys.ErrKeyMismatch},
		{"a zero d is invalid", jwkWith(t, keys.P256, true, map[string]any{"d": b64(make([]byte, 32))}), keys.ErrInvalidKey},
		{"a short d is invalid", jwkWith(t, keys.P384, true, map[string]any{"d": b64(make([]byte, 32))}), keys.ErrInvalidKey},
		{"a null d is invalid", `{"kty":"OKP","crv":"Ed25519","x":"` + jwkField(t, keys.Ed25519, "x") + `","d":null}`, keys.ErrInvalidKey},
		{"an RSA key is unsupported", `{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQAB"}`, keys.ErrUnsupportedKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := keys.ParsePrivateJWK([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			for _, kt := range allTypes {
				if d := jwkField(t, kt, "d"); strings.Contains(err.Error(), d) {
					t.Fatal("error message shows a private key")
				}
			}
		})
	}
}

func FuzzParseJWK(f *testing.F) {
	for _, kt := range allTypes {
		key := fixedKey(f, kt)
		pub, _ := keys.MarshalPublicJWK(key.Public())
		priv, _ := keys.MarshalPrivateJWK(key)
		f.Add(pub)
		f.Add(priv)
	}
	f.Add([]byte(`{"kty":"RSA","n":"AQAB","e":"AQAB"}`))
	f.Add([]byte(`{"kty":"oct","k":"AAAA"}`))
	// secp256k1's generator point (SEC 2 section 2.4.1).
	f.Add([]byte(`{"kty":"EC","crv":"secp256k1","x":"eb5mfvncu6xVoGKVzocLBwKb_NstzijZWfKBWxb4F5g","y":"SDradyajxGVdpPv8DhEIqP0XtEimhVQZnEfQj_sQ1Lg"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if pub, err := keys.ParsePublicJWK(data); err == nil {
			out, err := keys.MarshalPublicJWK(pub)
			if err != nil {
				t.Fatalf("parsed key does not marshal: %v", err)
			}
			again, err := keys.ParsePublicJWK(out)
			if err != nil || !keys.SamePublic(again, pub) {
				t.Fatalf("public JWK does not round-trip: %v", err)
			}
		}
		if priv, err := keys.ParsePrivateJWK(data); err == nil {
			out, err := keys.MarshalPrivateJWK(priv)
			if err != nil {
				t.Fatalf("parsed key does not marshal: %v", err)
			}
			if _, err := keys.ParsePrivateJWK(out); err != nil {
				t.Fatalf("private JWK does not round-trip: %v", err)
			}
		}
	})
}

func TestMalformedKeyJSONErrorsDoNotQuoteTheInput(t *testing.T) {
	for _, in := range []string{
		`{"kty":"OKP","crv":"Ed25519","d":Qsecret}`,
		`{"kty":"OKP","crv":"Ed25519","d":"Qsecret"` + "\x01" + `"}`,
		`{"publicKeyMultibase":"z","secretKeyMultibase":Qsecret}`,
	} {
		_, _, err := keys.ParsePrivateKey([]byte(in))
		if err == nil {
			t.Fatalf("%s parsed", in)
		}
		if strings.Contains(err.Error(), "Q") {
			t.Errorf("error quotes the input: %v", err)
		}
		if _, err := keys.ParsePrivateJWK([]byte(in)); err == nil || strings.Contains(err.Error(), "Q") {
			t.Errorf("ParsePrivateJWK error quotes the input: %v", err)
		}
	}
}
