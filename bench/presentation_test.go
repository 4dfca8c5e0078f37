package bench

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/vc/status"
	"github.com/staffpass/staffpass/verifier"
)

// The national picture the presentation benchmarks stand for: a bundle of
// 250 organisations, each with its DID document and a status list of
// 131,072 entries, and a member of staff presenting 6 credentials (vc+jwt
// and Data Integrity mixed) to a receiving trust.
const (
	numOrgs = 250
	listLen = 131072
)

var at = time.Date(2025, time.March, 10, 12, 0, 0, 0, time.UTC)

// benchOrg is an organisation of the benchmark bundle.
type benchOrg struct {
	did    string
	signer keys.Signer
	doc    *did.Document
	list   []byte // its status list credential
}

// world is what the benchmarks share: the signed bundle, its publisher, a
// wallet and the presentations, made once.
type world struct {
	publisher   string
	signed      []byte
	vps         map[string][]byte // by presentation format
	credentials [][]byte
	holderDID   string
}

var (
	worldOnce sync.Once
	theWorld  *world
	worldErr  error
)

func seeded(n int) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	binary.BigEndian.PutUint64(seed, uint64(n)+1)
	return ed25519.NewKeyFromSeed(seed)
}

func newBenchOrg(i int) (*benchOrg, error) {
	id, err := did.Parse(fmt.Sprintf("did:web:trust%03d.nhs.example", i))
	if err != nil {
		return nil, err
	}
	key := seeded(i)
	vm, err := issuer.NewMultikeyMethod(id, key.Public())
	if err != nil {
		return nil, err
	}
	s, err := keys.NewSigner(key, vm.ID)
	if err != nil {
		return nil, err
	}
	o := &benchOrg{did: id.String(), signer: s, doc: issuer.NewDocument(id, vm)}
	l, err := status.New(listLen)
	if err != nil {
		return nil, err
	}
	encoded, err := l.Encode()
	if err != nil {
		return nil, err
	}
	list, _ := json.Marshal(map[string]any{
		"@context":   []any{vc.ContextV2},
		"id":         o.listURL(),
		"type":       []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":     o.did,
		"validFrom":  "2025-03-09T00:00:00Z",
		"validUntil": "2025-03-17T00:00:00Z",
		"credentialSubject": map[string]any{
			"id": o.listURL() + "#list", "type": "BitstringStatusList", "statusPurpose": []any{"revocation", "suspension"}, "encodedList": encoded,
		},
	})
	format := issuer.FormatJWT
	if i%2 == 1 {
		format = issuer.FormatEdDSARDFC2022
	}
	if o.list, err = issuer.Issue(list, s, issuer.Options{Format: format, Created: at.Add(-24 * time.Hour)}); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *benchOrg) listURL() string {
	return "https://" + strings.TrimPrefix(o.did, "did:web:") + "/status/1"
}

// memorySource is a bundle.Source over the organisations in memory.
type memorySource map[string]*benchOrg

func (m memorySource) Resolve(_ context.Context, id string) (*did.Document, error) {
	if o := m[id]; o != nil {
		return o.doc, nil
	}
	return nil, did.ErrNotFound
}

func (m memorySource) Fetch(_ context.Context, url string) ([]byte, error) {
	for _, o := range m {
		if o.listURL() == url {
			return o.list, nil
		}
	}
	return nil, did.ErrNotFound
}

func loadWorld() (*world, error) {
	worldOnce.Do(func() { theWorld, worldErr = makeWorld() })
	return theWorld, worldErr
}

func makeWorld() (*world, error) {
	orgs := make([]*benchOrg, numOrgs)
	src := memorySource{}
	list := &bundle.TrustList{Name: "benchmark: 250 organisations", ValidFor: "168h"}
	for i := range orgs {
		o, err := newBenchOrg(i)
		if err != nil {
			return nil, err
		}
		orgs[i], src[o.did] = o, o
		list.Issuers = append(list.Issuers, bundle.ListedIssuer{ID: o.did, Types: staff.Types(), StatusLists: []string{o.listURL()}})
	}
	pubKey := seeded(10_000)
	pubKID, err := didkey.KeyID(pubKey.Public())
	if err != nil {
		return nil, err
	}
	pub, err := keys.NewSigner(pubKey, pubKID)
	if err != nil {
		return nil, err
	}
	publisher, _, _ := strings.Cut(pubKID, "#")
	b, err := bundle.Build(context.Background(), list, src, bundle.BuildOptions{Publisher: publisher, Now: at.Add(-time.Hour)})
	if err != nil {
		return nil, err
	}
	signed, err := bundle.Sign(b, pub)
	if err != nil {
		return nil, err
	}

	walletKey := seeded(20_000)
	kid, err := didkey.KeyID(walletKey.Public())
	if err != nil {
		return nil, err
	}
	wallet, err := keys.NewSigner(walletKey, kid)
	if err != nil {
		return nil, err
	}
	holderDID, _, _ := strings.Cut(kid, "#")
	// Six staff credentials from six organisations of the bundle, each
	// with revocation and suspension entries: three vc+jwt, three
	// eddsa-rdfc-2022.
	var creds [][]byte
	types := []string{staff.TypeIdentityCheck, staff.TypeRightToWork, staff.TypeDBSCheck,
		staff.TypeProfessionalRegistration, staff.TypeMandatoryTraining, staff.TypeOccupationalHealthClearance}
	for i, typ := range types {
		o := orgs[i*41]
		cred, err := staffCredential(o, typ, holderDID, 1000+i)
		if err != nil {
			return nil, err
		}
		format := issuer.FormatJWT
		if i%2 == 1 {
			format = issuer.FormatEdDSARDFC2022
		}
		out, err := issuer.Issue(cred, o.signer, issuer.Options{Format: format, Created: at.Add(-time.Hour)})
		if err != nil {
			return nil, fmt.Errorf("issuing %s: %w", typ, err)
		}
		creds = append(creds, out)
	}
	w := &world{publisher: publisher, signed: signed, vps: map[string][]byte{}, credentials: creds, holderDID: holderDID}
	for name, f := range map[string]vc.Format{"vp+jwt": vc.FormatJWT, "eddsa-rdfc-2022": vc.FormatEdDSARDFC2022} {
		vp, err := holder.Present(creds, wallet, holder.Options{Format: f, Challenge: "c-bench", Domain: "https://bank.gstt.nhs.uk", Created: at.Add(-time.Minute)})
		if err != nil {
			return nil, err
		}
		w.vps[name] = vp
	}
	return w, nil
}

// staffCredential is the staff example of typ, issued by o about subject,
// with status entries at index in o's list.
func staffCredential(o *benchOrg, typ, subject string, index int) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "staff", "valid", staff.ShortName(typ)+".json"))
	if err != nil {
		return nil, err
	}
	ex, err := vc.Parse(data)
	if err != nil {
		return nil, err
	}
	claims, err := staff.FromCredential(ex)
	if err != nil {
		return nil, err
	}
	if tr, ok := claims.(*staff.MandatoryTraining); ok {
		for i := range tr.Records {
			tr.Records[i].CompletionDate, _ = staff.ParseDate("2025-01-15")
		}
	}
	from, until, _ := ex.ValidityPeriod()
	c, err := staff.NewCredential(claims, staff.Meta{ID: fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", index), Issuer: o.did, Subject: subject, ValidFrom: from, ValidUntil: until})
	if err != nil {
		return nil, err
	}
	unsigned, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	json.Unmarshal(unsigned, &m)
	m["@context"] = append(m["@context"].([]any), "https://www.w3.org/ns/credentials/status/v1")
	entry := func(purpose string, i int) map[string]any {
		return map[string]any{"id": fmt.Sprintf("%s#%d", o.listURL(), i), "type": "BitstringStatusListEntry",
			"statusPurpose": purpose, "statusListIndex": fmt.Sprint(i), "statusListCredential": o.listURL()}
	}
	m["credentialStatus"] = []any{entry("revocation", index), entry("suspension", index+1)}
	return json.Marshal(m)
}

// openTrust opens the signed bundle and makes a Verifier of it, as a
// receiving trust does when it starts or takes a new bundle.
func openTrust(ctx context.Context, w *world) (*verifier.Verifier, error) {
	b, err := bundle.Open(ctx, w.signed, w.publisher, didkey.Resolver{})
	if err != nil {
		return nil, err
	}
	return verifier.New(verifier.Trust{Bundles: []*bundle.Bundle{b}})
}

var benchPolicy = verifier.Policy{Challenge: "c-bench", Domain: "https://bank.gstt.nhs.uk", Now: at}

// BenchmarkLoadBundle opens the signed bundle of 250 organisations
// (signature, strict parse, every DID document) and makes a Verifier of
// it. Target: under 50 ms.
func BenchmarkLoadBundle(b *testing.B) {
	w, err := loadWorld()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(w.signed)), "bundle-bytes")
	for b.Loop() {
		if _, err := openTrust(context.Background(), w); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyPresentation verifies a presentation of 6 staff
// credentials (3 vc+jwt, 3 eddsa-rdfc-2022, every one with revocation and
// suspension entries checked against its issuer's list in the bundle) on
// every core (b.RunParallel), and reports presentations per second.
// Target: 3,000 a second on 2 cores.
func BenchmarkVerifyPresentation(b *testing.B) {
	w, err := loadWorld()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	v, err := openTrust(ctx, w)
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"vp+jwt", "eddsa-rdfc-2022"} {
		vp := w.vps[name]
		b.Run(name, func(b *testing.B) {
			if r, err := v.Verify(ctx, vp, benchPolicy); err != nil || len(r.Credentials) != 6 {
				out, _ := json.MarshalIndent(r, "", "  ")
				b.Fatalf("%v\n%s", err, out)
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := v.Verify(ctx, vp, benchPolicy); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "presentations/s")
		})
	}
}

// TestBenchmarkWorld keeps the benchmarks' set-up honest: the presentation
// they time verifies, with all six credentials and their status.
func TestBenchmarkWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a bundle of 250 organisations")
	}
	w, err := loadWorld()
	if err != nil {
		t.Fatal(err)
	}
	v, err := openTrust(context.Background(), w)
	if err != nil {
		t.Fatal(err)
	}
	for name, vp := range w.vps {
		r, err := v.Verify(context.Background(), vp, benchPolicy)
		if err != nil || len(r.Credentials) != 6 {
			t.Fatalf("%s: %v", name, err)
		}
		for _, cr := range r.Credentials {
			if c := cr.Check(verifier.CheckStatus); !strings.Contains(c.Reason, "neither revoked nor suspended, as of") {
				t.Fatalf("%s: status %q", name, c.Reason)
			}
		}
	}
}
