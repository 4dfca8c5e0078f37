package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/policy"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/verifier"
)

// audit4Present presents cred (about wallet's key) for a request's nonce
// and client_id, disclosing what disclose says.
func audit4Present(t *testing.T, e *testEnv, cred string, wallet keys.Signer, claims map[string]any, disclose bool) string {
	t.Helper()
	p, err := sdjwt.Present(cred, func(string) bool { return disclose }, &sdjwt.KeyBinding{Signer: wallet,
		Audience: claims["client_id"].(string), Nonce: claims["nonce"].(string), IssuedAt: e.clock()})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// audit4Login signs a cookie-jar client in to the check page.
func audit4Login(t *testing.T, ts *httptest.Server) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.PostForm(ts.URL+"/check/login", url.Values{"token": {testToken}})
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("login: %v %v", err, res)
	}
	res.Body.Close()
	return c
}

// ---------------------------------------------------------------------------
// Defects (each FAILS on the current code)
// ---------------------------------------------------------------------------

// D1. vpEnabled promises 404 when there is "nothing to verify with", but
// only looks at PublicURL: with no trust configured, requests are made,
// shown as QR codes, and the wallet's answer gets a 500 and burns the
// request.
func TestAudit4NoTrustRefusesPresentationRequests(t *testing.T) {
	e := newTestEnv(t, "jwt", func(c *Config) { c.PublicURL = publicURL; c.Trust = verifier.Trust{} })
	res, out := e.call(t, "POST", "/openid4vp/requests", map[string]any{"role": json.RawMessage(porterRole)}, auth()...)
	if res.StatusCode == http.StatusCreated {
		t.Fatalf("a presentation request was made by a server that cannot verify any answer: %d %s", res.StatusCode, out)
	}
}

// D2. A transient failure to get the verifier (the status lists cannot be
// refreshed, say) answers 500 but has already set done: the wallet's retry
// is refused with "this request has been answered", and the officer's page
// shows "No verdict" for good.
func TestAudit4TransientVerifierFailureDoesNotBurnTheRequest(t *testing.T) {
	e := newWalletEnv(t)
	wallet := walletSigner(t)
	cred := e.receive(t, wallet)
	id, claims := e.vpRequest(t)
	state := claims["state"].(string)
	token := map[string][]string{"dbs-check": {audit4Present(t, e, cred, wallet, claims, false)}}

	trust := e.srv.cfg.Trust
	e.srv.vmu.Lock()
	e.srv.cfg.Trust, e.srv.v = verifier.Trust{}, nil // the verifier cannot be built for now
	e.srv.vmu.Unlock()
	if res, _ := e.answer(t, id, state, token); res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("setup: want 500, got %d", res.StatusCode)
	}
	e.srv.vmu.Lock()
	e.srv.cfg.Trust, e.srv.v = trust, nil // back again
	e.srv.vmu.Unlock()

	res, m := e.answer(t, id, state, token)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the wallet's retry after a 500 is refused: %d %v", res.StatusCode, m)
	}
	if v, _ := e.result(t, id)["verdict"].(map[string]any); v["met"] != true {
		t.Fatalf("no verdict after the retry: %v", e.result(t, id))
	}
}

// D3. The DCQL query asks for one credential per query (no "multiple"),
// but any number of presentations per query id is verified, kept in
// memory and counted: ~1,200 copies of one presentation fit in one 2 MiB
// answer (about 0.6 s of CPU, all results kept ten minutes). OpenID4VP 1.0
// (DCQL, multiple omitted = false) allows exactly one.
func TestAudit4OnePresentationPerCredentialQuery(t *testing.T) {
	e := newWalletEnv(t)
	wallet := walletSigner(t)
	cred := e.receive(t, wallet)
	id, claims := e.vpRequest(t)
	p := audit4Present(t, e, cred, wallet, claims, false)
	ps := make([]string, 50)
	for i := range ps {
		ps[i] = p
	}
	e.answer(t, id, claims["state"].(string), map[string][]string{"dbs-check": ps})
	r := e.result(t, id)
	results, _ := r["results"].([]any)
	if v, _ := r["verdict"].(map[string]any); v["met"] == true || len(results) > 1 {
		t.Fatalf("50 presentations for a query that asked for one were verified (%d results) and met the role", len(results))
	}
}

// D4. sameSite lets through a form whose Origin is "null" (an opaque
// origin: a sandboxed iframe, a cross-origin redirect, a data: URL), which
// is never this server's. With a client certificate (which browsers send
// cross-site) that is a cross-site POST /check/requests on browsers that do
// not send Sec-Fetch-Site.
func TestAudit4OpaqueOriginIsCrossSite(t *testing.T) {
	role, _ := policy.ParseRole([]byte(porterRole))
	e := newTestEnv(t, "jwt", func(c *Config) { c.PublicURL = publicURL; c.Roles = []*policy.Role{role} })
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	c := audit4Login(t, ts)
	for _, path := range []string{"/check/requests", "/check/login"} {
		req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader("role=porter&token="+testToken))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "null")
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s with Origin: null: %d, want 403", path, res.StatusCode)
		}
	}
}

// D5. The session cookie is Secure only when this process terminated TLS.
// serve listens on plain HTTP on loopback, so behind a TLS-terminating
// proxy with an https --public-url the cookie goes out without Secure.
func TestAudit4SessionCookieSecureForHTTPSPublicURL(t *testing.T) {
	role, _ := policy.ParseRole([]byte(porterRole))
	e := newTestEnv(t, "jwt", func(c *Config) { c.PublicURL = publicURL; c.Roles = []*policy.Role{role} })
	req := httptest.NewRequest("POST", "/check/login", strings.NewReader("token="+testToken))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, req)
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("no session cookie: %d", w.Code)
	}
	if !cookies[0].Secure {
		t.Errorf("the session cookie of a server at %s is not Secure", publicURL)
	}
}

// D6. A wallet that declines (or fails) posts an Authorization Error
// Response (error, state) to the response_uri in direct_post mode. It is
// refused with 400 and not recorded: the officer's page waits until the
// request expires instead of saying the wallet declined.
func TestAudit4WalletErrorResponseIsRecorded(t *testing.T) {
	e := newWalletEnv(t)
	id, claims := e.vpRequest(t)
	res, m := e.form(t, "/openid4vp/responses/"+id, url.Values{"error": {"access_denied"}, "state": {claims["state"].(string)}})
	if res.StatusCode != http.StatusOK {
		t.Errorf("an error response: %d %v", res.StatusCode, m)
	}
	if r := e.result(t, id); r["status"] != "answered" || r["failure"] == nil {
		t.Errorf("the wallet's refusal is not recorded: %v", r)
	}
}

// ---------------------------------------------------------------------------
// What held (these pass)
// ---------------------------------------------------------------------------

// audit4ReceiveOther is receive for another member of staff.
func audit4ReceiveOther(t *testing.T, e *testEnv, wallet keys.Signer) string {
	t.Helper()
	cells := dbsCells(e)
	cells["staff_id"], cells["certificate_number"] = "E78", "009876543210"
	o, err := issuer.CreateOffer(t.Context(), e.reg, registry.OfferRequest{Type: staff.TypeDBSCheck, Cells: cells, Format: string(issuer.FormatSDJWT),
		IssuerURL: publicURL, Actor: "hr", Now: e.clock()})
	if err != nil {
		t.Fatal(err)
	}
	return e.redeem(t, o.ID, wallet)
}

func TestAudit4HeldTwoHolders(t *testing.T) {
	e := newWalletEnv(t)
	w1, w2 := walletSigner(t), walletSigner(t)
	c1 := e.receive(t, w1)
	c2 := audit4ReceiveOther(t, e, w2)
	id, claims := e.vpRequest(t)
	// Two presentations for one query are refused before anything is
	// verified (one query, one credential), and the request stays open.
	res, _ := e.answer(t, id, claims["state"].(string), map[string][]string{"dbs-check": {
		audit4Present(t, e, c1, w1, claims, false), audit4Present(t, e, c2, w2, claims, false)}})
	r := e.result(t, id)
	if v, _ := r["verdict"].(map[string]any); res.StatusCode != http.StatusBadRequest || v["met"] == true || r["status"] != "pending" {
		t.Fatalf("two holders: %d %v", res.StatusCode, r)
	}
}

func TestAudit4HeldConcurrentAnswersAndMalformedTokens(t *testing.T) {
	e := newWalletEnv(t)
	wallet := walletSigner(t)
	cred := e.receive(t, wallet)
	id, claims := e.vpRequest(t)
	state := claims["state"].(string)
	for _, vp := range []string{`{"dbs-check":"x"}`, `{"dbs-check":[1]}`, `[]`, `null`, `{}`, `"x"`} {
		res, _ := e.form(t, "/openid4vp/responses/"+id, url.Values{"vp_token": {vp}, "state": {state}})
		if res.StatusCode == 500 {
			t.Errorf("%s: 500", vp)
		}
	}
	p := audit4Present(t, e, cred, wallet, claims, false)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, _ := e.answer(t, id, state, map[string][]string{"dbs-check": {p}})
			mu.Lock()
			if res.StatusCode == 200 {
				ok++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if r := e.result(t, id); ok != 1 || len(r["results"].([]any)) != 1 {
		t.Fatalf("%d answers accepted: %v", ok, r)
	}
}

func TestAudit4HeldNoIdentifierInVerdictPageOrLog(t *testing.T) {
	role, _ := policy.ParseRole([]byte(`{"role": "porter", "title": "<script>alert(1)</script>\"'", "requirements": {"dbsCheck": {"minLevel": "enhanced", "workforce": "adult"}}}`))
	e := newTestEnv(t, "jwt", func(c *Config) { c.PublicURL = publicURL; c.Roles = []*policy.Role{role} })
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	c := audit4Login(t, ts)
	res, err := c.PostForm(ts.URL+"/check/requests", url.Values{"role": {"porter"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if strings.Contains(string(b), "<script>alert") {
		t.Fatal("title unescaped")
	}
	id := strings.TrimPrefix(res.Request.URL.Path, "/check/")
	wallet := walletSigner(t)
	cred := e.receive(t, wallet)
	_, jar := e.call(t, "GET", "/openid4vp/requests/"+id, nil)
	var claims map[string]any
	payload, _ := decodeSegment(strings.Split(string(jar), ".")[1])
	json.Unmarshal(payload, &claims)
	// The wallet discloses everything, certificate number included.
	e.answer(t, id, claims["state"].(string), map[string][]string{"dbs-check": {audit4Present(t, e, cred, wallet, claims, true)}})
	_, page := get(t, c, ts.URL+"/check/"+id)
	_, out := e.call(t, "GET", "/openid4vp/results/"+id, nil, auth()...)
	for name, s := range map[string]string{"page": page, "result": string(out), "log": e.logBuf.String()} {
		if strings.Contains(s, "001234567890") {
			t.Errorf("the %s holds the certificate number", name)
		}
	}
	if !strings.Contains(page, "Can start") || strings.Contains(page, "<script>alert") {
		t.Fatalf("page: %s", page)
	}
	// A wallet-chosen query id lands in the failure, escaped.
	res, _ = c.PostForm(ts.URL+"/check/requests", url.Values{"role": {"porter"}})
	id2 := strings.TrimPrefix(res.Request.URL.Path, "/check/")
	_, jar = e.call(t, "GET", "/openid4vp/requests/"+id2, nil)
	payload, _ = decodeSegment(strings.Split(string(jar), ".")[1])
	json.Unmarshal(payload, &claims)
	e.answer(t, id2, claims["state"].(string), map[string][]string{"<img src=x onerror=alert(1)>": {"x"}})
	if _, page := get(t, c, ts.URL+"/check/"+id2); strings.Contains(page, "<img src=x") || !strings.Contains(page, "No verdict") {
		t.Fatalf("failure page: %s", page)
	}
}

func TestAudit4HeldSessions(t *testing.T) {
	role, _ := policy.ParseRole([]byte(porterRole))
	e := newTestEnv(t, "jwt", func(c *Config) { c.PublicURL = publicURL; c.Roles = []*policy.Role{role} })
	e2 := newTestEnv(t, "jwt", func(c *Config) { c.PublicURL = publicURL; c.Roles = []*policy.Role{role} })
	other := e2.srv.session(e.clock()) // another process's (or before a restart) cookie
	for _, v := range []string{other, "", "AAAA", strings.Repeat("A", 54), e.srv.session(e.clock().Add(-9 * 3600e9))} {
		req := httptest.NewRequest("GET", "/check/x/status", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: v})
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, req)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("cookie %q: %d", v, w.Code)
		}
	}
	// Sec-Fetch-Site cross-site and a foreign Origin are refused, even signed in.
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	c := audit4Login(t, ts)
	for _, h := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		req, _ := http.NewRequest("POST", ts.URL+"/check/requests", strings.NewReader("role=porter"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(h[0], h[1])
		res, _ := c.Do(req)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%v: %d", h, res.StatusCode)
		}
	}
}

func TestAudit4HeldNoKeyBindingAndUntrustedIssuer(t *testing.T) {
	e := newWalletEnv(t)
	wallet := walletSigner(t)
	cred := e.receive(t, wallet)
	id, claims := e.vpRequest(t)
	bare, err := sdjwt.Present(cred, func(string) bool { return false }, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.answer(t, id, claims["state"].(string), map[string][]string{"dbs-check": {bare}})
	if v, _ := e.result(t, id)["verdict"].(map[string]any); v["met"] == true {
		t.Fatal("met without key binding")
	}
	// The same credential, properly presented, to a server that does not
	// trust its issuer.
	e.srv.vmu.Lock()
	e.srv.cfg.Trust.Issuers, e.srv.v = []string{"did:web:other.example"}, nil
	e.srv.vmu.Unlock()
	id, claims = e.vpRequest(t)
	e.answer(t, id, claims["state"].(string), map[string][]string{"dbs-check": {audit4Present(t, e, cred, wallet, claims, false)}})
	r := e.result(t, id)
	if v, _ := r["verdict"].(map[string]any); v == nil || v["met"] == true || !strings.Contains(mustString(r), "issuer-trust") {
		t.Fatalf("met with an untrusted issuer, or judged for another reason: %v", r)
	}
}

func mustString(v any) string { b, _ := json.Marshal(v); return string(b) }

// The check pages ask browsers to send their own origin with their forms:
// under Referrer-Policy no-referrer a browser sends "Origin: null", which
// is refused as cross-site (the headless Chromium test found it).
func TestCheckPagesKeepTheirOriginInForms(t *testing.T) {
	role, _ := policy.ParseRole([]byte(porterRole))
	e := newTestEnv(t, "jwt", func(c *Config) { c.PublicURL = publicURL; c.Roles = []*policy.Role{role} })
	req := httptest.NewRequest("GET", "/check", nil)
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, req)
	if got := w.Result().Header.Get("Referrer-Policy"); got != "same-origin" {
		t.Fatalf("Referrer-Policy %q, want same-origin (%d)", got, w.Code)
	}
}
