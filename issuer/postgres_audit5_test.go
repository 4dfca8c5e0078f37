package issuer

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/staffpass/staffpass/internal/pgtest"
	_ "github.com/staffpass/staffpass/registry/postgres"
	"github.com/staffpass/staffpass/vc/staff"
)

func audit5PostgresDB(t *testing.T) string { return pgtest.Database(t) }

// Two batches at once, overlapping rows, on one PostgreSQL registry (as
// two HR officers on two machines would run them).
func TestAudit5TwoBatchesAtOnceOnPostgres(t *testing.T) {
	loc := audit5PostgresDB(t)
	dir := filepath.Join(t.TempDir(), "org")
	if _, err := InitOrganisation(context.Background(), dir, "riverside.nhs.example", InitOptions{RegistryURL: loc}); err != nil {
		t.Fatal(err)
	}
	open := func() *testOrg {
		org, err := OpenOrganisation(dir)
		if err != nil {
			t.Fatal(err)
		}
		org.RegistryURL = loc
		signer, err := org.Signer()
		if err != nil {
			t.Fatal(err)
		}
		reg, err := org.OpenRegistry(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { reg.Close() })
		return &testOrg{org, signer, reg}
	}
	a, b := open(), open()
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
