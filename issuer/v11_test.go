package issuer

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/verifier"
)

const unsignedV11 = `{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential"],"issuer":"did:web:kch.nhs.uk","issuanceDate":"2026-01-01T00:00:00Z","credentialSubject":{"id":"did:example:sam"}}`

func TestAVCDM11CredentialIsIssuedWithTheContextsItNeeds(t *testing.T) {
	ctx := context.Background()
	reg, signer := testIssuance(t)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

	// The testIssuance key's DID document, to verify what was issued.
	id, _ := did.Parse("did:web:kch.nhs.uk")
	vm, err := NewMultikeyMethod(id, ed25519.NewKeyFromSeed(make([]byte, 32)).Public())
	if err != nil {
		t.Fatal(err)
	}
	static := &did.StaticResolver{}
	if err := static.Add(id.String(), NewDocument(id, vm)); err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Trust{Issuers: []string{id.String()}, Resolver: did.Router{"web": static}},
		verifier.WithClock(func() time.Time { return at.Add(time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}

	for _, f := range []Format{FormatEdDSARDFC2022, FormatEdDSAJCS2022} {
		for _, revocable := range []bool{true, false} {
			key := fmt.Sprintf("%s/%v", f, revocable)
			rec, _, err := IssueRecorded(ctx, reg, signer, Issuance{Credential: []byte(unsignedV11), Format: f, NotRevocable: !revocable, Key: key, Actor: "t"}, at)
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			var got struct {
				Context []string `json:"@context"`
			}
			if err := json.Unmarshal(rec.Credential, &got); err != nil {
				t.Fatal(err)
			}
			want := []string{"https://www.w3.org/2018/credentials/v1", contextDataIntegrity}
			if revocable {
				want = append(want, contextStatus)
			}
			if !slices.Equal(got.Context, want) {
				t.Fatalf("%s: @context %v, want %v", key, got.Context, want)
			}
			// It verifies but for the status check, whose lists this test
			// does not publish.
			r, _ := v.Verify(ctx, rec.Credential, verifier.Policy{})
			for _, c := range r.Checks {
				if c.Status != verifier.Passed && !(revocable && c.Name == verifier.CheckStatus) {
					t.Fatalf("%s: %s %s: %s", key, c.Name, c.Status, c.Reason)
				}
			}
		}
	}
	// vc+jwt is VCDM 2.0 only: refused before anything is reserved.
	_, _, err = IssueRecorded(ctx, reg, signer, Issuance{Credential: []byte(unsignedV11), Format: FormatJWT, Key: "jwt", Actor: "t"}, at)
	if !errors.Is(err, ErrContent) {
		t.Fatalf("a 1.1 credential as vc+jwt: %v", err)
	}
	if _, err := reg.Find(ctx, registry.Target{IssuanceKey: "jwt"}); !errors.Is(err, registry.ErrCredentialNotFound) {
		t.Fatalf("a refused credential was reserved: %v", err)
	}
}

func TestARelatedResourceWithTheWrongDigestIsNotIssued(t *testing.T) {
	reg, signer := testIssuance(t)
	bad := strings.Replace(unsigned, `"credentialSubject"`, `"relatedResource":[{"id":"https://www.w3.org/ns/credentials/v2","digestSRI":"sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"}],"credentialSubject"`, 1)
	if _, _, err := IssueRecorded(context.Background(), reg, signer, Issuance{Credential: []byte(bad), Format: FormatJWT, Actor: "t"}, time.Now()); !errors.Is(err, ErrContent) || !errors.Is(err, vc.ErrDigest) {
		t.Fatalf("wrong digest: %v", err)
	}
	good := strings.Replace(bad, "NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg", "l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU", 1)
	if _, _, err := IssueRecorded(context.Background(), reg, signer, Issuance{Credential: []byte(good), Format: FormatJWT, Actor: "t"}, time.Now()); err != nil {
		t.Fatalf("right digest: %v", err)
	}
}
