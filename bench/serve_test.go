package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/staffpass/staffpass/did"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/internal/server"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/verifier"
)

// serveWorld is a staffpass serve on loopback (TLS, keep-alive) issuing
// as an organisation it trusts, and the requests the load benchmarks send:
// a credential in each format and a presentation of two credentials in
// each format, with a challenge of the caller's own (reused, as a load
// generator must).
type serveWorld struct {
	srv      *httptest.Server
	verifier *verifier.Verifier
	bodies   map[string][]byte // request bodies, by "path format"
	docs     map[string][]byte // the documents alone, for the library
}

const serveChallenge, serveDomain = "load-test-challenge", "https://bank.example.nhs.uk"

func newServeWorld(b *testing.B) *serveWorld {
	b.Helper()
	ctx := context.Background()
	org, err := issuer.InitOrganisation(ctx, filepath.Join(b.TempDir(), "kch"), "kch.nhs.uk", issuer.InitOptions{})
	if err != nil {
		b.Fatal(err)
	}
	signer, err := org.Signer()
	if err != nil {
		b.Fatal(err)
	}
	reg, err := org.OpenRegistry(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { reg.Close() })
	doc, err := org.Document()
	if err != nil {
		b.Fatal(err)
	}
	static := &did.StaticResolver{}
	if err := static.Add(doc.ID, doc); err != nil {
		b.Fatal(err)
	}
	trust := verifier.Trust{Issuers: []string{org.DID}, Resolver: did.Router{"web": static, didkey.Method: didkey.Resolver{}}}
	h, err := server.New(server.Config{
		Issuer: &server.Issuer{Registry: reg, Signer: signer, Format: issuer.FormatJWT, StatusFormat: org.StatusFormat, Document: doc},
		Trust:  trust,
	})
	if err != nil {
		b.Fatal(err)
	}
	w := &serveWorld{srv: httptest.NewTLSServer(h), bodies: map[string][]byte{}, docs: map[string][]byte{}}
	b.Cleanup(w.srv.Close)

	walletKey, _ := keys.Generate(keys.Ed25519)
	kid, _ := didkey.KeyID(walletKey.Public())
	wallet, _ := keys.NewSigner(walletKey, kid)
	holderDID, _ := holder.Holder(wallet)
	now := time.Now().UTC().Truncate(time.Second)
	for _, f := range []issuer.Format{issuer.FormatJWT, issuer.FormatEdDSARDFC2022} {
		var creds [][]byte
		for i := range 2 {
			data, _ := json.Marshal(map[string]any{
				"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiableCredential"},
				"issuer": org.DID, "validFrom": "2026-01-01T00:00:00Z",
				"credentialSubject": map[string]any{"id": holderDID, "name": []string{"Sam", "Kim"}[i]},
			})
			rec, _, err := issuer.IssueRecorded(ctx, reg, signer, issuer.Issuance{Credential: data, Format: f, Key: string(f) + string(rune('a'+i)), Actor: "bench"}, now)
			if err != nil {
				b.Fatal(err)
			}
			creds = append(creds, rec.Credential)
		}
		member := json.RawMessage(creds[0])
		if f == issuer.FormatJWT {
			member, _ = json.Marshal(string(creds[0]))
		}
		w.docs["credential "+string(f)] = creds[0]
		w.bodies["/credentials/verify "+string(f)], _ = json.Marshal(map[string]any{"verifiableCredential": member})
		vp, err := holder.Present(creds, wallet, holder.Options{Format: f, Challenge: serveChallenge, Domain: serveDomain, Created: now})
		if err != nil {
			b.Fatal(err)
		}
		vpMember := json.RawMessage(vp)
		if f == issuer.FormatJWT {
			vpMember, _ = json.Marshal(string(vp))
		}
		w.docs["presentation "+string(f)] = vp
		w.bodies["/presentations/verify "+string(f)], _ = json.Marshal(map[string]any{
			"verifiablePresentation": vpMember, "options": map[string]any{"challenge": serveChallenge, "domain": serveDomain},
		})
	}
	// The library's own Verifier, with the same trust and the lists the
	// server serves.
	client := w.srv.Client()
	var lists [][]byte
	for _, n := range []string{"1", "2"} {
		res, err := client.Get(w.srv.URL + "/status/" + n)
		if err != nil {
			b.Fatal(err)
		}
		l, _ := io.ReadAll(res.Body)
		res.Body.Close()
		lists = append(lists, l)
	}
	trust.StatusLists = lists
	if w.verifier, err = verifier.New(trust); err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkServeVerify is the load test of the verification endpoints:
// 8 goroutines a core POST the same request over keep-alive TLS
// connections on loopback; it reports requests a second and the p99
// latency, and BenchmarkServeVerifyLibrary the library's own rate for the
// same documents in one process.
func BenchmarkServeVerify(b *testing.B) {
	w := newServeWorld(b)
	for _, name := range []string{"/credentials/verify jwt", "/credentials/verify eddsa-rdfc-2022", "/presentations/verify jwt", "/presentations/verify eddsa-rdfc-2022"} {
		body := w.bodies[name]
		path := name[:bytes.IndexByte([]byte(name), ' ')]
		b.Run(name[1:], func(b *testing.B) {
			client := w.srv.Client()
			client.Transport.(*http.Transport).MaxIdleConnsPerHost = 256
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(8)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					t0 := time.Now()
					res, err := client.Post(w.srv.URL+path, "application/json", bytes.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Errorf("%s answered %d", name, res.StatusCode)
						return
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			b.StopTimer()
			if len(lat) > 0 {
				slices.Sort(lat)
				b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			}
		})
	}
}

// BenchmarkServeVerifyLibrary verifies the same documents with the
// library in one process, on every core: the rate the server is compared
// with.
func BenchmarkServeVerifyLibrary(b *testing.B) {
	w := newServeWorld(b)
	for _, name := range []string{"credential jwt", "credential eddsa-rdfc-2022", "presentation jwt", "presentation eddsa-rdfc-2022"} {
		doc := w.docs[name]
		b.Run(name, func(b *testing.B) {
			p := verifier.Policy{Challenge: serveChallenge, Domain: serveDomain}
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := w.verifier.Verify(context.Background(), doc, p); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "verifications/s")
		})
	}
}
