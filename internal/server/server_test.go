package server

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/staffpass/staffpass/did"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/status"
	"github.com/staffpass/staffpass/verifier"
)

const testToken = "test-token-0123456789abcdef"

// testEnv is a server issuing as kch.nhs.uk, trusting itself, with a log
// kept in memory.
type testEnv struct {
	srv    *Server
	org    *issuer.Organisation
	reg    *registry.Registry
	logBuf *syncBuffer
	now    time.Time
	mu     sync.Mutex
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (e *testEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *testEnv) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func newTestEnv(t testing.TB, format issuer.Format, change func(*Config)) *testEnv {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "kch")
	kt := keys.Ed25519
	if strings.HasPrefix(string(format), "ecdsa") {
		kt = keys.P256
	}
	org, err := issuer.InitOrganisation(ctx, dir, "kch.nhs.uk", issuer.InitOptions{KeyType: kt})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := org.Signer()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := org.OpenRegistry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	doc, err := org.Document()
	if err != nil {
		t.Fatal(err)
	}
	static := &did.StaticResolver{}
	if err := static.Add(doc.ID, doc); err != nil {
		t.Fatal(err)
	}
	e := &testEnv{org: org, reg: reg, logBuf: &syncBuffer{}, now: time.Now().UTC().Truncate(time.Second)}
	cfg := Config{
		Issuer: &Issuer{Registry: reg, Signer: signer, Format: format, StatusFormat: org.StatusFormat, Document: doc},
		Trust: verifier.Trust{
			Issuers:  []string{org.DID},
			Resolver: did.Router{"web": static, didkey.Method: didkey.Resolver{}},
		},
		VerifierOptions: []verifier.Option{verifier.WithClock(e.clock)},
		Token:           testToken,
		Logger:          slog.New(slog.NewJSONHandler(e.logBuf, nil)),
		Now:             e.clock,
	}
	if change != nil {
		change(&cfg)
	}
	e.srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// call sends a request to the server; body is marshalled unless it is a
// string or []byte.
func (e *testEnv) call(t testing.TB, method, path string, body any, headers ...string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, req)
	res := w.Result()
	out, _ := io.ReadAll(res.Body)
	return res, out
}

func auth() []string { return []string{"Authorization", "Bearer " + testToken} }

func (e *testEnv) credential(subject string, claims map[string]any) map[string]any {
	cs := map[string]any{"id": subject}
	for k, v := range claims {
		cs[k] = v
	}
	return map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2"},
		"type":              []any{"VerifiableCredential"},
		"issuer":            e.org.DID,
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": cs,
	}
}

// issue issues cred and returns the verifiableCredential member.
func (e *testEnv) issue(t testing.TB, cred map[string]any, options map[string]any) json.RawMessage {
	t.Helper()
	body := map[string]any{"credential": cred}
	if options != nil {
		body["options"] = options
	}
	res, out := e.call(t, "POST", "/credentials/issue", body, auth()...)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("issue: %d %s", res.StatusCode, out)
	}
	var got struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	return got.VerifiableCredential
}

// result decodes a verification answer.
func result(t testing.TB, out []byte) *verifier.Result {
	t.Helper()
	var r verifier.Result
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return &r
}

func checkStatus(r *verifier.Result, name string) verifier.Status {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Status
		}
	}
	return ""
}

func setStatus(t testing.TB, e *testEnv, id, purpose string, set bool) (*http.Response, []byte) {
	t.Helper()
	return e.call(t, "POST", "/credentials/status", map[string]any{
		"credentialId":     id,
		"credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": purpose},
		"status":           set,
	}, auth()...)
}

// problemOf decodes a problem document, checking its media type.
func problemOf(t testing.TB, res *http.Response, out []byte) problem {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != ProblemMediaType {
		t.Fatalf("Content-Type = %q, want %s; body %s", ct, ProblemMediaType, out)
	}
	var p problem
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != res.StatusCode || !strings.HasPrefix(p.Type, problemBase) || p.Title == "" || p.RequestID == "" {
		t.Fatalf("problem %+v for status %d", p, res.StatusCode)
	}
	return p
}

func TestIssueVerifyRevokeAndSuspendInEveryFormat(t *testing.T) {
	for _, f := range issuer.Formats() {
		t.Run(string(f), func(t *testing.T) {
			e := newTestEnv(t, f, nil)
			vc := e.issue(t, e.credential("did:example:sam", map[string]any{"name": "Sam Example"}), map[string]any{"credentialId": "hr-42"})
			verify := func() *verifier.Result {
				t.Helper()
				res, out := e.call(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": vc})
				r := result(t, out)
				if (res.StatusCode == http.StatusOK) != r.Verified {
					t.Fatalf("HTTP %d for verified=%v: %s", res.StatusCode, r.Verified, out)
				}
				if !r.Verified && res.StatusCode != http.StatusBadRequest {
					t.Fatalf("a credential that did not verify answered %d", res.StatusCode)
				}
				return r
			}
			if r := verify(); !r.Verified {
				t.Fatalf("issued credential does not verify: %+v", r.Checks)
			}
			wantFormat := "data-integrity/" + string(f)
			if f == issuer.FormatJWT {
				wantFormat = "vc+jwt"
			}
			if r := verify(); r.Format != wantFormat {
				t.Fatalf("format %q, want %q", r.Format, wantFormat)
			}

			// Suspend (by the caller's credentialId), then unsuspend.
			if res, out := setStatus(t, e, "hr-42", "suspension", true); res.StatusCode != http.StatusOK || !strings.Contains(string(out), `"suspended":true`) {
				t.Fatalf("suspend: %d %s", res.StatusCode, out)
			}
			if r := verify(); r.Verified || checkStatus(r, verifier.CheckStatus) != verifier.Failed {
				t.Fatalf("a suspended credential verifies: %+v", r.Checks)
			}
			if res, out := setStatus(t, e, "hr-42", "suspension", false); res.StatusCode != http.StatusOK {
				t.Fatalf("unsuspend: %d %s", res.StatusCode, out)
			}
			if r := verify(); !r.Verified {
				t.Fatalf("an unsuspended credential does not verify: %+v", r.Checks)
			}

			// Revoke, by the credential's own id this time.
			recs, err := e.reg.Find(context.Background(), registry.Target{IssuanceKey: issuanceKey("hr-42", "")})
			if err != nil {
				t.Fatal(err)
			}
			if res, out := setStatus(t, e, recs[0].CredentialID, "revocation", true); res.StatusCode != http.StatusOK {
				t.Fatalf("revoke: %d %s", res.StatusCode, out)
			}
			if r := verify(); r.Verified || checkStatus(r, verifier.CheckStatus) != verifier.Failed {
				t.Fatalf("a revoked credential verifies: %+v", r.Checks)
			}
			res, out := setStatus(t, e, "hr-42", "revocation", false)
			if res.StatusCode != http.StatusConflict {
				t.Fatalf("un-revoking answered %d %s", res.StatusCode, out)
			}
			problemOf(t, res, out)
			if res, out := setStatus(t, e, "hr-42", "suspension", true); res.StatusCode != http.StatusConflict {
				t.Fatalf("suspending a revoked credential answered %d %s", res.StatusCode, out)
			}
			// Issuing the same credentialId again does not hand it out.
			res, out = e.call(t, "POST", "/credentials/issue", map[string]any{
				"credential": e.credential("did:example:sam", map[string]any{"name": "Sam Example"}), "options": map[string]any{"credentialId": "hr-42"},
			}, auth()...)
			if res.StatusCode != http.StatusConflict || !strings.Contains(string(out), "revoked") {
				t.Fatalf("reissuing a revoked credential answered %d %s", res.StatusCode, out)
			}
		})
	}
}

func TestTheVCAPIOptionsTheSuitesSendAreAccepted(t *testing.T) {
	e := newTestEnv(t, issuer.FormatEdDSARDFC2022, nil)
	vc := e.issue(t, e.credential("did:example:sam", nil), map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry"}})
	if !strings.Contains(string(vc), `"statusPurpose":"revocation"`) {
		t.Fatalf("no status entry: %s", vc)
	}
	// checks asks for some checks: every check runs anyway.
	res, out := e.call(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": vc, "options": map[string]any{"checks": []string{"proof"}}})
	if r := result(t, out); res.StatusCode != http.StatusOK || checkStatus(r, verifier.CheckStatus) != verifier.Passed {
		t.Fatalf("verify with checks: %d %s", res.StatusCode, out)
	}
}

func TestAVCDM11CredentialIsRevocableOnlyWhenAsked(t *testing.T) {
	e := newTestEnv(t, issuer.FormatEdDSARDFC2022, nil)
	v11 := func() map[string]any {
		return map[string]any{
			"@context":          []any{"https://www.w3.org/2018/credentials/v1"},
			"type":              []any{"VerifiableCredential"},
			"issuer":            e.org.DID,
			"issuanceDate":      "2026-01-01T00:00:00Z",
			"credentialSubject": map[string]any{"id": "did:example:sam"},
		}
	}
	plain := e.issue(t, v11(), nil)
	if strings.Contains(string(plain), "credentialStatus") || strings.Contains(string(plain), "status/v1") || !strings.Contains(string(plain), "data-integrity/v2") {
		t.Fatalf("a 1.1 credential without options.credentialStatus: %s", plain)
	}
	asked := e.issue(t, v11(), map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry"}})
	if !strings.Contains(string(asked), `"statusPurpose":"revocation"`) || !strings.Contains(string(asked), "https://www.w3.org/ns/credentials/status/v1") {
		t.Fatalf("a 1.1 credential with options.credentialStatus: %s", asked)
	}
	for _, vc := range []json.RawMessage{plain, asked} {
		if res, out := e.call(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": vc}); res.StatusCode != http.StatusOK {
			t.Fatalf("verify: %d %s", res.StatusCode, out)
		}
	}
}

func TestIssuingAgainWithTheSameCredentialIDReturnsTheFirst(t *testing.T) {
	e := newTestEnv(t, issuer.FormatEdDSARDFC2022, nil)
	cred := e.credential("did:example:sam", map[string]any{"name": "Sam Example"})
	first := e.issue(t, cred, map[string]any{"credentialId": "x-1"})
	res, out := e.call(t, "POST", "/credentials/issue", map[string]any{"credential": cred, "options": map[string]any{"credentialId": "x-1"}}, auth()...)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(out), string(first)) {
		t.Fatalf("a repeat answered %d %s", res.StatusCode, out)
	}
	// Without a credentialId or id, each request is a new credential.
	a, b := e.issue(t, cred, nil), e.issue(t, cred, nil)
	if bytes.Equal(a, b) {
		t.Fatal("two requests without an id gave one credential")
	}
}

func TestIssueRefusesWhatItCannotIssue(t *testing.T) {
	e := newTestEnv(t, issuer.FormatEdDSARDFC2022, nil)
	good := func() map[string]any { return e.credential("did:example:sam", map[string]any{"name": "Sam"}) }
	cases := []struct {
		name   string
		body   any
		status int
		slug   string
	}{
		{"another issuer", map[string]any{"credential": func() map[string]any { c := good(); c["issuer"] = "did:web:other.nhs.uk"; return c }()}, 400, "cannot-issue"},
		{"a status already", map[string]any{"credential": func() map[string]any {
			c := good()
			c["credentialStatus"] = map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "1", "statusListCredential": "https://x.example/1"}
			return c
		}()}, 400, "cannot-issue"},
		{"an undefined term", map[string]any{"credential": func() map[string]any {
			c := good()
			c["credentialSubject"].(map[string]any)["favouriteColour"] = "blue"
			return c
		}()}, 400, "cannot-issue"},
		{"an unknown context", map[string]any{"credential": func() map[string]any {
			c := good()
			c["@context"] = []any{"https://www.w3.org/ns/credentials/v2", "https://example.com/unknown/v1"}
			return c
		}()}, 400, "cannot-issue"},
		{"not a credential", map[string]any{"credential": map[string]any{"hello": "world"}}, 400, "cannot-issue"},
		{"no credential", map[string]any{"options": map[string]any{}}, 400, "malformed-request"},
		{"a credential that is a string", map[string]any{"credential": "eyJ"}, 400, "malformed-request"},
		{"another status type asked", map[string]any{"credential": good(), "options": map[string]any{"credentialStatus": map[string]any{"type": "StatusList2021Entry"}}}, 400, "cannot-issue"},
		{"selective disclosure asked", map[string]any{"credential": good(), "options": map[string]any{"mandatoryPointers": []string{"/issuer"}}}, 400, "cannot-issue"},
		{"an unknown option", map[string]any{"credential": good(), "options": map[string]any{"proofType": "Ed25519Signature2020"}}, 400, "malformed-request"},
		{"an unknown member", map[string]any{"credential": good(), "extra": true}, 400, "malformed-request"},
		{"options of the wrong type", map[string]any{"credential": good(), "options": []any{}}, 400, "malformed-request"},
		{"not JSON", "{credential:", 400, "malformed-request"},
		{"a duplicate member", `{"credential": {}, "credential": {}}`, 400, "malformed-request"},
		{"an array", `[]`, 400, "malformed-request"},
		{"empty", ``, 400, "malformed-request"},
	}
	for _, c := range cases {
		res, out := e.call(t, "POST", "/credentials/issue", c.body, auth()...)
		if res.StatusCode != c.status {
			t.Errorf("%s: %d %s", c.name, res.StatusCode, out)
			continue
		}
		if p := problemOf(t, res, out); p.Type != problemBase+c.slug {
			t.Errorf("%s: problem %s (%s)", c.name, p.Type, p.Detail)
		}
	}
	// Nothing was reserved by a refused request.
	lists, err := e.reg.StatusLists(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lists {
		if l.Allocated != 0 {
			t.Fatalf("a refused request allocated %d entries of list %d", l.Allocated, l.ID)
		}
	}
	res, out := e.call(t, "POST", "/credentials/issue", `{"credential": {}}`, "Authorization", "Bearer "+testToken, "Content-Type", "text/plain")
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain answered %d %s", res.StatusCode, out)
	}
	problemOf(t, res, out)
}

func TestIssuingAndStatusChangesNeedAuthorisation(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, nil)
	vc := e.issue(t, e.credential("did:example:sam", nil), nil)
	cred := map[string]any{"credential": e.credential("did:example:sam", nil)}
	status := map[string]any{"credentialId": "x", "credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}, "status": true}
	for _, h := range [][]string{nil, {"Authorization", "Bearer wrong-token-0123456789"}, {"Authorization", testToken}, {"Authorization", "Basic " + testToken}} {
		for _, path := range []string{"/credentials/issue", "/credentials/status"} {
			body := any(cred)
			if path == "/credentials/status" {
				body = status
			}
			res, out := e.call(t, "POST", path, body, h...)
			if res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("%s with %v: %d %s", path, h, res.StatusCode, out)
			}
			if p := problemOf(t, res, out); p.Type != problemBase+"unauthorized" {
				t.Fatalf("problem %+v", p)
			}
		}
	}
	// Verification needs none.
	if res, out := e.call(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": vc}); res.StatusCode != http.StatusOK {
		t.Fatalf("verify without a token: %d %s", res.StatusCode, out)
	}

	// With no token and no client certificates configured, issuing is off.
	off := newTestEnv(t, issuer.FormatJWT, func(c *Config) { c.Token = "" })
	res, out := off.call(t, "POST", "/credentials/issue", cred, auth()...)
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("issuing without any auth configured: %d %s", res.StatusCode, out)
	}
	if p := problemOf(t, res, out); p.Type != problemBase+"issuing-disabled" {
		t.Fatalf("problem %+v", p)
	}
	data, _ := json.Marshal(off.credential("did:example:sam", nil))
	rec, _, err := issuer.IssueRecorded(context.Background(), off.reg, off.srv.cfg.Issuer.Signer, issuer.Issuance{Credential: data, Format: issuer.FormatJWT, Actor: "test"}, off.clock())
	if err != nil {
		t.Fatal(err)
	}
	if res, out := off.call(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": string(rec.Credential)}); res.StatusCode != http.StatusOK {
		t.Fatalf("verify on a server that does not issue: %d %s", res.StatusCode, out)
	}
	if _, err := New(Config{Token: "short"}); err == nil {
		t.Fatal("a short token was accepted")
	}
}

func TestOversizedBodiesAreRefused(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, func(c *Config) { c.MaxBodyBytes = 4096 })
	big := map[string]any{"verifiableCredential": map[string]any{"padding": strings.Repeat("x", 5000)}}
	for _, path := range []string{"/credentials/verify", "/presentations/verify", "/credentials/issue"} {
		res, out := e.call(t, "POST", path, big, auth()...)
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s: %d %s", path, res.StatusCode, out)
		}
		problemOf(t, res, out)
	}
}

func TestVerifyAnswersTheResultOrAProblem(t *testing.T) {
	e := newTestEnv(t, issuer.FormatEdDSARDFC2022, nil)
	vc := e.issue(t, e.credential("did:example:sam", map[string]any{"name": "Sam Example"}), nil)
	tampered := bytes.Replace(vc, []byte("Sam Example"), []byte("Sam Exemple"), 1)
	res, out := e.call(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": json.RawMessage(tampered)})
	if r := result(t, out); res.StatusCode != http.StatusBadRequest || r.Verified || checkStatus(r, verifier.CheckProof) != verifier.Failed {
		t.Fatalf("tampered: %d %s", res.StatusCode, out)
	}
	// Not a credential at all: 400 with the Result.
	res, out = e.call(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": map[string]any{"hello": "world"}})
	if r := result(t, out); res.StatusCode != http.StatusBadRequest || checkStatus(r, verifier.CheckSyntax) != verifier.Failed {
		t.Fatalf("not a credential: %d %s", res.StatusCode, out)
	}
	for name, body := range map[string]any{
		"missing":                map[string]any{},
		"null":                   `{"verifiableCredential": null}`,
		"a number":               `{"verifiableCredential": 7}`,
		"unknown":                map[string]any{"verifiableCredential": json.RawMessage(vc), "verbose": true},
		"bad options":            map[string]any{"verifiableCredential": json.RawMessage(vc), "options": map[string]any{"expectedProofPurpose": "authentication"}},
		"not JSON":               "nope",
		"deep":                   strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		"empty string":           `{"verifiableCredential": ""}`,
		"a document as a string": map[string]any{"verifiableCredential": string(vc)},
	} {
		res, out := e.call(t, "POST", "/credentials/verify", body)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, res.StatusCode, out)
			continue
		}
		problemOf(t, res, out)
	}
	// A server that trusts nothing does not verify.
	off := newTestEnv(t, issuer.FormatJWT, func(c *Config) { c.Trust = verifier.Trust{} })
	res, out = off.call(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": json.RawMessage(vc)})
	if res.StatusCode != http.StatusNotImplemented {
		t.Fatalf("verify without trust: %d %s", res.StatusCode, out)
	}
	problemOf(t, res, out)
}

// wallet is a member of staff's did:key.
func wallet(t testing.TB) keys.Signer {
	t.Helper()
	key, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	kid, err := didkey.KeyID(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(key, kid)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestChallengesAreSingleUseAndExpire(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, func(c *Config) { c.ChallengeTTL = time.Minute; c.MaxSpentChallenges = 3 })
	w := wallet(t)
	holderDID, _ := holder.Holder(w)
	vc := e.issue(t, e.credential(holderDID, map[string]any{"name": "Sam Example"}), nil)
	var env struct {
		ID string `json:"id"`
	}
	json.Unmarshal(vc, &env)
	token := strings.TrimPrefix(env.ID, "data:application/vc+jwt,")
	challenge := func() string {
		t.Helper()
		res, out := e.call(t, "POST", "/challenges", nil)
		var c struct{ Challenge, Expires string }
		if res.StatusCode != http.StatusOK || json.Unmarshal(out, &c) != nil || len(c.Challenge) < 40 {
			t.Fatalf("challenge: %d %s", res.StatusCode, out)
		}
		return c.Challenge
	}
	present := func(c string) []byte {
		t.Helper()
		vp, err := holder.Present([][]byte{[]byte(token)}, w, holder.Options{Format: issuer.FormatEdDSARDFC2022, Challenge: c, Domain: "https://bank.example", Created: e.clock()})
		if err != nil {
			t.Fatal(err)
		}
		return vp
	}
	verify := func(vp []byte, c string) (*http.Response, []byte) {
		return e.call(t, "POST", "/presentations/verify", map[string]any{
			"verifiablePresentation": json.RawMessage(vp), "options": map[string]any{"challenge": c, "domain": "https://bank.example"},
		})
	}
	c := challenge()
	vp := present(c)
	if res, out := verify(vp, c); res.StatusCode != http.StatusOK {
		t.Fatalf("first use: %d %s", res.StatusCode, out)
	}
	res, out := verify(vp, c)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("second use: %d %s", res.StatusCode, out)
	}
	if p := problemOf(t, res, out); p.Type != problemBase+"challenge-refused" || !strings.Contains(p.Detail, "used") {
		t.Fatalf("second use: %+v", p)
	}
	// Expired.
	c = challenge()
	vp = present(c)
	e.advance(2 * time.Minute)
	if res, out := verify(vp, c); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(out), "expired") {
		t.Fatalf("expired: %d %s", res.StatusCode, out)
	}
	// A challenge of the caller's own is the caller's to keep fresh.
	vp = present("callers-own-nonce")
	if res, out := verify(vp, "callers-own-nonce"); res.StatusCode != http.StatusOK {
		t.Fatalf("caller's own challenge: %d %s", res.StatusCode, out)
	}
	// Another challenge than the presentation's fails the challenge check,
	// and does not spend the challenge: nobody can burn a holder's
	// challenge by sending something else with it.
	c = challenge()
	res, out = verify(present("something else"), c)
	if r := result(t, out); res.StatusCode != http.StatusBadRequest || checkStatus(r, verifier.CheckChallenge) != verifier.Failed {
		t.Fatalf("wrong challenge: %d %s", res.StatusCode, out)
	}
	if res, out := e.call(t, "POST", "/presentations/verify", map[string]any{"verifiablePresentation": map[string]any{"junk": true}, "options": map[string]any{"challenge": c}}); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("junk: %d %s", res.StatusCode, out)
	}
	if res, out := verify(present(c), c); res.StatusCode != http.StatusOK {
		t.Fatalf("the holder's answer after junk was sent with its challenge: %d %s", res.StatusCode, out)
	}
	// A challenge in this server's form that it did not issue (another
	// instance's, one from before a restart, an altered one) is refused,
	// never taken for the caller's own.
	forged := challenge()
	forged = forged[:len(forged)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(forged, "AA")]
	if res, out := verify(present(forged), forged); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(out), "did not issue it") {
		t.Fatalf("a forged challenge: %d %s", res.StatusCode, out)
	}
	other := newTestEnv(t, issuer.FormatJWT, nil)
	res, out = other.call(t, "POST", "/challenges", nil)
	var oc struct{ Challenge string }
	json.Unmarshal(out, &oc)
	if res, out := verify(present(oc.Challenge), oc.Challenge); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(out), "did not issue it") {
		t.Fatalf("another instance's challenge: %d %s", res.StatusCode, out)
	}
	// At most MaxSpentChallenges are kept; issuing challenges stores
	// nothing, so there is no cap on them.
	for range 100 {
		challenge()
	}
	// One spent challenge is kept (the one answered after the junk): two
	// more fit.
	for range 2 {
		c = challenge()
		if res, out := verify(present(c), c); res.StatusCode != http.StatusOK {
			t.Fatalf("spending: %d %s", res.StatusCode, out)
		}
	}
	c = challenge()
	res, out = verify(present(c), c)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("too many spent challenges: %d %s", res.StatusCode, out)
	}
	problemOf(t, res, out)
	// Once they expire, there is room again.
	e.advance(2 * time.Minute)
	c = challenge()
	if res, out := verify(present(c), c); res.StatusCode != http.StatusOK {
		t.Fatalf("after the spent ones expired: %d %s", res.StatusCode, out)
	}
	// A presentation without a challenge fails (it could be a replay).
	res, out = e.call(t, "POST", "/presentations/verify", map[string]any{"verifiablePresentation": json.RawMessage(vp)})
	if r := result(t, out); res.StatusCode != http.StatusBadRequest || checkStatus(r, verifier.CheckChallenge) != verifier.Failed {
		t.Fatalf("no challenge: %d %s", res.StatusCode, out)
	}
}

func TestStatusListsAndDIDDocumentAreServed(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, nil)
	e.issue(t, e.credential("did:example:sam", nil), map[string]any{"credentialId": "a"})
	res, first := e.call(t, "GET", "/status/1", nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/vc+jwt" {
		t.Fatalf("status list: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), first)
	}
	// The served list verifies as the issuer's, and changes when a bit does.
	setStatus(t, e, "a", "revocation", true)
	_, second := e.call(t, "GET", "/status/1", nil)
	if bytes.Equal(first, second) {
		t.Fatal("the served list did not change after a revocation")
	}
	v, err := verifier.New(verifier.Trust{Issuers: []string{e.org.DID}, Resolver: e.srv.cfg.Trust.Resolver}, verifier.WithClock(e.clock))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := v.Verify(context.Background(), second, verifier.Policy{}); err != nil {
		t.Fatalf("the served status list does not verify: %v %+v", err, r.Checks)
	}
	if res, out := e.call(t, "GET", "/status/99", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown list: %d %s", res.StatusCode, out)
	}
	// The revocation list as a Token Status List, for SD-JWT VCs: signed by
	// the issuer, entry set; the suspension list has none.
	res, token := e.call(t, "GET", "/status/1.statuslist", nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/statuslist+jwt" {
		t.Fatalf("token status list: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), token)
	}
	payload, _, err := jose.VerifyDocument(token, status.TypeStatusListToken, jose.DefaultAlgorithms(), func(string) (crypto.PublicKey, error) {
		return e.srv.cfg.Issuer.Signer.Public(), nil
	}, 1<<22, 1<<22)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := status.ReadTokenList(payload)
	if err != nil || !strings.HasSuffix(tl.Subject, "/status/1.statuslist") {
		t.Fatalf("%v %+v", err, tl)
	}
	set := 0
	for i := range tl.Len() {
		if v, _ := tl.Status(i); v == status.TokenInvalid {
			set++
		}
	}
	if set != 1 {
		t.Fatalf("%d entries invalid, want 1", set)
	}
	if res, _ := e.call(t, "GET", "/status/2.statuslist", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("the suspension list as a token: %d", res.StatusCode)
	}
	if res, out := e.call(t, "HEAD", "/status/1", nil); res.StatusCode != http.StatusOK || len(out) != 0 {
		t.Fatalf("HEAD: %d %q", res.StatusCode, out)
	}
	res, out := e.call(t, "GET", "/.well-known/did.json", nil)
	doc, err := did.ParseDocument(out)
	if res.StatusCode != http.StatusOK || err != nil || doc.ID != e.org.DID {
		t.Fatalf("DID document: %d %v %s", res.StatusCode, err, out)
	}
	// A lists's change made by another process is served within seconds.
	e.issue(t, e.credential("did:example:kim", nil), map[string]any{"credentialId": "b"})
	_, before := e.call(t, "GET", "/status/1", nil)
	if _, err := e.reg.Revoke(context.Background(), registry.Target{IssuanceKey: issuanceKey("b", "")}, registry.Change{Actor: "cli"}); err != nil {
		t.Fatal(err)
	}
	e.advance(listRecheck + time.Second)
	if _, after := e.call(t, "GET", "/status/1", nil); bytes.Equal(before, after) {
		t.Fatal("a revocation made beside the server was not served")
	}
}

func TestUnknownPathsAndMethodsAnswerProblems(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, nil)
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/credentials/issue", 405},
		{"PUT", "/credentials/verify", 405},
		{"DELETE", "/status/1", 405},
		{"GET", "/nothing", 404},
		{"POST", "/", 404},
	} {
		res, out := e.call(t, c.method, c.path, nil)
		if res.StatusCode != c.status {
			t.Fatalf("%s %s: %d %s", c.method, c.path, res.StatusCode, out)
		}
		problemOf(t, res, out)
		if c.status == 405 && res.Header.Get("Allow") == "" {
			t.Fatalf("%s %s: no Allow header", c.method, c.path)
		}
	}
	if res, out := e.call(t, "GET", "/healthz", nil); res.StatusCode != http.StatusOK || !strings.Contains(string(out), `"status":"ok"`) {
		t.Fatalf("healthz: %d %s", res.StatusCode, out)
	}
}

func TestConcurrentIssuingNeverHandsOutAnIndexTwice(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, nil)
	const clients, each = 16, 8
	var wg sync.WaitGroup
	errs := make(chan string, clients*each)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				cred := e.credential("did:example:staff-"+string(rune('a'+c)), map[string]any{"name": strings.Repeat("n", i+1)})
				res, out := e.call(t, "POST", "/credentials/issue", map[string]any{"credential": cred}, auth()...)
				if res.StatusCode != http.StatusCreated {
					errs <- string(out)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[[2]int64]bool{}
	n := 0
	for c := range clients {
		recs, err := e.reg.Find(context.Background(), registry.Target{Subject: "did:example:staff-" + string(rune('a'+c)), Type: "VerifiableCredential"})
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			for _, a := range rec.Status {
				k := [2]int64{a.ListID, int64(a.Index)}
				if seen[k] {
					t.Fatalf("index %d of list %d handed out twice", a.Index, a.ListID)
				}
				seen[k] = true
				n++
			}
		}
	}
	if n != clients*each*2 {
		t.Fatalf("%d status entries for %d credentials", n, clients*each)
	}
}

func TestTheLogHoldsNoCredentialContentsTokensOrKeys(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, nil)
	cred := e.credential("did:example:sam-secret-subject", map[string]any{"name": "Samantha Unforgettable"})
	vc := e.issue(t, cred, map[string]any{"credentialId": "hr-007"})
	e.call(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": vc})
	setStatus(t, e, "hr-007", "revocation", true)
	e.call(t, "POST", "/credentials/issue", map[string]any{"credential": cred}, "Authorization", "Bearer wrong-token-0123456789")
	log := e.logBuf.String()
	for _, secret := range []string{"Samantha", "sam-secret-subject", testToken, "wrong-token", "eyJ", `"d":`} {
		if strings.Contains(log, secret) {
			t.Fatalf("the log holds %q:\n%s", secret, log)
		}
	}
	for _, want := range []string{`"route":"/credentials/issue"`, `"status":201`, `"credential_id":"urn:uuid:`, `"actor":"bearer token"`, `"verified":true`, `"status":401`} {
		if !strings.Contains(log, want) {
			t.Fatalf("the log lacks %s:\n%s", want, log)
		}
	}
}
