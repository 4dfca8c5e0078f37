package issuer

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/vc/staff"
)

// Hostile rows (as a caller of IssueBatchFrom might hand over) fail alone
// and never panic; no identifier reaches a failure.
func TestAudit5HostileRowsFailAloneWithoutPanicOrLeak(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	secret := "123456789012"
	rows := []staff.CSVRow{
		{Line: 2},
		{Line: math.MaxInt, Cells: map[string]string{"staff_id": "E1"}},
		{Line: -5, Cells: map[string]string{"staff_id": strings.Repeat("A", 70), "certificate_number": secret}},
		dbsRow(6, "E2", secret+"x"),
		dbsRow(7, "E3", "ZZ"+secret),
		dbsRow(8, "E4\x00", secret),
		dbsRow(9, "=cmd|' /C calc'!A0", secret),
	}
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, rows, batchOptions(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Failures {
		if strings.Contains(f.Error(), secret) {
			t.Errorf("identifier in a failure: %v", f)
		}
	}
	t.Logf("%+v", res)
}
