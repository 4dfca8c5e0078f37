//go:build !linux

package issuer

import "errors"

// haveSyncFS is false where there is no syncfs(2): each file is synced.
const haveSyncFS = false

func syncFS(string) error { return errors.ErrUnsupported }
