//go:build !race

package registry_test

// raceEnabled tells tests that the race detector is on; see
// registry_race_test.go.
const raceEnabled = false
