package keys_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/staffpass/staffpass/keys"
)

var update = flag.Bool("update", false, "rewrite testdata/keys from the fixed seeds")

const vectors = "../testdata/vectors/multikey"

// fixedKey derives a test key of type t from a fixed label, so that the
// fixtures in testdata/keys can be made again by Go code.
func fixedKey(t testing.TB, kt keys.KeyType) crypto.Signer {
	t.Helper()
	label := "staffpass testdata key " + string(kt)
	switch kt {
	case keys.Ed25519:
		seed := sha256.Sum256([]byte(label))
		return ed25519.NewKeyFromSeed(seed[:])
	case keys.P256:
		d := sha256.Sum256([]byte(label))
		k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
		if err != nil {
			t.Fatal(err)
		}
		return k
	case keys.P384:
		d := sha512.Sum384([]byte(label))
		k, err := ecdsa.ParseRawPrivateKey(elliptic.P384(), d[:])
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	t.Fatalf("no fixed key of type %s", kt)
	return nil
}

var allTypes = []keys.KeyType{keys.Ed25519, keys.P256, keys.P384}

func fixtureName(kt keys.KeyType) string {
	switch kt {
	case keys.P256:
		return "p256"
	case keys.P384:
		return "p384"
	}
	return "ed25519"
}

// TestKeyFixturesMatchTheirSeeds checks (or with -update writes) the key
// files in testdata/keys.
func TestKeyFixturesMatchTheirSeeds(t *testing.T) {
	for _, kt := range allTypes {
		key := fixedKey(t, kt)
		name := fixtureName(kt)
		jwkPriv, err := keys.MarshalPrivateJWK(key)
		if err != nil {
			t.Fatal(err)
		}
		pemPriv, err := keys.MarshalPrivatePEM(key)
		if err != nil {
			t.Fatal(err)
		}
		mkPriv, err := keys.MarshalMultikeyPair(key)
		if err != nil {
			t.Fatal(err)
		}
		jwkPub, err := keys.MarshalPublicJWK(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		pemPub, err := keys.MarshalPublicPEM(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{
			name + ".jwk":           append(jwkPriv, '\n'),
			name + ".pem":           pemPriv,
			name + ".multikey.json": mkPriv,
			name + ".pub.jwk":       append(jwkPub, '\n'),
			name + ".pub.pem":       pemPub,
		}
		for file, want := range files {
			path := filepath.Join("..", "testdata", "keys", file)
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./keys -run TestKeyFixtures -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the key made from its seed", path)
			}
		}
	}
}

func TestGenerateMakesAKeyOfEachType(t *testing.T) {
	for _, kt := range allTypes {
		t.Run(string(kt), func(t *testing.T) {
			key, err := keys.Generate(kt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := keys.TypeOf(key)
			if err != nil || got != kt {
				t.Fatalf("TypeOf = %q, %v; want %q", got, err, kt)
			}
			other, err := keys.Generate(kt)
			if err != nil {
				t.Fatal(err)
			}
			if key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(other.Public()) {
				t.Fatal("two generated keys are equal")
			}
		})
	}
}

func TestGenerateRefusesOtherKeyTypes(t *testing.T) {
	for _, kt := range []keys.KeyType{"", "P-521", "secp256k1", "X25519", "p-256"} {
		if _, err := keys.Generate(kt); !errors.Is(err, keys.ErrUnsupportedKey) {
			t.Errorf("Generate(%q) error = %v, want ErrUnsupportedKey", kt, err)
		}
	}
}

func TestAlgorithmNamesAreTheJOSENames(t *testing.T) {
	want := map[keys.KeyType]string{keys.Ed25519: "EdDSA", keys.P256: "ES256", keys.P384: "ES384", "P-521": ""}
	for kt, alg := range want {
		if got := kt.Algorithm(); got != alg {
			t.Errorf("%q.Algorithm() = %q, want %q", kt, got, alg)
		}
	}
}

func TestTypeOfRefusesKeysItDoesNotUse(t *testing.T) {
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	var nilEC *ecdsa.PublicKey
	tests := []struct {
		name string
		key  any
		want error
	}{
		{"a nil key is invalid", nil, keys.ErrInvalidKey},
		{"a nil ECDSA pointer is invalid", nilEC, keys.ErrInvalidKey},
		{"a short Ed25519 public key is invalid", ed25519.PublicKey(make([]byte, 31)), keys.ErrInvalidKey},
		{"a short Ed25519 private key is invalid", ed25519.PrivateKey(make([]byte, 32)), keys.ErrInvalidKey},
		{"a P-521 key is unsupported", p521, keys.ErrUnsupportedKey},
		{"a P-521 public key is unsupported", &p521.PublicKey, keys.ErrUnsupportedKey},
		{"an RSA key is unsupported", rsaKey, keys.ErrUnsupportedKey},
		{"a string is unsupported", "key", keys.ErrUnsupportedKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := keys.TypeOf(tt.key); !errors.Is(err, tt.want) {
				t.Fatalf("TypeOf error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestHalfBuiltECDSAKeysAreRefusedWithoutPanicking(t *testing.T) {
	p256 := elliptic.P256()
	one, two := big.NewInt(1), big.NewInt(2)
	pubs := []*ecdsa.PublicKey{
		{Curve: p256},
		{Curve: p256, X: one},
		{Curve: p256, X: one, Y: two}, // not on the curve
	}
	for i, pub := range pubs {
		if _, err := keys.EncodeMultikey(pub); !errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("public %d: EncodeMultikey: %v", i, err)
		}
		if _, err := keys.MarshalPublicJWK(pub); !errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("public %d: MarshalPublicJWK: %v", i, err)
		}
		if _, err := keys.MarshalPublicPEM(pub); !errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("public %d: MarshalPublicPEM: %v", i, err)
		}
		if err := keys.VerifyP1363(pub, []byte("m"), make([]byte, 64)); !errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("public %d: VerifyP1363: %v", i, err)
		}
	}
	good := fixedKey(t, keys.P256).(*ecdsa.PrivateKey)
	privs := []*ecdsa.PrivateKey{
		{PublicKey: ecdsa.PublicKey{Curve: p256}},
		{PublicKey: ecdsa.PublicKey{Curve: p256}, D: big.NewInt(5)},
		{PublicKey: good.PublicKey}, // no D
	}
	for i, priv := range privs {
		if _, err := keys.EncodeSecretMultikey(priv); !errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("private %d: EncodeSecretMultikey: %v", i, err)
		}
		if _, err := keys.MarshalPrivatePEM(priv); !errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("private %d: MarshalPrivatePEM: %v", i, err)
		}
		if _, err := keys.MarshalPrivateJWK(priv); !errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("private %d: MarshalPrivateJWK: %v", i, err)
		}
		if _, err := keys.NewSigner(priv, "did:example:1#k"); !errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("private %d: NewSigner: %v", i, err)
		}
		if _, err := keys.SignP1363(priv, []byte("m")); !errors.Is(err, keys.ErrInvalidKey) {
			t.Errorf("private %d: SignP1363: %v", i, err)
		}
	}
}
