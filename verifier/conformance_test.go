package verifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/verifier"
)

// didKeyOrg is an issuer whose DID is a did:key, as the W3C suites'
// issuers are.
func didKeyOrg(t *testing.T, seed byte) *org {
	t.Helper()
	signer, id := didKeyIssuer(t, seed)
	return &org{did: id, signer: signer}
}

func TestAnyDIDKeyIssuerIsTrustedOnlyInConformanceModeAndEveryResultSaysSo(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	dk := didKeyOrg(t, 9)
	cred := issue(t, dk, credentialJSON(dk.did, nil), issuer.FormatEdDSARDFC2022)
	web := issue(t, f.other, credentialJSON(f.other.did, nil), issuer.FormatJWT)

	strict := f.verifier(t)
	if r, err := strict.Verify(ctx, cred, verifier.Policy{}); !errors.Is(err, verifier.ErrUntrustedIssuer) || len(r.Warnings) != 0 {
		t.Fatalf("without conformance mode a did:key issuer is trusted: %v, warnings %v", err, r.Warnings)
	}

	conf, err := verifier.New(verifier.Trust{AnyDIDKeyIssuerUnsafe: true, Resolver: f.resolver},
		verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	r, err := conf.Verify(ctx, cred, verifier.Policy{})
	if err != nil {
		t.Fatalf("conformance mode refuses a did:key issuer: %v", err)
	}
	if c := r.Check(verifier.CheckIssuerTrust); !strings.Contains(c.Reason, "conformance mode") {
		t.Fatalf("issuer-trust reason %q does not say why", c.Reason)
	}
	if !slices.Equal(r.Warnings, []string{verifier.ConformanceWarning}) {
		t.Fatalf("warnings = %v", r.Warnings)
	}
	report, _ := json.Marshal(r)
	if !strings.Contains(string(report), `"warnings":["conformance mode`) {
		t.Fatalf("the JSON report does not carry the warning: %s", report)
	}

	// A did:web issuer is still not trusted, and its Result says the mode.
	r, err = conf.Verify(ctx, web, verifier.Policy{})
	if !errors.Is(err, verifier.ErrUntrustedIssuer) || len(r.Warnings) != 1 {
		t.Fatalf("a did:web issuer in conformance mode: %v, warnings %v", err, r.Warnings)
	}

	// In a presentation, the presentation's Result and each credential's
	// carry the warning.
	wallet := didKeyOrg(t, 10)
	vp, err := holder.Present([][]byte{issue(t, dk, credentialJSON(dk.did, func(c map[string]any) {
		c["credentialSubject"].(map[string]any)["id"] = wallet.did
	}), issuer.FormatJWT)}, wallet.signer, holder.Options{Format: issuer.FormatJWT, Challenge: "c1", Domain: "https://verifier.example", Created: now.Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	r, err = conf.Verify(ctx, vp, verifier.Policy{Challenge: "c1", Domain: "https://verifier.example"})
	if err != nil {
		t.Fatalf("presentation: %v", err)
	}
	if len(r.Warnings) != 1 || len(r.Credentials) != 1 || len(r.Credentials[0].Warnings) != 1 {
		t.Fatalf("warnings: presentation %v, credentials %+v", r.Warnings, r.Credentials)
	}
}

func TestConformanceModeChecksTheStatusListsOfADIDKeyIssuer(t *testing.T) {
	ctx := context.Background()
	dk := didKeyOrg(t, 11)
	reg, err := registry.Create(ctx, filepath.Join(t.TempDir(), "r.db"), registry.Config{StatusBaseURL: "https://127.0.0.1:40443/status"})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	rec, _, err := issuer.IssueRecorded(ctx, reg, dk.signer, issuer.Issuance{Credential: credentialJSON(dk.did, func(c map[string]any) { delete(c, "id") }), Format: issuer.FormatEdDSARDFC2022, Actor: "t"}, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	lists := func() [][]byte {
		var out [][]byte
		for _, a := range rec.Status {
			l, _, _, err := issuer.SignStatusList(ctx, reg, dk.signer, a.ListID, now.Add(-time.Minute), issuer.PublishOptions{Format: issuer.FormatEdDSARDFC2022})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, l)
		}
		return out
	}
	conf := func() *verifier.Verifier {
		v, err := verifier.New(verifier.Trust{AnyDIDKeyIssuerUnsafe: true, StatusLists: lists()}, verifier.WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if r, err := conf().Verify(ctx, rec.Credential, verifier.Policy{}); err != nil {
		t.Fatalf("a did:key issuer's own status lists are not trusted in conformance mode: %v %+v", err, r.Checks)
	}
	if _, err := reg.Revoke(ctx, registry.Target{CredentialID: rec.CredentialID}, registry.Change{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	if _, err := conf().Verify(ctx, rec.Credential, verifier.Policy{}); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("a revoked credential in conformance mode: %v", err)
	}
	// Without conformance mode, the did:key's lists are not trusted.
	strict, err := verifier.New(verifier.Trust{Issuers: []string{"did:web:kch.nhs.uk"}, StatusLists: lists()}, verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := strict.Verify(ctx, rec.Credential, verifier.Policy{}); !errors.Is(err, verifier.ErrUntrustedIssuer) {
		t.Fatalf("strict: %v", err)
	}
}
