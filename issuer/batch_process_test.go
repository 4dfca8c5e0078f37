package issuer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
)

// The child process of TestABatchIssueKilledMidwayResumes runs a batch
// named by these variables.
const (
	batchHelperEnv   = "STAFFPASS_BATCH_HELPER" // the organisation directory
	batchHelperOut   = "STAFFPASS_BATCH_HELPER_OUT"
	batchHelperCount = "STAFFPASS_BATCH_HELPER_COUNT"
	// batchHelperJSONL set: OutputJSONL.
	batchHelperJSONL = "STAFFPASS_BATCH_HELPER_JSONL"
)

// TestBatchHelperProcess is not a test: it is the child process of
// TestABatchIssueKilledMidwayResumes, and does nothing unless
// batchHelperEnv is set. It prints "D n" after each row.
func TestBatchHelperProcess(t *testing.T) {
	dir := os.Getenv(batchHelperEnv)
	if dir == "" {
		t.Skip("run only as the child process of TestABatchIssueKilledMidwayResumes")
	}
	n, err := strconv.Atoi(os.Getenv(batchHelperCount))
	if err != nil {
		t.Fatal(err)
	}
	o := openTestOrg(t, dir)
	opts := batchOptions(os.Getenv(batchHelperOut))
	opts.Workers = 2
	opts.Progress = func(p BatchProgress) { fmt.Fprintf(os.Stdout, "D %d\n", p.Done) }
	// Small groups, so that the kill lands in the middle of the
	// pipeline: some groups reserved, some signed, some written.
	opts.GroupSize = 7
	if os.Getenv(batchHelperJSONL) != "" {
		opts.Output = OutputJSONL
	}
	if _, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(n), opts); err != nil {
		t.Fatal(err)
	}
}

func TestABatchIssueKilledMidwayResumes(t *testing.T) { killMidway(t, OutputFiles) }

func TestAJSONLinesBatchKilledMidGroupResumes(t *testing.T) { killMidway(t, OutputJSONL) }

func killMidway(t *testing.T, output BatchOutput) {
	// Kill after a random number of rows, a random moment later, so that
	// runs land the kill in different steps: hashing, signing, a registry
	// transaction, writing a file.
	n, killAfter := 300, 50+mrand.IntN(100)
	if raceEnabled {
		n, killAfter = 80, 10+mrand.IntN(40)
	}
	killDelay := time.Duration(mrand.IntN(5000)) * time.Microsecond
	orgDir := filepath.Join(t.TempDir(), "org")
	out := filepath.Join(t.TempDir(), "out")
	o := newTestOrg(t, orgDir)
	o.reg.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestBatchHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), batchHelperEnv+"="+orgDir, batchHelperOut+"="+out, batchHelperCount+"="+strconv.Itoa(n))
	if output == OutputJSONL {
		cmd.Env = append(cmd.Env, batchHelperJSONL+"=1")
	}
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "D" {
			done++
			if done == killAfter {
				time.Sleep(killDelay)
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the batch was not killed midway: %v (%d of %d rows done)", err, done, n)
	}
	t.Logf("killed %v after row %d of %d; the child had reported %d rows", killDelay, killAfter, n, done)

	// Run it again to the end.
	o = openTestOrg(t, orgDir)
	opts := batchOptions(out)
	opts.Output = output
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(n), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Issued+res.AlreadyIssued != n || res.Failed != 0 || res.AlreadyIssued < done {
		t.Fatalf("rerun %+v %v: want %d rows issued in all, at least the %d the child reported already", res, res.Failures, n, done)
	}

	// Every row issued exactly once: one record per row, distinct ids and
	// indexes, one issue event each.
	recs := allRecords(t, o.reg, staff.TypeMandatoryTraining)
	if len(recs) != n {
		t.Fatalf("%d records, want %d", len(recs), n)
	}
	keys, ids, indexes := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, rec := range recs {
		if rec.State != registry.StateIssued || keys[rec.IssuanceKey] || ids[rec.CredentialID] {
			t.Fatalf("record %s %s: %s, or seen before", rec.IssuanceKey, rec.CredentialID, rec.State)
		}
		keys[rec.IssuanceKey], ids[rec.CredentialID] = true, true
		for _, a := range rec.Status {
			at := fmt.Sprintf("%d:%d", a.ListID, a.Index)
			if indexes[at] {
				t.Fatalf("index %s given twice", at)
			}
			indexes[at] = true
		}
	}
	events, err := o.reg.Audit(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	issues := map[string]int{}
	for _, e := range events {
		if e.Action == "issue" {
			issues[e.CredentialID]++
		}
	}
	for id := range ids {
		if issues[id] != 1 {
			t.Errorf("%s has %d issue events", id, issues[id])
		}
	}

	if output == OutputJSONL {
		// One line per row, each the recorded credential.
		checkOnce(t, o, staff.TypeMandatoryTraining, n, jsonlLines(t, out))
		return
	}

	// Every file there, as recorded, verifying; no temporary file left.
	files := readDir(t, out)
	byContent := map[string]bool{}
	for name, data := range files {
		if strings.HasPrefix(name, ".") {
			t.Errorf("temporary file %s left", name)
		}
		byContent[string(data)] = true
	}
	if len(files) != n {
		t.Errorf("%d files, want %d", len(files), n)
	}
	for _, rec := range recs {
		if !byContent[string(rec.Credential)] {
			t.Errorf("no file holds the credential of %s", rec.IssuanceKey)
		}
	}
	if got := verifyFiles(t, o, out); got != n {
		t.Errorf("verified %d files, want %d", got, n)
	}
	if err := o.reg.CheckIntegrity(context.Background()); err != nil {
		t.Fatal(err)
	}
}
