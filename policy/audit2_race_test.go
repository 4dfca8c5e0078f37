package policy_test

import (
	"sync"
	"testing"

	"github.com/staffpass/staffpass/policy"
	"github.com/staffpass/staffpass/vc/staff"
)

func TestAudit2ConcurrentRolesOnOneResult(t *testing.T) {
	e := newAudit2Env(t)
	sam, samKey := audit2Wallet(t, 1)
	id := e.issue(staff.TypeIdentityCheck, sam, map[string]string{"staff_id": "E1", "given_name": "Sam", "family_name": "Example",
		"date_of_birth": "15/10/1990", "document1_type": "Passport", "document1_issuing_country": "GBR", "document1_number": "123 456 789",
		"check_method": "in-person", "checked_by": "KCH", "check_date": "24/02/2026"})
	role, _ := policy.ParseRole([]byte(`{"role": "porter", "title": "Porter", "requirements": {"identityCheck": {}}}`))
	r := e.show(e.verifier(), id, samKey, "/documentsSeen/0/documentNumber", "/dateOfBirth")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); policy.Evaluate(role, r) }()
	}
	wg.Wait()
}
