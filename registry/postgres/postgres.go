// Package postgres keeps a staffpass registry in a PostgreSQL database, so
// that many people, processes and servers of one organisation issue against
// one registry. Import it for its effect:
//
//	import _ "github.com/staffpass/staffpass/registry/postgres"
//
// and give registry.Create or registry.Open a URL such as
// postgres://staffpass@db.trust.nhs.uk/registry?sslmode=verify-full (any
// connection string github.com/jackc/pgx/v5 reads). The database must exist;
// the registry keeps its tables in the connection's schema (search_path),
// and runs the same numbered migrations and SQL as the SQLite file.
//
// Write transactions take a transaction-scoped advisory lock first, so that
// writers of every process are one at a time, as with SQLite's write lock:
// an index is drawn at random among the unused and never handed out twice.
// A writer waits for the lock up to the busy timeout (PostgreSQL's
// lock_timeout), and the registry tries it again a few times beyond that.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/staffpass/staffpass/registry"
)

func init() { registry.Register("postgres", driver{}) }

// writeLock is the advisory lock key of registry writers: a constant of
// staffpass's own, the same in every version, so that old and new programs
// queue on one lock.
const writeLock int64 = 0x2b1f_6d3a_58c4_0e97

type driver struct{}

func (driver) Open(ctx context.Context, location string, create bool, busyTimeout time.Duration) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(location)
	if err != nil {
		// The error may quote the connection string, password and all.
		return nil, fmt.Errorf("%w: %s is not a PostgreSQL connection string pgx reads", registry.ErrInvalidRequest, registry.Redact(location))
	}
	// A writer waits for another's lock up to the busy timeout.
	cfg.RuntimeParams["lock_timeout"] = strconv.FormatInt(max(busyTimeout.Milliseconds(), 1), 10)
	db := stdlib.OpenDB(*cfg)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, busyTimeout)
	defer cancel()
	var hasSettings bool
	if err := db.QueryRowContext(pingCtx, `SELECT to_regclass('settings') IS NOT NULL`).Scan(&hasSettings); err != nil {
		db.Close()
		return nil, fmt.Errorf("registry: open registry %s: %w", registry.Redact(location), err)
	}
	if !create && !hasSettings {
		db.Close()
		return nil, fmt.Errorf("%w: %s holds no registry tables", registry.ErrNotFound, registry.Redact(location))
	}
	if create && hasSettings {
		var n int
		if err := db.QueryRowContext(pingCtx, `SELECT COUNT(*) FROM settings`).Scan(&n); err != nil {
			db.Close()
			return nil, fmt.Errorf("registry: create registry %s: %w", registry.Redact(location), err)
		}
		if n > 0 {
			db.Close()
			return nil, fmt.Errorf("%w: %s", registry.ErrExists, registry.Redact(location))
		}
	}
	return db, nil
}

// Discard leaves the database as it is: each migration was its own
// transaction, and a registry without settings is one Create finishes.
func (driver) Discard(string) error { return nil }

// BeginWrite sets the transaction to READ COMMITTED, whatever the
// database's or role's default_transaction_isolation, and takes the
// registry writers' advisory lock, released when the transaction ends,
// waiting up to the busy timeout (lock_timeout). At READ COMMITTED each
// statement after the lock sees what the writer before committed; at
// REPEATABLE READ the snapshot would be taken by the lock's own statement,
// before the writer before had committed.
func (driver) BeginWrite(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL READ COMMITTED`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLock)
	return err
}

// Retryable reports whether err is a lock timeout, a serialisation failure
// or a deadlock: the transaction lost a race and may run again.
func (driver) Retryable(err error) bool {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case "55P03", "40001", "40P01":
		return true
	}
	return false
}

var blob = regexp.MustCompile(`\bBLOB\b`)

// Schema turns SQLite's BLOB into PostgreSQL's BYTEA; the rest of the
// migrations is SQL both read alike.
func (driver) Schema(migration string) string { return blob.ReplaceAllString(migration, "BYTEA") }

// ReadOptions: a read-only transaction at REPEATABLE READ, which reads one
// snapshot (at PostgreSQL's default, READ COMMITTED, each statement reads
// its own).
func (driver) ReadOptions() *sql.TxOptions {
	return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
}

// RowsPerInsert puts 500 rows in each INSERT of a batch: each statement is
// a round trip to the server.
func (driver) RowsPerInsert() int { return 500 }
