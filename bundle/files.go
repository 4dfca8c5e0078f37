package bundle

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
	"github.com/staffpass/staffpass/vc"
)

// Files is a Source of documents at hand instead of the network: DID
// documents and status list credentials, each found by the id it carries
// (a DID document's id, a status list credential's id, which is the URL it
// is published at). Build checks what it takes from them as it checks what
// it fetches. Use it to build a bundle on a machine that may not fetch, from
// copies an organisation sent or a mirror of its website.
type Files struct {
	docs  map[string]*did.Document
	lists map[string][]byte
}

// NewFiles returns an empty Files.
func NewFiles() *Files {
	return &Files{docs: make(map[string]*did.Document), lists: make(map[string][]byte)}
}

// ReadFiles reads each file as a DID document or a status list credential
// (a vc+jwt, or Data Integrity JSON), told apart by what it holds.
func ReadFiles(paths ...string) (*Files, error) {
	f := NewFiles()
	for _, p := range paths {
		data, err := readLimited(p)
		if err != nil {
			return nil, err
		}
		if err := f.Add(data); err != nil {
			return nil, fmt.Errorf("bundle: %s: %w", p, err)
		}
	}
	return f, nil
}

func readLimited(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > limits.MaxBundleDocumentBytes {
		return nil, fmt.Errorf("bundle: %s: %d bytes, more than %d", path, fi.Size(), limits.MaxBundleDocumentBytes)
	}
	return os.ReadFile(path)
}

// Add adds a DID document or a status list credential. It refuses anything
// else, and a second document for one id.
func (f *Files) Add(data []byte) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		t, err := strictjson.Parse(trimmed, limits.MaxBundleDocumentBytes)
		if err != nil {
			return err
		}
		isCredential := t.Member(strictjson.Root, "verificationMethod") == strictjson.None &&
			t.Member(strictjson.Root, "credentialSubject") != strictjson.None
		t.Release()
		if !isCredential {
			doc, err := did.ParseDocument(trimmed)
			if err != nil {
				return err
			}
			if f.docs[doc.ID] != nil {
				return fmt.Errorf("a second DID document for %s", doc.ID)
			}
			f.docs[doc.ID] = doc
			return nil
		}
	}
	id, err := listID(trimmed)
	if err != nil {
		return fmt.Errorf("neither a DID document nor a status list credential: %w", err)
	}
	if f.lists[id] != nil {
		return fmt.Errorf("a second status list credential with id %s", id)
	}
	f.lists[id] = bytes.Clone(trimmed)
	return nil
}

// listID reads, unverified, the id of a status list credential.
func listID(data []byte) (string, error) {
	payload, err := jose.PeekDocument(data)
	if err != nil {
		return "", err
	}
	c, err := vc.Parse(payload)
	if err != nil {
		return "", err
	}
	if c.ID == "" {
		return "", fmt.Errorf("a credential without an id")
	}
	return c.ID, nil
}

// Resolve returns the DID document of id, or an error wrapping
// did.ErrNotFound.
func (f *Files) Resolve(_ context.Context, id string) (*did.Document, error) {
	if doc := f.docs[id]; doc != nil {
		return doc, nil
	}
	return nil, fmt.Errorf("%w: no DID document for %s among the files", did.ErrNotFound, id)
}

// Fetch returns the status list credential whose id is url, or an error
// wrapping did.ErrNotFound.
func (f *Files) Fetch(_ context.Context, url string) ([]byte, error) {
	if l := f.lists[url]; l != nil {
		return bytes.Clone(l), nil
	}
	return nil, fmt.Errorf("%w: no status list credential %s among the files", did.ErrNotFound, url)
}
