package server

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// ProblemMediaType is the media type of the server's error documents
// (RFC 9457, Problem Details for HTTP APIs).
const ProblemMediaType = "application/problem+json"

// problemBase prefixes the type URI of each kind of problem. The URIs name
// the kinds; docs/openapi.json lists them.
const problemBase = "https://w3id.org/staffpass/problems#"

// problem is an RFC 9457 problem details document.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// RequestID is the id the server's log has this request under.
	RequestID string `json:"requestId,omitempty"`
}

// The kinds of problem, by the slug of their type URI.
var problemTitles = map[string]string{
	"malformed-request":      "The request is not one this endpoint accepts",
	"body-too-large":         "The request body is larger than this server accepts",
	"unsupported-media-type": "The request body must be JSON",
	"unauthorized":           "Issuing and status changes need a bearer token or a client certificate",
	"issuing-disabled":       "This server does not issue: it has no token or client certificates configured",
	"not-issuer":             "This server has no issuer configured",
	"wallets-disabled":       "This server does not talk to wallets: it has no public URL (or, to issue, no organisation) configured",
	"verifying-disabled":     "This server does not verify: it has no trust configured",
	"not-found":              "Nothing is served at this path",
	"method-not-allowed":     "The method is not allowed at this path",
	"credential-not-found":   "No credential issued here has that id",
	"cannot-issue":           "The credential cannot be issued",
	"conflict":               "The request conflicts with what was issued before",
	"challenge-refused":      "The challenge was not issued by this server, was used before, or has expired",
	"too-many-challenges":    "Too many challenges were spent recently; try again later",
	"cross-site":             "A request another site's page made is not accepted here",
	"wrong-kind":             "The document is not of the kind this endpoint verifies",
	"unavailable":            "The server cannot answer now",
	"internal":               "The server failed to answer",
}

// writeProblem answers with a problem document of kind slug.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, slug, detail string) {
	title, ok := problemTitles[slug]
	if !ok {
		slug, title = "internal", problemTitles["internal"]
	}
	p := problem{Type: problemBase + slug, Title: title, Status: status, Detail: detail, RequestID: requestID(r)}
	body, err := json.Marshal(p)
	if err != nil {
		body = []byte(`{"type":"` + problemBase + `internal","title":"The server failed to answer","status":500}`)
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", ProblemMediaType)
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
