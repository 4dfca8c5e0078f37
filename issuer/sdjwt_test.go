package issuer

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/verifier"
)

func sdjwtOptions() BatchOptions {
	return BatchOptions{Format: FormatSDJWT, Actor: "hr.one", Clock: batchClock}
}

// sdjwtVerifier trusts o and holds the Token Status Lists of its
// revocation lists as they are now.
func sdjwtVerifier(t *testing.T, o *testOrg) *verifier.Verifier {
	t.Helper()
	doc, err := o.org.Document()
	if err != nil {
		t.Fatal(err)
	}
	static := &did.StaticResolver{}
	if err := static.Add(doc.ID, doc); err != nil {
		t.Fatal(err)
	}
	lists, err := o.reg.StatusLists(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var tokens [][]byte
	for _, l := range lists {
		tok, err := SignTokenList(context.Background(), o.reg, o.signer, l.ID, batchNow, PublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	v, err := verifier.New(verifier.Trust{Issuers: []string{doc.ID}, StatusLists: tokens, StatusListsFetched: batchNow,
		Resolver: did.Router{"web": static, didkey.Method: didkey.Resolver{}, didjwk.Method: didjwk.Resolver{}}},
		verifier.WithClock(func() time.Time { return batchNow.Add(time.Minute) }))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestIssueOneAsSDJWTVC(t *testing.T) {
	o := newTestOrg(t, t.TempDir())
	ctx := context.Background()
	rec, signed, err := IssueOne(ctx, o.reg, o.signer, staff.TypeDBSCheck, dbsRow(2, "E1", "0012 3456 7890"), sdjwtOptions())
	if err != nil || !signed {
		t.Fatalf("%v signed %v", err, signed)
	}
	if rec.Format != "dc+sd-jwt" || len(rec.Status) != 1 || rec.Status[0].Purpose != "revocation" {
		t.Fatalf("record %+v", rec)
	}
	sd := string(rec.Credential)
	c, err := sdjwt.Split(sd)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(c.JWT, ".")[1])
	if strings.Contains(string(payload), "001234567890") || strings.Contains(string(payload), "Hash") {
		t.Errorf("the payload shows the number or a hash: %s", payload)
	}
	if len(c.Disclosures) != 1 || c.Disclosures[0].Name != "certificateNumber" || c.Disclosures[0].Value != "001234567890" {
		t.Errorf("Disclosures %+v", c.Disclosures)
	}
	v := sdjwtVerifier(t, o)
	r, err := v.Verify(ctx, rec.Credential, verifier.Policy{})
	if err != nil {
		t.Fatalf("%v", err)
	}
	if r.Types[0] != staff.VCT(staff.TypeDBSCheck) || r.ID != rec.CredentialID || r.SDJWTClaims["dbsLevel"] == nil {
		t.Errorf("result types %v id %s claims %v", r.Types, r.ID, r.SDJWTClaims)
	}

	// The same row again: the same credential, not signed again. The same
	// staff id and date with another number: refused.
	again, signed, err := IssueOne(ctx, o.reg, o.signer, staff.TypeDBSCheck, dbsRow(2, "E1", "001234567890"), sdjwtOptions())
	if err != nil || signed || string(again.Credential) != sd {
		t.Fatalf("a rerun: %v, signed %v", err, signed)
	}
	if _, _, err := IssueOne(ctx, o.reg, o.signer, staff.TypeDBSCheck, dbsRow(2, "E1", "009999999999"), sdjwtOptions()); !errors.Is(err, ErrChanged) {
		t.Fatalf("another number: %v", err)
	}
	// In another format: refused, as for any format.
	if _, _, err := IssueOne(ctx, o.reg, o.signer, staff.TypeDBSCheck, dbsRow(2, "E1", "001234567890"), BatchOptions{Format: FormatJWT, Actor: "hr", Clock: batchClock}); err == nil {
		t.Fatal("the same row as a vc+jwt was issued")
	}

	// Revoked: the Token Status List says so. It cannot be suspended.
	if _, err := o.reg.Suspend(ctx, registry.Target{CredentialID: rec.CredentialID}, registry.Change{Actor: "hr"}); err == nil {
		t.Error("an SD-JWT VC was suspended")
	}
	if _, err := o.reg.Revoke(ctx, registry.Target{CredentialID: rec.CredentialID}, registry.Change{Actor: "hr", Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdjwtVerifier(t, o).Verify(ctx, rec.Credential, verifier.Policy{}); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("revoked: %v", err)
	}
}

// An identity check: its document numbers (inside documentsSeen) and date
// of birth are selectively disclosable; the holder can show the date of
// birth alone, bound to a verifier's challenge.
func TestIdentityCheckAsSDJWTVC(t *testing.T) {
	o := newTestOrg(t, t.TempDir())
	ctx := context.Background()
	row := staff.CSVRow{Line: 2, Cells: map[string]string{
		"staff_id": "E2", "subject": wallets[1], "given_name": "Jo", "family_name": "Bloggs-Example", "date_of_birth": "15/10/1990",
		"document1_type": "Passport", "document1_issuing_country": "GBR", "document1_number": "123 456 789", "document1_expiry_date": "30/06/2031",
		"check_method": "in-person", "checked_by": "Riverside Example NHS Trust", "check_date": "24/02/2026",
	}}
	rec, _, err := IssueOne(ctx, o.reg, o.signer, staff.TypeIdentityCheck, row, sdjwtOptions())
	if err != nil {
		t.Fatal(err)
	}
	c, _ := sdjwt.Split(string(rec.Credential))
	names := map[string]any{}
	for _, d := range c.Disclosures {
		names[d.Name] = d.Value
	}
	if names["documentNumber"] != "123456789" || names["dateOfBirth"] != "1990-10-15" || len(names) != 2 {
		t.Fatalf("Disclosures %v", names)
	}
	if _, err := sdjwtVerifier(t, o).Verify(ctx, rec.Credential, verifier.Policy{}); err != nil {
		t.Fatal(err)
	}
}

// A credential that is not a staff credential is not issued as an SD-JWT VC.
func TestIssueRecordedSDJWTIsForStaffCredentials(t *testing.T) {
	o := newTestOrg(t, t.TempDir())
	cred := `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"` + o.org.DID +
		`","credentialSubject":{"id":"` + wallets[0] + `","name":"Sam"}}`
	if _, _, err := IssueRecorded(context.Background(), o.reg, o.signer, Issuance{Credential: []byte(cred), Format: FormatSDJWT, Actor: "hr"}, batchNow); !errors.Is(err, ErrNotStaff) {
		t.Fatalf("err = %v", err)
	}
	if _, err := Issue([]byte(cred), o.signer, Options{Format: FormatSDJWT}); err == nil {
		t.Fatal("Issue made an SD-JWT VC without the registry")
	}
}
