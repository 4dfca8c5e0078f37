package issuer

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	_ "github.com/staffpass/staffpass/registry/postgres"
	"github.com/staffpass/staffpass/vc/staff"
)

// Two batches at once, overlapping rows, on one PostgreSQL registry (as
// two HR officers on two machines would run them).
func TestAudit5TwoBatchesAtOnceOnPostgres(t *testing.T) {
	a, dir, loc := newPostgresTestOrg(t)
	b := openTestOrgAt(t, dir, loc)
	for _, output := range []BatchOutput{OutputFiles} {
		outA, outB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
		n := 60
		var wg sync.WaitGroup
		res := make([]*BatchResult, 2)
		errs := make([]error, 2)
		for i, run := range []struct {
			o   *testOrg
			out string
		}{{a, outA}, {b, outB}} {
			wg.Go(func() {
				opts := batchOptions(run.out)
				opts.GroupSize, opts.Output, opts.Workers = 4, output, 2
				res[i], errs[i] = IssueBatch(context.Background(), run.o.reg, run.o.signer, staff.TypeMandatoryTraining, trainingRows(n), opts)
			})
		}
		wg.Wait()
		for i := range 2 {
			if errs[i] != nil || res[i].Failed != 0 {
				t.Errorf("%s run %d: %+v %v %v", output, i, res[i], errs[i], res[i].Failures)
			}
		}
		if res[0] != nil && res[1] != nil && res[0].Issued+res[1].Issued != n {
			t.Errorf("issued %d + %d, want %d", res[0].Issued, res[1].Issued, n)
		}
		checkIntegrity(t, a.reg)
	}
}
