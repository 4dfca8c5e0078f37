//go:build race

package registry_test

// raceEnabled tells tests that the race detector is on, under which the
// pure-Go SQLite runs about ten times slower: the tests that measure the
// allocator's statistics, rather than its concurrency, then do less.
const raceEnabled = true
