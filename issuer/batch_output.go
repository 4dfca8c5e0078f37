package issuer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/staffpass/staffpass/internal/atomicfile"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
)

// BatchOutput is the form of a batch's output.
type BatchOutput string

const (
	// OutputFiles writes each credential to a file of its own (the
	// default).
	OutputFiles BatchOutput = "files"
	// OutputJSONL appends every credential to one JSON Lines file,
	// JSONLFile in the output directory: a form fit for millions.
	OutputJSONL BatchOutput = "jsonl"
)

// JSONLFile is the file OutputJSONL appends to, in the output directory.
// Each line is a JSON object: {"issuance_key": ..., "file": the name the
// credential has in OutputFiles, "staff_id": ..., "credential": the
// compact JWS as a string, or the Data Integrity credential as an object}.
// A batch run again over the same rows adds no line for a row that has
// one.
const JSONLFile = "credentials.jsonl"

// outputPlacement is where a row's credential goes.
type outputPlacement struct {
	name    string // the file's base name
	path    string // the file's path (OutputFiles)
	staffID string
	// tmp is the temporary file that holds the credential until it is
	// linked to path; replace is set for a file that holds another signing
	// of the same reservation, to be replaced with the recorded one.
	tmp     string
	replace bool
	// adopted is set when the output already held a signing of the row's
	// reservation, written by a run stopped before recording it: that
	// credential is the one recorded.
	adopted bool
}

// outputSink writes a batch's credentials in one output form.
type outputSink interface {
	placement(b *batch, r *staff.Row) outputPlacement
	// vacant fails when the output holds something for a row of which
	// the registry knows nothing.
	vacant(p outputPlacement) error
	// check fails when the output holds other content than cred (a dry
	// run).
	check(p outputPlacement, cred []byte) error
	// write writes the credentials of the items that keep selects and
	// makes them durable: when it returns nil, each item has its output
	// written, adopted, or a failure.
	write(items []*item, keep func(*item) bool, workers int) error
	// replace writes again the credentials of items whose output held a
	// credential that another run's record supersedes.
	replace(items []*item) error
	close() error
}

// credentialIDOf returns the id of a secured credential, in either
// format, or "".
func credentialIDOf(secured []byte) string {
	data := bytes.TrimSpace(secured)
	if len(data) > 0 && data[0] != '{' {
		u, err := jose.ParseUnverified(string(data))
		if err != nil {
			return ""
		}
		data = u.Payload
	}
	cred, err := vc.Parse(data)
	if err != nil {
		return ""
	}
	return cred.ID
}

// filesSink writes one file per credential.
type filesSink struct{ dir string }

func (s *filesSink) placement(b *batch, r *staff.Row) outputPlacement {
	name := b.fileName(r)
	return outputPlacement{name: name, path: filepath.Join(s.dir, name), staffID: r.StaffID}
}

func (s *filesSink) vacant(p outputPlacement) error {
	if _, err := os.Lstat(p.path); err == nil {
		return fmt.Errorf("%s exists", p.path)
	}
	return nil
}

func (s *filesSink) check(p outputPlacement, cred []byte) error {
	old, err := os.ReadFile(p.path)
	switch {
	case errors.Is(err, os.ErrNotExist) || (err == nil && bytes.Equal(old, cred)):
		return nil
	case err == nil:
		return fmt.Errorf("%s exists with other content and would not be overwritten", p.path)
	}
	return err
}

func (s *filesSink) write(items []*item, keep func(*item) bool, workers int) error {
	var (
		mu   sync.Mutex
		mend []*item
	)
	if haveSyncFS {
		// Each file's data goes to a temporary file, unsynced; one
		// syncfs makes them all durable; only then are they linked to
		// their names, so that a name never stands for a file cut short.
		var staged []*item
		parallel(workers, items, keep, func(it *item) {
			if stage, replace := s.prepare(it); replace || stage {
				mu.Lock()
				if replace {
					mend = append(mend, it)
				} else {
					staged = append(staged, it)
				}
				mu.Unlock()
			}
		})
		if len(staged) > 0 {
			if err := syncFS(s.dir); err != nil {
				for _, it := range staged {
					os.Remove(it.out.tmp)
				}
				return fmt.Errorf("syncing %s: %w", s.dir, err)
			}
			parallel(workers, staged, func(*item) bool { return true }, func(it *item) {
				err := os.Link(it.out.tmp, it.out.path)
				os.Remove(it.out.tmp)
				if err == nil {
					return
				}
				// Written meanwhile, or no hard links here: the slow way.
				if s.writeOne(it) {
					mu.Lock()
					mend = append(mend, it)
					mu.Unlock()
				}
			})
		}
		keep = func(*item) bool { return false }
	}
	parallel(workers, items, keep, func(it *item) {
		if s.writeOne(it) {
			mu.Lock()
			mend = append(mend, it)
			mu.Unlock()
		}
	})
	if len(mend) > 0 {
		if err := s.replace(mend); err != nil {
			for _, it := range mend {
				it.fail("", err, "%v", err)
			}
		}
	}
	// One sync of the directory makes the names of the group's files
	// durable.
	return atomicfile.SyncDir(s.dir)
}

// prepare decides what to do with an item's file, as writeOne does; when
// the file is to be written it writes the credential to a temporary file
// beside it, unsynced (it.out.tmp), and reports stage.
func (s *filesSink) prepare(it *item) (stage, replace bool) {
	if !s.present(it) {
		if it.failedAlready() {
			return false, false
		}
		tmp, err := os.CreateTemp(s.dir, "."+it.out.name+".tmp-*")
		if err != nil {
			it.fail("", err, "writing %s: %v", it.out.path, err)
			return false, false
		}
		_, err = tmp.Write(it.signed)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(tmp.Name())
			it.fail("", err, "writing %s: %v", it.out.path, err)
			return false, false
		}
		it.out.tmp = tmp.Name()
		return true, false
	}
	return false, it.out.replace
}

// present looks at an item's file: it reports whether there is one, and
// decides what becomes of the item as writeOne does (it.out.replace set
// for a file to replace).
func (s *filesSink) present(it *item) bool {
	path := it.out.path
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false
	case err == nil && bytes.Equal(old, it.signed):
	case err == nil && it.rec != nil && credentialIDOf(old) == it.rec.CredentialID:
		switch {
		case it.outcome == issued && it.fits(old):
			it.signed, it.out.adopted = old, true
		default:
			// Another signing of the reservation: the record's (or,
			// for a row corrected since a stopped run wrote it, the
			// new signing, once recorded) replaces it.
			it.out.replace = true
		}
	case err == nil:
		it.fail("", ErrOutputExists, "%s exists with other content and was not overwritten; the credential is issued and recorded: move the file away and run again to write it", path)
	default:
		it.fail("", err, "%v", err)
	}
	return true
}

// writeOne writes an item's file unless it holds the credential already;
// it reports whether the file holds a signing of the same credential
// that the record supersedes, to be replaced.
func (s *filesSink) writeOne(it *item) bool {
	for range 2 {
		if s.present(it) {
			return it.out.replace
		}
		err := atomicfile.CreateInDir(it.out.path, it.signed, 0o600)
		if errors.Is(err, atomicfile.ErrExists) {
			continue // written meanwhile: look again
		}
		if err != nil {
			it.fail("", err, "%v", err)
		}
		return false
	}
	it.fail("", ErrOutputExists, "%s keeps changing", it.out.path)
	return false
}

func (s *filesSink) replace(items []*item) error {
	for _, it := range items {
		if err := atomicfile.Write(it.out.path, it.signed, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func (s *filesSink) close() error { return nil }

// jsonlSink appends every credential to one JSON Lines file.
type jsonlSink struct {
	path string
	f    *os.File
	size int64
	// index holds, for each line the file had when it was opened (see
	// write), a 64-bit hash of its
	// issuance key and the line's offset: 16 bytes of data (about 25 with
	// the map's own) a line, read when the file is opened. A line found
	// by its hash is read, and its key compared; the offsets of the lines
	// whose keys share a hash with an earlier one are in more.
	seed  maphash.Seed
	index map[uint64]int64
	more  map[uint64][]int64
}

// jsonlLine is a line of JSONLFile; IssuanceKey comes first, so that the
// index is read without decoding each credential.
type jsonlLine struct {
	IssuanceKey string          `json:"issuance_key"`
	File        string          `json:"file"`
	StaffID     string          `json:"staff_id"`
	Credential  json.RawMessage `json:"credential"`
}

var jsonlPrefix = []byte(`{"issuance_key":"`)

func newJSONLSink(path string) *jsonlSink {
	return &jsonlSink{path: path, seed: maphash.MakeSeed(), index: map[uint64]int64{}, more: map[uint64][]int64{}}
}

func (s *jsonlSink) add(key string, off int64) {
	h := maphash.String(s.seed, key)
	if _, ok := s.index[h]; ok {
		s.more[h] = append(s.more[h], off)
		return
	}
	s.index[h] = off
}

// find returns the credential of the line of key, if the file has one.
func (s *jsonlSink) find(key string) ([]byte, bool, error) {
	h := maphash.String(s.seed, key)
	off, ok := s.index[h]
	if !ok {
		return nil, false, nil
	}
	for _, o := range append([]int64{off}, s.more[h]...) {
		l, err := s.readLine(o)
		if err != nil {
			return nil, false, err
		}
		if l.IssuanceKey == key {
			cred, err := l.credential()
			return cred, err == nil, err
		}
	}
	return nil, false, nil
}

// openJSONL opens (or creates) the JSON Lines file and reads its index. A
// last line cut short (a run killed while appending, before the sync) is
// removed: the rows it held were not recorded as issued.
func openJSONL(dir string, dryRun bool) (*jsonlSink, error) {
	path := filepath.Join(dir, JSONLFile)
	flag := os.O_RDWR | os.O_CREATE
	if dryRun {
		flag = os.O_RDONLY
	}
	f, err := os.OpenFile(path, flag, 0o600)
	if dryRun && errors.Is(err, os.ErrNotExist) {
		return newJSONLSink(path), nil
	}
	if err != nil {
		return nil, fmt.Errorf("issuer: output: %w", err)
	}
	s := newJSONLSink(path)
	s.f = f
	br := bufio.NewReaderSize(f, 1<<20)
	var off int64
	for {
		line, err := br.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) {
			var more []byte
			more, err = br.ReadSlice('\n')
			line = append(bytes.Clone(line), more...)
		}
		if errors.Is(err, io.EOF) {
			break // a line without its '\n' was cut short
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("issuer: %s: %w", path, err)
		}
		rest, ok := bytes.CutPrefix(line, jsonlPrefix)
		end := bytes.IndexByte(rest, '"')
		if !ok || end < 0 {
			f.Close()
			return nil, fmt.Errorf("issuer: %s: line at byte %d is not a staffpass credential line", path, off)
		}
		s.add(string(rest[:end]), off)
		off += int64(len(line))
	}
	if !dryRun {
		if err := f.Truncate(off); err != nil {
			f.Close()
			return nil, fmt.Errorf("issuer: %s: %w", path, err)
		}
	}
	s.size = off
	return s, nil
}

func (s *jsonlSink) placement(b *batch, r *staff.Row) outputPlacement {
	return outputPlacement{name: b.fileName(r), staffID: r.StaffID}
}

// vacant: a line of a row never recorded cannot be told from one of
// another registry's; the line is added.
func (s *jsonlSink) vacant(outputPlacement) error { return nil }

func (s *jsonlSink) check(outputPlacement, []byte) error { return nil }

// readLine reads the line at off.
func (s *jsonlSink) readLine(off int64) (*jsonlLine, error) {
	br := bufio.NewReader(io.NewSectionReader(s.f, off, s.size-off))
	data, err := br.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	var l jsonlLine
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// credential returns the line's credential as it was secured.
func (l *jsonlLine) credential() ([]byte, error) {
	if len(l.Credential) > 0 && l.Credential[0] == '"' {
		var token string
		if err := json.Unmarshal(l.Credential, &token); err != nil {
			return nil, err
		}
		return []byte(token), nil
	}
	return l.Credential, nil
}

func (s *jsonlSink) write(items []*item, keep func(*item) bool, workers int) error {
	var buf bytes.Buffer
	size := 0
	for _, it := range items {
		if keep(it) {
			size += len(it.signed) + len(it.key) + 256 // the key, file and staff id
		}
	}
	buf.Grow(size)
	for _, it := range items {
		if !keep(it) {
			continue
		}
		// A credential recorded with new lines in it (a Data Integrity
		// one issued from an indented document, by 'staffpass issue' under
		// this row's key) is written compact, on its line; one signed now
		// is recorded in the form written.
		line := it.signed
		if bytes.ContainsAny(line, "\r\n") {
			var c bytes.Buffer
			if err := json.Compact(&c, line); err != nil {
				it.fail("", err, "%v", err)
				continue
			}
			line = c.Bytes()
			if it.outcome == issued {
				it.signed = line
			}
		}
		old, found, err := s.find(it.key)
		if err != nil {
			it.fail("", err, "reading its line in %s: %v", s.path, err)
			continue
		}
		if found {
			switch {
			case jsonEqual(old, line):
			case it.outcome == issued && credentialIDOf(old) == it.rec.CredentialID && it.fits(old):
				it.signed, it.out.adopted = old, true
			case it.outcome == issued && credentialIDOf(old) == it.rec.CredentialID:
				it.fail("", ErrOutputExists, "%s has a line for this row that a run which stopped wrote, saying something else than the row now says; a line is never rewritten: write this row to another JSON Lines file (another --out)", s.path)
			default:
				it.fail("", ErrOutputExists, "%s has a line for this row with another credential than the one recorded (another batch, at once, recorded its own signing first); a line is never rewritten: the recorded credential is written by a run into another JSON Lines file (another --out)", s.path)
			}
			continue
		}
		// The line is put together by hand, in the order of jsonlLine:
		// the key, file and staff id are short ASCII texts (a staff id's
		// characters, a type name, dates and hex), the credential a
		// compact JWS (ASCII with no '"' or '\\') or compact JSON, written
		// as it is recorded.
		start := buf.Len()
		buf.WriteString(`{"issuance_key":`)
		buf.Write(jsonString(it.key))
		buf.WriteString(`,"file":`)
		buf.Write(jsonString(it.out.name))
		buf.WriteString(`,"staff_id":`)
		buf.Write(jsonString(it.out.staffID))
		if !fitsLine(line) {
			buf.Truncate(start)
			it.fail("", ErrOutputExists, "the credential does not fit a line of %s", s.path)
			continue
		}
		buf.WriteString(`,"credential":`)
		if line[0] == '{' {
			buf.Write(line)
		} else {
			buf.WriteByte('"')
			buf.Write(line)
			buf.WriteByte('"')
		}
		buf.WriteString("}\n")
	}
	if buf.Len() == 0 {
		return nil
	}
	// An append that failed part way (a short write, a failed sync)
	// may have left bytes past the lines this sink knows: a group's lines
	// replace them, and a failed append is cut off again, so that a
	// shorter later append never leaves a tail behind it.
	if err := s.f.Truncate(s.size); err != nil {
		return fmt.Errorf("appending to %s: %w", s.path, err)
	}
	if _, err := s.f.WriteAt(buf.Bytes(), s.size); err != nil {
		s.f.Truncate(s.size)
		return fmt.Errorf("appending to %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		s.f.Truncate(s.size)
		return fmt.Errorf("syncing %s: %w", s.path, err)
	}
	// The lines added are not indexed: a run looks each of its rows up
	// once, before its line is written (a row that repeats another fails
	// as a duplicate), and runs into one file take turns (the output
	// directory's lock), so only the lines the file had when it was opened
	// are ever looked for. A run into a new file keeps no index at all.
	s.size += int64(buf.Len())
	return nil
}

// fitsLine tells whether a credential can be written as the credential of
// a line as it is: a JSON object (with no new line: see write), or a
// compact JWS, base64url text and dots, put in quotes.
func fitsLine(signed []byte) bool {
	if len(signed) == 0 {
		return false
	}
	if signed[0] == '{' {
		return json.Valid(signed)
	}
	for _, c := range signed {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// jsonString is s as a JSON string.
func jsonString(s string) []byte {
	data, _ := json.Marshal(s) // a string always marshals
	return data
}

// jsonEqual compares two credentials, a Data Integrity one in compact
// form.
func jsonEqual(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var ca, cb bytes.Buffer
	return json.Compact(&ca, a) == nil && json.Compact(&cb, b) == nil && bytes.Equal(ca.Bytes(), cb.Bytes())
}

// replace cannot rewrite a line: the row fails, and says so.
func (s *jsonlSink) replace(items []*item) error {
	for _, it := range items {
		it.fail("", ErrOutputExists, "another run recorded this row's credential while this one wrote its own line to %s: that line is not the recorded credential", s.path)
	}
	return nil
}

func (s *jsonlSink) close() error {
	if s.f == nil {
		return nil
	}
	return s.f.Close()
}

// errorsWriter writes a batch's failures, as they come, to a temporary
// file that becomes ErrorsFile at the end.
type errorsWriter struct {
	dir string
	f   *os.File
	cw  *csv.Writer
	n   int
}

func (e *errorsWriter) failure(f *RowFailure) error {
	if e.f == nil {
		tmp, err := os.CreateTemp(e.dir, "."+ErrorsFile+".tmp-*")
		if err != nil {
			return fmt.Errorf("issuer: errors file: %w", err)
		}
		e.f, e.cw = tmp, csv.NewWriter(tmp)
		if err := e.cw.Write([]string{"row", "staff_id", "column", "reason"}); err != nil {
			return err
		}
	}
	e.n++
	return e.cw.Write([]string{strconv.Itoa(f.Line), inert(f.StaffID), inert(f.Column), inert(f.Reason)})
}

// close makes the failures ErrorsFile, or removes an old ErrorsFile when
// there were none.
func (e *errorsWriter) close() error {
	path := filepath.Join(e.dir, ErrorsFile)
	if e.f == nil {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	tmp := e.f.Name()
	defer os.Remove(tmp) // after a failure; nothing after the rename
	e.cw.Flush()
	err := e.cw.Error()
	if err == nil {
		err = e.f.Sync()
	}
	if cerr := e.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = atomicfile.SyncDir(e.dir)
	}
	return err
}

// WriteErrorsFile writes res's failures to dir/ErrorsFile, as a dry run's
// report, holding the lock a batch writing to dir holds (so that a dry run
// and a batch at once on one directory take turns, and neither loses the
// other's errors file); waiting is called if another batch holds it.
func WriteErrorsFile(res *BatchResult, dir string, waiting func()) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	unlock, err := lockDir(dir, waiting)
	if err != nil {
		return err
	}
	defer unlock()
	var buf bytes.Buffer
	if err := res.WriteErrorsCSV(&buf); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, ErrorsFile), buf.Bytes(), 0o600)
}
