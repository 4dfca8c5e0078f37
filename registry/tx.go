package registry

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// busyRetries is how many times a write transaction that failed because
// another process held the write lock for longer than the busy timeout is
// tried again. SQLite's busy handler is not fair: under steady contention
// one process can keep winning, so a timeout is retried rather than
// reported at once.
const busyRetries = 5

// write runs fn in a write transaction (the driver's write lock taken
// first), committing if fn
// returns nil. A transaction that fails because the database is busy or
// locked is rolled back and run again, from the start, up to busyRetries
// times; fn must therefore do nothing outside the transaction.
func (r *Registry) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	var err error
	for attempt := 0; ; attempt++ {
		err = r.writeOnce(ctx, fn)
		if err == nil || !r.drv.Retryable(err) || attempt == busyRetries {
			return err
		}
		// Back off for a random 1 to 50 ms so that two processes that
		// both timed out do not collide again in step.
		jitter, _ := randIntn(50) // on error, 0: back off 1 ms
		d := time.Duration(1+jitter) * time.Millisecond
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(d):
		}
	}
}

func (r *Registry) writeOnce(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := r.drv.BeginWrite(ctx, tx); err != nil {
		tx.Rollback()
		return err
	}
	r.afterCommit = r.afterCommit[:0]
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, f := range r.afterCommit {
		f()
	}
	return nil
}

// read runs fn in a read-only transaction, which sees one snapshot of the
// database and does not block writers.
func (r *Registry) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := r.db.BeginTx(ctx, r.drv.ReadOptions())
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// randIntn returns a uniformly random int in [0, n) from crypto/rand; n must
// be positive.
func randIntn(n int) (int, error) {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0, fmt.Errorf("registry: crypto/rand: %w", err)
	}
	return int(v.Int64()), nil
}

// Times are stored as RFC 3339 text in UTC, with nanoseconds: portable, and
// ordered as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func nullTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(t), Valid: true}
}

func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("registry: registry holds a bad time %q", s.String)
	}
	return t, nil
}
