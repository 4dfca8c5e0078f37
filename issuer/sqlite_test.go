package issuer

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/staffpass/staffpass/registry"
	// The tests keep their registries in SQLite files.
	_ "github.com/staffpass/staffpass/registry/sqlite"
)

// rawDB opens the test organisation's registry file directly, for tests
// that put it in the state a crash would leave.
func rawDB(t testing.TB, o *testOrg) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(o.org.Dir, RegistryFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// checkIntegrity fails the test if the registry breaks an invariant.
func checkIntegrity(t testing.TB, r *registry.Registry) {
	t.Helper()
	if err := r.CheckIntegrity(context.Background()); err != nil {
		t.Fatal(err)
	}
}
