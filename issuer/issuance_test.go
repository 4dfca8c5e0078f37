package issuer

import (
	"context"
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/keys"
)

func testIssuance(t *testing.T) (*Registry, keys.Signer) {
	t.Helper()
	reg, err := CreateRegistry(context.Background(), filepath.Join(t.TempDir(), "r.db"), RegistryConfig{StatusBaseURL: "https://kch.nhs.uk/status"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	id, _ := did.Parse("did:web:kch.nhs.uk")
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	vm, err := NewMultikeyMethod(id, key.Public())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keys.NewSigner(key, vm.ID)
	if err != nil {
		t.Fatal(err)
	}
	return reg, signer
}

const unsigned = `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:web:kch.nhs.uk","validFrom":"2026-01-01T00:00:00Z","credentialSubject":{"id":"did:example:sam","name":"Sam Example"}}`

func TestIssueRecordedIsIdempotent(t *testing.T) {
	reg, signer := testIssuance(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	is := Issuance{Credential: []byte(unsigned), Format: FormatJWT, Actor: "hr"}
	first, _, err := IssueRecorded(ctx, reg, signer, is, at)
	if err != nil {
		t.Fatal(err)
	}
	if first.State != StateIssued || len(first.Status) != 2 || !strings.HasPrefix(first.CredentialID, "urn:uuid:") {
		t.Fatalf("record = %+v, want issued with a urn:uuid id and two status entries", first)
	}
	again, signed, err := IssueRecorded(ctx, reg, signer, is, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if signed || string(again.Credential) != string(first.Credential) || again.CredentialID != first.CredentialID {
		t.Error("issuing the same credential again signed a new one; want the first returned")
	}
	// Other claims are another credential.
	other := Issuance{Credential: []byte(strings.Replace(unsigned, "Sam Example", "Sam Other", 1)), Format: FormatJWT, Actor: "hr"}
	third, _, err := IssueRecorded(ctx, reg, signer, other, at)
	if err != nil {
		t.Fatal(err)
	}
	if third.CredentialID == first.CredentialID || third.Status[0].Index == first.Status[0].Index && third.Status[0].ListID == first.Status[0].ListID {
		t.Error("a different credential got the same id or status index")
	}
}

func TestIssueRecordedResumesAnInterruptedIssuance(t *testing.T) {
	reg, signer := testIssuance(t)
	ctx := context.Background()
	// A run that reserved and then died before signing.
	res, err := reg.Reserve(ctx, Reservation{IssuanceKey: "staff-42|IdentityCheck|2026-11-20", Type: "VerifiableCredential", Subject: "did:example:sam", Format: string(FormatJWT), Purposes: []string{"revocation", "suspension"}, Actor: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	rec, signed, err := IssueRecorded(ctx, reg, signer, Issuance{Credential: []byte(unsigned), Key: "staff-42|IdentityCheck|2026-11-20", Format: FormatJWT, Actor: "hr"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !signed || rec.State != StateIssued || rec.CredentialID != res.CredentialID || rec.Status[0].Index != res.Status[0].Index {
		t.Errorf("resumed record = %+v, want the reserved id and indexes issued", rec)
	}
	if !strings.Contains(string(rec.Credential), ".") {
		t.Errorf("no signed credential stored")
	}
}

func TestIssueRecordedRefusesBadInput(t *testing.T) {
	reg, signer := testIssuance(t)
	ctx := context.Background()
	tests := []struct {
		name string
		cred string
		want error
	}{
		{"a credential that already has a status", strings.Replace(unsigned, `"credentialSubject"`, `"credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://evil.example/1"},"credentialSubject"`, 1), ErrHasStatus},
		{"a credential of another issuer", strings.Replace(unsigned, "did:web:kch.nhs.uk", "did:web:other.nhs.uk", 1), ErrIssuerMismatch},
		{"a subject without an id", strings.Replace(unsigned, `"id":"did:example:sam",`, "", 1), ErrOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			_, _, err := IssueRecorded(ctx, reg, signer, Issuance{Credential: []byte(tt.cred), Format: FormatJWT, Actor: "hr"}, time.Now())
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, _, err := IssueRecorded(ctx, reg, signer, Issuance{Credential: []byte(unsigned), Format: FormatJWT}, time.Now()); !errors.Is(err, ErrOptions) {
		t.Errorf("no actor: %v, want ErrOptions", err)
	}
}
