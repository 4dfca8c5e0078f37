package issuer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/vc/status"
)

// jsonlLines reads the lines of a JSON Lines output by issuance key,
// failing on a key given twice.
func jsonlLines(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, JSONLFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]byte{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l jsonlLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if _, dup := out[l.IssuanceKey]; dup {
			t.Fatalf("%s has two lines", l.IssuanceKey)
		}
		cred := []byte(l.Credential)
		var token string
		if json.Unmarshal(l.Credential, &token) == nil {
			cred = []byte(token)
		}
		out[l.IssuanceKey] = cred
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkOnce checks that every record of the test wallets is issued, once,
// with indexes of its own, and that lines (if not nil) hold exactly the
// recorded credentials.
func checkOnce(t *testing.T, o *testOrg, typ string, n int, lines map[string][]byte) {
	t.Helper()
	recs := allRecords(t, o.reg, typ)
	if len(recs) != n {
		t.Fatalf("%d records, want %d", len(recs), n)
	}
	indexes := map[string]bool{}
	for _, rec := range recs {
		if rec.State != registry.StateIssued {
			t.Errorf("%s is %s", rec.IssuanceKey, rec.State)
		}
		for _, a := range rec.Status {
			at := fmt.Sprintf("%d:%d", a.ListID, a.Index)
			if indexes[at] {
				t.Fatalf("index %s given twice", at)
			}
			indexes[at] = true
		}
		if lines != nil && !bytes.Equal(lines[rec.IssuanceKey], rec.Credential) {
			t.Errorf("the line of %s is not its recorded credential", rec.IssuanceKey)
		}
	}
	if lines != nil && len(lines) != n {
		t.Errorf("%d lines, want %d", len(lines), n)
	}
	checkIntegrity(t, o.reg)
}

func TestAStaffIDInAnotherCaseInALaterRunIsTheSameMemberOfStaff(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	if res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(4), batchOptions(out)); err != nil || res.Issued != 4 {
		t.Fatalf("%+v %v", res, err)
	}
	rows := trainingRows(4)
	for _, r := range rows {
		r.Cells["staff_id"] = strings.ToLower(r.Cells["staff_id"])
	}
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, batchOptions(filepath.Join(t.TempDir(), "out2")))
	if err != nil || res.Issued != 0 || res.AlreadyIssued != 4 || res.Failed != 0 {
		t.Fatalf("lower-case rerun %+v %v %v", res, err, res.Failures)
	}
	checkOnce(t, o, staff.TypeMandatoryTraining, 4, nil)
}

func TestAJSONLinesOutputRunAgainAddsNoLine(t *testing.T) {
	for _, format := range []Format{FormatJWT, FormatEdDSAJCS2022} {
		t.Run(string(format), func(t *testing.T) { jsonlRerun(t, format) })
	}
}

// withAmpersand gives rows a provider with a character that JSON may
// escape.
func withAmpersand(rows []staff.CSVRow) []staff.CSVRow {
	for _, r := range rows {
		r.Cells["training_provider"] = "Riverside & <Hillside> NHS Trust"
	}
	return rows
}

func jsonlRerun(t *testing.T, format Format) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	opts := batchOptions(out)
	opts.Output, opts.GroupSize, opts.Format = OutputJSONL, 4, format
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, withAmpersand(trainingRows(10)), opts)
	if err != nil || res.Issued != 10 {
		t.Fatalf("%+v %v", res, err)
	}
	checkOnce(t, o, staff.TypeMandatoryTraining, 10, jsonlLines(t, out))

	// More rows, and the file's last line cut short as by a kill while
	// appending: the cut line is written again, once, and the new rows
	// added.
	path := filepath.Join(out, JSONLFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data[:len(data)-40], 0o600); err != nil {
		t.Fatal(err)
	}
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, withAmpersand(trainingRows(15)), opts)
	if err != nil || res.Issued != 5 || res.AlreadyIssued != 10 || res.Failed != 0 {
		t.Fatalf("rerun %+v %v %v", res, err, res.Failures)
	}
	checkOnce(t, o, staff.TypeMandatoryTraining, 15, jsonlLines(t, out))
	if got := readDir(t, out); len(got) != 1 {
		t.Errorf("files %d, want only %s", len(got), JSONLFile)
	}
}

func TestACancelledJSONLinesBatchResumesWithEachRowOnce(t *testing.T) {
	n := 90
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := batchOptions(out)
	opts.Output, opts.GroupSize, opts.Workers = OutputJSONL, 4, 2
	opts.Progress = func(p BatchProgress) {
		if p.Done == 6 {
			cancel()
		}
	}
	res, err := IssueBatch(ctx, o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(n), opts)
	if !errors.Is(err, context.Canceled) || res.NotStarted == 0 || res.Issued+res.NotStarted != n {
		t.Fatalf("interrupted %+v %v", res, err)
	}
	opts.Progress = nil
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(n), opts)
	if err != nil || res.Issued+res.AlreadyIssued != n || res.Failed != 0 {
		t.Fatalf("rerun %+v %v", res, err)
	}
	checkOnce(t, o, staff.TypeMandatoryTraining, n, jsonlLines(t, out))
}

func TestARowReservedButNotRecordedIsSignedWithItsReservedIndexes(t *testing.T) {
	for _, output := range []BatchOutput{OutputFiles, OutputJSONL} {
		t.Run(string(output), func(t *testing.T) {
			o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
			out := filepath.Join(t.TempDir(), "out")
			rows := trainingRows(3)
			// A run killed after reserving row 2's group.
			r, err := staff.ParseRow(staff.TypeMandatoryTraining, rows[1], staff.DateOf(batchNow))
			if err != nil {
				t.Fatal(err)
			}
			got, err := o.reg.ReserveMany(context.Background(), []registry.Reservation{{
				IssuanceKey: r.IssuanceKey(), Type: r.Type, Subject: r.Subject, Format: string(FormatJWT),
				Purposes: []string{status.PurposeRevocation, status.PurposeSuspension}, Actor: "hr.batch",
			}})
			if err != nil || got[0].Err != nil || !got[0].Fresh {
				t.Fatalf("%+v %v", got, err)
			}
			reserved := got[0].Record
			opts := batchOptions(out)
			opts.Output = output
			res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
			if err != nil || res.Issued != 3 {
				t.Fatalf("%+v %v %v", res, err, res.Failures)
			}
			recs, err := o.reg.Find(context.Background(), registry.Target{IssuanceKey: r.IssuanceKey()})
			if err != nil {
				t.Fatal(err)
			}
			if recs[0].CredentialID != reserved.CredentialID || fmt.Sprint(recs[0].Status) != fmt.Sprint(reserved.Status) {
				t.Errorf("issued as %s %v, reserved as %s %v", recs[0].CredentialID, recs[0].Status, reserved.CredentialID, reserved.Status)
			}
			var lines map[string][]byte
			if output == OutputJSONL {
				lines = jsonlLines(t, out)
			}
			checkOnce(t, o, staff.TypeMandatoryTraining, 3, lines)
		})
	}
}

func TestAnOutputWrittenButNotRecordedIsAdopted(t *testing.T) {
	// A run killed after writing a group's files and before recording
	// them: the rerun records the credentials it finds, not new ones.
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	rows := trainingRows(3)
	if _, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, batchOptions(out)); err != nil {
		t.Fatal(err)
	}
	files := readDir(t, out)
	// Make the registry forget the recording, as if killed before it.
	if _, err := rawDB(t, o).Exec(`UPDATE credentials SET state = 'reserved', issued_at = NULL, credential = NULL, digest = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, o).Exec(`DELETE FROM audit WHERE action = 'issue'`); err != nil {
		t.Fatal(err)
	}
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, batchOptions(out))
	if err != nil || res.Issued != 3 || res.Failed != 0 {
		t.Fatalf("%+v %v %v", res, err, res.Failures)
	}
	if !mapsEqual(files, readDir(t, out)) {
		t.Error("the files changed")
	}
	for _, rec := range allRecords(t, o.reg, staff.TypeMandatoryTraining) {
		found := false
		for _, data := range files {
			found = found || bytes.Equal(data, rec.Credential)
		}
		if !found {
			t.Errorf("%s recorded another credential than its file's", rec.IssuanceKey)
		}
	}
	checkOnce(t, o, staff.TypeMandatoryTraining, 3, nil)
}

// batchRun is a batch of batchesAtOnce: an organisation's handle and an
// output directory.
type batchRun struct {
	o   *testOrg
	out string
}

// batchesAtOnce runs a batch of n training rows for each run, all at once,
// with batchOptions changed by set, and returns their results and errors.
func batchesAtOnce(n int, runs []batchRun, set func(*BatchOptions)) ([]*BatchResult, []error) {
	var wg sync.WaitGroup
	results := make([]*BatchResult, len(runs))
	errs := make([]error, len(runs))
	for i, run := range runs {
		wg.Go(func() {
			opts := batchOptions(run.out)
			set(&opts)
			results[i], errs[i] = IssueBatch(context.Background(), run.o.reg, run.o.signer, staff.TypeMandatoryTraining, trainingRows(n), opts)
		})
	}
	wg.Wait()
	return results, errs
}

func TestTwoBatchesAtOnceOnOneRegistryIssueEachRowOnceWithoutFailures(t *testing.T) {
	for _, sameDir := range []bool{true, false} {
		t.Run(fmt.Sprintf("same output directory %v", sameDir), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "org")
			a := newTestOrg(t, dir)
			b := openTestOrg(t, dir) // a second connection, as a second process has
			outA, outB := filepath.Join(t.TempDir(), "out"), filepath.Join(t.TempDir(), "out")
			if sameDir {
				outB = outA
			}
			n := 40
			results, errs := batchesAtOnce(n, []batchRun{{a, outA}, {b, outB}}, func(opts *BatchOptions) { opts.GroupSize = 5 })
			for i := range 2 {
				if errs[i] != nil || results[i].Failed != 0 || results[i].Issued+results[i].AlreadyIssued != n {
					t.Fatalf("run %d: %+v %v %v", i, results[i], errs[i], results[i].Failures)
				}
			}
			if results[0].Issued+results[1].Issued != n {
				t.Errorf("issued %d and %d, want %d in all", results[0].Issued, results[1].Issued, n)
			}
			checkOnce(t, a, staff.TypeMandatoryTraining, n, nil)
			recorded := map[string]bool{}
			for _, rec := range allRecords(t, a.reg, staff.TypeMandatoryTraining) {
				recorded[string(rec.Credential)] = true
			}
			for _, out := range []string{outA, outB} {
				files := readDir(t, out)
				if len(files) != n {
					t.Errorf("%s: %d files, want %d", out, len(files), n)
				}
				for name, data := range files {
					if !recorded[string(data)] {
						t.Errorf("%s holds a credential that is not the recorded one", name)
					}
				}
			}
		})
	}
}

func TestReserveManyGivesNoIndexTwiceAndRefusesAConflictAlone(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	ctx := context.Background()
	var rs []registry.Reservation
	for i := range 300 {
		rs = append(rs, registry.Reservation{IssuanceKey: fmt.Sprintf("k%d", i), Type: "T", Subject: wallets[0], Format: "vc+jwt",
			Purposes: []string{status.PurposeRevocation, status.PurposeSuspension}, Actor: "a"})
	}
	got, err := o.reg.ReserveMany(ctx, rs)
	if err != nil {
		t.Fatal(err)
	}
	// Again, with one conflicting: the others are found as they were.
	rs[7].Subject = wallets[1]
	again, err := o.reg.ReserveMany(ctx, rs)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range rs {
		if i == 7 {
			if !errors.Is(again[i].Err, registry.ErrReservationConflict) {
				t.Errorf("conflict: %v", again[i].Err)
			}
			continue
		}
		if again[i].Err != nil || again[i].Fresh || again[i].Record.CredentialID != got[i].Record.CredentialID {
			t.Errorf("%d: %+v", i, again[i])
		}
		for _, a := range got[i].Record.Status {
			at := fmt.Sprintf("%d:%d", a.ListID, a.Index)
			if seen[at] {
				t.Fatalf("index %s given twice", at)
			}
			seen[at] = true
		}
	}
	cs := []registry.Completion{{IssuanceKey: "k1", IssuedAt: batchNow, Credential: []byte("one")}, {IssuanceKey: "nope", IssuedAt: batchNow, Credential: []byte("x")}}
	done, err := o.reg.CompleteMany(ctx, cs)
	if err != nil || done[0].Err != nil || !done[0].Recorded || !errors.Is(done[1].Err, registry.ErrCredentialNotFound) {
		t.Fatalf("%+v %v", done, err)
	}
	cs[0].Credential = []byte("two")
	done, err = o.reg.CompleteMany(ctx, cs[:1])
	if err != nil || !errors.Is(done[0].Err, registry.ErrAlreadyIssued) || done[0].Recorded || string(done[0].Credential) != "one" {
		t.Fatalf("%+v %v", done, err)
	}
	checkIntegrity(t, o.reg)
}

func TestARerunWithARowKeyFindsRowsIssuedWithoutHashingThemAgain(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	key, err := o.org.RowKey()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := o.org.RowKey(); err != nil || !bytes.Equal(again, key) {
		t.Fatalf("the row key changed: %v", err)
	}
	rows := []staff.CSVRow{dbsRow(2, "E1", "001234567890"), dbsRow(3, "E2", "001234567891")}
	opts := batchOptions(out)
	opts.RowKey = key
	if res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, rows, opts); err != nil || res.Issued != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	var digests int
	if err := rawDB(t, o).QueryRow(`SELECT COUNT(*) FROM credentials WHERE row_digest IS NOT NULL`).Scan(&digests); err != nil || digests != 2 {
		t.Fatalf("%d row digests, %v", digests, err)
	}

	// A row whose certificate number changed is checked against the
	// credential, and refused.
	changed := []staff.CSVRow{dbsRow(2, "E1", "001234567899")}
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, changed, opts)
	if err != nil || res.Failed != 1 || !errors.Is(res.Failures[0], ErrChanged) {
		t.Fatalf("changed row %+v %v", res, err)
	}

	// The same rows are found by their digest, without a hash: shown by
	// recording the changed row's digest in place of E1's, which the
	// rerun then believes.
	r, err := staff.ParseRow(staff.TypeDBSCheck, changed[0], staff.DateOf(batchNow))
	if err != nil {
		t.Fatal(err)
	}
	b := &batch{opts: opts}
	if _, err := rawDB(t, o).Exec(`UPDATE credentials SET row_digest = $1 WHERE issuance_key = $2`, b.rowDigest(r), r.IssuanceKey()); err != nil {
		t.Fatal(err)
	}
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, changed, opts)
	if err != nil || res.AlreadyIssued != 1 || res.Failed != 0 {
		t.Fatalf("rerun by digest %+v %v %v", res, err, res.Failures)
	}

	// A credential issued without a digest gets one on the next run.
	if _, err := rawDB(t, o).Exec(`UPDATE credentials SET row_digest = NULL`); err != nil {
		t.Fatal(err)
	}
	if res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, rows, opts); err != nil || res.AlreadyIssued != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	if err := rawDB(t, o).QueryRow(`SELECT COUNT(*) FROM credentials WHERE row_digest IS NOT NULL`).Scan(&digests); err != nil || digests != 2 {
		t.Fatalf("%d row digests after a rerun, %v", digests, err)
	}
}

// A batch keeps only the rows on their way through the pipeline to find a
// row repeating an earlier one; a repeat of a row finished long before is
// found in the registry, recorded with the run's id and its line: it fails
// naming that line, in either case, and nothing is issued twice. A dry run
// records nothing, so it keeps every row. A rerun finds the rows issued by
// the first run as issued (and the repeat as issued too: it says what the
// first said).
func TestDuplicateRowsAreFoundWithoutKeepingEveryRow(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	rows := trainingRows(600)
	rows[590].Cells = maps.Clone(rows[3].Cells)                                // line 592 repeats line 5
	rows[595].Cells = maps.Clone(rows[7].Cells)                                // line 597 repeats line 9...
	rows[595].Cells["staff_id"] = strings.ToLower(rows[595].Cells["staff_id"]) // ...in lower case
	rows[11].Cells = maps.Clone(rows[10].Cells)                                // line 13 repeats line 12, in flight
	var peak int
	dupSetPeak = func(n int) { peak = n }
	t.Cleanup(func() { dupSetPeak = nil })
	opts := batchOptions(out)
	opts.GroupSize = 10
	opts.DryRun = true
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.WouldIssue != 597 || res.Failed != 3 || peak != 597 {
		t.Fatalf("dry run: %+v, %d rows held", res, peak)
	}
	opts.DryRun = false
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Issued != 597 || res.Failed != 3 {
		t.Fatalf("result %+v", res)
	}
	// The pipeline holds a few groups: the one read, one in each stage,
	// one in each channel between them.
	if peak > 16*opts.GroupSize {
		t.Errorf("the run held %d rows at once to find repeats, for groups of %d", peak, opts.GroupSize)
	}
	want := map[int]string{13: "repeats row 12", 592: "repeats row 5", 597: "repeats row 9"}
	for _, f := range res.Failures {
		if !errors.Is(f, ErrDuplicateRow) || !strings.Contains(f.Reason, want[f.Line]) || want[f.Line] == "" {
			t.Errorf("failure %+v, want %q", f, want[f.Line])
		}
	}
	if n := len(allRecords(t, o.reg, staff.TypeMandatoryTraining)); n != 597 {
		t.Errorf("%d credentials recorded, want 597", n)
	}
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.AlreadyIssued+res.Failed != 600 || res.Issued != 0 {
		t.Fatalf("rerun: %+v", res)
	}
}
