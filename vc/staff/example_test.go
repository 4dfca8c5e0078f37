package staff_test

import (
	"crypto/rand"
	"fmt"

	"github.com/staffpass/staffpass/vc/staff"
)

func ExampleTrainingCurrency() {
	done, _ := staff.ParseDate("2024-02-29")
	records := []staff.TrainingRecord{{
		Subject: staff.SubjectResuscitation, Level: 2, CompletionDate: done,
		Provider: "Riverside Example NHS Trust", FrameworkVersion: "CSTF England v1.1",
	}}
	for _, day := range []string{"2025-01-30", "2025-02-28", "2025-03-01"} {
		on, _ := staff.ParseDate(day)
		cur, _ := staff.TrainingCurrency(records, staff.DefaultRefreshPeriods(), on, 30)
		fmt.Println(day, cur[0].Status, "due", cur[0].DueDate, "days left", cur[0].DaysLeft)
	}
	// Output:
	// 2025-01-30 due due 2025-02-28 days left 29
	// 2025-02-28 due due 2025-02-28 days left 0
	// 2025-03-01 expired due 2025-02-28 days left -1
}

func ExampleSaltedHash_Matches() {
	// An issuer hashes the share code under a fresh random salt, with
	// staff.DefaultIterations of PBKDF2 (tens of milliseconds).
	h, _ := staff.NewSaltedHash(rand.Reader, "WXY 123 ABC")
	fmt.Println(len(h.Salt), len(h.Digest), h.Iterations)

	// A verifier told the share code checks it with the hash's own salt
	// and count.
	fmt.Println(h.Matches("wxy-123-abc"))
	// Output:
	// 16 32 200000
	// true
}
