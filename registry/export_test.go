package registry

import (
	"context"
	"database/sql"
	"io/fs"
)

// What the tests of package registry_test reach inside.

// WithSmallLists lets tests create lists smaller than status.MinEntries
// (published padded to the minimum).
func WithSmallLists() Option { return func(o *options) { o.smallLists = true } }

// DB is the registry's database handle.
func (r *Registry) DB() *sql.DB { return r.db }

// IsSQLite reports whether the registry is an SQLite file.
func (r *Registry) IsSQLite() bool { return r.drv.Schema("BLOB") == "BLOB" }

// Size is the registry's list size.
func (r *Registry) Size() int { return r.size }

// Write runs fn in a write transaction.
func (r *Registry) Write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return r.write(ctx, fn)
}

// Allocate draws one index of purpose for issuanceKey.
func (r *Registry) Allocate(ctx context.Context, tx *sql.Tx, purpose, issuanceKey, actor string) (StatusAssignment, error) {
	w, err := r.newBatchWriter(ctx, tx)
	if err != nil {
		return StatusAssignment{}, err
	}
	defer w.close()
	a, err := w.allocate(ctx, purpose, issuanceKey, actor)
	if err == nil {
		err = w.flush(ctx)
	}
	return a, err
}

// Migration is one step of the schema history.
type Migration struct {
	Version   int
	Name, SQL string
}

// Migrations is the schema history, and the error of loading it.
func Migrations() ([]Migration, error) {
	var out []Migration
	for _, m := range migrations {
		out = append(out, Migration{m.version, m.name, m.sql})
	}
	return out, migrationsErr
}

// LoadMigrations reads a schema history from fsys.
func LoadMigrations(fsys fs.FS) (int, error) {
	ms, err := loadMigrations(fsys)
	return len(ms), err
}

// OpenAtVersion makes a registry at location, where there is none, whose
// schema stops at version v.
func OpenAtVersion(ctx context.Context, location string, v int) (*Registry, error) {
	drv, err := driverFor(location)
	if err != nil {
		return nil, err
	}
	db, err := drv.Open(ctx, location, true, DefaultBusyTimeout)
	if err != nil {
		return nil, err
	}
	r := &Registry{db: db, drv: drv, opts: applyOptions(nil)}
	if err := r.migrate(ctx, v); err != nil {
		db.Close()
		return nil, err
	}
	return r, nil
}

// SetSize sets the size of lists the registry starts from now on.
func (r *Registry) SetSize(n int) { r.size = n }
