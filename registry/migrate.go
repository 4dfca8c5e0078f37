package registry

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// migrationFiles holds the registry schema, one numbered file per version:
// NNNN_name.sql. A migration is never edited once released; a change is a
// new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations is the schema history, in order: migrations[i] has version i+1.
// The files are part of the program, so migrationsErr (a badly named file)
// is a build mistake that every test run reports; migrate refuses to run
// with it.
var migrations, migrationsErr = loadMigrations(migrationFiles)

func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var ms []migration
	for i, name := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql")
		num, label, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 || v != i+1 {
			return nil, fmt.Errorf("registry: migration %s is not numbered %04d_name.sql", name, i+1)
		}
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: label, sql: string(text)})
	}
	return ms, nil
}

// migrate brings the schema up to version upTo (len(migrations) in normal
// use), applying each missing migration in its own write transaction
// together with its row in schema_migrations. The version is read inside the
// transaction, so two processes opening one registry at once apply each
// migration once. A registry with a version this program does not know is
// refused with ErrSchema.
func (r *Registry) migrate(ctx context.Context, upTo int) error {
	if migrationsErr != nil {
		return migrationsErr
	}
	for {
		done := false
		err := r.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`); err != nil {
				return err
			}
			var current, count int
			if err := tx.QueryRowContext(ctx,
				`SELECT COALESCE(MAX(version), 0), COUNT(*) FROM schema_migrations`).Scan(&current, &count); err != nil {
				return err
			}
			if current > len(migrations) {
				return fmt.Errorf("%w: version %d, this program knows up to %d", ErrSchema, current, len(migrations))
			}
			if count != current {
				return fmt.Errorf("%w: %d migrations recorded, up to version %d", ErrSchema, count, current)
			}
			if current >= upTo {
				done = true
				return nil
			}
			m := migrations[current]
			if _, err := tx.ExecContext(ctx, r.drv.Schema(m.sql)); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, formatTime(r.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("registry: registry schema: %w", err)
		}
		if done {
			return nil
		}
	}
}
