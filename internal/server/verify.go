package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/staffpass/staffpass/verifier"
)

// verifyCredentialRequest is the body of POST /credentials/verify.
type verifyCredentialRequest struct {
	// VerifiableCredential is the credential: a JSON object (Data
	// Integrity, or an EnvelopedVerifiableCredential) or a string (a
	// compact vc+jwt).
	VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	Options              *verifyOptions  `json:"options"`
}

// verifyPresentationRequest is the body of POST /presentations/verify.
type verifyPresentationRequest struct {
	VerifiablePresentation json.RawMessage `json:"verifiablePresentation"`
	// Presentation is a presentation without a proof, which the VC API
	// allows to send: it is verified, and fails.
	Presentation json.RawMessage `json:"presentation"`
	Options      *verifyOptions  `json:"options"`
}

// verifyOptions are the options a verification request may carry.
type verifyOptions struct {
	// Challenge and Domain are what the presentation must answer: a
	// challenge from POST /challenges (accepted once) or the caller's own.
	Challenge string `json:"challenge"`
	Domain    string `json:"domain"`
	// Checks are the checks the caller asks for (the VC API's option).
	// Every check runs whatever it says: none can be turned off.
	Checks []string `json:"checks"`
}

func (s *Server) handleVerifyCredential(w http.ResponseWriter, r *http.Request) {
	var req verifyCredentialRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	doc, ok := document(w, r, req.VerifiableCredential, "verifiableCredential")
	if !ok {
		return
	}
	var p verifier.Policy
	if req.Options != nil {
		p.Challenge, p.Domain = req.Options.Challenge, req.Options.Domain
	}
	res, ok := s.verifyDocument(w, r, doc, p)
	if !ok {
		return
	}
	if res.Kind != verifier.KindCredential {
		writeProblem(w, r, http.StatusBadRequest, "wrong-kind", "POST /credentials/verify takes a credential; this is a presentation: use POST /presentations/verify")
		return
	}
	s.answer(w, r, res)
}

func (s *Server) handleVerifyPresentation(w http.ResponseWriter, r *http.Request) {
	var req verifyPresentationRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	raw, member := req.VerifiablePresentation, "verifiablePresentation"
	if len(raw) == 0 && len(req.Presentation) > 0 {
		raw, member = req.Presentation, "presentation"
	}
	doc, ok := document(w, r, raw, member)
	if !ok {
		return
	}
	var p verifier.Policy
	if req.Options != nil {
		p.Challenge, p.Domain = req.Options.Challenge, req.Options.Domain
	}
	// One of this server's challenges that cannot be accepted is refused
	// before anything else.
	ours, expires, err := s.challenges.check(p.Challenge, s.now())
	if err != nil {
		note(r, "challenge", "refused")
		writeProblem(w, r, http.StatusBadRequest, "challenge-refused", err.Error())
		return
	}
	res, ok := s.verifyDocument(w, r, doc, p)
	if !ok {
		return
	}
	if res.Kind != verifier.KindPresentation {
		writeProblem(w, r, http.StatusBadRequest, "wrong-kind", "POST /presentations/verify takes a presentation; this is a credential: a credential alone proves nothing about who presents it")
		return
	}
	// The challenge is spent once a holder's proof answered it (whatever
	// else failed), so that nobody else can use it; a request whose proof
	// does not answer it spends nothing, so that nobody can burn the
	// holder's challenge. Of two requests answering it at once, one wins.
	if ours && answered(res) {
		if err := s.challenges.spend(p.Challenge, expires, s.now()); err != nil {
			note(r, "challenge", "refused")
			if errors.Is(err, errTooManyChallenges) {
				w.Header().Set("Retry-After", "60")
				writeProblem(w, r, http.StatusServiceUnavailable, "too-many-challenges", "")
				return
			}
			writeProblem(w, r, http.StatusBadRequest, "challenge-refused", err.Error())
			return
		}
		note(r, "challenge", "spent")
	}
	s.answer(w, r, res)
}

// answered reports whether a presentation's holder proof verified and
// answers the policy's challenge.
func answered(res *verifier.Result) bool {
	for _, name := range []string{verifier.CheckProof, verifier.CheckVerificationMethod, verifier.CheckChallenge} {
		if c := res.Check(name); c == nil || c.Status != verifier.Passed {
			return false
		}
	}
	return true
}

// document returns the document a request member holds: the JSON object
// as its bytes were sent (what a proof signed), or the token a JSON string
// holds.
func document(w http.ResponseWriter, r *http.Request, raw json.RawMessage, member string) ([]byte, bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", member+" is required")
		return nil, false
	case raw[0] == '{':
		return raw, true
	case raw[0] == '"':
		var token string
		if err := json.Unmarshal(raw, &token); err != nil || !compactJWS(token) {
			writeProblem(w, r, http.StatusBadRequest, "malformed-request", member+" must be an object or a compact JWT, not another string")
			return nil, false
		}
		return []byte(token), true
	}
	writeProblem(w, r, http.StatusBadRequest, "malformed-request", member+" must be an object or a compact JWT")
	return nil, false
}

// verifyDocument verifies doc, or answers the client itself when it
// cannot.
func (s *Server) verifyDocument(w http.ResponseWriter, r *http.Request, doc []byte, p verifier.Policy) (*verifier.Result, bool) {
	if !s.verify {
		writeProblem(w, r, http.StatusNotImplemented, "verifying-disabled", "start the server with --bundle or --trust to verify")
		return nil, false
	}
	v, err := s.verifier(r.Context())
	if err != nil {
		s.log.Error("verifier", "request_id", requestID(r), "error", err.Error())
		writeProblem(w, r, http.StatusServiceUnavailable, "unavailable", "the verifier cannot be made now")
		return nil, false
	}
	res, _ := v.Verify(r.Context(), doc, p)
	return res, true
}

// answer answers with the Result: 200 when it verified, 400 when it did
// not (the W3C suites ask for 400).
func (s *Server) answer(w http.ResponseWriter, r *http.Request, res *verifier.Result) {
	status := http.StatusOK
	if !res.Verified {
		status = http.StatusBadRequest
	}
	note(r, "kind", res.Kind)
	note(r, "format", res.Format)
	note(r, "verified", res.Verified)
	if !res.Verified {
		var failed []string
		for _, c := range res.Checks {
			if c.Status == verifier.Failed {
				failed = append(failed, c.Name)
			}
		}
		note(r, "failed_checks", failed)
	}
	writeJSON(w, status, res)
}

// compactJWS reports whether s has the form of a compact JWS: three
// base64url parts joined by dots (a document sent as a JSON string, say,
// is not one).
func compactJWS(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return false
	}
	for _, p := range parts {
		for _, c := range p {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
