package issuer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/status"
)

// readSignedList reads a status list credential signed as vc+jwt, without
// verifying it (the verifier's tests do that).
func readSignedList(t *testing.T, signed []byte) *status.ListCredential {
	t.Helper()
	doc, err := jose.PeekDocument(signed)
	if err != nil {
		t.Fatal(err)
	}
	c, err := vc.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	lc, err := status.ReadListCredential(c)
	if err != nil {
		t.Fatal(err)
	}
	return lc
}

func TestSignStatusListSignsTheBitsAsTheyAreAndRecordsNothing(t *testing.T) {
	ctx := context.Background()
	reg, signer := testIssuance(t)
	rec, _, err := IssueRecorded(ctx, reg, signer, Issuance{Credential: []byte(unsigned), Format: FormatJWT, Actor: "test"}, batchNow)
	if err != nil {
		t.Fatal(err)
	}
	rev := rec.Status[0]
	if _, err := reg.Revoke(ctx, registry.Target{IssuanceKey: rec.IssuanceKey}, registry.Change{Actor: "test"}); err != nil {
		t.Fatalf("revoke by issuance key: %v", err)
	}
	signed, list, set, err := SignStatusList(ctx, reg, signer, rev.ListID, batchNow, PublishOptions{Format: FormatJWT, ValidFor: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if set != 1 || list.ID != rev.ListID || list.Version != 1 {
		t.Fatalf("set = %d, list = %+v", set, list)
	}
	lc := readSignedList(t, signed)
	if v, err := lc.List.Get(rev.Index); err != nil || !v {
		t.Fatalf("bit %d = %v, %v; want set", rev.Index, v, err)
	}
	if lc.ID != list.URL || !lc.ValidUntil.Equal(batchNow.Add(time.Hour)) {
		t.Fatalf("list credential %s valid until %s", lc.ID, lc.ValidUntil)
	}
	lists, err := reg.StatusLists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lists {
		if l.PublishedVersion != 0 {
			t.Fatalf("SignStatusList recorded a publication: %+v", l)
		}
	}
	if _, _, _, err := SignStatusList(ctx, reg, signer, 999, batchNow, PublishOptions{Format: FormatJWT}); err == nil {
		t.Fatal("a list the registry does not have was signed")
	}
	if _, _, _, err := SignStatusList(ctx, reg, signer, rev.ListID, batchNow, PublishOptions{Format: FormatJWT, TTL: -time.Second}); !errors.Is(err, ErrOptions) {
		t.Fatalf("negative ttl: %v", err)
	}
	if recs, err := reg.Find(ctx, registry.Target{IssuanceKey: "no such key"}); !errors.Is(err, registry.ErrCredentialNotFound) {
		t.Fatalf("find by an unknown issuance key: %v, %v", recs, err)
	}
}
