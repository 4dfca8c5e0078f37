package issuer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/staffpass/staffpass/registry"
)

// TestAudit7IssueRecordedRefusesAKeyThatCannotSignTheFormatBeforeReserving:
// IssueRecorded ('staffpass issue --format', the server's /credentials/issue)
// reserves an issuance key and two status indexes and only then finds, at
// signing, that an Ed25519 key cannot sign ecdsa-rdfc-2019. The key is left
// reserved in a format it can never be finished in: the same credential
// issued in a format the key can sign is then refused as a reservation
// conflict. IssueBatchFrom and IssueOne check this first (checkSignerFits);
// IssueRecorded does not.
func TestAudit7IssueRecordedRefusesAKeyThatCannotSignTheFormatBeforeReserving(t *testing.T) {
	reg, signer := testIssuance(t) // an Ed25519 key
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	const key = "staff-7|Audit|2026-11-25"
	_, _, err := IssueRecorded(ctx, reg, signer, Issuance{Credential: []byte(unsigned), Key: key, Format: FormatECDSARDFC2019, Actor: "hr"}, at)
	if err == nil {
		t.Fatal("an Ed25519 key signed ecdsa-rdfc-2019")
	}
	if recs, ferr := reg.Find(ctx, registry.Target{IssuanceKey: key}); ferr == nil {
		t.Errorf("refused with %v, but after reserving: %s state %s format %s, %d status entries", err, recs[0].CredentialID, recs[0].State, recs[0].Format, len(recs[0].Status))
	} else if !errors.Is(ferr, registry.ErrCredentialNotFound) {
		t.Fatal(ferr)
	}
	if !errors.Is(err, ErrOptions) {
		t.Errorf("err = %v, want ErrOptions, as IssueOne gives", err)
	}
	// The same credential in a format the key can sign.
	if _, _, err := IssueRecorded(ctx, reg, signer, Issuance{Credential: []byte(unsigned), Key: key, Format: FormatEdDSARDFC2022, Actor: "hr"}, at); err != nil {
		t.Errorf("then in eddsa-rdfc-2022: %v", err)
	}
}
