package server

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/staffpass/staffpass/issuer"
)

// testCA makes a CA and a client certificate it signed.
func testCA(t *testing.T, name string) (*x509.Certificate, tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name + " CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name + " rostering"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return ca, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestAClientCertificateFromTheTrustedCAAuthorisesIssuing(t *testing.T) {
	e := newTestEnv(t, issuer.FormatJWT, func(c *Config) { c.Token = ""; c.ClientCertificates = true })
	ca, client := testCA(t, "Trusted")
	_, stranger := testCA(t, "Stranger")
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	ts := httptest.NewUnstartedServer(e.srv)
	ts.TLS = &tls.Config{ClientCAs: pool, ClientAuth: tls.VerifyClientCertIfGiven}
	ts.StartTLS()
	defer ts.Close()

	post := func(cert *tls.Certificate, path string, body any) (int, []byte, error) {
		tr := ts.Client().Transport.(*http.Transport).Clone()
		tr.TLSClientConfig.Certificates = nil
		if cert != nil {
			// Present it whatever CAs the server names.
			tr.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
		}
		data, _ := json.Marshal(body)
		res, err := (&http.Client{Transport: tr}).Post(ts.URL+path, "application/json", bytes.NewReader(data))
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, out, nil
	}
	cred := map[string]any{"credential": e.credential("did:example:sam", nil)}
	if code, out, err := post(&client, "/credentials/issue", cred); err != nil || code != http.StatusCreated {
		t.Fatalf("with the trusted client certificate: %d %s %v", code, out, err)
	}
	if code, out, err := post(nil, "/credentials/issue", cred); err != nil || code != http.StatusUnauthorized {
		t.Fatalf("without a client certificate: %d %s %v", code, out, err)
	}
	// A certificate of another CA fails the handshake.
	if code, _, err := post(&stranger, "/credentials/issue", cred); err == nil {
		t.Fatalf("a stranger's certificate was let in: %d", code)
	}
	// Verifying needs no certificate.
	if code, out, err := post(nil, "/challenges", map[string]any{}); err != nil || code != http.StatusOK {
		t.Fatalf("a challenge without a certificate: %d %s %v", code, out, err)
	}
	if log := e.logBuf.String(); !bytes.Contains([]byte(log), []byte(`"actor":"client certificate CN=Trusted rostering"`)) {
		t.Fatalf("the log does not name the client certificate:\n%s", log)
	}
}
