package issuer

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/did"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/pgtest"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/verifier"
)

// batchNow is when the test batches are issued.
var batchNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func batchClock() time.Time { return batchNow }

// testOrg is an organisation set up in a temporary directory.
type testOrg struct {
	org    *Organisation
	signer keys.Signer
	reg    *registry.Registry
}

func newTestOrg(t testing.TB, dir string) *testOrg {
	t.Helper()
	if _, err := InitOrganisation(context.Background(), dir, "riverside.nhs.example", InitOptions{}); err != nil {
		t.Fatal(err)
	}
	return openTestOrg(t, dir)
}

func openTestOrg(t testing.TB, dir string) *testOrg { return openTestOrgAt(t, dir, "") }

// newPostgresTestOrg sets up an organisation whose registry is a fresh
// PostgreSQL database, and returns it opened, with the database's URL (to
// open it again, as another process would, with openTestOrgAt).
func newPostgresTestOrg(t testing.TB) (*testOrg, string, string) {
	t.Helper()
	loc := pgtest.Database(t)
	dir := filepath.Join(t.TempDir(), "org")
	if _, err := InitOrganisation(context.Background(), dir, "riverside.nhs.example", InitOptions{RegistryURL: loc}); err != nil {
		t.Fatal(err)
	}
	return openTestOrgAt(t, dir, loc), dir, loc
}

// openTestOrgAt opens the organisation in dir, with its registry at
// registryURL when that is not empty (a registry in PostgreSQL).
func openTestOrgAt(t testing.TB, dir, registryURL string) *testOrg {
	t.Helper()
	org, err := OpenOrganisation(dir)
	if err != nil {
		t.Fatal(err)
	}
	if registryURL != "" {
		org.RegistryURL = registryURL
	}
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

// wallets are the test members of staff's did:keys, from fixed seeds.
var wallets = func() []string {
	var out []string
	for i := range 5 {
		seed := sha256.Sum256(fmt.Appendf(nil, "staffpass batch test wallet %d", i))
		d, err := didkey.New(ed25519.NewKeyFromSeed(seed[:]).Public())
		if err != nil {
			panic(err) // fixed input
		}
		out = append(out, d.String())
	}
	return out
}()

// trainingRows returns n valid mandatory training rows, cheap to issue (no
// identifier to hash), each for its own staff id.
func trainingRows(n int) []staff.CSVRow {
	rows := make([]staff.CSVRow, n)
	for i := range rows {
		rows[i] = staff.CSVRow{Line: i + 2, Cells: map[string]string{
			"staff_id": fmt.Sprintf("E%05d", i), "subject": wallets[i%len(wallets)],
			"training_provider": "Riverside Example NHS Trust", "framework_version": "CSTF England v1.1",
			"fire_safety_level": "1", "fire_safety_completion_date": staff.DateOf(batchNow).AddDays(-1 - i%300).String(),
			"resuscitation_level": "2", "resuscitation_completion_date": "29/02/2024",
		}}
	}
	return rows
}

// dbsRow returns a valid DBS check row, which hashes one certificate
// number (tens of milliseconds).
func dbsRow(line int, staffID, certificate string) staff.CSVRow {
	return staff.CSVRow{Line: line, Cells: map[string]string{
		"staff_id": staffID, "subject": wallets[0], "dbs_level": "enhanced", "dbs_workforce": "adult",
		"certificate_number": certificate, "certificate_issue_date": "04/11/2025",
		"update_service_subscribed": "no", "check_date": "2026-02-25",
	}}
}

func batchOptions(out string) BatchOptions {
	return BatchOptions{Format: FormatJWT, Out: out, Workers: 4, Actor: "hr.batch", Clock: batchClock}
}

// allRecords returns the registry's records of type typ for the test wallets.
func allRecords(t testing.TB, reg *registry.Registry, typ string) []*registry.Record {
	t.Helper()
	var out []*registry.Record
	for _, w := range wallets {
		recs, err := reg.Find(context.Background(), registry.Target{Subject: w, Type: typ})
		if errors.Is(err, registry.ErrCredentialNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, recs...)
	}
	return out
}

// readDir returns the files of dir by name.
func readDir(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

// verifyFiles verifies every credential file of dir offline against the
// organisation's DID document and freshly published status lists, and
// returns how many it verified.
func verifyFiles(t testing.TB, o *testOrg, dir string) int {
	t.Helper()
	ctx := context.Background()
	pubs, err := PublishStatusLists(ctx, o.reg, o.signer, batchNow, PublishOptions{Dir: t.TempDir(), Format: FormatJWT, Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var lists [][]byte
	for _, p := range pubs {
		data, err := os.ReadFile(p.File)
		if err != nil {
			t.Fatal(err)
		}
		lists = append(lists, data)
	}
	doc, err := o.org.Document()
	if err != nil {
		t.Fatal(err)
	}
	static := &did.StaticResolver{}
	if err := static.Add(doc.ID, doc); err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Trust{
		Issuers:     []string{o.org.DID},
		Resolver:    did.Router{"web": static, didkey.Method: didkey.Resolver{}},
		StatusLists: lists,
	}, verifier.WithClock(func() time.Time { return batchNow.Add(time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, data := range readDir(t, dir) {
		if name == ErrorsFile {
			continue
		}
		if _, err := v.Verify(ctx, data, verifier.Policy{}); err != nil {
			t.Errorf("%s does not verify: %v", name, err)
		}
		n++
	}
	return n
}

func TestABatchIssuesEachRowOnceAndARerunIssuesNothing(t *testing.T) {
	n := 40
	if raceEnabled {
		n = 12
	}
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	var progress []BatchProgress
	opts := batchOptions(out)
	opts.Progress = func(p BatchProgress) { progress = append(progress, p) }
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(n), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != n || res.Issued != n || res.AlreadyIssued != 0 || res.Failed != 0 || len(res.Failures) != 0 {
		t.Fatalf("result %+v", res)
	}
	if len(progress) != n || progress[n-1] != (BatchProgress{Done: n, Total: n, Issued: n}) {
		t.Errorf("%d progress calls, last %+v", len(progress), progress[len(progress)-1])
	}

	recs := allRecords(t, o.reg, staff.TypeMandatoryTraining)
	if len(recs) != n {
		t.Fatalf("%d records, want %d", len(recs), n)
	}
	ids, indexes := map[string]bool{}, map[string]bool{}
	for _, rec := range recs {
		if rec.State != registry.StateIssued || ids[rec.CredentialID] || len(rec.Status) != 2 {
			t.Fatalf("record %s: %s, %d status entries, id seen before: %v", rec.IssuanceKey, rec.State, len(rec.Status), ids[rec.CredentialID])
		}
		ids[rec.CredentialID] = true
		for _, a := range rec.Status {
			at := fmt.Sprintf("%d:%d", a.ListID, a.Index)
			if indexes[at] {
				t.Fatalf("index %s given twice", at)
			}
			indexes[at] = true
		}
		if !strings.HasPrefix(rec.IssuanceKey, "E0") || !strings.Contains(rec.IssuanceKey, "|MandatoryTrainingCredential|") {
			t.Errorf("issuance key %q", rec.IssuanceKey)
		}
	}
	files := readDir(t, out)
	if len(files) != n {
		t.Fatalf("%d files, want %d", len(files), n)
	}
	if _, ok := files["E00000-mandatory-training-2026-03-01-"+occasionDigest(t, trainingRows(1)[0])+".jwt"]; !ok {
		t.Errorf("no file for E00000 among %v", slices.Sorted(func(yield func(string) bool) {
			for k := range files {
				if !yield(k) {
					return
				}
			}
		}))
	}
	if got := verifyFiles(t, o, out); got != n {
		t.Errorf("verified %d files", got)
	}
	for name := range files {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600 (credentials are personal data)", name, st.Mode().Perm(), err)
		}
	}

	// A rerun issues nothing and leaves every file as it was.
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(n), batchOptions(out))
	if err != nil {
		t.Fatal(err)
	}
	if res.Issued != 0 || res.AlreadyIssued != n || res.Failed != 0 {
		t.Fatalf("rerun %+v", res)
	}
	if again := readDir(t, out); !mapsEqual(files, again) {
		t.Error("the rerun changed the output files")
	}
	if got := len(allRecords(t, o.reg, staff.TypeMandatoryTraining)); got != n {
		t.Errorf("%d records after the rerun", got)
	}

	// Lost files are written again from the registry, byte for byte.
	var lost []string
	for name := range files {
		if len(lost) < 3 {
			lost = append(lost, name)
			os.Remove(filepath.Join(out, name))
		}
	}
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(n), batchOptions(out))
	if err != nil || res.AlreadyIssued != n {
		t.Fatalf("rerun after losing files: %+v, %v", res, err)
	}
	if again := readDir(t, out); !mapsEqual(files, again) {
		t.Errorf("the lost files %q were not written again as they were", lost)
	}
}

func occasionDigest(t *testing.T, row staff.CSVRow) string {
	r, err := staff.ParseRow(staff.TypeMandatoryTraining, row, staff.DateOf(batchNow))
	if err != nil {
		t.Fatal(err)
	}
	o := r.Occasion()
	return o[strings.LastIndexByte(o, '-')+1:]
}

func mapsEqual(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

func TestAFailedRowDoesNotStopTheOthers(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	rows := trainingRows(8)
	rows[1].Cells["fire_safety_completion_date"] = "31/02/2026"
	rows[3].Cells["staff_id"] = "=HYPERLINK(\"x\")"
	rows[5].Cells = maps.Clone(rows[4].Cells)                              // a repeat of row 4
	rows[7].Cells["staff_id"] = strings.ToLower(rows[6].Cells["staff_id"]) // e00006, E00006
	rows[7].Cells["fire_safety_completion_date"] = rows[6].Cells["fire_safety_completion_date"]
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, batchOptions(out))
	if err != nil {
		t.Fatal(err)
	}
	if res.Issued != 4 || res.Failed != 4 {
		t.Fatalf("result %+v", res)
	}
	want := []struct {
		line   int
		staff  string
		column string
		kind   error
	}{
		{3, "E00001", "fire_safety_completion_date", staff.ErrFormat},
		{5, "", "staff_id", staff.ErrFormat},
		{7, "E00004", "", ErrDuplicateRow},
		{9, "e00006", "staff_id", ErrDuplicateRow},
	}
	if len(res.Failures) != len(want) {
		t.Fatalf("failures %v", res.Failures)
	}
	for i, w := range want {
		f := res.Failures[i]
		if f.Line != w.line || f.StaffID != w.staff || f.Column != w.column || !errors.Is(f, w.kind) {
			t.Errorf("failure %d = %+v, want line %d, staff %q, column %q, %v", i, f, w.line, w.staff, w.column, w.kind)
		}
	}
	if !strings.Contains(res.Failures[2].Reason, "repeats row 6") {
		t.Errorf("duplicate reason %q", res.Failures[2].Reason)
	}

	data, err := os.ReadFile(filepath.Join(out, ErrorsFile))
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 5 || !slices.Equal(records[0], []string{"row", "staff_id", "column", "reason"}) ||
		!slices.Equal(records[1][:3], []string{"3", "E00001", "fire_safety_completion_date"}) {
		t.Errorf("errors.csv:\n%s", data)
	}
	for _, rec := range records {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("errors.csv holds a formula: %q", cell)
			}
		}
	}
	var buf bytes.Buffer
	formula := &BatchResult{Failures: []*RowFailure{{Line: 2, StaffID: "@SUM(A1)", Column: "-x", Reason: "=1+2"}}}
	if err := formula.WriteErrorsCSV(&buf); err != nil || buf.String() != "row,staff_id,column,reason\n2,'@SUM(A1),'-x,'=1+2\n" {
		t.Errorf("WriteErrorsCSV = %q, %v", buf.String(), err)
	}

	// Once the rows are fixed, the rerun issues them and removes errors.csv.
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(8), batchOptions(out))
	if err != nil || res.Issued != 4 || res.AlreadyIssued != 4 || res.Failed != 0 {
		t.Fatalf("fixed rerun %+v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(out, ErrorsFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("errors.csv left after a clean run: %v", err)
	}
}

func TestARerunRefusesARowThatChangedSinceItWasIssued(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	const certificate = "001234567890"
	row := dbsRow(2, "E1", certificate)
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, []staff.CSVRow{row}, batchOptions(out))
	if err != nil || res.Issued != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	for _, tc := range []struct {
		name   string
		change map[string]string
		column string
		kind   error
	}{
		{"a corrected level", map[string]string{"dbs_level": "standard", "dbs_workforce": ""}, "dbs_level", ErrChanged},
		{"another certificate number", map[string]string{"certificate_number": "001234567891"}, "certificate_number", ErrChanged},
		{"an end of validity", map[string]string{"valid_until": "2029-02-25"}, "valid_until", ErrChanged},
		{"another subject", map[string]string{"subject": wallets[1]}, "subject", ErrChanged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changed := staff.CSVRow{Line: 2, Cells: map[string]string{}}
			for k, v := range row.Cells {
				changed.Cells[k] = v
			}
			for k, v := range tc.change {
				changed.Cells[k] = v
			}
			res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, []staff.CSVRow{changed}, batchOptions(out))
			if err != nil {
				t.Fatal(err)
			}
			if res.Failed != 1 || res.Issued != 0 || !slices.ContainsFunc(res.Failures, func(f *RowFailure) bool { return f.Column == tc.column && errors.Is(f, tc.kind) }) {
				t.Fatalf("result %+v, failures %v; want %v in %s", res, res.Failures, tc.kind, tc.column)
			}
		})
	}
	// The same row in another format is refused too.
	opts := batchOptions(out)
	opts.Format = FormatEdDSARDFC2022
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, []staff.CSVRow{row}, opts)
	if err != nil || res.Failed != 1 || !errors.Is(res.Failures[0], ErrChanged) || !strings.Contains(res.Failures[0].Reason, "in format jwt") {
		t.Fatalf("another format: %+v %v, %v", res, res.Failures, err)
	}
	if got := allRecords(t, o.reg, staff.TypeDBSCheck); len(got) != 1 {
		t.Errorf("%d records, want 1", len(got))
	}

	// The raw certificate number is nowhere: not in the files, the
	// errors, the registry.
	files := readDir(t, out)
	if _, ok := files[ErrorsFile]; !ok || len(files) != 2 {
		t.Errorf("files %d, errors.csv present %v", len(files), ok)
	}
	regFiles := readDir(t, o.org.Dir)
	for name, data := range mergeMaps(files, regFiles) {
		for _, c := range []string{certificate, "001234567891"} {
			if bytes.Contains(data, []byte(c)) {
				t.Errorf("%s holds the certificate number %s", name, c)
			}
		}
	}
}

func mergeMaps(a, b map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out["org/"+k] = v
	}
	return out
}

func TestAnOutputFileIsNeverOverwritten(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	rows := trainingRows(3)
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, BatchOptions{
		Format: FormatJWT, Out: out, Actor: "hr", Clock: batchClock, DryRun: false, Workers: 1,
	})
	if err != nil || res.Issued != 3 {
		t.Fatalf("%+v %v", res, err)
	}
	files := readDir(t, out)
	var victim string
	for name := range files {
		if strings.HasPrefix(name, "E00001-") {
			victim = name
		}
	}
	if err := os.WriteFile(filepath.Join(out, victim), []byte("someone else's"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A fourth row whose file is already there, never issued.
	rows = trainingRows(4)
	probe, err := staff.ParseRow(staff.TypeMandatoryTraining, rows[3], staff.DateOf(batchNow))
	if err != nil {
		t.Fatal(err)
	}
	squatter := filepath.Join(out, "E00003-mandatory-training-"+probe.Occasion()+".jwt")
	if err := os.WriteFile(squatter, []byte("another file"), 0o600); err != nil {
		t.Fatal(err)
	}

	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, batchOptions(out))
	if err != nil {
		t.Fatal(err)
	}
	if res.AlreadyIssued != 2 || res.Failed != 2 || res.Issued != 0 {
		t.Fatalf("result %+v %v", res, res.Failures)
	}
	for _, f := range res.Failures {
		if !errors.Is(f, ErrOutputExists) {
			t.Errorf("failure %v, want ErrOutputExists", f)
		}
	}
	if !strings.Contains(res.Failures[0].Reason, "the credential is issued and recorded") ||
		!strings.Contains(res.Failures[1].Reason, "no credential was issued for this row") {
		t.Errorf("reasons %q", []string{res.Failures[0].Reason, res.Failures[1].Reason})
	}
	if data, _ := os.ReadFile(filepath.Join(out, victim)); string(data) != "someone else's" {
		t.Error("the file was overwritten")
	}
	if got := len(allRecords(t, o.reg, staff.TypeMandatoryTraining)); got != 3 {
		t.Errorf("%d records: the squatted row was issued", got)
	}
}

func TestADryRunChecksEverythingAndIssuesNothing(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	rows := append(trainingRows(5), dbsRow(7, "E9", "0012 3456 7890"))
	rows[2].Cells["resuscitation_level"] = "9"
	opts := batchOptions(out)
	opts.DryRun = true
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.WouldIssue != 4 || res.Failed != 2 || res.Issued != 0 {
		t.Fatalf("dry run %+v", res)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dry run made the output directory: %v", err)
	}
	if got := allRecords(t, o.reg, staff.TypeMandatoryTraining); len(got) != 0 {
		t.Errorf("the dry run recorded %d credentials", len(got))
	}

	if _, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(3), batchOptions(out)); err != nil {
		t.Fatal(err)
	}
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(5), opts)
	if err != nil || res.AlreadyIssued != 3 || res.WouldIssue != 2 {
		t.Fatalf("dry run after issuing 3: %+v, %v", res, err)
	}
}

func TestCancellingABatchFinishesTheRowsTakenAndARerunTheRest(t *testing.T) {
	n := 120
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := batchOptions(out)
	opts.Workers = 2
	opts.GroupSize = 3 // the groups taken are finished
	opts.Progress = func(p BatchProgress) {
		if p.Done == 5 {
			cancel()
		}
	}
	res, err := IssueBatch(ctx, o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(n), opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if res.Issued < 5 || res.NotStarted == 0 || res.Issued+res.NotStarted != n || res.Failed != 0 {
		t.Fatalf("interrupted result %+v", res)
	}
	if got := len(readDir(t, out)); got != res.Issued {
		t.Errorf("%d files for %d issued", got, res.Issued)
	}
	first := res.Issued

	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(n), batchOptions(out))
	if err != nil || res.Issued != n-first || res.AlreadyIssued != first {
		t.Fatalf("rerun %+v, %v", res, err)
	}
	if got := len(allRecords(t, o.reg, staff.TypeMandatoryTraining)); got != n {
		t.Errorf("%d records, want %d", got, n)
	}
}

func TestIssueBatchRefusesUnusableOptions(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	good := batchOptions(out)
	for _, tc := range []struct {
		name string
		typ  string
		opts func(*BatchOptions)
		want error
	}{
		{"no actor", staff.TypeDBSCheck, func(o *BatchOptions) { o.Actor = "" }, ErrOptions},
		{"no clock", staff.TypeDBSCheck, func(o *BatchOptions) { o.Clock = nil }, ErrOptions},
		{"no output directory", staff.TypeDBSCheck, func(o *BatchOptions) { o.Out = "" }, ErrOptions},
		{"an unknown format", staff.TypeDBSCheck, func(o *BatchOptions) { o.Format = "rsa" }, ErrOptions},
		{"employment history", staff.TypeEmploymentHistory, func(*BatchOptions) {}, staff.ErrNoRowMapping},
		{"a type that is not one", "DBSCheck", func(*BatchOptions) {}, staff.ErrNoRowMapping},
	} {
		opts := good
		tc.opts(&opts)
		if _, err := IssueBatch(context.Background(), o.reg, o.signer, tc.typ, nil, opts); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := IssueBatch(context.Background(), nil, o.signer, staff.TypeDBSCheck, nil, good); !errors.Is(err, ErrOptions) {
		t.Errorf("no registry: %v", err)
	}
	// An output path that is a file.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	opts := good
	opts.Out = file
	if _, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, nil, opts); err == nil {
		t.Error("an output directory that is a file was accepted")
	}
}

func TestABatchIssuesDataIntegrityCredentialsAsJSONFiles(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	opts := batchOptions(out)
	opts.Format = FormatEdDSARDFC2022
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(3), opts)
	if err != nil || res.Issued != 3 {
		t.Fatalf("%+v %v", res, err)
	}
	for name := range readDir(t, out) {
		if !strings.HasSuffix(name, ".json") {
			t.Errorf("file %s", name)
		}
	}
	if got := verifyFiles(t, o, out); got != 3 {
		t.Errorf("verified %d", got)
	}
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(3), opts)
	if err != nil || res.AlreadyIssued != 3 {
		t.Fatalf("rerun %+v %v", res, err)
	}
}

func TestStaleTemporaryFilesAreRemoved(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	out := filepath.Join(t.TempDir(), "out")
	os.MkdirAll(out, 0o700)
	stale := []string{".E00001-mandatory-training-2026-03-01-1a2b3c4d.jwt.tmp-123456", ".errors.csv.tmp-99"}
	keep := []string{"notes.txt", ".tmp-1", ".x.txt.tmp-1"}
	for _, name := range slices.Concat(stale, keep) {
		os.WriteFile(filepath.Join(out, name), []byte("x"), 0o600)
	}
	if _, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, nil, batchOptions(out)); err != nil {
		t.Fatal(err)
	}
	files := readDir(t, out)
	for _, name := range stale {
		if _, ok := files[name]; ok {
			t.Errorf("%s left", name)
		}
	}
	for _, name := range keep {
		if _, ok := files[name]; !ok {
			t.Errorf("%s removed", name)
		}
	}
}
