package registry

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Reserving and completing many credentials in one transaction each, for
// batch issuance: Reserve and Complete cost a write transaction (and an
// fsync) per credential, and compile each statement from its text; these
// prepare each statement once per transaction and commit once per group.

// Reserved is what ReserveMany did with one reservation.
type Reserved struct {
	// Record is the credential's record: reserved now (Fresh), or as it
	// was found (reserved or issued by an earlier call). Nil when Err is
	// set.
	Record *Record
	// Fresh tells whether this call reserved it.
	Fresh bool
	// Err is why the reservation was refused: ErrInvalidRequest, or
	// ErrReservationConflict (the key is recorded with another type,
	// subject, format or purposes).
	Err error
}

// ReserveMany does what Reserve does for each reservation, in one write
// transaction: a reservation whose issuance key is recorded returns that
// record unchanged; another is recorded as reserved with a fresh id and a
// uniformly random unused index for each purpose. A reservation that
// Reserve would refuse is refused alone (Reserved.Err); the others are
// reserved. Reservations must have distinct issuance keys. The error is
// that of the transaction, which then reserved nothing.
func (r *Registry) ReserveMany(ctx context.Context, reservations []Reservation) ([]Reserved, error) {
	out := make([]Reserved, len(reservations))
	keys := make([]string, 0, len(reservations))
	ids := make([]string, len(reservations))
	seen := make(map[string]bool, len(reservations))
	for i, res := range reservations {
		if err := checkReservation(res); err != nil {
			out[i].Err = err
			continue
		}
		if seen[res.IssuanceKey] {
			out[i].Err = fmt.Errorf("%w: issuance key %q twice in one call", ErrInvalidRequest, res.IssuanceKey)
			continue
		}
		seen[res.IssuanceKey] = true
		keys = append(keys, res.IssuanceKey)
		ids[i] = res.CredentialID
		if ids[i] == "" {
			var err error
			if ids[i], err = newUUIDURN(); err != nil {
				return nil, err
			}
		}
	}
	if len(keys) == 0 {
		return out, nil
	}
	refused := make([]error, len(out))
	for i := range out {
		refused[i] = out[i].Err
	}
	err := r.write(ctx, func(tx *sql.Tx) error {
		// The transaction may run again (busy): start afresh.
		for i := range out {
			out[i] = Reserved{Err: refused[i]}
		}
		existing, err := loadRecordsByKey(ctx, tx, keys)
		if err != nil {
			return err
		}
		w, err := r.newBatchWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		now := r.now()
		for i, res := range reservations {
			if ids[i] == "" {
				continue // refused above
			}
			if rec := existing[res.IssuanceKey]; rec != nil {
				if !sameReservation(rec, res) {
					out[i].Err = fmt.Errorf("%w: issuance key %q is recorded for %s of %q (%s)", ErrReservationConflict,
						res.IssuanceKey, rec.Type, rec.Subject, rec.Format)
					continue
				}
				out[i] = Reserved{Record: rec}
				continue
			}
			rec, err := w.reserve(ctx, res, ids[i], now)
			if err != nil {
				return err
			}
			out[i] = Reserved{Record: rec, Fresh: true}
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		w.keepSlots()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("registry: reserve %d credentials: %w", len(keys), err)
	}
	return out, nil
}

// Completion is a signed credential to record as issued.
type Completion struct {
	IssuanceKey string
	IssuedAt    time.Time
	// Credential is the signed credential, as written.
	Credential []byte
	// RowDigest, if not empty, is recorded with it: a keyed digest of
	// what it was issued from (see BatchOptions.RowKey).
	RowDigest string
}

// Completed is what CompleteMany did with one completion.
type Completed struct {
	// Credential is the credential recorded as issued for the key: the
	// one given, or when Err wraps ErrAlreadyIssued the other one
	// recorded before.
	Credential []byte
	// Recorded tells whether this call recorded it (false: it was issued
	// before, with the same credential or, with Err, another).
	Recorded bool
	// Err is ErrCredentialNotFound (no reservation), ErrAlreadyIssued or
	// ErrInvalidRequest.
	Err error
}

// CompleteMany does what Complete does for each completion, in one write
// transaction: a reserved credential is recorded as issued with the
// credential given, its SHA-256 and an "issue" audit row; one issued
// before with the same credential is left as it is; one issued with
// another credential is left as it is, and reported (ErrAlreadyIssued,
// with the credential recorded). Completions must have distinct issuance
// keys (a key given again is refused, ErrInvalidRequest). The error is that
// of the transaction, which then recorded nothing.
func (r *Registry) CompleteMany(ctx context.Context, completions []Completion) ([]Completed, error) {
	out := make([]Completed, len(completions))
	keys := make([]string, 0, len(completions))
	digests := make([]string, len(completions))
	seen := make(map[string]bool, len(completions))
	for i, c := range completions {
		if c.IssuanceKey == "" || c.IssuedAt.IsZero() || len(c.Credential) == 0 {
			out[i].Err = fmt.Errorf("%w: a completion needs an issuance key, a time and the signed credential", ErrInvalidRequest)
			continue
		}
		if seen[c.IssuanceKey] {
			out[i].Err = fmt.Errorf("%w: issuance key %q twice in one call", ErrInvalidRequest, c.IssuanceKey)
			continue
		}
		seen[c.IssuanceKey] = true
		sum := sha256.Sum256(c.Credential)
		digests[i] = hex.EncodeToString(sum[:])
		keys = append(keys, c.IssuanceKey)
	}
	if len(keys) == 0 {
		return out, nil
	}
	err := r.write(ctx, func(tx *sql.Tx) error {
		for i := range out {
			if digests[i] != "" {
				out[i] = Completed{}
			}
		}
		recs, err := loadStates(ctx, tx, keys)
		if err != nil {
			return err
		}
		w, err := r.newBatchWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		var updates [][]any
		for i, c := range completions {
			if digests[i] == "" {
				continue
			}
			rec := recs[c.IssuanceKey]
			switch {
			case rec == nil:
				out[i].Err = fmt.Errorf("%w: no reservation for issuance key %q", ErrCredentialNotFound, c.IssuanceKey)
				continue
			case rec.State == StateIssued && rec.Digest == digests[i]:
				out[i].Credential = rec.Credential
				continue
			case rec.State == StateIssued:
				out[i] = Completed{Credential: rec.Credential, Err: fmt.Errorf("%w: %s was issued with another credential (sha256 %s)", ErrAlreadyIssued, rec.CredentialID, rec.Digest)}
				continue
			}
			rowDigest := sql.NullString{String: c.RowDigest, Valid: c.RowDigest != ""}
			updates = append(updates, []any{c.IssuanceKey, formatTime(c.IssuedAt), c.Credential, digests[i], rowDigest})
			if err := w.audit(ctx, rec.ReservedBy, "issue", rec.CredentialID, 0, "sha256 "+digests[i]); err != nil {
				return err
			}
			out[i].Credential, out[i].Recorded = c.Credential, true
		}
		if err := w.complete(ctx, updates); err != nil {
			return err
		}
		return w.flush(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("registry: complete %d credentials: %w", len(keys), err)
	}
	return out, nil
}

// LookUpMany returns the records of the issuance keys that are recorded,
// by key, in one read transaction.
func (r *Registry) LookUpMany(ctx context.Context, keys []string) (map[string]*Record, error) {
	var recs map[string]*Record
	err := r.read(ctx, func(tx *sql.Tx) error {
		var err error
		recs, err = loadRecordsByKey(ctx, tx, keys)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("registry: look up %d credentials: %w", len(keys), err)
	}
	return recs, nil
}

// loadStates returns, by key, what CompleteMany needs of the records of
// the keys: id, state, reserving actor, digest and credential (no status
// entries).
func loadStates(ctx context.Context, tx *sql.Tx, keys []string) (map[string]*Record, error) {
	out := make(map[string]*Record, len(keys))
	for chunk := range slices.Chunk(keys, maxKeysPerQuery) {
		in, args := inList(chunk)
		rows, err := tx.QueryContext(ctx, `SELECT issuance_key, credential_id, state, reserved_by, digest, credential
	FROM credentials WHERE issuance_key IN (`+in+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var (
				rec   Record
				state string
				dig   sql.NullString
			)
			if err := rows.Scan(&rec.IssuanceKey, &rec.CredentialID, &state, &rec.ReservedBy, &dig, &rec.Credential); err != nil {
				rows.Close()
				return nil, err
			}
			rec.State, rec.Digest = RecordState(state), dig.String
			out[rec.IssuanceKey] = &rec
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RowRecord is what a batch recorded with a credential about the row it
// was issued from.
type RowRecord struct {
	// Digest is the row digest (Completion.RowDigest), empty if none.
	Digest string
	// Run and Line are the batch run that reserved the credential and
	// the row's line (Reservation.BatchRun and BatchLine), empty and 0 if
	// none.
	Run  string
	Line int
}

// LookUpRows returns the records of the issuance keys that are recorded,
// and what was recorded with them of the rows they came from, by key, in
// one read transaction.
func (r *Registry) LookUpRows(ctx context.Context, keys []string) (map[string]*Record, map[string]RowRecord, error) {
	var (
		recs    map[string]*Record
		rowRecs = map[string]RowRecord{}
	)
	err := r.read(ctx, func(tx *sql.Tx) error {
		var err error
		if recs, err = loadRecordsByKey(ctx, tx, keys); err != nil || len(recs) == 0 {
			return err
		}
		found := make([]string, 0, len(recs))
		for k := range recs {
			found = append(found, k)
		}
		for chunk := range slices.Chunk(found, maxKeysPerQuery) {
			in, args := inList(chunk)
			rows, err := tx.QueryContext(ctx, `SELECT issuance_key, row_digest, batch_run, batch_line FROM credentials
	WHERE (row_digest IS NOT NULL OR batch_run IS NOT NULL) AND issuance_key IN (`+in+`)`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var (
					k      string
					d, run sql.NullString
					line   sql.NullInt64
				)
				if err := rows.Scan(&k, &d, &run, &line); err != nil {
					rows.Close()
					return err
				}
				rowRecs[k] = RowRecord{Digest: d.String, Run: run.String, Line: int(line.Int64)}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("registry: look up %d credentials: %w", len(keys), err)
	}
	return recs, rowRecs, nil
}

// SetRowDigests records, in one write transaction, the row digest (see
// Completion.RowDigest) of issued credentials, by issuance key, in place of
// any they had: the caller gives the digest of a row it checked against
// the credential (a row re-saved in another form, or digested with
// another key), so that the next run finds it without checking again.
func (r *Registry) SetRowDigests(ctx context.Context, digests map[string]string) error {
	if len(digests) == 0 {
		return nil
	}
	keys := slices.Sorted(maps.Keys(digests))
	err := r.write(ctx, func(tx *sql.Tx) error {
		if per := r.rowsPerStatement(2); per > 1 {
			// A statement (a round trip) for many rows.
			for chunk := range slices.Chunk(keys, per) {
				rows := make([][]any, len(chunk))
				for i, k := range chunk {
					rows[i] = []any{k, digests[k]}
				}
				var q strings.Builder
				q.WriteString(`UPDATE credentials SET row_digest = v.row_digest FROM (VALUES `)
				args := castValues(&q, rows, "TEXT", "TEXT")
				q.WriteString(`) AS v (issuance_key, row_digest)
	WHERE credentials.issuance_key = v.issuance_key AND credentials.state = 'issued'`)
				if _, err := tx.ExecContext(ctx, r.drv.Schema(q.String()), args...); err != nil {
					return err
				}
			}
			return nil
		}
		st, err := tx.PrepareContext(ctx, `UPDATE credentials SET row_digest = $1
	WHERE issuance_key = $2 AND state = $3`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, k := range keys {
			if _, err := st.ExecContext(ctx, digests[k], k, string(StateIssued)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("registry: record %d row digests: %w", len(digests), err)
	}
	return nil
}

// inList returns "$1, $2, ..." for the keys, and the keys as arguments.
func inList(keys []string) (string, []any) {
	var in strings.Builder
	args := make([]any, len(keys))
	for i, k := range keys {
		if i > 0 {
			in.WriteString(", ")
		}
		in.WriteString("$" + strconv.Itoa(i+1))
		args[i] = k
	}
	return in.String(), args
}

// maxKeysPerQuery caps the parameters of one IN list, well under SQLite's
// and PostgreSQL's limits.
const maxKeysPerQuery = 500

// loadRecordsByKey is loadRecords for a set of issuance keys, by key.
func loadRecordsByKey(ctx context.Context, tx *sql.Tx, keys []string) (map[string]*Record, error) {
	out := make(map[string]*Record, len(keys))
	for chunk := range slices.Chunk(keys, maxKeysPerQuery) {
		in, args := inList(chunk)
		recs, err := loadRecords(ctx, tx, `c.issuance_key IN (`+in+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			out[rec.IssuanceKey] = rec
		}
	}
	return out, nil
}

// batchWriter reserves many credentials in one transaction. It keeps in
// memory what the transaction writes until flush: the rows of credentials,
// status_entries and audit, written by prepared statements, and, for each
// status list, its changed free slots and its count, so that a credential
// costs a couple of slot look-ups rather than a dozen statements. Reads
// of free slots look at the changes in memory first, so that the
// allocations are those that writing each change at once would make.
type batchWriter struct {
	r  *Registry
	tx *sql.Tx
	// nextAudit is the id of the next audit row, 0 until read.
	nextAudit  int64
	lists      map[string]*listState // by purpose
	selectSlot *sql.Stmt
	// Rows to insert, as arguments in column order.
	credentials, entries, audits [][]any
}

// listState is a status list being allocated from.
type listState struct {
	id              int64
	url             string
	size, allocated int
	// added counts the allocations not yet written to status_lists; the
	// free slots from size-allocated to size-allocated+added-1 have
	// become unused, and slots holds the values changed below them.
	added int
	slots map[int]int
	// all, when not nil, is every free_slots row of the list with the
	// changes made so far: slot reads need no statement. It is kept for
	// the next transaction when this one commits (see slotCache).
	all map[int]int
}

// slotCache is what a process keeps of a status list's free_slots rows
// between write transactions, so that a batch allocating group after
// group reads no slot from the database: the rows as they were when the
// list had allocated indexes. Only an allocation changes free_slots, and
// each adds one to allocated, so a later transaction that finds the list
// at that count (under the write lock) finds these rows; at any other
// count another process allocated meanwhile, and the rows are read again.
type slotCache struct {
	allocated int
	rows      map[int]int
}

// maxCachedSlots bounds the lists whose free slots are kept in memory: at
// most half a list's slots have rows, about 3 MiB for a list of the
// default size. Larger lists read each slot from the database.
const maxCachedSlots = 1 << 20

// loadSlots gives l every free_slots row of its list, from the cache when
// it is current, else from the database; lists above maxCachedSlots are
// left to slotIndex's reads.
func (w *batchWriter) loadSlots(ctx context.Context, l *listState) error {
	c := w.r.slots[l.id]
	delete(w.r.slots, l.id) // this transaction changes it; put back on commit
	if l.size > maxCachedSlots {
		return nil
	}
	if c != nil && c.allocated == l.allocated {
		l.all = c.rows
		return nil
	}
	rows, err := w.tx.QueryContext(ctx, `SELECT slot, idx FROM free_slots WHERE list_id = $1 AND slot < $2`, l.id, l.size-l.allocated)
	if err != nil {
		return err
	}
	defer rows.Close()
	all := map[int]int{}
	for rows.Next() {
		var slot, idx int
		if err := rows.Scan(&slot, &idx); err != nil {
			return err
		}
		all[slot] = idx
	}
	if err := rows.Err(); err != nil {
		return err
	}
	l.all = all
	return nil
}

// keepSlots registers the lists' slots to be kept once the transaction
// commits.
func (w *batchWriter) keepSlots() {
	for _, l := range w.lists {
		if l.all == nil {
			continue
		}
		c := &slotCache{allocated: l.allocated, rows: l.all}
		id := l.id
		w.r.afterCommit = append(w.r.afterCommit, func() {
			if w.r.slots == nil {
				w.r.slots = map[int64]*slotCache{}
			}
			w.r.slots[id] = c
		})
	}
}

func (r *Registry) newBatchWriter(ctx context.Context, tx *sql.Tx) (*batchWriter, error) {
	st, err := tx.PrepareContext(ctx, `SELECT idx FROM free_slots WHERE list_id = $1 AND slot = $2`)
	if err != nil {
		return nil, err
	}
	return &batchWriter{r: r, tx: tx, lists: map[string]*listState{}, selectSlot: st}, nil
}

func (w *batchWriter) close() { w.selectSlot.Close() }

// reserve records res as reserved under id: its credential row, an index
// for each purpose and a "reserve" audit row.
func (w *batchWriter) reserve(ctx context.Context, res Reservation, id string, now time.Time) (*Record, error) {
	if res.CredentialID != "" {
		if err := w.flushRows(ctx); err != nil {
			return nil, err
		}
		var n int
		if err := w.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM credentials WHERE credential_id = $1`, id).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fmt.Errorf("%w: credential id %q belongs to another issuance key", ErrReservationConflict, id)
		}
	}
	w.credentials = append(w.credentials, []any{res.IssuanceKey, id, res.Type, res.Subject, res.Format,
		nullTime(res.ValidUntil), string(StateReserved), formatTime(now), res.Actor,
		sql.NullString{String: res.BatchRun, Valid: res.BatchRun != ""},
		sql.NullInt64{Int64: int64(res.BatchLine), Valid: res.BatchRun != ""}})
	rec := &Record{
		IssuanceKey: res.IssuanceKey, CredentialID: id, Type: res.Type, Subject: res.Subject,
		Format: res.Format, State: StateReserved, ReservedAt: now, ReservedBy: res.Actor,
	}
	if !res.ValidUntil.IsZero() {
		rec.ValidUntil = res.ValidUntil.UTC()
	}
	for _, p := range res.Purposes {
		a, err := w.allocate(ctx, p, res.IssuanceKey, res.Actor)
		if err != nil {
			return nil, err
		}
		rec.Status = append(rec.Status, a)
	}
	slices.SortStableFunc(rec.Status, func(a, b StatusAssignment) int { return cmp.Compare(a.ListID, b.ListID) })
	return rec, w.audit(ctx, res.Actor, "reserve", id, 0, res.IssuanceKey)
}

// allocate gives the credential of issuanceKey a uniformly random unused
// index in purpose's current list, starting a new list if that one is full.
//
// The unused indexes of a list form the array A[0 .. free-1] that
// free_slots describes (A[s] is the slot's stored idx, or s when the slot has
// no row). A uniformly random slot j is drawn; its index is taken; the last
// element A[free-1] moves into slot j; the array shrinks by one. That is one
// step of a Fisher-Yates shuffle: every unused index is equally likely, each
// allocation costs a primary-key lookup or two (O(log n)), and a list needs
// no set-up. The list's changes are kept in memory (a slot read looks there
// first) until flush writes them.
func (w *batchWriter) allocate(ctx context.Context, purpose, issuanceKey, actor string) (StatusAssignment, error) {
	l := w.lists[purpose]
	if l == nil {
		l = &listState{slots: map[int]int{}}
		err := w.tx.QueryRowContext(ctx, `SELECT id, url, size, allocated FROM status_lists
	WHERE purpose = $1 ORDER BY id DESC LIMIT 1`, purpose).Scan(&l.id, &l.url, &l.size, &l.allocated)
		if errors.Is(err, sql.ErrNoRows) {
			l.size, l.allocated = 0, 0 // full: start one
		} else if err != nil {
			return StatusAssignment{}, err
		} else if err := w.loadSlots(ctx, l); err != nil {
			return StatusAssignment{}, err
		}
		w.lists[purpose] = l
	}
	if l.allocated >= l.size {
		// newList writes an audit row of its own: what is kept in
		// memory goes first.
		if err := w.flush(ctx); err != nil {
			return StatusAssignment{}, err
		}
		id, url, err := w.r.newList(ctx, w.tx, purpose, actor)
		if err != nil {
			return StatusAssignment{}, err
		}
		*l = listState{id: id, url: url, size: w.r.size, slots: map[int]int{}}
		if l.size <= maxCachedSlots {
			l.all = map[int]int{} // a new list has no free_slots rows
		}
		w.nextAudit = 0
	}
	a := StatusAssignment{Purpose: purpose, ListID: l.id, ListURL: l.url}
	free := l.size - l.allocated
	j, err := randIntn(free)
	if err != nil {
		return a, err
	}
	last := free - 1
	if a.Index, err = w.slotIndex(ctx, l, j); err != nil {
		return a, err
	}
	if j != last {
		moved, err := w.slotIndex(ctx, l, last)
		if err != nil {
			return a, err
		}
		l.slots[j] = moved
		if l.all != nil {
			l.all[j] = moved
		}
	}
	delete(l.slots, last) // unused from now on
	if l.all != nil {
		delete(l.all, last)
	}
	l.allocated++
	l.added++
	w.entries = append(w.entries, []any{l.id, a.Index, issuanceKey, purpose})
	return a, nil
}

// slotIndex returns A[slot] of the list's array of unused indexes.
func (w *batchWriter) slotIndex(ctx context.Context, l *listState, slot int) (int, error) {
	if l.all != nil {
		if idx, ok := l.all[slot]; ok {
			return idx, nil
		}
		return slot, nil
	}
	if idx, ok := l.slots[slot]; ok {
		return idx, nil
	}
	var idx int
	err := w.selectSlot.QueryRowContext(ctx, l.id, slot).Scan(&idx)
	if errors.Is(err, sql.ErrNoRows) {
		return slot, nil
	}
	return idx, err
}

// insertRows inserts rows: head, then each row's values followed by tail
// in parentheses, then suffix. By default one statement is prepared once
// and executed for each row (a multi-row INSERT is not faster with SQLite:
// compiling its text costs more than executing a prepared statement
// again); a driver that is a RowsPerInsert puts that many rows in each
// statement, for a database across a network, where each statement is a
// round trip.
func (w *batchWriter) insertRows(ctx context.Context, head, tail, suffix string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := w.r.rowsPerStatement(len(rows[0]))
	statement := func(n int) string {
		var q strings.Builder
		q.WriteString(head)
		p := 0
		for i := range n {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for k := range rows[0] {
				if k > 0 {
					q.WriteString(", ")
				}
				p++
				q.WriteString("$" + strconv.Itoa(p))
			}
			q.WriteString(tail + ")")
		}
		q.WriteString(suffix)
		return q.String()
	}
	if per == 1 {
		st, err := w.tx.PrepareContext(ctx, statement(1))
		if err != nil {
			return err
		}
		defer st.Close()
		for _, row := range rows {
			if _, err := st.ExecContext(ctx, row...); err != nil {
				return err
			}
		}
		return nil
	}
	for len(rows) > 0 {
		n := min(per, len(rows))
		args := make([]any, 0, n*len(rows[0]))
		for _, row := range rows[:n] {
			args = append(args, row...)
		}
		if _, err := w.tx.ExecContext(ctx, statement(n), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// complete records credentials reserved (checked in this transaction) as
// issued: rows of issuance key, issued at, credential, digest and row
// digest. As insertRows does, it runs one prepared statement a row, or,
// for a RowsPerInsert driver, updates that many rows a statement (a round
// trip each).
func (w *batchWriter) complete(ctx context.Context, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := w.r.rowsPerStatement(len(rows[0]))
	if per == 1 {
		st, err := w.tx.PrepareContext(ctx, `UPDATE credentials SET state = 'issued', issued_at = $2, credential = $3, digest = $4, row_digest = $5
	WHERE issuance_key = $1 AND state = 'reserved'`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, row := range rows {
			if err := oneRow(st.ExecContext(ctx, row...)); err != nil {
				return err
			}
		}
		return nil
	}
	for chunk := range slices.Chunk(rows, per) {
		var q strings.Builder
		q.WriteString(`UPDATE credentials SET state = 'issued', issued_at = v.issued_at, credential = v.credential,
	digest = v.digest, row_digest = v.row_digest FROM (VALUES `)
		args := castValues(&q, chunk, "TEXT", "TEXT", "BLOB", "TEXT", "TEXT")
		q.WriteString(`) AS v (issuance_key, issued_at, credential, digest, row_digest)
	WHERE credentials.issuance_key = v.issuance_key AND credentials.state = 'reserved'`)
		res, err := w.tx.ExecContext(ctx, w.r.drv.Schema(q.String()), args...)
		if err != nil {
			return err
		}
		if err := changed(res, len(chunk)); err != nil {
			return err
		}
	}
	return nil
}

// castValues writes the rows of a VALUES list, each value cast to its
// column's type (a parameter alone has none in a VALUES list on
// PostgreSQL), and returns the rows' values as the statement's arguments.
func castValues(q *strings.Builder, rows [][]any, types ...string) []any {
	args := make([]any, 0, len(rows)*len(types))
	for i, row := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(")
		for k, t := range types {
			if k > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(q, "CAST($%d AS %s)", len(args)+k+1, t)
		}
		q.WriteString(")")
		args = append(args, row...)
	}
	return args
}

// oneRow checks that a statement recording a credential as issued changed
// one row.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	return changed(res, 1)
}

// changed checks that a statement recording want credentials as issued
// changed as many rows: each was read as reserved in the same transaction.
func changed(res sql.Result, want int) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != int64(want) {
		return fmt.Errorf("recording %d credentials as issued changed %d rows", want, n)
	}
	return nil
}

// rowsPerStatement is how many rows of width values insertRows, complete
// and SetRowDigests put in one statement: one (a prepared statement run
// for each row) unless the driver is a RowsPerInsert.
func (r *Registry) rowsPerStatement(width int) int {
	m, ok := r.drv.(RowsPerInsert)
	if !ok {
		return 1
	}
	return max(1, min(m.RowsPerInsert(), maxParams/width))
}

// maxParams bounds the parameters of one statement (PostgreSQL allows
// 65,535).
const maxParams = 30_000

// RowsPerInsert is a Driver that inserts a batch's rows that many to a
// statement.
type RowsPerInsert interface {
	RowsPerInsert() int
}

// flushRows inserts the rows kept in memory: credentials before the
// status entries that refer to them.
func (w *batchWriter) flushRows(ctx context.Context) error {
	for _, t := range []struct {
		rows       *[][]any
		head, tail string
	}{
		{&w.credentials, `INSERT INTO credentials
	(issuance_key, credential_id, type, subject, format, valid_until, state, reserved_at, reserved_by,
	batch_run, batch_line) VALUES `, ""},
		{&w.entries, `INSERT INTO status_entries (list_id, idx, issuance_key, purpose, is_set) VALUES `, ", 0"},
		{&w.audits, `INSERT INTO audit (id, at, actor, action, credential_id, list_id, detail) VALUES `, ""},
	} {
		if len(*t.rows) == 0 {
			continue
		}
		if err := w.insertRows(ctx, t.head, t.tail, "", *t.rows); err != nil {
			return err
		}
		*t.rows = nil
	}
	return nil
}

// flushList writes a list's allocations: its count, its changed free
// slots, and the removal of the slots no longer used.
func (w *batchWriter) flushList(ctx context.Context, l *listState) error {
	if l.added == 0 {
		return nil
	}
	free := l.size - l.allocated
	if _, err := w.tx.ExecContext(ctx, `DELETE FROM free_slots WHERE list_id = $1 AND slot >= $2`, l.id, free); err != nil {
		return err
	}
	slots := slices.Sorted(maps.Keys(l.slots))
	var rows [][]any
	for _, s := range slots {
		rows = append(rows, []any{l.id, s, l.slots[s]})
	}
	if len(rows) > 0 {
		if err := w.insertRows(ctx, `INSERT INTO free_slots (list_id, slot, idx) VALUES `, "",
			` ON CONFLICT (list_id, slot) DO UPDATE SET idx = excluded.idx`, rows); err != nil {
			return err
		}
	}
	if _, err := w.tx.ExecContext(ctx, `UPDATE status_lists SET allocated = allocated + $1 WHERE id = $2`, l.added, l.id); err != nil {
		return err
	}
	l.added, l.slots = 0, map[int]int{}
	return nil
}

// flush writes what is kept in memory; the transaction may then commit.
func (w *batchWriter) flush(ctx context.Context) error {
	if err := w.flushRows(ctx); err != nil {
		return err
	}
	for _, l := range w.lists {
		if err := w.flushList(ctx, l); err != nil {
			return err
		}
	}
	return nil
}

// audit is Registry.audit with the row kept in memory and the next id
// counted in memory (the transaction holds the write lock).
func (w *batchWriter) audit(ctx context.Context, actor, action, credentialID string, listID int64, detail string) error {
	if w.nextAudit == 0 {
		if err := w.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM audit`).Scan(&w.nextAudit); err != nil {
			return err
		}
	}
	cred := sql.NullString{String: credentialID, Valid: credentialID != ""}
	list := sql.NullInt64{Int64: listID, Valid: listID != 0}
	w.audits = append(w.audits, []any{w.nextAudit, formatTime(w.r.now()), actor, action, cred, list, detail})
	w.nextAudit++
	return nil
}
