package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/staffpass/staffpass/policy"
	"github.com/staffpass/staffpass/verifier"
)

// The page for the receiving HR officer
//
//	GET  /check              sign in (the server's token), then choose a role
//	POST /check/login        the token -> a session cookie (eight hours)
//	POST /check/requests     a presentation request for the chosen role
//	GET  /check/{id}         its QR code, then, once the wallet answered, the verdict
//	GET  /check/{id}/status  "pending" or "answered", for the page's script
//
// Plain server-rendered HTML with one small script (it asks every two
// seconds whether the wallet has answered, and reloads), nothing fetched
// from elsewhere: it works offline on the trust's network. It is behind
// the same token (typed once, kept as an HttpOnly, SameSite=Strict session
// cookie that is not the token) or client certificate as issuing, and its
// forms are refused from another site. The roles are those the server was
// started with (--role).

const (
	sessionCookie = "staffpass_check"
	sessionFor    = 8 * time.Hour
)

// session makes a session cookie's value: its expiry and an HMAC of it
// with the server's key.
func (s *Server) session(now time.Time) string {
	msg := make([]byte, 8)
	binary.BigEndian.PutUint64(msg, uint64(now.Add(sessionFor).Unix()))
	return base64.RawURLEncoding.EncodeToString(append(msg, s.sessionMAC(msg)...))
}

func (s *Server) sessionMAC(msg []byte) []byte {
	h := hmac.New(sha256.New, s.challenges.key)
	h.Write([]byte("staffpass check session\x00"))
	h.Write(msg)
	return h.Sum(nil)
}

func (s *Server) validSession(v string, now time.Time) bool {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(v)
	if err != nil || len(raw) != 8+sha256.Size {
		return false
	}
	if !hmac.Equal(raw[8:], s.sessionMAC(raw[:8])) {
		return false
	}
	return now.Unix() < int64(binary.BigEndian.Uint64(raw[:8]))
}

// checkAuthorised reports whether r comes from someone who may use the
// page: a session cookie, the token, or a client certificate.
func (s *Server) checkAuthorised(r *http.Request) bool {
	if c, err := r.Cookie(sessionCookie); err == nil && s.validSession(c.Value, s.now()) {
		setActor(r, "check page session")
		return true
	}
	if s.cfg.ClientCertificates && r.TLS != nil && len(r.TLS.VerifiedChains) > 0 && len(r.TLS.VerifiedChains[0]) > 0 {
		setActor(r, "client certificate "+r.TLS.VerifiedChains[0][0].Subject.String())
		return true
	}
	if s.cfg.Token != "" {
		scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if strings.EqualFold(scheme, "Bearer") && tokenMatches(tok, s.cfg.Token) {
			setActor(r, "bearer token")
			return true
		}
	}
	return false
}

func tokenMatches(got, want string) bool {
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// sameSite refuses a form another site's page sent.
func sameSite(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	// An opaque origin ("null": a sandboxed frame, a data: URL, a
	// redirect from elsewhere) is not this site.
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		return o != "null" && err == nil && u.Host == r.Host
	}
	return true
}

func (s *Server) checkEnabled(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.PublicURL == "" || len(s.cfg.Roles) == 0 || !s.verify {
		writeProblem(w, r, http.StatusNotFound, "wallets-disabled", "start the server with --public-url, something to trust (--bundle or --trust) and at least one --role for the check page")
		return false
	}
	return true
}

// page writes an HTML page with a fresh CSP nonce for its style and script.
func (s *Server) page(w http.ResponseWriter, status int, name string, data map[string]any) {
	nonce := randomID(16)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'nonce-"+nonce+"'; script-src 'nonce-"+nonce+
		"'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	// same-origin, not no-referrer: under no-referrer a browser sends
	// "Origin: null" with the page's own forms, which sameSite refuses.
	// No referrer leaves for another site either way.
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	data["Nonce"] = nonce
	checkPages.ExecuteTemplate(w, name, data)
}

func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request) {
	if !s.checkEnabled(w, r) {
		return
	}
	if !s.checkAuthorised(r) {
		s.page(w, http.StatusOK, "login", map[string]any{})
		return
	}
	s.page(w, http.StatusOK, "roles", map[string]any{"Roles": s.cfg.Roles})
}

// checkForm reads the form a check page posts, refusing it (and saying
// so) when the check page is off, the form comes from another site, or it
// is too large (4 KiB) or malformed.
func (s *Server) checkForm(w http.ResponseWriter, r *http.Request) bool {
	if !s.checkEnabled(w, r) {
		return false
	}
	if !sameSite(r) {
		writeProblem(w, r, http.StatusForbidden, "cross-site", "")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", "the form: "+err.Error())
		return false
	}
	return true
}

func (s *Server) handleCheckLogin(w http.ResponseWriter, r *http.Request) {
	if !s.checkForm(w, r) {
		return
	}
	if s.cfg.Token == "" || !tokenMatches(r.PostForm.Get("token"), s.cfg.Token) {
		s.page(w, http.StatusUnauthorized, "login", map[string]any{"Error": "That is not this server's token."})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.session(s.now()), Path: "/check", MaxAge: int(sessionFor.Seconds()),
		HttpOnly: true, Secure: r.TLS != nil || strings.HasPrefix(s.cfg.PublicURL, "https://"), SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/check", http.StatusSeeOther)
}

func (s *Server) handleCheckRequest(w http.ResponseWriter, r *http.Request) {
	if !s.checkForm(w, r) {
		return
	}
	if !s.checkAuthorised(r) {
		http.Redirect(w, r, "/check", http.StatusSeeOther)
		return
	}
	var role *policy.Role
	for _, rl := range s.cfg.Roles {
		if rl.ID == r.PostForm.Get("role") {
			role = rl
		}
	}
	if role == nil {
		writeProblem(w, r, http.StatusBadRequest, "malformed-request", "no such role")
		return
	}
	req, _, err := s.newVPRequest(role)
	if err != nil {
		writeProblem(w, r, http.StatusServiceUnavailable, "unavailable", err.Error())
		return
	}
	note(r, "vp_request", req.id)
	http.Redirect(w, r, "/check/"+req.id, http.StatusSeeOther)
}

func (s *Server) handleCheckPage(w http.ResponseWriter, r *http.Request) {
	if !s.checkEnabled(w, r) {
		return
	}
	if !s.checkAuthorised(r) {
		http.Redirect(w, r, "/check", http.StatusSeeOther)
		return
	}
	req := s.vpRequests.get(r.PathValue("id"), s.now())
	if req == nil {
		s.page(w, http.StatusNotFound, "gone", map[string]any{})
		return
	}
	req.mu.Lock()
	defer req.mu.Unlock()
	data := map[string]any{"Role": req.role, "ID": req.id, "Link": req.link}
	if !req.done {
		code, err := qr.Encode(req.link, qr.M)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		code.Scale = 6
		data["QR"] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(code.PNG()))
		data["Expires"] = req.expires.UTC().Format("15:04 UTC")
		s.page(w, http.StatusOK, "waiting", data)
		return
	}
	data["Verdict"], data["Failure"], data["Results"] = req.verdict, req.failure, req.results
	s.page(w, http.StatusOK, "verdict", data)
}

func (s *Server) handleCheckStatus(w http.ResponseWriter, r *http.Request) {
	if !s.checkEnabled(w, r) {
		return
	}
	if !s.checkAuthorised(r) {
		writeProblem(w, r, http.StatusUnauthorized, "unauthorized", "")
		return
	}
	req := s.vpRequests.get(r.PathValue("id"), s.now())
	if req == nil {
		writeProblem(w, r, http.StatusNotFound, "not-found", "no such presentation request, or it has expired")
		return
	}
	req.mu.Lock()
	status := "pending"
	if req.done {
		status = "answered"
	}
	req.mu.Unlock()
	writeJSONNoStore(w, map[string]string{"status": status})
}

// Words for the page.
var checkFuncs = template.FuncMap{
	"outcome": func(o policy.Outcome) string {
		switch o {
		case policy.Met:
			return "met"
		case policy.Due:
			return "met, but due for renewal soon"
		case policy.Missing:
			return "MISSING"
		case policy.Expired:
			return "EXPIRED"
		case policy.Insufficient:
			return "NOT ENOUGH"
		}
		return strings.ToUpper(string(o))
	},
	"good": func(o policy.Outcome) bool { return o == policy.Met || o == policy.Due },
	"passed": func(st verifier.Status) bool {
		return st == verifier.Passed
	},
	"requirement": func(name string) string {
		name = strings.ReplaceAll(name, "mandatory-training/", "training: ")
		return strings.ReplaceAll(name, "-", " ")
	},
	"summary": func(r *verifier.Result) string { return r.Summary() },
	"plural":  func(n int) string { return map[bool]string{true: "", false: "s"}[n == 1] },
	"count":   func(rs []*verifier.Result) int { return len(rs) },
	"since":   func(t time.Time) string { return t.UTC().Format("2 January 2006 15:04 UTC") },
	"sprintf": fmt.Sprintf,
	"inc":     func(i int) int { return i + 1 },
	"dict2": func(data map[string]any, title string) map[string]any {
		out := map[string]any{"Title": title}
		for k, v := range data {
			out[k] = v
		}
		return out
	},
}

var checkPages = template.Must(template.New("check").Funcs(checkFuncs).Parse(`
{{define "head"}}<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} - staffpass check</title>
<style nonce="{{.Nonce}}">
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#212b32;line-height:1.5}
h1{font-size:1.6rem}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #d8dde0;vertical-align:top;overflow-wrap:anywhere}
.met{color:#007f3b;font-weight:bold}.not{color:#d5281b;font-weight:bold}.verdict{font-size:1.4rem;padding:1rem;border:4px solid}
.verdict.met{border-color:#007f3b}.verdict.not{border-color:#d5281b}button,select,input{font-size:1rem;padding:.4rem}
.qr{image-rendering:pixelated;width:min(80vw,22rem)}small{color:#4c6272}
</style></head><body>{{end}}

{{define "login"}}{{template "head" (dict2 . "Sign in")}}
<h1>Check a member of staff</h1>
<p>Sign in with this server's token.</p>
{{with .Error}}<p class="not" id="error">{{.}}</p>{{end}}
<form method="post" action="/check/login"><label for="token">Token</label>
<input type="password" id="token" name="token" autocomplete="current-password" required>
<button type="submit" id="signin">Sign in</button></form></body></html>{{end}}

{{define "roles"}}{{template "head" (dict2 . "Choose a role")}}
<h1>Check a member of staff</h1>
<form method="post" action="/check/requests"><p><label for="role">What is she or he starting as?</label><br>
<select id="role" name="role">{{range .Roles}}<option value="{{.ID}}">{{.Title}}</option>{{end}}</select></p>
<p><button type="submit" id="ask">Show the code to scan</button></p></form>
<p><small>The wallet is asked only for what the role needs; no document or certificate number is shown to you.</small></p></body></html>{{end}}

{{define "waiting"}}{{template "head" (dict2 . "Scan")}}
<h1>{{.Role.Title}}</h1>
<p>Ask the member of staff to scan this with the wallet on their phone.</p>
<p><img class="qr" id="qr" alt="QR code of the presentation request" src="{{.QR}}"></p>
<p id="waiting" data-request="{{.ID}}" data-link="{{.Link}}">Waiting for the wallet to answer (until {{.Expires}})...</p>
<p><small><a href="/check">Choose another role</a></small></p>
<script nonce="{{.Nonce}}">
(function(){var id=document.getElementById('waiting').dataset.request;
function poll(){fetch('/check/'+encodeURIComponent(id)+'/status',{credentials:'same-origin'}).then(function(r){return r.json()}).then(function(s){
if(s.status==='answered'){location.reload()}else{setTimeout(poll,2000)}}).catch(function(){setTimeout(poll,5000)})}
setTimeout(poll,2000)})();
</script></body></html>{{end}}

{{define "verdict"}}{{template "head" (dict2 . "Verdict")}}
<h1>{{.Role.Title}}</h1>
{{if .Verdict}}{{if .Verdict.Met}}<p class="verdict met" id="verdict">Can start: every requirement is met.</p>
{{else}}<p class="verdict not" id="verdict">Cannot start yet: a requirement is not met.</p>{{end}}
<table id="requirements"><tr><th>Requirement</th><th>Outcome</th><th>Why</th></tr>
{{range .Verdict.Requirements}}<tr><td>{{requirement .Name}}</td><td class="{{if good .Outcome}}met{{else}}not{{end}}">{{outcome .Outcome}}</td><td>{{.Reason}}</td></tr>{{end}}
</table>
{{else}}<p class="verdict not" id="verdict">No verdict: {{.Failure}}</p>{{end}}
<h2>What the wallet showed</h2>
{{range $i, $r := .Results}}<h3>Presentation {{sprintf "%d" (inc $i)}}: {{summary $r}}</h3>
<table class="checks"><tr><th>Check</th><th>Result</th><th>Why</th></tr>
{{range $r.Checks}}<tr><td>{{.Name}}</td><td class="{{if passed .Status}}met{{else}}not{{end}}">{{.Status}}</td><td>{{.Reason}}</td></tr>{{end}}
{{range $r.Credentials}}{{range .Checks}}<tr><td>credential: {{.Name}}</td><td class="{{if passed .Status}}met{{else}}not{{end}}">{{.Status}}</td><td>{{.Reason}}</td></tr>{{end}}{{end}}
</table>{{end}}
<p><a href="/check">Check someone else</a></p></body></html>{{end}}

{{define "gone"}}{{template "head" (dict2 . "Expired")}}
<h1>This request has expired</h1><p><a href="/check">Start again</a></p></body></html>{{end}}
`))
