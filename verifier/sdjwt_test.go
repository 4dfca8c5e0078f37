package verifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/bundle"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/vc/status"
	"github.com/staffpass/staffpass/verifier"
)

// sdWallet is a member of staff's phone key, named by its did:jwk.
type sdWallet struct {
	did    string
	signer keys.Signer
	jwk    map[string]any
}

func newSDWallet(t testing.TB) *sdWallet {
	t.Helper()
	k, err := keys.Generate(keys.P256)
	if err != nil {
		t.Fatal(err)
	}
	id, err := didjwk.New(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(k, id.String()+"#0")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := keys.MarshalPublicJWK(k.Public())
	var m map[string]any
	json.Unmarshal(b, &m)
	return &sdWallet{did: id.String(), signer: s, jwk: m}
}

const dbsVCT = "https://w3id.org/staffpass/vct/DBSCheckCredential"

func sdClaims(iss string, w *sdWallet, change func(map[string]any)) map[string]any {
	c := map[string]any{
		"iss": iss, "vct": dbsVCT, "iat": now.Add(-time.Hour).Unix(), "exp": now.Add(365 * 24 * time.Hour).Unix(),
		"cnf":       map[string]any{"jwk": w.jwk},
		"birthdate": "1990-04-01",
		"dbsCheck":  map[string]any{"level": "enhanced", "certificateNumber": "001234567890", "workforce": "adult"},
	}
	if change != nil {
		change(c)
	}
	return c
}

var sdDisclosable = []string{"/birthdate", "/dbsCheck/certificateNumber"}

func TestSDJWTVCVerifiesAsCredentialAndPresentation(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	w := newSDWallet(t)
	sd, _, err := sdjwt.Issue(sdClaims(f.kch.did, w, nil), sdDisclosable, sdjwt.TypeSDJWTVC, f.kch.signer)
	if err != nil {
		t.Fatal(err)
	}
	// As issued, with every Disclosure: a credential.
	r, err := v.Verify(context.Background(), []byte(sd), verifier.Policy{})
	if err != nil {
		t.Fatalf("%v\n%s", err, resultText(r))
	}
	if r.Kind != verifier.KindCredential || r.Format != "dc+sd-jwt" || r.Issuer != f.kch.did || r.Types[0] != dbsVCT ||
		len(r.Subjects) != 1 || r.Subjects[0] != w.did || len(r.Disclosed) != 2 {
		t.Errorf("result %s", resultText(r))
	}
	// Shown to a trust: no certificate number, bound to its challenge.
	p, err := sdjwt.Present(sd, func(p string) bool { return p == "/birthdate" }, &sdjwt.KeyBinding{
		Signer: w.signer, Audience: "https://bank.gstt.nhs.uk", Nonce: "c-1", IssuedAt: now.Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	pol := verifier.Policy{Challenge: "c-1", Domain: "https://bank.gstt.nhs.uk"}
	r, err = v.Verify(context.Background(), []byte(p), pol)
	if err != nil {
		t.Fatalf("%v\n%s", err, resultText(r))
	}
	if r.Kind != verifier.KindPresentation || r.Format != "dc+sd-jwt+kb" || r.Holder != w.did || len(r.Credentials) != 1 {
		t.Errorf("result %s", resultText(r))
	}
	claims := r.Credentials[0].SDJWTClaims
	if claims["birthdate"] != "1990-04-01" || claims["dbsCheck"].(map[string]any)["certificateNumber"] != nil {
		t.Errorf("claims %v", claims)
	}

	// The presentation's own checks.
	for name, tt := range map[string]struct {
		pol  verifier.Policy
		want error
	}{
		"another challenge": {verifier.Policy{Challenge: "c-2", Domain: pol.Domain}, verifier.ErrChallenge},
		"another domain":    {verifier.Policy{Challenge: "c-1", Domain: "https://evil.example"}, verifier.ErrDomain},
		"no challenge":      {verifier.Policy{Domain: pol.Domain}, verifier.ErrChallenge},
		"too old":           {verifier.Policy{Challenge: "c-1", Domain: pol.Domain, Now: now.Add(time.Hour)}, verifier.ErrStalePresentation},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := v.Verify(context.Background(), []byte(p), tt.pol); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSDJWTVCRefusals(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	w, thief := newSDWallet(t), newSDWallet(t)
	issue := func(claims map[string]any, disclosable ...string) string {
		t.Helper()
		sd, _, err := sdjwt.Issue(claims, disclosable, sdjwt.TypeSDJWTVC, f.kch.signer)
		if err != nil {
			t.Fatal(err)
		}
		return sd
	}
	good := issue(sdClaims(f.kch.did, w, nil), sdDisclosable...)
	kb := func(sd string, s keys.Signer) string {
		p, err := sdjwt.Present(sd, func(string) bool { return true }, &sdjwt.KeyBinding{Signer: s, Audience: "d", Nonce: "c", IssuedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	pol := verifier.Policy{Challenge: "c", Domain: "d"}
	otherIssuer, _, _ := sdjwt.Issue(sdClaims(f.other.did, w, nil), nil, sdjwt.TypeSDJWTVC, f.other.signer)
	tests := []struct {
		name string
		in   string
		pol  verifier.Policy
		want error
		word string
	}{
		{"expired", issue(sdClaims(f.kch.did, w, func(c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() })), verifier.Policy{}, verifier.ErrExpired, ""},
		{"not yet valid", issue(sdClaims(f.kch.did, w, func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() })), verifier.Policy{}, verifier.ErrNotYetValid, ""},
		{"an issuer not trusted", otherIssuer, verifier.Policy{}, verifier.ErrUntrustedIssuer, ""},
		{"iss claims another issuer than the key's", issue(sdClaims(f.p256.did, w, nil)), verifier.Policy{}, verifier.ErrIssuerKey, ""},
		{"iss not a DID", issue(sdClaims("https://kch.nhs.uk", w, nil)), verifier.Policy{}, verifier.ErrMalformed, "not a DID"},
		{"no vct", issue(sdClaims(f.kch.did, w, func(c map[string]any) { delete(c, "vct") })), verifier.Policy{}, verifier.ErrMalformed, "vct"},
		{"vct selectively disclosable", issue(sdClaims(f.kch.did, w, nil), "/vct"), verifier.Policy{}, verifier.ErrMalformed, "vct"},
		{"cnf selectively disclosable", issue(sdClaims(f.kch.did, w, nil), "/cnf"), verifier.Policy{}, verifier.ErrMalformed, "cnf"},
		{"a status it cannot check", issue(sdClaims(f.kch.did, w, func(c map[string]any) {
			c["status"] = map[string]any{"status_list": map[string]any{"idx": 7, "uri": "https://kch.nhs.uk/tsl/1"}}
		})), verifier.Policy{}, verifier.ErrStatus, "status"},
		{"a Disclosure of another credential", good + strings.Split(issue(sdClaims(f.kch.did, w, nil), sdDisclosable...), "~")[1] + "~", verifier.Policy{}, verifier.ErrMalformed, "Disclosure"},
		{"a Key Binding JWT by another key", kb(good, thief.signer), pol, verifier.ErrProof, ""},
		{"a Key Binding JWT for a credential that binds no key", kb(issue(sdClaims(f.kch.did, w, func(c map[string]any) { delete(c, "cnf") })), w.signer), pol, verifier.ErrHolderBinding, ""},
		{"a presentation of a revoked-like, expired credential", kb(issue(sdClaims(f.kch.did, w, func(c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() })), w.signer), pol, verifier.ErrExpired, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := v.Verify(context.Background(), []byte(tt.in), tt.pol)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v\n%s", err, tt.want, resultText(r))
			}
			if tt.word != "" && !strings.Contains(err.Error(), tt.word) {
				t.Errorf("the error does not name %q: %v", tt.word, err)
			}
		})
	}
}

// tokenList signs, as o, a Status List Token for uri with the given
// statuses (one bit each unless bits says otherwise).
func tokenList(t *testing.T, o *org, uri string, statuses []int, bits int, change func(map[string]any)) []byte {
	t.Helper()
	lst, err := status.EncodeTokenList(statuses, bits)
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"sub": uri, "iat": now.Add(-time.Hour).Unix(), "exp": now.Add(time.Hour).Unix(),
		"status_list": map[string]any{"bits": bits, "lst": lst}}
	if change != nil {
		change(claims)
	}
	b, _ := json.Marshal(claims)
	tok, err := jose.SignDocument(b, status.TypeStatusListToken, o.signer, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(tok)
}

// An SD-JWT VC's status, in an IETF Token Status List its issuer signed.
func TestSDJWTVCTokenStatusList(t *testing.T) {
	f := newFixture(t)
	w := newSDWallet(t)
	const uri = "https://kch.nhs.uk/tsl/1"
	withStatus := func(idx int, u string) string {
		sd, _, err := sdjwt.Issue(sdClaims(f.kch.did, w, func(c map[string]any) {
			c["status"] = map[string]any{"status_list": map[string]any{"idx": idx, "uri": u}}
		}), nil, sdjwt.TypeSDJWTVC, f.kch.signer)
		if err != nil {
			t.Fatal(err)
		}
		return sd
	}
	statuses := make([]int, 64)
	statuses[3], statuses[5], statuses[9] = status.TokenInvalid, status.TokenSuspended, 3
	verifierWith := func(lists ...[]byte) *verifier.Verifier {
		v, err := verifier.New(verifier.Trust{Issuers: []string{f.kch.did}, Resolver: f.resolver, StatusLists: lists,
			StatusListsFetched: now.Add(-10 * time.Minute)}, verifier.WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	good := tokenList(t, f.kch, uri, statuses, 2, nil)
	v := verifierWith(good)
	tests := []struct {
		name string
		v    *verifier.Verifier
		in   string
		want error
		word string
	}{
		{"valid", v, withStatus(0, uri), nil, ""},
		{"revoked", v, withStatus(3, uri), verifier.ErrRevoked, ""},
		{"suspended", v, withStatus(5, uri), verifier.ErrSuspended, ""},
		{"a status value with no meaning here", v, withStatus(9, uri), verifier.ErrStatus, "0x03"},
		{"beyond the list", v, withStatus(4096, uri), verifier.ErrStatus, "index"},
		{"a list not given", v, withStatus(0, "https://kch.nhs.uk/tsl/2"), verifier.ErrStatus, "not given"},
		{"a list signed by another issuer", verifierWith(tokenList(t, f.other, uri, statuses, 2, nil)), withStatus(0, uri), verifier.ErrStatus, "does not verify"},
		{"an expired list", verifierWith(tokenList(t, f.kch, uri, statuses, 2, func(c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() })), withStatus(0, uri), verifier.ErrStatus, "expired"},
		{"a list past its ttl", verifierWith(tokenList(t, f.kch, uri, statuses, 2, func(c map[string]any) { c["ttl"] = 60 })), withStatus(0, uri), verifier.ErrStatus, "ttl"},
		{"a list issued in the future", verifierWith(tokenList(t, f.kch, uri, statuses, 2, func(c map[string]any) { c["iat"] = now.Add(time.Hour).Unix() })), withStatus(0, uri), verifier.ErrStatus, "after the verification time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.v.Verify(context.Background(), []byte(tt.in), verifier.Policy{})
			if tt.want == nil {
				if err != nil {
					t.Fatalf("%v\n%s", err, resultText(r))
				}
				if c := r.Check(verifier.CheckStatus); !strings.Contains(c.Reason, uri) {
					t.Errorf("status reason %q", c.Reason)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.word != "" && !strings.Contains(err.Error(), tt.word) {
				t.Errorf("the error does not name %q: %v", tt.word, err)
			}
		})
	}
	// The same list twice is a configuration error.
	if _, err := verifier.New(verifier.Trust{Issuers: []string{f.kch.did}, Resolver: f.resolver, StatusLists: [][]byte{good, good}}); !errors.Is(err, verifier.ErrConfig) {
		t.Errorf("two tokens for one list: %v", err)
	}
}

// A policy that requires key binding refuses an SD-JWT VC shown bare.
func TestSDJWTVCWithoutKeyBindingWhenRequired(t *testing.T) {
	f := newFixture(t)
	w := newSDWallet(t)
	sd, _, err := sdjwt.Issue(sdClaims(f.kch.did, w, nil), sdDisclosable, sdjwt.TypeSDJWTVC, f.kch.signer)
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.verifier(t).Verify(context.Background(), []byte(sd), verifier.Policy{Challenge: "c", Domain: "d", RequireKeyBinding: true})
	if !errors.Is(err, verifier.ErrHolderBinding) || r.Kind != verifier.KindPresentation || len(r.Credentials) != 1 || !r.Credentials[0].Verified {
		t.Fatalf("err = %v\n%s", err, resultText(r))
	}
	if c := r.Check(verifier.CheckProof); c.Status != verifier.Failed || !strings.Contains(c.Reason, "without a Key Binding JWT") {
		t.Errorf("proof check %+v", c)
	}
}

// A trust bundle lists an issuer's staff types once, by their VCDM names: a
// bundle trusting it for DBSCheckCredential trusts its DBS SD-JWT VCs too
// (vct staff.VCTPrefix + type), and one trusting it for training alone does
// not.
func TestSDJWTVCTrustedForItsStaffTypeByABundle(t *testing.T) {
	f := newFixture(t)
	w := newSDWallet(t)
	sd, _, err := sdjwt.Issue(sdClaims(f.kch.did, w, nil), sdDisclosable, sdjwt.TypeSDJWTVC, f.kch.signer)
	if err != nil {
		t.Fatal(err)
	}
	if dbsVCT != staff.VCT("DBSCheckCredential") {
		t.Fatalf("the test's vct %q is not staff's %q", dbsVCT, staff.VCT("DBSCheckCredential"))
	}
	for _, tt := range []struct {
		types []string
		want  error
	}{
		{[]string{"DBSCheckCredential"}, nil},
		{[]string{dbsVCT}, nil},
		{[]string{"MandatoryTrainingCredential"}, verifier.ErrUntrustedIssuer},
		{[]string{"https://example.org/DBSCheckCredential"}, verifier.ErrUntrustedIssuer},
	} {
		b := mkBundle("did:web:nhse.example", "national", now.Add(-24*time.Hour), now.Add(week), bundle.Issuer{ID: f.kch.did, Types: tt.types, Document: f.kch.doc})
		v, err := verifier.New(verifier.Trust{Bundles: []*bundle.Bundle{b}}, verifier.WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		r, err := v.Verify(context.Background(), []byte(sd), verifier.Policy{})
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("listed for %v: err = %v, want %v\n%s", tt.types, err, tt.want, resultText(r))
		}
	}
}
