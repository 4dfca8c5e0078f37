//go:build unix

package issuer

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive lock on the output directory for as long as
// the batch writes to it, so that two batches writing to one directory at
// once take turns: neither removes the other's temporary files or
// replaces the other's errors file. If another batch holds it, waiting is
// called, and lockDir waits. The lock is an flock(2) of the directory
// itself, so no file is added to it; the kernel releases it when the
// process ends, however it ends.
func lockDir(dir string, waiting func()) (unlock func(), err error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("issuer: output directory: %w", err)
	}
	fd := int(d.Fd())
	err = syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		if waiting != nil {
			waiting()
		}
		for {
			err = syscall.Flock(fd, syscall.LOCK_EX)
			if !errors.Is(err, syscall.EINTR) {
				break
			}
		}
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("issuer: locking the output directory: %w", err)
	}
	return func() { d.Close() }, nil
}
