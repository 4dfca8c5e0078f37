package staffpass_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/vc"
)

// TestVCDMTestSuiteInputs runs every input of the W3C VCDM 2.0 test suite
// through the data-model checks staffpass applies before any signature: the
// strict parser (vc.ParseDocument), then safe-mode JSON-LD expansion of the
// document without its proof (every term and type defined, no protected term
// redefined). Inputs
// named *-ok must pass both, *-fail and *-fail-or-inject (we never inject)
// must be refused by one of them. Unlike the vc package's own test, no input
// is skipped: the faults only JSON-LD can see are judged here.
func TestVCDMTestSuiteInputs(t *testing.T) {
	dir := filepath.Join("testdata", "vectors", "vc-data-model-2.0-test-suite", "input")
	var files []string
	for _, pattern := range []string{"*.json", "names-and-descriptions/*.json"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 100 {
		t.Fatalf("found %d inputs in %s, want the whole suite", len(files), dir)
	}
	loader, err := ld.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			data := prepareSuiteInput(t, raw)
			err = judge(data, loader)
			switch {
			case strings.HasSuffix(name, "-ok.json"), strings.HasPrefix(name, "presentation-self-asserted-vc-"):
				// The self-asserted inputs carry no verdict in their
				// names; as data they are well formed.
				if err != nil {
					t.Errorf("refused a valid input: %v", err)
				}
			case strings.HasSuffix(name, "-fail.json"), strings.HasSuffix(name, "-fail-or-inject.json"):
				if err == nil {
					t.Errorf("accepted an invalid input")
				}
			default:
				t.Fatalf("input %s has no verdict in its name", name)
			}
		})
	}
}

// judge applies the parser and then, to the document without its proofs,
// safe-mode JSON-LD expansion. (Conversion to RDF, which only the rdfc
// cryptosuites need, further refuses values with a base direction, as
// jsonld.js does: see internal/ld.)
func judge(data []byte, loader *ld.Loader) error {
	if _, err := vc.ParseDocument(data); err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	stripProofs(doc)
	_, err := ld.Expand(doc, loader)
	return err
}

// stripProofs removes the proof of a document and of the credentials a
// presentation embeds: a Data Integrity proof signs the document without it,
// and the proof is checked by its cryptosuite, not as claims.
func stripProofs(doc map[string]any) {
	delete(doc, "proof")
	switch vcs := doc["verifiableCredential"].(type) {
	case map[string]any:
		stripProofs(vcs)
	case []any:
		for _, v := range vcs {
			if m, ok := v.(map[string]any); ok {
				stripProofs(m)
			}
		}
	}
}

// prepareSuiteInput does what the suite does before sending an input: it
// sets an issuer on a credential that has none (or whose issuer object has
// no id) and replaces the date placeholders.
func prepareSuiteInput(t *testing.T, raw []byte) []byte {
	t.Helper()
	s := strings.NewReplacer(`"FUTURE DATE"`, `"2040-01-01T00:00:00Z"`, `"PAST DATE"`, `"2020-01-01T00:00:00Z"`).Replace(string(raw))
	var doc map[string]any
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		return []byte(s) // malformed on purpose: let the parser say so
	}
	injectIssuer(doc)
	if vcs, ok := doc["verifiableCredential"].([]any); ok {
		for _, v := range vcs {
			if m, ok := v.(map[string]any); ok {
				injectIssuer(m)
			}
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func injectIssuer(doc map[string]any) {
	types, _ := doc["type"].([]any)
	isCredential := false
	for _, ty := range types {
		isCredential = isCredential || ty == "VerifiableCredential"
	}
	if !isCredential {
		return
	}
	switch iss, present := doc["issuer"]; {
	case !present:
		doc["issuer"] = "did:example:issuer"
	case iss != nil:
		if m, ok := iss.(map[string]any); ok {
			if _, has := m["id"]; !has {
				m["id"] = "did:example:issuer"
			}
		}
	}
}
