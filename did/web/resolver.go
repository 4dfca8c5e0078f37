package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/limits"
)

// Errors callers can branch on with errors.Is, besides ErrAddressNotAllowed
// and the did package's errors.
var (
	// ErrInsecureRedirect means the server redirected to a URL that is
	// not https.
	ErrInsecureRedirect = errors.New("did/web: redirect to a URL that is not https")
	// ErrTooManyRedirects means more than limits.DIDWebMaxRedirects
	// redirects.
	ErrTooManyRedirects = errors.New("did/web: too many redirects")
	// ErrTooLarge means the DID document is larger than
	// limits.MaxDIDDocumentBytes, or a fetched body than its limit.
	ErrTooLarge = errors.New("did/web: response too large")
	// ErrHTTPStatus means the server answered with a status other than
	// 200 OK. A 404 or 410 also wraps did.ErrNotFound.
	ErrHTTPStatus = errors.New("did/web: unexpected HTTP status")
	// ErrUnguardedTransport means WithHTTPClient was given a client
	// whose Transport is not an *http.Transport, so the Resolver cannot
	// check the addresses it connects to.
	ErrUnguardedTransport = errors.New("did/web: the HTTP client's transport cannot be guarded against private addresses")
)

// Option configures a Resolver.
type Option func(*config) error

type config struct {
	client       *http.Client
	timeout      time.Duration
	allowPrivate bool
}

// WithHTTPClient makes the Resolver use a copy of c (its transport's TLS
// settings, proxy and dialer, for example). Unless
// WithPrivateAddressesUnsafe is also given, c's Transport must be nil or an
// *http.Transport: the Resolver clones it and checks every connection's
// remote address. If the transport uses a proxy, that check applies to the
// proxy's address. The client's own redirect policy runs after the
// Resolver's.
func WithHTTPClient(c *http.Client) Option {
	return func(cfg *config) error {
		if c == nil {
			return errors.New("did/web: WithHTTPClient(nil)")
		}
		cfg.client = c
		return nil
	}
}

// WithTimeout sets how long a whole resolution (connection, redirects and
// body) may take; the default is limits.DIDWebTimeout.
func WithTimeout(d time.Duration) Option {
	return func(cfg *config) error {
		if d <= 0 {
			return fmt.Errorf("did/web: timeout %v is not positive", d)
		}
		cfg.timeout = d
		return nil
	}
}

// WithPrivateAddressesUnsafe lets the Resolver connect to loopback,
// private, link-local and other non-public addresses. It is for tests and
// closed networks only: with it, a DID from untrusted input can make the
// resolver reach services inside the network it runs in.
func WithPrivateAddressesUnsafe() Option {
	return func(cfg *config) error {
		cfg.allowPrivate = true
		return nil
	}
}

// Resolver resolves did:web DIDs over HTTPS. Make one with NewResolver; it
// is safe for concurrent use.
type Resolver struct {
	client  *http.Client
	timeout time.Duration
}

// NewResolver returns a Resolver. By default it builds its own HTTP client:
// no proxy, TLS 1.2 or later, and a dialer that refuses non-public
// addresses after DNS resolution (so a name that resolves, or later
// re-resolves, to 127.0.0.1 or 10.0.0.1 is refused too).
func NewResolver(opts ...Option) (*Resolver, error) {
	cfg := config{timeout: limits.DIDWebTimeout}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	var client http.Client
	if cfg.client != nil {
		client = *cfg.client
	}
	if cfg.client == nil || !cfg.allowPrivate {
		var base *http.Transport
		switch t := client.Transport.(type) {
		case nil:
			if cfg.client == nil {
				base = &http.Transport{
					ForceAttemptHTTP2:      true,
					MaxIdleConns:           10,
					IdleConnTimeout:        90 * time.Second,
					TLSHandshakeTimeout:    cfg.timeout,
					ResponseHeaderTimeout:  cfg.timeout,
					ExpectContinueTimeout:  time.Second,
					MaxResponseHeaderBytes: 64 << 10,
				}
			} else {
				dt, ok := http.DefaultTransport.(*http.Transport)
				if !ok {
					return nil, ErrUnguardedTransport
				}
				base = dt.Clone()
			}
		case *http.Transport:
			base = t.Clone()
		default:
			return nil, fmt.Errorf("%w: %T (use WithPrivateAddressesUnsafe to use it unguarded)", ErrUnguardedTransport, t)
		}
		if base.TLSClientConfig == nil {
			base.TLSClientConfig = &tls.Config{}
		}
		if base.TLSClientConfig.MinVersion < tls.VersionTLS12 {
			base.TLSClientConfig.MinVersion = tls.VersionTLS12
		}
		if !cfg.allowPrivate {
			guard(base, cfg.timeout)
		}
		client.Transport = base
	}
	next := client.CheckRedirect
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > limits.DIDWebMaxRedirects {
			return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, limits.DIDWebMaxRedirects)
		}
		if req.URL.Scheme != "https" {
			return fmt.Errorf("%w: %s", ErrInsecureRedirect, req.URL.Redacted())
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &Resolver{client: &client, timeout: cfg.timeout}, nil
}

// guard makes t refuse connections to non-public addresses: checked in the
// dialer's Control function, after DNS resolution and before connecting,
// when t has no dial functions of its own; otherwise on the remote address
// of each connection its functions return.
func guard(t *http.Transport, timeout time.Duration) {
	dialTLS := t.DialTLSContext
	dial := t.DialContext
	if dial == nil && t.Dial != nil {
		legacy := t.Dial
		dial = func(_ context.Context, network, addr string) (net.Conn, error) { return legacy(network, addr) }
	}
	t.Dial = nil
	t.DialTLS = nil
	if dial == nil {
		d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: controlAddress}
		t.DialContext = d.DialContext
	} else {
		t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			return checkConn(dial(ctx, network, addr))
		}
	}
	if dialTLS != nil {
		t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			return checkConn(dialTLS(ctx, network, addr))
		}
	}
}

// controlAddress is a net.Dialer Control function: it runs with the
// resolved address, before the connection is made.
func controlAddress(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot read the address %q", ErrAddressNotAllowed, address)
	}
	if !publicAddr(ap.Addr()) {
		return &AddressError{Addr: ap.Addr()}
	}
	return nil
}

// checkConn refuses a connection whose remote end is not public.
func checkConn(c net.Conn, err error) (net.Conn, error) {
	if err != nil {
		return nil, err
	}
	tcp, ok := c.RemoteAddr().(*net.TCPAddr)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("%w: cannot tell the remote address of a %T connection", ErrAddressNotAllowed, c.RemoteAddr())
	}
	if a := tcp.AddrPort().Addr(); !publicAddr(a) {
		c.Close()
		return nil, &AddressError{Addr: a}
	}
	return c, nil
}

// Resolve fetches and checks the DID document of a did:web DID: it maps the
// DID to its URL (DocumentURL), GETs it within the Resolver's timeout,
// follows at most limits.DIDWebMaxRedirects redirects (https only), reads
// at most limits.MaxDIDDocumentBytes, parses the body with
// did.ParseDocument and checks that its id is the DID. Errors are
// *did.ResolutionError values.
func (r *Resolver) Resolve(ctx context.Context, id string) (*did.Document, error) {
	u, err := DocumentURL(id)
	if err != nil {
		return nil, &did.ResolutionError{DID: id, Err: err}
	}
	fail := func(err error) (*did.Document, error) {
		return nil, &did.ResolutionError{DID: id, URL: u, Err: err}
	}
	body, err := r.get(ctx, u, "application/did+json, application/did+ld+json;q=0.9, application/json;q=0.8", limits.MaxDIDDocumentBytes)
	if err != nil {
		return fail(err)
	}
	doc, err := did.ParseDocument(body)
	if err != nil {
		return fail(err)
	}
	if doc.ID != id {
		return fail(fmt.Errorf("%w: the document at this URL is for %q", did.ErrIDMismatch, doc.ID))
	}
	return doc, nil
}

// Fetch GETs an https URL with the same guards as Resolve (no private or
// loopback address unless allowed, https redirects only, the Resolver's
// timeout) and returns its body, of at most limits.MaxFetchBytes: for the
// status list credentials a trust bundle gathers from the issuers it
// lists. A 404 or 410 wraps did.ErrNotFound.
func (r *Resolver) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	return r.FetchLimited(ctx, rawURL, limits.MaxFetchBytes)
}

// FetchLimited is Fetch reading at most maxBytes.
func (r *Resolver) FetchLimited(ctx context.Context, rawURL string, maxBytes int64) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("did/web: %q is not an https URL", rawURL)
	}
	body, err := r.get(ctx, u.String(), "application/vc+jwt, application/vc+ld+json;q=0.9, application/json;q=0.8", maxBytes)
	if err != nil {
		return nil, fmt.Errorf("did/web: fetching %s: %w", u.Redacted(), err)
	}
	return body, nil
}

// get GETs u within the Resolver's timeout and reads at most max bytes.
func (r *Resolver) get(ctx context.Context, u, accept string, max int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		return nil, fmt.Errorf("%w: %w: %s", did.ErrNotFound, ErrHTTPStatus, resp.Status)
	default:
		return nil, fmt.Errorf("%w: %s", ErrHTTPStatus, resp.Status)
	}
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%w: Content-Length %d, more than %d", ErrTooLarge, resp.ContentLength, max)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("did/web: reading the body: %w", err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return body, nil
}
