package server

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
)

const publicURL = "https://kch.nhs.uk"

func newWalletEnv(t *testing.T) *testEnv {
	return newTestEnv(t, issuer.FormatJWT, func(c *Config) { c.PublicURL = publicURL })
}

// dbsCells is an offer's row: a DBS check, without the subject.
func dbsCells(e *testEnv) map[string]string {
	return map[string]string{"staff_id": "E77", "dbs_level": "enhanced", "dbs_workforce": "adult",
		"certificate_number": "001234567890", "certificate_issue_date": e.clock().AddDate(0, -1, 0).Format("2006-01-02"),
		"update_service_subscribed": "no", "check_date": e.clock().AddDate(0, 0, -1).Format("2006-01-02")}
}

func (e *testEnv) offer(t *testing.T, txCode bool) *registry.CreatedOffer {
	t.Helper()
	o, err := issuer.CreateOffer(t.Context(), e.reg, registry.OfferRequest{Type: staff.TypeDBSCheck, Cells: dbsCells(e), Format: string(issuer.FormatSDJWT),
		IssuerURL: publicURL, TxCode: txCode, Actor: "hr", Now: e.clock()})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (e *testEnv) form(t *testing.T, path string, values url.Values) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := newRecorder()
	e.srv.ServeHTTP(w, req)
	var m map[string]any
	json.Unmarshal(w.Body.Bytes(), &m)
	return w.Result(), m
}

// walletProof signs a key proof as a wallet does.
func walletProof(t *testing.T, w keys.Signer, aud, nonce string, iat time.Time, typ string) string {
	t.Helper()
	jwk, _ := keys.MarshalPublicJWK(w.Public())
	header, _ := json.Marshal(map[string]any{"alg": w.Algorithm(), "typ": typ, "jwk": json.RawMessage(jwk)})
	claims, _ := json.Marshal(map[string]any{"aud": aud, "nonce": nonce, "iat": iat.Unix()})
	return signRawJWS(t, w, header, claims)
}

func TestOpenID4VCIPreAuthorizedFlow(t *testing.T) {
	e := newWalletEnv(t)
	res, meta := e.call(t, "GET", "/.well-known/openid-credential-issuer", nil)
	var md map[string]any
	json.Unmarshal(meta, &md)
	configs, _ := md["credential_configurations_supported"].(map[string]any)
	dbs, _ := configs[staff.TypeDBSCheck].(map[string]any)
	if res.StatusCode != 200 || md["credential_issuer"] != publicURL || dbs["format"] != "dc+sd-jwt" || dbs["vct"] != staff.VCT(staff.TypeDBSCheck) {
		t.Fatalf("metadata %d %s", res.StatusCode, meta)
	}
	if res, as := e.call(t, "GET", "/.well-known/oauth-authorization-server", nil); res.StatusCode != 200 || !strings.Contains(string(as), publicURL+"/token") {
		t.Fatalf("AS metadata %d %s", res.StatusCode, as)
	}

	o := e.offer(t, true)
	res, offerJSON := e.call(t, "GET", "/offers/"+o.ID, nil)
	var offer struct {
		Issuer string   `json:"credential_issuer"`
		IDs    []string `json:"credential_configuration_ids"`
		Grants map[string]struct {
			Code   string         `json:"pre-authorized_code"`
			TxCode map[string]any `json:"tx_code"`
		} `json:"grants"`
	}
	json.Unmarshal(offerJSON, &offer)
	grant := offer.Grants[grantPreAuthorized]
	if res.StatusCode != 200 || offer.Issuer != publicURL || offer.IDs[0] != staff.TypeDBSCheck || grant.Code == "" || grant.TxCode["length"] != 6.0 {
		t.Fatalf("offer %d %s", res.StatusCode, offerJSON)
	}

	// A wrong transaction code, then the right one; the code is single use.
	if res, m := e.form(t, "/token", url.Values{"grant_type": {grantPreAuthorized}, "pre-authorized_code": {grant.Code}, "tx_code": {"000000"}}); res.StatusCode != 400 || m["error"] != "invalid_grant" {
		if o.TxCode != "000000" {
			t.Fatalf("a wrong tx_code: %d %v", res.StatusCode, m)
		}
	}
	res, tok := e.form(t, "/token", url.Values{"grant_type": {grantPreAuthorized}, "pre-authorized_code": {grant.Code}, "tx_code": {o.TxCode}})
	token, _ := tok["access_token"].(string)
	if res.StatusCode != 200 || token == "" || tok["token_type"] != "Bearer" || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token %d %v", res.StatusCode, tok)
	}
	if res, m := e.form(t, "/token", url.Values{"grant_type": {grantPreAuthorized}, "pre-authorized_code": {grant.Code}, "tx_code": {o.TxCode}}); res.StatusCode != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("the code again: %d %v", res.StatusCode, m)
	}
	if res, _ := e.call(t, "GET", "/offers/"+o.ID, nil); res.StatusCode != 404 {
		t.Fatalf("a redeemed offer is still served: %d", res.StatusCode)
	}

	wallet := walletSigner(t)
	nonce := func() string {
		_, out := e.call(t, "POST", "/nonce", nil)
		var n map[string]string
		json.Unmarshal(out, &n)
		return n["c_nonce"]
	}
	request := func(proof string) (*http.Response, map[string]any) {
		res, out := e.call(t, "POST", "/credential", map[string]any{"credential_configuration_id": staff.TypeDBSCheck,
			"proofs": map[string]any{"jwt": []string{proof}}}, "Authorization", "Bearer "+token)
		var m map[string]any
		json.Unmarshal(out, &m)
		return res, m
	}
	// Key proofs that must be refused.
	n := nonce()
	for name, proof := range map[string]string{
		"another audience": walletProof(t, wallet, "https://evil.example", n, e.clock(), proofType),
		"a made-up nonce":  walletProof(t, wallet, publicURL, "spc1.forged", e.clock(), proofType),
		"an old proof":     walletProof(t, wallet, publicURL, n, e.clock().Add(-time.Hour), proofType),
		"another typ":      walletProof(t, wallet, publicURL, n, e.clock(), "JWT"),
	} {
		if res, m := request(proof); res.StatusCode != 400 || (m["error"] != "invalid_proof" && m["error"] != "invalid_nonce") {
			t.Errorf("%s: %d %v", name, res.StatusCode, m)
		}
	}
	if res, m := e.call(t, "POST", "/credential", map[string]any{"credential_configuration_id": staff.TypeDBSCheck}, "Authorization", "Bearer nope"); res.StatusCode != 401 {
		t.Fatalf("a made-up token: %d %s", res.StatusCode, m)
	}

	res, cred := request(walletProof(t, wallet, publicURL, n, e.clock(), proofType))
	creds, _ := cred["credentials"].([]any)
	if res.StatusCode != 200 || len(creds) != 1 {
		t.Fatalf("credential %d %v", res.StatusCode, cred)
	}
	sd := creds[0].(map[string]any)["credential"].(string)
	c, err := sdjwt.Split(sd)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := jose.ParseUnverified(c.JWT)
	var claims map[string]any
	json.Unmarshal(u.Payload, &claims)
	if claims["iss"] != e.org.DID || claims["vct"] != staff.VCT(staff.TypeDBSCheck) || !strings.HasPrefix(claims["sub"].(string), "did:jwk:") {
		t.Fatalf("claims %v", claims)
	}
	// The nonce and the token were used: neither works again.
	if res, m := request(walletProof(t, wallet, publicURL, n, e.clock(), proofType)); res.StatusCode != 401 {
		t.Fatalf("the token again: %d %v", res.StatusCode, m)
	}
	// The offer forgot the row's cells.
	if strings.Contains(e.logBuf.String(), "001234567890") {
		t.Fatal("the log holds the certificate number")
	}
}

func TestOpenID4VCIOfferLimits(t *testing.T) {
	e := newWalletEnv(t)
	// An expired offer.
	o := e.offer(t, false)
	_, offerJSON := e.call(t, "GET", "/offers/"+o.ID, nil)
	var offer map[string]any
	json.Unmarshal(offerJSON, &offer)
	code := offer["grants"].(map[string]any)[grantPreAuthorized].(map[string]any)["pre-authorized_code"].(string)
	e.advance(25 * time.Hour)
	if res, m := e.form(t, "/token", url.Values{"grant_type": {grantPreAuthorized}, "pre-authorized_code": {code}}); res.StatusCode != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("an expired code: %d %v", res.StatusCode, m)
	}
	// Five wrong transaction codes withdraw the offer.
	o = e.offer(t, true)
	_, offerJSON = e.call(t, "GET", "/offers/"+o.ID, nil)
	json.Unmarshal(offerJSON, &offer)
	code = offer["grants"].(map[string]any)[grantPreAuthorized].(map[string]any)["pre-authorized_code"].(string)
	wrong := "123456"
	if o.TxCode == wrong {
		wrong = "654321"
	}
	for range registry.MaxTxCodeFailures {
		e.form(t, "/token", url.Values{"grant_type": {grantPreAuthorized}, "pre-authorized_code": {code}, "tx_code": {wrong}})
	}
	if res, m := e.form(t, "/token", url.Values{"grant_type": {grantPreAuthorized}, "pre-authorized_code": {code}, "tx_code": {o.TxCode}}); res.StatusCode != 400 {
		t.Fatalf("the right code after five wrong ones: %d %v", res.StatusCode, m)
	}
	// Other grants and malformed requests.
	if res, m := e.form(t, "/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}); m["error"] != "unsupported_grant_type" {
		t.Fatalf("another grant: %d %v", res.StatusCode, m)
	}
	if res, _ := e.call(t, "POST", "/token", map[string]any{"grant_type": grantPreAuthorized}); res.StatusCode != 400 {
		t.Fatalf("a JSON token request: %d", res.StatusCode)
	}
	// Without a public URL, nothing of this is served.
	plain := newTestEnv(t, issuer.FormatJWT, nil)
	if res, out := plain.call(t, "GET", "/.well-known/openid-credential-issuer", nil); res.StatusCode != 404 || !strings.Contains(string(out), "wallets-disabled") {
		t.Fatalf("disabled: %d %s", res.StatusCode, out)
	}
	// An offer names no subject.
	cells := dbsCells(e)
	cells["subject"] = "did:key:z6MknTAEpw8DDgHke8XfDv9EfHsmUZnV9hnuowMuhJfTT96S"
	if _, err := issuer.CreateOffer(t.Context(), e.reg, registry.OfferRequest{Type: staff.TypeDBSCheck, Cells: cells, Format: string(issuer.FormatSDJWT), IssuerURL: publicURL, Actor: "hr", Now: e.clock()}); err == nil {
		t.Fatal("an offer with a subject")
	}
	delete(cells, "subject")
	cells["dbs_level"] = "platinum"
	if _, err := issuer.CreateOffer(t.Context(), e.reg, registry.OfferRequest{Type: staff.TypeDBSCheck, Cells: cells, Format: string(issuer.FormatSDJWT), IssuerURL: publicURL, Actor: "hr", Now: e.clock()}); err == nil || !strings.Contains(err.Error(), "dbs_level") {
		t.Fatalf("a bad row: %v", err)
	}
}

// walletSigner is a wallet's P-256 key.
func walletSigner(t *testing.T) keys.Signer {
	t.Helper()
	k, err := keys.Generate(keys.P256)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(k, "did:example:wallet#0")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signRawJWS signs header.claims with s.
func signRawJWS(t *testing.T, s keys.Signer, header, claims []byte) string {
	t.Helper()
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sig, err := keys.SignP1363(s, []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + enc.EncodeToString(sig)
}
