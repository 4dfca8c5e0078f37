package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/staffpass/staffpass/vc/status"
)

// Errors of the issuance registry.
var (
	// ErrExists: Create found a file at the path.
	ErrExists = errors.New("registry: registry already exists")

	// ErrNotFound: Open found no registry at the path, or
	// one that was never fully set up.
	ErrNotFound = errors.New("registry: no registry")

	// ErrSchema: the registry's schema is newer than this program
	// knows, or its migration records are inconsistent.
	ErrSchema = errors.New("registry: registry schema not supported")

	// ErrInvalidRequest: a registry call lacks a value it needs, or has one
	// it cannot use.
	ErrInvalidRequest = errors.New("registry: invalid registry request")

	// ErrReservationConflict: a reservation reuses an issuance key with
	// another type, subject, format or set of purposes, or reuses another
	// key's credential id.
	ErrReservationConflict = errors.New("registry: reservation conflicts with an existing one")

	// ErrCredentialNotFound: no credential matches.
	ErrCredentialNotFound = errors.New("registry: credential not found")

	// ErrAlreadyIssued: Complete was given a credential other than the one
	// already recorded for the issuance key.
	ErrAlreadyIssued = errors.New("registry: credential already issued")

	// ErrNoStatusEntry: the credential has no status entry for the purpose
	// a change needs (revocation to revoke, suspension to suspend).
	ErrNoStatusEntry = errors.New("registry: credential has no status entry for that purpose")

	// ErrCredentialRevoked: a suspension change was asked of a revoked
	// credential; revocation is final.
	ErrCredentialRevoked = errors.New("registry: credential is revoked")

	// ErrListNotFound: no status list has that id.
	ErrListNotFound = errors.New("registry: status list not found")
)

// DefaultBusyTimeout is how long a registry call waits for another process
// that holds the registry's write lock before it fails.
const DefaultBusyTimeout = 10 * time.Second

// Config is what Create writes into a new registry; it cannot
// be changed afterwards, since published credentials point at it.
type Config struct {
	// StatusBaseURL is the https URL status lists are published under:
	// list n is at StatusBaseURL + "/" + n. Required.
	StatusBaseURL string
	// ListSize is the number of entries of each status list: a multiple of
	// 8 from status.MinEntries (the default, used when it is 0) to
	// status.MaxEntries. Larger lists give more herd privacy and larger
	// files.
	ListSize int
}

// A Option configures how Open and Create use a
// registry.
type Option func(*options)

type options struct {
	now         func() time.Time
	busyTimeout time.Duration
	// smallLists lets tests create lists smaller than status.MinEntries
	// (published padded to the minimum); there is no exported option.
	smallLists bool
}

// WithClock sets the clock that stamps reservations and audit rows; the
// default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithBusyTimeout sets how long a call waits for another process's write
// transaction; the default is DefaultBusyTimeout.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = d }
}

// Registry is an organisation's issuance registry: which credential got which
// status list index, the status lists and their bits, and an audit trail of
// every change. It is kept in a database a Driver reaches through
// database/sql: an SQLite file (package registry/sqlite, the default) or a
// PostgreSQL database (package registry/postgres). Both run the same
// numbered migrations and the same SQL.
//
// Writes run one at a time: in a process a mutex queues them, and across
// processes the driver's lock does (SQLite's write lock, PostgreSQL's
// transaction-scoped advisory lock), waited for up to the busy timeout, with
// a few retries beyond it. So many goroutines, processes and machines can
// issue against one registry and never receive the same index. A Registry is
// safe for concurrent use.
type Registry struct {
	db      *sql.DB
	drv     Driver
	opts    options
	baseURL string
	size    int
	// writeMu queues this process's write transactions, so that they wait
	// in Go rather than in the database's lock.
	writeMu sync.Mutex
	// Guarded by writeMu: the functions to call once the running write
	// transaction has committed, and the free slots of the status lists
	// this process allocated from (see slotCache).
	afterCommit []func()
	slots       map[int64]*slotCache
}

// Create creates a new registry at location (a file path, or a PostgreSQL
// URL such as postgres://user@host/db) with the given configuration. An
// SQLite file is created with mode 0600, since it holds personal data; a
// path where a file exists is refused. A PostgreSQL database must exist and
// hold no registry yet.
func Create(ctx context.Context, location string, cfg Config, opts ...Option) (*Registry, error) {
	o := applyOptions(opts)
	if cfg.ListSize == 0 {
		cfg.ListSize = status.MinEntries
	}
	if err := checkConfig(cfg, o.smallLists); err != nil {
		return nil, err
	}
	r, err := openAt(ctx, location, true, o)
	if err != nil {
		return nil, err
	}
	// A registry that could not be set up is discarded, so that the
	// location can be used again.
	fail := func(err error) (*Registry, error) {
		r.db.Close()
		r.drv.Discard(location)
		return nil, err
	}
	exists := false
	err = r.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			exists = true
			return nil
		}
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
	if exists {
		r.db.Close()
		return nil, fmt.Errorf("%w: %s", ErrExists, Redact(location))
	}
	if err != nil {
		return fail(fmt.Errorf("registry: create registry: %w", err))
	}
	r.baseURL, r.size = cfg.StatusBaseURL, cfg.ListSize
	return r, nil
}

// Open opens the registry at location (a file path, or a PostgreSQL URL),
// bringing its schema up to date (each migration in its own transaction).
// It refuses a location with no registry, and a registry whose schema is
// newer than this program.
func Open(ctx context.Context, location string, opts ...Option) (*Registry, error) {
	r, err := openAt(ctx, location, false, applyOptions(opts))
	if err != nil {
		return nil, err
	}
	if err := r.loadSettings(ctx, location); err != nil {
		r.db.Close()
		return nil, err
	}
	return r, nil
}

// openAt opens the database at location, creating it if create, and
// brings its schema up to date; a database it created and could not bring
// up to date is discarded.
func openAt(ctx context.Context, location string, create bool, o options) (*Registry, error) {
	drv, err := driverFor(location)
	if err != nil {
		return nil, err
	}
	db, err := drv.Open(ctx, location, create, o.busyTimeout)
	if err != nil {
		return nil, err
	}
	r := &Registry{db: db, drv: drv, opts: o}
	if err := r.migrate(ctx, len(migrations)); err != nil {
		db.Close()
		if create {
			drv.Discard(location)
		}
		return nil, err
	}
	return r, nil
}

// Close closes the database.
func (r *Registry) Close() error { return r.db.Close() }

// Config returns the registry's configuration.
func (r *Registry) Config() Config {
	return Config{StatusBaseURL: r.baseURL, ListSize: r.size}
}

func applyOptions(opts []Option) options {
	o := options{now: time.Now, busyTimeout: DefaultBusyTimeout}
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

func checkConfig(cfg Config, smallLists bool) error {
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

func (r *Registry) loadSettings(ctx context.Context, location string) error {
	rows, err := r.db.QueryContext(ctx, `SELECT name, value FROM settings`)
	if err != nil {
		return fmt.Errorf("registry: open registry: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return fmt.Errorf("registry: open registry: %w", err)
		}
		switch name {
		case "status_base_url":
			r.baseURL = value
		case "list_size":
			r.size, _ = strconv.Atoi(value)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("registry: open registry: %w", err)
	}
	if r.baseURL == "" || r.size <= 0 {
		return fmt.Errorf("%w: %s has no registry settings (was it made by Create?)", ErrNotFound, Redact(location))
	}
	return nil
}

// now returns the registry clock's time in UTC.
func (r *Registry) now() time.Time { return r.opts.now().UTC() }
