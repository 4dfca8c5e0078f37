package issuer

import (
	"bytes"
	"os"
	"testing"
)

// An append to the JSON Lines file that fails part way (ENOSPC, EIO: a
// short WriteAt) leaves bytes past s.size; the next group's append, if
// shorter, is written over their start and leaves their tail after it. The
// file must still open on the next run.
func TestAudit5AFailedJSONLAppendLeavesNoTailBehindALaterOne(t *testing.T) {
	dir := t.TempDir()
	s, err := openJSONL(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(key string) *item {
		return &item{key: key, outcome: issued, signed: []byte("eyJhbGciOiJFZERTQSJ9.e30.c2ln"), out: outputPlacement{name: key + ".jwt", staffID: "E1"}}
	}
	keep := func(*item) bool { return true }
	if err := s.write([]*item{mk("E1|T|2026-01-01")}, keep, 1); err != nil {
		t.Fatal(err)
	}
	// What a short write of a group of two long lines leaves: one whole
	// line and part of the next, past s.size.
	var junk bytes.Buffer
	junk.WriteString(`{"issuance_key":"E2|T|2026-01-01","file":"x.jwt","staff_id":"E2","credential":"` + string(bytes.Repeat([]byte("A"), 400)) + "\"}\n")
	junk.WriteString(`{"issuance_key":"E3|T|2026-01-01","file":"y.jwt","staff_id":"E3","credential":"` + string(bytes.Repeat([]byte("B"), 200)))
	if _, err := s.f.WriteAt(junk.Bytes(), s.size); err != nil {
		t.Fatal(err)
	}
	// The next group is short.
	if err := s.write([]*item{mk("E4|T|2026-01-01")}, keep, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	s2, err := openJSONL(dir, false)
	if err != nil {
		data, _ := os.ReadFile(s.path)
		t.Fatalf("the next run cannot open the file: %v\n%s", err, data)
	}
	s2.close()
}
