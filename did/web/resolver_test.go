package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/did/web"
	"github.com/staffpass/staffpass/internal/limits"
)

// docFor is a minimal valid DID document for id.
func docFor(id string) string {
	return `{"@context":"https://www.w3.org/ns/did/v1","id":"` + id + `","verificationMethod":[{"id":"#key-1","type":"Multikey","controller":"` + id +
		`","publicKeyMultibase":"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"}],"assertionMethod":["#key-1"]}`
}

// server is an HTTPS test server whose client reaches it as example.com
// (httptest sends example.com:443 to the server).
func server(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused connections end handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func resolver(t *testing.T, srv *httptest.Server, opts ...web.Option) *web.Resolver {
	t.Helper()
	r, err := web.NewResolver(append([]web.Option{web.WithHTTPClient(srv.Client()), web.WithPrivateAddressesUnsafe()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestResolveFetchesTheDocument(t *testing.T) {
	var paths []string
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		switch r.URL.Path {
		case "/.well-known/did.json":
			fmt.Fprint(w, docFor("did:web:example.com"))
		case "/user/alice/did.json":
			fmt.Fprint(w, docFor("did:web:example.com:user:alice"))
		default:
			http.NotFound(w, r)
		}
	})
	r := resolver(t, srv)
	for _, id := range []string{"did:web:example.com", "did:web:example.com:user:alice"} {
		doc, err := r.Resolve(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if doc.ID != id {
			t.Fatalf("id %q", doc.ID)
		}
		m, err := did.ResolveMethod(context.Background(), did.Router{"web": r}, id+"#key-1", did.AssertionMethod)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.PublicKey(); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(paths, " ") != "/.well-known/did.json /.well-known/did.json /user/alice/did.json /user/alice/did.json" {
		t.Fatalf("paths fetched: %v", paths)
	}
}

func TestResolveFollowsHTTPSRedirects(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/did.json":
			http.Redirect(w, r, "https://example.com/moved/did.json", http.StatusFound)
		case "/moved/did.json":
			fmt.Fprint(w, docFor("did:web:example.com"))
		}
	})
	if _, err := resolver(t, srv).Resolve(context.Background(), "did:web:example.com"); err != nil {
		t.Fatal(err)
	}
}

func TestResolveRefusesBadServers(t *testing.T) {
	big := strings.Repeat(" ", limits.MaxDIDDocumentBytes+1)
	tests := []struct {
		name    string
		id      string
		handler http.HandlerFunc
		want    error
	}{
		{"a redirect to http is refused", "did:web:example.com", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://example.com/did.json", http.StatusFound)
		}, web.ErrInsecureRedirect},
		{"endless redirects are refused", "did:web:example.com", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://example.com/.well-known/did.json?n="+r.URL.Query().Get("n")+"x", http.StatusFound)
		}, web.ErrTooManyRedirects},
		{"an oversize body is refused", "did:web:example.com", func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush() // no Content-Length: chunked
			fmt.Fprint(w, docFor("did:web:example.com")[:10]+big)
		}, web.ErrTooLarge},
		{"an oversize Content-Length is refused", "did:web:example.com", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(limits.MaxDIDDocumentBytes+1))
			fmt.Fprint(w, big)
		}, web.ErrTooLarge},
		{"a document for another DID is refused", "did:web:example.com", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, docFor("did:web:attacker.example.com"))
		}, did.ErrIDMismatch},
		{"a document with a trailing comma is refused", "did:web:example.com", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"id":"did:web:example.com",}`)
		}, did.ErrInvalidDocument},
		{"a 404 is not found", "did:web:example.com", func(w http.ResponseWriter, r *http.Request) {
			http.NotFound(w, r)
		}, did.ErrNotFound},
		{"a 500 is an HTTP status error", "did:web:example.com", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "oops", http.StatusInternalServerError)
		}, web.ErrHTTPStatus},
		{"a DID with an IP address is refused before any request", "did:web:127.0.0.1", func(w http.ResponseWriter, r *http.Request) {
			t.Error("the server was asked")
		}, did.ErrInvalidDID},
		{"another method is refused", "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", func(w http.ResponseWriter, r *http.Request) {
			t.Error("the server was asked")
		}, did.ErrInvalidDID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := server(t, tt.handler)
			_, err := resolver(t, srv).Resolve(context.Background(), tt.id)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var re *did.ResolutionError
			if !errors.As(err, &re) || re.DID != tt.id {
				t.Fatalf("%v is not a *did.ResolutionError for %s", err, tt.id)
			}
		})
	}
}

func TestResolveTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	r := resolver(t, srv, web.WithTimeout(50*time.Millisecond))
	_, err := r.Resolve(context.Background(), "did:web:example.com")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want context.DeadlineExceeded", err)
	}
}

func TestResolveHonoursTheCallersContext(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, docFor("did:web:example.com"))
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := resolver(t, srv).Resolve(ctx, "did:web:example.com"); !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}

func TestResolveRefusesLoopbackByDefault(t *testing.T) {
	asked := false
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		asked = true
		fmt.Fprint(w, docFor("did:web:example.com"))
	})
	// The test client dials the server's loopback address for example.com,
	// as DNS rebinding would: the connection's address is refused.
	r, err := web.NewResolver(web.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Resolve(context.Background(), "did:web:example.com")
	var ae *web.AddressError
	if !errors.Is(err, web.ErrAddressNotAllowed) || !errors.As(err, &ae) || !ae.Addr.IsLoopback() {
		t.Fatalf("error = %v, want a loopback *web.AddressError", err)
	}
	if asked {
		t.Fatal("the request reached the server")
	}
}

func TestTheDefaultDialerRefusesNamesThatResolveToLoopback(t *testing.T) {
	// localhost resolves (from the hosts file, without DNS) to a loopback
	// address; the dialer's Control function sees it before connecting.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := l.Accept(); err == nil {
			accepted <- struct{}{}
			c.Close()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	r, err := web.NewResolver(web.WithTimeout(2 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Resolve(context.Background(), fmt.Sprintf("did:web:localhost%%3A%d", port))
	if !errors.Is(err, web.ErrAddressNotAllowed) {
		t.Fatalf("error = %v, want ErrAddressNotAllowed", err)
	}
	select {
	case <-accepted:
		t.Fatal("a connection was made")
	default:
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewResolverRefusesATransportItCannotGuard(t *testing.T) {
	c := &http.Client{Transport: roundTripperFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("unused") })}
	if _, err := web.NewResolver(web.WithHTTPClient(c)); !errors.Is(err, web.ErrUnguardedTransport) {
		t.Fatalf("error = %v, want ErrUnguardedTransport", err)
	}
	if _, err := web.NewResolver(web.WithHTTPClient(c), web.WithPrivateAddressesUnsafe()); err != nil {
		t.Fatalf("with the unsafe option: %v", err)
	}
	if _, err := web.NewResolver(web.WithTimeout(0)); err == nil {
		t.Fatal("a zero timeout was accepted")
	}
	if _, err := web.NewResolver(web.WithHTTPClient(nil)); err == nil {
		t.Fatal("a nil client was accepted")
	}
}

func TestNewResolverDoesNotChangeTheCallersClient(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {})
	c := srv.Client()
	tr := c.Transport
	if _, err := web.NewResolver(web.WithHTTPClient(c)); err != nil {
		t.Fatal(err)
	}
	if c.Transport != tr || c.CheckRedirect != nil {
		t.Fatal("NewResolver changed the client it was given")
	}
}

// Fetch reads an https URL with Resolve's guards: a body up to the limit,
// 404 as not found, no http URLs, no loopback unless allowed.
func TestFetchReadsAnHTTPSURLWithTheGuards(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/status/1":
			fmt.Fprint(w, "eyJhbGciOiJFZERTQSJ9.e30.sig")
		case "/big":
			fmt.Fprint(w, strings.Repeat("x", 2048))
		default:
			http.NotFound(w, r)
		}
	})
	r := resolver(t, srv)
	ctx := context.Background()
	body, err := r.FetchLimited(ctx, "https://example.com/status/1", 1024)
	if err != nil || string(body) != "eyJhbGciOiJFZERTQSJ9.e30.sig" {
		t.Fatalf("Fetch = %q, %v", body, err)
	}
	if _, err := r.FetchLimited(ctx, "https://example.com/big", 1024); !errors.Is(err, web.ErrTooLarge) {
		t.Errorf("a body over the limit: %v, want ErrTooLarge", err)
	}
	if _, err := r.Fetch(ctx, "https://example.com/none"); !errors.Is(err, did.ErrNotFound) {
		t.Errorf("a 404: %v, want did.ErrNotFound", err)
	}
	if _, err := r.Fetch(ctx, "http://example.com/status/1"); err == nil {
		t.Error("an http URL was fetched")
	}
	guarded, err := web.NewResolver()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := guarded.Fetch(ctx, srv.URL+"/status/1"); !errors.Is(err, web.ErrAddressNotAllowed) {
		t.Errorf("a loopback address by default: %v, want ErrAddressNotAllowed", err)
	}
}
