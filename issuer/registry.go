package issuer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/staffpass/staffpass/vc/status"

	_ "modernc.org/sqlite" // the registry's default database: pure Go, no cgo, one file
)

// Errors of the issuance registry.
var (
	// ErrRegistryExists: CreateRegistry found a file at the path.
	ErrRegistryExists = errors.New("issuer: registry already exists")

	// ErrRegistryNotFound: OpenRegistry found no registry at the path, or
	// one that was never fully set up.
	ErrRegistryNotFound = errors.New("issuer: no registry")

	// ErrRegistrySchema: the registry's schema is newer than this program
	// knows, or its migration records are inconsistent.
	ErrRegistrySchema = errors.New("issuer: registry schema not supported")

	// ErrInvalidRequest: a registry call lacks a value it needs, or has one
	// it cannot use.
	ErrInvalidRequest = errors.New("issuer: invalid registry request")

	// ErrReservationConflict: a reservation reuses an issuance key with
	// another type, subject, format or set of purposes, or reuses another
	// key's credential id.
	ErrReservationConflict = errors.New("issuer: reservation conflicts with an existing one")

	// ErrCredentialNotFound: no credential matches.
	ErrCredentialNotFound = errors.New("issuer: credential not found")

	// ErrAlreadyIssued: Complete was given a credential other than the one
	// already recorded for the issuance key.
	ErrAlreadyIssued = errors.New("issuer: credential already issued")

	// ErrNoStatusEntry: the credential has no status entry for the purpose
	// a change needs (revocation to revoke, suspension to suspend).
	ErrNoStatusEntry = errors.New("issuer: credential has no status entry for that purpose")

	// ErrCredentialRevoked: a suspension change was asked of a revoked
	// credential; revocation is final.
	ErrCredentialRevoked = errors.New("issuer: credential is revoked")

	// ErrListNotFound: no status list has that id.
	ErrListNotFound = errors.New("issuer: status list not found")
)

// DefaultBusyTimeout is how long a registry call waits for another process
// that holds the registry's write lock before it fails.
const DefaultBusyTimeout = 10 * time.Second

// RegistryConfig is what CreateRegistry writes into a new registry; it cannot
// be changed afterwards, since published credentials point at it.
type RegistryConfig struct {
	// StatusBaseURL is the https URL status lists are published under:
	// list n is at StatusBaseURL + "/" + n. Required.
	StatusBaseURL string
	// ListSize is the number of entries of each status list: a multiple of
	// 8 from status.MinEntries (the default, used when it is 0) to
	// status.MaxEntries. Larger lists give more herd privacy and larger
	// files.
	ListSize int
}

// A RegistryOption configures how OpenRegistry and CreateRegistry use a
// registry.
type RegistryOption func(*registryOptions)

type registryOptions struct {
	now         func() time.Time
	busyTimeout time.Duration
	// smallLists lets tests create lists smaller than status.MinEntries
	// (published padded to the minimum); there is no exported option.
	smallLists bool
}

// WithClock sets the clock that stamps reservations and audit rows; the
// default is time.Now.
func WithClock(now func() time.Time) RegistryOption {
	return func(o *registryOptions) { o.now = now }
}

// WithBusyTimeout sets how long a call waits for another process's write
// transaction; the default is DefaultBusyTimeout.
func WithBusyTimeout(d time.Duration) RegistryOption {
	return func(o *registryOptions) { o.busyTimeout = d }
}

// Registry is an organisation's issuance registry: which credential got which
// status list index, the status lists and their bits, and an audit trail of
// every change. It is an SQLite database in one file (WAL mode, synchronous
// FULL, foreign keys on), reached through database/sql.
//
// Writes run in IMMEDIATE transactions: one at a time in a process (a mutex
// queues them) and across processes (SQLite's write lock, waited for up to
// the busy timeout, with a few retries beyond it), so many goroutines and
// several processes can issue against one registry and never receive the
// same index. A Registry is safe for concurrent use.
type Registry struct {
	db      *sql.DB
	opts    registryOptions
	baseURL string
	size    int
	// writeMu queues this process's write transactions, so that they wait
	// in Go rather than in SQLite's sleeping busy handler.
	writeMu sync.Mutex
}

// CreateRegistry creates a new registry file at path (mode 0600: it holds
// personal data) with the given configuration. It refuses a path where a file
// exists.
func CreateRegistry(ctx context.Context, path string, cfg RegistryConfig, opts ...RegistryOption) (*Registry, error) {
	o := applyRegistryOptions(opts)
	if cfg.ListSize == 0 {
		cfg.ListSize = status.MinEntries
	}
	if err := checkRegistryConfig(cfg, o.smallLists); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("%w: %s", ErrRegistryExists, path)
		}
		return nil, fmt.Errorf("issuer: create registry: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("issuer: create registry: %w", err)
	}
	// A registry that could not be set up is removed, so that the path
	// can be used again.
	fail := func(r *Registry, err error) (*Registry, error) {
		if r != nil {
			r.db.Close()
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(p)
		}
		return nil, err
	}
	r, err := openDB(path, o)
	if err != nil {
		return fail(nil, err)
	}
	if err := r.migrate(ctx, len(migrations)); err != nil {
		return fail(r, err)
	}
	err = r.write(ctx, func(tx *sql.Tx) error {
		for _, s := range [][2]string{
			{"status_base_url", cfg.StatusBaseURL},
			{"list_size", strconv.Itoa(cfg.ListSize)},
		} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)`, s[0], s[1]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fail(r, fmt.Errorf("issuer: create registry: %w", err))
	}
	r.baseURL, r.size = cfg.StatusBaseURL, cfg.ListSize
	return r, nil
}

// OpenRegistry opens the registry at path, bringing its schema up to date
// (each migration in its own transaction). It refuses a path with no
// registry, and a registry whose schema is newer than this program.
func OpenRegistry(ctx context.Context, path string, opts ...RegistryOption) (*Registry, error) {
	o := applyRegistryOptions(opts)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrRegistryNotFound, path)
		}
		return nil, fmt.Errorf("issuer: open registry: %w", err)
	}
	r, err := openDB(path, o)
	if err != nil {
		return nil, err
	}
	if err := r.migrate(ctx, len(migrations)); err != nil {
		r.db.Close()
		return nil, err
	}
	if err := r.loadSettings(ctx); err != nil {
		r.db.Close()
		return nil, err
	}
	return r, nil
}

// Close closes the database.
func (r *Registry) Close() error { return r.db.Close() }

// Config returns the registry's configuration.
func (r *Registry) Config() RegistryConfig {
	return RegistryConfig{StatusBaseURL: r.baseURL, ListSize: r.size}
}

func applyRegistryOptions(opts []RegistryOption) registryOptions {
	o := registryOptions{now: time.Now, busyTimeout: DefaultBusyTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.busyTimeout <= 0 {
		o.busyTimeout = DefaultBusyTimeout
	}
	return o
}

func checkRegistryConfig(cfg RegistryConfig, smallLists bool) error {
	u, err := url.Parse(cfg.StatusBaseURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" ||
		strings.HasSuffix(cfg.StatusBaseURL, "/") {
		return fmt.Errorf("%w: status base URL %q must be an https URL with no query, fragment or trailing slash",
			ErrInvalidRequest, cfg.StatusBaseURL)
	}
	lo := status.MinEntries
	if smallLists {
		lo = 8
	}
	if cfg.ListSize < lo || cfg.ListSize > status.MaxEntries || cfg.ListSize%8 != 0 {
		return fmt.Errorf("%w: list size %d must be a multiple of 8 from %d to %d",
			ErrInvalidRequest, cfg.ListSize, lo, status.MaxEntries)
	}
	return nil
}

func (r *Registry) loadSettings(ctx context.Context) error {
	rows, err := r.db.QueryContext(ctx, `SELECT name, value FROM settings`)
	if err != nil {
		return fmt.Errorf("issuer: open registry: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return fmt.Errorf("issuer: open registry: %w", err)
		}
		switch name {
		case "status_base_url":
			r.baseURL = value
		case "list_size":
			r.size, _ = strconv.Atoi(value)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("issuer: open registry: %w", err)
	}
	if r.baseURL == "" || r.size <= 0 {
		return fmt.Errorf("%w: registry settings are missing (was it created by CreateRegistry?)", ErrRegistryNotFound)
	}
	return nil
}

// openDB opens the SQLite file at path, which must exist. Every connection
// gets the busy timeout, foreign keys, WAL and synchronous FULL (a commit
// survives a power cut: an index a credential was signed with is never lost
// and handed out again), and non-read-only transactions begin IMMEDIATE, so
// a writer takes the write lock before it reads what it will change.
func openDB(path string, o registryOptions) (*Registry, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("issuer: open registry: %w", err)
	}
	q := url.Values{}
	q.Set("mode", "rw")
	q.Set("_txlock", "immediate")
	q.Set("_busy_timeout", strconv.FormatInt(o.busyTimeout.Milliseconds(), 10))
	q.Set("_foreign_keys", "1")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	dsn := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("issuer: open registry: %w", err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("issuer: open registry %s: %w", path, err)
	}
	return &Registry{db: db, opts: o}, nil
}

// now returns the registry clock's time in UTC.
func (r *Registry) now() time.Time { return r.opts.now().UTC() }
