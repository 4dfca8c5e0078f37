package staff

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/staffpass/staffpass/internal/limits"
)

// CSVRow is one data row of a CSV file: its line in the file and its
// cells by column name.
type CSVRow struct {
	// Line is where the row starts in the file, as a spreadsheet numbers
	// its rows: the header is line 1.
	Line int
	// Cells maps each column name of the header to the row's cell, as
	// written (ParseRow trims it).
	Cells map[string]string
}

// ReadCSV reads a CSV file of staff credentials of one type, as a
// spreadsheet or the Electronic Staff Record exports it: RFC 4180
// (comma-separated, fields with commas, quotes or line breaks in double
// quotes), UTF-8 with or without a byte order mark, and a header row
// naming the columns (see RowColumns). Column names are matched without
// regard to case and surrounding spaces. Rows whose cells are all empty are
// skipped, and so is a column with neither a name nor a value.
//
// It checks the file, not the rows' values (ParseRow does): it fails with
// a *RowError wrapping ErrCSV for text that is not UTF-8, broken quoting, a
// row with more or fewer cells than the header, or a file over the limits
// of internal/limits (MaxCSVBytes, MaxCSVRows, MaxCSVColumns,
// MaxCSVCellBytes); wrapping ErrColumn for a header that names a column
// the type does not have, names one twice, or lacks one the type requires;
// and with ErrNoRowMapping for a type that has no columns.
func ReadCSV(r io.Reader, credentialType string) ([]CSVRow, error) {
	spec := rowSpecFor(credentialType)
	if spec == nil {
		return nil, noRowMapping(credentialType)
	}
	data, err := io.ReadAll(io.LimitReader(r, limits.MaxCSVBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > limits.MaxCSVBytes {
		return nil, fileError(0, "is larger than %d MiB: split it into several files", limits.MaxCSVBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, fileError(lineOfInvalidUTF8(data), "is not UTF-8 text: save the spreadsheet as \"CSV UTF-8 (comma delimited)\"")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fileError(1, "the file is empty: its first row must name the columns")
	}
	if err != nil {
		return nil, csvError(err)
	}
	if len(header) > limits.MaxCSVColumns {
		return nil, fileError(1, "has %d columns, more than %d", len(header), limits.MaxCSVColumns)
	}
	names, err := readHeader(header, spec, credentialType)
	if err != nil {
		return nil, err
	}

	var rows []CSVRow
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rows) == limits.MaxCSVRows {
			return nil, fileError(line, "the file has more than %d rows: split it into several files", limits.MaxCSVRows)
		}
		cells, err := recordCells(names, record, line)
		if err != nil {
			return nil, err
		}
		if cells == nil {
			continue
		}
		rows = append(rows, CSVRow{Line: line, Cells: cells})
	}
	return rows, nil
}

// recordCells maps a record's cells to the header's column names; nil for
// a row whose cells are all empty.
func recordCells(names, record []string, line int) (map[string]string, error) {
	cells := make(map[string]string, len(names))
	empty := true
	for i, v := range record {
		if len(v) > limits.MaxCSVCellBytes {
			return nil, fileError(line, "column %d holds more than %d KiB", i+1, limits.MaxCSVCellBytes>>10)
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		empty = false
		if names[i] == "" {
			return nil, fileError(line, "column %d has a value but no name in the header", i+1)
		}
		cells[names[i]] = v
	}
	if empty {
		return nil, nil
	}
	for _, n := range names {
		if _, ok := cells[n]; !ok && n != "" {
			cells[n] = ""
		}
	}
	return cells, nil
}

// CSVReader reads a CSV file of staff credentials of one type a row at a
// time, as ReadCSV reads a whole file, so that a file of any number of
// rows is read in constant memory. It limits each row
// (limits.MaxCSVRowBytes), cell (MaxCSVCellBytes) and the header
// (MaxCSVColumns), not the number of rows or the size of the file.
type CSVReader struct {
	cr    *csv.Reader
	lim   *rowLimitReader
	names []string
	err   error
}

// NewCSVReader reads the header of a CSV file of credentialType (see
// ReadCSV for the format) and returns a reader of its rows. It fails as
// ReadCSV fails on a header.
func NewCSVReader(r io.Reader, credentialType string) (*CSVReader, error) {
	spec := rowSpecFor(credentialType)
	if spec == nil {
		return nil, noRowMapping(credentialType)
	}
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	lim := &rowLimitReader{r: br}
	cr := csv.NewReader(lim)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fileError(1, "the file is empty: its first row must name the columns")
	}
	if err != nil {
		return nil, streamError(err)
	}
	if err := checkUTF8(header, 1); err != nil {
		return nil, err
	}
	if len(header) > limits.MaxCSVColumns {
		return nil, fileError(1, "has %d columns, more than %d", len(header), limits.MaxCSVColumns)
	}
	names, err := readHeader(header, spec, credentialType)
	if err != nil {
		return nil, err
	}
	return &CSVReader{cr: cr, lim: lim, names: names}, nil
}

// Read returns the next row that has a value, or io.EOF after the last.
// An error in the file (see ReadCSV) ends the reading: Read then returns
// it again.
func (c *CSVReader) Read() (CSVRow, error) {
	for c.err == nil {
		c.lim.n = 0
		record, err := c.cr.Read()
		if err != nil {
			c.err = streamError(err)
			break
		}
		line, _ := c.cr.FieldPos(0)
		if err := checkUTF8(record, line); err != nil {
			c.err = err
			break
		}
		cells, err := recordCells(c.names, record, line)
		if err != nil {
			c.err = err
			break
		}
		if cells != nil {
			return CSVRow{Line: line, Cells: cells}, nil
		}
	}
	return CSVRow{}, c.err
}

// All returns the rows of Read, and the error that ends them (not io.EOF),
// as a sequence.
func (c *CSVReader) All() iter.Seq2[CSVRow, error] {
	return func(yield func(CSVRow, error) bool) {
		for {
			row, err := c.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			if !yield(row, err) || err != nil {
				return
			}
		}
	}
}

// errRowTooLong stops a row over limits.MaxCSVRowBytes.
var errRowTooLong = fmt.Errorf("a row holds more than %d KiB", limits.MaxCSVRowBytes>>10)

// rowLimitReader fails once more than limits.MaxCSVRowBytes (and the
// encoding/csv reader's read-ahead) were read since n was last set to 0,
// so that a row with no end is not read into memory whole.
type rowLimitReader struct {
	r io.Reader
	n int
}

func (l *rowLimitReader) Read(p []byte) (int, error) {
	// encoding/csv reads through a bufio.Reader of 4 KiB: a row is cut
	// off after at most that much more than the limit.
	if l.n > limits.MaxCSVRowBytes+8<<10 {
		return 0, errRowTooLong
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

func checkUTF8(record []string, line int) error {
	for _, v := range record {
		if !utf8.ValidString(v) {
			return fileError(line, "is not UTF-8 text: save the spreadsheet as \"CSV UTF-8 (comma delimited)\"")
		}
	}
	return nil
}

// streamError is csvError for CSVReader, which passes io.EOF through.
func streamError(err error) error {
	switch {
	case errors.Is(err, io.EOF):
		return io.EOF
	case errors.Is(err, errRowTooLong):
		return fileError(0, "%v: is a quote left open?", errRowTooLong)
	}
	return csvError(err)
}

// readHeader returns the header's column names, normalised, with "" for
// a column without a name; it refuses unknown, repeated and missing
// columns.
func readHeader(header []string, spec *rowSpec, credentialType string) ([]string, error) {
	var errs cellErrors
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.ToLower(strings.TrimSpace(h))
	}
	if len(names) == 1 && strings.Contains(names[0], ";") {
		errs.add("", ErrCSV, "the columns are separated by ';', not ',': save the spreadsheet as \"CSV UTF-8 (comma delimited)\"")
		return nil, errs.err(1)
	}
	for i, n := range names {
		switch {
		case n == "":
		case slices.Contains(names[:i], n):
			errs.add(cutName(n), ErrColumn, "is named twice in the header")
		default:
			if _, ok := spec.column(n); !ok {
				errs.add(cutName(n), ErrColumn, "is not a column of a %s file%s", credentialType, suggest(n, spec.names()))
			}
		}
	}
	for _, c := range slices.Concat(commonColumns, spec.columns) {
		if c.Required && !slices.Contains(names, c.Name) {
			errs.add(c.Name, ErrColumn, "is missing from the header: a %s file needs it", credentialType)
		}
	}
	if err := errs.err(1); err != nil {
		return nil, err
	}
	return names, nil
}

func fileError(line int, format string, args ...any) error {
	var errs cellErrors
	errs.add("", ErrCSV, format, args...)
	return errs.err(line)
}

// csvError turns an encoding/csv error into a *RowError.
func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fileError(0, "%v", err)
	}
	reason := pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		reason = "has more or fewer cells than the header has columns"
	case errors.Is(pe.Err, csv.ErrBareQuote):
		reason = fmt.Sprintf("column %d has a \" in a cell that does not start with one: put the whole cell in double quotes and double the \" inside", pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote):
		reason = fmt.Sprintf("column %d has a quoted cell that is not closed, or text after its closing \"", pe.Column)
	}
	return fileError(pe.Line, "%s", reason)
}

func lineOfInvalidUTF8(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}
