package ld

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func readIndex(t *testing.T) contextIndex {
	t.Helper()
	raw, err := contextFiles.ReadFile("contexts/contexts.json")
	if err != nil {
		t.Fatal(err)
	}
	var idx contextIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	// The fifteen of the conformance set, staffpass's own, and the CCG's
	// StatusList2021 (read for Entra Verified ID credentials).
	if len(idx.Contexts) != 17 {
		t.Fatalf("the index lists %d contexts, want 17", len(idx.Contexts))
	}
	return idx
}

var hexDigest = regexp.MustCompile(`^[0-9a-f]{64}\b`)
var multihashDigest = regexp.MustCompile(`multihash (u[A-Za-z0-9_-]+)`)

// Every embedded context is the file the index names, byte for byte: its
// SHA-256 and length are those of contexts.json, and where a W3C
// Recommendation publishes a digest, it matches too.
func TestEmbeddedContextsMatchTheirPublishedDigests(t *testing.T) {
	idx := readIndex(t)
	recChecked := 0
	for url, c := range idx.Contexts {
		t.Run(url, func(t *testing.T) {
			want := strings.TrimPrefix(url, "https://") + ".jsonld"
			if c.File != want {
				t.Errorf("file %q, want the URL layout %q", c.File, want)
			}
			data, err := contextFiles.ReadFile("contexts/" + c.File)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if got := hex.EncodeToString(sum[:]); got != c.SHA256 {
				t.Errorf("sha256 %s, index says %s", got, c.SHA256)
			}
			if len(data) != c.Bytes {
				t.Errorf("%d bytes, index says %d", len(data), c.Bytes)
			}
			if m := hexDigest.FindString(c.RecDigest); m != "" {
				recChecked++
				if m != hex.EncodeToString(sum[:]) {
					t.Errorf("sha256 differs from the Recommendation's %s", m)
				}
			}
			if m := multihashDigest.FindStringSubmatch(c.RecDigest); m != nil {
				recChecked++
				// Multibase "u" (base64url, no padding) of the multihash
				// sha2-256 (0x12), 32 bytes (0x20), digest.
				mh := "u" + base64.RawURLEncoding.EncodeToString(append([]byte{0x12, 0x20}, sum[:]...))
				if mh != m[1] {
					t.Errorf("multihash %s, the Recommendation gives %s", mh, m[1])
				}
			}
		})
	}
	// credentials/v2, status/v1, data-integrity/v2, multikey/v1, jwk/v1
	// (hex) and examples/v2 (multihash).
	if recChecked != 6 {
		t.Errorf("checked %d published digests, want 6", recChecked)
	}
}

// The Subresource Integrity value of credentials/v2 that digestSRI uses
// (the REC's examples print it with a stray multibase "M" in front).
func TestCredentialsV2SubresourceIntegrity(t *testing.T) {
	data, err := contextFiles.ReadFile("contexts/www.w3.org/ns/credentials/v2.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum384(data)
	got := "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
	const want = "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU"
	if got != want {
		t.Errorf("SRI %s, want %s", got, want)
	}
}

// Every .jsonld file embedded is in the index, and every indexed URL is
// served by a Loader.
func TestEveryEmbeddedFileIsIndexedAndServed(t *testing.T) {
	idx := readIndex(t)
	indexed := map[string]string{}
	for url, c := range idx.Contexts {
		indexed["contexts/"+c.File] = url
	}
	var files []string
	err := fs.WalkDir(contextFiles, "contexts", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonld") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) != len(indexed) {
		t.Errorf("%d embedded .jsonld files, %d indexed", len(files), len(indexed))
	}
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	g := &goldLoader{l: l}
	for _, f := range files {
		url, ok := indexed[f]
		if !ok {
			t.Errorf("%s is embedded but not indexed", f)
			continue
		}
		rd, err := g.LoadDocument(url)
		if err != nil {
			t.Errorf("%s: %v", url, err)
			continue
		}
		if m, ok := rd.Document.(map[string]any); !ok || m["@context"] == nil {
			t.Errorf("%s: served document has no @context", url)
		}
	}
}
