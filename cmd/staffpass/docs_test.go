package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra/doc"
)

// TestCLIDocsAreCurrent regenerates the command reference in docs/cli from
// the commands' own help and fails when the committed pages differ: run
// 'go test ./cmd/staffpass -run TestCLIDocsAreCurrent -update' after
// changing a command.
func TestCLIDocsAreCurrent(t *testing.T) {
	root := newRootCmd(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	root.DisableAutoGenTag = true
	dir := t.TempDir()
	if err := doc.GenMarkdownTree(root, dir); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join("..", "..", "docs", "cli")
	got, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.RemoveAll(want); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(want, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	names := map[string]bool{}
	for _, e := range got {
		names[e.Name()] = true
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(want, e.Name())
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		committed, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(committed, data) {
			t.Errorf("docs/cli/%s is stale (run: go test ./cmd/staffpass -run TestCLIDocsAreCurrent -update)", e.Name())
		}
	}
	committed, _ := os.ReadDir(want)
	for _, e := range committed {
		if !names[e.Name()] {
			t.Errorf("docs/cli/%s documents no command (run with -update to remove it)", e.Name())
		}
	}
}
