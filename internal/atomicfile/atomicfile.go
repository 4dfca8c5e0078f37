// Package atomicfile writes files so that a reader, or a process that restarts
// after a crash, sees either the old content or the new, never a torn file:
// the data goes to a temporary file in the same directory, is synced, and is
// then renamed (or hard-linked, when an existing file must not be replaced)
// into place, and the directory is synced.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ErrExists is returned by Create when the file already exists.
var ErrExists = errors.New("file exists")

// Write replaces path with data, atomically, with permissions perm.
func Write(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, true, true)
}

// Create writes data to path, atomically, with permissions perm, and fails
// with an error wrapping ErrExists if path exists. Of two processes creating
// the same path at once, at most one succeeds.
func Create(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, false, true)
}

// CreateInDir is Create without the sync of the directory: the file's
// data is synced, its name is not durable until SyncDir is called, which
// a caller that creates many files in one directory does once for all.
func CreateInDir(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, false, false)
}

// SyncDir syncs a directory, making the names of the files created in it
// durable; it does nothing on Windows.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func write(path string, data []byte, perm fs.FileMode, replace, syncDirectory bool) error {
	if !replace {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, cause(err))
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after a link or a failure; a no-op after a rename
	if err := writeSynced(tmp, data, perm); err != nil {
		return fmt.Errorf("writing %s: %w", path, cause(err))
	}
	if replace {
		err = os.Rename(tmpName, path)
	} else {
		// A hard link, unlike a rename, fails if path exists, so two
		// writers cannot both succeed.
		err = os.Link(tmpName, path)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
		if err != nil {
			// Some file systems have no hard links: check again
			// and rename (a narrow race with another writer).
			if _, statErr := os.Lstat(path); statErr == nil {
				return fmt.Errorf("%w: %s", ErrExists, path)
			}
			err = os.Rename(tmpName, path)
		}
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, cause(err))
	}
	if syncDirectory {
		syncDir(dir)
	}
	return nil
}

// cause drops the name of the temporary file from an error about it
// (*fs.PathError, *os.LinkError): the caller names the file being
// written, and the temporary name means nothing to a person.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

func writeSynced(f *os.File, data []byte, perm fs.FileMode) error {
	// CreateTemp makes the file 0600; Chmod sets the mode asked for
	// regardless of the umask.
	if err := f.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
