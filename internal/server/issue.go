package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/status"
)

// issueRequest is the body of POST /credentials/issue.
type issueRequest struct {
	Credential json.RawMessage `json:"credential"`
	Options    *issueOptions   `json:"options"`
}

// issueOptions are the VC API's IssueCredentialOptions.
type issueOptions struct {
	// CredentialID identifies the credential in later requests (status
	// changes) when it has no id of its own; issuing again with the same
	// CredentialID returns the credential issued the first time.
	CredentialID string `json:"credentialId"`
	// MandatoryPointers are for selective disclosure cryptosuites, which
	// this issuer does not sign with: refused when not empty.
	MandatoryPointers []string `json:"mandatoryPointers"`
	// CredentialStatus asks for a status entry of a type: every
	// credential gets BitstringStatusListEntry entries for revocation
	// and suspension, and another type is refused.
	CredentialStatus *struct {
		Type string `json:"type"`
	} `json:"credentialStatus"`
}

// issuanceKey is the registry's issuance key of a request: by the caller's
// credentialId, else by the credential's id, else new every time (the VC
// API asks an issuer not to invent an id the caller never learns).
func issuanceKey(credentialID, id string) string {
	switch {
	case credentialID != "":
		return "vc-api:credentialId:" + credentialID
	case id != "":
		return "vc-api:id:" + id
	}
	b := make([]byte, 16)
	rand.Read(b)
	return "vc-api:request:" + hex.EncodeToString(b)
}

func (s *Server) handleIssue(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.authorise(w, r)
	if !ok {
		return
	}
	is := s.cfg.Issuer
	if is == nil {
		writeProblem(w, r, http.StatusNotImplemented, "not-issuer", "start the server with --org to issue")
		return
	}
	var req issueRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	data := bytes.TrimSpace(req.Credential)
	if len(data) == 0 || data[0] != '{' {
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", "credential is required, and must be an object")
		return
	}
	var opts issueOptions
	if req.Options != nil {
		opts = *req.Options
	}
	if len(opts.MandatoryPointers) > 0 {
		writeProblem(w, r, http.StatusBadRequest, "cannot-issue", "options.mandatoryPointers: this issuer does not sign with a selective disclosure cryptosuite")
		return
	}
	if len(opts.CredentialID) > maxCredentialID {
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", fmt.Sprintf("options.credentialId is longer than %d characters", maxCredentialID))
		return
	}
	if cs := opts.CredentialStatus; cs != nil && cs.Type != status.TypeEntry {
		writeProblem(w, r, http.StatusBadRequest, "cannot-issue", "options.credentialStatus: this issuer gives "+status.TypeEntry+" entries, not "+quote(cs.Type))
		return
	}
	cred, err := vc.Parse(data)
	if err != nil {
		writeProblem(w, r, http.StatusBadRequest, "cannot-issue", err.Error())
		return
	}
	// A credentialId must not be another credential's id, nor an id the
	// credentialId of another: a status change names either, and must
	// name one credential.
	if clash, err := s.idClash(r.Context(), opts.CredentialID, cred.ID); err != nil {
		s.issueError(w, r, err)
		return
	} else if clash != "" {
		writeProblem(w, r, http.StatusConflict, "conflict", clash)
		return
	}
	// Once reserved, the credential is signed and recorded even if the
	// client goes away, so that no reservation is left half done.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	rec, signed, err := issuer.IssueRecorded(ctx, is.Registry, is.Signer, issuer.Issuance{
		Credential: data,
		Key:        issuanceKey(opts.CredentialID, cred.ID),
		Format:     is.Format,
		// A VCDM 1.1 credential's status entries need a context 1.1
		// processors may not hold (status/v1): they are added only when
		// options.credentialStatus asks for them.
		NotRevocable: cred.Version() == vc.V1 && opts.CredentialStatus == nil,
		Actor:        "staffpass serve (" + actor + ")",
	}, s.now().UTC().Truncate(time.Second))
	if err != nil {
		s.issueError(w, r, err)
		return
	}
	note(r, "credential_id", rec.CredentialID)
	note(r, "type", rec.Type)
	if rec.Revoked {
		writeProblem(w, r, http.StatusConflict, "conflict", "the credential issued for this request, "+rec.CredentialID+", has been revoked; it is not handed out again")
		return
	}
	if !signed && !sameCredential(cred, rec.Credential) {
		writeProblem(w, r, http.StatusConflict, "conflict", "a credential with other claims was issued under this credentialId (or id); issue the new claims under a new one")
		return
	}
	s.lists.invalidate() // a new list may have been opened
	out := map[string]any{"verifiableCredential": json.RawMessage(rec.Credential)}
	if is.Format == issuer.FormatJWT {
		out["verifiableCredential"] = map[string]any{
			"@context": vc.ContextV2,
			"id":       "data:" + vc.MediaTypeVCJWT + "," + string(rec.Credential),
			"type":     "EnvelopedVerifiableCredential",
		}
	}
	code := http.StatusCreated
	if !signed {
		code = http.StatusOK
		note(r, "repeat", true)
	}
	writeJSON(w, code, out)
}

// issueError answers a failed issuance: 400 for a credential that cannot
// be issued, 409 for one that conflicts with an earlier one, 503 or 500
// for the server's own failures (logged; the client learns only the id).
func (s *Server) issueError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, vc.ErrInvalid), errors.Is(err, issuer.ErrContent), errors.Is(err, issuer.ErrHasStatus),
		errors.Is(err, issuer.ErrIssuerMismatch), errors.Is(err, issuer.ErrOptions):
		writeProblem(w, r, http.StatusBadRequest, "cannot-issue", err.Error())
	case errors.Is(err, registry.ErrCredentialRevoked):
		writeProblem(w, r, http.StatusConflict, "conflict", "the credential reserved for this request was revoked before it was signed; it is not issued")
	case errors.Is(err, registry.ErrReservationConflict), errors.Is(err, registry.ErrAlreadyIssued):
		// The details name another credential's subject: they go to the
		// log, not to the client.
		s.log.Info("issue conflict", "request_id", requestID(r), "error", err.Error())
		writeProblem(w, r, http.StatusConflict, "conflict", "the credentialId (or id) is another credential's")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		writeProblem(w, r, http.StatusServiceUnavailable, "unavailable", "the request ended before the credential was issued")
	default:
		s.log.Error("issue", "request_id", requestID(r), "error", err.Error())
		writeProblem(w, r, http.StatusInternalServerError, "internal", "")
	}
}

// statusRequest is the body of POST /credentials/status (the VC API's
// UpdateCredentialStatusRequest).
type statusRequest struct {
	CredentialID     string              `json:"credentialId"`
	CredentialStatus *statusEntryRequest `json:"credentialStatus"`
	Status           *bool               `json:"status"`
	IndexAllocator   string              `json:"indexAllocator"`
}

type statusEntryRequest struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

func (s *Server) handleStatusChange(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.authorise(w, r)
	if !ok {
		return
	}
	is := s.cfg.Issuer
	if is == nil {
		writeProblem(w, r, http.StatusNotImplemented, "not-issuer", "start the server with --org to change status")
		return
	}
	var req statusRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	cs := req.CredentialStatus
	switch {
	case req.CredentialID == "":
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", "credentialId is required")
		return
	case cs == nil || req.Status == nil:
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", "credentialStatus and status are required")
		return
	case cs.Type != status.TypeEntry && cs.Type != "BitstringStatusList":
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", "credentialStatus.type must be "+status.TypeEntry+", not "+quote(cs.Type))
		return
	case cs.StatusPurpose != status.PurposeRevocation && cs.StatusPurpose != status.PurposeSuspension:
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", "credentialStatus.statusPurpose must be revocation or suspension, not "+quote(cs.StatusPurpose))
		return
	}
	// credentialId is a credential's id, or the credentialId it was issued
	// under; if both name a credential, and not the same one, nothing is
	// changed.
	target := registry.Target{CredentialID: req.CredentialID}
	byID, err := is.Registry.Find(r.Context(), target)
	if err != nil && !errors.Is(err, registry.ErrCredentialNotFound) {
		s.issueError(w, r, err)
		return
	}
	byKey, err := is.Registry.Find(r.Context(), registry.Target{IssuanceKey: issuanceKey(req.CredentialID, "")})
	if err != nil && !errors.Is(err, registry.ErrCredentialNotFound) {
		s.issueError(w, r, err)
		return
	}
	switch {
	case len(byID) > 0 && len(byKey) > 0 && byID[0].IssuanceKey != byKey[0].IssuanceKey:
		writeProblem(w, r, http.StatusConflict, "conflict", "credentialId names two credentials: one by its id, one by the credentialId it was issued under; nothing was changed")
		return
	case len(byID) == 0 && len(byKey) > 0:
		target = registry.Target{IssuanceKey: byKey[0].IssuanceKey}
	}
	change := registry.Change{Actor: "staffpass serve (" + actor + ")", Reason: "POST /credentials/status"}
	var recs []*registry.Record
	set := *req.Status
	switch {
	case cs.StatusPurpose == status.PurposeRevocation && set:
		recs, err = is.Registry.Revoke(r.Context(), target, change)
	case cs.StatusPurpose == status.PurposeRevocation:
		recs, err = is.Registry.Find(r.Context(), target)
		if err == nil && recs[0].Revoked {
			writeProblem(w, r, http.StatusConflict, "conflict", "a revoked credential stays revoked")
			return
		}
	case set:
		recs, err = is.Registry.Suspend(r.Context(), target, change)
	default:
		recs, err = is.Registry.Unsuspend(r.Context(), target, change)
	}
	switch {
	case errors.Is(err, registry.ErrCredentialNotFound):
		writeProblem(w, r, http.StatusNotFound, "credential-not-found", "no credential issued here has the id "+quote(req.CredentialID))
		return
	case errors.Is(err, registry.ErrCredentialRevoked):
		writeProblem(w, r, http.StatusConflict, "conflict", "the credential is revoked: its suspension cannot change")
		return
	case errors.Is(err, registry.ErrNoStatusEntry):
		writeProblem(w, r, http.StatusConflict, "conflict", "the credential was issued without a "+cs.StatusPurpose+" entry")
		return
	case err != nil:
		s.issueError(w, r, err)
		return
	}
	rec := recs[0]
	s.lists.invalidate()
	note(r, "credential_id", rec.CredentialID)
	note(r, "purpose", cs.StatusPurpose)
	note(r, "set", set)
	writeJSON(w, http.StatusOK, map[string]any{"credentialId": rec.CredentialID, "revoked": rec.Revoked, "suspended": rec.Suspended})
}

func quote(s string) string { return strconv.Quote(s) }

// maxCredentialID caps options.credentialId.
const maxCredentialID = 2048

// idClash says why a request's credentialId or id cannot be used: the
// credentialId is another credential's id, or the id another credential's
// credentialId. "" when neither.
func (s *Server) idClash(ctx context.Context, credentialID, id string) (string, error) {
	reg := s.cfg.Issuer.Registry
	exists := func(t registry.Target) (string, error) {
		recs, err := reg.Find(ctx, t)
		switch {
		case errors.Is(err, registry.ErrCredentialNotFound):
			return "", nil
		case err != nil:
			return "", err
		}
		return recs[0].IssuanceKey, nil
	}
	if credentialID != "" {
		key, err := exists(registry.Target{CredentialID: credentialID})
		if err != nil || (key != "" && key != issuanceKey(credentialID, "")) {
			return "options.credentialId is the id of another credential", err
		}
	}
	if id != "" {
		key, err := exists(registry.Target{IssuanceKey: issuanceKey(id, "")})
		if err != nil || key != "" {
			return "the credential's id is the credentialId another credential was issued under", err
		}
	}
	return "", nil
}

// sameCredential reports whether a credential issued before (signed, in
// either format) makes the claims the request's credential makes: the
// same type, subjects and claims (issuer.DefaultIssuanceKey) and validity
// period, so that a repeat returns it and a corrected credential under the
// same credentialId does not get the old one back.
func sameCredential(req *vc.Credential, signed []byte) bool {
	doc, err := jose.PeekDocument(signed)
	if err != nil {
		return false
	}
	old, err := vc.Parse(doc)
	if err != nil {
		return false
	}
	k1, err1 := issuer.DefaultIssuanceKey(req)
	k2, err2 := issuer.DefaultIssuanceKey(old)
	if err1 != nil || err2 != nil || k1 != k2 {
		return false
	}
	f1, u1, err1 := req.ValidityPeriod()
	f2, u2, err2 := old.ValidityPeriod()
	return err1 == nil && err2 == nil && f1.Equal(f2) && u1.Equal(u2)
}
