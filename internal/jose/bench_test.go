package jose

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
)

// The target: verifying a vc+jwt of the reference staff credential
// (about 1.3 KB) takes at most 1.3 times a bare signature check of the same
// signing input. Compare BenchmarkVerifyEdDSA with BenchmarkBareEd25519Verify
// (and the ES256 and ES384 pairs) from one run.

func benchToken(b *testing.B, kid string) (string, VerifyOptions, keys.Signer) {
	b.Helper()
	signers, ring := fixedSigners(b)
	s := signers[kid]
	tok := mustSign(b, staffCredential, KindCredential, s)
	return tok, verifyOptions(ring, KindCredential), s
}

func benchVerify(b *testing.B, kid string) {
	tok, opts, _ := benchToken(b, kid)
	ctx := context.Background()
	b.SetBytes(int64(len(tok)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(ctx, tok, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// benchBare checks only the signature of the same token with the
// primitive: the floor Verify is measured against.
func benchBare(b *testing.B, kid string) {
	tok, _, s := benchToken(b, kid)
	dot := strings.LastIndexByte(tok, '.')
	input := []byte(tok[:dot])
	sig, err := b64.DecodeString(tok[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	pub := s.Public()
	b.SetBytes(int64(len(tok)))
	b.ReportAllocs()
	if edPub, ok := pub.(ed25519.PublicKey); ok {
		for b.Loop() {
			if !ed25519.Verify(edPub, input, sig) {
				b.Fatal("does not verify")
			}
		}
		return
	}
	for b.Loop() {
		if err := keys.VerifyP1363(pub, input, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyEdDSA(b *testing.B)       { benchVerify(b, kidEd) }
func BenchmarkBareEd25519Verify(b *testing.B) { benchBare(b, kidEd) }
func BenchmarkVerifyES256(b *testing.B)       { benchVerify(b, kidP256) }
func BenchmarkBareES256Verify(b *testing.B)   { benchBare(b, kidP256) }
func BenchmarkVerifyES384(b *testing.B)       { benchVerify(b, kidP384) }
func BenchmarkBareES384Verify(b *testing.B)   { benchBare(b, kidP384) }

// BenchmarkJWXVerifyEdDSA is the jwx alternative for the same token: jws.Verify
// and vc.Parse of the payload, without any of Verify's other checks. It is
// here to show why Verify does not go through jwx.
func BenchmarkJWXVerifyEdDSA(b *testing.B) {
	tok, _, s := benchToken(b, kidEd)
	buf := []byte(tok)
	b.SetBytes(int64(len(tok)))
	b.ReportAllocs()
	for b.Loop() {
		payload, err := jws.Verify(buf, jws.WithKey(jwa.EdDSA, s.Public()))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := vc.Parse(payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignEdDSA(b *testing.B) {
	signers, _ := fixedSigners(b)
	s := signers[kidEd]
	payload := []byte(staffCredential)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(payload, SignOptions{Kind: KindCredential, Signer: s}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseUnverified(b *testing.B) {
	tok, _, _ := benchToken(b, kidEd)
	b.SetBytes(int64(len(tok)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseUnverified(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyRatio measures Verify and the bare signature check of the
// same token in turn, in one loop, so that load from other processes falls
// on both alike, and reports their ratio (the target for EdDSA:
// at most 1.3).
func BenchmarkVerifyRatio(b *testing.B) {
	for _, kid := range []string{kidEd, kidP256, kidP384} {
		tok, opts, s := benchToken(b, kid)
		dot := strings.LastIndexByte(tok, '.')
		input := []byte(tok[:dot])
		sig, err := b64.DecodeString(tok[dot+1:])
		if err != nil {
			b.Fatal(err)
		}
		pub := s.Public()
		bare := func() error { return keys.VerifyP1363(pub, input, sig) }
		if edPub, ok := pub.(ed25519.PublicKey); ok {
			bare = func() error {
				if !ed25519.Verify(edPub, input, sig) {
					return errors.New("does not verify")
				}
				return nil
			}
		}
		ctx := context.Background()
		b.Run(s.Algorithm(), func(b *testing.B) {
			var inVerify, inBare time.Duration
			n := 0
			for b.Loop() {
				t0 := time.Now()
				if _, err := Verify(ctx, tok, opts); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := bare(); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				inVerify += t1.Sub(t0)
				inBare += t2.Sub(t1)
				n++
			}
			b.ReportMetric(float64(inVerify.Nanoseconds())/float64(n), "verify-ns/op")
			b.ReportMetric(float64(inBare.Nanoseconds())/float64(n), "bare-ns/op")
			b.ReportMetric(float64(inVerify)/float64(inBare), "ratio")
		})
	}
}
