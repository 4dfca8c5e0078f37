package strictjson

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/limits"
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

// checkDecode holds Decode to Check and encoding/json: it accepts exactly
// what both accept and gives encoding/json's value, down to the sign of
// zero; it fails with Check's error exactly when Check refuses, and every
// error wraps ErrInvalid.
func checkDecode(t *testing.T, data []byte) {
	t.Helper()
	got, err := Decode(data, 0)
	checkErr := Check(data, 0)
	var want any
	wantErr := json.Unmarshal(data, &want)
	if (err == nil) != (checkErr == nil && wantErr == nil) {
		t.Fatalf("%q: Decode error %v; Check %v, encoding/json %v", data, err, checkErr, wantErr)
	}
	if err == nil && !sameJSON(got, want) {
		t.Fatalf("%q: Decode gives %#v, encoding/json %#v", data, got, want)
	}
	if err != nil && !errors.Is(err, ErrInvalid) {
		t.Fatalf("%q: error %v does not wrap ErrInvalid", data, err)
	}
	var ce, de *Error
	if errors.As(checkErr, &ce) && (!errors.As(err, &de) || *ce != *de) {
		t.Fatalf("%q: Decode error %v, want Check's %v", data, err, checkErr)
	}
}

var decodeCases = []string{
	`{"a": [1, -0, 0.5, 1e3, 1E-3, -12.5e+2, 123456789012345, 1234567890123456, 12345678901234567890, 9007199254740993]}`,
	`[]`, `{}`, `[[], {}, [[]]]`, `null`, `true`, `false`, `"x"`, `0`, `-0`, `-0.0`, `1e400`, `-1e400`, `1e-400`,
	`"\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00"`, `"é€😀"`, `"\u0000"`, `{"a\u0062": 1, "": 2}`,
	"  \t\n{ \"a\" : [ 1 , 2 ] }\r\n", `[1,2`, `{"a":1,}`, `01`, `1.`, `.5`, `-`, `"\ud800"`, `"\ud800\u0041"`,
	`"\udc00\ud800"`, `{"a":1}x`, `"unterminated`, `tru`, `nul`, `[1 2]`, `{"a":1,"\u0061":2}`, "[\"\xff\"]",
	`{"a":"\ud83d\ude00\u00e9\n\/","b":[-0,1e-7,0.5E+3,true,false,null,{}],"c":[]}`,
	strings.Repeat("[", limits.MaxJSONDepth) + strings.Repeat("]", limits.MaxJSONDepth),
	strings.Repeat("[", limits.MaxJSONDepth+1) + strings.Repeat("]", limits.MaxJSONDepth+1),
}

// testdataFiles returns every JSON file of the project's testdata.
func testdataFiles(t testing.TB) [][]byte {
	var files [][]byte
	err := filepath.WalkDir("../../testdata", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		data, err := os.ReadFile(path)
		files = append(files, data)
		return err
	})
	if err != nil || len(files) < 200 {
		t.Fatalf("read %d files (%v)", len(files), err)
	}
	return files
}

// Decode reads what encoding/json reads, as encoding/json reads it, and
// refuses what Check refuses: the cases above and every JSON file in
// testdata.
func TestDecodeAgreesWithCheckAndEncodingJSON(t *testing.T) {
	for _, c := range decodeCases {
		checkDecode(t, []byte(c))
	}
	for _, data := range testdataFiles(t) {
		checkDecode(t, data)
	}
}

func TestDecodeErrors(t *testing.T) {
	_, err := Decode([]byte(`{"n": 1e400}`), 0)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "out of the range of a float64") {
		t.Errorf("a number out of range: err = %v", err)
	}
	var se *Error
	if _, err := Decode([]byte(`{"a":1,"a":2}`), 0); !errors.As(err, &se) || se.Pointer != "/a" {
		t.Errorf("a duplicate: err = %v, want a *Error at /a", err)
	}
	if _, err := Decode([]byte(`[1, 2, 3]`), 8); !errors.As(err, &se) || !strings.Contains(se.Reason, "8") {
		t.Errorf("over the size cap: err = %v", err)
	}
	if v, err := Decode([]byte(`[1, 2, 3]`), 9); err != nil || !reflect.DeepEqual(v, []any{1.0, 2.0, 3.0}) {
		t.Errorf("at the size cap: %v, %v", v, err)
	}
}

// Decoded strings do not share memory with the input: a caller may reuse
// its buffer.
func TestDecodeDoesNotAliasItsInput(t *testing.T) {
	data := []byte(`{"name": "value", "list": ["item"]}`)
	v, err := Decode(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'x'
	}
	want := map[string]any{"name": "value", "list": []any{"item"}}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("after the input changed: %#v", v)
	}
}

func FuzzDecode(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	for _, data := range testdataFiles(f) {
		if len(data) < 4096 {
			f.Add(data)
		}
	}
	f.Fuzz(checkDecode)
}

// Decode against Check followed by encoding/json, on the employment
// authorization vector.
func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile("../../testdata/vectors/vc-di-eddsa/eddsa-rdfc-2022/employ/signedDataInt.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(data, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Check+encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := Check(data, 0); err != nil {
				b.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
