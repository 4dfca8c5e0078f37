package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/staffpass/staffpass/internal/strictjson"
)

// readJSON reads the request's JSON body into v, strictly: the body must
// be JSON (strictjson's rules: no duplicate member names, numbers a float64
// holds, bounded depth) within MaxBodyBytes, and every member a member of
// v. It answers the client itself when it fails.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) ||
		(params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		writeProblem(w, r, http.StatusUnsupportedMediaType, "unsupported-media-type", "Content-Type is "+strconv.Quote(ct)+"; send application/json in UTF-8")
		return false
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
	// encoding/json matches member names regardless of case, so that
	// {"credential": A, "Credential": B} would read B: every member name
	// must be the exact name of a field.
	doc, err := strictjson.Decode(body, int(s.cfg.MaxBodyBytes))
	if err == nil {
		err = exactMembers(doc, reflect.TypeOf(v), "")
	}
	if err != nil {
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", err.Error())
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

// exactMembers checks that every member name of the objects in doc that
// decode into structs of t is a field's JSON name, exactly.
func exactMembers(doc any, t reflect.Type, at string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	obj, ok := doc.(map[string]any)
	if t.Kind() != reflect.Struct || !ok {
		return nil
	}
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			fields[name] = f.Type
		}
	}
	for k, val := range obj {
		ft, ok := fields[k]
		if !ok {
			return fmt.Errorf("unknown member %s%q", at, k)
		}
		if ft != reflect.TypeOf(json.RawMessage(nil)) {
			if err := exactMembers(val, ft, at+k+"."); err != nil {
				return err
			}
		}
	}
	return nil
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
	c, expires := s.challenges.issue(s.now())
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
