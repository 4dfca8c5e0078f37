package keys_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/keys"
)

// opaqueSigner hides its key behind crypto.Signer, as a KMS client would.
type opaqueSigner struct{ key crypto.Signer }

func (o opaqueSigner) Public() crypto.PublicKey { return o.key.Public() }
func (o opaqueSigner) Sign(r io.Reader, d []byte, opts crypto.SignerOpts) ([]byte, error) {
	return o.key.Sign(r, d, opts)
}

func TestNewSignerInfersTheAlgorithm(t *testing.T) {
	want := map[keys.KeyType]string{keys.Ed25519: "EdDSA", keys.P256: "ES256", keys.P384: "ES384"}
	for kt, alg := range want {
		for _, key := range []crypto.Signer{fixedKey(t, kt), opaqueSigner{fixedKey(t, kt)}} {
			s, err := keys.NewSigner(key, "did:web:example.nhs.uk#key-1")
			if err != nil {
				t.Fatal(err)
			}
			if s.Algorithm() != alg || s.KeyID() != "did:web:example.nhs.uk#key-1" {
				t.Errorf("%s: Algorithm %q KeyID %q", kt, s.Algorithm(), s.KeyID())
			}
		}
	}
}

func TestNewSignerRefusesBadInput(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ed := fixedKey(t, keys.Ed25519)
	tests := []struct {
		name  string
		key   crypto.Signer
		keyID string
		want  error
	}{
		{"an RSA key is unsupported", rsaKey, "did:example:1#k", keys.ErrUnsupportedKey},
		{"a nil key is invalid", nil, "did:example:1#k", keys.ErrInvalidKey},
		{"an empty key id is invalid", ed, "", keys.ErrInvalidKeyID},
		{"a key id with a space is invalid", ed, "did:example:1 #k", keys.ErrInvalidKeyID},
		{"a key id with a newline is invalid", ed, "did:example:1#k\n", keys.ErrInvalidKeyID},
		{"a key id that is not UTF-8 is invalid", ed, "did:example:1#\xff", keys.ErrInvalidKeyID},
		{"a very long key id is invalid", ed, "did:example:" + strings.Repeat("a", 3000), keys.ErrInvalidKeyID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := keys.NewSigner(tt.key, tt.keyID); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignersDoNotPrintTheirKeys(t *testing.T) {
	for _, kt := range allTypes {
		key := fixedKey(t, kt)
		s, err := keys.NewSigner(key, "did:key:zExample#zExample")
		if err != nil {
			t.Fatal(err)
		}
		secret, _ := keys.EncodeSecretMultikey(key)
		var raw []byte
		switch k := key.(type) {
		case ed25519.PrivateKey:
			raw = k.Seed()
		case *ecdsa.PrivateKey:
			raw, _ = k.Bytes()
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
			out := fmt.Sprintf(verb, s)
			if strings.Contains(out, hex.EncodeToString(raw)) || strings.Contains(strings.ToLower(out), hex.EncodeToString(raw[:8])) ||
				strings.Contains(out, fmt.Sprint(raw[:4])[1:10]) || strings.Contains(out, secret) {
				t.Errorf("%s: %s prints key material: %s", kt, verb, out)
			}
			if !strings.Contains(out, s.Algorithm()) {
				t.Errorf("%s: %s = %q, want the algorithm", kt, verb, out)
			}
		}
	}
}

func TestSignP1363VerifiesForEachKeyType(t *testing.T) {
	wantLen := map[keys.KeyType]int{keys.Ed25519: 64, keys.P256: 64, keys.P384: 96}
	for _, kt := range allTypes {
		for _, key := range []crypto.Signer{fixedKey(t, kt), opaqueSigner{fixedKey(t, kt)}} {
			s, err := keys.NewSigner(key, "did:example:1#k")
			if err != nil {
				t.Fatal(err)
			}
			msg := []byte("staff credential")
			sig, err := keys.SignP1363(s, msg)
			if err != nil {
				t.Fatal(err)
			}
			if len(sig) != wantLen[kt] {
				t.Fatalf("%s: signature is %d bytes, want %d", kt, len(sig), wantLen[kt])
			}
			if err := keys.VerifyP1363(s.Public(), msg, sig); err != nil {
				t.Fatalf("%s: %v", kt, err)
			}
			if err := keys.VerifyP1363(s.Public(), []byte("staff credentiaL"), sig); !errors.Is(err, keys.ErrInvalidSignature) {
				t.Fatalf("%s: changed message: %v", kt, err)
			}
			sig[len(sig)-1] ^= 1
			if err := keys.VerifyP1363(s.Public(), msg, sig); !errors.Is(err, keys.ErrInvalidSignature) {
				t.Fatalf("%s: changed signature: %v", kt, err)
			}
			if err := keys.VerifyP1363(s.Public(), msg, sig[:len(sig)-1]); !errors.Is(err, keys.ErrInvalidSignature) {
				t.Fatalf("%s: short signature: %v", kt, err)
			}
		}
	}
}

func readHex(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectors, path))
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSignP1363ReproducesTheW3CEd25519Signature(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(vectors, "vc-di-eddsa/keyPair.json"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := keys.ParseMultikeyPair(data)
	if err != nil {
		t.Fatal(err)
	}
	combined := readHex(t, "vc-di-eddsa/eddsa-rdfc-2022/combinedHashDataInt.txt")
	want := readHex(t, "vc-di-eddsa/eddsa-rdfc-2022/sigHexDataInt.txt")
	got, err := keys.SignP1363(key, combined)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(got) != hex.EncodeToString(want) {
		t.Fatalf("signature %x, want %x", got, want)
	}
	if err := keys.VerifyP1363(key.Public(), combined, want); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyP1363AcceptsTheW3CECDSASignatures(t *testing.T) {
	for _, c := range []string{"P256", "P384"} {
		t.Run(c, func(t *testing.T) {
			lower := strings.ToLower(c)
			data, err := os.ReadFile(filepath.Join(vectors, "vc-di-ecdsa/"+lower+"KeyPair.json"))
			if err != nil {
				t.Fatal(err)
			}
			key, err := keys.ParseMultikeyPair(data)
			if err != nil {
				t.Fatal(err)
			}
			dir := "vc-di-ecdsa/ecdsa-rdfc-2019-" + lower + "/"
			combined := readHex(t, dir+"combinedHashECDSA"+c+".txt")
			sig := readHex(t, dir+"sigHexECDSA"+c+".txt")
			if err := keys.VerifyP1363(key.Public(), combined, sig); err != nil {
				t.Fatal(err)
			}
			// Signing again gives another signature (ECDSA is randomised)
			// that verifies too.
			mine, err := keys.SignP1363(key, combined)
			if err != nil {
				t.Fatal(err)
			}
			if err := keys.VerifyP1363(key.Public(), combined, mine); err != nil {
				t.Fatal(err)
			}
			combined[0] ^= 1
			if err := keys.VerifyP1363(key.Public(), combined, sig); !errors.Is(err, keys.ErrInvalidSignature) {
				t.Fatalf("changed input: %v", err)
			}
		})
	}
}

// badSigner returns a fixed, malformed signature.
type badSigner struct {
	crypto.Signer
	sig []byte
}

func (b badSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) { return b.sig, nil }

func TestSignP1363RefusesMalformedSignerOutput(t *testing.T) {
	p256 := fixedKey(t, keys.P256)
	tests := []struct {
		name string
		s    crypto.Signer
	}{
		{"garbage instead of ASN.1", badSigner{p256, []byte{1, 2, 3}}},
		{"ASN.1 with trailing data", badSigner{p256, []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00}}},
		{"a negative r", badSigner{p256, []byte{0x30, 0x06, 0x02, 0x01, 0xff, 0x02, 0x01, 0x01}}},
		{"an Ed25519 signature of the wrong length", badSigner{fixedKey(t, keys.Ed25519), make([]byte, 63)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := keys.SignP1363(tt.s, []byte("m")); !errors.Is(err, keys.ErrInvalidSignature) {
				t.Fatalf("error = %v, want ErrInvalidSignature", err)
			}
		})
	}
}

// remoteSigner stands for a KMS or HSM client: a crypto.Signer that is
// not a key held in this process. It reports pub and signs with key.
type remoteSigner struct {
	pub crypto.PublicKey
	key crypto.Signer
}

func (r remoteSigner) Public() crypto.PublicKey { return r.pub }
func (r remoteSigner) Sign(rnd io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return r.key.Sign(rnd, digest, opts)
}

// A signer that is not a key in this process has each signature checked
// against the public key it reports, whichever wrapper it comes in; a
// key in this process is not checked again, and its signatures verify.
func TestSignP1363ChecksSignersOutsideTheProcess(t *testing.T) {
	for _, kt := range []keys.KeyType{keys.Ed25519, keys.P256, keys.P384} {
		t.Run(string(kt), func(t *testing.T) {
			key, err := keys.Generate(kt)
			if err != nil {
				t.Fatal(err)
			}
			other, err := keys.Generate(kt)
			if err != nil {
				t.Fatal(err)
			}
			msg := []byte("header.payload")
			honest := remoteSigner{pub: key.Public(), key: key}
			liar := remoteSigner{pub: key.Public(), key: other}
			wrapped, err := keys.NewSigner(liar, "did:web:trust.example#key-1")
			if err != nil {
				t.Fatal(err)
			}
			for name, s := range map[string]crypto.Signer{"in process": key, "remote and honest": honest} {
				sig, err := keys.SignP1363(s, msg)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if err := keys.VerifyP1363(key.Public(), msg, sig); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			for name, s := range map[string]crypto.Signer{"remote": liar, "remote in a keys.Signer": wrapped} {
				if _, err := keys.SignP1363(s, msg); !errors.Is(err, keys.ErrInvalidSignature) {
					t.Errorf("%s signing with another key than it reports: got %v, want ErrInvalidSignature", name, err)
				}
			}
		})
	}
}

// An ed25519.PrivateKey or *ecdsa.PrivateKey put together from two key
// pairs reports a public key its private half does not make, and Go signs
// with it without checking (audit 6): NewSigner refuses such a key, and a
// bare one given to SignP1363 has its signature checked, and refused.
func TestAKeyWhosePublicHalfIsAnotherKeysIsRefused(t *testing.T) {
	edA, _ := keys.Generate(keys.Ed25519)
	edB, _ := keys.Generate(keys.Ed25519)
	mixedEd := append(append(ed25519.PrivateKey{}, edA.(ed25519.PrivateKey).Seed()...), edB.(ed25519.PrivateKey)[32:]...)
	pA, _ := keys.Generate(keys.P256)
	pB, _ := keys.Generate(keys.P256)
	mixedP := &ecdsa.PrivateKey{PublicKey: pB.(*ecdsa.PrivateKey).PublicKey, D: pA.(*ecdsa.PrivateKey).D}
	for name, key := range map[string]crypto.Signer{"Ed25519": mixedEd, "P-256": mixedP} {
		if _, err := keys.NewSigner(key, "did:web:trust.example#key-1"); !errors.Is(err, keys.ErrKeyMismatch) {
			t.Errorf("%s: NewSigner of a mixed key: %v, want ErrKeyMismatch", name, err)
		}
		if _, err := keys.SignP1363(key, []byte("header.payload")); !errors.Is(err, keys.ErrInvalidSignature) {
			t.Errorf("%s: SignP1363 with a mixed key: %v, want ErrInvalidSignature", name, err)
		}
	}
	for _, kt := range []keys.KeyType{keys.Ed25519, keys.P256, keys.P384} {
		key, _ := keys.Generate(kt)
		if _, err := keys.NewSigner(key, "did:web:trust.example#key-1"); err != nil {
			t.Errorf("%s: NewSigner of a generated key: %v", kt, err)
		}
	}
}
