package staff_test

import (
	"bytes"
	"testing"

	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
)

func BenchmarkValidate(b *testing.B) {
	data := readExample(b, "valid/mandatory-training.json")
	b.ReportAllocs()
	for b.Loop() {
		if err := staff.Validate(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluateBankNurse(b *testing.B) {
	role, err := staff.ParseRole(readExample(b, "roles/bank-nurse.json"))
	if err != nil {
		b.Fatal(err)
	}
	var creds []*vc.Credential
	for _, ex := range validExamples(b) {
		c, err := staff.NewCredential(ex.claims, ex.meta)
		if err != nil {
			b.Fatal(err)
		}
		creds = append(creds, c)
	}
	b.ReportAllocs()
	for b.Loop() {
		if res, _ := staff.Evaluate(role, creds, evaluatedOn); res == nil {
			b.Fatal("no result")
		}
	}
}

// BenchmarkNewSaltedHash times one salted hash at DefaultIterations: what
// an issuer pays per identifier, a verifier per Matches, and an attacker
// per guess (on the same hardware).
func BenchmarkNewSaltedHash(b *testing.B) {
	salt := fixedSalt("bench")
	for b.Loop() {
		if _, err := staff.NewSaltedHash(bytes.NewReader(salt), dbsCertificateNum); err != nil {
			b.Fatal(err)
		}
	}
}
