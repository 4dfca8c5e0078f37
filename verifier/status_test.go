package verifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/status"
	"github.com/staffpass/staffpass/verifier"
)

// statusWorld is an organisation with a registry that issues revocable
// credentials and publishes its status lists.
type statusWorld struct {
	*fixture
	reg *registry.Registry
	dir string
}

func newStatusWorld(t *testing.T) *statusWorld {
	t.Helper()
	f := newFixture(t)
	dir := t.TempDir()
	reg, err := registry.Create(context.Background(), filepath.Join(dir, "registry.db"),
		registry.Config{StatusBaseURL: "https://kch.nhs.uk/status"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	return &statusWorld{fixture: f, reg: reg, dir: dir}
}

func (w *statusWorld) issue(t *testing.T, format issuer.Format, name string) []byte {
	t.Helper()
	data := credentialJSON(w.kch.did, func(c map[string]any) {
		delete(c, "id")
		c["credentialSubject"].(map[string]any)["name"] = name
	})
	rec, _, err := issuer.IssueRecorded(context.Background(), w.reg, w.kch.signer,
		issuer.Issuance{Credential: data, Format: format, Actor: "hr@kch"}, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return rec.Credential
}

// publish signs the lists (as signer, normally the issuer) and returns them.
func (w *statusWorld) publish(t *testing.T, o *org, at time.Time, validFor time.Duration) [][]byte {
	t.Helper()
	out := filepath.Join(w.dir, "published")
	pubs, err := issuer.PublishStatusLists(context.Background(), w.reg, o.signer, at,
		issuer.PublishOptions{Dir: out, Format: issuer.FormatJWT, ValidFor: validFor, Actor: "hr@kch"})
	if err != nil {
		t.Fatal(err)
	}
	var lists [][]byte
	for _, p := range pubs {
		data, err := os.ReadFile(p.File)
		if err != nil {
			t.Fatal(err)
		}
		lists = append(lists, data)
	}
	return lists
}

func (w *statusWorld) verify(t *testing.T, lists [][]byte, cred []byte) (*verifier.Result, error) {
	t.Helper()
	v, err := verifier.New(verifier.Trust{Issuers: []string{w.kch.did}, Resolver: w.resolver, StatusLists: lists},
		verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	return v.Verify(context.Background(), cred, verifier.Policy{})
}

func TestRevokedAndSuspendedCredentialsFailVerification(t *testing.T) {
	w := newStatusWorld(t)
	jwt := w.issue(t, issuer.FormatJWT, "Sam Example")
	di := w.issue(t, issuer.FormatEdDSARDFC2022, "Alex Example")
	ctx := context.Background()
	change := registry.Change{Actor: "hr@kch", Reason: "test"}
	idOf := func(cred []byte) string {
		r, err := w.verify(t, w.publish(t, w.kch, now, 0), cred)
		if err != nil {
			t.Fatalf("a freshly issued credential does not verify: %v", err)
		}
		return r.ID
	}
	jwtID, diID := idOf(jwt), idOf(di)

	if _, err := w.reg.Revoke(ctx, registry.Target{CredentialID: jwtID}, change); err != nil {
		t.Fatal(err)
	}
	if _, err := w.reg.Suspend(ctx, registry.Target{CredentialID: diID}, change); err != nil {
		t.Fatal(err)
	}
	lists := w.publish(t, w.kch, now, 0)
	if _, err := w.verify(t, lists, jwt); !errors.Is(err, verifier.ErrRevoked) {
		t.Errorf("revoked vc+jwt: %v, want ErrRevoked", err)
	}
	r, err := w.verify(t, lists, di)
	if !errors.Is(err, verifier.ErrSuspended) {
		t.Errorf("suspended Data Integrity credential: %v, want ErrSuspended", err)
	}
	if c := r.Check(verifier.CheckStatus); c == nil || c.Status != verifier.Failed {
		t.Errorf("status check = %+v, want failed", c)
	}

	if _, err := w.reg.Unsuspend(ctx, registry.Target{CredentialID: diID}, change); err != nil {
		t.Fatal(err)
	}
	lists = w.publish(t, w.kch, now, 0)
	if _, err := w.verify(t, lists, di); err != nil {
		t.Errorf("unsuspended credential: %v, want it to verify again", err)
	}
	if _, err := w.verify(t, lists, jwt); !errors.Is(err, verifier.ErrRevoked) {
		t.Errorf("revoked credential after another publish: %v, want ErrRevoked", err)
	}
}

func TestStatusListsThatCannotBeTrustedAreRefused(t *testing.T) {
	w := newStatusWorld(t)
	cred := w.issue(t, issuer.FormatJWT, "Sam Example")
	tests := []struct {
		name  string
		lists [][]byte
	}{
		{"no status list given", nil},
		{"a status list signed by another issuer", w.publish(t, w.other, now, 0)},
		{"a status list that has expired", w.publish(t, w.kch, now.Add(-10*24*time.Hour), 7*24*time.Hour)},
		{"a status list not yet valid", w.publish(t, w.kch, now.Add(24*time.Hour), 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name+" fails the status check", func(t *testing.T) {
			r, err := w.verify(t, tt.lists, cred)
			if !errors.Is(err, verifier.ErrStatus) {
				t.Fatalf("err = %v, want ErrStatus", err)
			}
			if c := r.Check(verifier.CheckStatus); c == nil || c.Status != verifier.Failed || c.Reason == "" {
				t.Errorf("status check = %+v", c)
			}
			if r.Check(verifier.CheckProof).Status != verifier.Passed {
				t.Errorf("the credential's own proof should still pass")
			}
		})
	}
}

func TestNewRefusesStatusListsItCannotRead(t *testing.T) {
	w := newStatusWorld(t)
	w.issue(t, issuer.FormatJWT, "Sam Example")
	lists := w.publish(t, w.kch, now, 0)
	for name, bad := range map[string][][]byte{
		"a list that is not a credential": {[]byte("not a list")},
		"a credential that is not a list": {w.issue(t, issuer.FormatJWT, "Other Person")},
		"the same list twice":             {lists[0], lists[0]},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := verifier.New(verifier.Trust{Issuers: []string{w.kch.did}, Resolver: w.resolver, StatusLists: bad})
			if !errors.Is(err, verifier.ErrConfig) {
				t.Errorf("New = %v, want ErrConfig", err)
			}
		})
	}
}

func TestPublishingTwiceWithoutChangesGivesTheSameBits(t *testing.T) {
	w := newStatusWorld(t)
	w.issue(t, issuer.FormatJWT, "Sam Example")
	first := w.publish(t, w.kch, now, 0)
	second := w.publish(t, w.kch, now.Add(time.Hour), 0)
	if len(first) != len(second) || len(first) == 0 {
		t.Fatalf("published %d then %d lists", len(first), len(second))
	}
	for i := range first {
		a, b := encodedList(t, first[i]), encodedList(t, second[i])
		if a != b {
			t.Errorf("list %d: the bits changed across two publications with no status change", i)
		}
		if string(first[i]) == string(second[i]) {
			t.Errorf("list %d: the second publication was not re-signed with its new validity", i)
		}
	}
}

// encodedList returns the encodedList of a status list vc+jwt.
func encodedList(t *testing.T, token []byte) string {
	t.Helper()
	parts := strings.Split(string(token), ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", token)
	}
	var c struct {
		CredentialSubject struct {
			EncodedList string `json:"encodedList"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal([]byte(unb64(t, parts[1])), &c); err != nil || c.CredentialSubject.EncodedList == "" {
		t.Fatalf("no encodedList: %v", err)
	}
	return c.CredentialSubject.EncodedList
}

// A list's validity gets the same clock skew as a credential's, and a
// list's ttl is judged from when the lists were fetched, if that is known.
func TestStatusListTimes(t *testing.T) {
	w := newStatusWorld(t)
	cred := w.issue(t, issuer.FormatJWT, "Sam Example")
	if _, err := w.verify(t, w.publish(t, w.kch, now.Add(30*time.Second), 0), cred); err != nil {
		t.Errorf("a list published 30 s ahead of the verifier's clock: %v, want it within the clock skew", err)
	}
	out := filepath.Join(w.dir, "ttl")
	pubs, err := issuer.PublishStatusLists(context.Background(), w.reg, w.kch.signer, now.Add(-3*time.Hour),
		issuer.PublishOptions{Dir: out, Format: issuer.FormatEdDSARDFC2022, TTL: time.Hour, Actor: "hr@kch"})
	if err != nil {
		t.Fatal(err)
	}
	var lists [][]byte
	for _, p := range pubs {
		data, err := os.ReadFile(p.File)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), `"ttl":3600000`) {
			t.Fatalf("%s has no ttl of an hour: %s", p.File, data)
		}
		lists = append(lists, data)
	}
	for _, tt := range []struct {
		name    string
		fetched time.Time
		want    error
	}{
		{"fetched time unknown", time.Time{}, nil},
		{"fetched within the ttl", now.Add(-59 * time.Minute), nil},
		{"fetched longer ago than the ttl", now.Add(-61 * time.Minute), status.ErrListStale},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := verifier.New(verifier.Trust{Issuers: []string{w.kch.did}, Resolver: w.resolver, StatusLists: lists, StatusListsFetched: tt.fetched},
				verifier.WithClock(func() time.Time { return now }))
			if err != nil {
				t.Fatal(err)
			}
			_, err = v.Verify(context.Background(), cred, verifier.Policy{})
			if tt.want == nil && err != nil || tt.want != nil && (!errors.Is(err, tt.want) || !errors.Is(err, verifier.ErrStatus)) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
