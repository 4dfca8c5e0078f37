//go:build !unix

package ld

// cpuTime is not measured on this system.
func cpuTime() (int64, bool) { return 0, false }
