package bundle_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc/status"
)

var now = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

func seeded(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

// org is a did:web organisation with one key.
type org struct {
	did    string
	signer keys.Signer
	doc    *did.Document
}

func newOrg(t testing.TB, domain string, key crypto.Signer) *org {
	t.Helper()
	id, err := did.Parse("did:web:" + domain)
	if err != nil {
		t.Fatal(err)
	}
	vm, err := issuer.NewMultikeyMethod(id, key.Public())
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(key, vm.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &org{did: id.String(), signer: s, doc: issuer.NewDocument(id, vm)}
}

// publisher is a did:key publisher.
func publisher(t testing.TB, b byte) keys.Signer {
	t.Helper()
	k := seeded(b)
	kid, err := didkey.KeyID(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(k, kid)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func didOf(t testing.TB, s keys.Signer) string {
	u, err := did.ParseURL(s.KeyID())
	if err != nil {
		t.Fatal(err)
	}
	return u.DID().String()
}

// memory is a Source of documents in memory.
type memory struct {
	docs  map[string]*did.Document
	files map[string][]byte
}

func (m memory) Resolve(_ context.Context, id string) (*did.Document, error) {
	if d, ok := m.docs[id]; ok {
		return d, nil
	}
	return nil, &did.ResolutionError{DID: id, Err: did.ErrNotFound}
}

func (m memory) Fetch(_ context.Context, url string) ([]byte, error) {
	if f, ok := m.files[url]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("%w: %s", did.ErrNotFound, url)
}

// statusList is o's status list credential at url, signed as a vc+jwt.
func statusList(t testing.TB, o *org, url string) []byte {
	t.Helper()
	l, err := status.New(status.MinEntries)
	if err != nil {
		t.Fatal(err)
	}
	lc := &status.ListCredential{ID: url, Issuer: o.did, Purposes: []string{status.PurposeRevocation}, List: l, ValidFrom: now, ValidUntil: now.Add(24 * time.Hour)}
	c, err := lc.Credential()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(c)
	tok, err := jose.Sign(data, jose.SignOptions{Kind: jose.KindCredential, Signer: o.signer})
	if err != nil {
		t.Fatal(err)
	}
	return []byte(tok)
}

type world struct {
	kch, gstt *org
	pub       keys.Signer
	src       memory
	list      *bundle.TrustList
}

func newWorld(t testing.TB) *world {
	w := &world{
		kch:  newOrg(t, "kch.nhs.uk", seeded(1)),
		gstt: newOrg(t, "gstt.nhs.uk", seeded(2)),
		pub:  publisher(t, 9),
	}
	w.src = memory{
		docs:  map[string]*did.Document{w.kch.did: w.kch.doc, w.gstt.did: w.gstt.doc},
		files: map[string][]byte{"https://kch.nhs.uk/status/1": statusList(t, w.kch, "https://kch.nhs.uk/status/1")},
	}
	w.list = &bundle.TrustList{
		Name: "King's Health Partners",
		Issuers: []bundle.ListedIssuer{
			{ID: w.kch.did, Name: "King's College Hospital", Types: []string{"DBSCheckCredential", "MandatoryTrainingCredential"}, StatusLists: []string{"https://kch.nhs.uk/status/1"}},
			{ID: w.gstt.did, Name: "Guy's and St Thomas'", Types: []string{"MandatoryTrainingCredential"}},
		},
	}
	return w
}

func (w *world) build(t testing.TB, previous *bundle.Bundle, at time.Time) *bundle.Bundle {
	t.Helper()
	b, err := bundle.Build(context.Background(), w.list, w.src, bundle.BuildOptions{Publisher: didOf(t, w.pub), Now: at, Previous: previous})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A bundle built, signed and opened by its publisher reads back as built.
func TestBuildSignOpen(t *testing.T) {
	w := newWorld(t)
	b := w.build(t, nil, now)
	if b.ValidUntil != now.Add(7*24*time.Hour) || len(b.Issuers) != 2 || len(b.StatusLists) != 1 || len(b.Contexts) != 3 {
		t.Fatalf("built %+v", b)
	}
	signed, err := bundle.Sign(b, w.pub)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := bundle.Open(context.Background(), signed, didOf(t, w.pub), didkey.Resolver{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := b.Marshal()
	c, _ := opened.Marshal()
	if !bytes.Equal(a, c) {
		t.Errorf("opened bundle differs:\n%s\n%s", a, c)
	}
	if is := opened.Issuer(w.gstt.did); is == nil || is.Types[0] != "MandatoryTrainingCredential" || is.Document.ID != w.gstt.did {
		t.Errorf("issuer %+v", is)
	}
	if opened.Stale(now.Add(7*24*time.Hour)) || !opened.Stale(now.Add(7*24*time.Hour+time.Second)) {
		t.Error("stale at the wrong time")
	}
}

// Open refuses a bundle its configured publisher did not sign, a tampered
// one, and one that is not a bundle.
func TestOpenRefusesWhatItsPublisherDidNotSign(t *testing.T) {
	w := newWorld(t)
	b := w.build(t, nil, now)
	signed, err := bundle.Sign(b, w.pub)
	if err != nil {
		t.Fatal(err)
	}
	other := publisher(t, 8)
	b2 := w.build(t, nil, now)
	b2.Publisher = didOf(t, other)
	byOther, err := bundle.Sign(b2, other)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(signed), ".")
	payload, _ := jose.ParseUnverified(string(signed))
	tampered := parts[0] + "." + b64(strings.Replace(string(payload.Payload), "MandatoryTrainingCredential", "DBSCheckCredential", 1)) + "." + parts[2]
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"a bundle signed by another publisher", byOther, bundle.ErrSignature},
		{"a bundle whose trust was changed after signing", []byte(tampered), bundle.ErrSignature},
		{"a vc+jwt credential", statusList(t, w.kch, "https://kch.nhs.uk/status/1"), bundle.ErrMalformed},
		{"not a JWS", []byte("{}"), bundle.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := bundle.Open(context.Background(), tt.data, didOf(t, w.pub), didkey.Resolver{}); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	// Signing for a publisher with another's key is refused too.
	b2.Publisher = didOf(t, w.pub)
	if _, err := bundle.Sign(b2, other); err == nil {
		t.Error("signed a bundle of one publisher with another's key")
	}
}

func b64(s string) string {
	return strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(stdB64(s)), "=")
}

// A key that leaves an issuer's DID document is kept, retired, by the next
// bundle built from the previous one; compromised keys carry over.
func TestBuildKeepsKeyHistory(t *testing.T) {
	w := newWorld(t)
	w.list.Issuers[0].CompromisedKeys = []string{w.kch.did + "#old-compromised"}
	first := w.build(t, nil, now)
	oldKey := w.kch.doc.VerificationMethod[0]
	rotated := newOrg(t, "kch.nhs.uk", seeded(3))
	w.src.docs[w.kch.did] = rotated.doc
	w.list.Issuers[0].CompromisedKeys = nil
	later := now.Add(30 * 24 * time.Hour)
	second := w.build(t, first, later)
	is := second.Issuer(w.kch.did)
	if len(is.RetiredKeys) != 1 || is.RetiredKeys[0].Method.ID != oldKey.ID || !is.RetiredKeys[0].Retired.Equal(later) {
		t.Fatalf("retired keys %+v", is.RetiredKeys)
	}
	if len(is.CompromisedKeys) != 1 {
		t.Errorf("compromised keys %v: the previous bundle's were lost", is.CompromisedKeys)
	}
	// A third bundle keeps the retirement time of the second.
	third := w.build(t, second, later.Add(24*time.Hour))
	if rk := third.Issuer(w.kch.did).RetiredKeys; len(rk) != 1 || !rk[0].Retired.Equal(later) {
		t.Errorf("retired keys of the third bundle %+v", rk)
	}
	data, err := third.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := bundle.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if rk := back.Issuer(w.kch.did).RetiredKeys; len(rk) != 1 || rk[0].Relationships[0] != did.AssertionMethod {
		t.Errorf("retired keys read back %+v", rk)
	}
}

// Build refuses what it cannot vouch for: an issuer whose DID document
// cannot be found, a status list that is another issuer's or published at
// another URL.
func TestBuildRefusesWhatItCannotVouchFor(t *testing.T) {
	tests := []struct {
		name   string
		change func(w *world)
	}{
		{"an issuer without a DID document", func(w *world) { delete(w.src.docs, w.gstt.did) }},
		{"a status list that is missing", func(w *world) { w.list.Issuers[1].StatusLists = []string{"https://gstt.nhs.uk/status/1"} }},
		{"another issuer's status list", func(w *world) {
			w.list.Issuers[1].StatusLists = []string{"https://kch.nhs.uk/status/1"}
		}},
		{"a status list published at another URL", func(w *world) {
			w.src.files["https://kch.nhs.uk/status/2"] = w.src.files["https://kch.nhs.uk/status/1"]
			w.list.Issuers[0].StatusLists = []string{"https://kch.nhs.uk/status/2"}
		}},
		{"an issuer with no type", func(w *world) { w.list.Issuers[0].Types = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			tt.change(w)
			if _, err := bundle.Build(context.Background(), w.list, w.src, bundle.BuildOptions{Publisher: didOf(t, w.pub), Now: now}); err == nil {
				t.Fatal("built")
			}
		})
	}
}

// Parse refuses a document of another type or version, and members this
// version does not define.
func TestParseIsStrict(t *testing.T) {
	w := newWorld(t)
	data, err := w.build(t, nil, now).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(data, &m)
	for name, change := range map[string]func(map[string]any){
		"another version":   func(m map[string]any) { m["version"] = 2 },
		"another type":      func(m map[string]any) { m["type"] = "TrustList" },
		"an unknown member": func(m map[string]any) { m["trustEveryone"] = true },
		"an issuer's document for another DID": func(m map[string]any) {
			is := m["issuers"].([]any)
			is[0].(map[string]any)["didDocument"], is[1].(map[string]any)["didDocument"] = is[1].(map[string]any)["didDocument"], is[0].(map[string]any)["didDocument"]
		},
		"validUntil before created": func(m map[string]any) { m["validUntil"] = "2020-01-01T00:00:00Z" },
	} {
		t.Run(name, func(t *testing.T) {
			var c map[string]any
			json.Unmarshal(data, &c)
			change(c)
			out, _ := json.Marshal(c)
			if _, err := bundle.Parse(out); !errors.Is(err, bundle.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

func stdB64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
