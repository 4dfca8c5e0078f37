package jose

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestCompactJSONRemovesOnlyInsignificantWhiteSpace: compactJSON gives
// what json.Compact gives, and data itself when there is nothing to remove.
func TestCompactJSONRemovesOnlyInsignificantWhiteSpace(t *testing.T) {
	for _, in := range []string{
		`{"a":"b c","d":[1,2]}`,
		`{"a": "b c", "d": [1, 2]}`,
		"{\n  \"a\": \"b\\\" c \",\n\t\"d\": [1,\r\n2]\n}",
		`{"a":"\\","b":" "}`,
		`{"a":"\\"  ,"b":" "}`,
		`"  "`,
		` "x"`,
	} {
		got, err := compactJSON([]byte(in))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		var want bytes.Buffer
		if err := json.Compact(&want, []byte(in)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("compactJSON(%q) = %q, want %q", in, got, want.Bytes())
		}
	}
}

func FuzzCompactJSON(f *testing.F) {
	f.Add([]byte(`{"a": "b c"}`))
	f.Add([]byte("[1,\n\"\\\\\" ]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		got, err := compactJSON(data)
		var want bytes.Buffer
		if werr := json.Compact(&want, data); (err == nil) != (werr == nil) {
			t.Fatalf("compactJSON error %v, json.Compact %v", err, werr)
		}
		if err == nil && !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("compactJSON(%q) = %q, want %q", data, got, want.Bytes())
		}
	})
}
