package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"errors"
	"math/big"
	"testing"
)

// twin returns (r, n-s) for the r||s signature sig: the other signature
// that verifies wherever sig does.
func twin(t *testing.T, sig []byte, n *big.Int) []byte {
	t.Helper()
	size := len(sig) / 2
	out := append([]byte(nil), sig...)
	s := new(big.Int).SetBytes(sig[size:])
	new(big.Int).Sub(n, s).FillBytes(out[size:])
	return out
}

// SignP1363 writes only the lower of an ECDSA signature's two encodings;
// VerifyP1363 accepts both (ECDSA cannot tell them apart), and CheckLowS
// tells them apart.
func TestSignP1363WritesLowSAndCheckLowSRefusesTheTwin(t *testing.T) {
	for _, kt := range []KeyType{P256, P384} {
		t.Run(string(kt), func(t *testing.T) {
			key, err := Generate(kt)
			if err != nil {
				t.Fatal(err)
			}
			pub := key.Public().(*ecdsa.PublicKey)
			n := kt.curveOrder()
			half := new(big.Int).Rsh(n, 1)
			for i := range 64 {
				msg := []byte{byte(i)}
				sig, err := SignP1363(key, msg)
				if err != nil {
					t.Fatal(err)
				}
				if new(big.Int).SetBytes(sig[len(sig)/2:]).Cmp(half) > 0 {
					t.Fatalf("signature %d has a high s", i)
				}
				if err := CheckLowS(pub, sig); err != nil {
					t.Fatalf("CheckLowS refuses SignP1363's signature: %v", err)
				}
				high := twin(t, sig, n)
				if err := VerifyP1363(pub, msg, high); err != nil {
					t.Fatalf("the twin does not verify (%v): then there would be nothing to refuse", err)
				}
				if err := CheckLowS(pub, high); !errors.Is(err, ErrHighS) {
					t.Fatalf("CheckLowS(twin) = %v, want ErrHighS", err)
				}
			}
		})
	}
	_, priv, _ := ed25519.GenerateKey(nil)
	sig, _ := SignP1363(priv, []byte("x"))
	if err := CheckLowS(priv.Public(), sig); err != nil {
		t.Errorf("CheckLowS on Ed25519: %v", err)
	}
}
