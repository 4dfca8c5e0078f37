package bundle_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
)

// A bundle built from files at hand is the bundle built from the same
// documents fetched.
func TestBuildFromFiles(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	var paths []string
	write := func(name string, data []byte) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	for name, doc := range map[string]*did.Document{"kch.json": w.kch.doc, "gstt.json": w.gstt.doc} {
		data, _ := json.Marshal(doc)
		write(name, data)
	}
	write("status-1.jwt", w.src.files["https://kch.nhs.uk/status/1"])
	files, err := bundle.ReadFiles(paths...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := bundle.Build(context.Background(), w.list, files, bundle.BuildOptions{Publisher: didOf(t, w.pub), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := got.Marshal()
	b, _ := w.build(t, nil, now).Marshal()
	if !bytes.Equal(a, b) {
		t.Fatalf("from files:\n%s\nfetched:\n%s", a, b)
	}

	// What the files lack, Build says is missing.
	short, err := bundle.ReadFiles(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Build(context.Background(), w.list, short, bundle.BuildOptions{Publisher: didOf(t, w.pub), Now: now}); !errors.Is(err, did.ErrNotFound) {
		t.Fatalf("Build from too few files: %v", err)
	}
	// Files that are neither, or the same document twice, are refused.
	for name, data := range map[string][]byte{"junk.json": []byte(`{"hello": "world"}`), "text.txt": []byte("hello")} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		if _, err := bundle.ReadFiles(p); err == nil {
			t.Errorf("%s read as a DID document or status list", name)
		}
	}
	if _, err := bundle.ReadFiles(paths[0], paths[0]); err == nil {
		t.Error("the same DID document twice")
	}
}
