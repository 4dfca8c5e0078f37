package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
)

// audit3Code fetches an offer's pre-authorized code.
func audit3Code(t *testing.T, e *testEnv, id string) string {
	t.Helper()
	res, out := e.call(t, "GET", "/offers/"+id, nil)
	if res.StatusCode != 200 {
		t.Fatalf("offer %d %s", res.StatusCode, out)
	}
	var offer map[string]any
	json.Unmarshal(out, &offer)
	return offer["grants"].(map[string]any)[grantPreAuthorized].(map[string]any)["pre-authorized_code"].(string)
}

func audit3Nonce(t *testing.T, e *testEnv) string {
	t.Helper()
	_, out := e.call(t, "POST", "/nonce", nil)
	var n map[string]string
	json.Unmarshal(out, &n)
	return n["c_nonce"]
}

func audit3Token(t *testing.T, e *testEnv, code, tx string) string {
	t.Helper()
	v := url.Values{"grant_type": {grantPreAuthorized}, "pre-authorized_code": {code}}
	if tx != "" {
		v.Set("tx_code", tx)
	}
	res, m := e.form(t, "/token", v)
	tok, _ := m["access_token"].(string)
	if res.StatusCode != 200 || tok == "" {
		t.Fatalf("token %d %v", res.StatusCode, m)
	}
	return tok
}

func audit3Credential(t *testing.T, e *testEnv, token, proof string) (*http.Response, map[string]any) {
	t.Helper()
	res, out := e.call(t, "POST", "/credential", map[string]any{"credential_configuration_id": staff.TypeDBSCheck,
		"proofs": map[string]any{"jwt": []string{proof}}}, "Authorization", "Bearer "+token)
	var m map[string]any
	json.Unmarshal(out, &m)
	return res, m
}

// Two credential requests with one access token at once (a wallet that
// retries, or an attacker racing the wallet with a stolen token): exactly
// one gets the credential and the other a 4xx; none may answer 500.
func TestAudit3ConcurrentCredentialRequestsWithOneToken(t *testing.T) {
	e := newWalletEnv(t)
	wallet := walletSigner(t)
	for round := 0; round < 10; round++ {
		cells := dbsCells(e)
		cells["staff_id"] = "E" + string(rune('A'+round))
		o, err := issuer.CreateOffer(t.Context(), e.reg, registry.OfferRequest{Type: staff.TypeDBSCheck, Cells: cells, Format: string(issuer.FormatSDJWT),
			IssuerURL: publicURL, Actor: "hr", Now: e.clock()})
		if err != nil {
			t.Fatal(err)
		}
		token := audit3Token(t, e, audit3Code(t, e, o.ID), "")
		const n = 6
		proofs := make([]string, n)
		for i := range proofs {
			proofs[i] = walletProof(t, wallet, publicURL, audit3Nonce(t, e), e.clock(), proofType)
		}
		statuses := make([]int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res, _ := audit3Credential(t, e, token, proofs[i])
				statuses[i] = res.StatusCode
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, s := range statuses {
			if s == 200 {
				ok++
			}
			if s >= 500 {
				t.Fatalf("round %d: a concurrent credential request with the same token answered %d (all: %v); log: %s", round, s, statuses, e.logBuf.String())
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d credentials for one token (%v)", round, ok, statuses)
		}
	}
}

// An offer made for another --issuer-url is not served at /offers/{id} by
// this server; its pre-authorized code must not be redeemed here either.
func TestAudit3OfferOfAnotherIssuerURLIsNotRedeemed(t *testing.T) {
	e := newWalletEnv(t)
	o, err := issuer.CreateOffer(t.Context(), e.reg, registry.OfferRequest{Type: staff.TypeDBSCheck, Cells: dbsCells(e), Format: string(issuer.FormatSDJWT),
		IssuerURL: "https://other.example", Actor: "hr", Now: e.clock()})
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := e.call(t, "GET", "/offers/"+o.ID, nil); res.StatusCode != 404 {
		t.Fatalf("offer of another issuer served: %d", res.StatusCode)
	}
	// The code, as the other server's /offers/{id} hands it out.
	code := audit3OfferCode(t, e, o.ID)
	res, m := e.form(t, "/token", url.Values{"grant_type": {grantPreAuthorized}, "pre-authorized_code": {code}})
	if res.StatusCode == 200 {
		tok := m["access_token"].(string)
		res, cred := audit3Credential(t, e, tok, walletProof(t, walletSigner(t), publicURL, audit3Nonce(t, e), e.clock(), proofType))
		t.Fatalf("the code of an offer for https://other.example was redeemed at %s, and /credential answered %d %v", publicURL, res.StatusCode, cred != nil)
	}
}

// audit3OfferCode reads an offer's code from the registry (as the server
// at the offer's own URL serves it).
func audit3OfferCode(t *testing.T, e *testEnv, id string) string {
	t.Helper()
	off, err := e.reg.OpenOffer(t.Context(), id, e.clock())
	if err != nil {
		t.Fatal(err)
	}
	return off.Code
}

// The token response says expires_in 300; a token redeemed a minute before
// the offer expires must still be good 30 s after.
func TestAudit3TokenOutlivesOfferExpiry(t *testing.T) {
	e := newWalletEnv(t)
	o, err := issuer.CreateOffer(t.Context(), e.reg, registry.OfferRequest{Type: staff.TypeDBSCheck, Cells: dbsCells(e), Format: string(issuer.FormatSDJWT),
		IssuerURL: publicURL, Actor: "hr", Now: e.clock(), ValidFor: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	code := audit3Code(t, e, o.ID)
	e.advance(59 * time.Minute)
	token := audit3Token(t, e, code, "")
	e.advance(90 * time.Second) // within the token's expires_in of 300
	res, m := audit3Credential(t, e, token, walletProof(t, walletSigner(t), publicURL, audit3Nonce(t, e), e.clock(), proofType))
	if res.StatusCode != 200 {
		t.Fatalf("a token %v after it was issued with expires_in 300: %d %v", 90*time.Second, res.StatusCode, m)
	}
}

// Malformed key proofs are refused with 400, never 500 or a panic, and
// never issue.
func TestAudit3MalformedKeyProofs(t *testing.T) {
	e := newWalletEnv(t)
	wallet := walletSigner(t)
	jwk, _ := keys.MarshalPublicJWK(wallet.Public())
	other := walletSigner(t)
	otherJWK, _ := keys.MarshalPublicJWK(other.Public())
	priv := map[string]any{}
	json.Unmarshal(jwk, &priv)
	priv["d"] = "AAAA"
	privJWK, _ := json.Marshal(priv)
	mk := func(header map[string]any, claims map[string]any) string {
		h, _ := json.Marshal(header)
		c, _ := json.Marshal(claims)
		return signRawJWS(t, wallet, h, c)
	}
	now := e.clock().Unix()
	for name, proof := range map[string]func(n string) string{
		"alg none": func(n string) string {
			p := mk(map[string]any{"alg": "none", "typ": proofType, "jwk": json.RawMessage(jwk)}, map[string]any{"aud": publicURL, "nonce": n, "iat": now})
			return p[:strings.LastIndexByte(p, '.')+1]
		},
		"HS256": func(n string) string {
			return mk(map[string]any{"alg": "HS256", "typ": proofType, "jwk": json.RawMessage(jwk)}, map[string]any{"aud": publicURL, "nonce": n, "iat": now})
		},
		"jwk of another key": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "jwk": json.RawMessage(otherJWK)}, map[string]any{"aud": publicURL, "nonce": n, "iat": now})
		},
		"private jwk": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "jwk": json.RawMessage(privJWK)}, map[string]any{"aud": publicURL, "nonce": n, "iat": now})
		},
		"jwk null": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "jwk": nil}, map[string]any{"aud": publicURL, "nonce": n, "iat": now})
		},
		"jwk string": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "jwk": "x"}, map[string]any{"aud": publicURL, "nonce": n, "iat": now})
		},
		"kid did:web": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "kid": "did:web:evil.example#0"}, map[string]any{"aud": publicURL, "nonce": n, "iat": now})
		},
		"kid did:key bare": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "kid": "did:key:"}, map[string]any{"aud": publicURL, "nonce": n, "iat": now})
		},
		"kid did:jwk junk": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "kid": "did:jwk:e30"}, map[string]any{"aud": publicURL, "nonce": n, "iat": now})
		},
		"x5c": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "x5c": []string{"MIIB"}}, map[string]any{"aud": publicURL, "nonce": n, "iat": now})
		},
		"jwk and x5c": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "jwk": json.RawMessage(jwk), "x5c": []string{"MIIB"}}, map[string]any{"aud": publicURL, "nonce": n, "iat": now})
		},
		"iat an hour ahead": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "jwk": json.RawMessage(jwk)}, map[string]any{"aud": publicURL, "nonce": n, "iat": now + 3600})
		},
		"iat huge": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "jwk": json.RawMessage(jwk)}, map[string]any{"aud": publicURL, "nonce": n, "iat": int64(1) << 62})
		},
		"iat string": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "jwk": json.RawMessage(jwk)}, map[string]any{"aud": publicURL, "nonce": n, "iat": "now"})
		},
		"aud array without us": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "jwk": json.RawMessage(jwk)}, map[string]any{"aud": []any{"https://x", 3}, "nonce": n, "iat": now})
		},
		"aud object": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "jwk": json.RawMessage(jwk)}, map[string]any{"aud": map[string]any{"a": publicURL}, "nonce": n, "iat": now})
		},
		"no nonce": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "jwk": json.RawMessage(jwk)}, map[string]any{"aud": publicURL, "iat": now})
		},
		"claims array": func(n string) string {
			return mk(map[string]any{"alg": "ES256", "typ": proofType, "jwk": json.RawMessage(jwk)}, map[string]any{"aud": publicURL, "nonce": []int{1}, "iat": now})
		},
		"header not JSON": func(n string) string { return "eyJ.e30.AA" },
		"empty":           func(n string) string { return "" },
		"two dots":        func(n string) string { return ".." },
	} {
		t.Run(name, func(t *testing.T) {
			o := e.offer(t, false)
			token := audit3Token(t, e, audit3Code(t, e, o.ID), "")
			res, m := audit3Credential(t, e, token, proof(audit3Nonce(t, e)))
			if res.StatusCode != 400 {
				t.Fatalf("%d %v", res.StatusCode, m)
			}
		})
	}
}

// A credential request that cannot be issued logs why; the log must not
// hold the offer's cells (here the staff_id, an identifier of the member
// of staff) any more than a successful one does.
func TestAudit3RefusedCredentialLogsNoCells(t *testing.T) {
	e := newWalletEnv(t)
	cells := dbsCells(e)
	cells["staff_id"] = "STAFF-SECRET-4711"
	mk := func() string {
		o, err := issuer.CreateOffer(t.Context(), e.reg, registry.OfferRequest{Type: staff.TypeDBSCheck, Cells: cells, Format: string(issuer.FormatSDJWT),
			IssuerURL: publicURL, Actor: "hr", Now: e.clock()})
		if err != nil {
			t.Fatal(err)
		}
		return audit3Token(t, e, audit3Code(t, e, o.ID), "")
	}
	first, second := mk(), mk() // HR offered the row twice
	if res, m := audit3Credential(t, e, first, walletProof(t, walletSigner(t), publicURL, audit3Nonce(t, e), e.clock(), proofType)); res.StatusCode != 200 {
		t.Fatalf("%d %v", res.StatusCode, m)
	}
	if strings.Contains(e.logBuf.String(), "STAFF-SECRET-4711") {
		t.Fatal("the successful request logged the staff_id")
	}
	res, m := audit3Credential(t, e, second, walletProof(t, walletSigner(t), publicURL, audit3Nonce(t, e), e.clock(), proofType))
	if res.StatusCode != 400 {
		t.Fatalf("%d %v", res.StatusCode, m)
	}
	// As POST /credentials/issue does (issueError), the details of a
	// conflict, which name another subject's credential, go to the log,
	// not to the client.
	if d, _ := m["error_description"].(string); strings.Contains(d, "urn:uuid:") {
		t.Errorf("the wallet is told of another subject's credential: %q", d)
	}
	if strings.Contains(e.logBuf.String(), "STAFF-SECRET-4711") {
		t.Fatalf("the refused request logged the offer's staff_id: %s", e.logBuf.String())
	}
}

// A c_nonce spent by a key proof is spent as a presentation challenge too,
// and a challenge from POST /challenges spent as a c_nonce.
func TestAudit3NonceAndChallengeShareOneSpend(t *testing.T) {
	e := newWalletEnv(t)
	o := e.offer(t, false)
	token := audit3Token(t, e, audit3Code(t, e, o.ID), "")
	_, out := e.call(t, "POST", "/challenges", nil)
	var c map[string]string
	json.Unmarshal(out, &c)
	if res, m := audit3Credential(t, e, token, walletProof(t, walletSigner(t), publicURL, c["challenge"], e.clock(), proofType)); res.StatusCode != 200 {
		t.Fatalf("%d %v", res.StatusCode, m)
	}
	if ours, _, err := e.srv.challenges.check(c["challenge"], e.clock()); !ours || err == nil {
		t.Fatal("a c_nonce spent by a key proof is still good as a challenge")
	}
}

// Oversized bodies are refused with 4xx, never 500.
func TestAudit3OversizedBodies(t *testing.T) {
	e := newWalletEnv(t)
	big := strings.Repeat("a", 64<<10)
	res, m := e.form(t, "/token", url.Values{"grant_type": {grantPreAuthorized}, "pre-authorized_code": {big}})
	if res.StatusCode != 400 && res.StatusCode != 413 {
		t.Fatalf("a big form: %d %v", res.StatusCode, m)
	}
	o := e.offer(t, false)
	token := audit3Token(t, e, audit3Code(t, e, o.ID), "")
	res, _ = e.call(t, "POST", "/credential", `{"credential_configuration_id":"`+strings.Repeat("a", 20<<20)+`"}`, "Authorization", "Bearer "+token)
	if res.StatusCode != 413 {
		t.Fatalf("a big credential request: %d", res.StatusCode)
	}
	if res, _ := e.call(t, "GET", "/offers/"+strings.Repeat("x", 8000), nil); res.StatusCode != 404 {
		t.Fatalf("a long offer id: %d", res.StatusCode)
	}
}

func TestAudit3UnauthorizedCredentialRequest(t *testing.T) {
	e := newWalletEnv(t)
	for _, h := range [][]string{nil, {"Authorization", "Basic x"}, {"Authorization", "Bearer nope"}} {
		res, _ := e.call(t, "POST", "/credential", map[string]any{"credential_configuration_id": staff.TypeDBSCheck}, h...)
		if res.StatusCode != 401 || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%v: %d %v", h, res.StatusCode, res.Header)
		}
	}
	o := e.offer(t, false)
	res, _ := e.call(t, "GET", "/offers/"+o.ID, nil)
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Fatal("offer cacheable")
	}
}
