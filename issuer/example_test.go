package issuer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/vc/staff"
)

// An NHS trust sets up (a key, its did:web DID document, a registry) and
// issues a credential through its registry, which gives it revocation and
// suspension entries; issuing it again hands out the same credential.
func ExampleIssueRecorded() {
	dir, _ := os.MkdirTemp("", "kch-")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	org, err := issuer.InitOrganisation(ctx, filepath.Join(dir, "kch"), "kch.nhs.uk", issuer.InitOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	signer, _ := org.Signer()
	reg, err := org.OpenRegistry(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer reg.Close()

	checked, _ := staff.ParseDate("2026-11-30")
	cred, err := staff.NewCredential(&staff.RightToWork{Route: staff.RouteManualCheck, Status: staff.RightToWorkUnlimited, CheckDate: checked},
		staff.Meta{Issuer: org.DID, Subject: "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", ValidFrom: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	data, _ := json.Marshal(cred)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	rec, signed, err := issuer.IssueRecorded(ctx, reg, signer, issuer.Issuance{Credential: data, Format: issuer.FormatJWT, Actor: "hr@kch"}, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(org.DID, rec.Type, signed, len(rec.Status), "status entries")

	again, signedAgain, _ := issuer.IssueRecorded(ctx, reg, signer, issuer.Issuance{Credential: data, Format: issuer.FormatJWT, Actor: "hr@kch"}, now)
	fmt.Println(signedAgain, string(again.Credential) == string(rec.Credential))
	// Output:
	// did:web:kch.nhs.uk RightToWorkCredential true 2 status entries
	// false true
}
