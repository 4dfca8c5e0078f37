package issuer

import (
	"path/filepath"
	"testing"

	_ "github.com/staffpass/staffpass/registry/postgres"
)

// Two batches at once, overlapping rows, on one PostgreSQL registry (as
// two HR officers on two machines would run them).
func TestAudit5TwoBatchesAtOnceOnPostgres(t *testing.T) {
	a, dir, loc := newPostgresTestOrg(t)
	b := openTestOrgAt(t, dir, loc)
	n := 60
	res, errs := batchesAtOnce(n, []batchRun{{a, filepath.Join(t.TempDir(), "a")}, {b, filepath.Join(t.TempDir(), "b")}}, func(opts *BatchOptions) {
		opts.GroupSize, opts.Output, opts.Workers = 4, OutputFiles, 2
	})
	for i := range 2 {
		if errs[i] != nil || res[i].Failed != 0 {
			t.Errorf("%s run %d: %+v %v %v", OutputFiles, i, res[i], errs[i], res[i].Failures)
		}
	}
	if res[0] != nil && res[1] != nil && res[0].Issued+res[1].Issued != n {
		t.Errorf("issued %d + %d, want %d", res[0].Issued, res[1].Issued, n)
	}
	checkIntegrity(t, a.reg)
}
