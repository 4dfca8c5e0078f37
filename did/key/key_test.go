package key_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/multiformats/go-multibase"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/keys"
)

const vectors = "../../testdata/vectors/did-method-key/"

type vectorMethod struct {
	ID              string          `json:"id"`
	Type            string          `json:"type"`
	PublicKeyBase58 string          `json:"publicKeyBase58"`
	PublicKeyJwk    json.RawMessage `json:"publicKeyJwk"`
	PrivateKeyJwk   json.RawMessage `json:"privateKeyJwk"`
}

type vector struct {
	VerificationKeyPair *vectorMethod `json:"verificationKeyPair"` // ed25519-x25519.json
	VerificationMethod  *vectorMethod `json:"verificationMethod"`  // nist-curves.json
	DIDDocument         struct {
		VerificationMethod []vectorMethod `json:"verificationMethod"`
	} `json:"didDocument"`
}

func loadVectors(t testing.TB, file string) map[string]vector {
	t.Helper()
	data, err := os.ReadFile(vectors + file)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]vector
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func base58(t *testing.T, s string) []byte {
	t.Helper()
	_, b, err := multibase.Decode("z" + s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type equaler interface{ Equal(crypto.PublicKey) bool }

func TestDIDKeyVectorsDecodeToTheirPublicKeys(t *testing.T) {
	n := 0
	for _, file := range []string{"ed25519-x25519.json", "nist-curves.json"} {
		for id, v := range loadVectors(t, file) {
			t.Run(id, func(t *testing.T) {
				vm := v.VerificationKeyPair
				if vm == nil {
					vm = v.VerificationMethod
				}
				if strings.Contains(string(vm.PublicKeyJwk), `"P-521"`) {
					if _, err := key.PublicKey(id); !errors.Is(err, keys.ErrUnsupportedKey) {
						t.Fatalf("P-521 did:key: %v, want keys.ErrUnsupportedKey", err)
					}
					return
				}
				n++
				pub, err := key.PublicKey(id)
				if err != nil {
					t.Fatal(err)
				}
				// The vector's own key material.
				var want crypto.PublicKey
				switch {
				case vm.PublicKeyJwk != nil:
					want, err = keys.ParsePublicJWK(vm.PublicKeyJwk)
					if err != nil {
						t.Fatal(err)
					}
					priv, err := keys.ParsePrivateJWK(vm.PrivateKeyJwk)
					if err != nil {
						t.Fatal(err)
					}
					if !priv.Public().(equaler).Equal(pub) {
						t.Fatal("privateKeyJwk is not the key of the DID")
					}
				case vm.Type == "Ed25519VerificationKey2018":
					want = ed25519.PublicKey(base58(t, vm.PublicKeyBase58))
				case vm.Type == "P256Key2021":
					x, y := elliptic.UnmarshalCompressed(elliptic.P256(), base58(t, vm.PublicKeyBase58))
					if x == nil {
						t.Fatal("vector publicKeyBase58 is not a compressed P-256 point")
					}
					u := append(append([]byte{4}, x.FillBytes(make([]byte, 32))...), y.FillBytes(make([]byte, 32))...)
					want, err = ecdsa.ParseUncompressedPublicKey(elliptic.P256(), u)
					if err != nil {
						t.Fatal(err)
					}
				default:
					t.Fatalf("vector type %s", vm.Type)
				}
				if !pub.(equaler).Equal(want) {
					t.Fatal("the DID decodes to another key than the vector's")
				}
				// The method id is did#<multibase>, as in the vector's document.
				msid := strings.TrimPrefix(id, "did:key:")
				if got := v.DIDDocument.VerificationMethod[0].ID; got != id+"#"+msid {
					t.Fatalf("vector method id %s", got)
				}
				kid, err := key.KeyID(pub)
				if err != nil || kid != id+"#"+msid {
					t.Fatalf("KeyID = %q, %v; want %s#%s", kid, err, id, msid)
				}
				d, err := key.New(pub)
				if err != nil || d.String() != id {
					t.Fatalf("New = %q, %v", d, err)
				}
				doc, err := key.Resolver{}.Resolve(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				m, err := doc.Method(id+"#"+msid, did.AssertionMethod)
				if err != nil {
					t.Fatal(err)
				}
				got, err := m.PublicKey()
				if err != nil || !got.(equaler).Equal(want) {
					t.Fatalf("resolved method key: %v", err)
				}
			})
		}
	}
	if n != 10 {
		t.Fatalf("checked %d vectors, want 10 (5 Ed25519, 3 P-256, 2 P-384)", n)
	}
}

func mustMultikey(b []byte) string {
	s, _ := multibase.Encode(multibase.Base58BTC, b)
	return s
}

func TestResolvedDocumentIsTheDIDKeyMultikeyDocument(t *testing.T) {
	for _, kt := range []keys.KeyType{keys.Ed25519, keys.P256, keys.P384} {
		t.Run(string(kt), func(t *testing.T) {
			priv, err := keys.Generate(kt)
			if err != nil {
				t.Fatal(err)
			}
			d, err := key.New(priv.Public())
			if err != nil {
				t.Fatal(err)
			}
			doc, err := key.Resolver{}.Resolve(context.Background(), d.String())
			if err != nil {
				t.Fatal(err)
			}
			out, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			// It is a valid DID document by our own parser.
			if _, err := did.ParseDocument(out); err != nil {
				t.Fatal(err)
			}
			id, mk := d.String(), d.SpecificID()
			vm := id + "#" + mk
			want := `{"@context":["https://www.w3.org/ns/did/v1","https://w3id.org/security/multikey/v1"],"id":"` + id +
				`","verificationMethod":[{"id":"` + vm + `","type":"Multikey","controller":"` + id + `","publicKeyMultibase":"` + mk + `"}],` +
				`"authentication":["` + vm + `"],"assertionMethod":["` + vm + `"],"capabilityInvocation":["` + vm + `"],"capabilityDelegation":["` + vm + `"]}`
			if string(out) != want {
				t.Fatalf("document\n%s\nwant\n%s", out, want)
			}
			if _, err := doc.Method(vm, did.KeyAgreement); !errors.Is(err, did.ErrNotAuthorized) {
				t.Fatalf("keyAgreement: %v", err)
			}
			// Through did.ResolveMethod, as a verifier calls it.
			m, err := did.ResolveMethod(context.Background(), did.Router{"key": key.Resolver{}}, vm, did.Authentication)
			if err != nil {
				t.Fatal(err)
			}
			if pub, err := m.PublicKey(); err != nil || !pub.(equaler).Equal(priv.Public()) {
				t.Fatalf("ResolveMethod key: %v", err)
			}
		})
	}
}

func TestResolveRefusesBadDIDKeys(t *testing.T) {
	ed := mustMultikey(append([]byte{0xed, 0x01}, make([]byte, 32)...))
	tests := []struct {
		name, in string
		want     error
	}{
		{"another method is refused", "did:web:example.com", did.ErrInvalidDID},
		{"a DID URL is refused", "did:key:" + ed + "#" + ed, did.ErrInvalidDID},
		{"a base64url multibase key is refused", "did:key:uAe0B", keys.ErrInvalidKey},
		{"a short Ed25519 key is refused", "did:key:" + mustMultikey(append([]byte{0xed, 0x01}, make([]byte, 31)...)), keys.ErrInvalidKey},
		{"an X25519 key is unsupported", "did:key:z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW", keys.ErrUnsupportedKey},
		{"a secp256k1 key is unsupported", "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", keys.ErrUnsupportedKey},
		{"a secret key is refused", "did:key:" + mustMultikey(append([]byte{0x80, 0x26}, make([]byte, 32)...)), keys.ErrPrivateKeyMaterial},
		{"a versioned did:key is refused", "did:key:1:" + ed, keys.ErrInvalidKey},
		{"an empty string is refused", "", did.ErrInvalidDID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := key.Resolver{}.Resolve(context.Background(), tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var re *did.ResolutionError
			if !errors.As(err, &re) || re.DID != tt.in {
				t.Fatalf("%v is not a *did.ResolutionError", err)
			}
		})
	}
}

func TestNewRefusesUnsupportedKeys(t *testing.T) {
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := key.New(&p521.PublicKey); !errors.Is(err, keys.ErrUnsupportedKey) {
		t.Fatalf("P-521: %v", err)
	}
	if _, err := key.New(nil); !errors.Is(err, keys.ErrInvalidKey) {
		t.Fatalf("nil: %v", err)
	}
	if _, err := key.KeyID("not a key"); !errors.Is(err, keys.ErrUnsupportedKey) {
		t.Fatalf("string: %v", err)
	}
}

func FuzzResolve(f *testing.F) {
	for id := range loadVectors(f, "nist-curves.json") {
		f.Add(id)
	}
	for id := range loadVectors(f, "ed25519-x25519.json") {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		doc, err := key.Resolver{}.Resolve(context.Background(), id)
		if err != nil {
			return
		}
		out, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := did.ParseDocument(out); err != nil {
			t.Fatalf("resolved document does not parse: %v", err)
		}
		pub, err := doc.VerificationMethod[0].PublicKey()
		if err != nil {
			t.Fatal(err)
		}
		if d, err := key.New(pub); err != nil || d.String() != id {
			t.Fatalf("New(PublicKey(%q)) = %q, %v", id, d, err)
		}
	})
}

func BenchmarkResolveMethod(b *testing.B) {
	for _, kt := range []keys.KeyType{keys.Ed25519, keys.P256, keys.P384} {
		b.Run(string(kt), func(b *testing.B) {
			priv, err := keys.Generate(kt)
			if err != nil {
				b.Fatal(err)
			}
			kid, err := key.KeyID(priv.Public())
			if err != nil {
				b.Fatal(err)
			}
			r := did.Router{"key": key.Resolver{}}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				m, err := did.ResolveMethod(ctx, r, kid, did.AssertionMethod)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := m.PublicKey(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
