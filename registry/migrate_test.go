package registry_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/status"
)

func TestMigrationsAreNumberedFromOne(t *testing.T) {
	migrations, err := registry.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if migrationCount(t) < 2 {
		t.Fatalf("%d migrations", migrationCount(t))
	}
	for i, m := range migrations {
		if m.Version != i+1 || m.Name == "" || m.SQL == "" {
			t.Errorf("migration %d = %d %q", i, m.Version, m.Name)
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
			if _, err := registry.LoadMigrations(fsys); err == nil {
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
	if onPostgres() {
		path = newPostgresDB(t)
	}
	r, err := registry.OpenAtVersion(ctx, path, v)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, q := range []string{
		`INSERT INTO settings (name, value) VALUES ('status_base_url', '` + testBaseURL + `'), ('list_size', '131072')`,
		`INSERT INTO status_lists (id, purpose, url, size, allocated, created_at)
			VALUES (1, 'revocation', '` + testBaseURL + `/1', 131072, 1, '2025-01-01T00:00:00.000000000Z')`,
		`INSERT INTO credentials (issuance_key, credential_id, type, subject, format, state, reserved_at, reserved_by, issued_at, credential, digest)
			VALUES ('old-key', 'urn:uuid:old', 'DBSCheckCredential', 'did:key:old', 'vc+jwt', 'issued',
			'2025-01-01T00:00:00.000000000Z', 'hr', '2025-01-01T00:00:01.000000000Z', $1, 'digest')`,
		`INSERT INTO status_entries (list_id, idx, issuance_key, purpose, is_set) VALUES (1, 77, 'old-key', 'revocation', 0)`,
		`INSERT INTO free_slots (list_id, slot, idx) VALUES (1, 77, 131071)`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, []byte("signed"))
		}
		if _, err := r.DB().ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path
}

func TestARegistryAtSchemaOneUpgradesToTheLatest(t *testing.T) {
	ctx := context.Background()
	path := registryAtVersion(t, 1)
	r, err := registry.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var versions int
	if err := r.DB().QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&versions); err != nil || versions != migrationCount(t) {
		t.Fatalf("%d migrations recorded, want %d (%v)", versions, migrationCount(t), err)
	}
	recs, err := r.Find(ctx, registry.Target{CredentialID: "urn:uuid:old"})
	if err != nil {
		t.Fatal(err)
	}
	if recs[0].State != registry.StateIssued || string(recs[0].Credential) != "signed" || recs[0].Status[0].Index != 77 {
		t.Fatalf("old record = %+v", recs[0])
	}
	// Schema 2's audit table and list versions work on the old data.
	if _, err := r.Revoke(ctx, registry.Target{CredentialID: "urn:uuid:old"}, registry.Change{Actor: "hr"}); err != nil {
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
	r2, err := registry.Open(ctx, path)
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
			path := registryAtVersion(t, migrationCount(t))
			r, err := registry.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.DB().Exec(tt.sql); err != nil {
				t.Fatal(err)
			}
			r.Close()
			if _, err := registry.Open(ctx, path); !errors.Is(err, registry.ErrSchema) {
				t.Fatalf("error = %v, want ErrSchema", err)
			}
		})
	}
}

func migrationCount(t *testing.T) int {
	ms, err := registry.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}
