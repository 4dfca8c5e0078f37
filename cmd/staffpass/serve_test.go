package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/staffpass/staffpass/issuer"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a
// pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeIssuesVerifiesAndStopsGracefully runs "staffpass serve" as a
// process over TLS: a credential is issued with the token and verified; on
// SIGTERM the server stops taking connections, finishes the request in
// flight, and exits 0.
func TestServeIssuesVerifiesAndStopsGracefully(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	dir := t.TempDir()
	org, err := issuer.InitOrganisation(context.Background(), filepath.Join(dir, "kch"), "kch.nhs.uk", issuer.InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, pool := selfSigned(t, dir)
	token := "serve-test-token-0123456789abcdef"
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte(token+"\n"), 0o600)

	bin, err := exec.LookPath("staffpass")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--org", org.Dir, "--trust", org.DID,
		"--tls-cert", certFile, "--tls-key", keyFile, "--token-file", tokenFile, "--shutdown-wait", "20s")
	cmd.Env = os.Environ()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	var logBuf bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func(msg string) map[string]any {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the server ended before logging %q:\n%s", msg, logBuf.String())
				}
				logBuf.WriteString(l + "\n")
				var rec map[string]any
				if json.Unmarshal([]byte(l), &rec) == nil && rec["msg"] == msg {
					return rec
				}
			case <-timeout:
				t.Fatalf("no %q in the log:\n%s", msg, logBuf.String())
			}
		}
	}
	base := next("listening")["url"].(string)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 20 * time.Second}
	post := func(path string, body any, auth bool) (int, []byte) {
		t.Helper()
		data, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, out
	}
	cred := map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiableCredential"},
		"issuer": org.DID, "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": map[string]any{"id": "did:example:sam"},
	}
	code, out := post("/credentials/issue", map[string]any{"credential": cred}, true)
	if code != http.StatusCreated {
		t.Fatalf("issue: %d %s", code, out)
	}
	var issued struct{ VerifiableCredential json.RawMessage }
	json.Unmarshal(out, &issued)
	body, _ := json.Marshal(map[string]any{"verifiableCredential": issued.VerifiableCredential})
	if code, out := post("/credentials/verify", json.RawMessage(body), false); code != http.StatusOK {
		t.Fatalf("verify: %d %s", code, out)
	}
	if code, _ := post("/credentials/issue", map[string]any{"credential": cred}, false); code != http.StatusUnauthorized {
		t.Fatalf("issue without the token: %d", code)
	}

	// A request in flight: the headers and half the body are sent, then
	// SIGTERM, then the rest.
	conn, err := tls.Dial("tcp", strings.TrimPrefix(base, "https://"), &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /credentials/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	half := len(body) / 2
	conn.Write(body[:half])
	time.Sleep(200 * time.Millisecond) // the server has read the headers
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	next("stopping: finishing requests in flight")
	// No new connections are taken.
	if c, err := tls.Dial("tcp", strings.TrimPrefix(base, "https://"), &tls.Config{RootCAs: pool}); err == nil {
		c.Close()
		t.Fatal("a new connection was taken after SIGTERM")
	}
	conn.Write(body[half:])
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the request in flight answered %d", res.StatusCode)
	}
	next("stopped")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the server exited with %v:\n%s", err, logBuf.String())
	}
	// The log holds no credential contents and no token.
	for l := range lines {
		logBuf.WriteString(l + "\n")
	}
	for _, secret := range []string{token, "did:example:sam", "eyJ"} {
		if strings.Contains(logBuf.String(), secret) {
			t.Fatalf("the log holds %q:\n%s", secret, logBuf.String())
		}
	}
}
