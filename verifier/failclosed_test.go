package verifier_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multiformats/go-multibase"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc/status"
	"github.com/staffpass/staffpass/verifier"
)

// withStatus returns a vc+jwt credential of kch whose credentialStatus is
// entries, given as JSON.
func withStatus(t *testing.T, f *fixture, entries string) []byte {
	t.Helper()
	return issue(t, f.kch, credentialJSON(f.kch.did, func(c map[string]any) {
		var v any
		if err := json.Unmarshal([]byte(entries), &v); err != nil {
			t.Fatal(err)
		}
		c["credentialStatus"] = v
	}), issuer.FormatJWT)
}

// A status the verifier cannot check fails the status check, naming what
// it is: an entry of a type other than BitstringStatusListEntry and
// StatusList2021Entry (entra_test.go checks that one), or of a
// statusPurpose the Bitstring Status List does not define.
func TestStatusEntriesTheVerifierCannotCheckFailClosed(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	entry := func(typ, purpose string) string {
		return `{"id":"https://kch.nhs.uk/status/9#1","type":` + typ + `,"statusPurpose":"` + purpose +
			`","statusListIndex":"1","statusListCredential":"https://kch.nhs.uk/status/9"}`
	}
	tests := []struct {
		name, entries, reason string
	}{
		{"a CredentialStatusList2017", `{"id":"https://kch.nhs.uk/cs#1","type":"CredentialStatusList2017"}`, `"CredentialStatusList2017"`},
		{"a RevocationList2021Status", `{"id":"https://kch.nhs.uk/rl#1","type":"RevocationList2021Status","revocationListIndex":"1","revocationListCredential":"https://kch.nhs.uk/rl"}`, `"RevocationList2021Status"`},
		{"an entry of two types", entry(`["BitstringStatusListEntry","ExampleStatus"]`, "revocation"), `"ExampleStatus"`},
		{"a known entry beside an unknown one", "[" + entry(`"BitstringStatusListEntry"`, "refresh") + "," + entry(`"StatusList2020Entry"`, "revocation") + "]", `"StatusList2020Entry"`},
		{"a purpose the Bitstring Status List does not define", entry(`"BitstringStatusListEntry"`, "expiry"), `"expiry"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := v.Verify(context.Background(), withStatus(t, f, tt.entries), verifier.Policy{})
			c := r.Check(verifier.CheckStatus)
			if !errors.Is(err, verifier.ErrStatus) || c == nil || c.Status != verifier.Failed {
				t.Fatalf("err = %v, status check %+v: want it failed with ErrStatus", err, c)
			}
			if !strings.Contains(c.Reason, tt.reason) {
				t.Errorf("the reason %q does not name %s", c.Reason, tt.reason)
			}
		})
	}
	// Entries for refresh and message say nothing of validity.
	r, err := v.Verify(context.Background(), withStatus(t, f, entry(`"BitstringStatusListEntry"`, "refresh")), verifier.Policy{})
	if err != nil || !r.Verified {
		t.Errorf("a refresh entry: %v", err)
	}
}

// signedList signs kch's status list credential, with no bit set, as a
// vc+jwt with the given extra JWT claims.
func signedList(t *testing.T, f *fixture, claims map[string]any) []byte {
	t.Helper()
	list, err := status.New(status.MinEntries)
	if err != nil {
		t.Fatal(err)
	}
	lc := &status.ListCredential{
		ID: "https://kch.nhs.uk/status/9", Issuer: f.kch.did, Purposes: []string{status.PurposeRevocation},
		List: list, ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(24 * time.Hour),
	}
	cred, err := lc.Credential()
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(cred)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(data, &m)
	for k, v := range claims {
		m[k] = v
	}
	data, _ = json.Marshal(m)
	tok, err := jose.Sign(data, jose.SignOptions{Kind: jose.KindCredential, Signer: f.kch.signer})
	if err != nil {
		t.Fatal(err)
	}
	return []byte(tok)
}

// A status list sent as vc+jwt is judged by its exp and nbf as well as by
// its validity period.
func TestStatusListJWTTimeClaimsAreJudged(t *testing.T) {
	f := newFixture(t)
	cred := withStatus(t, f, `{"id":"https://kch.nhs.uk/status/9#1","type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://kch.nhs.uk/status/9"}`)
	tests := []struct {
		name   string
		claims map[string]any
		want   error
	}{
		{"exp and nbf around now", map[string]any{"nbf": now.Add(-time.Hour).Unix(), "exp": now.Add(time.Hour).Unix()}, nil},
		{"an exp in the past", map[string]any{"exp": now.Add(-time.Hour).Unix()}, status.ErrListExpired},
		{"an nbf in the future", map[string]any{"nbf": now.Add(time.Hour).Unix()}, status.ErrListNotYetValid},
		{"an exp within the clock skew", map[string]any{"exp": now.Add(-30 * time.Second).Unix()}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := verifier.New(verifier.Trust{Issuers: []string{f.kch.did}, Resolver: f.resolver, StatusLists: [][]byte{signedList(t, f, tt.claims)}},
				verifier.WithClock(func() time.Time { return now }))
			if err != nil {
				t.Fatal(err)
			}
			_, err = v.Verify(context.Background(), cred, verifier.Policy{})
			if tt.want == nil && err != nil || tt.want != nil && (!errors.Is(err, tt.want) || !errors.Is(err, verifier.ErrStatus)) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// cancellingResolver resolves with next, except that the call numbered
// failOn cancels the caller's context and fails as a resolver whose
// context ended does.
type cancellingResolver struct {
	next   did.Resolver
	calls  atomic.Int32
	failOn int32
	cancel context.CancelFunc
}

func (r *cancellingResolver) Resolve(ctx context.Context, id string) (*did.Document, error) {
	if r.calls.Add(1) == r.failOn {
		r.cancel()
		return nil, ctx.Err()
	}
	return r.next.Resolve(ctx, id)
}

// A status list whose proof could not be checked only because the caller's
// context ended is not remembered as bad: the next caller checks it again.
func TestAStatusListIsNotCondemnedByACancelledCaller(t *testing.T) {
	f := newFixture(t)
	cred := withStatus(t, f, `{"id":"https://kch.nhs.uk/status/9#1","type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://kch.nhs.uk/status/9"}`)
	ctx, cancel := context.WithCancel(context.Background())
	res := &cancellingResolver{next: f.resolver, failOn: 2, cancel: cancel}
	v, err := verifier.New(verifier.Trust{Issuers: []string{f.kch.did}, Resolver: res, StatusLists: [][]byte{signedList(t, f, nil)}},
		verifier.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, cred, verifier.Policy{}); !errors.Is(err, verifier.ErrStatus) || !errors.Is(err, context.Canceled) {
		t.Fatalf("with the context cancelled while the list was checked: %v", err)
	}
	if _, err := v.Verify(context.Background(), cred, verifier.Policy{}); err != nil {
		t.Fatalf("the next caller: %v, want the list checked again and the credential verified", err)
	}
}

// An EnvelopedVerifiableCredential is not secured itself: members besides
// @context, id and type are refused, by name.
func TestEnvelopesCarryNothingButTheCredential(t *testing.T) {
	f := newFixture(t)
	token := issue(t, f.kch, credentialJSON(f.kch.did, nil), issuer.FormatJWT)
	env, _ := json.Marshal(map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2"},
		"id":                "data:application/vc+jwt," + string(token),
		"type":              "EnvelopedVerifiableCredential",
		"credentialSubject": map[string]any{"id": "did:example:someone-else"},
	})
	r, err := f.verifier(t).Verify(context.Background(), env, verifier.Policy{})
	c := r.Check(verifier.CheckSyntax)
	if !errors.Is(err, verifier.ErrMalformed) || c == nil || !strings.Contains(c.Reason, `"credentialSubject"`) {
		t.Fatalf("err = %v, syntax check %+v", err, c)
	}
}

// flipS replaces the s of an r||s signature by n-s.
func flipS(sig []byte, n *big.Int) []byte {
	out := append([]byte(nil), sig...)
	size := len(sig) / 2
	s := new(big.Int).SetBytes(sig[size:])
	new(big.Int).Sub(n, s).FillBytes(out[size:])
	return out
}

// WithLowSOnly refuses the twin (r, n-s) of an ECDSA signature, in vc+jwt
// and in Data Integrity; by default both verify.
func TestWithLowSOnly(t *testing.T) {
	f := newFixture(t)
	n := f.p256.signer.Public().(*ecdsa.PublicKey).Curve.Params().N
	jwt := string(issue(t, f.p256, credentialJSON(f.p256.did, nil), issuer.FormatJWT))
	parts := strings.Split(jwt, ".")
	jwtTwin := []byte(parts[0] + "." + parts[1] + "." + b64(string(flipS([]byte(unb64(t, parts[2])), n))))

	di := issue(t, f.p256, credentialJSON(f.p256.did, nil), issuer.FormatECDSARDFC2019)
	var m map[string]any
	json.Unmarshal(di, &m)
	proof := m["proof"].(map[string]any)
	_, sig, err := multibase.Decode(proof["proofValue"].(string))
	if err != nil {
		t.Fatal(err)
	}
	proof["proofValue"], _ = multibase.Encode(multibase.Base58BTC, flipS(sig, n))
	diTwin, _ := json.Marshal(m)

	for name, twin := range map[string][]byte{"vc+jwt": jwtTwin, "ecdsa-rdfc-2019": diTwin} {
		t.Run(name, func(t *testing.T) {
			if _, err := f.verifier(t).Verify(context.Background(), twin, verifier.Policy{}); err != nil {
				t.Fatalf("by default: %v", err)
			}
			_, err := f.verifier(t, verifier.WithLowSOnly()).Verify(context.Background(), twin, verifier.Policy{})
			if !errors.Is(err, keys.ErrHighS) || !errors.Is(err, verifier.ErrProof) {
				t.Fatalf("WithLowSOnly: %v, want ErrProof and keys.ErrHighS", err)
			}
		})
	}
}

// A vc+jwt whose sub is not its credentialSubject.id is read one way only:
// refused.
func TestAVCJWTWhoseSubIsAnotherSubjectIsRefused(t *testing.T) {
	f := newFixture(t)
	payload := credentialJSON(f.kch.did, func(c map[string]any) { c["sub"] = "did:example:someone-else" })
	if _, err := jose.Sign(payload, jose.SignOptions{Kind: jose.KindCredential, Signer: f.kch.signer}); !errors.Is(err, jose.ErrClaimConflict) {
		t.Fatalf("Sign: %v, want ErrClaimConflict", err)
	}
	var m map[string]any
	json.Unmarshal(payload, &m)
	body, _ := json.Marshal(m)
	hdr := `{"alg":"EdDSA","kid":"` + f.kch.signer.KeyID() + `","typ":"vc+jwt"}`
	input := b64(hdr) + "." + b64(string(body))
	sig, err := keys.SignP1363(f.kch.signer, []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	token := []byte(input + "." + b64(string(sig)))
	r, err := f.verifier(t).Verify(context.Background(), token, verifier.Policy{})
	if !errors.Is(err, verifier.ErrMalformed) || !errors.Is(err, jose.ErrClaimConflict) || r.Verified {
		t.Fatalf("err = %v, want ErrMalformed and jose.ErrClaimConflict", err)
	}
}

// A credential that names a context the verifier does not hold is refused
// whatever secures it: what its terms mean is not known.
func TestUnknownContextsFailClosed(t *testing.T) {
	f := newFixture(t)
	const evil = "https://contexts.example/staff/v1"
	doc := []byte(`{"@context": {"role": "https://contexts.example/staff#role"}}`)
	data := credentialJSON(f.kch.did, func(c map[string]any) {
		c["@context"] = []any{"https://www.w3.org/ns/credentials/v2", evil}
		c["credentialSubject"].(map[string]any)["role"] = "nurse"
	})
	for _, format := range []issuer.Format{issuer.FormatJWT, issuer.FormatEdDSAJCS2022} {
		t.Run(string(format), func(t *testing.T) {
			signed := issue(t, f.kch, data, format)
			r, err := f.verifier(t).Verify(context.Background(), signed, verifier.Policy{})
			if c := r.Check(verifier.CheckContexts); !errors.Is(err, verifier.ErrUnknownContext) || c == nil || !strings.Contains(c.Reason, evil) {
				t.Fatalf("err = %v, syntax check %+v", err, c)
			}
			if _, err := f.verifier(t, verifier.WithContext(evil, doc)).Verify(context.Background(), signed, verifier.Policy{}); err != nil {
				t.Fatalf("with the context given: %v", err)
			}
		})
	}
}

// A token without a typ (a VCDM 1.1 JWT may have none) is read, not a
// panic; one whose header is not JSON is malformed.
func TestTokensWithoutATyp(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	for _, header := range []string{`{"alg":"EdDSA"}`, `{"alg":"EdDSA","typ":7}`, `{"alg":`, `[]`} {
		tok := []byte(b64(header) + "." + b64(`{"vc":{}}`) + ".c2ln")
		r, err := v.Verify(context.Background(), tok, verifier.Policy{})
		if err == nil || r.Verified {
			t.Fatalf("header %s verified", header)
		}
	}
}
