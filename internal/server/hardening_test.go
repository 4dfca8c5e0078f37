package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/verifier"
)

// Each test here closes a way around what an endpoint promises, found by
// an audit of the server.

func TestEachVerifyEndpointTakesOnlyItsKind(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, nil)
	w := wallet(t)
	holderDID, _ := holder.Holder(w)
	vc := e.issue(t, e.credential(holderDID, nil), nil)
	var env struct{ ID string }
	json.Unmarshal(vc, &env)
	token := strings.TrimPrefix(env.ID, "data:application/vc+jwt,")
	res, out := e.call(t, "POST", "/challenges", nil)
	var c struct{ Challenge string }
	json.Unmarshal(out, &c)
	vp, err := holder.Present([][]byte{[]byte(token)}, w, holder.Options{Format: issuer.FormatJWT, Challenge: c.Challenge, Domain: "https://bank.example", Created: e.clock()})
	if err != nil {
		t.Fatal(err)
	}
	opts := map[string]any{"challenge": c.Challenge, "domain": "https://bank.example"}
	// A credential alone proves nothing about who presents it.
	for _, body := range []map[string]any{
		{"verifiablePresentation": vc, "options": opts},
		{"verifiablePresentation": token, "options": opts},
		{"presentation": vc, "options": opts},
	} {
		res, out := e.call(t, "POST", "/presentations/verify", body)
		if p := problemOf(t, res, out); res.StatusCode != http.StatusBadRequest || p.Type != problemBase+"wrong-kind" {
			t.Fatalf("a credential as a presentation: %d %s", res.StatusCode, out)
		}
	}
	// A presentation on the credential endpoint is refused, and does not
	// spend (or get around) the challenge.
	res, out = e.call(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": string(vp), "options": opts})
	if p := problemOf(t, res, out); res.StatusCode != http.StatusBadRequest || p.Type != problemBase+"wrong-kind" {
		t.Fatalf("a presentation as a credential: %d %s", res.StatusCode, out)
	}
	for i, want := range []int{http.StatusOK, http.StatusBadRequest} {
		res, out := e.call(t, "POST", "/presentations/verify", map[string]any{"verifiablePresentation": string(vp), "options": opts})
		if res.StatusCode != want {
			t.Fatalf("presentation, use %d: %d %s", i+1, res.StatusCode, out)
		}
	}
}

func TestMemberNamesAreMatchedExactly(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, nil)
	good := e.credential("did:example:sam", nil)
	bad := e.credential("did:example:mallory", nil)
	body, _ := json.Marshal(map[string]any{"credential": good, "Credential": bad})
	res, out := e.call(t, "POST", "/credentials/issue", body, auth()...)
	if p := problemOf(t, res, out); res.StatusCode != http.StatusBadRequest || !strings.Contains(p.Detail, `"Credential"`) {
		t.Fatalf("a member name in another case: %d %s", res.StatusCode, out)
	}
	vc := e.issue(t, good, nil)
	body, _ = json.Marshal(map[string]any{"verifiableCredential": map[string]any{"junk": 1}, "VERIFIABLECREDENTIAL": vc})
	if res, out := e.call(t, "POST", "/credentials/verify", body); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(out), "unknown member") {
		t.Fatalf("verify with a member name in another case: %d %s", res.StatusCode, out)
	}
	body, _ = json.Marshal(map[string]any{"credential": good, "options": map[string]any{"CredentialId": "x"}})
	if res, out := e.call(t, "POST", "/credentials/issue", body, auth()...); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(out), `options.\"CredentialId\"`) {
		t.Fatalf("an option in another case: %d %s", res.StatusCode, out)
	}
}

func TestABodyMustBeDeclaredJSONInUTF8(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, nil)
	body, _ := json.Marshal(map[string]any{"credential": e.credential("did:example:sam", nil)})
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16", "multipart/form-data; boundary=x"} {
		res, out := e.call(t, "POST", "/credentials/issue", string(body), "Authorization", "Bearer "+testToken, "Content-Type", ct)
		if res.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("Content-Type %q: %d %s", ct, res.StatusCode, out)
		}
	}
	for _, ct := range []string{"application/json", "application/json; charset=UTF-8", "application/ld+json"} {
		if res, out := e.call(t, "POST", "/credentials/issue", string(body), "Authorization", "Bearer "+testToken, "Content-Type", ct); res.StatusCode != http.StatusCreated {
			t.Fatalf("Content-Type %q: %d %s", ct, res.StatusCode, out)
		}
	}
}

func TestAuthorizationHeaderEdges(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, nil)
	body := map[string]any{"credential": e.credential("did:example:sam", nil)}
	if res, out := e.call(t, "POST", "/credentials/issue", body, "Authorization", "bearer "+testToken); res.StatusCode != http.StatusCreated {
		t.Fatalf("the scheme in lower case (RFC 9110: case-insensitive): %d %s", res.StatusCode, out)
	}
	// Two Authorization headers: refused, whichever is right.
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", "/credentials/issue", strings.NewReader(string(data)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("Authorization", "Bearer "+testToken)
	req.Header.Add("Authorization", "Bearer wrong-token-0123456789")
	rec := newRecorder()
	e.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("two Authorization headers: %d", rec.Code)
	}
	// A page of another site cannot make the browser issue or revoke.
	if res, out := e.call(t, "POST", "/credentials/issue", body, "Authorization", "Bearer "+testToken, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site: %d %s", res.StatusCode, out)
	}
}

func TestIDsNameOneCredential(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, nil)
	// B issues under credentialId X; A's credential may not take X as id.
	e.issue(t, e.credential("did:example:bea", nil), map[string]any{"credentialId": "https://ids.example/X"})
	a := e.credential("did:example:al", nil)
	a["id"] = "https://ids.example/X"
	res, out := e.call(t, "POST", "/credentials/issue", map[string]any{"credential": a}, auth()...)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("an id that is another's credentialId: %d %s", res.StatusCode, out)
	}
	// And the other way round.
	c := e.credential("did:example:cy", nil)
	c["id"] = "https://ids.example/Y"
	e.issue(t, c, nil)
	res, out = e.call(t, "POST", "/credentials/issue", map[string]any{"credential": e.credential("did:example:di", nil), "options": map[string]any{"credentialId": "https://ids.example/Y"}}, auth()...)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("a credentialId that is another's id: %d %s", res.StatusCode, out)
	}
	// The conflict does not tell whose the other credential is.
	if strings.Contains(string(out), "did:example:cy") {
		t.Fatalf("the conflict names another credential's subject: %s", out)
	}
	// A repeat with other claims does not get the first credential.
	first := e.issue(t, e.credential("did:example:sam", map[string]any{"name": "Sam"}), map[string]any{"credentialId": "Z"})
	res, out = e.call(t, "POST", "/credentials/issue", map[string]any{"credential": e.credential("did:example:sam", map[string]any{"name": "Samuel"}), "options": map[string]any{"credentialId": "Z"}}, auth()...)
	if res.StatusCode != http.StatusConflict || strings.Contains(string(out), string(first)) {
		t.Fatalf("a repeat with other claims: %d %s", res.StatusCode, out)
	}
	res, out = e.call(t, "POST", "/credentials/issue", map[string]any{"credential": e.credential("did:example:sam", map[string]any{"name": "Sam"}), "options": map[string]any{"credentialId": "Z"}}, auth()...)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("a true repeat: %d %s", res.StatusCode, out)
	}
	if res, out := e.call(t, "POST", "/credentials/issue", map[string]any{"credential": e.credential("did:example:sam", nil), "options": map[string]any{"credentialId": strings.Repeat("x", 3000)}}, auth()...); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a huge credentialId: %d %s", res.StatusCode, out)
	}
}

func TestARevocationByAnotherProcessIsSeenWithinTheRecheck(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, nil)
	vc := e.issue(t, e.credential("did:example:sam", nil), map[string]any{"credentialId": "k"})
	verify := func() *verifier.Result {
		_, out := e.call(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": vc})
		return result(t, out)
	}
	if !verify().Verified {
		t.Fatal("does not verify")
	}
	recs, _ := e.reg.Find(t.Context(), registry.Target{IssuanceKey: issuanceKey("k", "")})
	if _, err := e.reg.Revoke(t.Context(), registry.Target{CredentialID: recs[0].CredentialID}, registry.Change{Actor: "cli"}); err != nil {
		t.Fatal(err)
	}
	e.advance(listRecheck + time.Second)
	if verify().Verified {
		t.Fatal("a revocation made by another process is not seen after the recheck")
	}
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func TestAStatusChangeThatCouldNameTwoCredentialsChangesNothing(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, nil)
	// Made beside the server (the CLI, say): one credential whose id is W,
	// one issued under the credentialId W.
	signer := e.srv.cfg.Issuer.Signer
	a := e.credential("did:example:al", nil)
	a["id"] = "https://ids.example/W"
	for _, is := range []issuer.Issuance{
		{Credential: mustJSON(a), Format: issuer.FormatJWT, Actor: "cli"},
		{Credential: mustJSON(e.credential("did:example:bea", nil)), Key: issuanceKey("https://ids.example/W", ""), Format: issuer.FormatJWT, Actor: "cli"},
	} {
		if _, _, err := issuer.IssueRecorded(t.Context(), e.reg, signer, is, e.clock()); err != nil {
			t.Fatal(err)
		}
	}
	res, out := setStatus(t, e, "https://ids.example/W", "revocation", true)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("an ambiguous status change: %d %s", res.StatusCode, out)
	}
	for _, subject := range []string{"did:example:al", "did:example:bea"} {
		recs, _ := e.reg.Find(t.Context(), registry.Target{Subject: subject, Type: "VerifiableCredential"})
		if recs[0].Revoked {
			t.Fatalf("%s was revoked by an ambiguous request", subject)
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
