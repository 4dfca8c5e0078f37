package keys_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"testing"

	"github.com/staffpass/staffpass/keys"
)

func TestPEMRoundTripsEachKeyType(t *testing.T) {
	for _, kt := range allTypes {
		t.Run(string(kt), func(t *testing.T) {
			key := fixedKey(t, kt)
			privPEM, err := keys.MarshalPrivatePEM(key)
			if err != nil {
				t.Fatal(err)
			}
			priv, err := keys.ParsePrivatePEM(privPEM)
			if err != nil {
				t.Fatal(err)
			}
			if !priv.(interface{ Equal(crypto.PrivateKey) bool }).Equal(key) {
				t.Fatal("private PEM does not round-trip")
			}
			pubPEM, err := keys.MarshalPublicPEM(key.Public())
			if err != nil {
				t.Fatal(err)
			}
			pub, err := keys.ParsePublicPEM(pubPEM)
			if err != nil {
				t.Fatal(err)
			}
			if !pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
				t.Fatal("public PEM does not round-trip")
			}
		})
	}
}

func TestParsePrivatePEMReadsOpenSSLECKeys(t *testing.T) {
	key := fixedKey(t, keys.P384).(*ecdsa.PrivateKey)
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := keys.ParsePrivatePEM(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	if !got.(*ecdsa.PrivateKey).Equal(key) {
		t.Fatal("SEC 1 key read as another key")
	}
}

func TestParsePEMRefusesBadInput(t *testing.T) {
	priv, err := os.ReadFile("../testdata/keys/p256.pem")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile("../testdata/keys/p256.pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaDER, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	rsaPubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	p521DER, _ := x509.MarshalPKCS8PrivateKey(p521)
	block := func(typ string, der []byte, headers map[string]string) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der, Headers: headers})
	}
	privBlock, _ := pem.Decode(priv)
	tests := []struct {
		name    string
		in      []byte
		private bool
		want    error
	}{
		{"text before the block is refused", append([]byte("hello\n"), priv...), true, keys.ErrUnknownFormat},
		{"two blocks are refused", append(append([]byte{}, priv...), priv...), true, keys.ErrUnknownFormat},
		{"an encrypted key is refused", block("ENCRYPTED PRIVATE KEY", privBlock.Bytes, nil), true, keys.ErrUnknownFormat},
		{"a block with headers is refused", block("PRIVATE KEY", privBlock.Bytes, map[string]string{"Proc-Type": "4,ENCRYPTED"}), true, keys.ErrUnknownFormat},
		{"a certificate is refused", block("CERTIFICATE", privBlock.Bytes, nil), true, keys.ErrUnknownFormat},
		{"a public key is not a private key", pub, true, keys.ErrUnknownFormat},
		{"garbage DER is invalid", block("PRIVATE KEY", []byte{0x30, 0x03, 1, 2, 3}, nil), true, keys.ErrInvalidKey},
		{"an RSA key is unsupported", block("PRIVATE KEY", rsaDER, nil), true, keys.ErrUnsupportedKey},
		{"a P-521 key is unsupported", block("PRIVATE KEY", p521DER, nil), true, keys.ErrUnsupportedKey},
		{"no PEM at all is refused", []byte("not a key"), true, keys.ErrUnknownFormat},
		{"a private key is refused as a public key", priv, false, keys.ErrPrivateKeyMaterial},
		{"an RSA public key is unsupported", block("PUBLIC KEY", rsaPubDER, nil), false, keys.ErrUnsupportedKey},
		{"garbage public DER is invalid", block("PUBLIC KEY", []byte{1, 2, 3}, nil), false, keys.ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.private {
				_, err = keys.ParsePrivatePEM(tt.in)
			} else {
				_, err = keys.ParsePublicPEM(tt.in)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
}
