// Package sqlite keeps a staffpass registry in one SQLite file: the
// default, with nothing to install. Import it for its effect:
//
//	import _ "github.com/staffpass/staffpass/registry/sqlite"
//
// and give registry.Open a file path.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"modernc.org/sqlite" // pure Go, no cgo
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/staffpass/staffpass/registry"
)

func init() { registry.Register("sqlite", driver{}) }

type driver struct{}

// Open opens the file at path. Every connection gets the busy timeout,
// foreign keys, WAL and synchronous FULL (a commit survives a power cut: an
// index a credential was signed with is never lost and handed out again),
// and non-read-only transactions begin IMMEDIATE, so that a writer takes
// the write lock before it reads what it will change. With create, the
// file is made (mode 0600), and a path where one exists is refused.
func (d driver) Open(ctx context.Context, path string, create bool, busyTimeout time.Duration) (db *sql.DB, err error) {
	if create {
		// A file made here is removed if it cannot be opened.
		defer func() {
			if err != nil && !errors.Is(err, registry.ErrExists) {
				d.Discard(path)
			}
		}()
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			if errors.Is(err, os.ErrExist) {
				return nil, fmt.Errorf("%w: %s", registry.ErrExists, path)
			}
			return nil, fmt.Errorf("registry: create registry: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("registry: create registry: %w", err)
		}
	} else if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", registry.ErrNotFound, path)
		}
		return nil, fmt.Errorf("registry: open registry: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("registry: open registry: %w", err)
	}
	q := url.Values{}
	q.Set("mode", "rw")
	q.Set("_txlock", "immediate")
	q.Set("_busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10))
	q.Set("_foreign_keys", "1")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	// A batch writes index pages all over the file (random status
	// indexes, random credential ids): a page cache of up to 32 MiB a connection
	// (SQLite's default is 2 MiB) keeps them from being read back, and
	// checkpointing the WAL every 10,000 pages (40 MiB; the default is
	// 1,000) writes each page once for many transactions. Together they
	// take a batch credential's registry time from about 110 to 80 µs on
	// the development machine (BenchmarkBatchGroups).
	q.Add("_pragma", "cache_size(-32768)")
	q.Add("_pragma", "wal_autocheckpoint(10000)")
	dsn := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}).String()
	db, err = sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("registry: open registry: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("registry: open registry %s: %w", path, err)
	}
	return db, nil
}

// Discard removes the file and its journal files.
func (driver) Discard(path string) error {
	var errs []error
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// BeginWrite does nothing: write transactions begin IMMEDIATE.
func (driver) BeginWrite(context.Context, *sql.Tx) error { return nil }

// Retryable reports whether err is SQLITE_BUSY or SQLITE_LOCKED (with any
// extended code): another connection held a lock for longer than the busy
// timeout.
func (driver) Retryable(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return true
	}
	return false
}

// Schema returns the migration as written: it is SQLite's dialect.
func (driver) Schema(migration string) string { return migration }

// ReadOptions: a read-only transaction, which in WAL mode reads one
// snapshot.
func (driver) ReadOptions() *sql.TxOptions { return &sql.TxOptions{ReadOnly: true} }
