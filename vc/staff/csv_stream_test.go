package staff_test

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/vc/staff"
)

// readAll reads a file with a CSVReader.
func readAll(text, typ string) ([]staff.CSVRow, error) {
	cr, err := staff.NewCSVReader(strings.NewReader(text), typ)
	if err != nil {
		return nil, err
	}
	var rows []staff.CSVRow
	for row, err := range cr.All() {
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func TestCSVReaderReadsWhatReadCSVReads(t *testing.T) {
	header := "staff_id,subject,employer,job_role,staff_group,start_date\n"
	row := "E1," + subjectDID + "," + employerDID + ",Porter,students,2025-01-01\n"
	for _, text := range []string{
		"\xef\xbb\xbf Staff_ID ,SUBJECT,employer,employer_name,job_role,staff_group,start_date,\r\n" +
			"E1," + subjectDID + "," + employerDID + ",\"Riverside, Example\",\"Nurse \"\"Band 5\"\"\",students,2025-01-01,\r\n" +
			",,,,,,,\r\n\r\n" +
			"E2," + subjectDID + "," + employerDID + ",\"Two\nlines\",Porter,estates-and-ancillary,2025-01-02,\r\n",
		header + row + row,
		header,
		// Files ReadCSV refuses, each at its line.
		"",
		"\xef\xbb\xbf",
		header + "E1," + subjectDID + "," + employerDID + ",Caf\xe9,students,2025-01-01\n",
		header + row + strings.TrimSuffix(row, "\n") + ",extra\n",
		header + `E1,` + subjectDID + `,` + employerDID + `,"Nurse,students,2025-01-01` + "\n",
		"staff_id,subject,employer,job_role,staf_group,start_date\n" + row,
		"staff_id,subject,employer,job_role,staff_group,start_date,\n" + strings.TrimSuffix(row, "\n") + ",x\n",
		strings.Repeat(",", 200) + "\n",
	} {
		want, wantErr := staff.ReadCSV(strings.NewReader(text), staff.TypeEmployment)
		got, err := readAll(text, staff.TypeEmployment)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || (wantErr == nil && !reflect.DeepEqual(got, want)) {
			t.Errorf("%q:\nCSVReader %v, %v\nReadCSV   %v, %v", text, got, err, want, wantErr)
		}
	}
}

// rowsReader yields a header and n rows without holding them.
type rowsReader struct {
	n, i int
	buf  []byte
}

func (r *rowsReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		switch {
		case r.i == 0:
			r.buf = []byte("staff_id,subject,employer,job_role,staff_group,start_date\n")
		case r.i > r.n:
			return 0, io.EOF
		default:
			r.buf = fmt.Appendf(nil, "E%d,%s,%s,Porter,students,2025-01-01\n", r.i, subjectDID, employerDID)
		}
		r.i++
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func TestCSVReaderStreamsMoreRowsThanReadCSVTakes(t *testing.T) {
	n := limits.MaxCSVRows + 1
	if testing.Short() {
		t.Skip("reads 200,001 rows")
	}
	cr, err := staff.NewCSVReader(&rowsReader{n: n}, staff.TypeEmployment)
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for row, err := range cr.All() {
		if err != nil {
			t.Fatal(err)
		}
		count++
		if row.Line != count+1 {
			t.Fatalf("row %d at line %d", count, row.Line)
		}
	}
	if count != n {
		t.Errorf("%d rows, want %d", count, n)
	}
}

func TestCSVReaderRefusesARowOverItsLimit(t *testing.T) {
	header := "staff_id,subject,employer,job_role,staff_group,start_date\n"
	// A quote left open swallows the rest of the file into one row.
	text := header + `E1,"` + strings.Repeat(strings.Repeat("x", 1000)+",", limits.MaxCSVRowBytes/1000+20) + "\n"
	_, err := readAll(text, staff.TypeEmployment)
	if !errors.Is(err, staff.ErrCSV) || !strings.Contains(err.Error(), "KiB") {
		t.Errorf("err = %v, want ErrCSV naming the row limit", err)
	}
}
