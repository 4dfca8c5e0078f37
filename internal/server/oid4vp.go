package server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/policy"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/verifier"
)

// OpenID for Verifiable Presentations 1.0, for the receiving organisation:
//
//	POST /openid4vp/requests             a request for a role (token or client certificate)
//	GET  /openid4vp/requests/{id}        its signed request object (request_uri)
//	POST /openid4vp/responses/{id}       the wallet's answer (response_mode direct_post)
//	GET  /openid4vp/results/{id}         the verdict (token or client certificate)
//
// A request asks, with a DCQL query built from the role's requirements, for
// one SD-JWT VC of each staff type the role needs, disclosing no
// identifier (and the date of birth only for an identity check). With an
// organisation whose DID is a did:web, the request is passed by reference,
// signed by the organisation's key, its client_id
// "decentralized_identifier:" + the DID; otherwise its parameters travel in
// the URI, its client_id "redirect_uri:" + the response URI (for tests on
// one machine). The wallet's presentations are verified with this server's
// verifier, the request's nonce as the challenge and its client_id as the
// domain, key binding required, and the role judged across them
// (policy.EvaluateAll). Requests live in memory for ten minutes.

const (
	vpRequestFor    = 10 * time.Minute
	maxVPRequests   = 10_000
	vpRequestTyp    = "oauth-authz-req+jwt"
	vpWalletAudence = "https://self-issued.me/v2"
)

// vpRequest is one request and, once answered, its outcome.
type vpRequest struct {
	id, nonce, state, clientID string
	link                       string // the openid4vp:// URI a wallet opens
	role                       *policy.Role
	query                      map[string]any
	expires                    time.Time

	mu      sync.Mutex
	done    bool
	verdict *policy.Verdict
	results []*verifier.Result
	failure string
}

type vpRequests struct {
	mu sync.Mutex
	m  map[string]*vpRequest
}

func (q *vpRequests) add(r *vpRequest, now time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for id, old := range q.m {
		if !now.Before(old.expires) {
			delete(q.m, id)
		}
	}
	if len(q.m) >= maxVPRequests {
		return errTooManyRequests
	}
	q.m[r.id] = r
	return nil
}

func (q *vpRequests) get(id string, now time.Time) *vpRequest {
	q.mu.Lock()
	defer q.mu.Unlock()
	r := q.m[id]
	if r == nil || !now.Before(r.expires) {
		return nil
	}
	return r
}

var errTooManyRequests = errors.New("too many open presentation requests")

func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// vpEnabled answers 404 when this server cannot ask wallets for
// presentations (no public URL, or nothing to verify with).
func (s *Server) vpEnabled(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.PublicURL == "" {
		writeProblem(w, r, http.StatusNotFound, "wallets-disabled", "start the server with --public-url to ask wallets for presentations")
		return false
	}
	if !s.verify {
		writeProblem(w, r, http.StatusNotFound, "wallets-disabled", "start the server with something to trust (--bundle or --trust) to ask wallets for presentations")
		return false
	}
	return true
}

// walletErrors are the error codes a wallet may answer a request with
// (OpenID4VP 1.0 and RFC 6749): any other is recorded as "another error".
var walletErrors = map[string]bool{
	"access_denied": true, "invalid_request": true, "invalid_client": true, "invalid_scope": true,
	"vp_formats_not_supported": true, "invalid_request_uri_method": true, "wallet_unavailable": true,
	"invalid_transaction_data": true, "server_error": true, "temporarily_unavailable": true,
}

// dcqlFor is the DCQL query for a role: one credential of each staff type
// its requirements rest on, as an SD-JWT VC, disclosing no identifier.
func dcqlFor(role *policy.Role) map[string]any {
	q := role.Requirements
	var creds []any
	add := func(id, typ string, claims ...[]any) {
		cs := []any{map[string]any{"path": []any{"vct"}}}
		for _, c := range claims {
			cs = append(cs, map[string]any{"path": c})
		}
		creds = append(creds, map[string]any{
			"id": id, "format": "dc+sd-jwt",
			"meta":   map[string]any{"vct_values": []any{staff.VCT(typ)}},
			"claims": cs,
		})
	}
	if q.IdentityCheck != nil {
		add("identity-check", staff.TypeIdentityCheck, []any{"dateOfBirth"})
	}
	if q.RightToWork != nil {
		add("right-to-work", staff.TypeRightToWork)
	}
	if q.DBSCheck != nil {
		add("dbs-check", staff.TypeDBSCheck)
	}
	if q.ProfessionalRegistration != nil {
		add("professional-registration", staff.TypeProfessionalRegistration)
	}
	if q.MandatoryTraining != nil {
		add("mandatory-training", staff.TypeMandatoryTraining)
	}
	if q.OccupationalHealth != nil {
		add("occupational-health", staff.TypeOccupationalHealthClearance)
	}
	return map[string]any{"credentials": creds}
}

type vpRequestBody struct {
	Role json.RawMessage `json:"role"`
}

func (s *Server) handleVPRequest(w http.ResponseWriter, r *http.Request) {
	if !s.vpEnabled(w, r) {
		return
	}
	if _, ok := s.authorise(w, r); !ok {
		return
	}
	var body vpRequestBody
	if !s.readJSON(w, r, &body) {
		return
	}
	role, err := policy.ParseRole(body.Role)
	if err != nil {
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", "role: "+err.Error())
		return
	}
	req, link, err := s.newVPRequest(role)
	if err != nil {
		writeProblem(w, r, http.StatusServiceUnavailable, "unavailable", err.Error())
		return
	}
	note(r, "vp_request", req.id)
	note(r, "role", role.ID)
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": req.id, "request_uri": link, "result_url": s.cfg.PublicURL + "/openid4vp/results/" + req.id,
		"expires": req.expires.UTC().Format(time.RFC3339),
	})
}

// newVPRequest makes and keeps a request for role, and returns it and
// the URI a wallet opens.
func (s *Server) newVPRequest(role *policy.Role) (*vpRequest, string, error) {
	now := s.now()
	req := &vpRequest{id: randomID(18), nonce: randomID(24), state: randomID(18), role: role, query: dcqlFor(role), expires: now.Add(vpRequestFor)}
	responseURI := s.cfg.PublicURL + "/openid4vp/responses/" + req.id
	if d := s.requestSignerDID(); d != "" {
		req.clientID = "decentralized_identifier:" + d
		req.link = "openid4vp://?client_id=" + url.QueryEscape(req.clientID) + "&request_uri=" + url.QueryEscape(s.cfg.PublicURL+"/openid4vp/requests/"+req.id)
	} else {
		req.clientID = "redirect_uri:" + responseURI
		query, _ := json.Marshal(req.query)
		v := url.Values{"client_id": {req.clientID}, "response_type": {"vp_token"}, "response_mode": {"direct_post"},
			"response_uri": {responseURI}, "nonce": {req.nonce}, "state": {req.state}, "dcql_query": {string(query)}}
		req.link = "openid4vp://?" + v.Encode()
	}
	if err := s.vpRequests.add(req, now); err != nil {
		return nil, "", err
	}
	return req, req.link, nil
}

// requestSignerDID is the did:web that signs request objects, or "".
func (s *Server) requestSignerDID() string {
	if s.cfg.Issuer == nil || s.cfg.Issuer.Document == nil || !strings.HasPrefix(s.cfg.Issuer.Document.ID, "did:web:") {
		return ""
	}
	return s.cfg.Issuer.Document.ID
}

func (s *Server) handleVPRequestObject(w http.ResponseWriter, r *http.Request) {
	if !s.vpEnabled(w, r) {
		return
	}
	req := s.vpRequests.get(r.PathValue("id"), s.now())
	if req == nil || s.requestSignerDID() == "" {
		writeProblem(w, r, http.StatusNotFound, "not-found", "no such presentation request, or it has expired")
		return
	}
	now := s.now()
	claims := map[string]any{
		"iss": strings.TrimPrefix(req.clientID, "decentralized_identifier:"), "aud": vpWalletAudence,
		"client_id": req.clientID, "response_type": "vp_token", "response_mode": "direct_post",
		"response_uri": s.cfg.PublicURL + "/openid4vp/responses/" + req.id,
		"nonce":        req.nonce, "state": req.state, "dcql_query": req.query,
		"iat": now.Unix(), "exp": req.expires.Unix(),
		"client_metadata": map[string]any{"vp_formats_supported": map[string]any{
			"dc+sd-jwt": map[string]any{"sd-jwt_alg_values": jose.DefaultAlgorithms(), "kb-jwt_alg_values": jose.DefaultAlgorithms()[:3]},
		}},
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	tok, err := jose.SignDocument(payload, vpRequestTyp, s.cfg.Issuer.Signer, 1<<20)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/oauth-authz-req+jwt")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(tok))
}

// take marks the request answered, holding its lock, which the caller
// then releases; a request answered before is refused (and its lock
// released).
func (req *vpRequest) take(w http.ResponseWriter, r *http.Request) bool {
	req.mu.Lock()
	if req.done {
		req.mu.Unlock()
		oauthError(w, http.StatusBadRequest, "invalid_request", "this request has been answered")
		return false
	}
	req.done = true
	note(r, "vp_request", req.id)
	return true
}

func (s *Server) handleVPResponse(w http.ResponseWriter, r *http.Request) {
	if !s.vpEnabled(w, r) {
		return
	}
	req := s.vpRequests.get(r.PathValue("id"), s.now())
	if req == nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "no such presentation request, or it has expired")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the response is a form (application/x-www-form-urlencoded)")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the form cannot be read")
		return
	}
	if r.PostForm.Get("state") != req.state {
		oauthError(w, http.StatusBadRequest, "invalid_request", "state is not this request's")
		return
	}
	// A wallet that declines says so with an error, which is recorded so
	// that the officer's page stops waiting.
	if code := r.PostForm.Get("error"); code != "" {
		if !walletErrors[code] {
			code = "another error"
		}
		if !req.take(w, r) {
			return
		}
		defer req.mu.Unlock()
		req.failure = "the wallet did not present: " + code
		s.log.Info("presentation declined", "request_id", requestID(r), "vp_request", req.id, "role", req.role.ID, "error", code)
		writeJSONNoStore(w, map[string]any{})
		return
	}
	var token map[string][]string
	if err := json.Unmarshal([]byte(r.PostForm.Get("vp_token")), &token); err != nil || len(token) == 0 {
		oauthError(w, http.StatusBadRequest, "invalid_request", "vp_token is not a JSON object of presentations by credential query id")
		return
	}
	// Each credential query asks for one credential (no "multiple"): one
	// presentation answers it.
	for id, presentations := range token {
		if len(presentations) != 1 {
			oauthError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("vp_token answers %q with %d presentations; the request asked for one", id, len(presentations)))
			return
		}
	}
	// The verifier is built before the request is taken, so that a
	// failure to build it (the status lists could not be read, say)
	// leaves the request for the wallet to try again.
	v, err := s.verifier(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !req.take(w, r) {
		return
	}
	defer req.mu.Unlock()
	known := map[string]bool{}
	for _, c := range req.query["credentials"].([]any) {
		known[c.(map[string]any)["id"].(string)] = true
	}
	pol := verifier.Policy{Challenge: req.nonce, Domain: req.clientID, RequireKeyBinding: true}
	for id, presentations := range token {
		if !known[id] {
			req.failure = fmt.Sprintf("vp_token answers %q, which the request did not ask for", id)
			break
		}
		for _, p := range presentations {
			res, _ := v.Verify(r.Context(), []byte(p), pol)
			req.results = append(req.results, res)
		}
	}
	if req.failure == "" {
		verdict, err := policy.EvaluateAll(req.role, req.results)
		if err != nil && !errors.Is(err, policy.ErrNotMet) {
			req.failure = err.Error()
		}
		req.verdict = verdict
	}
	met := req.verdict != nil && req.verdict.Met
	note(r, "met", met)
	s.log.Info("presentation verdict", "request_id", requestID(r), "vp_request", req.id, "role", req.role.ID, "met", met, "presentations", len(req.results))
	writeJSONNoStore(w, map[string]any{})
}

func (s *Server) handleVPResult(w http.ResponseWriter, r *http.Request) {
	if !s.vpEnabled(w, r) {
		return
	}
	if _, ok := s.authorise(w, r); !ok {
		return
	}
	req := s.vpRequests.get(r.PathValue("id"), s.now())
	if req == nil {
		writeProblem(w, r, http.StatusNotFound, "not-found", "no such presentation request, or it has expired")
		return
	}
	req.mu.Lock()
	defer req.mu.Unlock()
	out := map[string]any{"id": req.id, "role": req.role.ID, "status": "pending"}
	if req.done {
		out["status"] = "answered"
		if req.verdict != nil {
			out["verdict"] = req.verdict
		}
		if req.failure != "" {
			out["failure"] = req.failure
		}
		out["results"] = req.results
	}
	writeJSONNoStore(w, out)
}
