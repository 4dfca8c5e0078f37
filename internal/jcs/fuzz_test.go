package jcs

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/staffpass/staffpass/internal/strictjson"
)

// FuzzMarshal decodes arbitrary strict JSON and checks that its canonical
// form is valid JSON that decodes to the same value, that canonicalising
// that again changes nothing (RFC 8785 output is a fixed point), and that
// it holds no white space outside strings.
func FuzzMarshal(f *testing.F) {
	for _, name := range []string{
		"vc-di-eddsa/eddsa-jcs-2022/signedJCS.json",
		"vc-di-ecdsa/employmentAuth.json",
		"vc-di-ecdsa-test-suite/mocks/valid/vc1.1/document.json",
	} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vectors", filepath.FromSlash(name)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"\ud83d\ude00":1,"\ufb33":2,"a":[1e21,1e-7,-0,0.1,"\u0000"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if strictjson.Check(data, 1<<16) != nil {
			return
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			// A number beyond the largest double: as a json.Number it
			// has no canonical form either.
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("strict JSON does not decode: %v", err)
			}
			if _, err := Marshal(v); !errors.Is(err, ErrUnsupportedValue) {
				t.Fatalf("a number out of range: err = %v, want ErrUnsupportedValue", err)
			}
			return
		}
		out, err := Marshal(v)
		if err != nil {
			t.Fatalf("decoded JSON has no canonical form: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("canonical form is not JSON: %q", out)
		}
		var back any
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(v, back) {
			t.Fatalf("canonical form %q decodes to a different value", out)
		}
		again, err := Marshal(back)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not a fixed point:\n%q\n%q (%v)", out, again, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, out); err != nil || !bytes.Equal(compact.Bytes(), out) {
			t.Fatalf("canonical form holds white space: %q", out)
		}
	})
}
