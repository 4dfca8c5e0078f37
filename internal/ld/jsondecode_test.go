package ld

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/staffpass/staffpass/internal/strictjson"
)

// sameJSON reports whether two decoded values are identical, down to the
// sign of zero, and nil against empty maps and slices.
func sameJSON(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool:
		bb, ok := b.(bool)
		return ok && a == bb
	case string:
		bs, ok := b.(string)
		return ok && a == bs
	case float64:
		bf, ok := b.(float64)
		return ok && math.Float64bits(a) == math.Float64bits(bf)
	case []any:
		ba, ok := b.([]any)
		if !ok || (a == nil) != (ba == nil) || len(a) != len(ba) {
			return false
		}
		for i := range a {
			if !sameJSON(a[i], ba[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || (a == nil) != (bm == nil) || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			w, ok := bm[k]
			if !ok || !sameJSON(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// checkDecode holds decodeJSON to encoding/json on text strictjson accepts.
func checkDecode(t *testing.T, data []byte) {
	t.Helper()
	if strictjson.Check(data, 0) != nil {
		return
	}
	got, err := decodeJSON(data)
	var want any
	werr := json.Unmarshal(data, &want)
	if (err == nil) != (werr == nil) {
		t.Fatalf("%q: decodeJSON error %v, encoding/json error %v", data, err, werr)
	}
	if err == nil && !sameJSON(got, want) {
		t.Fatalf("%q: decodeJSON gives %#v, encoding/json %#v", data, got, want)
	}
}

var decodeCases = []string{
	`{"a": [1, -0, 0.5, 1e3, 1E-3, -12.5e+2, 123456789012345, 1234567890123456, 12345678901234567890, 9007199254740993]}`,
	`[]`, `{}`, `[[], {}, [[]]]`, `null`, `true`, `false`, `"x"`, `0`, `-0`, `-0.0`, `1e400`, `-1e400`, `1e-400`,
	`"\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00"`, `"é€😀"`, `"\u0000"`, `{"a\u0062": 1, "": 2}`,
	"  \t\n{ \"a\" : [ 1 , 2 ] }\r\n", `[1,2`, `{"a":1,}`, `01`, `1.`, `.5`, `-`, `"\ud800"`, `"\ud800\u0041"`,
	`{"a":1}x`, `"unterminated`, `tru`, `nul`, `[1 2]`,
}

// decodeJSON reads what encoding/json reads, as encoding/json reads it:
// every JSON file in testdata and the cases above.
func TestDecodeJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range decodeCases {
		checkDecode(t, []byte(c))
	}
	n := 0
	err := filepath.WalkDir("../../testdata", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checkDecode(t, data)
		n++
		return nil
	})
	if err != nil || n < 200 {
		t.Fatalf("read %d files (%v)", n, err)
	}
	if _, err := decode([]byte(`{"n": 1e400}`)); !errors.Is(err, ErrInvalidJSONLD) {
		t.Errorf("a number out of range: err = %v, want ErrInvalidJSONLD", err)
	}
}

// FuzzDecodeJSONAgreesWithEncodingJSON holds decodeJSON to encoding/json
// on any text strictjson accepts.
func FuzzDecodeJSONAgreesWithEncodingJSON(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	for _, doc := range corpusFiles(f) {
		data, err := json.Marshal(doc)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkDecode(t, data) })
}
