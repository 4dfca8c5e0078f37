package issuer

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
)

func testIssuance(t *testing.T) (*registry.Registry, keys.Signer) {
	t.Helper()
	reg, err := registry.Create(context.Background(), filepath.Join(t.TempDir(), "r.db"), registry.Config{StatusBaseURL: "https://kch.nhs.uk/status"})
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
	if first.State != registry.StateIssued || len(first.Status) != 2 || !strings.HasPrefix(first.CredentialID, "urn:uuid:") {
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
	res, err := reg.Reserve(ctx, registry.Reservation{IssuanceKey: "staff-42|IdentityCheck|2026-11-20", Type: "VerifiableCredential", Subject: "did:example:sam", Format: string(FormatJWT), Purposes: []string{"revocation", "suspension"}, Actor: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	rec, signed, err := IssueRecorded(ctx, reg, signer, Issuance{Credential: []byte(unsigned), Key: "staff-42|IdentityCheck|2026-11-20", Format: FormatJWT, Actor: "hr"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !signed || rec.State != registry.StateIssued || rec.CredentialID != res.CredentialID || rec.Status[0].Index != res.Status[0].Index {
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

func TestACredentialWhoseSubjectHasNoIDIsIssuedAndRevokedByID(t *testing.T) {
	reg, signer := testIssuance(t)
	ctx := context.Background()
	bearer := strings.Replace(unsigned, `"id":"did:example:sam",`, "", 1)
	rec, signed, err := IssueRecorded(ctx, reg, signer, Issuance{Credential: []byte(bearer), Format: FormatJWT, Actor: "hr"}, time.Now())
	if err != nil || !signed || rec.Subject != "" {
		t.Fatalf("issue: %+v, %v, %v", rec, signed, err)
	}
	recs, err := reg.Revoke(ctx, registry.Target{CredentialID: rec.CredentialID}, registry.Change{Actor: "hr"})
	if err != nil || !recs[0].Revoked {
		t.Fatalf("revoke: %+v, %v", recs, err)
	}
}

// A credential staffpass should not sign is refused before anything is
// reserved, so that the corrected credential, with the same id, issues on
// the next run.
func TestIssueRecordedChecksContentBeforeReserving(t *testing.T) {
	reg, signer := testIssuance(t)
	ctx := context.Background()
	dbs, err := os.ReadFile("../testdata/staff/valid/dbs-check.json")
	if err != nil {
		t.Fatal(err)
	}
	staffCred := strings.Replace(string(dbs), "did:web:riverside-trust.example", "did:web:kch.nhs.uk", 1)
	if staffCred == string(dbs) {
		t.Fatal("the example's issuer has changed; update this test")
	}
	const id = "urn:uuid:5a0c1a52-1d8e-4a8b-9b59-6f3c2f0d2a11"
	withID := func(s string) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		m["id"] = id
		b, _ := json.Marshal(m)
		return string(b)
	}
	tests := []struct {
		name, bad, good string
		want            []error
	}{
		{"a misspelt claim", strings.Replace(unsigned, `"name"`, `"nmae"`, 1), unsigned, []error{ErrContent, ld.ErrUndefinedTerm}},
		{"a misspelt type", strings.Replace(unsigned, `["VerifiableCredential"]`, `["VerifiableCredential","StaffCredentail"]`, 1), unsigned, []error{ErrContent, ld.ErrUndefinedTerm}},
		{"a raw DBS certificate number", strings.Replace(staffCred, `"dbsLevel"`, `"certificateNumber":"001234567890","dbsLevel"`, 1), staffCred, []error{ErrContent, ld.ErrUndefinedTerm}},
		{"a basic DBS check with barred lists", strings.Replace(staffCred, `"enhanced-with-barred-lists"`, `"basic"`, 1), staffCred, []error{ErrContent, staff.ErrInvalid}},
		{"a staff credential without its schema", strings.Replace(staffCred, `"credentialSchema"`, `"credentialSchemaX"`, 1), staffCred, []error{ErrContent}},
	}
	for _, format := range []Format{FormatJWT, FormatEdDSARDFC2022, FormatEdDSAJCS2022} {
		for _, tt := range tests {
			t.Run(string(format)+"/"+tt.name, func(t *testing.T) {
				reg, signer := reg, signer
				if format != FormatJWT || tt.name != tests[0].name {
					reg, signer = testIssuance(t)
				}
				is := Issuance{Credential: []byte(withID(tt.bad)), Format: format, Actor: "hr"}
				if _, _, err := IssueRecorded(ctx, reg, signer, is, time.Now()); err == nil {
					t.Fatal("issued")
				} else {
					for _, want := range tt.want {
						if !errors.Is(err, want) {
							t.Errorf("err = %v, want %v", err, want)
						}
					}
				}
				if recs, err := reg.Find(ctx, registry.Target{CredentialID: id}); err == nil || len(recs) != 0 {
					t.Fatalf("after a refusal the registry holds %d records (%v) for the id", len(recs), err)
				}
				is.Credential = []byte(withID(tt.good))
				rec, signed, err := IssueRecorded(ctx, reg, signer, is, time.Now())
				if err != nil || !signed || rec.CredentialID != id {
					t.Fatalf("the corrected credential: %+v, %v, %v", rec, signed, err)
				}
			})
		}
	}
}

func TestAReservationRevokedBeforeItWasSignedIsNeverSigned(t *testing.T) {
	reg, signer := testIssuance(t)
	ctx := context.Background()
	// A run reserved, then stopped before signing; HR revoked it meanwhile.
	cred, err := vc.Parse([]byte(unsigned))
	if err != nil {
		t.Fatal(err)
	}
	key, _ := DefaultIssuanceKey(cred)
	rec, err := reg.Reserve(ctx, registry.Reservation{IssuanceKey: key, Type: "VerifiableCredential", Subject: "did:example:sam", Format: string(FormatJWT),
		Purposes: []string{"revocation", "suspension"}, Actor: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Revoke(ctx, registry.Target{CredentialID: rec.CredentialID}, registry.Change{Actor: "hr"}); err != nil {
		t.Fatal(err)
	}
	got, signed, err := IssueRecorded(ctx, reg, signer, Issuance{Credential: []byte(unsigned), Format: FormatJWT, Actor: "hr"}, time.Now())
	if !errors.Is(err, registry.ErrCredentialRevoked) || signed || (got != nil && len(got.Credential) != 0) {
		t.Fatalf("a revoked reservation: %+v, %v, %v", got, signed, err)
	}
}

func TestConcurrentIssuesOfOneKeyAllGetTheOneCredential(t *testing.T) {
	reg, _ := testIssuance(t)
	ctx := context.Background()
	// ECDSA signatures differ each time, so concurrent signers of one key
	// race to Complete with different bytes.
	p256, err := keys.Generate(keys.P256)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := did.Parse("did:web:kch.nhs.uk")
	vm, _ := NewMultikeyMethod(id, p256.Public())
	signer, _ := keys.NewSigner(p256, vm.ID)
	var wg sync.WaitGroup
	results := make(chan []byte, 16)
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, _, err := IssueRecorded(ctx, reg, signer, Issuance{Credential: []byte(unsigned), Key: "one", Format: FormatECDSARDFC2019, Actor: "hr"}, time.Now())
			if err != nil {
				errs <- err
				return
			}
			results <- rec.Credential
		}()
	}
	wg.Wait()
	close(results)
	close(errs)
	for err := range errs {
		t.Fatalf("a concurrent issue failed: %v", err)
	}
	var first []byte
	for c := range results {
		if first == nil {
			first = c
		} else if string(c) != string(first) {
			t.Fatal("two concurrent issues of one key got different credentials")
		}
	}
}
