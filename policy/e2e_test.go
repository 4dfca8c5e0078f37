package policy_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/did/web"
	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/policy"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/verifier"
)

// t0 is when the journey starts: the staff examples' checks were made a
// week before.
var t0 = time.Date(2025, time.March, 10, 12, 0, 0, 0, time.UTC)

const (
	challenge = "8c1f0e6a-receiving-trust"
	domain    = "https://bank.gstt.nhs.uk"
)

// org is an NHS organisation with a did:web served by an httptest TLS
// server: its DID document at /.well-known/did.json, its status lists
// under /status/.
type org struct {
	name   string
	srv    *httptest.Server
	base   string // its https URL, under its domain name
	did    string
	signer keys.Signer
	reg    *registry.Registry
	lists  string // the directory its status lists are published to

	mu  sync.Mutex
	doc *did.Document
}

func newOrg(t *testing.T, name string) *org {
	t.Helper()
	o := &org{name: name, lists: t.TempDir()}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/did.json", func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		defer o.mu.Unlock()
		w.Header().Set("Content-Type", "application/did+json")
		json.NewEncoder(w).Encode(o.doc)
	})
	mux.Handle("/status/", http.StripPrefix("/status/", http.FileServer(http.Dir(o.lists))))
	o.srv = httptest.NewTLSServer(mux)
	t.Cleanup(o.srv.Close)
	// did:web needs a domain name: name.example.com, on the server's
	// port, which testClient dials on the loopback address.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(o.srv.URL, "https://"))
	o.base = "https://" + name + ".example.com:" + port
	id, err := web.New(name + ".example.com:" + port)
	if err != nil {
		t.Fatal(err)
	}
	o.did = id.String()
	o.rotate(t)
	reg, err := registry.Create(context.Background(), filepath.Join(t.TempDir(), "registry.db"),
		registry.Config{StatusBaseURL: o.base + "/status"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	o.reg = reg
	return o
}

// rotate gives the organisation a new key: its DID document lists only
// the new one from now on. It returns the signer of the old key.
func (o *org) rotate(t *testing.T) keys.Signer {
	t.Helper()
	key, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := did.Parse(o.did)
	vm, err := issuer.NewMultikeyMethod(id, key.Public())
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(key, vm.ID)
	if err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	old := o.signer
	o.signer, o.doc = s, issuer.NewDocument(id, vm)
	return old
}

// issue issues the staff example of typ, re-dated to validFrom and about
// subject, recording it in the registry.
func (o *org) issue(t *testing.T, typ, subject string, format vc.Format, at time.Time) []byte {
	t.Helper()
	return o.issueWith(t, o.signer, typ, subject, format, at)
}

func (o *org) issueWith(t *testing.T, s keys.Signer, typ, subject string, format vc.Format, at time.Time) []byte {
	t.Helper()
	return o.issueChanged(t, s, typ, subject, format, at, nil)
}

func (o *org) issueChanged(t *testing.T, s keys.Signer, typ, subject string, format vc.Format, at time.Time, change func(staff.Claims)) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "staff", "valid", staff.ShortName(typ)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := vc.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := staff.FromCredential(ex)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(claims)
	}
	from, until, _ := ex.ValidityPeriod()
	cred, err := staff.NewCredential(claims, staff.Meta{Issuer: o.did, Subject: subject, ValidFrom: from, ValidUntil: until})
	if err != nil {
		t.Fatal(err)
	}
	unsigned, _ := json.Marshal(cred)
	rec, _, err := issuer.IssueRecorded(context.Background(), o.reg, s,
		issuer.Issuance{Credential: unsigned, Format: format, Actor: "hr@" + o.name}, at)
	if err != nil {
		t.Fatalf("%s issues %s: %v", o.name, typ, err)
	}
	return rec.Credential
}

// publish publishes the organisation's status lists and returns their URLs.
func (o *org) publish(t *testing.T, at time.Time) []string {
	t.Helper()
	pubs, err := issuer.PublishStatusLists(context.Background(), o.reg, o.signer, at,
		issuer.PublishOptions{Dir: o.lists, Format: issuer.FormatEdDSARDFC2022, Actor: "hr@" + o.name})
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, p := range pubs {
		urls = append(urls, p.List.URL)
	}
	return urls
}

func idOf(cred []byte) string {
	s := string(cred)
	if !strings.HasPrefix(s, "{") {
		parts := strings.Split(s, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		s = string(payload)
	}
	var m map[string]any
	json.Unmarshal([]byte(s), &m)
	id, _ := m["id"].(string)
	return id
}

// testClient reaches the test servers under their example.com names: it
// dials the loopback address on the name's port, and trusts the servers'
// certificate (which names example.com).
func testClient(srv *httptest.Server) *http.Client {
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.ServerName = "example.com"
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// publisher is NHS England, who signs the national bundle.
type publisher struct {
	did    string
	signer keys.Signer
}

func newPublisher(t *testing.T) *publisher {
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
	id, _, _ := strings.Cut(kid, "#")
	return &publisher{did: id, signer: s}
}

// build builds a bundle over the network (did:web's guarded resolver, told
// to trust the test servers' certificate and loopback addresses), signs it
// as p, and returns the signed bytes and the bundle.
func build(t *testing.T, p *publisher, list *bundle.TrustList, client *http.Client, at time.Time, prev *bundle.Bundle) ([]byte, *bundle.Bundle) {
	t.Helper()
	src, err := web.NewResolver(web.WithHTTPClient(client), web.WithPrivateAddressesUnsafe())
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Build(context.Background(), list, src, bundle.BuildOptions{Publisher: p.did, Now: at, Previous: prev})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	signed, err := bundle.Sign(b, p.signer)
	if err != nil {
		t.Fatal(err)
	}
	return signed, b
}

// open opens a signed bundle as a verifier configured with publisher p
// does, offline.
func open(t *testing.T, signed []byte, p *publisher) *bundle.Bundle {
	t.Helper()
	b, err := bundle.Open(context.Background(), signed, p.did, didkey.Resolver{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return b
}

type walletKey struct {
	did    string
	signer keys.Signer
}

func newWallet(t *testing.T) *walletKey {
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
	id, _, _ := strings.Cut(kid, "#")
	return &walletKey{did: id, signer: s}
}

func (w *walletKey) present(t *testing.T, creds [][]byte, format vc.Format, at time.Time) []byte {
	t.Helper()
	vp, err := holder.Present(creds, w.signer, holder.Options{Format: format, Challenge: challenge, Domain: domain, Created: at.Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	return vp
}

func bankNurse(t *testing.T) *policy.Role {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "staff", "roles", "bank-nurse.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := policy.ParseRole(data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// verify verifies vp offline against bundles, at, as the receiving trust
// does, and judges it for the bank nurse role.
func verify(t *testing.T, vp []byte, at time.Time, p verifier.Policy, bundles ...*bundle.Bundle) (*verifier.Result, *policy.Verdict, error) {
	t.Helper()
	v, err := verifier.New(verifier.Trust{Bundles: bundles})
	if err != nil {
		t.Fatal(err)
	}
	if p.Challenge == "" {
		p.Challenge, p.Domain = challenge, domain
	}
	p.Now = at
	r, err := v.Verify(context.Background(), vp, p)
	if r == nil {
		t.Fatal("no Result")
	}
	verdict, verr := policy.Evaluate(bankNurse(t), r)
	if verdict == nil {
		t.Fatalf("Evaluate: %v", verr)
	}
	return r, verdict, err
}

func requirement(v *policy.Verdict, name string) *policy.Requirement {
	for i := range v.Requirements {
		if v.Requirements[i].Name == name {
			return &v.Requirements[i]
		}
	}
	return nil
}

func explain(r *verifier.Result, v *policy.Verdict) string {
	a, _ := json.MarshalIndent(r, "", "  ")
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(a) + "\n" + string(b)
}

// The journey: King's College Hospital and a training provider issue to
// one nurse; NHS England builds a bundle over the network and signs it;
// with the network gone, the receiving trust verifies her presentation for
// the bank nurse role and it passes. One credential is revoked, a new
// bundle built, and the same presentation fails with the reason
// "revoked". KCH rotates its key, and what it signed before still passes;
// what its old key signs afterwards does not.
func TestTheJourney(t *testing.T) {
	kch, train := newOrg(t, "kch"), newOrg(t, "training")
	nhse := newPublisher(t)
	nurse := newWallet(t)
	client := testClient(kch.srv) // the test servers share one certificate

	// What each organisation issues, in a mix of formats.
	var creds [][]byte
	for _, c := range []struct {
		typ    string
		format vc.Format
	}{
		{staff.TypeIdentityCheck, vc.FormatJWT},
		{staff.TypeRightToWork, vc.FormatEdDSARDFC2022},
		{staff.TypeDBSCheck, vc.FormatEdDSARDFC2022},
		{staff.TypeProfessionalRegistration, vc.FormatJWT},
		{staff.TypeOccupationalHealthClearance, vc.FormatEdDSAJCS2022},
	} {
		creds = append(creds, kch.issue(t, c.typ, nurse.did, c.format, t0))
	}
	creds = append(creds, train.issueChanged(t, train.signer, staff.TypeMandatoryTraining, nurse.did, vc.FormatEdDSARDFC2022, t0, func(c staff.Claims) {
		// Resuscitation, refreshed yearly, was last done in January.
		for i, r := range c.(*staff.MandatoryTraining).Records {
			if r.Subject == staff.SubjectResuscitation {
				c.(*staff.MandatoryTraining).Records[i].CompletionDate, _ = staff.ParseDate("2025-01-15")
			}
		}
	}))
	dbs := creds[2]

	list := &bundle.TrustList{
		Name: "NHS England national trust list",
		Issuers: []bundle.ListedIssuer{
			{ID: kch.did, Name: "King's College Hospital NHS Foundation Trust", StatusLists: kch.publish(t, t0),
				Types: []string{staff.TypeIdentityCheck, staff.TypeRightToWork, staff.TypeDBSCheck, staff.TypeProfessionalRegistration, staff.TypeOccupationalHealthClearance}},
			{ID: train.did, Name: "A training provider", StatusLists: train.publish(t, t0), Types: []string{staff.TypeMandatoryTraining}},
		},
	}
	signed1, built1 := build(t, nhse, list, client, t0, nil)

	// DBS revoked an hour later; a new bundle.
	t1 := t0.Add(time.Hour)
	if _, err := kch.reg.Revoke(context.Background(), registry.Target{CredentialID: idOf(dbs)}, registry.Change{Actor: "hr@kch", Reason: "barred"}); err != nil {
		t.Fatal(err)
	}
	kch.publish(t, t1)
	train.publish(t, t1)
	signed2, built2 := build(t, nhse, list, client, t1, built1)

	// KCH rotates its key; a new bundle keeps the old key as retired.
	t2 := t0.Add(2 * time.Hour)
	old := kch.rotate(t)
	kch.publish(t, t2)
	train.publish(t, t2)
	signed3, _ := build(t, nhse, list, client, t2, built2)
	// KCH's old key, leaked or misused, signs a credential afterwards.
	t3 := t0.Add(3 * time.Hour)
	late := kch.issueWith(t, old, staff.TypeEmployment, nurse.did, vc.FormatEdDSARDFC2022, t3)

	// The network is gone: everything below is offline.
	kch.srv.Close()
	train.srv.Close()

	vp := nurse.present(t, creds, vc.FormatJWT, t0.Add(10*time.Minute))
	t.Run("passes for the bank nurse role with the first bundle", func(t *testing.T) {
		r, verdict, err := verify(t, vp, t0.Add(10*time.Minute), verifier.Policy{}, open(t, signed1, nhse))
		if err != nil || !r.Verified || !verdict.Met {
			t.Fatalf("verified %v, met %v, err %v\n%s", r.Verified, verdict.Met, err, explain(r, verdict))
		}
		for _, q := range verdict.Requirements {
			if q.Source == nil || !q.Source.Verified || q.Reason == "" {
				t.Errorf("%s: %+v", q.Name, q)
			}
		}
		if st := r.Credentials[2].Check(verifier.CheckStatus); !strings.Contains(st.Reason, "as of the status list fetched") {
			t.Errorf("the status check does not say how old the list is: %q", st.Reason)
		}
	})
	t.Run("the same presentation fails as revoked with the next bundle", func(t *testing.T) {
		at := t1.Add(10 * time.Minute)
		vp := nurse.present(t, creds, vc.FormatJWT, at)
		r, verdict, err := verify(t, vp, at, verifier.Policy{}, open(t, signed2, nhse))
		if !errors.Is(err, verifier.ErrRevoked) || r.Verified || verdict.Met {
			t.Fatalf("err %v\n%s", err, explain(r, verdict))
		}
		q := requirement(verdict, "dbs-check")
		if q == nil || q.Outcome != policy.Missing || !strings.Contains(q.Reason, "revoked") || q.Source == nil || q.Source.Index != 3 || q.Source.Verified {
			t.Fatalf("dbs-check: %+v", q)
		}
		for _, name := range []string{"identity-check", "right-to-work", "professional-registration", "occupational-health-clearance"} {
			if q := requirement(verdict, name); q.Outcome != policy.Met {
				t.Errorf("%s: %+v", name, q)
			}
		}
	})
	t.Run("a rotated key still verifies what it signed before", func(t *testing.T) {
		at := t3.Add(10 * time.Minute)
		b3 := open(t, signed3, nhse)
		var notDBS [][]byte
		for i, c := range creds {
			if i != 2 {
				notDBS = append(notDBS, c)
			}
		}
		r, verdict, err := verify(t, nurse.present(t, notDBS, vc.FormatEdDSARDFC2022, at), at, verifier.Policy{}, b3)
		if err != nil {
			t.Fatalf("%v\n%s", err, explain(r, verdict))
		}
		if vm := r.Credentials[0].Check(verifier.CheckVerificationMethod); !strings.Contains(vm.Reason, "retired") {
			t.Errorf("the verification method check does not say the key is retired: %q", vm.Reason)
		}
		r, verdict, err = verify(t, nurse.present(t, [][]byte{late}, vc.FormatJWT, at), at, verifier.Policy{}, b3)
		if !errors.Is(err, verifier.ErrKeyRetired) {
			t.Fatalf("a credential the retired key signed afterwards: %v\n%s", err, explain(r, verdict))
		}
	})
}

// Every way the trust material can be wrong is refused.
func TestTrustFailures(t *testing.T) {
	kch, train := newOrg(t, "kch"), newOrg(t, "training")
	nhse, stranger := newPublisher(t), newPublisher(t)
	nurse := newWallet(t)
	client := testClient(kch.srv)
	ctx := context.Background()

	id := kch.issue(t, staff.TypeIdentityCheck, nurse.did, vc.FormatEdDSARDFC2022, t0)
	suspended := kch.issue(t, staff.TypeRightToWork, nurse.did, vc.FormatJWT, t0)
	if _, err := kch.reg.Suspend(ctx, registry.Target{CredentialID: idOf(suspended)}, registry.Change{Actor: "hr@kch", Reason: "pending review"}); err != nil {
		t.Fatal(err)
	}
	// The training provider may issue training, not DBS checks.
	trainDBS := train.issue(t, staff.TypeDBSCheck, nurse.did, vc.FormatEdDSARDFC2022, t0)
	list := &bundle.TrustList{
		Name: "national",
		Issuers: []bundle.ListedIssuer{
			{ID: kch.did, StatusLists: kch.publish(t, t0), Types: []string{staff.TypeIdentityCheck, staff.TypeRightToWork}},
			{ID: train.did, StatusLists: train.publish(t, t0), Types: []string{staff.TypeMandatoryTraining}},
		},
	}
	signed, _ := build(t, nhse, list, client, t0, nil)
	b := open(t, signed, nhse)
	// A consortium vouches for the training provider's DBS checks too.
	consortium := newPublisher(t)
	clist := &bundle.TrustList{Name: "King's Health Partners", Issuers: []bundle.ListedIssuer{
		{ID: train.did, StatusLists: list.Issuers[1].StatusLists, Types: []string{staff.TypeDBSCheck}},
	}}
	csigned, _ := build(t, consortium, clist, client, t0, nil)
	cb := open(t, csigned, consortium)
	at := t0.Add(10 * time.Minute)

	t.Run("an issuer not trusted for the type", func(t *testing.T) {
		r, _, err := verify(t, nurse.present(t, [][]byte{id, trainDBS}, vc.FormatJWT, at), at, verifier.Policy{}, b)
		c := r.Credentials[1].Check(verifier.CheckIssuerTrust)
		if !errors.Is(err, verifier.ErrUntrustedIssuer) || c.Status != verifier.Failed || !strings.Contains(c.Reason, "not for \"DBSCheckCredential\"") {
			t.Fatalf("%v: %+v", err, c)
		}
	})
	t.Run("an issuer two bundles list gets the union of its types", func(t *testing.T) {
		vp := nurse.present(t, [][]byte{id, trainDBS}, vc.FormatJWT, at)
		if r, _, err := verify(t, vp, at, verifier.Policy{}, b, cb); err != nil {
			t.Fatalf("%v\n%s", err, explain(r, nil))
		}
		// A policy that accepts only the national bundle does not take the
		// consortium's word.
		if _, _, err := verify(t, vp, at, verifier.Policy{Publishers: []string{nhse.did}}, b, cb); !errors.Is(err, verifier.ErrUntrustedIssuer) {
			t.Fatalf("only the national bundle accepted: %v", err)
		}
	})
	t.Run("a suspended credential", func(t *testing.T) {
		r, verdict, err := verify(t, nurse.present(t, [][]byte{id, suspended}, vc.FormatEdDSARDFC2022, at), at, verifier.Policy{}, b)
		if !errors.Is(err, verifier.ErrSuspended) {
			t.Fatalf("%v\n%s", err, explain(r, verdict))
		}
		if q := requirement(verdict, "right-to-work"); q.Outcome != policy.Missing || !strings.Contains(q.Reason, "suspended") {
			t.Fatalf("right-to-work: %+v", q)
		}
	})
	t.Run("nothing counts from a presentation made for another verifier", func(t *testing.T) {
		vp := nurse.present(t, [][]byte{id}, vc.FormatJWT, at)
		r, verdict, err := verify(t, vp, at, verifier.Policy{Challenge: challenge, Domain: "https://evil.example"}, b)
		if !errors.Is(err, verifier.ErrDomain) || verdict.Met {
			t.Fatalf("%v\n%s", err, explain(r, verdict))
		}
		if q := requirement(verdict, "identity-check"); q.Outcome != policy.Missing || !strings.Contains(q.Reason, "the presentation did not verify (domain") {
			t.Fatalf("identity-check: %+v", q)
		}
	})
	t.Run("a credential about someone else does not count", func(t *testing.T) {
		other := newWallet(t)
		theirs := kch.issue(t, staff.TypeIdentityCheck, other.did, vc.FormatJWT, t0)
		r, verdict, err := verify(t, nurse.present(t, [][]byte{theirs}, vc.FormatJWT, at), at, verifier.Policy{}, b)
		if !errors.Is(err, verifier.ErrHolderBinding) {
			t.Fatalf("%v\n%s", err, explain(r, verdict))
		}
		if q := requirement(verdict, "identity-check"); q.Outcome != policy.Missing || !strings.Contains(q.Reason, "not about the presentation's holder") {
			t.Fatalf("identity-check: %+v", q)
		}
	})
	t.Run("a credential on its own is not judged", func(t *testing.T) {
		v, err := verifier.New(verifier.Trust{Bundles: []*bundle.Bundle{b}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := v.Verify(ctx, id, verifier.Policy{Now: at})
		if err != nil {
			t.Fatal(err)
		}
		if verdict, err := policy.Evaluate(bankNurse(t), r); !errors.Is(err, policy.ErrNotJudged) || verdict != nil {
			t.Fatalf("Evaluate of a bare credential: %v", err)
		}
	})
	t.Run("a bundle signed by a publisher the verifier did not configure", func(t *testing.T) {
		forged, _ := build(t, stranger, list, client, t0, nil)
		if _, err := bundle.Open(ctx, forged, nhse.did, didkey.Resolver{}); !errors.Is(err, bundle.ErrSignature) {
			t.Fatalf("Open = %v, want ErrSignature", err)
		}
	})
	t.Run("a tampered bundle", func(t *testing.T) {
		parts := strings.Split(string(signed), ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		payload = []byte(strings.Replace(string(payload), `"IdentityCheckCredential"`, `"DBSCheckCredential"`, 1))
		tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
		if _, err := bundle.Open(ctx, []byte(tampered), nhse.did, didkey.Resolver{}); !errors.Is(err, bundle.ErrSignature) {
			t.Fatalf("Open = %v, want ErrSignature", err)
		}
	})
	t.Run("a stale bundle", func(t *testing.T) {
		late := b.ValidUntil.Add(time.Hour)
		vp := nurse.present(t, [][]byte{id}, vc.FormatJWT, late)
		r, _, err := verify(t, vp, late, verifier.Policy{}, b)
		if !errors.Is(err, verifier.ErrStaleBundle) || r.Verified {
			t.Fatalf("%v\n%s", err, explain(r, nil))
		}
		c := r.Credentials[0].Check(verifier.CheckIssuerTrust)
		if !strings.Contains(c.Reason, "valid until") {
			t.Errorf("issuer trust: %q", c.Reason)
		}
		r, _, err = verify(t, vp, late, verifier.Policy{AcceptStaleStatus: true}, b)
		if c := r.Credentials[0].Check(verifier.CheckIssuerTrust); !strings.Contains(c.Reason, "STALE") {
			t.Errorf("accepted stale, the reason does not say so: %q (%v)", c.Reason, err)
		}
	})
	t.Run("a status list in a bundle rewritten to hide its validity", func(t *testing.T) {
		// A careless (or hostile) publisher puts a status list rewritten
		// after its issuer signed it into a bundle it signs: the list's
		// own proof refuses it.
		bad, _ := bundle.Parse(mustMarshal(t, b))
		for i := range bad.StatusLists {
			var m map[string]any
			json.Unmarshal(bad.StatusLists[i].Credential, &m)
			m["@nest"] = map[string]any{"validUntil": m["validUntil"]}
			delete(m, "validUntil")
			bad.StatusLists[i].Credential, _ = json.Marshal(m)
		}
		resigned, err := bundle.Sign(bad, nhse.signer)
		if err != nil {
			t.Fatal(err)
		}
		r, _, err := verify(t, nurse.present(t, [][]byte{id}, vc.FormatJWT, at), at, verifier.Policy{}, open(t, resigned, nhse))
		if !errors.Is(err, verifier.ErrStatus) || !errors.Is(err, verifier.ErrNotBound) {
			t.Fatalf("%v\n%s", err, explain(r, nil))
		}
	})
}

func mustMarshal(t *testing.T, b *bundle.Bundle) []byte {
	t.Helper()
	data, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return data
}
