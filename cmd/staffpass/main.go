// Command staffpass issues, presents and verifies NHS staff credentials as W3C
// Verifiable Credentials.
//
// Run "staffpass help" for the commands. Exit codes:
//
//	0  success (for verify: every input verified)
//	1  not verified (verify ran, and at least one input failed a check)
//	2  usage or input error (bad flags, unreadable or malformed files)
//
// Errors are printed as one line on standard error, "staffpass: error: ...",
// sometimes followed by a "staffpass: hint: ..." line.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Exit codes, documented in the package comment and in "staffpass help".
const (
	exitOK          = 0
	exitNotVerified = 1
	exitUsage       = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line args and returns the process exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newRootCmd(stdin, stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return exitOK
	}
	var nv *notVerifiedError
	if errors.As(err, &nv) {
		// The report has already been printed.
		return exitNotVerified
	}
	fmt.Fprintf(stderr, "staffpass: error: %v\n", err)
	var h *hintError
	if errors.As(err, &h) {
		fmt.Fprintf(stderr, "staffpass: hint: %s\n", h.hint)
	}
	return exitUsage
}

// hintError carries a hint printed on its own line after the error.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

func withHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &hintError{err: err, hint: hint}
}

// notVerifiedError says a verification ran and failed; its report is already
// on stdout, so run prints nothing more and exits 1.
type notVerifiedError struct{ failed, total int }

func (e *notVerifiedError) Error() string {
	return fmt.Sprintf("%d of %d inputs did not verify", e.failed, e.total)
}
