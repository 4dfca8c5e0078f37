package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/verifier"
)

const benchFiles = 2000

// benchInputs writes benchFiles credentials, each about another member of
// staff, half vc+jwt and half eddsa-rdfc-2022, signed by one did:key
// issuer, and returns the issuer, the file names and their contents.
func benchInputs(b *testing.B) (string, []string, [][]byte) {
	b.Helper()
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = 7
	key := ed25519.NewKeyFromSeed(seed)
	kid, err := didkey.KeyID(key.Public())
	if err != nil {
		b.Fatal(err)
	}
	signer, err := keys.NewSigner(key, kid)
	if err != nil {
		b.Fatal(err)
	}
	iss, _, _ := strings.Cut(kid, "#")
	dir := b.TempDir()
	var names []string
	var datas [][]byte
	for i := range benchFiles {
		doc, _ := json.Marshal(map[string]any{
			"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiableCredential"},
			"id": fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i), "issuer": iss, "validFrom": "2026-01-01T00:00:00Z",
			"credentialSubject": map[string]any{"id": fmt.Sprintf("did:example:staff-%d", i), "name": fmt.Sprintf("Member of staff %d", i)},
		})
		format := issuer.FormatJWT
		if i%2 == 1 {
			format = issuer.FormatEdDSARDFC2022
		}
		out, err := issuer.Issue(doc, signer, issuer.Options{Format: format, Created: time.Now().Add(-time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		name := filepath.Join(dir, fmt.Sprintf("%04d.cred", i))
		if err := os.WriteFile(name, out, 0o644); err != nil {
			b.Fatal(err)
		}
		names, datas = append(names, name), append(datas, out)
	}
	return iss, names, datas
}

// BenchmarkVerifyFiles times 'staffpass verify --output json' over 2,000
// files in one process, against the library verifying the same bytes on
// every core: the command's throughput should be at least 80% of the
// library's. Compare the two files/s figures.
func BenchmarkVerifyFiles(b *testing.B) {
	iss, names, datas := benchInputs(b)
	b.Run("library", func(b *testing.B) {
		v, err := verifier.New(verifier.Trust{Issuers: []string{iss}})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			var wg sync.WaitGroup
			next := make(chan []byte)
			for range runtime.GOMAXPROCS(0) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for d := range next {
						if _, err := v.Verify(context.Background(), d, verifier.Policy{}); err != nil {
							b.Error(err)
						}
					}
				}()
			}
			for _, d := range datas {
				next <- d
			}
			close(next)
			wg.Wait()
		}
		b.ReportMetric(float64(b.N*benchFiles)/b.Elapsed().Seconds(), "files/s")
	})
	b.Run("command", func(b *testing.B) {
		args := append([]string{"verify", "--trust", iss, "--output", "json"}, names...)
		for b.Loop() {
			if code := run(args, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
				b.Fatalf("exit %d", code)
			}
		}
		b.ReportMetric(float64(b.N*benchFiles)/b.Elapsed().Seconds(), "files/s")
	})
}
