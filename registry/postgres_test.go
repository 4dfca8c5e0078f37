package registry_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/pgtest"
	_ "github.com/staffpass/staffpass/registry/postgres"
)

// The registry's tests run on both stores. Run as usual they use SQLite
// files; TestRegistrySuiteOnPostgres runs this test binary again with
// storeEnv=postgres, and every registry then lives in a fresh database of
// the PostgreSQL server pgtest.ServerEnv names (.ci/postgres starts one).
const storeEnv = "STAFFPASS_TEST_REGISTRY"

func onPostgres() bool { return os.Getenv(storeEnv) == "postgres" }

func storeName() string {
	if onPostgres() {
		return "PostgreSQL"
	}
	return "SQLite"
}

// sqliteOnly skips a test of what only an SQLite file has (its path, its
// mode, its journal files) when the suite runs on PostgreSQL.
func sqliteOnly(t testing.TB) {
	t.Helper()
	if onPostgres() {
		t.Skip("a test of the SQLite file")
	}
}

// newPostgresDB creates an empty database on the test server and returns
// its URL; it is dropped when the test ends.
func newPostgresDB(t testing.TB) string { return pgtest.Database(t) }

// TestRegistrySuiteOnPostgres runs every other test of this package again,
// on PostgreSQL.
func TestRegistrySuiteOnPostgres(t *testing.T) {
	if onPostgres() {
		t.Skip("this is the run on PostgreSQL")
	}
	if _, err := pgtest.Server(); errors.Is(err, pgtest.ErrNoServer) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
	args := []string{"-test.skip=^TestRegistrySuiteOnPostgres$", "-test.count=1", "-test.v=true", "-test.timeout=20m"}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), storeEnv+"=postgres")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	passed, skipped := strings.Count(out.String(), "--- PASS"), strings.Count(out.String(), "--- SKIP")
	if err != nil || passed == 0 {
		t.Fatalf("the registry's tests on PostgreSQL failed (%v):\n%s", err, out.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "processes reserved") || strings.Contains(line, "--- SKIP") {
			t.Log(strings.TrimSpace(line))
		}
	}
	t.Logf("on PostgreSQL: %d passed, %d skipped, in %v", passed, skipped, time.Since(start).Round(time.Millisecond))
}
