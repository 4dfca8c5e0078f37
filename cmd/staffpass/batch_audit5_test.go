//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

const audit5Training = `staff_id,subject,training_provider,framework_version,fire_safety_level,fire_safety_completion_date
E1,did:key:z6MkfeKSsuixZGE1igy7R9BNvi9AviNqKphpwT2medYmscd5,Riverside NHS Trust,CSTF England v1.1,1,20/05/2024
E2,did:key:z6MkeftkcTGoxz9eQeTR4tYNoSW6TrZSTRYWbZRZo4rATGiX,Riverside NHS Trust,CSTF England v1.1,9,2024-09-14
`

// While a batch is writing to --out (it holds the directory's flock, as
// issuer.lockDir takes it), a dry run naming the same --out must not
// replace the errors.csv that batch is about to write, nor have its own
// replaced: "two batches writing to the same --out take turns".
func TestAudit5ADryRunDoesNotWriteErrorsCSVWhileABatchHoldsTheDirectory(t *testing.T) {
	dir := t.TempDir()
	org, out, csvFile := filepath.Join(dir, "kch"), filepath.Join(dir, "out"), filepath.Join(dir, "t.csv")
	var stderr bytes.Buffer
	if code := run([]string{"org", "init", "--domain", "kch.nhs.uk", "--dir", org}, nil, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("org init: %d %s", code, stderr.String())
	}
	if err := os.WriteFile(csvFile, []byte(audit5Training), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		t.Fatal(err)
	}
	// Another batch is writing to out.
	d, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"issue", "batch", "--org", org, "--type", "training", "--dry-run", "--out", out, csvFile}, nil, &bytes.Buffer{}, &bytes.Buffer{})
	}()
	finished := false
	select {
	case <-done:
		finished = true
	case <-time.After(5 * time.Second):
	}
	if _, err := os.Stat(filepath.Join(out, "errors.csv")); err == nil {
		t.Error("the dry run wrote errors.csv into a directory another batch holds, unlocked: one of the two errors files is lost")
	}
	syscall.Flock(int(d.Fd()), syscall.LOCK_UN)
	if !finished {
		<-done
	}
}
