package registry_test

// The tests keep their registries in SQLite files unless told otherwise.
import _ "github.com/staffpass/staffpass/registry/sqlite"
