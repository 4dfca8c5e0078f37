package server

import (
	"encoding/json"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIDescribesWhatIsServed keeps docs/openapi.json and the server in
// step: the same routes, and the same kinds of problem.
func TestOpenAPIDescribesWhatIsServed(t *testing.T) {
	data, err := os.ReadFile("../../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Description string `json:"description"`
		} `json:"info"`
		Paths map[string]map[string]struct {
			OperationID string                     `json:"operationId"`
			Responses   map[string]json.RawMessage `json:"responses"`
			Security    []map[string][]string      `json:"security"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	var documented, served []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			if op.OperationID == "" || len(op.Responses) == 0 {
				t.Errorf("%s %s has no operationId or no responses", method, path)
			}
			authed := len(op.Security) > 0
			if want := path == "/credentials/issue" || path == "/credentials/status" || path == "/openid4vp/requests" || path == "/openid4vp/results/{id}"; authed != want {
				t.Errorf("%s %s: security %v", method, path, op.Security)
			}
		}
	}
	for _, r := range Routes() {
		served = append(served, r.Method+" "+r.Path)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Fatalf("docs/openapi.json describes\n  %v\nthe server serves\n  %v", documented, served)
	}
	// The kinds of problem the description lists are those the server
	// answers with.
	m := regexp.MustCompile(`KIND one of: ([a-z, -]+)\.`).FindStringSubmatch(doc.Info.Description)
	if m == nil {
		t.Fatal("the description does not list the kinds of problem")
	}
	kinds := strings.Split(m[1], ", ")
	slices.Sort(kinds)
	if want := slices.Sorted(maps.Keys(problemTitles)); !slices.Equal(kinds, want) {
		t.Fatalf("docs/openapi.json lists problem kinds\n  %v\nthe server has\n  %v", kinds, want)
	}
}

// TestEveryRouteIsServed checks Routes against the handlers: each route
// answers its method with something other than "no such route".
func TestEveryRouteIsServed(t *testing.T) {
	e := newTestEnv(t, "jwt", nil)
	e.issue(t, e.credential("did:example:sam", nil), nil)
	for _, r := range Routes() {
		path := strings.Replace(r.Path, "{list}", "1", 1)
		res, out := e.call(t, r.Method, path, "{}", auth()...)
		if res.StatusCode == 405 || strings.Contains(string(out), problemBase+"not-found\"") && !strings.Contains(string(out), "no status list") {
			t.Errorf("%s %s is not served: %d %s", r.Method, path, res.StatusCode, out)
		}
	}
}
