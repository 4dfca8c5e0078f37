//go:build !race

package issuer

// raceEnabled tells tests that the race detector is on; see
// race_test.go.
const raceEnabled = false
