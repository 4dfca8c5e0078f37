//go:build linux

package issuer

import (
	"os"

	"golang.org/x/sys/unix"
)

// haveSyncFS tells whether syncFS can make a group's files durable with
// one system call rather than one fsync each.
const haveSyncFS = true

// syncFS makes the data of every file of the file system that holds dir
// durable (syncfs(2)).
func syncFS(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}
