package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/did"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/server"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/policy"
)

type serveOptions struct {
	verify         verifyOptions
	addr           string
	org            string
	registry       string
	format         string
	tlsCert        string
	tlsKey         string
	clientCA       string
	tokenFile      string
	issuerDIDKey   bool
	conformance    bool
	public         bool
	maxBody        int64
	statusValidFor time.Duration
	logFormat      string
	shutdownWait   time.Duration
	publicURL      string
	roles          []string
}

func newServeCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT] [--org DIR] [--tls-cert FILE --tls-key FILE] [--bundle FILE --bundle-publisher DID]... [--trust DID]...",
		Short: "Serve the W3C VC API: issue, verify, status lists, challenges",
		Long: `Serve the W3C VC API (https://w3c-ccg.github.io/vc-api/) over HTTP, so that
rostering platforms, bank staff systems, HR systems and wallets can issue and
verify without running this command for each credential:

  POST /credentials/issue      issue a credential as the organisation (--org)
  POST /credentials/status     revoke, suspend or unsuspend one
  POST /credentials/verify     verify a credential: the verifier's Result
  POST /presentations/verify   verify a presentation (options: challenge, domain)
  POST /challenges             a fresh challenge, accepted once, for 5 minutes
                               (by this process: behind a load balancer, send a
                               session's challenge and presentation to one instance)
  GET  /status/{list}          the organisation's status list credentials
  GET  /.well-known/did.json   the organisation's did:web DID document
  GET  /healthz                liveness

With --public-url (the https URL wallets reach this server at) and --org, it
is also an OpenID4VCI 1.0 credential issuer for the offers 'staffpass offer
create' makes (the pre-authorized code flow): its metadata at
/.well-known/openid-credential-issuer, /offers/{id}, /token, /nonce and
/credential; each staff credential is issued as an SD-JWT VC about the key
the wallet proves, through the registry. It also asks wallets for what a
role needs (OpenID4VP 1.0): 'staffpass request create' makes a request
(signed with the organisation's did:web key, a DCQL query for SD-JWT VCs),
the wallet answers at /openid4vp/responses/{id}, and the verdict waits at
/openid4vp/results/{id} (with the token or a client certificate). With
--role FILE (repeatable) it serves a page for the receiving HR officer at
/check: sign in with the token (or a client certificate), choose a role,
show the QR code to the member of staff, and read the verdict, requirement
by requirement, when the wallet answers; plain HTML, nothing fetched from
elsewhere.

docs/openapi.json describes each. Issued credentials get status entries from
the organisation's registry, as 'staffpass issue' gives them, and are secured
in --format. Verification trusts what 'staffpass verify' would (--bundle,
--trust, --did-doc, --status-list), plus the organisation's own status lists;
it never fetches anything. Verified answers 200 with the Result; not
verified, 400 with the Result.

Issuing and status changes need a bearer token (--token-file, or the
STAFFPASS_TOKEN environment variable) or a TLS client certificate signed by
--client-ca; with neither they answer 401, while verification still works.
Errors are application/problem+json. One JSON log line a request goes to
standard error, never with a credential's contents, a token or a key.

The server listens on loopback unless --public is given, and outside loopback
only over TLS. SIGTERM or SIGINT stops it gracefully: requests in flight are
finished first.

--issuer-did-key signs as the did:key of the organisation's key instead of
its did:web, and --conformance trusts every did:key issuer for verification
(and says so in every Result): both are for the W3C test suites, never for
real use.`,
		Example: `  staffpass serve --org ./kch --format eddsa-rdfc-2022 --token-file token.txt \
      --tls-cert cert.pem --tls-key key.pem --bundle national.jwt --bundle-publisher did:web:england.nhs.uk --did-doc england.json
  STAFFPASS_TOKEN=... staffpass serve --addr 127.0.0.1:8443 --org ./kch --trust did:web:kch.nhs.uk`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8443", "the address to listen on (HOST:PORT; port 0 picks one)")
	f.StringVar(&o.publicURL, "public-url", "", "the https URL wallets reach this server at: serve OpenID4VCI offers (needs --org) and OpenID4VP requests")
	f.StringArrayVar(&o.roles, "role", nil, "a role (JSON) the check page (/check) offers; repeatable")
	f.StringVar(&o.org, "org", "", "the organisation directory to issue as (none: verify only)")
	addRegistryFlag(f, &o.registry)
	f.StringVar(&o.format, "format", string(issuer.FormatJWT), "how issued credentials are secured: jwt or a Data Integrity suite")
	f.StringVar(&o.tlsCert, "tls-cert", "", "the server's TLS certificate chain (PEM)")
	f.StringVar(&o.tlsKey, "tls-key", "", "the server's TLS private key (PEM)")
	f.StringVar(&o.clientCA, "client-ca", "", "CA certificates (PEM) whose client certificates may issue (mutual TLS)")
	f.StringVar(&o.tokenFile, "token-file", "", "a file holding the bearer token that may issue (mode 0600)")
	f.BoolVar(&o.issuerDIDKey, "issuer-did-key", false, "issue as the did:key of the organisation's key (test harnesses only)")
	f.BoolVar(&o.conformance, "conformance", false, "trust every did:key issuer when verifying, and say so in every Result (test harnesses only)")
	f.BoolVar(&o.public, "public", false, "allow listening on an address other than loopback (needs TLS)")
	f.Int64Var(&o.maxBody, "max-body", limits.MaxDocumentBytes, "the largest request body accepted, in bytes")
	f.DurationVar(&o.statusValidFor, "status-valid-for", 24*time.Hour, "how long a served status list credential is valid")
	f.StringVar(&o.logFormat, "log-format", "json", "the log's format on standard error: json or text")
	f.DurationVar(&o.shutdownWait, "shutdown-wait", 30*time.Second, "how long to wait for requests in flight when stopping")
	f.StringArrayVar(&o.verify.didDocs, "did-doc", nil, "a DID document file to resolve its DID from (repeatable)")
	f.StringArrayVar(&o.verify.statusLists, "status-list", nil, "a signed status list credential to check revocation against (repeatable)")
	f.StringArrayVar(&o.verify.trust, "trust", nil, "an issuer DID trusted directly, for any type (repeatable)")
	f.StringArrayVar(&o.verify.bundles, "bundle", nil, "a signed trust bundle (repeatable, each with --bundle-publisher)")
	f.StringArrayVar(&o.verify.publishers, "bundle-publisher", nil, "the DID trusted to sign the --bundle in the same position")
	return cmd
}

func (o *serveOptions) run(ctx context.Context, stderr io.Writer) error {
	if len(o.verify.bundles) != len(o.verify.publishers) {
		return withHint(fmt.Errorf("%d --bundle and %d --bundle-publisher", len(o.verify.bundles), len(o.verify.publishers)),
			"give each --bundle FILE with the --bundle-publisher DID you trust to sign it, in the same order")
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return withHint(errors.New("--tls-cert and --tls-key go together"), "give both, or neither to serve plain HTTP on loopback")
	}
	if o.clientCA != "" && o.tlsCert == "" {
		return withHint(errors.New("--client-ca needs TLS"), "give --tls-cert and --tls-key too")
	}
	if o.logFormat != "json" && o.logFormat != "text" {
		return withHint(fmt.Errorf("unknown --log-format %q", o.logFormat), "use json or text")
	}
	if o.issuerDIDKey && o.org == "" {
		return withHint(errors.New("--issuer-did-key needs --org"), "the did:key is that of the organisation's signing key")
	}
	if err := o.checkAddr(); err != nil {
		return err
	}
	token, err := o.token()
	if err != nil {
		return err
	}
	var handler slog.Handler = slog.NewJSONHandler(stderr, nil)
	if o.logFormat == "text" {
		handler = slog.NewTextHandler(stderr, nil)
	}
	log := slog.New(handler)

	cfg := server.Config{Token: token, ClientCertificates: o.clientCA != "", MaxBodyBytes: o.maxBody, Logger: log,
		PublicURL: strings.TrimSuffix(o.publicURL, "/")}
	for _, name := range o.roles {
		data, err := readInput(nil, name, limits.MaxDocumentBytes)
		if err != nil {
			return err
		}
		role, err := policy.ParseRole(data)
		if err != nil {
			return fmt.Errorf("--role %s: %w", name, err)
		}
		cfg.Roles = append(cfg.Roles, role)
	}
	if len(o.roles) > 0 && o.publicURL == "" {
		return withHint(errors.New("--role offers roles on the check page, which needs --public-url"), "give the URL wallets reach this server at")
	}
	if o.publicURL != "" {
		if o.org == "" {
			return withHint(errors.New("--public-url serves OpenID4VCI offers, which need --org"), "give the organisation directory")
		}
		if err := checkPublicURL(o.publicURL); err != nil {
			return withHint(fmt.Errorf("--public-url: %w", err), "the https URL wallets reach this server at")
		}
	}
	var own []*did.Document
	if o.org != "" {
		is, doc, closeReg, err := o.issuer(ctx)
		if err != nil {
			return err
		}
		defer closeReg()
		cfg.Issuer = is
		if doc != nil {
			own = append(own, doc)
		}
	}
	if len(o.verify.trust) > 0 || len(o.verify.bundles) > 0 || len(o.verify.statusLists) > 0 || len(o.verify.didDocs) > 0 || o.conformance {
		trust, err := o.verify.trustOf(ctx, own...)
		if err != nil {
			return err
		}
		trust.AnyDIDKeyIssuerUnsafe = o.conformance
		cfg.Trust = trust
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}

	tlsConfig, err := o.tlsConfig()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
		scheme = "https"
	}
	ln = &onceCloseListener{Listener: ln}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	attrs := []any{"url", scheme + "://" + ln.Addr().String(), "issuing", cfg.Issuer != nil,
		"verifying", len(cfg.Trust.Issuers) > 0 || len(cfg.Trust.Bundles) > 0 || o.conformance,
		"auth", authModes(token, o.clientCA)}
	if cfg.Issuer != nil {
		attrs = append(attrs, "issuer", didOf(cfg.Issuer.Signer), "format", string(cfg.Issuer.Format))
	}
	if cfg.PublicURL != "" {
		attrs = append(attrs, "openid4vci", cfg.PublicURL)
	}
	log.Info("listening", attrs...)
	if o.conformance || o.issuerDIDKey {
		log.Warn("conformance mode: for test suites only, never for real use", "conformance", o.conformance, "issuer_did_key", o.issuerDIDKey)
	}
	if tlsConfig == nil && !isLoopback(ln.Addr()) {
		log.Warn("serving plain HTTP outside loopback")
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// New connections are refused before the log says so; Shutdown's own
	// close of the listener is then a no-op.
	ln.Close()
	log.Info("stopping: finishing requests in flight", "wait", o.shutdownWait.String())
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownWait)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("stopped before every request finished", "error", err.Error())
		hs.Close() // cut what is left before the registry closes
		return err
	}
	log.Info("stopped")
	return nil
}

// onceCloseListener closes its listener once; later calls return nil.
type onceCloseListener struct {
	net.Listener
	once sync.Once
	err  error
}

func (l *onceCloseListener) Close() error {
	l.once.Do(func() { l.err = l.Listener.Close() })
	return l.err
}

// checkAddr refuses to listen outside loopback without --public, and
// without TLS there.
func (o *serveOptions) checkAddr() error {
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return withHint(fmt.Errorf("--addr %q: %w", o.addr, err), "give HOST:PORT, e.g. 127.0.0.1:8443")
	}
	loopback := host == "localhost"
	if ip := net.ParseIP(host); ip != nil {
		loopback = ip.IsLoopback()
	}
	switch {
	case loopback:
		return nil
	case !o.public:
		return withHint(fmt.Errorf("--addr %s is not a loopback address", o.addr), "add --public to serve other machines")
	case o.tlsCert == "":
		return withHint(fmt.Errorf("--addr %s is not a loopback address, and there is no TLS", o.addr), "give --tls-cert and --tls-key")
	}
	return nil
}

func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}

// token reads the bearer token from --token-file or STAFFPASS_TOKEN.
func (o *serveOptions) token() (string, error) {
	env := os.Getenv("STAFFPASS_TOKEN")
	if o.tokenFile == "" {
		if env != "" && len(strings.TrimSpace(env)) < 16 {
			return "", withHint(errors.New("STAFFPASS_TOKEN is shorter than 16 characters"), "use a long random token, e.g. from 'openssl rand -hex 32'")
		}
		return strings.TrimSpace(env), nil
	}
	if env != "" {
		return "", withHint(errors.New("both --token-file and STAFFPASS_TOKEN are set"), "use one")
	}
	fi, err := os.Stat(o.tokenFile)
	if err != nil {
		return "", err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", withHint(fmt.Errorf("%s: group or others may read the token file (mode %04o)", o.tokenFile, fi.Mode().Perm()), "chmod 600 "+o.tokenFile)
	}
	data, err := readInput(nil, o.tokenFile, 4096)
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(string(data))
	if len(token) < 16 {
		return "", withHint(fmt.Errorf("%s: the token is shorter than 16 characters", o.tokenFile), "use a long random token, e.g. from 'openssl rand -hex 32'")
	}
	return token, nil
}

func authModes(token, clientCA string) string {
	var m []string
	if token != "" {
		m = append(m, "bearer token")
	}
	if clientCA != "" {
		m = append(m, "client certificate")
	}
	if len(m) == 0 {
		return "none: issuing and status changes are refused"
	}
	return strings.Join(m, ", ")
}

// issuer opens the organisation: its registry, its signer (as its did:web,
// or with --issuer-did-key as the did:key of its key) and the DID document
// to serve.
func (o *serveOptions) issuer(ctx context.Context) (*server.Issuer, *did.Document, func(), error) {
	format := issuer.Format(o.format)
	if !slices.Contains(issuer.Formats(), format) {
		return nil, nil, nil, withHint(fmt.Errorf("unknown --format %q", o.format), "use jwt or a Data Integrity suite (see 'staffpass sign --help')")
	}
	org, err := openOrganisation(o.org, o.registry)
	if err != nil {
		return nil, nil, nil, err
	}
	signer, err := org.Signer()
	if err != nil {
		return nil, nil, nil, err
	}
	doc, err := org.Document()
	if err != nil {
		return nil, nil, nil, err
	}
	if o.issuerDIDKey {
		kid, err := didkey.KeyID(signer.Public())
		if err != nil {
			return nil, nil, nil, err
		}
		if signer, err = keys.NewSigner(signer, kid); err != nil {
			return nil, nil, nil, err
		}
		doc = nil
	}
	reg, err := org.OpenRegistry(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	is := &server.Issuer{
		Registry: reg, Signer: signer, Format: format, StatusFormat: org.StatusFormat,
		StatusValidFor: o.statusValidFor, Document: doc,
	}
	return is, doc, func() { reg.Close() }, nil
}

func didOf(s keys.Signer) string {
	id, _, _ := strings.Cut(s.KeyID(), "#")
	return id
}

// tlsConfig reads the certificate and, for mutual TLS, the client CAs.
func (o *serveOptions) tlsConfig() (*tls.Config, error) {
	if o.tlsCert == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
	if err != nil {
		return nil, withHint(fmt.Errorf("TLS certificate: %w", err), "--tls-cert and --tls-key must be a PEM certificate chain and its private key")
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if o.clientCA != "" {
		pem, err := readInput(nil, o.clientCA, 1<<20)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate", o.clientCA)
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}
