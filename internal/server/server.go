// Package server is what "staffpass serve" serves: the W3C VC API
// (https://w3c-ccg.github.io/vc-api/) over HTTP, so that rostering
// platforms, bank staff systems, HR systems, wallets and the W3C conformance
// suites issue and verify without shelling out.
//
// Routes (docs/openapi.json describes each, and a test keeps the two in
// step):
//
//	POST /credentials/issue      issue a credential through the registry (auth)
//	POST /credentials/status     revoke, suspend or unsuspend one (auth)
//	POST /credentials/verify     verify a credential: the verifier's Result
//	POST /presentations/verify   verify a presentation, with challenge and domain
//	POST /challenges             a fresh, single-use, expiring challenge
//	GET  /status/{list}          the organisation's status list credentials
//	GET  /.well-known/did.json   the organisation's DID document (did:web)
//	GET  /healthz                liveness
//
// Issuing and status changes need a bearer token or a verified TLS client
// certificate; with neither configured they answer 401 and verification
// still works. Every error is an RFC 9457 problem document. The log (slog)
// holds one line a request, with its method, route, status, time and
// request id, and what was issued or changed by id and type: never a
// credential's contents, a token or a key.
//
// Verification trusts what the Config's Trust says, as "staffpass verify"
// does, plus the organisation's own status lists, signed afresh when they
// change. It is offline: nothing is fetched.
package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/staffpass/staffpass/did"
	didweb "github.com/staffpass/staffpass/did/web"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/policy"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/verifier"
)

// Config is what a Server serves.
type Config struct {
	// Issuer, when set, serves issuing, status changes, the status lists
	// and (for a did:web issuer) the DID document.
	Issuer *Issuer
	// Trust is what verification trusts. Leave it empty (no bundle, no
	// issuer, not AnyDIDKeyIssuerUnsafe) and the verification endpoints
	// answer 501. The Issuer's status lists are added to it.
	Trust verifier.Trust
	// VerifierOptions configure the Verifier (the clock, the allowed
	// cryptosuites and algorithms, ...).
	VerifierOptions []verifier.Option
	// Token, when not empty, is the bearer token that authorises issuing
	// and status changes.
	Token string
	// ClientCertificates authorises a request that comes with a TLS client
	// certificate the listener verified (tls.VerifyClientCertIfGiven with
	// the trusted client CAs).
	ClientCertificates bool
	// MaxBodyBytes caps a request body; zero means
	// limits.MaxDocumentBytes.
	MaxBodyBytes int64
	// ChallengeTTL is how long a challenge may be used; zero means five
	// minutes. MaxSpentChallenges caps the spent challenges kept until
	// they expire; zero means 1,000,000.
	ChallengeTTL       time.Duration
	MaxSpentChallenges int
	// PublicURL is the URL wallets reach this server at (https, or http on
	// loopback for tests): the credential issuer identifier of OpenID4VCI.
	// Empty: OpenID4VCI is not served.
	PublicURL string
	// Roles are the roles the check page offers (GET /check).
	Roles []*policy.Role
	// Logger receives one record a request; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Issuer is the organisation a Server issues as.
type Issuer struct {
	Registry *registry.Registry
	// Signer signs credentials and status lists; its key id's DID is
	// the issuer (a did:web, or a did:key for test harnesses).
	Signer keys.Signer
	// Format secures issued credentials, StatusFormat status lists.
	Format, StatusFormat issuer.Format
	// StatusValidFor is how long a signed status list is valid; it is
	// signed again when half of that has passed, or at once when its bits
	// change. Zero means a day.
	StatusValidFor time.Duration
	// Document is the issuer's DID document, served at the path its
	// did:web DID gives; nil serves none.
	Document *did.Document
	// ExtraContexts are JSON-LD contexts (URL to document) the issuer
	// accepts in credentials beyond the embedded ones.
	ExtraContexts map[string][]byte
}

// Server is an http.Handler serving the VC API.
type Server struct {
	cfg        Config
	mux        *http.ServeMux
	log        *slog.Logger
	now        func() time.Time
	challenges *challenges
	vpRequests *vpRequests
	tokenSum   [32]byte
	didPath    string
	didDoc     []byte
	verify     bool

	lists *listCache
	vmu   sync.Mutex
	v     *verifier.Verifier
	vgen  uint64 // the list generation v was built with
}

// Route is one route the server serves: a method and a path pattern, in
// the form OpenAPI writes them ("/status/{list}").
type Route struct{ Method, Path string }

// Routes lists what a Server serves, whatever its Config: a route a Config
// does not enable answers with a problem document saying why.
func Routes() []Route {
	return []Route{
		{http.MethodPost, "/credentials/issue"},
		{http.MethodPost, "/credentials/status"},
		{http.MethodPost, "/credentials/verify"},
		{http.MethodPost, "/presentations/verify"},
		{http.MethodPost, "/challenges"},
		{http.MethodGet, "/status/{list}"},
		{http.MethodGet, "/.well-known/did.json"},
		{http.MethodGet, "/healthz"},
		{http.MethodGet, "/.well-known/openid-credential-issuer"},
		{http.MethodGet, "/.well-known/oauth-authorization-server"},
		{http.MethodGet, "/offers/{id}"},
		{http.MethodPost, "/token"},
		{http.MethodPost, "/nonce"},
		{http.MethodPost, "/credential"},
		{http.MethodPost, "/openid4vp/requests"},
		{http.MethodGet, "/openid4vp/requests/{id}"},
		{http.MethodPost, "/openid4vp/responses/{id}"},
		{http.MethodGet, "/openid4vp/results/{id}"},
	}
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	s := &Server{cfg: cfg, log: cfg.Logger, now: cfg.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.cfg.MaxBodyBytes <= 0 {
		s.cfg.MaxBodyBytes = limits.MaxDocumentBytes
	}
	if s.cfg.ChallengeTTL <= 0 {
		s.cfg.ChallengeTTL = 5 * time.Minute
	}
	if s.cfg.MaxSpentChallenges <= 0 {
		s.cfg.MaxSpentChallenges = 1_000_000
	}
	if cfg.Token != "" {
		if len(cfg.Token) < 16 {
			return nil, errors.New("server: the bearer token is shorter than 16 characters")
		}
		s.tokenSum = sha256.Sum256([]byte(cfg.Token))
	}
	s.challenges = newChallenges(s.cfg.ChallengeTTL, s.cfg.MaxSpentChallenges)
	s.vpRequests = &vpRequests{m: make(map[string]*vpRequest)}
	if is := cfg.Issuer; is != nil {
		if is.Registry == nil || is.Signer == nil {
			return nil, errors.New("server: an issuer needs a registry and a signer")
		}
		if is.StatusValidFor <= 0 {
			is.StatusValidFor = 24 * time.Hour
		}
		if err := canSign(is.Signer, is.Format); err != nil {
			return nil, err
		}
		if err := canSign(is.Signer, is.StatusFormat); err != nil {
			return nil, err
		}
		if is.Document != nil {
			if err := s.hostDocument(is); err != nil {
				return nil, err
			}
		}
		s.lists = newListCache(is)
	}
	t := cfg.Trust
	s.verify = len(t.Issuers) > 0 || len(t.Bundles) > 0 || t.AnyDIDKeyIssuerUnsafe
	if s.verify {
		// Fail now, not at the first request, if the trust is unusable.
		if _, err := verifier.New(t, cfg.VerifierOptions...); err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
	}
	s.routes()
	return s, nil
}

// canSign checks, by signing a small credential, that signer can secure
// credentials in format: an Ed25519 key cannot sign ecdsa-rdfc-2019, say.
// It is better to refuse to start than to answer every request with 500.
func canSign(signer keys.Signer, format issuer.Format) error {
	probe := `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],` +
		`"issuer":"did:example:probe","credentialSubject":{"id":"did:example:probe"}}`
	_, err := issuer.Issue([]byte(probe), signer, issuer.Options{Format: format, Created: time.Now(), IssuerMismatchUnsafe: true})
	if err != nil {
		return fmt.Errorf("server: the issuer's key cannot sign %s: %w", format, err)
	}
	return nil
}

// hostDocument prepares the issuer's DID document to be served at the path
// of its did:web URL.
func (s *Server) hostDocument(is *Issuer) error {
	if !strings.HasPrefix(is.Document.ID, "did:web:") {
		return nil
	}
	u, err := didweb.DocumentURL(is.Document.ID)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	doc, err := is.Document.MarshalJSON()
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	s.didPath, s.didDoc = parsed.Path, doc
	return nil
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /credentials/issue", s.handleIssue)
	m.HandleFunc("POST /credentials/status", s.handleStatusChange)
	m.HandleFunc("POST /credentials/verify", s.handleVerifyCredential)
	m.HandleFunc("POST /presentations/verify", s.handleVerifyPresentation)
	m.HandleFunc("POST /challenges", s.handleChallenge)
	m.HandleFunc("GET /status/{list}", s.handleStatusList)
	m.HandleFunc("GET /healthz", s.handleHealth)
	m.HandleFunc("GET /.well-known/openid-credential-issuer", s.handleIssuerMetadata)
	m.HandleFunc("GET /.well-known/oauth-authorization-server", s.handleAuthorizationServerMetadata)
	m.HandleFunc("GET /offers/{id}", s.handleOffer)
	m.HandleFunc("POST /token", s.handleToken)
	m.HandleFunc("POST /nonce", s.handleNonce)
	m.HandleFunc("POST /credential", s.handleCredential)
	m.HandleFunc("POST /openid4vp/requests", s.handleVPRequest)
	m.HandleFunc("GET /openid4vp/requests/{id}", s.handleVPRequestObject)
	m.HandleFunc("POST /openid4vp/responses/{id}", s.handleVPResponse)
	m.HandleFunc("GET /openid4vp/results/{id}", s.handleVPResult)
	// The check page: HTML for people, not part of the API (Routes).
	m.HandleFunc("GET /check", s.handleCheck)
	m.HandleFunc("POST /check/login", s.handleCheckLogin)
	m.HandleFunc("POST /check/requests", s.handleCheckRequest)
	m.HandleFunc("GET /check/{id}", s.handleCheckPage)
	m.HandleFunc("GET /check/{id}/status", s.handleCheckStatus)
	didPath := "/.well-known/did.json"
	if s.didPath != "" {
		didPath = s.didPath
	}
	m.HandleFunc("GET "+didPath, s.handleDIDDocument)
	// The same paths without a method answer 405 with a problem document,
	// and every other path 404.
	for _, r := range Routes() {
		p := r.Path
		if p == "/.well-known/did.json" {
			p = didPath
		}
		allow := r.Method
		if allow == http.MethodGet {
			allow = "GET, HEAD"
		}
		m.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeProblem(w, r, http.StatusMethodNotAllowed, "method-not-allowed", r.Method+" is not allowed here; use "+allow)
		})
	}
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, http.StatusNotFound, "not-found", "")
	})
	s.mux = m
}

// ServeHTTP serves one request: it gives it an id, logs it, and recovers
// from a panic with a 500 (a bug: verification never panics).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	id := newRequestID()
	n := &notes{}
	r = r.WithContext(context.WithValue(context.WithValue(r.Context(), requestIDKey{}, id), notesKey{}, n))
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	rec.Header().Set("X-Request-Id", id)
	rec.Header().Set("X-Content-Type-Options", "nosniff")
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rec.wrote {
				writeProblem(rec, r, http.StatusInternalServerError, "internal", "")
			}
		}
		attrs := []any{
			"request_id", id, "method", r.Method, "route", routeOf(r), "status", rec.status,
			"bytes", rec.bytes, "duration_ms", float64(s.now().Sub(start).Microseconds()) / 1000,
			"remote", r.RemoteAddr,
		}
		if n.actor != "" {
			attrs = append(attrs, "actor", n.actor)
		}
		attrs = append(attrs, n.attrs...)
		s.log.Info("request", attrs...)
	}()
	s.mux.ServeHTTP(rec, r)
}

// routeOf names the route a request matched, never its query or a path
// a client made up.
func routeOf(r *http.Request) string {
	if r.Pattern != "" {
		if i := strings.IndexByte(r.Pattern, ' '); i >= 0 {
			return r.Pattern[i+1:]
		}
		return r.Pattern
	}
	return "(none)"
}

// authorise checks that r may issue or change status, and answers 401 when
// not. It returns who is acting, for the audit trail.
func (s *Server) authorise(w http.ResponseWriter, r *http.Request) (string, bool) {
	if s.cfg.Token == "" && !s.cfg.ClientCertificates {
		writeProblem(w, r, http.StatusUnauthorized, "issuing-disabled", "start the server with --token-file, STAFFPASS_TOKEN or --client-ca to issue")
		return "", false
	}
	// A browser sends a client certificate with any request a page makes:
	// a cross-site one is refused (and a JSON body, which readJSON
	// requires, needs a CORS preflight this server never grants).
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		writeProblem(w, r, http.StatusForbidden, "cross-site", "")
		return "", false
	}
	if s.cfg.ClientCertificates && r.TLS != nil && len(r.TLS.VerifiedChains) > 0 && len(r.TLS.VerifiedChains[0]) > 0 {
		actor := "client certificate " + r.TLS.VerifiedChains[0][0].Subject.String()
		setActor(r, actor)
		return actor, true
	}
	if s.cfg.Token != "" {
		if values := r.Header.Values("Authorization"); len(values) == 1 {
			scheme, token, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
			sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
			if strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare(sum[:], s.tokenSum[:]) == 1 {
				setActor(r, "bearer token")
				return "bearer token", true
			}
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="staffpass"`)
	}
	writeProblem(w, r, http.StatusUnauthorized, "unauthorized", "")
	return "", false
}
