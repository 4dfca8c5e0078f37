package registry

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"
)

// A Driver is a kind of database a Registry is kept in. The registry's SQL
// and migrations are the same for every driver; a driver connects, puts
// writers one at a time, tells a lost race for a lock from a real error,
// and adapts the schema's few portable types. Packages registry/sqlite and
// registry/postgres each register one when imported, so that a program
// that only signs links neither.
type Driver interface {
	// Open connects to the database at location, with writers waiting up
	// to busyTimeout for one another. With create, a new registry is to
	// be made there: Open refuses, with ErrExists, a location it can
	// tell already holds one. Without, it refuses, with ErrNotFound, one
	// that holds none.
	Open(ctx context.Context, location string, create bool, busyTimeout time.Duration) (*sql.DB, error)
	// Discard undoes what Open with create did there, after Create
	// failed, so that the location can be used again.
	Discard(location string) error
	// BeginWrite runs first in every write transaction, before it reads
	// what it will change: it takes the lock that puts writers of every
	// process one at a time.
	BeginWrite(ctx context.Context, tx *sql.Tx) error
	// Retryable reports whether err means only that the transaction lost
	// a race for a lock, so that it may run again from the start.
	Retryable(err error) bool
	// Schema adapts a migration's SQL to the database (for example the
	// BLOB type to PostgreSQL's BYTEA).
	Schema(migration string) string
	// ReadOptions are the options of a read transaction: read only, and
	// reading one snapshot of the database from its first statement to
	// its last, so that a status list and its version agree.
	ReadOptions() *sql.TxOptions
}

var (
	driversMu sync.RWMutex
	drivers   = map[string]Driver{}
)

// Register makes a driver available by name: "sqlite" serves file paths
// and "postgres" serves postgres:// and postgresql:// URLs. It panics if
// the name is registered twice, as database/sql.Register does.
func Register(name string, d Driver) {
	driversMu.Lock()
	defer driversMu.Unlock()
	if _, dup := drivers[name]; dup || d == nil {
		panic("registry: Register called twice, or with nil, for driver " + name)
	}
	drivers[name] = d
}

// IsPostgres reports whether location names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than an SQLite file.
func IsPostgres(location string) bool {
	l := strings.ToLower(location)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

func driverFor(location string) (Driver, error) {
	if location == "" {
		return nil, fmt.Errorf("%w: no registry location", ErrInvalidRequest)
	}
	name, pkg := "sqlite", "registry/sqlite"
	if IsPostgres(location) {
		name, pkg = "postgres", "registry/postgres"
	}
	driversMu.RLock()
	d := drivers[name]
	driversMu.RUnlock()
	if d == nil {
		return nil, fmt.Errorf("%w: this program has no %s driver (import _ \"github.com/staffpass/staffpass/%s\")", ErrInvalidRequest, name, pkg)
	}
	return d, nil
}

// Redact returns location fit for a message or a log: a PostgreSQL URL
// without its password.
func Redact(location string) string {
	if !IsPostgres(location) {
		return location
	}
	u, err := url.Parse(location)
	if err != nil {
		return "a PostgreSQL URL that does not parse"
	}
	return u.Redacted()
}
