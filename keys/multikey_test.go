package keys_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/multiformats/go-multibase"

	"github.com/staffpass/staffpass/keys"
)

type vectorPair struct {
	PublicKeyMultibase  string `json:"publicKeyMultibase"`
	SecretKeyMultibase  string `json:"secretKeyMultibase"`
	PrivateKeyMultibase string `json:"privateKeyMultibase"`
}

// w3cKeyPairs returns the W3C Multikey key pair files' contents by name.
func w3cKeyPairs(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range []string{"vc-di-eddsa/keyPair.json", "vc-di-ecdsa/p256KeyPair.json", "vc-di-ecdsa/p384KeyPair.json"} {
		data, err := os.ReadFile(filepath.Join(vectors, f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = data
	}
	data, err := os.ReadFile(filepath.Join(vectors, "vc-di-eddsa/proof-set-chain/multiKeyPairs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var many map[string]json.RawMessage
	if err := json.Unmarshal(data, &many); err != nil {
		t.Fatal(err)
	}
	if len(many) != 4 {
		t.Fatalf("multiKeyPairs.json has %d pairs, want 4", len(many))
	}
	for name, raw := range many {
		out["multiKeyPairs.json/"+name] = raw
	}
	return out
}

func TestW3CMultikeyPairsLoadAndRoundTrip(t *testing.T) {
	wantType := map[string]keys.KeyType{
		"vc-di-ecdsa/p256KeyPair.json": keys.P256,
		"vc-di-ecdsa/p384KeyPair.json": keys.P384,
	}
	for name, data := range w3cKeyPairs(t) {
		t.Run(name, func(t *testing.T) {
			var v vectorPair
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatal(err)
			}
			key, err := keys.ParseMultikeyPair(data)
			if err != nil {
				t.Fatal(err)
			}
			kt, _ := keys.TypeOf(key)
			want := wantType[name]
			if want == "" {
				want = keys.Ed25519
			}
			if kt != want {
				t.Fatalf("key type %s, want %s", kt, want)
			}
			pub, err := keys.EncodeMultikey(key.Public())
			if err != nil {
				t.Fatal(err)
			}
			if pub != v.PublicKeyMultibase {
				t.Errorf("EncodeMultikey = %s, want %s", pub, v.PublicKeyMultibase)
			}
			sec, err := keys.EncodeSecretMultikey(key)
			if err != nil {
				t.Fatal(err)
			}
			if sec != v.SecretKeyMultibase+v.PrivateKeyMultibase {
				t.Error("EncodeSecretMultikey does not give back the vector's secret key")
			}
			dec, err := keys.DecodeMultikey(v.PublicKeyMultibase)
			if err != nil {
				t.Fatal(err)
			}
			if !dec.(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
				t.Error("DecodeMultikey gives another key than the secret key's")
			}
		})
	}
}

func TestMultikeyPrefixesAreTheMulticodecVarints(t *testing.T) {
	prefix := map[keys.KeyType][2][]byte{
		keys.Ed25519: {{0xed, 0x01}, {0x80, 0x26}},
		keys.P256:    {{0x80, 0x24}, {0x86, 0x26}},
		keys.P384:    {{0x81, 0x24}, {0x87, 0x26}},
	}
	wantLen := map[keys.KeyType][2]int{keys.Ed25519: {32, 32}, keys.P256: {33, 32}, keys.P384: {49, 48}}
	for _, kt := range allTypes {
		key := fixedKey(t, kt)
		pub, err := keys.EncodeMultikey(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		sec, err := keys.EncodeSecretMultikey(key)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range []string{pub, sec} {
			enc, raw, err := multibase.Decode(s)
			if err != nil || enc != multibase.Base58BTC || s[0] != 'z' {
				t.Fatalf("%s: not base58btc: %v", kt, err)
			}
			if !bytes.HasPrefix(raw, prefix[kt][i]) || len(raw) != 2+wantLen[kt][i] {
				t.Errorf("%s %d: prefix % x, length %d", kt, i, raw[:2], len(raw)-2)
			}
		}
		back, err := keys.DecodeSecretMultikey(sec)
		if err != nil {
			t.Fatal(err)
		}
		if !back.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
			t.Errorf("%s: secret key does not round-trip", kt)
		}
	}
}

func z(b ...[]byte) string {
	s, err := multibase.Encode(multibase.Base58BTC, bytes.Join(b, nil))
	if err != nil {
		panic(err)
	}
	return s
}

func TestDecodeMultikeyRefusesBadKeys(t *testing.T) {
	p256 := fixedKey(t, keys.P256).(*ecdsa.PrivateKey)
	uncompressed, _ := p256.PublicKey.Bytes()
	compressed := elliptic.MarshalCompressed(elliptic.P256(), p256.X, p256.Y)
	// The first small x for which x^3 - 3x + b has no square root.
	var notOnCurve []byte
	for x := byte(1); ; x++ {
		cand := append([]byte{2}, make([]byte, 32)...)
		cand[32] = x
		if px, _ := elliptic.UnmarshalCompressed(elliptic.P256(), cand); px == nil {
			notOnCurve = cand
			break
		}
	}
	ed := fixedKey(t, keys.Ed25519).(ed25519.PrivateKey)
	u, _ := multibase.Encode(multibase.Base64url, append([]byte{0xed, 0x01}, ed.Public().(ed25519.PublicKey)...))
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"an empty string is invalid", "", keys.ErrInvalidKey},
		{"base64url multibase is refused", u, keys.ErrInvalidKey},
		{"a string with non-base58 characters is invalid", "z0OIl", keys.ErrInvalidKey},
		{"a one-byte value is invalid", z([]byte{0xed}), keys.ErrInvalidKey},
		{"a short Ed25519 key is invalid", z([]byte{0xed, 0x01}, make([]byte, 31)), keys.ErrInvalidKey},
		{"a long Ed25519 key is invalid", z([]byte{0xed, 0x01}, make([]byte, 33)), keys.ErrInvalidKey},
		{"an uncompressed P-256 point is refused", z([]byte{0x80, 0x24}, uncompressed), keys.ErrInvalidKey},
		{"a P-256 point not on the curve is refused", z([]byte{0x80, 0x24}, notOnCurve), keys.ErrInvalidKey},
		{"a P-256 point with a bad prefix byte is refused", z([]byte{0x80, 0x24}, []byte{5}, compressed[1:]), keys.ErrInvalidKey},
		{"a P-256 point under the P-384 codec is refused", z([]byte{0x81, 0x24}, compressed), keys.ErrInvalidKey},
		{"a secp256k1 key is unsupported", z([]byte{0xe7, 0x01}, compressed), keys.ErrUnsupportedKey},
		{"a P-521 key is unsupported", z([]byte{0x82, 0x24}, make([]byte, 67)), keys.ErrUnsupportedKey},
		{"an X25519 key is unsupported", z([]byte{0xec, 0x01}, make([]byte, 32)), keys.ErrUnsupportedKey},
		{"a secret key is refused", z([]byte{0x80, 0x26}, ed.Seed()), keys.ErrPrivateKeyMaterial},
		{"a very long string is refused before decoding", "z" + strings.Repeat("2", 10_000), keys.ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := keys.DecodeMultikey(tt.in); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDecodeSecretMultikeyRefusesBadKeys(t *testing.T) {
	n := elliptic.P256().Params().N.FillBytes(make([]byte, 32))
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"a public key is refused", z([]byte{0xed, 0x01}, make([]byte, 32)), keys.ErrInvalidKey},
		{"a short Ed25519 seed is invalid", z([]byte{0x80, 0x26}, make([]byte, 31)), keys.ErrInvalidKey},
		{"a short P-256 scalar is invalid", z([]byte{0x86, 0x26}, make([]byte, 31)), keys.ErrInvalidKey},
		{"a P-256 scalar of zero is invalid", z([]byte{0x86, 0x26}, make([]byte, 32)), keys.ErrInvalidKey},
		{"a P-256 scalar equal to the order is invalid", z([]byte{0x86, 0x26}, n), keys.ErrInvalidKey},
		{"a P-384 scalar of P-256 length is invalid", z([]byte{0x87, 0x26}, make([]byte, 32)), keys.ErrInvalidKey},
		{"a secp256k1 secret key is unsupported", z([]byte{0x81, 0x26}, make([]byte, 32)), keys.ErrUnsupportedKey},
		{"a non-base58btc string is invalid", "mAAAA", keys.ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := keys.DecodeSecretMultikey(tt.in); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseMultikeyPairRefusesBadPairs(t *testing.T) {
	pairs := w3cKeyPairs(t)
	var a, b vectorPair
	json.Unmarshal(pairs["multiKeyPairs.json/keyPair1"], &a)
	json.Unmarshal(pairs["multiKeyPairs.json/keyPair2"], &b)
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"a public key from another pair is a mismatch",
			`{"publicKeyMultibase":"` + b.PublicKeyMultibase + `","privateKeyMultibase":"` + a.PrivateKeyMultibase + `"}`, keys.ErrKeyMismatch},
		{"both secretKeyMultibase and privateKeyMultibase are refused",
			`{"publicKeyMultibase":"` + a.PublicKeyMultibase + `","privateKeyMultibase":"` + a.PrivateKeyMultibase + `","secretKeyMultibase":"` + a.PrivateKeyMultibase + `"}`, keys.ErrInvalidKey},
		{"a pair without a secret key is refused", `{"publicKeyMultibase":"` + a.PublicKeyMultibase + `"}`, keys.ErrInvalidKey},
		{"a pair without a public key is refused", `{"privateKeyMultibase":"` + a.PrivateKeyMultibase + `"}`, keys.ErrInvalidKey},
		{"an unknown member is refused",
			`{"publicKeyMultibase":"` + a.PublicKeyMultibase + `","privateKeyMultibase":"` + a.PrivateKeyMultibase + `","extra":1}`, keys.ErrInvalidKey},
		{"a type other than Multikey is refused",
			`{"type":"Ed25519VerificationKey2020","publicKeyMultibase":"` + a.PublicKeyMultibase + `","privateKeyMultibase":"` + a.PrivateKeyMultibase + `"}`, keys.ErrInvalidKey},
		{"a duplicate member is refused",
			`{"publicKeyMultibase":"` + a.PublicKeyMultibase + `","publicKeyMultibase":"` + b.PublicKeyMultibase + `","privateKeyMultibase":"` + a.PrivateKeyMultibase + `"}`, keys.ErrInvalidKey},
		{"a number where a string belongs is refused", `{"publicKeyMultibase":1,"privateKeyMultibase":"` + a.PrivateKeyMultibase + `"}`, keys.ErrInvalidKey},
		{"an array is refused", `[]`, keys.ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := keys.ParseMultikeyPair([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), a.PrivateKeyMultibase) {
				t.Fatal("error message shows the secret key")
			}
		})
	}
}

func FuzzDecodeMultikey(f *testing.F) {
	for _, data := range w3cKeyPairs(f) {
		var v vectorPair
		json.Unmarshal(data, &v)
		f.Add(v.PublicKeyMultibase)
		f.Add(v.SecretKeyMultibase + v.PrivateKeyMultibase)
	}
	f.Add("z")
	f.Add("zDnae")
	f.Fuzz(func(t *testing.T, s string) {
		if pub, err := keys.DecodeMultikey(s); err == nil {
			again, err := keys.EncodeMultikey(pub)
			if err != nil {
				t.Fatalf("decoded key does not encode: %v", err)
			}
			if again != s {
				t.Fatalf("round trip %q -> %q", s, again)
			}
		}
		if key, err := keys.DecodeSecretMultikey(s); err == nil {
			again, err := keys.EncodeSecretMultikey(key)
			if err != nil {
				t.Fatalf("decoded secret key does not encode: %v", err)
			}
			if again != s {
				t.Fatal("secret key does not round-trip")
			}
		}
	})
}
