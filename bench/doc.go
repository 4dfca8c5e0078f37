// Package bench holds BenchmarkCompare, the Go half of bench/compare: it
// verifies, through the library, the credentials that the script had the
// JavaScript peer sign, so that both sides time the same bytes. It has no
// API; run the script, not this package.
package bench
