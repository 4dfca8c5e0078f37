package issuer

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/vc/status"
)

// audit6: a JSON Lines run whose rows include a repeat of an earlier row,
// several groups later, where the earlier row's credential was reserved
// by a run that was killed (before its line was written): this run issues
// the earlier row and appends its line, which it does not index; the
// repeat is no longer in the dupSet, and its record carries the killed
// run's id, not this run's, so it is "already issued"; the sink does not
// find the line appended moments before, and appends the same credential
// again. The file ends up with two lines for one issuance key.
func TestAudit6JSONLRerunAfterKillWritesARepeatedRowTwice(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	rows := trainingRows(120)
	rows[110].Cells = maps.Clone(rows[3].Cells) // line 112 repeats line 5

	// A run killed after reserving line 5's group, before its line was
	// written (or with its line cut short, which the next run removes).
	r, err := staff.ParseRow(staff.TypeMandatoryTraining, rows[3], staff.DateOf(batchNow))
	if err != nil {
		t.Fatal(err)
	}
	got, err := o.reg.ReserveMany(context.Background(), []registry.Reservation{{
		IssuanceKey: r.IssuanceKey(), Type: r.Type, Subject: r.Subject, Format: string(FormatJWT),
		Purposes: []string{status.PurposeRevocation, status.PurposeSuspension}, Actor: "hr.batch",
		BatchRun: "0123456789abcdef0123456789abcdef", BatchLine: 5,
	}})
	if err != nil || got[0].Err != nil || !got[0].Fresh {
		t.Fatalf("%+v %v", got, err)
	}

	opts := batchOptions(out)
	opts.Output, opts.GroupSize = OutputJSONL, 5
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("resumed run: %+v", res)
	// jsonlLines fails on a key with two lines.
	checkOnce(t, o, staff.TypeMandatoryTraining, 119, jsonlLines(t, out))
	if res.Failed != 1 {
		t.Errorf("the repeat of line 5 was not reported: %+v", res)
	}
}

// audit6: the same with a rerun into a new JSON Lines file (another
// --out): the first run reports the repeat; the rerun finds both rows
// issued, and writes the credential twice.
func TestAudit6JSONLRerunIntoANewFileWritesARepeatedRowTwice(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	rows := trainingRows(120)
	rows[110].Cells = maps.Clone(rows[3].Cells) // line 112 repeats line 5
	opts := batchOptions(filepath.Join(t.TempDir(), "out"))
	opts.Output, opts.GroupSize = OutputJSONL, 5
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
	if err != nil || res.Issued != 119 || res.Failed != 1 {
		t.Fatalf("first run %+v %v", res, err)
	}
	out2 := filepath.Join(t.TempDir(), "out2")
	opts.Out = out2
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rerun: %+v", res)
	checkOnce(t, o, staff.TypeMandatoryTraining, 119, jsonlLines(t, out2))
}

// audit6: a row that repeats an earlier row whose own issuance failed
// before it was reserved (here: its output file exists, someone else's)
// is no longer reported as a repeat once the earlier row's group is
// finished: nothing is recorded for the earlier row, so the registry has
// nothing to say, and the later row (the same member of staff, type and
// date: the staff id in lower case) is issued. Before, the dupSet kept
// every row and the later row failed as ErrDuplicateRow; now the outcome
// depends on whether the earlier row's group happened to be still in the
// pipeline when the later row was read.
func TestAudit6ARepeatOfARowThatFailedBeforeReservingIsIssued(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	rows := trainingRows(120)
	rows[110].Cells = maps.Clone(rows[3].Cells) // line 112 repeats line 5...
	rows[110].Cells["staff_id"] = strings.ToLower(rows[3].Cells["staff_id"])
	opts := batchOptions(out)
	opts.GroupSize = 5
	r, err := staff.ParseRow(staff.TypeMandatoryTraining, rows[3], staff.DateOf(batchNow))
	if err != nil {
		t.Fatal(err)
	}
	// Line 5's output is taken by a file that is not its credential.
	if err := os.MkdirAll(out, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, (&batch{opts: opts}).fileName(r)), []byte("someone else's"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
	if err != nil {
		t.Fatal(err)
	}
	var dup bool
	for _, f := range res.Failures {
		t.Logf("failure: %v", f)
		if f.Line == 112 && errors.Is(f, ErrDuplicateRow) {
			dup = true
		}
	}
	if !dup {
		t.Errorf("line 112, which repeats line 5, was not reported as a repeat: %+v", res)
	}
	if res.Issued != 118 {
		t.Errorf("issued %d, want 118 (line 5 fails, line 112 repeats it)", res.Issued)
	}
}
