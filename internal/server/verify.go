package server

import (
	"bytes"
	"encoding/json"
	"net/http"

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
	s.verifyDocument(w, r, doc, p)
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
	if p.Challenge != "" {
		if ours, err := s.challenges.use(p.Challenge, s.now()); err != nil {
			note(r, "challenge", "refused")
			writeProblem(w, r, http.StatusBadRequest, "challenge-refused", err.Error())
			return
		} else if ours {
			note(r, "challenge", "ours")
		}
	}
	s.verifyDocument(w, r, doc, p)
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
		if err := json.Unmarshal(raw, &token); err != nil || token == "" {
			writeProblem(w, r, http.StatusBadRequest, "malformed-request", member+" must be an object or a compact JWT")
			return nil, false
		}
		return []byte(token), true
	}
	writeProblem(w, r, http.StatusBadRequest, "malformed-request", member+" must be an object or a compact JWT")
	return nil, false
}

// verifyDocument verifies doc and answers with the Result: 200 when it
// verified, 400 when it is not a credential or presentation at all, 422
// when it did not verify.
func (s *Server) verifyDocument(w http.ResponseWriter, r *http.Request, doc []byte, p verifier.Policy) {
	if !s.verify {
		writeProblem(w, r, http.StatusNotImplemented, "verifying-disabled", "start the server with --bundle or --trust to verify")
		return
	}
	v, err := s.verifier(r.Context())
	if err != nil {
		s.log.Error("verifier", "request_id", requestID(r), "error", err.Error())
		writeProblem(w, r, http.StatusServiceUnavailable, "unavailable", "the verifier cannot be made now")
		return
	}
	res, _ := v.Verify(r.Context(), doc, p)
	status := http.StatusOK
	switch {
	case res.Verified:
	case res.Check(verifier.CheckSyntax) != nil && res.Check(verifier.CheckSyntax).Status == verifier.Failed:
		status = http.StatusBadRequest
	default:
		status = http.StatusUnprocessableEntity
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
