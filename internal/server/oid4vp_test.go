package server

import (
	"crypto"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc/staff"
)

// receive runs the OpenID4VCI flow for an offer of a DBS check and returns
// the SD-JWT VC, about wallet's key.
func (e *testEnv) receive(t *testing.T, wallet keys.Signer) string {
	t.Helper()
	return e.redeem(t, e.offer(t, false).ID, wallet)
}

// redeem runs the wallet's side of the OpenID4VCI flow for the offer id
// and returns the SD-JWT VC, about wallet's key.
func (e *testEnv) redeem(t *testing.T, id string, wallet keys.Signer) string {
	t.Helper()
	_, offerJSON := e.call(t, "GET", "/offers/"+id, nil)
	var offer map[string]any
	json.Unmarshal(offerJSON, &offer)
	code := offer["grants"].(map[string]any)[grantPreAuthorized].(map[string]any)["pre-authorized_code"].(string)
	_, tok := e.form(t, "/token", url.Values{"grant_type": {grantPreAuthorized}, "pre-authorized_code": {code}})
	_, out := e.call(t, "POST", "/nonce", nil)
	var n map[string]string
	json.Unmarshal(out, &n)
	res, cred := e.call(t, "POST", "/credential", map[string]any{"credential_configuration_id": staff.TypeDBSCheck,
		"proofs": map[string]any{"jwt": []string{walletProof(t, wallet, publicURL, n["c_nonce"], e.clock(), proofType)}}},
		"Authorization", "Bearer "+tok["access_token"].(string))
	var m struct {
		Credentials []struct {
			Credential string `json:"credential"`
		} `json:"credentials"`
	}
	if json.Unmarshal(cred, &m); res.StatusCode != 200 || len(m.Credentials) != 1 {
		t.Fatalf("credential: %d %s", res.StatusCode, cred)
	}
	return m.Credentials[0].Credential
}

const porterRole = `{"role": "porter", "title": "Porter", "requirements": {"dbsCheck": {"minLevel": "enhanced", "workforce": "adult"}}}`

// vpRequest creates a presentation request for porterRole and returns its
// id and its request object's claims.
func (e *testEnv) vpRequest(t *testing.T) (string, map[string]any) {
	t.Helper()
	res, out := e.call(t, "POST", "/openid4vp/requests", map[string]any{"role": json.RawMessage(porterRole)}, auth()...)
	var created map[string]string
	json.Unmarshal(out, &created)
	if res.StatusCode != http.StatusCreated || !strings.HasPrefix(created["request_uri"], "openid4vp://?client_id=decentralized_identifier%3Adid%3Aweb%3Akch.nhs.uk&request_uri=") {
		t.Fatalf("request: %d %s", res.StatusCode, out)
	}
	res, jar := e.call(t, "GET", "/openid4vp/requests/"+created["id"], nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/oauth-authz-req+jwt" {
		t.Fatalf("request object: %d %s", res.StatusCode, jar)
	}
	payload, kid, err := jose.VerifyDocument(jar, vpRequestTyp, jose.DefaultAlgorithms(), func(string) (crypto.PublicKey, error) {
		return e.srv.cfg.Issuer.Signer.Public(), nil
	}, 1<<20, 1<<20)
	if err != nil || !strings.HasPrefix(kid, "did:web:kch.nhs.uk#") {
		t.Fatalf("request object: %v %s", err, kid)
	}
	var claims map[string]any
	json.Unmarshal(payload, &claims)
	return created["id"], claims
}

func (e *testEnv) answer(t *testing.T, id, state string, token map[string][]string) (*http.Response, map[string]any) {
	t.Helper()
	vp, _ := json.Marshal(token)
	return e.form(t, "/openid4vp/responses/"+id, url.Values{"vp_token": {string(vp)}, "state": {state}})
}

func (e *testEnv) result(t *testing.T, id string) map[string]any {
	t.Helper()
	res, out := e.call(t, "GET", "/openid4vp/results/"+id, nil, auth()...)
	var m map[string]any
	if json.Unmarshal(out, &m); res.StatusCode != 200 {
		t.Fatalf("result: %d %s", res.StatusCode, out)
	}
	return m
}

func TestOpenID4VPRoleVerdict(t *testing.T) {
	e := newWalletEnv(t)
	wallet := walletSigner(t)
	cred := e.receive(t, wallet)
	id, claims := e.vpRequest(t)
	if claims["client_id"] != "decentralized_identifier:did:web:kch.nhs.uk" || claims["response_mode"] != "direct_post" ||
		claims["response_uri"] != publicURL+"/openid4vp/responses/"+id || claims["nonce"] == "" {
		t.Fatalf("request claims %v", claims)
	}
	q, _ := json.Marshal(claims["dcql_query"])
	if !strings.Contains(string(q), `"vct_values":["`+staff.VCT(staff.TypeDBSCheck)+`"]`) || !strings.Contains(string(q), `"id":"dbs-check"`) {
		t.Fatalf("dcql %s", q)
	}
	if r := e.result(t, id); r["status"] != "pending" {
		t.Fatalf("before the answer: %v", r)
	}
	present := func(nonce, aud string) string {
		p, err := sdjwt.Present(cred, func(string) bool { return false }, &sdjwt.KeyBinding{Signer: wallet, Audience: aud, Nonce: nonce, IssuedAt: e.clock()})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	state, nonce, clientID := claims["state"].(string), claims["nonce"].(string), claims["client_id"].(string)
	if res, m := e.answer(t, id, "another state", map[string][]string{"dbs-check": {present(nonce, clientID)}}); res.StatusCode != 400 {
		t.Fatalf("another state: %d %v", res.StatusCode, m)
	}
	if res, m := e.answer(t, id, state, map[string][]string{"dbs-check": {present(nonce, clientID)}}); res.StatusCode != 200 {
		t.Fatalf("answer: %d %v", res.StatusCode, m)
	}
	r := e.result(t, id)
	verdict, _ := r["verdict"].(map[string]any)
	if r["status"] != "answered" || verdict["met"] != true {
		t.Fatalf("result %v", r)
	}
	if res, _ := e.answer(t, id, state, map[string][]string{"dbs-check": {present(nonce, clientID)}}); res.StatusCode != 400 {
		t.Fatalf("answered twice: %d", res.StatusCode)
	}
	if res, _ := e.call(t, "GET", "/openid4vp/results/"+id, nil); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the result without the token: %d", res.StatusCode)
	}
	if strings.Contains(e.logBuf.String(), "001234567890") || !strings.Contains(e.logBuf.String(), `"msg":"presentation verdict"`) {
		t.Fatal("the log holds the number, or no verdict")
	}

	// Presentations for another request's nonce, or another verifier, do
	// not count: the role is not met.
	for name, p := range map[string]string{
		"another nonce":    present("another nonce", clientID),
		"another verifier": present(nonce, "decentralized_identifier:did:web:evil.example"),
	} {
		id2, claims2 := e.vpRequest(t)
		if name == "another verifier" {
			p = present(claims2["nonce"].(string), "decentralized_identifier:did:web:evil.example")
		}
		e.answer(t, id2, claims2["state"].(string), map[string][]string{"dbs-check": {p}})
		r := e.result(t, id2)
		if v, _ := r["verdict"].(map[string]any); v["met"] != false {
			t.Errorf("%s: %v", name, r)
		}
	}
	// An answer to a query the request did not make.
	id3, claims3 := e.vpRequest(t)
	e.answer(t, id3, claims3["state"].(string), map[string][]string{"identity-check": {present(claims3["nonce"].(string), clientID)}})
	if r := e.result(t, id3); r["failure"] == nil {
		t.Errorf("an unasked query: %v", r)
	}
}

// Without a did:web organisation to sign with, a request's parameters
// travel in its URI, its client_id the redirect_uri: of its response URI.
func TestOpenID4VPRequestByValue(t *testing.T) {
	e := newTestEnv(t, "jwt", func(c *Config) { c.PublicURL = publicURL; c.Issuer = nil })
	res, out := e.call(t, "POST", "/openid4vp/requests", map[string]any{"role": json.RawMessage(porterRole)}, auth()...)
	var created map[string]string
	json.Unmarshal(out, &created)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s", res.StatusCode, out)
	}
	u, err := url.Parse(created["request_uri"])
	if err != nil || u.Scheme != "openid4vp" {
		t.Fatalf("%v %s", err, created["request_uri"])
	}
	q := u.Query()
	responseURI := publicURL + "/openid4vp/responses/" + created["id"]
	if q.Get("client_id") != "redirect_uri:"+responseURI || q.Get("response_uri") != responseURI || q.Get("nonce") == "" ||
		!strings.Contains(q.Get("dcql_query"), `"dbs-check"`) || q.Get("request_uri") != "" {
		t.Fatalf("parameters %v", q)
	}
	// There is no request object to fetch.
	if res, _ := e.call(t, "GET", "/openid4vp/requests/"+created["id"], nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("request object: %d", res.StatusCode)
	}
	// A bad role is refused, and so is a request without the token.
	if res, _ := e.call(t, "POST", "/openid4vp/requests", map[string]any{"role": json.RawMessage(`{"role": "x"}`)}, auth()...); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad role: %d", res.StatusCode)
	}
	if res, _ := e.call(t, "POST", "/openid4vp/requests", map[string]any{"role": json.RawMessage(porterRole)}); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %d", res.StatusCode)
	}
}
