package registry_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/status"
)

// The tests below run this test binary again as child processes, with
// helperEnv naming what the child does.
const (
	helperEnv       = "STAFFPASS_REGISTRY_HELPER"
	helperDBEnv     = "STAFFPASS_REGISTRY_HELPER_DB"
	helperPrefixEnv = "STAFFPASS_REGISTRY_HELPER_PREFIX"
	helperCountEnv  = "STAFFPASS_REGISTRY_HELPER_COUNT"
	// processCountEnv overrides how many credentials each process issues
	// in TestTwoProcessesNeverReceiveTheSameIndex (default 5,000).
	processCountEnv = "STAFFPASS_REGISTRY_PROCESS_COUNT"
)

// TestRegistryHelperProcess is not a test: it is the child process of the
// tests below, and does nothing unless helperEnv is set.
func TestRegistryHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("run only as a child process of the registry process tests")
	}
	n, err := strconv.Atoi(os.Getenv(helperCountEnv))
	if err != nil {
		t.Fatal(err)
	}
	r, err := registry.Open(context.Background(), os.Getenv(helperDBEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	prefix := os.Getenv(helperPrefixEnv)
	switch mode {
	case "reserve":
		err = reserveMany(r, prefix, n, os.Stdout)
	case "batch":
		_, err = runBatch(r, prefix, n, os.Stdout)
	default:
		err = fmt.Errorf("unknown helper mode %q", mode)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// startHelper starts this test binary as a child in the given mode and
// returns it with a reader of its standard output.
func startHelper(t *testing.T, mode, db, prefix string, n int) (*exec.Cmd, io.ReadCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRegistryHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		helperEnv+"="+mode, helperDBEnv+"="+db, helperPrefixEnv+"="+prefix, helperCountEnv+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

// reserveMany reserves n revocable credentials and writes one line per
// index received: "R key list index".
func reserveMany(r *registry.Registry, prefix string, n int, w io.Writer) error {
	for i := range n {
		rec, err := r.Reserve(context.Background(), reservation(fmt.Sprintf("%s-%d", prefix, i), status.PurposeRevocation))
		if err != nil {
			return err
		}
		for _, a := range rec.Status {
			fmt.Fprintf(w, "R %s %d %d\n", rec.IssuanceKey, a.ListID, a.Index)
		}
	}
	return nil
}

func TestTwoProcessesNeverReceiveTheSameIndex(t *testing.T) {
	// Lists of 8,192 so that the processes fill the first list and roll
	// over to a second one while they contend. Each reservation commits
	// with an fsync, so 10,000 of them take tens of seconds on a busy
	// disk; -short runs a tenth, with lists a sixteenth the size. On
	// PostgreSQL, four processes issue 5,000 each: the database, not the
	// race detector, sets the pace there.
	procs, each, size := 2, 5000, 8192
	switch {
	case onPostgres():
		procs = 4
		if testing.Short() {
			each, size = 500, 512
		}
	case testing.Short():
		each, size = 500, 512
	case raceEnabled:
		each, size = 150, 256
	}
	if v := os.Getenv(processCountEnv); v != "" {
		var err error
		if each, err = strconv.Atoi(v); err != nil {
			t.Fatal(err)
		}
	}
	r, path := newTestRegistry(t, size)
	r.Close()

	start := time.Now()
	type child struct {
		cmd   *exec.Cmd
		lines []string
	}
	children := make([]*child, procs)
	for i := range children {
		children[i] = &child{}
	}
	var wg sync.WaitGroup
	for i, c := range children {
		var out io.ReadCloser
		c.cmd, out = startHelper(t, "reserve", path, fmt.Sprintf("p%d", i), each)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "R ") {
					c.lines = append(c.lines, sc.Text())
				}
			}
		}()
	}
	wg.Wait()
	for i, c := range children {
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
	}
	t.Logf("%d processes reserved %d credentials each in %v (%s)", procs, each, time.Since(start).Round(time.Millisecond), storeName())

	seen := map[string]string{}
	lists := map[string]int{}
	for i, c := range children {
		if len(c.lines) != each {
			t.Fatalf("process %d reported %d indexes, want %d", i, len(c.lines), each)
		}
		for _, line := range c.lines {
			f := strings.Fields(line)
			at := f[2] + " " + f[3]
			if prev, ok := seen[at]; ok {
				t.Fatalf("list %s index %s given to %s and %s", f[2], f[3], prev, f[1])
			}
			seen[at] = f[1]
			lists[f[2]]++
		}
	}
	if len(seen) != procs*each {
		t.Fatalf("%d distinct indexes, want %d", len(seen), procs*each)
	}
	if procs*each > size && (len(lists) < 2 || lists["1"] != size) {
		t.Fatalf("indexes per list = %v, want list 1 full and a second list", lists)
	}

	// The registry agrees with what the processes were told.
	r, err := registry.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows, err := r.DB().Query(`SELECT e.list_id, e.idx, e.issuance_key FROM status_entries e`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var list, idx int64
		var key string
		if err := rows.Scan(&list, &idx, &key); err != nil {
			t.Fatal(err)
		}
		if seen[fmt.Sprintf("%d %d", list, idx)] != key {
			t.Fatalf("registry has list %d index %d for %s, the processes were told otherwise", list, idx, key)
		}
		n++
	}
	if n != procs*each {
		t.Fatalf("registry holds %d entries, want %d", n, procs*each)
	}
	checkIntegrity(t, r)
}

// runBatch is a batch issue: for each of n issuance keys, Reserve, sign
// (here: a stand-in that writes the record's id, indexes and the run into
// the "credential"), Complete, writing a line for each step:
//
//	R key id list:index list:index   reserved (or found)
//	K key                            already issued, kept as it is
//	S key                            signed in this run
//	I key                            completed
//
// It returns the keys it signed.
func runBatch(r *registry.Registry, run string, n int, w io.Writer) (map[string]bool, error) {
	ctx := context.Background()
	signed := map[string]bool{}
	for i := range n {
		key := fmt.Sprintf("staff-%04d/dbs/2026-02-20", i)
		rec, err := r.Reserve(ctx, reservation(key, bothPurposes...))
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "R %s %s %s\n", key, rec.CredentialID, assignments(rec))
		if rec.State == registry.StateIssued {
			fmt.Fprintf(w, "K %s\n", key)
			continue
		}
		credential := fmt.Sprintf(`{"id":%q,"status":%q,"run":%q}`, rec.CredentialID, assignments(rec), run)
		signed[key] = true
		fmt.Fprintf(w, "S %s\n", key)
		if _, err := r.Complete(ctx, key, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), []byte(credential)); err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "I %s\n", key)
	}
	return signed, nil
}

func assignments(rec *registry.Record) string {
	var parts []string
	for _, a := range rec.Status {
		parts = append(parts, fmt.Sprintf("%d:%d", a.ListID, a.Index))
	}
	return strings.Join(parts, ",")
}

func TestABatchKilledMidwayResumesWithoutLossOrDuplicates(t *testing.T) {
	n, size := 300, 128
	// Kill after a random number of completions, a random moment later,
	// so that runs land the kill in different steps and transactions.
	killAfter := 50 + mrand.IntN(100)
	if raceEnabled {
		n, killAfter = 100, 20+mrand.IntN(40)
	}
	killDelay := time.Duration(mrand.IntN(3000)) * time.Microsecond
	r, path := newTestRegistry(t, size)
	r.Close()

	cmd, out := startHelper(t, "batch", path, "child", n)
	reserved := map[string]string{} // key -> "id assignments" as the child was told
	completed := map[string]bool{}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 4 && f[0] == "R":
			reserved[f[1]] = f[2] + " " + f[3]
		case len(f) == 2 && f[0] == "I":
			completed[f[1]] = true
			if len(completed) == killAfter && !killed {
				time.Sleep(killDelay)
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the batch was not killed midway: %v (%d of %d completed)", err, len(completed), n)
	}
	t.Logf("killed %v after completion %d: it had reported %d reservations and %d completions",
		killDelay, killAfter, len(reserved), len(completed))

	// Rerun the batch to the end.
	r, err = registry.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var log strings.Builder
	signed, err := runBatch(r, "rerun", n, &log)
	if err != nil {
		t.Fatal(err)
	}

	recs, err := r.Find(context.Background(), registry.Target{Subject: reservation("").Subject, Type: "DBSCheckCredential"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("%d records, want %d", len(recs), n)
	}
	indexes := map[string]string{}
	for _, rec := range recs {
		if rec.State != registry.StateIssued {
			t.Errorf("%s is %s", rec.IssuanceKey, rec.State)
		}
		// Nothing lost: what the child was told still holds.
		if told, ok := reserved[rec.IssuanceKey]; ok && told != rec.CredentialID+" "+assignments(rec) {
			t.Errorf("%s: child was told %s, registry has %s %s", rec.IssuanceKey, told, rec.CredentialID, assignments(rec))
		}
		// Nothing issued twice: a credential the child completed was
		// returned by the rerun, not signed again.
		if completed[rec.IssuanceKey] && (signed[rec.IssuanceKey] || !strings.Contains(string(rec.Credential), `"run":"child"`)) {
			t.Errorf("%s was completed before the kill and signed again", rec.IssuanceKey)
		}
		if !strings.Contains(string(rec.Credential), assignments(rec)) {
			t.Errorf("%s: stored credential %s does not carry its indexes %s", rec.IssuanceKey, rec.Credential, assignments(rec))
		}
		if len(rec.Status) != 2 {
			t.Fatalf("%s has %d status entries", rec.IssuanceKey, len(rec.Status))
		}
		for _, a := range rec.Status {
			at := fmt.Sprintf("%d:%d", a.ListID, a.Index)
			if prev, ok := indexes[at]; ok {
				t.Fatalf("index %s given to %s and %s", at, prev, rec.IssuanceKey)
			}
			indexes[at] = rec.IssuanceKey
		}
	}
	events, err := r.Audit(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	issues := map[string]int{}
	for _, e := range events {
		if e.Action == "issue" {
			issues[e.CredentialID]++
		}
	}
	for _, rec := range recs {
		if issues[rec.CredentialID] != 1 {
			t.Errorf("%s has %d issue events", rec.CredentialID, issues[rec.CredentialID])
		}
	}
	checkIntegrity(t, r)
}

// checkIntegrity runs SQLite's integrity and foreign key checks.
func checkIntegrity(t *testing.T, r *registry.Registry) {
	t.Helper()
	if r.IsSQLite() { // SQLite's own checks too
		var result string
		if err := r.DB().QueryRow(`PRAGMA integrity_check`).Scan(&result); err != nil || result != "ok" {
			t.Fatalf("integrity_check: %q, %v", result, err)
		}
	}
	if err := r.CheckIntegrity(context.Background()); err != nil {
		t.Fatal(err)
	}
}
