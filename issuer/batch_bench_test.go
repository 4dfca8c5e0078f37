package issuer

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

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
	}{
		{FormatJWT, 1}, {FormatJWT, runtime.NumCPU()}, {FormatJWT, 4 * runtime.NumCPU()},
		{FormatEdDSARDFC2022, 1}, {FormatEdDSARDFC2022, runtime.NumCPU()},
	} {
		b.Run(fmt.Sprintf("%s/workers=%d", bc.format, bc.workers), func(b *testing.B) {
			o := newTestOrg(b, filepath.Join(b.TempDir(), "org"))
			rows := trainingRows(b.N)
			opts := batchOptions(b.TempDir())
			opts.Format, opts.Workers = bc.format, bc.workers
			b.ResetTimer()
			res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
			if err != nil || res.Issued != b.N {
				b.Fatalf("%+v %v", res, err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "credentials/s")
		})
	}
}
