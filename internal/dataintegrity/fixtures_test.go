package dataintegrity

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/keys"
)

var vectorsDir = filepath.Join("..", "..", "testdata", "vectors")

// readVector reads a file under testdata/vectors.
func readVector(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorsDir, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jsonValue(t testing.TB, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func decodeObject(t testing.TB, data []byte) map[string]any {
	t.Helper()
	m, ok := jsonValue(t, data).(map[string]any)
	if !ok {
		t.Fatalf("not a JSON object: %.80s", data)
	}
	return m
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// errNoSuchKey is what didKey returns for a method it cannot read.
var errNoSuchKey = errors.New("test: no such verification method")

// didKey is a KeyFunc that reads the key out of a did:key verification
// method "did:key:<multikey>#<multikey>", as a did:key resolver would. It
// stands in for the verifier's resolver in these tests.
func didKey(_ context.Context, vm, _ string) (crypto.PublicKey, error) {
	did, frag, ok := strings.Cut(vm, "#")
	if !ok || did != "did:key:"+frag {
		return nil, fmt.Errorf("%w: %s", errNoSuchKey, vm)
	}
	return keys.DecodeMultikey(frag)
}

// didKeyMethod returns the did:key verification method of a key.
func didKeyMethod(t testing.TB, pub crypto.PublicKey) string {
	t.Helper()
	mb, err := keys.EncodeMultikey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return "did:key:" + mb + "#" + mb
}

// keyPair reads a Multikey key pair JSON file and returns a Signer for its
// did:key verification method.
func keyPair(t testing.TB, data []byte) keys.Signer {
	t.Helper()
	k, err := keys.ParseMultikeyPair(data)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(k, didKeyMethod(t, k.Public()))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newSigner makes a fresh key of type kt with its did:key method.
func newSigner(t testing.TB, kt keys.KeyType) keys.Signer {
	t.Helper()
	k, err := keys.Generate(kt)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(k, didKeyMethod(t, k.Public()))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// allSuites is the allow-list of every suite.
var allSuites = []string{EdDSARDFC2022, EdDSAJCS2022, ECDSARDFC2019, ECDSAJCS2019}

// verifyAt is the verification time of the tests: after every vector's
// created time.
var verifyAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func verifyOptions() VerifyOptions {
	return VerifyOptions{Suites: allSuites, Key: didKey, Now: verifyAt, Purpose: AssertionMethod}
}

// parseTime parses an RFC 3339 time or fails the test.
func parseTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
