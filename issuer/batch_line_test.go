package issuer

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/vc/staff"
)

// TestEveryFormatFitsAJSONLine: a batch in each format writes a line a
// credential into one JSON Lines file (the ECDSA suites differ only in
// the key).
func TestEveryFormatFitsAJSONLine(t *testing.T) {
	for _, f := range []Format{FormatJWT, FormatEdDSARDFC2022, FormatEdDSAJCS2022} {
		t.Run(string(f), func(t *testing.T) {
			o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
			out := filepath.Join(t.TempDir(), "out")
			opts := batchOptions(out)
			opts.Output, opts.Format = OutputJSONL, f
			res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(7), opts)
			if err != nil || res.Issued != 7 {
				t.Fatalf("%+v %v", res, err)
			}
			lines := jsonlLines(t, out)
			if len(lines) != 7 {
				t.Fatalf("%d lines", len(lines))
			}
			for _, cred := range lines {
				if (f == FormatJWT) != !strings.HasPrefix(string(cred), "{") {
					t.Errorf("%s line: %.40s", f, cred)
				}
			}
		})
	}
}

func TestFitsLineRefusesWhatWouldBreakALine(t *testing.T) {
	for _, tt := range []struct {
		signed string
		fits   bool
	}{
		{"eyJh.e30.c2ln", true},
		{"eyJh.e30.c2ln~WyJh~", false},
		{`{"a":"b"}`, true},
		{"", false},
		{`eyJh"},"x":"`, false},
		{`eyJh\`, false},
		{"eyJh e30", false},
		{`{"a":`, false},
		{"{\"a\":1}x", false},
	} {
		if got := fitsLine([]byte(tt.signed)); got != tt.fits {
			t.Errorf("fitsLine(%q) = %v", tt.signed, got)
		}
	}
}
