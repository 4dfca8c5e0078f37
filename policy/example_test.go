package policy_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/policy"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/verifier"
)

func exampleSigner(seed byte) (string, keys.Signer) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	kid, _ := didkey.KeyID(key.Public())
	s, _ := keys.NewSigner(key, kid)
	id, _, _ := strings.Cut(kid, "#")
	return id, s
}

func date(s string) staff.Date {
	d, _ := staff.ParseDate(s)
	return d
}

// A receiving trust judges a nurse's presentation for a role: each
// requirement with its outcome, its reason and the credential it rests on.
func ExampleEvaluate() {
	employer, employerKey := exampleSigner(1)
	nurse, wallet := exampleSigner(2)
	meta := staff.Meta{Issuer: employer, Subject: nurse, ValidFrom: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	var held [][]byte
	for _, claims := range []staff.Claims{
		&staff.RightToWork{Route: staff.RouteManualCheck, Status: staff.RightToWorkUnlimited, CheckDate: date("2026-10-30")},
		&staff.MandatoryTraining{Records: []staff.TrainingRecord{{Subject: staff.SubjectFireSafety, Level: 1,
			CompletionDate: date("2026-01-20"), Provider: "e-Learning for Healthcare", FrameworkVersion: "CSTF England v1.1"}}},
	} {
		c, err := staff.NewCredential(claims, meta)
		if err != nil {
			fmt.Println(err)
			return
		}
		data, _ := json.Marshal(c)
		signed, err := issuer.Issue(data, employerKey, issuer.Options{Format: issuer.FormatJWT})
		if err != nil {
			fmt.Println(err)
			return
		}
		held = append(held, signed)
	}
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	vp, _ := holder.Present(held, wallet, holder.Options{Format: vc.FormatJWT, Challenge: "c-1", Domain: "https://bank.gstt.nhs.uk", Created: now})

	v, _ := verifier.New(verifier.Trust{Issuers: []string{employer}})
	r, _ := v.Verify(context.Background(), vp, verifier.Policy{Challenge: "c-1", Domain: "https://bank.gstt.nhs.uk", Now: now})

	role, err := policy.ParseRole([]byte(`{"role": "bank-porter", "title": "Bank porter", "dueWithinDays": 60,
	  "requirements": {"rightToWork": {}, "dbsCheck": {"minLevel": "standard"},
	                   "mandatoryTraining": {"subjects": [{"subject": "fire-safety", "level": 1}]}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	verdict, err := policy.Evaluate(role, r)
	fmt.Println("met:", verdict.Met, err != nil)
	for _, q := range verdict.Requirements {
		from := ""
		if q.Source != nil {
			from = fmt.Sprintf(" (credential %d)", q.Source.Index)
		}
		fmt.Printf("%s: %s%s\n", q.Name, q.Outcome, from)
	}
	// Output:
	// met: false true
	// right-to-work: met (credential 1)
	// dbs-check: missing
	// mandatory-training/fire-safety: due (credential 2)
}
