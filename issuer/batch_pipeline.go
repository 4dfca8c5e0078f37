package issuer

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"hash/maphash"
	"iter"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/rdfc"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/vc/status"
)

// DefaultGroupSize is how many rows a batch reserves, writes and records
// at a time when BatchOptions.GroupSize is 0.
const DefaultGroupSize = 500

// The batch runs as a pipeline of groups of rows, each stage a goroutine
// that takes the groups in order, so that while one group is signed the
// next is reserved and the one before written:
//
//	read and parse ─▶ look up, check, build ─▶ reserve ─▶ sign ─▶ write and sync ─▶ complete, report
//
// The stages that cost CPU (check and build: the claims, with their
// PBKDF2 hashes, and the unsigned credential, validated once; sign; and
// writing files) run on every core. A group costs one read transaction,
// two write transactions (reserve, complete; three when credentials issued
// before get their row digests) and one fsync of its output (the
// directory, or the JSON Lines file) beside, with OutputFiles, each
// file's own.
//
// The order that makes the batch safe to kill at any moment: a group's
// reservations are committed before any credential carrying their indexes
// is written; a credential is written (and synced) before it is recorded as
// issued. A rerun therefore finds each row issued (its output written, or
// written again from the registry if it went missing), reserved (signed
// again with its reserved id and indexes, or its output adopted if it was
// written), or unknown (issued afresh).

// item is one row on its way through the pipeline.
type item struct {
	line     int
	row      *staff.Row
	key      string // the row's issuance key, or the key it was found under
	outcome  outcome
	failures []*RowFailure

	// rowDigest is the keyed digest of the row (BatchOptions.RowKey);
	// recordDigest is set when it is to be recorded for a credential
	// issued before without one.
	rowDigest    string
	recordDigest bool

	// seen is the row's entry in the batch's dupSet, 0 if it has none;
	// fresh tells that this run reserved the row's credential, so that
	// its record carries the run's id.
	seen  uint64
	fresh bool

	rec    *registry.Record // as looked up, reserved or completed
	cred   *vc.Credential   // unsigned, for a row to sign
	signed []byte           // the credential to write and record
	out    outputPlacement  // where the output goes

	b *batch // the batch the row belongs to
}

// fits reports whether old, a signing of the row's reservation that a run
// stopped before recording left in the output, says what the row says:
// only then is it adopted as the credential issued. A row corrected since
// (a mistyped certificate number, say) has its new signing written and
// recorded instead, and never its digest with the old credential.
func (it *item) fits(old []byte) bool {
	if it.b == nil || it.rec == nil || it.row == nil {
		return false
	}
	rec := *it.rec
	rec.Credential, rec.State = old, registry.StateIssued
	_, ok := it.b.checkIssued(it.row, &rec)
	return ok
}

func (it *item) fail(column string, kind error, format string, args ...any) {
	it.failures = append(it.failures, &RowFailure{Line: it.line, StaffID: staffIDOf(it), Column: column, Err: kind, Reason: fmt.Sprintf(format, args...)})
	it.outcome = failed
}

func staffIDOf(it *item) string {
	if it.row == nil {
		return ""
	}
	return it.row.StaffID
}

// failedAlready reports whether the row has failed: the later stages
// leave it as it is.
func (it *item) failedAlready() bool { return len(it.failures) > 0 }

type group struct {
	items []*item
}

// pipe runs stage on each group from in, in order, and sends it on.
func pipe(in <-chan *group, stage func(*group)) <-chan *group {
	out := make(chan *group, 1)
	go func() {
		defer close(out)
		for g := range in {
			stage(g)
			out <- g
		}
	}()
	return out
}

// parallel runs fn on each item of g that passes keep, on n goroutines.
func parallel(n int, items []*item, keep func(*item) bool, fn func(*item)) {
	var todo []*item
	for _, it := range items {
		if keep(it) {
			todo = append(todo, it)
		}
	}
	if len(todo) == 0 {
		return
	}
	n = min(n, len(todo))
	next := make(chan *item)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for it := range next {
				fn(it)
			}
		})
	}
	for _, it := range todo {
		next <- it
	}
	close(next)
	wg.Wait()
}

// runStream issues the rows of src through the pipeline.
func (b *batch) runStream(ctx context.Context, src iter.Seq2[staff.CSVRow, error], sink outputSink, errs *errorsWriter) (*BatchResult, error) {
	workers := b.opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = min(workers, limits.MaxBatchWorkers)
	size := b.opts.GroupSize
	if size <= 0 {
		size = DefaultGroupSize
	}
	// Rows already taken are finished even when ctx is done, so that
	// none is left half issued by this run.
	work := context.WithoutCancel(ctx)
	issuedOn := staff.DateOf(b.opts.Clock())

	var (
		srcErr  error
		stopped bool // ctx was done before src ended
		read    int
	)
	seen := newDupSet(!b.opts.DryRun)
	groups := make(chan *group, 1)
	go func() {
		defer close(groups)
		g := &group{}
		for cr, err := range src {
			if err != nil {
				srcErr = err
				break
			}
			read++
			g.items = append(g.items, b.parse(cr, issuedOn, seen))
			if len(g.items) == size {
				if ctx.Err() != nil {
					stopped = true
					return
				}
				groups <- g
				g = &group{}
			}
			if ctx.Err() != nil {
				stopped = true
				return // the rows read into g are not started
			}
		}
		if len(g.items) > 0 {
			groups <- g
		}
	}()
	checked := pipe(groups, func(g *group) { b.check(work, g, workers, sink) })
	reserved := pipe(checked, func(g *group) { b.reserve(work, g) })
	signed := pipe(reserved, func(g *group) { b.sign(g, workers) })
	written := pipe(signed, func(g *group) { b.write(g, workers, sink) })

	var errsErr error // of the errors file
	res := &BatchResult{}
	progress := BatchProgress{Total: b.opts.ExpectedRows}
	for g := range written {
		b.finish(work, g, sink)
		seen.forget(g)
		for _, it := range g.items {
			res.Total++
			progress.Done++
			switch it.outcome {
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
				slices.SortStableFunc(it.failures, func(x, y *RowFailure) int { return x.Line - y.Line })
				for _, f := range it.failures {
					if len(res.Failures) < limits.MaxBatchFailures {
						res.Failures = append(res.Failures, f)
					}
					if errs.dir == "" {
						continue
					}
					if err := errs.failure(f); err != nil && errsErr == nil {
						errsErr = err
					}
				}
			}
			if progress.Total < progress.Done {
				progress.Total = progress.Done
			}
			if b.opts.Progress != nil {
				b.opts.Progress(progress)
			}
		}
	}
	if dupSetPeak != nil {
		dupSetPeak(seen.peak)
	}
	if stopped {
		if b.opts.ExpectedRows > 0 {
			res.NotStarted = max(b.opts.ExpectedRows-res.Total, 0)
			res.Total = max(res.Total, b.opts.ExpectedRows)
		}
		return res, fmt.Errorf("issuer: batch interrupted with %d rows not started: %w", res.NotStarted, ctx.Err())
	}
	if srcErr != nil {
		return res, srcErr
	}
	return res, errsErr
}

// parse reads one row and checks that it does not repeat an earlier one
// the dupSet holds (check finds those recorded with this run's id).
func (b *batch) parse(cr staff.CSVRow, issuedOn staff.Date, seen *dupSet) *item {
	it := &item{line: cr.Line, b: b}
	r, err := staff.ParseRow(b.typ, cr, issuedOn)
	if err != nil {
		it.failures = rowFailures(cr, err)
		return it
	}
	it.row, it.key = r, r.IssuanceKey()
	// The key has the staff id in upper case, so a staff id that differs
	// from an earlier one only in case (and whose file would be the same
	// on Windows and macOS) repeats it.
	it.seen = maphash.String(seen.seed, it.key)
	id := idHash(r.StaffID)
	seen.mu.Lock()
	prev, dup := seen.rows[it.seen]
	if !dup {
		seen.rows[it.seen] = seenRow{line: int32(min(r.Line, math.MaxInt32)), id: id}
		seen.peak = max(seen.peak, len(seen.rows))
	}
	seen.mu.Unlock()
	if dup {
		it.seen = 0 // the earlier row's entry
		if prev.id != id {
			it.fail(staff.ColumnStaffID, ErrDuplicateRow, "differs from row %d's staff_id only in upper and lower case, which is the same member of staff", prev.line)
			return it
		}
		it.fail("", ErrDuplicateRow, "repeats row %d: the same staff_id, type and date (%s)", prev.line, r.Occasion())
	}
	return it
}

// dupSet holds the rows of a batch, to find a later row that repeats one:
// a 64-bit hash of its issuance key (maphash, seeded afresh for each run)
// and a seenRow, 16 bytes of data (about 25 with the map's own) a row. A
// row whose credential this run reserved is forgotten once its group is
// finished: its record carries the run's id and the row's line
// (Reservation.BatchRun), which check finds for a later repeat. So a run
// that issues afresh keeps only the rows on their way through the
// pipeline, and its memory does not grow with the rows of the file. Every
// other row is kept, since nothing in the registry tells that this run
// read it: one that failed before it was reserved, one issued or reserved
// by an earlier run (a rerun keeps each row it finds issued), and every
// row of a dry run. Two keys of one hash, about one chance in ten million
// for 1.5 million rows held, make the later row fail as a duplicate,
// visibly; a rerun, with another seed, issues it.
type dupSet struct {
	seed    maphash.Seed
	forgets bool
	mu      sync.Mutex
	rows    map[uint64]seenRow
	peak    int // the most rows held at once
}

// dupSetPeak, when set (by a test), is told the most rows a run's dupSet
// held at once.
var dupSetPeak func(int)

func newDupSet(forgets bool) *dupSet {
	return &dupSet{seed: maphash.MakeSeed(), forgets: forgets, rows: map[uint64]seenRow{}}
}

// forget removes the group's rows whose credentials this run reserved,
// once the group is finished.
func (s *dupSet) forget(g *group) {
	if !s.forgets {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, it := range g.items {
		if it.seen != 0 && it.fresh {
			delete(s.rows, it.seen)
		}
	}
}

// seenRow is what a batch keeps of each row to find a later row that
// repeats it: its line, and a digest of its staff id as written, to say
// whether the repeat differs in case.
type seenRow struct {
	line int32
	id   uint32
}

func idHash(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()
}

// keyVariants are the issuance keys a row's credential may have been
// recorded under: its key, and (by versions that kept the staff id's case)
// the staff id as written and in lower case.
func keyVariants(r *staff.Row) []string {
	key := r.IssuanceKey()
	rest := strings.TrimPrefix(key, strings.ToUpper(r.StaffID))
	out := []string{key}
	for _, v := range []string{r.StaffID + rest, strings.ToLower(r.StaffID) + rest} {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// check looks the group's rows up in the registry, checks the ones issued
// before against what they say, and builds the credential of the others.
func (b *batch) check(ctx context.Context, g *group, workers int, sink outputSink) {
	var keys []string
	for _, it := range g.items {
		if !it.failedAlready() {
			keys = append(keys, keyVariants(it.row)...)
		}
	}
	if len(keys) == 0 {
		return
	}
	recs, rowRecs, err := b.reg.LookUpRows(ctx, keys)
	if err != nil {
		for _, it := range g.items {
			if !it.failedAlready() {
				it.fail("", err, "looking it up in the registry: %v", err)
			}
		}
		return
	}
	for _, it := range g.items {
		if it.failedAlready() {
			continue
		}
		for _, k := range keyVariants(it.row) {
			if rec := recs[k]; rec != nil {
				it.rec, it.key = rec, k
				break
			}
		}
		// Reserved by this run: the row repeats an earlier one, no longer
		// in the dupSet.
		if rr := rowRecs[it.key]; it.rec != nil && b.run != "" && rr.Run == b.run {
			it.rec = nil
			it.fail("", ErrDuplicateRow, "repeats row %d: the same staff_id (in upper or lower case), type and date (%s)", rr.Line, it.row.Occasion())
			continue
		}
		it.out = sink.placement(b, it.row)
	}
	parallel(workers, g.items, func(it *item) bool { return !it.failedAlready() }, func(it *item) {
		if b.opts.RowKey != nil {
			it.rowDigest = b.rowDigest(it.row)
		}
		if it.rec != nil && it.rec.State == registry.StateIssued {
			if recorded := rowRecs[it.key].Digest; recorded != "" && b.sameRow(it, recorded) {
				return
			}
			b.checkRecorded(it)
			// Checked the slow way: the row's digest is recorded, so
			// that the next run finds it by its digest (a credential
			// issued before there were digests, a row re-saved in
			// another form, or a digest made with another key).
			it.recordDigest = it.rowDigest != "" && !it.failedAlready() && rowRecs[it.key].Digest != it.rowDigest
			return
		}
		if it.rec == nil {
			// Nothing was recorded for the row; output in its place
			// is someone else's.
			if err := sink.vacant(it.out); err != nil {
				it.fail("", ErrOutputExists, "%v, but no credential was issued for this row: move it away and run again", err)
				return
			}
		}
		if b.opts.DryRun {
			it.outcome = wouldIssue
			return
		}
		b.build(it)
	})
}

// rowDigest is the HMAC-SHA256, under BatchOptions.RowKey, of what the
// row says (staff.Row.AppendCells), in hex. A plain or salted digest would
// not do: the registry holds the credential, and with it the salt, so the
// digest of a row with a 12-digit certificate number would be reversed by
// trying every number at the speed of SHA-256, where the credential's own
// hash costs a PBKDF2 per guess. The HMAC's key is not in the registry.
func (b *batch) rowDigest(r *staff.Row) string {
	mac := hmac.New(sha256.New, b.opts.RowKey)
	mac.Write([]byte("staffpass batch row v1\x00"))
	mac.Write(r.AppendCells(nil))
	return hex.EncodeToString(mac.Sum(nil))
}

// sameRow reports whether the row says what the row recorded with its
// credential said, in the format asked for: it is then issued, and is not
// checked against the credential (which hashes each identifier again).
func (b *batch) sameRow(it *item, recorded string) bool {
	if it.rowDigest == "" || !hmac.Equal([]byte(it.rowDigest), []byte(recorded)) || it.rec.Format != string(b.opts.Format) {
		return false
	}
	if it.rec.Revoked {
		b.checkRecorded(it) // fails it
		return true
	}
	it.outcome = alreadyIssued
	it.signed = it.rec.Credential
	return true
}

// checkRecorded checks a row issued before against its record.
func (b *batch) checkRecorded(it *item) {
	if it.rec.Revoked {
		it.fail("", registry.ErrCredentialRevoked, "the credential issued for this staff_id, type and date (%s, %s) has been revoked, and is not handed out again: a new check, with its own check date, makes a new credential", it.rec.CredentialID, it.row.Occasion())
		return
	}
	if res, ok := b.checkIssued(it.row, it.rec); !ok {
		it.failures = append(it.failures, res.failures...)
		it.outcome = failed
		return
	}
	it.outcome = alreadyIssued
	it.signed = it.rec.Credential
}

// build makes the unsigned credential of a row to issue, hashing its
// identifiers. NewCredential validates it (its claims' rules, vc.Parse,
// its schema and staff.Validate), once: IssueRecorded's CheckContent is
// not run again on what NewCredential made.
func (b *batch) build(it *item) {
	claims, err := it.row.Claims(b.random)
	if err != nil {
		it.fail("", err, "%v", err)
		return
	}
	cred, err := staff.NewCredential(claims, staff.Meta{
		Issuer: b.issuer, Subject: it.row.Subject, ValidFrom: b.opts.Clock().Truncate(time.Second), ValidUntil: endOfDay(it.row.ValidUntil),
	})
	if err != nil {
		it.fail("", err, "%v", err)
		return
	}
	it.cred = cred
}

// checkTerms is the JSON-LD check of CheckContent.
func (b *batch) checkTerms(data []byte) error {
	loader, err := defaultLoader()
	if err != nil {
		return err
	}
	d := datasets.Get().(*rdfc.Dataset)
	defer datasets.Put(d)
	if err := ld.ToDatasetJSON(data, loader, d, ld.Bound); err != nil {
		return fmt.Errorf("%w: %w", ErrContent, err)
	}
	return nil
}

// datasets are checkTerms' scratch space, reused from credential to
// credential.
var datasets = sync.Pool{New: func() any { return new(rdfc.Dataset) }}

func (b *batch) purposes() []string {
	return []string{status.PurposeRevocation, status.PurposeSuspension}
}

// reserve reserves the group's rows to issue, in one transaction.
func (b *batch) reserve(ctx context.Context, g *group) {
	var (
		todo []*item
		rs   []registry.Reservation
	)
	for _, it := range g.items {
		if it.cred == nil || it.failedAlready() {
			continue
		}
		todo = append(todo, it)
		rs = append(rs, registry.Reservation{
			IssuanceKey: it.key, Type: it.row.Type, Subject: it.row.Subject, Format: string(b.opts.Format),
			ValidUntil: endOfDay(it.row.ValidUntil), Purposes: b.purposes(), Actor: b.opts.Actor,
			BatchRun: b.run, BatchLine: it.line,
		})
	}
	if len(todo) == 0 {
		return
	}
	out, err := b.reg.ReserveMany(ctx, rs)
	if err != nil {
		for _, it := range todo {
			it.fail("", err, "%v", err)
		}
		return
	}
	for i, it := range todo {
		r := out[i]
		it.fresh = r.Fresh
		switch {
		case errors.Is(r.Err, registry.ErrReservationConflict):
			it.fail(staff.ColumnSubject, r.Err, "a credential for this staff_id, type and date (%s) is already recorded, reserved or issued, for another subject or in another format; it was not issued again", it.row.Occasion())
		case r.Err != nil:
			it.fail("", r.Err, "%v", r.Err)
		case r.Record.State == registry.StateIssued:
			// Another run issued it since the look-up.
			it.rec, it.cred = r.Record, nil
			b.checkRecorded(it)
		case r.Record.Revoked:
			it.fail("", registry.ErrCredentialRevoked, "%s was revoked before it was signed, and is not signed now", r.Record.CredentialID)
		default:
			it.rec = r.Record
		}
	}
}

// sign signs the group's reserved rows with their reserved id, indexes
// and validUntil, on every core.
func (b *batch) sign(g *group, workers int) {
	now := b.opts.Clock().Truncate(time.Second)
	parallel(workers, g.items, func(it *item) bool { return it.cred != nil && !it.failedAlready() }, func(it *item) {
		cred := it.cred
		it.cred = nil
		// A reservation made by a run that stopped, for the row with
		// another valid_until, is finished only as it was reserved:
		// the record and the credential never disagree.
		if want := endOfDay(it.row.ValidUntil); !it.rec.ValidUntil.Equal(want) {
			until := "no end"
			if !it.rec.ValidUntil.IsZero() {
				until = it.rec.ValidUntil.UTC().Format(time.DateOnly)
			}
			it.fail(staff.ColumnValidUntil, ErrChanged, "a run that stopped reserved this row's credential (%s) valid until %s: run the row with that valid_until to finish it; to change it, then revoke that credential and issue the corrected one", it.rec.CredentialID, until)
			return
		}
		cred.ID = it.rec.CredentialID
		if !it.rec.ValidUntil.IsZero() {
			cred.ValidUntil = vc.NewDateTime(it.rec.ValidUntil)
		}
		for _, e := range it.rec.StatusEntries() {
			obj, err := e.TypedObject()
			if err != nil {
				it.fail("", err, "%v", err)
				return
			}
			cred.CredentialStatus.Items = append(cred.CredentialStatus.Items, obj)
		}
		data, err := cred.MarshalJSON() // compact: json.Marshal would compact it again
		if err != nil {
			it.fail("", err, "%v", err)
			return
		}
		// What Issue checks before it signs, vc.Parse and the issuer,
		// holds of a credential NewCredential made (it parsed it) with the
		// signer's DID as issuer; the validity period is checked here.
		if _, err := cred.ValidityBounds(); err != nil {
			it.fail("", err, "%v", err)
			return
		}
		// IssueRecorded's CheckContent also requires every term to be
		// defined by the contexts (JSON-LD safe mode); an RDFC suite
		// checks it as it signs.
		if b.opts.Format != FormatEdDSARDFC2022 && b.opts.Format != FormatECDSARDFC2019 {
			if err := b.checkTerms(data); err != nil {
				it.fail("", err, "%v", err)
				return
			}
		}
		out, err := secure(data, b.signer, Options{Format: b.opts.Format, Created: now})
		if err != nil {
			it.fail("", err, "%v", err)
			return
		}
		it.signed = out
		it.outcome = issued
	})
}

// write writes the group's credentials and syncs them.
func (b *batch) write(g *group, workers int, sink outputSink) {
	if b.opts.DryRun {
		for _, it := range g.items {
			if it.outcome == alreadyIssued && !it.failedAlready() {
				if err := sink.check(it.out, it.signed); err != nil {
					it.fail("", ErrOutputExists, "%v", err)
				}
			}
		}
		return
	}
	toWrite := func(it *item) bool { return !it.failedAlready() && it.signed != nil }
	if err := sink.write(g.items, toWrite, workers); err != nil {
		for _, it := range g.items {
			if toWrite(it) {
				it.fail("", err, "%v", err)
			}
		}
	}
}

// finish records the group's new credentials, written, as issued, and
// mends the output of any that another run recorded first.
func (b *batch) finish(ctx context.Context, g *group, sink outputSink) {
	if b.opts.DryRun {
		return
	}
	var (
		todo []*item
		cs   []registry.Completion
	)
	now := b.opts.Clock().Truncate(time.Second)
	for _, it := range g.items {
		if it.outcome == issued && !it.failedAlready() {
			todo = append(todo, it)
			cs = append(cs, registry.Completion{IssuanceKey: it.key, IssuedAt: now, Credential: it.signed, RowDigest: it.rowDigest})
		}
	}
	backfill := map[string]string{}
	for _, it := range g.items {
		if it.recordDigest && !it.failedAlready() {
			backfill[it.key] = it.rowDigest
		}
	}
	// Rows checked against their credential the slow way (issued before
	// there were digests, re-saved in another form, or digested with
	// another key) get their digest recorded, so that the next run finds
	// them without hashing; a failure here costs only that.
	_ = b.reg.SetRowDigests(ctx, backfill)
	if len(todo) == 0 {
		return
	}
	out, err := b.reg.CompleteMany(ctx, cs)
	if err != nil {
		for _, it := range todo {
			it.fail("", err, "the credential is written but not recorded as issued (a rerun records it): %v", err)
		}
		return
	}
	var mend []*item
	for i, it := range todo {
		switch c := out[i]; {
		case errors.Is(c.Err, registry.ErrAlreadyIssued):
			// Another run signed the same reservation and recorded
			// its credential first: that one is issued.
			it.signed, it.outcome = c.Credential, alreadyIssued
			mend = append(mend, it)
		case c.Err != nil:
			it.fail("", c.Err, "%v", c.Err)
		case !c.Recorded:
			// Another run signed the same reservation alike, and
			// recorded it first.
			it.outcome = alreadyIssued
		case it.out.adopted:
			// Written by an earlier run that was stopped before
			// recording it.
			it.outcome = issued
		}
	}
	if len(mend) > 0 {
		if err := sink.replace(mend); err != nil {
			for _, it := range mend {
				it.fail("", err, "%v", err)
			}
		}
	}
}
