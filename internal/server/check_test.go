package server

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/policy"
)

func newCheckEnv(t *testing.T) (*testEnv, *httptest.Server, *http.Client) {
	role, err := policy.ParseRole([]byte(porterRole))
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t, "jwt", func(c *Config) { c.PublicURL = publicURL; c.Roles = []*policy.Role{role} })
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	return e, ts, &http.Client{Jar: jar}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestCheckPage(t *testing.T) {
	e, ts, c := newCheckEnv(t)
	res, body := get(t, c, ts.URL+"/check")
	if res.StatusCode != 200 || !strings.Contains(body, `name="token"`) || !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("sign-in page: %d %s", res.StatusCode, body)
	}
	// A wrong token, then the right one: a session cookie that is not it.
	res, _ = c.PostForm(ts.URL+"/check/login", url.Values{"token": {"wrong"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong token: %d", res.StatusCode)
	}
	res, err := c.PostForm(ts.URL+"/check/login", url.Values{"token": {testToken}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(b), `<option value="porter">Porter</option>`) {
		t.Fatalf("after signing in: %d %s", res.StatusCode, b)
	}
	u, _ := url.Parse(ts.URL + "/check")
	for _, ck := range c.Jar.Cookies(u) {
		if strings.Contains(ck.Value, testToken) {
			t.Fatal("the session cookie holds the token")
		}
	}
	// A form from another site is refused.
	req, _ := http.NewRequest("POST", ts.URL+"/check/requests", strings.NewReader("role=porter"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if res, _ := c.Do(req); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-site form: %d", res.StatusCode)
	}
	// The role chosen: the QR code, then the verdict once the wallet answers.
	res, err = c.PostForm(ts.URL+"/check/requests", url.Values{"role": {"porter"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	page := string(b)
	id := strings.TrimPrefix(res.Request.URL.Path, "/check/")
	if res.StatusCode != 200 || !strings.Contains(page, `src="data:image/png;base64,`) || !strings.Contains(page, `data-request="`+id+`"`) {
		t.Fatalf("the waiting page: %d %s", res.StatusCode, page)
	}
	_, status := get(t, c, ts.URL+"/check/"+id+"/status")
	if !strings.Contains(status, `"pending"`) {
		t.Fatalf("status %s", status)
	}
	// The wallet answers (as in TestOpenID4VPRoleVerdict).
	wallet := walletSigner(t)
	cred := e.receive(t, wallet)
	_, jar := e.call(t, "GET", "/openid4vp/requests/"+id, nil)
	var claims map[string]any
	parts := strings.Split(string(jar), ".")
	payload, _ := decodeSegment(parts[1])
	json.Unmarshal(payload, &claims)
	p, err := sdjwt.Present(cred, func(string) bool { return false }, &sdjwt.KeyBinding{Signer: wallet,
		Audience: claims["client_id"].(string), Nonce: claims["nonce"].(string), IssuedAt: e.clock()})
	if err != nil {
		t.Fatal(err)
	}
	if res, m := e.answer(t, id, claims["state"].(string), map[string][]string{"dbs-check": {p}}); res.StatusCode != 200 {
		t.Fatalf("answer %d %v", res.StatusCode, m)
	}
	_, status = get(t, c, ts.URL+"/check/"+id+"/status")
	_, verdict := get(t, c, ts.URL+"/check/"+id)
	if !strings.Contains(status, `"answered"`) || !strings.Contains(verdict, `id="verdict">Can start: every requirement is met.`) ||
		!strings.Contains(verdict, "dbs check</td><td class=\"met\">met") {
		t.Fatalf("the verdict page: %s\n%s", status, verdict)
	}
	// Without a session, nothing but the sign-in page.
	anon := &http.Client{}
	if res, body := get(t, anon, ts.URL+"/check/"+id); res.Request.URL.Path != "/check" || !strings.Contains(body, `name="token"`) {
		t.Fatalf("the verdict without a session: %s %s", res.Request.URL.Path, body)
	}
	if res, _ := get(t, anon, ts.URL+"/check/"+id+"/status"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status without a session: %d", res.StatusCode)
	}
}

func decodeSegment(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(s)
}

// A check page form that is too large or malformed is refused as such (400,
// malformed-request), not as cross-site, on both forms of the page.
func TestCheckFormsTooLargeOrMalformedSaySo(t *testing.T) {
	_, ts, c := newCheckEnv(t)
	for _, path := range []string{"/check/login", "/check/requests"} {
		for name, body := range map[string]string{
			"too large": "token=" + strings.Repeat("a", 5000),
			"malformed": "token=%zz",
		} {
			res, err := c.Post(ts.URL+path, "application/x-www-form-urlencoded", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "malformed-request") {
				t.Errorf("%s form to %s: %d %s", name, path, res.StatusCode, b)
			}
		}
	}
}
