package dataintegrity

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/keys"
)

// Sign and Verify for each suite on the W3C vector documents: the alumni
// credential (unsigned.json, 6 statements) and the employment authorization
// document (employmentAuth.json, about 20 statements and 3 blank nodes,
// the size of a staff credential with ten claims).
func BenchmarkSign(b *testing.B) {
	for _, v := range vectors {
		b.Run(v.name, func(b *testing.B) {
			doc := readVector(b, v.unsigned)
			opts := SignOptions{Suite: v.suite, Signer: keyPair(b, readVector(b, v.keyPair)), Purpose: AssertionMethod, Created: verifyAt}
			l := warmLoader(b)
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := Sign(doc, opts, l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, v := range vectors {
		b.Run(v.name, func(b *testing.B) {
			doc := v.file(b, "signed", ".json")
			opts := verifyOptions()
			opts.Loader = warmLoader(b)
			benchmarkVerify(b, doc, opts)
		})
	}
	b.Run("eddsa-rdfc-2022 proof chain of four", func(b *testing.B) {
		opts := verifyOptions()
		opts.Loader = warmLoader(b)
		benchmarkVerify(b, readVector(b, setChainDir+"signedProofChain2.json"), opts)
	})
}

func benchmarkVerify(b *testing.B, doc []byte, opts VerifyOptions) {
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Verify(context.Background(), doc, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// warmLoader returns a Loader whose contexts have been processed once, as
// they are in a long-running verifier.
func warmLoader(b *testing.B) *ld.Loader {
	b.Helper()
	l, err := ld.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	for _, v := range vectors {
		opts := verifyOptions()
		opts.Loader = l
		opts.Now = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
		if _, err := Verify(context.Background(), v.file(b, "signed", ".json"), opts); err != nil {
			b.Fatal(err)
		}
	}
	return l
}

// The floor of an eddsa-rdfc-2022 verification: the Ed25519 signature check
// alone, on the same bytes, for the ratio to BenchmarkVerify.
func BenchmarkEd25519Floor(b *testing.B) {
	k, err := keys.ParseMultikeyPair(readVector(b, "vc-di-eddsa/keyPair.json"))
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, 64)
	sig := ed25519.Sign(k.(ed25519.PrivateKey), msg)
	pub := k.Public().(ed25519.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("does not verify")
		}
	}
}
