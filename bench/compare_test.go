package bench

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/verifier"
)

// issuerOf returns the issuer id of a credential, JSON or the payload of a
// compact JWS.
func issuerOf(b *testing.B, data []byte) string {
	if parts := strings.Split(strings.TrimSpace(string(data)), "."); len(parts) == 3 {
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			b.Fatal(err)
		}
		data = payload
	}
	var c struct {
		Issuer json.RawMessage `json:"issuer"`
	}
	var obj struct {
		ID string `json:"id"`
	}
	var id string
	if err := json.Unmarshal(data, &c); err != nil {
		b.Fatal(err)
	}
	if json.Unmarshal(c.Issuer, &id) != nil {
		if err := json.Unmarshal(c.Issuer, &obj); err != nil {
			b.Fatal(err)
		}
		id = obj.ID
	}
	return id
}

// BenchmarkCompare verifies each input of bench/compare (the folder in
// STAFFPASS_BENCH_INPUTS) as staffpass verify does, through
// verifier.Verify with a did:key resolver and the input's issuer
// trusted: di-*.json carry a Data Integrity proof, jwt-*.jwt are vc+jwt.
func BenchmarkCompare(b *testing.B) {
	dir := os.Getenv("STAFFPASS_BENCH_INPUTS")
	if dir == "" {
		b.Skip("STAFFPASS_BENCH_INPUTS is not set; run bench/compare")
	}
	ctx := context.Background()
	for _, name := range []string{"di-1.json", "jwt-1.jwt", "di-200.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		v, err := verifier.New(verifier.Trust{Issuers: []string{issuerOf(b, data)}, Resolver: key.Resolver{}})
		if err != nil {
			b.Fatal(err)
		}
		data = []byte(strings.TrimSpace(string(data)))
		b.Run(strings.TrimSuffix(name, filepath.Ext(name)), func(b *testing.B) {
			if _, err := v.Verify(ctx, data, verifier.Policy{}); err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			for b.Loop() {
				if _, err := v.Verify(ctx, data, verifier.Policy{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
