package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/staffpass/staffpass/internal/strictjson"
)

// readJSON reads the request's JSON body into v, strictly: the body must
// be JSON (strictjson's rules: no duplicate member names, numbers a float64
// holds, bounded depth) within MaxBodyBytes, and every member a member of
// v. It answers the client itself when it fails.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !(len(mt) > 5 && mt[len(mt)-5:] == "+json")) {
			writeProblem(w, r, http.StatusUnsupportedMediaType, "unsupported-media-type", "Content-Type is "+strconv.Quote(ct))
			return false
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeProblem(w, r, http.StatusRequestEntityTooLarge, "body-too-large", fmt.Sprintf("the limit is %d bytes", s.cfg.MaxBodyBytes))
			return false
		}
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", "the body could not be read")
		return false
	}
	if err := strictjson.Check(body, int(s.cfg.MaxBodyBytes)); err != nil {
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", "the body is not JSON this server accepts: "+err.Error())
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", describeDecodeError(err))
		return false
	}
	return true
}

// describeDecodeError says what was wrong with a request in words, from
// encoding/json's error.
func describeDecodeError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field != "" {
			return fmt.Sprintf("%s must be %s, not a JSON %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
		}
		return fmt.Sprintf("the body must be a JSON object, not a JSON %s", typeErr.Value)
	}
	return err.Error()
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "struct", "map", "ptr":
		return "an object"
	case "slice":
		return "an array"
	}
	return "of another kind"
}

// handleChallenge serves POST /challenges: a fresh challenge for a holder
// to answer in a presentation, accepted once, until it expires.
func (s *Server) handleChallenge(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 4096)) // the body is empty, or ignored
	c, expires, err := s.challenges.issue(s.now())
	if err != nil {
		w.Header().Set("Retry-After", "60")
		writeProblem(w, r, http.StatusServiceUnavailable, "too-many-challenges", "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"challenge": c, "expires": expires.UTC().Format(time.RFC3339)})
}

// handleDIDDocument serves the issuer's did:web DID document.
func (s *Server) handleDIDDocument(w http.ResponseWriter, r *http.Request) {
	if s.didDoc == nil {
		writeProblem(w, r, http.StatusNotFound, "not-found", "this server hosts no DID document")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/did+json")
	h.Set("Content-Length", strconv.Itoa(len(s.didDoc)))
	h.Set("Cache-Control", "max-age=300")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(s.didDoc)
	}
}

// handleHealth serves GET /healthz: 200 while the server can answer, 503
// when the issuer's registry cannot be read.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{"status": "ok", "issuing": s.cfg.Issuer != nil, "verifying": s.verify}
	if s.cfg.Issuer != nil {
		if _, err := s.cfg.Issuer.Registry.StatusLists(r.Context()); err != nil {
			s.log.Error("health", "request_id", requestID(r), "error", err.Error())
			writeProblem(w, r, http.StatusServiceUnavailable, "unavailable", "the registry cannot be read")
			return
		}
	}
	writeJSON(w, http.StatusOK, out)
}
