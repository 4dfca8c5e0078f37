package dataintegrity

import (
	"context"
	"crypto/elliptic"
	"errors"
	"math/big"
	"testing"

	"github.com/multiformats/go-multibase"

	"github.com/staffpass/staffpass/keys"
)

// flipS returns proofValue with its ECDSA signature's s replaced by n-s.
func flipS(t *testing.T, proofValue string, n *big.Int) string {
	t.Helper()
	sig, err := decodeProofValue(proofValue)
	if err != nil {
		t.Fatal(err)
	}
	size := len(sig) / 2
	s := new(big.Int).SetBytes(sig[size:])
	new(big.Int).Sub(n, s).FillBytes(sig[size:])
	out, err := multibase.Encode(multibase.Base58BTC, sig)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func isHighS(sig []byte, n *big.Int) bool {
	return new(big.Int).SetBytes(sig[len(sig)/2:]).Cmp(new(big.Int).Rsh(n, 1)) > 0
}

// Sign writes the lower of an ECDSA signature's two encodings. Verify
// accepts the twin unless LowS is set, and then refuses it with
// keys.ErrHighS.
func TestECDSAProofsWithAHighS(t *testing.T) {
	for _, sk := range suiteKeys {
		if sk.kt == keys.Ed25519 {
			continue
		}
		n := elliptic.P256().Params().N
		if sk.kt == keys.P384 {
			n = elliptic.P384().Params().N
		}
		t.Run(sk.String(), func(t *testing.T) {
			signer := newSigner(t, sk.kt)
			for range 8 {
				signed := signWith(t, staffCredential, sk, signer, nil)
				proof := decodeObject(t, signed)["proof"].(map[string]any)
				sig, _ := decodeProofValue(proof["proofValue"].(string))
				if isHighS(sig, n) {
					t.Fatal("Sign wrote a high s")
				}
				twin := edit(t, signed, func(_, _, p map[string]any) { p["proofValue"] = flipS(t, p["proofValue"].(string), n) })
				if _, err := Verify(context.Background(), twin, verifyOptions()); err != nil {
					t.Fatalf("the twin does not verify without LowS: %v", err)
				}
				strict := verifyOptions()
				strict.LowS = true
				if _, err := Verify(context.Background(), signed, strict); err != nil {
					t.Fatalf("LowS refuses Sign's own proof: %v", err)
				}
				if _, err := Verify(context.Background(), twin, strict); !errors.Is(err, keys.ErrHighS) || !errors.Is(err, ErrSignature) {
					t.Fatalf("LowS: err = %v, want ErrSignature and keys.ErrHighS", err)
				}
			}
		})
	}
}

// Three of the six W3C ECDSA vectors have a high s: they verify by
// default, and LowS refuses exactly those.
func TestECDSAVectorsAndLowS(t *testing.T) {
	high := 0
	for _, v := range vectors {
		if v.suite != ECDSARDFC2019 && v.suite != ECDSAJCS2019 {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			n := elliptic.P256().Params().N
			sig := v.hexFile(t, "sigHex")
			if len(sig) == 96 {
				n = elliptic.P384().Params().N
			}
			signed := v.file(t, "signed", ".json")
			if _, err := Verify(context.Background(), signed, verifyOptions()); err != nil {
				t.Fatalf("default: %v", err)
			}
			strict := verifyOptions()
			strict.LowS = true
			_, err := Verify(context.Background(), signed, strict)
			if isHighS(sig, n) {
				high++
				if !errors.Is(err, keys.ErrHighS) {
					t.Errorf("a vector with a high s under LowS: %v, want ErrHighS", err)
				}
			} else if err != nil {
				t.Errorf("a vector with a low s under LowS: %v", err)
			}
		})
	}
	if high != 3 {
		t.Errorf("%d vectors have a high s, want 3 (the number the verifier's documentation gives)", high)
	}
}
