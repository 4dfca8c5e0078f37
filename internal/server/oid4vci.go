package server

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
)

// OpenID for Verifiable Credential Issuance 1.0, the pre-authorized code
// flow, for the offers HR makes with "staffpass offer create":
//
//	GET  /.well-known/openid-credential-issuer    issuer metadata
//	GET  /.well-known/oauth-authorization-server  its own authorization server
//	GET  /offers/{id}                             a credential offer, by reference
//	POST /token                                   pre-authorized code -> access token
//	POST /nonce                                   a c_nonce for a key proof
//	POST /credential                              the credential, about the proven key
//
// Each staff credential type is offered as an SD-JWT VC (dc+sd-jwt), its
// configuration id the type's name. Errors are OAuth 2.0 / OpenID4VCI error
// objects ({"error", "error_description"}), as wallets expect, not problem
// documents. Nothing here needs the issuing token: the offer's
// pre-authorized code (and transaction code) is the wallet's authorisation.

const (
	grantPreAuthorized = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
	proofType          = "openid4vci-proof+jwt"
	// accessTokenFor is how long an access token lasts.
	accessTokenFor = 5 * time.Minute
	// proofSkew is how far a key proof's iat may be from now.
	proofSkew = 5 * time.Minute
)

// oid4vciEnabled answers 404 when this server does not issue over
// OpenID4VCI (no issuer, or no public URL).
func (s *Server) oid4vciEnabled(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.Issuer == nil || s.cfg.PublicURL == "" {
		writeProblem(w, r, http.StatusNotFound, "wallets-disabled", "start the server with --org and --public-url")
		return false
	}
	return true
}

// oauthError writes an OAuth 2.0 error response (RFC 6749 section 5.2).
func oauthError(w http.ResponseWriter, status int, code, description string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer error="`+code+`"`)
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

func writeJSONNoStore(w http.ResponseWriter, v any) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) handleIssuerMetadata(w http.ResponseWriter, r *http.Request) {
	if !s.oid4vciEnabled(w, r) {
		return
	}
	base := s.cfg.PublicURL
	configs := map[string]any{}
	for _, t := range staff.Types() {
		if _, ok := offerable(t); !ok {
			continue
		}
		configs[t] = map[string]any{
			"format": string(issuer.FormatSDJWT),
			"vct":    staff.VCT(t),
			"scope":  t,
			"cryptographic_binding_methods_supported": []string{"jwk"},
			"credential_signing_alg_values_supported": []string{s.cfg.Issuer.Signer.Algorithm()},
			"proof_types_supported": map[string]any{
				"jwt": map[string]any{"proof_signing_alg_values_supported": jose.DefaultAlgorithms()[:3]},
			},
			"credential_metadata": map[string]any{
				"display": []any{map[string]any{"name": words(t), "locale": "en-GB"}},
			},
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"credential_issuer":                   base,
		"credential_endpoint":                 base + "/credential",
		"nonce_endpoint":                      base + "/nonce",
		"credential_configurations_supported": configs,
		"display":                             []any{map[string]any{"name": issuerName(s.cfg.Issuer), "locale": "en-GB"}},
	})
}

// offerable reports whether staff type t can be offered: every type whose
// rows the registry can issue.
func offerable(t string) (string, bool) {
	return t, len(staff.RowColumns(t)) > 0
}

// words writes a type's name for people: "DBSCheckCredential" is "DBS
// check".
func words(t string) string {
	t = strings.TrimSuffix(t, "Credential")
	var b strings.Builder
	rs := []rune(t)
	for i, c := range rs {
		if i > 0 && unicode.IsUpper(c) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			b.WriteByte(' ')
			if i+1 < len(rs) && unicode.IsLower(rs[i+1]) {
				c = unicode.ToLower(c)
			}
		}
		b.WriteRune(c)
	}
	return b.String()
}

func issuerName(is *Issuer) string {
	if is.Document != nil {
		return is.Document.ID
	}
	return "staffpass"
}

func (s *Server) handleAuthorizationServerMetadata(w http.ResponseWriter, r *http.Request) {
	if !s.oid4vciEnabled(w, r) {
		return
	}
	base := s.cfg.PublicURL
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                   base,
		"token_endpoint":           base + "/token",
		"grant_types_supported":    []string{grantPreAuthorized},
		"response_types_supported": []string{},
		"pre-authorized_grant_anonymous_access_supported": true,
	})
}

func (s *Server) handleOffer(w http.ResponseWriter, r *http.Request) {
	if !s.oid4vciEnabled(w, r) {
		return
	}
	o, err := s.cfg.Issuer.Registry.OpenOffer(r.Context(), r.PathValue("id"), s.now())
	if err == nil && o.IssuerURL != s.cfg.PublicURL {
		err = registry.ErrOfferNotFound
	}
	if errors.Is(err, registry.ErrOfferNotFound) {
		writeProblem(w, r, http.StatusNotFound, "not-found", "no such offer, or it has expired or been used")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	grant := map[string]any{"pre-authorized_code": o.Code}
	if o.HasTxCode {
		grant["tx_code"] = map[string]any{"length": 6, "input_mode": "numeric",
			"description": "the six-digit code HR gave you with this offer"}
	}
	writeJSONNoStore(w, map[string]any{
		"credential_issuer":            s.cfg.PublicURL,
		"credential_configuration_ids": []string{o.Type},
		"grants":                       map[string]any{grantPreAuthorized: grant},
	})
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if !s.oid4vciEnabled(w, r) {
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the token request is a form (application/x-www-form-urlencoded)")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the form cannot be read")
		return
	}
	form := r.PostForm
	for name, vs := range form {
		if len(vs) != 1 {
			oauthError(w, http.StatusBadRequest, "invalid_request", "the parameter "+strconv.Quote(name)+" is given more than once")
			return
		}
	}
	if g := form.Get("grant_type"); g != grantPreAuthorized {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only the pre-authorized code grant is supported")
		return
	}
	code := form.Get("pre-authorized_code")
	if code == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "no pre-authorized_code")
		return
	}
	token, offer, err := s.cfg.Issuer.Registry.RedeemOffer(r.Context(), s.cfg.PublicURL, code, form.Get("tx_code"), s.now(), accessTokenFor)
	switch {
	case errors.Is(err, registry.ErrTxCode):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "wrong or missing transaction code: "+strings.TrimPrefix(err.Error(), "issuer: "))
		return
	case errors.Is(err, registry.ErrOfferNotFound):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "the pre-authorized code is unknown, expired or already used")
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	note(r, "offer", offer.ID)
	writeJSONNoStore(w, map[string]any{
		"access_token": token, "token_type": "Bearer", "expires_in": int(accessTokenFor.Seconds()),
		"authorization_details": []any{map[string]any{"type": "openid_credential", "credential_configuration_id": offer.Type,
			"credential_identifiers": []string{offer.Type}}},
	})
}

func (s *Server) handleNonce(w http.ResponseWriter, r *http.Request) {
	if !s.oid4vciEnabled(w, r) {
		return
	}
	nonce, _ := s.challenges.issue(s.now())
	writeJSONNoStore(w, map[string]any{"c_nonce": nonce})
}

// credentialRequest is an OpenID4VCI 1.0 credential request (section 8.2):
// a configuration id and the key proofs; "proof" (one, drafts 13 to 15)
// is read too.
type credentialRequest struct {
	ConfigurationID string `json:"credential_configuration_id"`
	Identifier      string `json:"credential_identifier"`
	Proofs          *struct {
		JWT []string `json:"jwt"`
	} `json:"proofs"`
	Proof *struct {
		ProofType string `json:"proof_type"`
		JWT       string `json:"jwt"`
	} `json:"proof"`
}

func (s *Server) handleCredential(w http.ResponseWriter, r *http.Request) {
	if !s.oid4vciEnabled(w, r) {
		return
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" || len(r.Header.Values("Authorization")) != 1 {
		oauthError(w, http.StatusUnauthorized, "invalid_token", "a Bearer access token from the token endpoint is required")
		return
	}
	reg := s.cfg.Issuer.Registry
	offer, err := reg.OfferForToken(r.Context(), s.cfg.PublicURL, token, s.now())
	if errors.Is(err, registry.ErrOfferNotFound) {
		oauthError(w, http.StatusUnauthorized, "invalid_token", "the access token is unknown, expired or already used")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	note(r, "offer", offer.ID)
	var req credentialRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	id := req.ConfigurationID
	if id == "" {
		id = req.Identifier
	}
	if id != offer.Type {
		oauthError(w, http.StatusBadRequest, "unknown_credential_configuration", "this access token is for "+offer.Type)
		return
	}
	var proofs []string
	switch {
	case req.Proofs != nil && req.Proof == nil:
		proofs = req.Proofs.JWT
	case req.Proof != nil && req.Proofs == nil && req.Proof.ProofType == "jwt":
		proofs = []string{req.Proof.JWT}
	}
	if len(proofs) != 1 {
		oauthError(w, http.StatusBadRequest, "invalid_proof", "one key proof of type jwt is required (the credential binds one key)")
		return
	}
	holder, err := s.checkKeyProof(proofs[0])
	if err != nil {
		code := "invalid_proof"
		if errors.Is(err, errProofNonce) {
			code = "invalid_nonce"
		}
		oauthError(w, http.StatusBadRequest, code, err.Error())
		return
	}
	// One request uses the token up: concurrent ones get 401.
	if err := reg.ClaimOffer(r.Context(), s.cfg.PublicURL, token, s.now()); errors.Is(err, registry.ErrOfferNotFound) {
		oauthError(w, http.StatusUnauthorized, "invalid_token", "the access token is unknown, expired or already used")
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	cells := make(map[string]string, len(offer.Cells)+1)
	for k, v := range offer.Cells {
		cells[k] = v
	}
	cells[staff.ColumnSubject] = holder
	actor := "openid4vci offer " + offer.ID
	rec, _, err := issuer.IssueOne(r.Context(), reg, s.cfg.Issuer.Signer, offer.Type, staff.CSVRow{Cells: cells},
		issuer.BatchOptions{Format: issuer.Format(offer.Format), Actor: actor, Clock: s.now})
	if err != nil {
		// Neither the wallet nor the log hears of another credential or
		// the row: only what kind of refusal it was.
		why := "the credential cannot be issued"
		switch {
		case errors.Is(err, registry.ErrReservationConflict), errors.Is(err, issuer.ErrChanged):
			why = "a credential for this offer was already issued, to another key or with other details; ask HR for a new offer"
		case errors.Is(err, registry.ErrCredentialRevoked):
			why = "the credential for this offer has been revoked; ask HR"
		}
		s.log.Warn("offer not issued", "request_id", requestID(r), "offer", offer.ID, "why", why)
		oauthError(w, http.StatusBadRequest, "invalid_credential_request", why)
		return
	}
	if err := reg.OfferIssued(r.Context(), offer.ID, rec.CredentialID, actor); err != nil {
		s.internal(w, r, err)
		return
	}
	s.lists.invalidate()
	note(r, "credential_id", rec.CredentialID)
	note(r, "type", rec.Type)
	writeJSONNoStore(w, map[string]any{"credentials": []any{map[string]any{"credential": string(rec.Credential)}}})
}

var errProofNonce = errors.New("the proof's nonce is not a c_nonce of this issuer, or it expired or was used")

// checkKeyProof verifies a key proof (OpenID4VCI 1.0 appendix F.1): typ
// openid4vci-proof+jwt, signed by the key in its header's jwk (or the
// did:key or did:jwk its kid names), aud this issuer, iat recent, nonce a
// c_nonce of this server, unused. It returns the holder's DID: the did:jwk
// of a jwk, or the kid's DID.
func (s *Server) checkKeyProof(proof string) (string, error) {
	parts := strings.Split(proof, ".")
	if len(parts) != 3 {
		return "", errors.New("the proof is not a compact JWS")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return "", errors.New("the proof's header is not base64url")
	}
	var header struct {
		Typ string          `json:"typ"`
		Kid string          `json:"kid"`
		JWK json.RawMessage `json:"jwk"`
		X5C json.RawMessage `json:"x5c"`
	}
	if err := json.Unmarshal(hb, &header); err != nil {
		return "", errors.New("the proof's header is not JSON")
	}
	if header.Typ != proofType {
		return "", fmt.Errorf("the proof's typ is %q, not %s", header.Typ, proofType)
	}
	var pub crypto.PublicKey
	var holder string
	switch {
	case len(header.JWK) > 0 && header.Kid == "" && len(header.X5C) == 0:
		if pub, err = keys.ParsePublicJWK(header.JWK); err != nil {
			return "", fmt.Errorf("the proof's jwk: %w", err)
		}
		id, err := didjwk.New(pub)
		if err != nil {
			return "", err
		}
		holder = id.String()
	case header.Kid != "" && len(header.JWK) == 0 && len(header.X5C) == 0:
		u, err := did.ParseURL(header.Kid)
		if err != nil {
			return "", errors.New("the proof's kid is not a DID URL")
		}
		switch u.DID().Method() {
		case didkey.Method:
			pub, err = didkey.PublicKey(u.DID().String())
		case didjwk.Method:
			pub, err = didjwk.PublicKey(u.DID().String())
		default:
			return "", errors.New("the proof's kid is not a did:key or did:jwk: a wallet's key is bound by a jwk or one of those")
		}
		if err != nil {
			return "", fmt.Errorf("the proof's kid: %w", err)
		}
		holder = u.DID().String()
	default:
		return "", errors.New("the proof's header needs exactly one of jwk and kid (x5c is not read)")
	}
	payload, err := jose.VerifyDocumentKey([]byte(proof), proofType, jose.DefaultAlgorithms()[:3], pub, limits.MaxJWTBytes, 64<<10)
	if err != nil {
		return "", fmt.Errorf("the proof does not verify: %w", err)
	}
	var claims struct {
		Aud   json.RawMessage `json:"aud"`
		IAT   *int64          `json:"iat"`
		Nonce string          `json:"nonce"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", errors.New("the proof's claims cannot be read")
	}
	var auds []string
	var one string
	if json.Unmarshal(claims.Aud, &one) == nil {
		auds = []string{one}
	} else if json.Unmarshal(claims.Aud, &auds) != nil {
		auds = nil
	}
	if !slices.Contains(auds, s.cfg.PublicURL) {
		return "", fmt.Errorf("the proof's aud is not this credential issuer (%s)", s.cfg.PublicURL)
	}
	now := s.now()
	if claims.IAT == nil {
		return "", errors.New("the proof has no iat")
	}
	if iat := time.Unix(*claims.IAT, 0); iat.Before(now.Add(-proofSkew)) || iat.After(now.Add(proofSkew)) {
		return "", fmt.Errorf("the proof was made %s, not within %s of now", iat.UTC().Format(time.RFC3339), proofSkew)
	}
	ours, expires, err := s.challenges.check(claims.Nonce, now)
	if !ours || err != nil {
		return "", errProofNonce
	}
	if err := s.challenges.spend(claims.Nonce, expires, now); err != nil {
		return "", errProofNonce
	}
	return holder, nil
}

// internal logs err and answers 500.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("internal error", "request_id", requestID(r), "error", err.Error())
	writeProblem(w, r, http.StatusInternalServerError, "internal", "")
}
