package ld

import (
	"embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/staffpass/staffpass/internal/strictjson"
)

// The contexts directory is a byte-for-byte copy of the conformance set's
// contexts (see contexts/SOURCE); contexts.json maps each URL to its file.
//
//go:embed contexts/contexts.json contexts/www.w3.org contexts/w3id.org
var contextFiles embed.FS

// contextIndex is the shape of contexts/contexts.json.
type contextIndex struct {
	Contexts map[string]struct {
		File      string `json:"file"`
		SHA256    string `json:"sha256"`
		Bytes     int    `json:"bytes"`
		Source    string `json:"source"`
		RecDigest string `json:"recDigest"`
	} `json:"contexts"`
}

// embedded returns the embedded contexts, URL to decoded document, read and
// decoded once per process. The maps are shared: nothing may modify them.
var embedded = sync.OnceValues(func() (map[string]any, error) {
	raw, err := contextFiles.ReadFile("contexts/contexts.json")
	if err != nil {
		return nil, fmt.Errorf("ld: embedded context index: %w", err)
	}
	var idx contextIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, fmt.Errorf("ld: embedded context index: %w", err)
	}
	docs := make(map[string]any, len(idx.Contexts))
	for url, c := range idx.Contexts {
		data, err := contextFiles.ReadFile("contexts/" + c.File)
		if err != nil {
			return nil, fmt.Errorf("ld: embedded context %s: %w", url, err)
		}
		doc, err := decodeContext(data)
		if err != nil {
			return nil, fmt.Errorf("ld: embedded context %s: %w", url, err)
		}
		docs[url] = doc
	}
	return docs, nil
})

// EmbeddedContext returns the bytes of the embedded context document served
// for url, and whether there is one: the W3C contexts and staffpass's own,
// https://w3id.org/staffpass/v1.
func EmbeddedContext(url string) ([]byte, bool) {
	raw, err := contextFiles.ReadFile("contexts/contexts.json")
	if err != nil {
		return nil, false
	}
	var idx contextIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, false
	}
	c, ok := idx.Contexts[url]
	if !ok {
		return nil, false
	}
	data, err := contextFiles.ReadFile("contexts/" + c.File)
	return data, err == nil
}

// decodeContext checks and decodes a context document: strict JSON, a JSON
// object with an @context member.
func decodeContext(data []byte) (map[string]any, error) {
	if err := strictjson.Check(data, 0); err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidContext, err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: a context document must be a JSON object", ErrInvalidContext)
	}
	if _, ok := m["@context"]; !ok {
		return nil, fmt.Errorf("%w: a context document must have an @context member", ErrInvalidContext)
	}
	return m, nil
}
