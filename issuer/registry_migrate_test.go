package issuer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/staffpass/staffpass/vc/status"
)

func TestMigrationsAreNumberedFromOne(t *testing.T) {
	if migrationsErr != nil {
		t.Fatal(migrationsErr)
	}
	if len(migrations) < 2 {
		t.Fatalf("%d migrations", len(migrations))
	}
	for i, m := range migrations {
		if m.version != i+1 || m.name == "" || m.sql == "" {
			t.Errorf("migration %d = %d %q", i, m.version, m.name)
		}
	}
	for _, tt := range []struct {
		name  string
		files []string
	}{
		{"a gap in the numbers", []string{"migrations/0001_a.sql", "migrations/0003_c.sql"}},
		{"not starting at one", []string{"migrations/0002_b.sql"}},
		{"a name without a number", []string{"migrations/0001_a.sql", "migrations/init.sql"}},
		{"a number of the wrong width", []string{"migrations/1_a.sql"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tt.files {
				fsys[f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
			}
			if _, err := loadMigrations(fsys); err == nil {
				t.Fatal("loadMigrations accepted a bad schema history")
			}
		})
	}
}

// registryAtVersion makes a registry file whose schema stops at version v,
// with settings, as an older staffpass would have left it.
func registryAtVersion(t *testing.T, v int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := openDB(path, applyRegistryOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.migrate(ctx, v); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO settings (name, value) VALUES ('status_base_url', '` + testBaseURL + `'), ('list_size', '131072')`,
		`INSERT INTO status_lists (id, purpose, url, size, allocated, created_at)
			VALUES (1, 'revocation', '` + testBaseURL + `/1', 131072, 1, '2025-01-01T00:00:00.000000000Z')`,
		`INSERT INTO credentials (issuance_key, credential_id, type, subject, format, state, reserved_at, reserved_by, issued_at, credential, digest)
			VALUES ('old-key', 'urn:uuid:old', 'DBSCheckCredential', 'did:key:old', 'vc+jwt', 'issued',
			'2025-01-01T00:00:00.000000000Z', 'hr', '2025-01-01T00:00:01.000000000Z', X'7369676E6564', 'digest')`,
		`INSERT INTO status_entries (list_id, idx, issuance_key, purpose, is_set) VALUES (1, 77, 'old-key', 'revocation', 0)`,
		`INSERT INTO free_slots (list_id, slot, idx) VALUES (1, 77, 131071)`,
	} {
		if _, err := r.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path
}

func TestARegistryAtSchemaOneUpgradesToTheLatest(t *testing.T) {
	ctx := context.Background()
	path := registryAtVersion(t, 1)
	r, err := OpenRegistry(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var versions int
	if err := r.db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&versions); err != nil || versions != len(migrations) {
		t.Fatalf("%d migrations recorded, want %d (%v)", versions, len(migrations), err)
	}
	recs, err := r.Find(ctx, Target{CredentialID: "urn:uuid:old"})
	if err != nil {
		t.Fatal(err)
	}
	if recs[0].State != StateIssued || string(recs[0].Credential) != "signed" || recs[0].Status[0].Index != 77 {
		t.Fatalf("old record = %+v", recs[0])
	}
	// Schema 2's audit table and list versions work on the old data.
	if _, err := r.Revoke(ctx, Target{CredentialID: "urn:uuid:old"}, Change{Actor: "hr"}); err != nil {
		t.Fatal(err)
	}
	lists, err := r.StatusLists(ctx)
	if err != nil || lists[0].Version != 1 || lists[0].PublishedVersion != 0 {
		t.Fatalf("lists = %+v, %v", lists, err)
	}
	// The old list goes on allocating around index 77, which it gave.
	rec, err := r.Reserve(ctx, reservation("new-key", status.PurposeRevocation))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status[0].ListID != 1 || rec.Status[0].Index == 77 {
		t.Fatalf("new assignment %+v", rec.Status[0])
	}
	// Opening an up-to-date registry again changes nothing.
	r.Close()
	r2, err := OpenRegistry(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	r2.Close()
}

func TestARegistryFromANewerProgramIsRefused(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name, sql string
	}{
		{"an unknown future version", `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')`},
		{"a gap in the recorded versions", `DELETE FROM schema_migrations WHERE version = 1`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := registryAtVersion(t, len(migrations))
			r, err := OpenRegistry(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.db.Exec(tt.sql); err != nil {
				t.Fatal(err)
			}
			r.Close()
			if _, err := OpenRegistry(ctx, path); !errors.Is(err, ErrRegistrySchema) {
				t.Fatalf("error = %v, want ErrRegistrySchema", err)
			}
		})
	}
}
