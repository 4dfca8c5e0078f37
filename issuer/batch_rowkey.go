package issuer

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/staffpass/staffpass/internal/atomicfile"
)

// RowKeyFile is the organisation's key of batch row digests (32 random
// bytes, mode 0600), beside its signing key: see BatchOptions.RowKey.
const RowKeyFile = "batch-row-key"

// rowKeyLen is the length of a row key, that of an HMAC-SHA256 block's
// worth of security.
const rowKeyLen = 32

// RowKey returns the organisation's key of batch row digests, making it
// (from crypto/rand) the first time. It lives in the organisation's
// directory, like its signing key, never in the registry: whoever has the
// registry alone cannot test guesses of an identifier against the row
// digests it holds.
func (o *Organisation) RowKey() ([]byte, error) {
	path := filepath.Join(o.Dir, RowKeyFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		fresh := make([]byte, rowKeyLen)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("issuer: crypto/rand: %w", err)
		}
		err = atomicfile.Create(path, fresh, 0o600)
		if errors.Is(err, atomicfile.ErrExists) {
			return o.RowKey() // made by another run meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("issuer: row key: %w", err)
		}
		return fresh, nil
	}
	if err != nil {
		return nil, fmt.Errorf("issuer: row key: %w", err)
	}
	if len(key) != rowKeyLen {
		return nil, fmt.Errorf("issuer: row key %s is not %d bytes", path, rowKeyLen)
	}
	return key, nil
}
