package issuer

import (
	"context"
	"maps"
	"path/filepath"
	"testing"

	_ "github.com/staffpass/staffpass/registry/postgres"
	"github.com/staffpass/staffpass/vc/staff"
)

// audit6 (sound check): a batch on PostgreSQL whose group is over the
// 500 rows CompleteMany puts in one statement, with row digests, a repeat
// several groups on, and a rerun.
func TestAudit6BigGroupsOnPostgres(t *testing.T) {
	o, _, _ := newPostgresTestOrg(t)
	reg, signer := o.reg, o.signer
	key, err := o.org.RowKey()
	if err != nil {
		t.Fatal(err)
	}
	rows := trainingRows(1300)
	rows[1250].Cells = maps.Clone(rows[2].Cells)
	opts := batchOptions(filepath.Join(t.TempDir(), "out"))
	opts.GroupSize, opts.RowKey, opts.Output = 601, key, OutputJSONL
	res, err := IssueBatch(context.Background(), reg, signer, staff.TypeMandatoryTraining, rows, opts)
	if err != nil || res.Issued != 1299 || res.Failed != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	res, err = IssueBatch(context.Background(), reg, signer, staff.TypeMandatoryTraining, rows, opts)
	if err != nil || res.AlreadyIssued+res.Failed != 1300 {
		t.Fatalf("rerun %+v %v", res, err)
	}
	checkIntegrity(t, o.reg)
}
