package verifier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/verifier"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The JSON form of a Result is a documented report other tools read: its
// shape, member names and reasons are fixed by the golden files in
// testdata/golden (go test -run TestResultGolden -update rewrites them).
func TestResultGolden(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	w := newWallet(t, seededEd25519(9))
	good := issue(t, f.kch, credentialFor(f.kch, w, nil), issuer.FormatEdDSARDFC2022)
	untrusted := issue(t, f.other, credentialFor(f.other, w, nil), issuer.FormatJWT)
	tests := []struct {
		name string
		data []byte
		p    verifier.Policy
	}{
		{"credential-verified", good, verifier.Policy{}},
		{"credential-untrusted-issuer", untrusted, verifier.Policy{}},
		{"credential-malformed", []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"]}`), verifier.Policy{}},
		{"presentation-verified", present(t, w, [][]byte{good, issue(t, f.kch, credentialFor(f.kch, w, nil), issuer.FormatJWT)}, vc.FormatJWT, nil), policy},
		{"presentation-wrong-domain", present(t, w, [][]byte{good, untrusted}, vc.FormatEdDSARDFC2022, nil),
			verifier.Policy{Challenge: challenge, Domain: "https://kch.nhs.uk", Now: now}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := v.Verify(context.Background(), tt.data, tt.p)
			got, err := json.MarshalIndent(r, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			file := filepath.Join("testdata", "golden", tt.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the Result of %s is not %s:\n%s", tt.name, file, got)
			}
			var back map[string]any
			if err := json.Unmarshal(got, &back); err != nil || back["mediaType"] != verifier.ResultMediaType || back["version"] != float64(verifier.ResultVersion) {
				t.Errorf("no media type and version: %v", err)
			}
		})
	}
}
