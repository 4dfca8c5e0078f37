package keys_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secp256k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/staffpass/staffpass/keys"
)

// es256k signs message as RFC 8812 section 3.2 says (r||s over SHA-256),
// with decred's signer, which writes the low-s form.
func es256k(priv *secp256k1.PrivateKey, message []byte) []byte {
	h := sha256.Sum256(message)
	sig := secp256k1ecdsa.Sign(priv, h[:])
	r, s := sig.R(), sig.S()
	out := make([]byte, 64)
	r.PutBytesUnchecked(out[:32])
	s.PutBytesUnchecked(out[32:])
	return out
}

func TestSecp256k1IsVerifiedNeverMadeOrSigned(t *testing.T) {
	priv, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := keys.MarshalPublicJWK(priv.PubKey())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(jwk, &m); err != nil || m["kty"] != "EC" || m["crv"] != "secp256k1" || len(m) != 4 {
		t.Fatalf("JWK %s", jwk)
	}
	pub, err := keys.ParsePublicJWK(jwk)
	if err != nil {
		t.Fatal(err)
	}
	if kt, err := keys.TypeOf(pub); err != nil || kt != keys.Secp256k1 || kt.Algorithm() != "ES256K" {
		t.Fatalf("TypeOf = %q, %v", kt, err)
	}
	if !keys.SamePublic(pub, priv.PubKey()) {
		t.Fatal("the parsed key is not the key")
	}

	msg := []byte("eyJhbGciOiJFUzI1NksifQ.eyJ2YyI6e319")
	sig := es256k(priv, msg)
	if err := keys.VerifyP1363(pub, msg, sig); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
	if err := keys.CheckLowS(pub, sig); err != nil {
		t.Fatalf("decred signs low s: %v", err)
	}
	// The twin (r, n-s) verifies too, and CheckLowS tells it apart.
	n := secp256k1.Params().N
	tw := append([]byte(nil), sig...)
	new(big.Int).Sub(n, new(big.Int).SetBytes(sig[32:])).FillBytes(tw[32:])
	if err := keys.VerifyP1363(pub, msg, tw); err != nil {
		t.Fatalf("the high-s twin: %v", err)
	}
	if err := keys.CheckLowS(pub, tw); !errors.Is(err, keys.ErrHighS) {
		t.Fatalf("CheckLowS of the twin = %v", err)
	}

	other, _ := secp256k1.GeneratePrivateKey()
	bad := map[string][]byte{
		"another message":   nil,
		"another key":       es256k(other, msg),
		"r zero":            append(make([]byte, 32), sig[32:]...),
		"s zero":            append(append([]byte(nil), sig[:32]...), make([]byte, 32)...),
		"s = n":             append(append([]byte(nil), sig[:32]...), n.FillBytes(make([]byte, 32))...),
		"r all ones":        append(bytesOf(0xff, 32), sig[32:]...),
		"DER, not r||s":     secp256k1ecdsa.Sign(priv, sha(msg)).Serialize(),
		"one byte short":    sig[:63],
		"one byte too many": append(append([]byte(nil), sig...), 0),
	}
	for name, s := range bad {
		m := msg
		if s == nil {
			s, m = sig, []byte("another message")
		}
		if err := keys.VerifyP1363(pub, m, s); !errors.Is(err, keys.ErrInvalidSignature) {
			t.Errorf("%s: err = %v, want ErrInvalidSignature", name, err)
		}
	}

	// staffpass never makes or signs with secp256k1 keys.
	if _, err := keys.Generate(keys.Secp256k1); !errors.Is(err, keys.ErrUnsupportedKey) {
		t.Errorf("Generate(secp256k1) = %v", err)
	}
	d := base64.RawURLEncoding.EncodeToString(priv.Serialize())
	private := jwk[:len(jwk)-1]
	private = append(private, []byte(`,"d":"`+d+`"}`)...)
	if _, err := keys.ParsePrivateJWK(private); !errors.Is(err, keys.ErrUnsupportedKey) {
		t.Errorf("ParsePrivateJWK(secp256k1) = %v", err)
	}
	if _, err := keys.ParsePublicJWK(private); !errors.Is(err, keys.ErrPrivateKeyMaterial) {
		t.Errorf("ParsePublicJWK of a private secp256k1 JWK = %v", err)
	}
}

func TestSecp256k1JWKRefusesBadKeys(t *testing.T) {
	priv, _ := secp256k1.GeneratePrivateKey()
	u := priv.PubKey().SerializeUncompressed()
	x, y := base64.RawURLEncoding.EncodeToString(u[1:33]), base64.RawURLEncoding.EncodeToString(u[33:])
	yPlus := new(big.Int).Add(new(big.Int).SetBytes(u[33:]), big.NewInt(1)).FillBytes(make([]byte, 32))
	for name, in := range map[string]string{
		"a point not on the curve": `{"kty":"EC","crv":"secp256k1","x":"` + x + `","y":"` + base64.RawURLEncoding.EncodeToString(yPlus) + `"}`,
		"a short x":                `{"kty":"EC","crv":"secp256k1","x":"` + x[:42] + `","y":"` + y + `"}`,
		"no y":                     `{"kty":"EC","crv":"secp256k1","x":"` + x + `"}`,
		"an alg of another curve":  `{"kty":"EC","crv":"secp256k1","alg":"ES256","x":"` + x + `","y":"` + y + `"}`,
		"a kid that is no string":  `{"kty":"EC","crv":"secp256k1","kid":7,"x":"` + x + `","y":"` + y + `"}`,
		"OKP secp256k1":            `{"kty":"OKP","crv":"secp256k1","x":"` + x + `"}`,
	} {
		_, err := keys.ParsePublicJWK([]byte(in))
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	good := `{"kty":"EC","crv":"secp256k1","alg":"ES256K","kid":"k1","x":"` + x + `","y":"` + y + `"}`
	if _, err := keys.ParsePublicJWK([]byte(good)); err != nil {
		t.Errorf("a JWK with alg ES256K and a kid: %v", err)
	}
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func sha(m []byte) []byte {
	h := sha256.Sum256(m)
	return h[:]
}
