package issuer

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/atomicfile"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
)

// ErrorsFile is the file IssueBatch writes a batch's failed rows to, in its
// output directory.
const ErrorsFile = "errors.csv"

// Errors of a batch row, beside those of its cells (staff.ErrFormat,
// staff.ErrColumn, ...) and of the registry (ErrReservationConflict).
var (
	// ErrDuplicateRow: the row has the issuance key of an earlier row of
	// the same batch (the same staff id, type and check date), or would
	// write the same output file.
	ErrDuplicateRow = errors.New("issuer: the row repeats an earlier row")

	// ErrChanged: a credential was already issued under the row's
	// issuance key, and the row now says something else.
	ErrChanged = errors.New("issuer: the row differs from the credential already issued for it")

	// ErrOutputExists: the row's output file exists and holds something
	// other than the row's credential; it is never overwritten.
	ErrOutputExists = errors.New("issuer: the output file exists with other content")
)

// BatchOptions say how IssueBatch issues.
type BatchOptions struct {
	// Format secures every credential (required).
	Format Format
	// Out is the directory the signed credentials are written to
	// (required unless DryRun); it is created if it does not exist.
	Out string
	// Workers is how many rows are issued at once: 0 means
	// runtime.NumCPU(), and at most limits.MaxBatchWorkers are used.
	Workers int
	// Actor is who issues, for the audit trail (required).
	Actor string
	// Clock gives the time of issue of each credential, its validFrom;
	// the date of its first call, in its location, is the date no check in
	// a row may be after (required).
	Clock func() time.Time
	// Random is where salts are read from; nil means crypto/rand.Reader.
	Random io.Reader
	// DryRun checks every row and looks each up in the registry, but
	// hashes, signs and writes nothing.
	DryRun bool
	// Progress, if set, is called after each row, from one goroutine at
	// a time.
	Progress func(BatchProgress)
}

// BatchProgress says how far a batch has got.
type BatchProgress struct {
	Done, Total                               int
	Issued, AlreadyIssued, WouldIssue, Failed int
}

// BatchResult is what IssueBatch did.
type BatchResult struct {
	// Total counts the rows given.
	Total int
	// Issued counts the rows signed and recorded by this run.
	Issued int
	// AlreadyIssued counts the rows issued before (by an earlier run),
	// whose output file was found or written again.
	AlreadyIssued int
	// WouldIssue counts, in a dry run, the rows that would be issued.
	WouldIssue int
	// Failed counts the rows that failed; Failures says why.
	Failed int
	// NotStarted counts the rows left when the batch was interrupted.
	NotStarted int
	// Failures lists the problems of the failed rows, by line.
	Failures []*RowFailure
}

// RowFailure is one problem of a batch row.
type RowFailure struct {
	// Line is the row's line in its file (the header is line 1).
	Line int
	// StaffID is the row's staff id, when it has a usable one.
	StaffID string
	// Column is the column at fault, or "" for the whole row.
	Column string
	// Reason says what is wrong, for a person. It never holds an
	// identifier column's value.
	Reason string
	// Err is the kind of problem, such as staff.ErrFormat or
	// ErrChanged.
	Err error
}

func (f *RowFailure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "row %d", f.Line)
	if f.StaffID != "" {
		fmt.Fprintf(&b, " (%s)", f.StaffID)
	}
	b.WriteString(": ")
	if f.Column != "" {
		b.WriteString(f.Column + ": ")
	}
	b.WriteString(f.Reason)
	return b.String()
}

// Unwrap makes errors.Is see the kind of problem.
func (f *RowFailure) Unwrap() error { return f.Err }

// IssueBatch issues one credential of credentialType for each row (see
// staff.ReadCSV and staff.RowColumns), as signer's organisation, through
// reg, in parallel, and writes each signed credential atomically to
// opts.Out as STAFFID-SHORTNAME-OCCASION.jwt (or .json for Data Integrity
// formats), where SHORTNAME is staff.ShortName and OCCASION is
// staff.Row.Occasion ("E1234-dbs-check-2025-02-25.jwt").
//
// Each row is issued under its issuance key (staff.Row.IssuanceKey:
// staff id, type and check date) with IssueRecorded, so that a batch
// interrupted at any point (Ctrl-C, a crash, SIGKILL) and run again issues
// every row exactly once: a row whose key was issued before is not signed
// again, and its file is written again if it is missing. Such a row must
// say what the credential says (staff.Row.Diff, identifiers checked against
// their hashes), and its subject, validUntil and format must be the same,
// or it fails with ErrChanged: to correct a credential, revoke it and issue
// the corrected one on its own. An output file that exists with other
// content is never overwritten (ErrOutputExists). Temporary files that an
// interrupted run left in opts.Out are removed first, so one batch at a
// time should write to a directory.
//
// A row that fails does not stop the others: its problems are in
// BatchResult.Failures and, unless DryRun, in opts.Out/ErrorsFile (which
// is removed when no row fails). IssueBatch returns an error only for
// unusable options (ErrOptions), an output directory it cannot use, or
// when ctx is done: it then takes no new row, lets the rows being issued
// finish, and returns the result so far with an error wrapping ctx.Err().
func IssueBatch(ctx context.Context, reg *registry.Registry, signer keys.Signer, credentialType string, rows []staff.CSVRow, opts BatchOptions) (*BatchResult, error) {
	if reg == nil || signer == nil || opts.Actor == "" || opts.Clock == nil || (opts.Out == "" && !opts.DryRun) {
		return nil, fmt.Errorf("%w: IssueBatch needs a registry, a signer, an actor, a clock and an output directory", ErrOptions)
	}
	if !slices.Contains(Formats(), opts.Format) {
		return nil, fmt.Errorf("%w: unknown format %q", ErrOptions, opts.Format)
	}
	if staff.RowColumns(credentialType) == nil {
		_, err := staff.ParseRow(credentialType, staff.CSVRow{}, staff.Date{})
		return nil, err
	}
	kid, err := did.ParseURL(signer.KeyID())
	if err != nil {
		return nil, fmt.Errorf("%w: the signer's key id is not a DID URL", ErrOptions)
	}
	b := &batch{
		reg: reg, signer: signer, typ: credentialType, opts: opts, issuer: kid.DID().String(),
		random: &lockedReader{r: opts.Random},
	}
	if b.random.r == nil {
		b.random.r = rand.Reader
	}
	if !opts.DryRun {
		if err := os.MkdirAll(opts.Out, 0o700); err != nil {
			return nil, fmt.Errorf("issuer: output directory: %w", err)
		}
		if err := removeStaleTemporaries(opts.Out); err != nil {
			return nil, err
		}
	}
	res, err := b.run(ctx, rows)
	if !opts.DryRun {
		if werr := b.writeErrors(res); werr != nil && err == nil {
			err = werr
		}
	}
	return res, err
}

type batch struct {
	reg    *registry.Registry
	signer keys.Signer
	typ    string
	opts   BatchOptions
	issuer string
	random *lockedReader
}

// outcome is what became of one row.
type outcome int

const (
	failed outcome = iota
	issued
	alreadyIssued
	wouldIssue
)

type rowResult struct {
	outcome  outcome
	failures []*RowFailure
}

func (b *batch) run(ctx context.Context, rows []staff.CSVRow) (*BatchResult, error) {
	res := &BatchResult{Total: len(rows)}
	progress := BatchProgress{Total: len(rows)}
	record := func(r rowResult) {
		progress.Done++
		switch r.outcome {
		case issued:
			res.Issued++
			progress.Issued++
		case alreadyIssued:
			res.AlreadyIssued++
			progress.AlreadyIssued++
		case wouldIssue:
			res.WouldIssue++
			progress.WouldIssue++
		default:
			res.Failed++
			progress.Failed++
			res.Failures = append(res.Failures, r.failures...)
		}
		if b.opts.Progress != nil {
			b.opts.Progress(progress)
		}
	}

	// Check every row first, in order, so that a repeated row is the
	// later one whichever worker gets to it first.
	issuedOn := staff.DateOf(b.opts.Clock())
	var jobs []*staff.Row
	keys := map[string]int{}
	files := map[string]int{}
	for _, cr := range rows {
		r, err := staff.ParseRow(b.typ, cr, issuedOn)
		if err != nil {
			record(rowResult{failures: rowFailures(cr, err)})
			continue
		}
		key, file := r.IssuanceKey(), strings.ToLower(b.fileName(r))
		if prev, dup := keys[key]; dup {
			record(rowResult{failures: []*RowFailure{{Line: r.Line, StaffID: r.StaffID, Err: ErrDuplicateRow,
				Reason: fmt.Sprintf("repeats row %d: the same staff_id, type and date (%s)", prev, r.Occasion())}}})
			continue
		}
		if prev, dup := files[file]; dup {
			record(rowResult{failures: []*RowFailure{{Line: r.Line, StaffID: r.StaffID, Column: staff.ColumnStaffID, Err: ErrDuplicateRow,
				Reason: fmt.Sprintf("differs from row %d's staff_id only in upper and lower case, so their files would be one on Windows and macOS", prev)}}})
			continue
		}
		keys[key], files[file] = r.Line, r.Line
		jobs = append(jobs, r)
	}

	workers := b.opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = min(workers, limits.MaxBatchWorkers, max(len(jobs), 1))
	next := make(chan *staff.Row)
	results := make(chan rowResult)
	// Rows already taken are finished even when ctx is done, so that
	// none is left half issued by this run.
	work := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for r := range next {
				results <- b.issueRow(work, r)
			}
		})
	}
	started := 0
	go func() {
		defer close(next)
		for _, r := range jobs {
			if ctx.Err() != nil {
				return
			}
			select {
			case next <- r:
				started++
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	for r := range results {
		record(r)
	}
	// The sender has finished: next is closed and every worker is done.
	res.NotStarted = len(jobs) - started
	slices.SortStableFunc(res.Failures, func(x, y *RowFailure) int { return x.Line - y.Line })
	if err := ctx.Err(); err != nil && res.NotStarted > 0 {
		return res, fmt.Errorf("issuer: batch interrupted with %d rows not started: %w", res.NotStarted, err)
	}
	return res, nil
}

// fileName is the base name of the file r's credential is written to.
func (b *batch) fileName(r *staff.Row) string {
	ext := ".json"
	if b.opts.Format == FormatJWT {
		ext = ".jwt"
	}
	return r.StaffID + "-" + staff.ShortName(r.Type) + "-" + r.Occasion() + ext
}

func (b *batch) issueRow(ctx context.Context, r *staff.Row) rowResult {
	path := filepath.Join(b.opts.Out, b.fileName(r))
	rec, signed, res := b.record(ctx, r, func() *rowResult {
		// Nothing was issued for the row; a file in its place is
		// someone else's.
		if _, err := os.Lstat(path); err == nil {
			return &rowResult{failures: []*RowFailure{{Line: r.Line, StaffID: r.StaffID, Err: ErrOutputExists,
				Reason: fmt.Sprintf("%s exists, but no credential was issued for this row: move it away and run again", path)}}}
		}
		return nil
	})
	if res != nil {
		return *res
	}
	if res, ok := b.output(r, path, rec.Credential); !ok {
		return res
	}
	if signed {
		return rowResult{outcome: issued}
	}
	return rowResult{outcome: alreadyIssued}
}

// record issues the credential of row r, or finds the one issued under its
// issuance key before: it returns the record and whether it was signed
// now, or the row's result when it stops there (a failure, or a dry run).
// A credential issued before must say what r says; one that has since been
// revoked is not handed out again. beforeSigning, if set, may stop a row
// not yet issued.
func (b *batch) record(ctx context.Context, r *staff.Row, beforeSigning func() *rowResult) (*registry.Record, bool, *rowResult) {
	fail := func(column string, kind error, format string, args ...any) *rowResult {
		return &rowResult{failures: []*RowFailure{{Line: r.Line, StaffID: r.StaffID, Column: column, Err: kind, Reason: fmt.Sprintf(format, args...)}}}
	}
	key := r.IssuanceKey()
	rec, err := b.lookUp(ctx, key)
	if err != nil {
		return nil, false, fail("", err, "looking it up in the registry: %v", err)
	}
	if rec != nil && rec.State == registry.StateIssued {
		if rec.Revoked {
			return nil, false, fail("", registry.ErrCredentialRevoked, "the credential issued for this staff_id, type and date (%s, %s) has been revoked, and is not handed out again: a new check, with its own check date, makes a new credential", rec.CredentialID, r.Occasion())
		}
		if res, ok := b.checkIssued(r, rec); !ok {
			return nil, false, &res
		}
		return rec, false, nil
	}
	if b.opts.Format == FormatSDJWT {
		return b.recordSDJWT(ctx, r, key, fail)
	}
	if beforeSigning != nil {
		if res := beforeSigning(); res != nil {
			return nil, false, res
		}
	}
	if b.opts.DryRun {
		return nil, false, &rowResult{outcome: wouldIssue}
	}
	claims, err := r.Claims(b.random)
	if err != nil {
		return nil, false, fail("", err, "%v", err)
	}
	now := b.opts.Clock().Truncate(time.Second)
	cred, err := staff.NewCredential(claims, staff.Meta{
		Issuer: b.issuer, Subject: r.Subject, ValidFrom: now, ValidUntil: endOfDay(r.ValidUntil),
	})
	if err != nil {
		return nil, false, fail("", err, "%v", err)
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return nil, false, fail("", err, "%v", err)
	}
	rec, signed, err := IssueRecorded(ctx, b.reg, b.signer, Issuance{Credential: data, Key: key, Format: b.opts.Format, Actor: b.opts.Actor}, now)
	switch {
	case errors.Is(err, registry.ErrReservationConflict):
		return nil, false, fail(staff.ColumnSubject, err, "a credential was issued for this staff_id, type and date (%s) to another subject or in another format; it was not issued again", r.Occasion())
	case err != nil:
		return nil, false, fail("", err, "%v", err)
	}
	if !signed {
		// Another process issued it meanwhile.
		if res, ok := b.checkIssued(r, rec); !ok {
			return nil, false, &res
		}
	}
	return rec, signed, nil
}

// recordSDJWT issues the row as an SD-JWT VC: its identifiers are not
// hashed (the SD-JWT VC discloses them selectively instead).
func (b *batch) recordSDJWT(ctx context.Context, r *staff.Row, key string, fail func(column string, kind error, format string, args ...any) *rowResult) (*registry.Record, bool, *rowResult) {
	if b.opts.DryRun {
		return nil, false, &rowResult{outcome: wouldIssue}
	}
	claims, plain, err := r.PlaceholderClaims()
	if err != nil {
		return nil, false, fail("", err, "%v", err)
	}
	now := b.opts.Clock().Truncate(time.Second)
	cred, err := staff.NewCredential(claims, staff.Meta{Issuer: b.issuer, Subject: r.Subject, ValidFrom: now, ValidUntil: endOfDay(r.ValidUntil)})
	if err != nil {
		return nil, false, fail("", err, "%v", err)
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return nil, false, fail("", err, "%v", err)
	}
	rec, signed, err := IssueRecorded(ctx, b.reg, b.signer, Issuance{Credential: data, Key: key, Format: FormatSDJWT, Actor: b.opts.Actor, Plain: plain}, now)
	switch {
	case errors.Is(err, registry.ErrReservationConflict):
		return nil, false, fail(staff.ColumnSubject, err, "a credential was issued for this staff_id, type and date (%s) to another subject or in another format; it was not issued again", r.Occasion())
	case err != nil:
		return nil, false, fail("", err, "%v", err)
	}
	if !signed {
		if res, ok := b.checkIssued(r, rec); !ok {
			return nil, false, &res
		}
	}
	return rec, signed, nil
}

// IssueOne issues one credential of credentialType from one row of cells
// (column name to value, as staff.RowColumns names them), exactly as
// IssueBatch issues a row of a file: the same parsing and checks, under the
// same issuance key, so that issuing it again hands out the credential
// issued the first time (if the row says what it says) and a credential
// since revoked is refused (ErrCredentialRevoked). opts.Out and Workers are
// not used. It returns the record and whether it was signed now; a row
// that cannot be issued gives an error joining its *RowFailure values.
func IssueOne(ctx context.Context, reg *registry.Registry, signer keys.Signer, credentialType string, row staff.CSVRow, opts BatchOptions) (*registry.Record, bool, error) {
	if reg == nil || signer == nil || opts.Actor == "" || opts.Clock == nil {
		return nil, false, fmt.Errorf("%w: IssueOne needs a registry, a signer, an actor and a clock", ErrOptions)
	}
	if !slices.Contains(Formats(), opts.Format) && opts.Format != FormatSDJWT {
		return nil, false, fmt.Errorf("%w: unknown format %q", ErrOptions, opts.Format)
	}
	kid, err := did.ParseURL(signer.KeyID())
	if err != nil {
		return nil, false, fmt.Errorf("%w: the signer's key id is not a DID URL", ErrOptions)
	}
	b := &batch{reg: reg, signer: signer, typ: credentialType, opts: opts, issuer: kid.DID().String(), random: &lockedReader{r: opts.Random}}
	if b.random.r == nil {
		b.random.r = rand.Reader
	}
	r, err := staff.ParseRow(credentialType, row, staff.DateOf(opts.Clock()))
	if err != nil {
		return nil, false, joinFailures(rowFailures(row, err))
	}
	rec, signed, res := b.record(ctx, r, nil)
	if res != nil {
		if res.outcome == wouldIssue {
			return nil, false, nil
		}
		return nil, false, joinFailures(res.failures)
	}
	return rec, signed, nil
}

func joinFailures(fs []*RowFailure) error {
	errs := make([]error, len(fs))
	for i, f := range fs {
		errs[i] = f
	}
	return errors.Join(errs...)
}

// lookUp returns the record of the issuance key, or nil. It reads the
// registry only, so that a rerun of rows already issued takes no write
// lock.
func (b *batch) lookUp(ctx context.Context, key string) (*registry.Record, error) {
	recs, err := b.reg.Find(ctx, registry.Target{IssuanceKey: key})
	if errors.Is(err, registry.ErrCredentialNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return recs[0], nil
}

// checkIssued reports whether the credential issued under r's key says
// what r says, in the format asked for.
func (b *batch) checkIssued(r *staff.Row, rec *registry.Record) (rowResult, bool) {
	fail := func(column string, kind error, format string, args ...any) *RowFailure {
		return &RowFailure{Line: r.Line, StaffID: r.StaffID, Column: column, Err: kind, Reason: fmt.Sprintf(format, args...)}
	}
	was := fmt.Sprintf("was issued on %s as %s", rec.IssuedAt.UTC().Format(time.DateOnly), rec.CredentialID)
	var out []*RowFailure
	if rec.Format != string(b.opts.Format) {
		out = append(out, fail("", ErrChanged, "%s in format %s, not %s: run again with that format", was, rec.Format, b.opts.Format))
	}
	if rec.Subject != r.Subject {
		out = append(out, fail(staff.ColumnSubject, ErrChanged, "%s to another subject", was))
	}
	if want := endOfDay(r.ValidUntil); !rec.ValidUntil.Equal(want) {
		until := "no end"
		if !rec.ValidUntil.IsZero() {
			until = rec.ValidUntil.UTC().Format(time.DateOnly)
		}
		out = append(out, fail(staff.ColumnValidUntil, ErrChanged, "%s valid until %s", was, until))
	}
	if rec.Format == string(FormatSDJWT) && b.opts.Format == FormatSDJWT {
		if err := b.checkIssuedSDJWT(r, rec.Credential); err != nil {
			out = append(out, fail("", ErrChanged, "%s with %v; to correct it, revoke that credential and issue the corrected one on its own", was, err))
		}
		if len(out) > 0 {
			return rowResult{failures: out}, false
		}
		return rowResult{}, true
	}
	claims, err := storedClaims(rec.Credential)
	if err != nil {
		out = append(out, fail("", err, "%s, and cannot be read back: %v", was, err))
	} else if cols, err := r.Diff(claims); err != nil {
		out = append(out, fail("", err, "%s: %v", was, err))
	} else {
		for _, c := range cols {
			out = append(out, fail(c, ErrChanged, "%s with another value here; to correct it, revoke that credential and issue the corrected one on its own", was))
		}
	}
	if len(out) > 0 {
		return rowResult{failures: out}, false
	}
	return rowResult{}, true
}

// storedClaims reads the claims of a credential the registry stored, in
// either format.
func storedClaims(secured []byte) (staff.Claims, error) {
	data := secured
	if len(secured) > 0 && secured[0] != '{' {
		u, err := jose.ParseUnverified(string(secured))
		if err != nil {
			return nil, err
		}
		data = u.Payload
	}
	cred, err := vc.Parse(data)
	if err != nil {
		return nil, err
	}
	return staff.FromCredential(cred)
}

// output writes a row's credential to path unless the file holds it
// already; it never overwrites other content.
func (b *batch) output(r *staff.Row, path string, credential []byte) (rowResult, bool) {
	fail := func(format string, args ...any) (rowResult, bool) {
		return rowResult{failures: []*RowFailure{{Line: r.Line, StaffID: r.StaffID, Err: ErrOutputExists, Reason: fmt.Sprintf(format, args...)}}}, false
	}
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, credential):
		return rowResult{}, true
	case err == nil:
		return fail("%s exists with other content and was not overwritten; the credential is issued and recorded: move the file away and run again to write it", path)
	case !errors.Is(err, os.ErrNotExist):
		return fail("%v", err)
	case b.opts.DryRun:
		return rowResult{}, true
	}
	err = atomicfile.Create(path, credential, 0o600)
	if errors.Is(err, atomicfile.ErrExists) {
		return b.output(r, path, credential)
	}
	if err != nil {
		return rowResult{failures: []*RowFailure{{Line: r.Line, StaffID: r.StaffID, Err: err, Reason: fmt.Sprintf("the credential is issued and recorded, but: %v", err)}}}, false
	}
	return rowResult{}, true
}

// endOfDay is the validUntil of a credential valid to the end of d, UTC,
// or zero for none.
func endOfDay(d staff.Date) time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return d.AddDays(1).Time().Add(-time.Second)
}

// rowFailures turns the error of staff.ParseRow into failures.
func rowFailures(cr staff.CSVRow, err error) []*RowFailure {
	id := strings.TrimSpace(cr.Cells[staff.ColumnStaffID])
	var re *staff.RowError
	if !errors.As(err, &re) {
		return []*RowFailure{{Line: cr.Line, Reason: err.Error(), Err: err}}
	}
	bad := slices.ContainsFunc(re.Problems, func(p *staff.CellError) bool { return p.Column == staff.ColumnStaffID })
	if bad {
		id = ""
	}
	out := make([]*RowFailure, 0, len(re.Problems)+1)
	for _, p := range re.Problems {
		out = append(out, &RowFailure{Line: cr.Line, StaffID: id, Column: p.Column, Reason: p.Reason, Err: p.Err})
	}
	if re.Omitted > 0 {
		out = append(out, &RowFailure{Line: cr.Line, StaffID: id, Reason: fmt.Sprintf("and %d more problems", re.Omitted), Err: staff.ErrInvalid})
	}
	return out
}

// WriteErrorsCSV writes the failures as CSV with the columns row,
// staff_id, column and reason. A cell that a spreadsheet would take for a
// formula (starting with =, +, -, @, a tab or a carriage return) is
// written after a single quote.
func (r *BatchResult) WriteErrorsCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"row", "staff_id", "column", "reason"}); err != nil {
		return err
	}
	for _, f := range r.Failures {
		if err := cw.Write([]string{strconv.Itoa(f.Line), inert(f.StaffID), inert(f.Column), inert(f.Reason)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// inert keeps a spreadsheet from reading a cell as a formula (OWASP, "CSV
// injection").
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeErrors writes the failures to the output directory's ErrorsFile,
// or removes an old one when there are none.
func (b *batch) writeErrors(res *BatchResult) error {
	path := filepath.Join(b.opts.Out, ErrorsFile)
	if res == nil || len(res.Failures) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	var buf bytes.Buffer
	if err := res.WriteErrorsCSV(&buf); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes(), 0o600)
}

// staleTemporary matches the temporary files internal/atomicfile makes for
// a batch's files.
var staleTemporary = regexp.MustCompile(`^\..+\.(jwt|json|csv)\.tmp-[0-9]+$`)

// removeStaleTemporaries removes the temporary files a run killed while
// writing left in dir.
func removeStaleTemporaries(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("issuer: output directory: %w", err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() && staleTemporary.MatchString(e.Name()) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// lockedReader lets the workers share one reader of randomness.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}
