package holder_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
)

var now = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func signer(t *testing.T, seed byte) keys.Signer {
	t.Helper()
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	key := ed25519.NewKeyFromSeed(s)
	kid, err := didkey.KeyID(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	sg, err := keys.NewSigner(key, kid)
	if err != nil {
		t.Fatal(err)
	}
	return sg
}

// credential is a credential issued by a did:key issuer about subject.
func credential(t *testing.T, subject string, f vc.Format) []byte {
	t.Helper()
	iss := signer(t, 1)
	id, _, _ := strings.Cut(iss.KeyID(), "#")
	doc, _ := json.Marshal(map[string]any{
		"@context": []any{vc.ContextV2}, "type": []any{vc.TypeCredential}, "issuer": id,
		"validFrom": "2026-01-01T00:00:00Z", "credentialSubject": map[string]any{"id": subject, "name": "Sam"},
	})
	out, err := issuer.Issue(doc, iss, issuer.Options{Format: f, Created: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func opts(f vc.Format) holder.Options {
	return holder.Options{Format: f, Challenge: "c-1", Domain: "https://gstt.nhs.uk", Created: now}
}

func TestPresentBindsTheVerifiersChallengeAndDomain(t *testing.T) {
	w := signer(t, 2)
	me, err := holder.Holder(w)
	if err != nil {
		t.Fatal(err)
	}
	creds := [][]byte{credential(t, me, vc.FormatJWT), credential(t, me, vc.FormatEdDSARDFC2022)}

	tok, err := holder.Present(creds, w, opts(vc.FormatJWT))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(tok), ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var h map[string]any
	var p map[string]any
	json.Unmarshal(header, &h)
	json.Unmarshal(payload, &p)
	if h["typ"] != "vp+jwt" || h["kid"] != w.KeyID() {
		t.Errorf("header %s", header)
	}
	if p["nonce"] != "c-1" || p["aud"] != "https://gstt.nhs.uk" || p["iat"] != float64(now.Unix()) || p["holder"] != me {
		t.Errorf("payload %s", payload)
	}
	vcs := p["verifiableCredential"].([]any)
	env := vcs[0].(map[string]any)
	if env["type"] != vc.TypeEnvelopedCredential || env["id"] != "data:application/vc+jwt,"+string(creds[0]) {
		t.Errorf("the vc+jwt is not enveloped: %v", env)
	}
	if vcs[1].(map[string]any)["proof"] == nil {
		t.Errorf("the Data Integrity credential is not embedded as it is: %v", vcs[1])
	}

	di, err := holder.Present(creds, w, opts(vc.FormatEdDSARDFC2022))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(di, &m)
	proof := m["proof"].(map[string]any)
	if proof["proofPurpose"] != "authentication" || proof["challenge"] != "c-1" || proof["domain"] != "https://gstt.nhs.uk" || proof["verificationMethod"] != w.KeyID() {
		t.Errorf("proof %v", proof)
	}
}

func TestPresentRefusesWhatCannotBePresented(t *testing.T) {
	w := signer(t, 2)
	me, _ := holder.Holder(w)
	good := [][]byte{credential(t, me, vc.FormatJWT)}
	unsigned, _ := json.Marshal(map[string]any{"@context": []any{vc.ContextV2}, "type": []any{vc.TypeCredential}, "issuer": "did:example:i", "credentialSubject": map[string]any{"id": me}})
	presentation, _ := holder.Present(good, w, opts(vc.FormatEdDSAJCS2022))
	tests := []struct {
		name  string
		creds [][]byte
		s     keys.Signer
		o     func(*holder.Options)
		want  error
	}{
		{"an unknown format", good, w, func(o *holder.Options) { o.Format = "rsa" }, holder.ErrOptions},
		{"no challenge", good, w, func(o *holder.Options) { o.Challenge = "" }, holder.ErrOptions},
		{"no domain", good, w, func(o *holder.Options) { o.Domain = "" }, holder.ErrOptions},
		{"no creation time", good, w, func(o *holder.Options) { o.Created = time.Time{} }, holder.ErrOptions},
		{"expiring before it is made", good, w, func(o *holder.Options) { o.Expires = now.Add(-time.Second) }, holder.ErrOptions},
		{"no credential", nil, w, nil, holder.ErrOptions},
		{"no signer", good, nil, nil, holder.ErrOptions},
		{"an unsecured credential", [][]byte{unsigned}, w, nil, holder.ErrCredential},
		{"a presentation as a credential", [][]byte{presentation}, w, nil, holder.ErrCredential},
		{"text that is no credential", [][]byte{[]byte("hello")}, w, nil, holder.ErrCredential},
		{"an empty credential", [][]byte{nil}, w, nil, holder.ErrCredential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := opts(vc.FormatJWT)
			if tt.o != nil {
				tt.o(&o)
			}
			if _, err := holder.Present(tt.creds, tt.s, o); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNotTheirs(t *testing.T) {
	w := signer(t, 2)
	me, _ := holder.Holder(w)
	creds := [][]byte{credential(t, me, vc.FormatJWT), credential(t, "did:example:someone-else", vc.FormatEdDSAJCS2022), credential(t, me, vc.FormatEdDSARDFC2022)}
	if got := holder.NotTheirs(creds, me); len(got) != 1 || got[0] != 2 {
		t.Fatalf("NotTheirs = %v, want [2]", got)
	}
}
