package issuer

// The tests keep their registries in SQLite files.
import _ "github.com/staffpass/staffpass/registry/sqlite"
