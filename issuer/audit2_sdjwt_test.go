package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/verifier"
)

func TestAudit2TokenListMatchesRevocations(t *testing.T) {
	o := newTestOrg(t, t.TempDir())
	ctx := context.Background()
	var recs []*registry.Record
	for i := 0; i < 24; i++ {
		if i%3 == 0 {
			if _, _, err := IssueOne(ctx, o.reg, o.signer, staff.TypeDBSCheck, dbsRow(2, fmt.Sprintf("J%d", i), "001234567890"), BatchOptions{Format: FormatJWT, Actor: "hr", Clock: batchClock}); err != nil {
				t.Fatal(err)
			}
		}
		rec, _, err := IssueOne(ctx, o.reg, o.signer, staff.TypeDBSCheck, dbsRow(2, fmt.Sprintf("E%d", i), "001234567890"), sdjwtOptions())
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	revoked := map[int]bool{1: true, 7: true, 8: true, 15: true, 23: true}
	for i := range revoked {
		if _, err := o.reg.Revoke(ctx, registry.Target{CredentialID: recs[i].CredentialID}, registry.Change{Actor: "hr", Reason: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	v := sdjwtVerifier(t, o)
	for i, rec := range recs {
		t.Logf("%d idx %d list %s", i, rec.Status[0].Index, rec.Status[0].ListURL)
		_, err := v.Verify(ctx, rec.Credential, verifier.Policy{})
		if revoked[i] != errors.Is(err, verifier.ErrRevoked) {
			t.Errorf("credential %d (index %d): revoked %v, verify says %v", i, rec.Status[0].Index, revoked[i], err)
		}
	}
}

type audit2FailReader struct{}

func (audit2FailReader) Read([]byte) (int, error) { return 0, errors.New("no randomness here") }

func TestAudit2SDJWTIssuanceHashesNothing(t *testing.T) {
	o := newTestOrg(t, t.TempDir())
	opts := sdjwtOptions()
	opts.Random = audit2FailReader{}
	if _, _, err := IssueOne(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, dbsRow(2, "E1", "001234567890"), opts); err != nil {
		t.Fatal(err)
	}
	// rerun
	if _, _, err := IssueOne(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, dbsRow(2, "E1", "001234567890"), opts); err != nil {
		t.Fatal(err)
	}
}

func TestAudit2SDJWTNotSignableReservesNothing(t *testing.T) {
	o := newTestOrg(t, t.TempDir())
	ctx := context.Background()
	r, err := staff.ParseRow(staff.TypeDBSCheck, dbsRow(2, "E1", "001234567890"), staff.DateOf(batchNow))
	if err != nil {
		t.Fatal(err)
	}
	claims, plain, err := r.PlaceholderClaims()
	if err != nil {
		t.Fatal(err)
	}
	cred, err := staff.NewCredential(claims, staff.Meta{Issuer: o.org.DID, Subject: "did:web:sam.example", ValidFrom: batchNow})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(cred)
	_, _, err = IssueRecorded(ctx, o.reg, o.signer, Issuance{Credential: data, Key: "k1", Format: FormatSDJWT, Actor: "hr", Plain: plain}, batchNow)
	if err == nil {
		t.Fatal("an SD-JWT VC for a did:web subject was issued")
	}
	t.Logf("refused: %v", err)
	// The same credential, as a vc+jwt, under the same key: nothing should
	// stand in its way.
	if _, _, err := IssueRecorded(ctx, o.reg, o.signer, Issuance{Credential: data, Key: "k1", Format: FormatJWT, Actor: "hr"}, batchNow); err != nil {
		t.Errorf("after a refused SD-JWT VC: %v", err)
	}
}
