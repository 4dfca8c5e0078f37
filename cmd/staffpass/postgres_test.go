package main

import (
	"errors"
	"fmt"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/staffpass/staffpass/internal/pgtest"
)

// postgresCondition is the scripts' condition [postgres]: whether
// $STAFFPASS_TEST_POSTGRES names a PostgreSQL server to test against
// (.ci/postgres starts one). With $STAFFPASS_POSTGRES_REQUIRED set, as
// .ci/run sets it, a missing server fails the script instead of skipping it.
func postgresCondition(cond string) (bool, error) {
	if cond != "postgres" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	_, err := pgtest.Server()
	if errors.Is(err, pgtest.ErrNoServer) {
		return false, nil
	}
	return err == nil, err
}

// cmdPostgresDB implements "pgdb NAME": it creates an empty database on the
// PostgreSQL server of [postgres], sets NAME to its URL, and drops it when
// the script ends.
func cmdPostgresDB(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: pgdb NAME")
	}
	admin, err := pgtest.Server()
	if err != nil {
		ts.Fatalf("pgdb: %v (guard the script with [!postgres] skip)", err)
	}
	loc, drop, err := pgtest.NewDatabase(admin, "staffpass_script_")
	ts.Check(err)
	ts.Defer(drop)
	ts.Setenv(args[0], loc)
}
