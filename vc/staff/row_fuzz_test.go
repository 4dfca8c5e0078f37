package staff_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/staffpass/staffpass/vc/staff"
)

// FuzzRows feeds CSV text of each type to ReadCSV and its rows to ParseRow
// and Claims. Whatever the input: no panic; errors are the package's; a
// row ParseRow accepts becomes claims that NewCredential issues (the row
// mapping never accepts what the credential refuses); and no error quotes
// what is in an identifier column.
func FuzzRows(f *testing.F) {
	types := addCSVSeeds(f)
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		typ := types[int(which)%len(types)]
		rows, err := staff.ReadCSV(bytes.NewReader(data), typ)
		if err != nil {
			if !errors.Is(err, staff.ErrCSV) && !errors.Is(err, staff.ErrColumn) {
				t.Fatalf("ReadCSV = %v, neither ErrCSV nor ErrColumn", err)
			}
			return
		}
		for _, row := range rows {
			r, err := staff.ParseRow(typ, row, rowIssued)
			ids := identifierCells(typ, row)
			if err != nil {
				if !errors.Is(err, staff.ErrInvalid) {
					t.Fatalf("ParseRow = %v, not ErrInvalid", err)
				}
				for _, id := range ids {
					if distinctive(id, row) && strings.Contains(err.Error(), id) {
						t.Fatalf("the error quotes the identifier %q: %v", id, err)
					}
				}
				continue
			}
			if len(ids) > 0 {
				continue // hashing costs 36 ms an identifier
			}
			claims, err := r.Claims(rand.Reader)
			if err != nil {
				t.Fatalf("ParseRow accepted the row, Claims refused it: %v", err)
			}
			m := meta("2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0aff")
			m.Subject = r.Subject
			if _, err := staff.NewCredential(claims, m); err != nil {
				t.Fatalf("ParseRow accepted the row, NewCredential refused it: %v\n%q", err, row.Cells)
			}
			if diff, err := r.Diff(claims); err != nil || len(diff) != 0 {
				t.Fatalf("a row differs from its own claims: %q %v", diff, err)
			}
		}
	})
}

// identifierCells returns the non-empty identifier cells of row.
func identifierCells(typ string, row staff.CSVRow) []string {
	var out []string
	for _, c := range staff.RowColumns(typ) {
		if v := strings.TrimSpace(row.Cells[c.Name]); c.Identifier && v != "" {
			out = append(out, v)
		}
	}
	return out
}

// distinctive reports whether id is unlike anything an error could say for
// another reason: long enough, with a capital letter and a digit, and in
// no other cell.
func distinctive(id string, row staff.CSVRow) bool {
	if len(id) < 8 || !strings.ContainsFunc(id, unicode.IsUpper) || !strings.ContainsFunc(id, unicode.IsDigit) {
		return false
	}
	n := 0
	for _, v := range row.Cells {
		if strings.Contains(v, id) {
			n++
		}
	}
	return n == 1
}

// addCSVSeeds seeds f with the example batch files, each with the index of
// its type in the types it returns: those with a row mapping.
func addCSVSeeds(f *testing.F) []string {
	types := []string{}
	for _, t := range staff.Types() {
		if staff.RowColumns(t) != nil {
			types = append(types, t)
		}
	}
	files, err := filepath.Glob(filepath.Join(examplesDir, "batch", "*.csv"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for i, t := range types {
			if strings.HasPrefix(filepath.Base(file), staff.ShortName(t)+".") {
				f.Add(uint8(i), data)
			}
		}
	}
	return types
}

// FuzzCSVReaderAgreesWithReadCSV feeds the same CSV text to ReadCSV and to
// the streaming CSVReader: whatever the input, no panic, and either both
// read the same rows (lines and cells) or both refuse it with an error of
// the package. The oracle fails if the two readers ever disagree.
func FuzzCSVReaderAgreesWithReadCSV(f *testing.F) {
	types := addCSVSeeds(f)
	f.Add(uint8(0), []byte("\xef\xbb\xbfstaff_id\n\"a\nb\",x\n"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		typ := types[int(which)%len(types)]
		whole, wholeErr := staff.ReadCSV(bytes.NewReader(data), typ)
		var streamed []staff.CSVRow
		cr, streamErr := staff.NewCSVReader(bytes.NewReader(data), typ)
		if streamErr == nil {
			for {
				row, err := cr.Read()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					streamErr = err
					break
				}
				streamed = append(streamed, staff.CSVRow{Line: row.Line, Cells: maps.Clone(row.Cells)})
			}
		}
		for _, err := range []error{wholeErr, streamErr} {
			if err != nil && !errors.Is(err, staff.ErrCSV) && !errors.Is(err, staff.ErrColumn) {
				t.Fatalf("error %v is neither ErrCSV nor ErrColumn", err)
			}
		}
		if (wholeErr == nil) != (streamErr == nil) {
			t.Fatalf("ReadCSV: %v; CSVReader: %v", wholeErr, streamErr)
		}
		if wholeErr != nil {
			return
		}
		if len(whole) != len(streamed) {
			t.Fatalf("ReadCSV read %d rows, CSVReader %d", len(whole), len(streamed))
		}
		for i := range whole {
			if whole[i].Line != streamed[i].Line || !maps.Equal(whole[i].Cells, streamed[i].Cells) {
				t.Fatalf("row %d: ReadCSV %v, CSVReader %v", i, whole[i], streamed[i])
			}
		}
	})
}
