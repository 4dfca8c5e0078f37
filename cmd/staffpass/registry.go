package main

// The registry's two stores: an SQLite file (the default) and PostgreSQL.
import (
	_ "github.com/staffpass/staffpass/registry/postgres"
	_ "github.com/staffpass/staffpass/registry/sqlite"
)
