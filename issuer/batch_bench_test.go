package issuer

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/staffpass/staffpass/vc/staff"
)

// BenchmarkIssueBatch issues b.N mandatory training credentials (no
// identifier to hash) as one batch, through a new registry on disk, with
// one worker and with more, and reports credentials issued per second
// (ns/op is the time per credential).
func BenchmarkIssueBatch(b *testing.B) {
	for _, bc := range []struct {
		format  Format
		workers int
		output  BatchOutput
	}{
		{FormatJWT, 1, OutputFiles}, {FormatJWT, runtime.NumCPU(), OutputFiles}, {FormatJWT, 4 * runtime.NumCPU(), OutputFiles},
		{FormatJWT, runtime.NumCPU(), OutputJSONL},
		{FormatEdDSARDFC2022, 1, OutputFiles}, {FormatEdDSARDFC2022, runtime.NumCPU(), OutputFiles},
		{FormatEdDSARDFC2022, runtime.NumCPU(), OutputJSONL},
	} {
		b.Run(fmt.Sprintf("%s/%s/workers=%d", bc.format, bc.output, bc.workers), func(b *testing.B) {
			o := newTestOrg(b, filepath.Join(b.TempDir(), "org"))
			rows := trainingRows(b.N)
			opts := batchOptions(b.TempDir())
			opts.Format, opts.Workers, opts.Output = bc.format, bc.workers, bc.output
			b.ResetTimer()
			res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
			if err != nil || res.Issued != b.N {
				b.Fatalf("%+v %v", res, err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "credentials/s")
		})
	}
}

// BenchmarkIssueBatchDBS issues b.N DBS check rows, whose certificate
// numbers are hashed with PBKDF2 (on every core), then runs the same rows
// again, and reports both rates: the first is bound by PBKDF2, the rerun
// finds every row by its keyed row digest and hashes nothing.
func BenchmarkIssueBatchDBS(b *testing.B) {
	o := newTestOrg(b, filepath.Join(b.TempDir(), "org"))
	rows := make([]staff.CSVRow, b.N)
	for i := range rows {
		rows[i] = dbsRow(i+2, fmt.Sprintf("E%06d", i), fmt.Sprintf("%012d", 100_000_000+i))
	}
	key, err := o.org.RowKey()
	if err != nil {
		b.Fatal(err)
	}
	opts := batchOptions(b.TempDir())
	opts.Workers, opts.RowKey = runtime.NumCPU(), key
	b.ResetTimer()
	start := time.Now()
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, rows, opts)
	first := time.Since(start)
	if err != nil || res.Issued != b.N {
		b.Fatalf("%+v %v", res, err)
	}
	start = time.Now()
	res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeDBSCheck, rows, opts)
	again := time.Since(start)
	if err != nil || res.AlreadyIssued != b.N {
		b.Fatalf("rerun %+v %v", res, err)
	}
	b.ReportMetric(float64(b.N)/first.Seconds(), "issued/s")
	b.ReportMetric(float64(b.N)/again.Seconds(), "rerun/s")
}
