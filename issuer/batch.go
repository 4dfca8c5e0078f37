package issuer

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/internal/jose"
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
	// Output is the form of the output: OutputFiles (the default, for
	// "") or OutputJSONL.
	Output BatchOutput
	// GroupSize is how many rows are reserved, written and recorded at a
	// time: 0 means DefaultGroupSize.
	GroupSize int
	// ExpectedRows, if known, is the number of rows IssueBatchFrom will
	// be given, for BatchProgress.Total and BatchResult.NotStarted.
	ExpectedRows int
	// Waiting, if set, is called when another batch is writing to Out:
	// this one waits for it to finish.
	Waiting func()
	// RowKey, if set, keys the digest of each row recorded with its
	// credential (HMAC-SHA256 of staff.Row.AppendCells), so that a batch
	// run again finds a row that says what it said without hashing its
	// identifiers again (PBKDF2: tens of milliseconds each); see
	// Organisation.RowKey. It must be secret and the same for every run:
	// the digest of a row that holds a low-entropy identifier (a DBS
	// certificate number has 12 digits) is a test of guesses to whoever
	// holds the key.
	RowKey []byte
}

// BatchProgress says how far a batch has got. Total is 0 when the number
// of rows is not known in advance.
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
	// Failures lists the problems of the failed rows, by line: the first
	// limits.MaxBatchFailures (10,000) of them; the errors file lists
	// them all.
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
// staff.ReadCSV and staff.RowColumns), as IssueBatchFrom does.
func IssueBatch(ctx context.Context, reg *registry.Registry, signer keys.Signer, credentialType string, rows []staff.CSVRow, opts BatchOptions) (*BatchResult, error) {
	if opts.ExpectedRows == 0 {
		opts.ExpectedRows = len(rows)
	}
	return IssueBatchFrom(ctx, reg, signer, credentialType, func(yield func(staff.CSVRow, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}, opts)
}

// IssueBatchFrom issues one credential of credentialType for each row
// that rows yields (see staff.CSVReader and staff.RowColumns), as signer's
// organisation, through reg, a group of rows at a time (opts.GroupSize),
// signing on every core, and writes the signed credentials to opts.Out:
// each to a file of its own (OutputFiles), STAFFID-SHORTNAME-OCCASION.jwt
// (or .json for Data Integrity formats), where SHORTNAME is
// staff.ShortName and OCCASION is staff.Row.Occasion
// ("E1234-dbs-check-2025-02-25.jwt"), or each as a line of JSONLFile
// (OutputJSONL). Its memory does not grow with the number of rows, but for
// a map of 16 bytes of digest and a line number per row that finds a row
// repeating an earlier one (and, with OutputJSONL, one of 16 bytes and an
// offset per line of the file).
//
// Each row is issued under its issuance key (staff.Row.IssuanceKey:
// staff id, in upper case, type and check date), so that a batch
// interrupted at any point (Ctrl-C, a crash, SIGKILL) and run again issues
// every row exactly once: a group's status list indexes are reserved, and
// committed, before any credential carrying them is written, and a
// credential is written and synced before it is recorded as issued. A row
// whose key was issued before is not signed again, and its output is
// written again if it is missing; one reserved but not recorded is signed
// with its reserved id and indexes, or, if its output was written, that
// credential is recorded. A row issued before must say what the credential
// says (staff.Row.Diff, identifiers checked against their hashes), and its
// subject, validUntil and format must be the same, or it fails with
// ErrChanged: to correct a credential, revoke it and issue the corrected
// one on its own. An output file that exists with other content is never
// overwritten (ErrOutputExists), but for one that holds another signing of
// the row's own reservation (the same credential id) that was never
// recorded: a run stopped before recording it wrote it (it is recorded
// now), or another run signed the same reservation and recorded its own
// first (the file is replaced with the recorded credential). Two batches writing to one directory at
// once take turns (opts.Waiting is called); temporary files that an
// interrupted run left in opts.Out are removed first.
//
// A row that fails does not stop the others: its problems are in
// BatchResult.Failures and, unless DryRun, in opts.Out/ErrorsFile (which
// is removed when no row fails). IssueBatchFrom returns an error only for
// unusable options (ErrOptions), an output directory it cannot use, an
// error of rows (the rows before it are issued), or when ctx is done: it
// then takes no new row, lets the groups being issued finish, and returns
// the result so far with an error wrapping ctx.Err().
func IssueBatchFrom(ctx context.Context, reg *registry.Registry, signer keys.Signer, credentialType string, rows iter.Seq2[staff.CSVRow, error], opts BatchOptions) (res *BatchResult, err error) {
	if reg == nil || signer == nil || opts.Actor == "" || opts.Clock == nil || (opts.Out == "" && !opts.DryRun) {
		return nil, fmt.Errorf("%w: IssueBatch needs a registry, a signer, an actor, a clock and an output directory", ErrOptions)
	}
	if !slices.Contains(Formats(), opts.Format) {
		return nil, fmt.Errorf("%w: unknown format %q", ErrOptions, opts.Format)
	}
	switch opts.Output {
	case "":
		opts.Output = OutputFiles
	case OutputFiles, OutputJSONL:
	default:
		return nil, fmt.Errorf("%w: unknown output %q", ErrOptions, opts.Output)
	}
	if staff.RowColumns(credentialType) == nil {
		_, err := staff.ParseRow(credentialType, staff.CSVRow{}, staff.Date{})
		return nil, err
	}
	kid, err := did.ParseURL(signer.KeyID())
	if err != nil {
		return nil, fmt.Errorf("%w: the signer's key id is not a DID URL", ErrOptions)
	}
	if err := checkFormat(signer, opts.Format); err != nil {
		return nil, err
	}
	b := &batch{
		reg: reg, signer: signer, typ: credentialType, opts: opts, issuer: kid.DID().String(),
		random: &lockedReader{r: opts.Random},
	}
	var run [16]byte
	if _, err := rand.Read(run[:]); err != nil {
		return nil, fmt.Errorf("issuer: crypto/rand: %w", err)
	}
	b.run = hex.EncodeToString(run[:])
	if b.random.r == nil {
		b.random.r = rand.Reader
	}
	var sink outputSink = &filesSink{dir: opts.Out}
	errs := &errorsWriter{}
	if !opts.DryRun {
		if err := os.MkdirAll(opts.Out, 0o700); err != nil {
			return nil, fmt.Errorf("issuer: output directory: %w", err)
		}
		unlock, err := lockDir(opts.Out, opts.Waiting)
		if err != nil {
			return nil, err
		}
		defer unlock()
		if err := removeStaleTemporaries(opts.Out); err != nil {
			return nil, err
		}
		errs.dir = opts.Out
	}
	if opts.Output == OutputJSONL {
		if opts.DryRun && opts.Out == "" {
			sink = newJSONLSink("")
		} else {
			js, err := openJSONL(opts.Out, opts.DryRun)
			if err != nil {
				return nil, err
			}
			sink = js
		}
	}
	defer func() {
		if cerr := sink.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	res, err = b.runStream(ctx, rows, sink, errs)
	if !opts.DryRun {
		if werr := errs.close(); werr != nil && err == nil {
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
	// run is this run's id, recorded with each reservation it makes
	// (Reservation.BatchRun); empty for IssueOne.
	run string
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

// fileName is the base name of the file r's credential is written to.
func (b *batch) fileName(r *staff.Row) string {
	ext := ".json"
	if b.opts.Format == FormatJWT {
		ext = ".jwt"
	}
	return r.StaffID + "-" + staff.ShortName(r.Type) + "-" + r.Occasion() + ext
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
	rec, err := b.lookUp(ctx, r)
	if err != nil {
		return nil, false, fail("", err, "looking it up in the registry: %v", err)
	}
	if rec != nil {
		key = rec.IssuanceKey // recorded with the staff id as it was written then
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
	return b.issueRecorded(ctx, r, Issuance{Credential: data, Key: key, Format: b.opts.Format, Actor: b.opts.Actor}, now, fail)
}

// issueRecorded issues a row's credential with IssueRecorded; one issued
// meanwhile by another process must say what the row says.
func (b *batch) issueRecorded(ctx context.Context, r *staff.Row, is Issuance, now time.Time, fail func(column string, kind error, format string, args ...any) *rowResult) (*registry.Record, bool, *rowResult) {
	rec, signed, err := IssueRecorded(ctx, b.reg, b.signer, is, now)
	switch {
	case errors.Is(err, registry.ErrReservationConflict):
		return nil, false, fail(staff.ColumnSubject, err, "a credential for this staff_id, type and date (%s) is already recorded, reserved or issued, for another subject or in another format; it was not issued again", r.Occasion())
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
	return b.issueRecorded(ctx, r, Issuance{Credential: data, Key: key, Format: FormatSDJWT, Actor: b.opts.Actor, Plain: plain}, now, fail)
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
	if err := checkFormat(signer, opts.Format); err != nil {
		return nil, false, err
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

// lookUp returns the record of the row's issuance key (or of a variant
// of it an earlier version recorded: see keyVariants), or nil. It reads
// the registry only, so that a rerun of rows already issued takes no write
// lock.
func (b *batch) lookUp(ctx context.Context, r *staff.Row) (*registry.Record, error) {
	keys := keyVariants(r)
	recs, err := b.reg.LookUpMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if rec := recs[k]; rec != nil {
			return rec, nil
		}
	}
	return nil, nil
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

// checkFormat reports (ErrOptions) whether f is a format staffpass
// issues in and signer's key can sign it: Ed25519 for the eddsa suites,
// P-256 or P-384 for the ecdsa ones, any key staffpass signs with for jwt
// and dc+sd-jwt. IssueRecorded, IssueOne and IssueBatch check it before
// anything is reserved: a reservation is finished only in its own format,
// so rows reserved for credentials the key cannot sign would stay
// unissued.
func checkFormat(signer keys.Signer, f Format) error {
	if !slices.Contains(Formats(), f) && f != FormatSDJWT {
		return fmt.Errorf("%w: unknown format %q", ErrOptions, f)
	}
	var err error
	switch f {
	case FormatJWT, FormatSDJWT:
		_, err = jose.CheckSigner(signer)
	default:
		err = dataintegrity.CheckSigner(string(f), signer)
	}
	if err != nil {
		t, terr := keys.TypeOf(signer.Public())
		if terr != nil {
			t = "unknown"
		}
		return fmt.Errorf("%w: the signing key (%s) cannot sign %s: %w", ErrOptions, t, f, err)
	}
	return nil
}
