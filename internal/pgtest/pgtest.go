// Package pgtest makes throwaway databases on the PostgreSQL server that
// tests and benchmarks are given in $STAFFPASS_TEST_POSTGRES (a URL such as
// postgres://postgres@127.0.0.1:5432/postgres; .ci/postgres starts a
// server and prints it). With $STAFFPASS_POSTGRES_REQUIRED set, as .ci/run
// sets it, a test that needs the server fails without one instead of
// saying it is skipped.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql's "pgx"
)

// The environment variables that name the server and require it.
const (
	ServerEnv   = "STAFFPASS_TEST_POSTGRES"
	RequiredEnv = "STAFFPASS_POSTGRES_REQUIRED"
)

// ErrNoServer means no server is named and none is required.
var ErrNoServer = errors.New("no PostgreSQL server: set " + ServerEnv + " to one's URL (eval \"$(.ci/postgres start)\" starts one)")

// Server returns the server's URL: ErrNoServer without one, or another
// error when one is required.
func Server() (string, error) {
	if admin := os.Getenv(ServerEnv); admin != "" {
		return admin, nil
	}
	if os.Getenv(RequiredEnv) != "" {
		return "", fmt.Errorf("%s is set but %s names no PostgreSQL server", RequiredEnv, ServerEnv)
	}
	return "", ErrNoServer
}

// NewDatabase creates an empty database, named prefix and random hex, on
// the server at admin, and returns its URL and a function that drops it.
func NewDatabase(admin, prefix string) (string, func(), error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, fmt.Errorf("pgtest: the server's URL does not parse")
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", nil, err
	}
	defer db.Close()
	var b [8]byte
	rand.Read(b[:])
	name := prefix + hex.EncodeToString(b[:])
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		return "", nil, fmt.Errorf("pgtest: create database: %w", err)
	}
	drop := func() {
		if db, err := sql.Open("pgx", admin); err == nil {
			db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			db.Close()
		}
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// Database returns the URL of a new, empty database for the test, dropped
// when it ends. Without a server the test is skipped, or fails when one is
// required.
func Database(t testing.TB) string {
	t.Helper()
	admin, err := Server()
	if errors.Is(err, ErrNoServer) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	loc, drop, err := NewDatabase(admin, "staffpass_test_")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	return loc
}
