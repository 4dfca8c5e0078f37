package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"

	"github.com/rogpeppe/go-internal/testscript"
)

// postgresCondition is the scripts' condition [postgres]: whether
// $STAFFPASS_TEST_POSTGRES names a PostgreSQL server to test against
// (.ci/postgres starts one). With $STAFFPASS_POSTGRES_REQUIRED set, as
// .ci/run sets it, a missing server fails the script instead of skipping it.
func postgresCondition(cond string) (bool, error) {
	if cond != "postgres" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if os.Getenv("STAFFPASS_TEST_POSTGRES") != "" {
		return true, nil
	}
	if os.Getenv("STAFFPASS_POSTGRES_REQUIRED") != "" {
		return false, errors.New("STAFFPASS_POSTGRES_REQUIRED is set but STAFFPASS_TEST_POSTGRES names no PostgreSQL server")
	}
	return false, nil
}

// cmdPostgresDB implements "pgdb NAME": it creates an empty database on the
// PostgreSQL server of [postgres], sets NAME to its URL, and drops it when
// the script ends.
func cmdPostgresDB(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: pgdb NAME")
	}
	admin := os.Getenv("STAFFPASS_TEST_POSTGRES")
	if admin == "" {
		ts.Fatalf("pgdb: no PostgreSQL server (guard the script with [!postgres] skip)")
	}
	db, err := sql.Open("pgx", admin)
	ts.Check(err)
	defer db.Close()
	var b [8]byte
	rand.Read(b[:])
	name := "staffpass_script_" + hex.EncodeToString(b[:])
	_, err = db.Exec(`CREATE DATABASE ` + name)
	ts.Check(err)
	ts.Defer(func() {
		if db, err := sql.Open("pgx", admin); err == nil {
			db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			db.Close()
		}
	})
	u, err := url.Parse(admin)
	ts.Check(err)
	u.Path = "/" + name
	ts.Setenv(args[0], u.String())
}
