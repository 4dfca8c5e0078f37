package issuer

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/vc/status"
)

// forgetRecording puts the registry in the state a run killed after
// writing its outputs and before CompleteMany leaves: every credential
// reserved, none recorded.
func forgetRecording(t *testing.T, o *testOrg) {
	t.Helper()
	db := rawDB(t, o)
	if _, err := db.Exec(`UPDATE credentials SET state = 'reserved', issued_at = NULL, credential = NULL, digest = NULL, row_digest = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM audit WHERE action = 'issue'`); err != nil {
		t.Fatal(err)
	}
}

// A run killed between writing a row's output and recording it; the HR
// user then corrects the row (another certificate number, same subject)
// and runs again. The rerun must not record the stale output, which says
// the old certificate number, as the credential of the corrected row.
func TestAudit5AdoptedOutputOfAChangedRowIsNotRecorded(t *testing.T) {
	for _, output := range []BatchOutput{OutputFiles, OutputJSONL} {
		t.Run(string(output), func(t *testing.T) {
			o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
			out := filepath.Join(t.TempDir(), "out")
			key, err := o.org.RowKey()
			if err != nil {
				t.Fatal(err)
			}
			opts := batchOptions(out)
			opts.RowKey, opts.Output = key, output
			ctx := context.Background()
			old := []staff.CSVRow{dbsRow(2, "E1", "001234567890")}
			if res, err := IssueBatch(ctx, o.reg, o.signer, staff.TypeDBSCheck, old, opts); err != nil || res.Issued != 1 {
				t.Fatalf("%+v %v", res, err)
			}
			forgetRecording(t, o)

			corrected := []staff.CSVRow{dbsRow(2, "E1", "009999999999")}
			res, err := IssueBatch(ctx, o.reg, o.signer, staff.TypeDBSCheck, corrected, opts)
			if err != nil {
				t.Fatal(err)
			}
			r, err := staff.ParseRow(staff.TypeDBSCheck, corrected[0], staff.DateOf(batchNow))
			if err != nil {
				t.Fatal(err)
			}
			recs, err := o.reg.Find(ctx, registry.Target{IssuanceKey: r.IssuanceKey()})
			if err != nil {
				t.Fatal(err)
			}
			if recs[0].State == registry.StateIssued {
				claims, err := storedClaims(recs[0].Credential)
				if err != nil {
					t.Fatal(err)
				}
				if cols, err := r.Diff(claims); err != nil || len(cols) > 0 {
					t.Errorf("the corrected row was reported %+v, and the credential recorded for it says something else in %v (%v)", res, cols, err)
				}
			}
			// Run again with the corrected row: it must not be taken as
			// already issued when the recorded credential says the old
			// certificate number.
			res, err = IssueBatch(ctx, o.reg, o.signer, staff.TypeDBSCheck, corrected, opts)
			if err == nil && res.AlreadyIssued == 1 {
				recs, _ := o.reg.Find(ctx, registry.Target{IssuanceKey: r.IssuanceKey()})
				claims, _ := storedClaims(recs[0].Credential)
				if cols, _ := r.Diff(claims); len(cols) > 0 {
					t.Errorf("a rerun of the corrected row says already issued, but the credential differs in %v", cols)
				}
			}
		})
	}
}

// Two JSON Lines batches at once on one registry, into different
// directories, with a row in common: B signs A's reservation and writes
// its line, A records its own signing first. B's row then fails (its line
// cannot be replaced), and, worse, every later run of B fails that row
// again, with no way out short of editing the file by hand. The state is
// built here step by step: B's line holds B's signing of the reservation,
// the registry holds another signing of it.
// A JSON Lines run that lost a race with another batch keeps failing the
// row (a line is never rewritten), and says how to get the recorded
// credential: a known limitation, left as the auditor found it, with the
// way out in the message.
func TestAudit5AJSONLinesRunThatLostTheRaceSaysWhatToDo(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	outA, outB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	ctx := context.Background()
	rows := trainingRows(1)
	optsB := batchOptions(outB)
	optsB.Output = OutputJSONL
	if res, err := IssueBatch(ctx, o.reg, o.signer, staff.TypeMandatoryTraining, rows, optsB); err != nil || res.Issued != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	forgetRecording(t, o)
	optsA := batchOptions(outA)
	optsA.Clock = func() time.Time { return batchNow.Add(time.Minute) } // another signing
	if res, err := IssueBatch(ctx, o.reg, o.signer, staff.TypeMandatoryTraining, rows, optsA); err != nil || res.Issued != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	// B run again, as its user is told to.
	res, err := IssueBatch(ctx, o.reg, o.signer, staff.TypeMandatoryTraining, rows, optsB)
	if err != nil || res.Failed != 1 || !errors.Is(res.Failures[0], ErrOutputExists) ||
		!strings.Contains(res.Failures[0].Reason, "another JSON Lines file") {
		t.Fatalf("rerun of B: %+v %v %v", res, err, res.Failures)
	}
	// Into another file, the recorded credential is written.
	optsC := batchOptions(filepath.Join(t.TempDir(), "c"))
	optsC.Output = OutputJSONL
	if res, err := IssueBatch(ctx, o.reg, o.signer, staff.TypeMandatoryTraining, rows, optsC); err != nil || res.AlreadyIssued != 1 {
		t.Fatalf("into another file: %+v %v %v", res, err, res.Failures)
	}
}

// A row issued with a valid_until, run again (to finish the file after a
// Ctrl-C, say) after that date: the row is unchanged and was issued, so
// the rerun should say already issued, not fail it as a bad row.
// A row whose valid_until has passed is not issued, nor handed out
// again, even when it was issued before: kept as found (the auditor
// counted it as arguably intended), the reason naming valid_until.
func TestAudit5ARerunAfterValidUntilIsRefusedNamingIt(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	rows := trainingRows(1)
	rows[0].Cells["valid_until"] = staff.DateOf(batchNow).AddDays(3).String()
	opts := batchOptions(out)
	if res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts); err != nil || res.Issued != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	opts.Clock = func() time.Time { return batchNow.AddDate(0, 0, 5) }
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
	if err != nil || res.Failed != 1 || res.Failures[0].Column != staff.ColumnValidUntil {
		t.Errorf("rerun after valid_until: %+v %v %v", res, err, res.Failures)
	}
}

// The same DBS row re-saved by a spreadsheet with its dates in another
// form (2026-02-25 becomes 25/02/2026): the rerun checks it against the
// credential (one PBKDF2 per identifier) and finds it issued, but keeps
// the old row digest, so every later rerun hashes it again.
func TestAudit5ARowReformattedIsHashedOnceNotOnEveryRerun(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	key, err := o.org.RowKey()
	if err != nil {
		t.Fatal(err)
	}
	opts := batchOptions(out)
	opts.RowKey = key
	ctx := context.Background()
	row := dbsRow(2, "E1", "001234567890")
	if res, err := IssueBatch(ctx, o.reg, o.signer, staff.TypeDBSCheck, []staff.CSVRow{row}, opts); err != nil || res.Issued != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	resaved := dbsRow(2, "E1", "001234567890")
	resaved.Cells["check_date"] = "25/02/2026"
	resaved.Cells["certificate_issue_date"] = "2025-11-04"
	for run := range 2 {
		if res, err := IssueBatch(ctx, o.reg, o.signer, staff.TypeDBSCheck, []staff.CSVRow{resaved}, opts); err != nil || res.AlreadyIssued != 1 {
			t.Fatalf("rerun %d: %+v %v %v", run, res, err, res.Failures)
		}
	}
	r, err := staff.ParseRow(staff.TypeDBSCheck, resaved, staff.DateOf(batchNow))
	if err != nil {
		t.Fatal(err)
	}
	var recorded string
	if err := rawDB(t, o).QueryRow(`SELECT row_digest FROM credentials WHERE issuance_key = $1`, r.IssuanceKey()).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if want := (&batch{opts: opts}).rowDigest(r); recorded != want {
		t.Error("after a rerun that checked the re-saved row against its credential, the registry still holds the old row's digest: every rerun hashes the row's identifiers again")
	}
}

// A run killed after reserving a row that had no valid_until; the row is
// given one and run again. The credential is signed with the row's
// validUntil, but the registry keeps the reservation's (none), so the
// record and the credential disagree, and a later rerun without a row
// digest match refuses the unchanged row as changed.
func TestAudit5AReservedRowSignedWithAnotherValidUntilKeepsRecordAndCredentialInAgreement(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	ctx := context.Background()
	row := trainingRows(1)[0]
	r, err := staff.ParseRow(staff.TypeMandatoryTraining, row, staff.DateOf(batchNow))
	if err != nil {
		t.Fatal(err)
	}
	// What the killed run reserved: no validUntil.
	got, err := o.reg.ReserveMany(ctx, []registry.Reservation{{
		IssuanceKey: r.IssuanceKey(), Type: r.Type, Subject: r.Subject, Format: string(FormatJWT),
		Purposes: []string{status.PurposeRevocation, status.PurposeSuspension}, Actor: "hr.batch",
	}})
	if err != nil || got[0].Err != nil {
		t.Fatalf("%+v %v", got, err)
	}
	// The row now has a valid_until: the reservation is not finished
	// with a credential that disagrees with it; the row fails, saying
	// how to finish it.
	changed := row
	changed.Cells = maps.Clone(row.Cells)
	changed.Cells["valid_until"] = "2027-03-01"
	opts := batchOptions(out)
	res, err := IssueBatch(ctx, o.reg, o.signer, staff.TypeMandatoryTraining, []staff.CSVRow{changed}, opts)
	if err != nil || res.Failed != 1 || !errors.Is(res.Failures[0], ErrChanged) || res.Failures[0].Column != staff.ColumnValidUntil {
		t.Fatalf("%+v %v %v", res, err, res.Failures)
	}
	recs, err := o.reg.Find(ctx, registry.Target{IssuanceKey: r.IssuanceKey()})
	if err != nil || recs[0].State != registry.StateReserved {
		t.Fatalf("%+v %v", recs, err)
	}
	// As reserved, it is finished, and a rerun finds it issued.
	for _, want := range []func(*BatchResult) bool{
		func(r *BatchResult) bool { return r.Issued == 1 },
		func(r *BatchResult) bool { return r.AlreadyIssued == 1 },
	} {
		res, err := IssueBatch(ctx, o.reg, o.signer, staff.TypeMandatoryTraining, []staff.CSVRow{row}, opts)
		if err != nil || !want(res) {
			t.Fatalf("%+v %v %v", res, err, res.Failures)
		}
	}
}
