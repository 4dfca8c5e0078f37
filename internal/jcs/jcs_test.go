package jcs

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/limits"
)

func decode(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// RFC 8785 section 3.2.4 (and Appendix A): the example input and its
// canonical form.
func TestMarshalReproducesTheRFC8785Example(t *testing.T) {
	in := `{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`
	want := `{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`
	got, err := Marshal(decode(t, in))
	if err != nil || string(got) != want {
		t.Fatalf("got %s (%v)\nwant %s", got, err, want)
	}
	// RFC 8785 Appendix A gives the UTF-8 bytes of the output; the euro sign
	// is e2 82 ac.
	if !bytes.Contains(got, []byte{0x22, 0xe2, 0x82, 0xac, 0x24}) {
		t.Errorf("the euro sign is not written as raw UTF-8: %x", got)
	}
}

// RFC 8785 section 3.2.3: members sorted by UTF-16 code units.
func TestMarshalSortsMembersByUTF16CodeUnits(t *testing.T) {
	in := `{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`
	want := `{"\r":"Carriage Return","1":"One","` + "\u0080" + `":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","` + "\U0001F600" + `":"Emoji: Grinning Face","` + "\ufb33" + `":"Hebrew Letter Dalet With Dagesh"}`
	got, err := Marshal(decode(t, in))
	if err != nil || string(got) != want {
		t.Fatalf("got  %s (%v)\nwant %s", got, err, want)
	}
}

func TestCompareUTF16(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int // sign
	}{
		{"equal strings are equal", "abc", "abc", 0},
		{"a prefix sorts first", "ab", "abc", -1},
		{"ASCII sorts by byte", "b", "a", 1},
		{"a character above U+FFFF sorts before U+E000..U+FFFF", "\U0001F600", "\uFB33", -1},
		{"a character above U+FFFF sorts after U+D7FF", "\U0001F600", "\uD7FF", 1},
		{"two characters above U+FFFF sort by code point", "\U0001F600", "\U0001F601", -1},
		{"supplementary characters in different planes", "\U00020000", "\U0001FFFF", 1},
		{"the difference after a shared multi-byte prefix", "é\u00e0", "é\u00e1", -1},
		{"the difference in the middle of a multi-byte character", "\u00e9", "\u00ea", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := compareUTF16(tt.a, tt.b)
			if sign(got) != tt.want {
				t.Errorf("compareUTF16(%q, %q) = %d, want sign %d", tt.a, tt.b, got, tt.want)
			}
			if sign(compareUTF16(tt.b, tt.a)) != -tt.want {
				t.Errorf("compareUTF16 is not antisymmetric for %q, %q", tt.a, tt.b)
			}
		})
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// RFC 8785 Appendix B: IEEE 754 doubles (as bit patterns) and their
// canonical forms, with the ECMAScript edge cases around 1e21 and 1e-6.
func TestNumbersFollowRFC8785AppendixB(t *testing.T) {
	tests := []struct {
		bits uint64
		want string
	}{
		{0x0000000000000000, "0"},
		{0x8000000000000000, "0"},
		{0x0000000000000001, "5e-324"},
		{0x8000000000000001, "-5e-324"},
		{0x7fefffffffffffff, "1.7976931348623157e+308"},
		{0xffefffffffffffff, "-1.7976931348623157e+308"},
		{0x4340000000000000, "9007199254740992"},
		{0xc340000000000000, "-9007199254740992"},
		{0x4430000000000000, "295147905179352830000"},
		{0x44b52d02c7e14af5, "9.999999999999997e+22"},
		{0x44b52d02c7e14af6, "1e+23"},
		{0x44b52d02c7e14af7, "1.0000000000000001e+23"},
		{0x444b1ae4d6e2ef4e, "999999999999999700000"},
		{0x444b1ae4d6e2ef4f, "999999999999999900000"},
		{0x444b1ae4d6e2ef50, "1e+21"},
		{0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
		{0x3eb0c6f7a0b5ed8d, "0.000001"},
		{0x41b3de4355555553, "333333333.3333332"},
		{0x41b3de4355555554, "333333333.33333325"},
		{0x41b3de4355555555, "333333333.3333333"},
		{0x41b3de4355555556, "333333333.3333334"},
		{0x41b3de4355555557, "333333333.33333343"},
		{0xbecbf647612f3696, "-0.0000033333333333333333"},
		{0x43143ff3c1cb0959, "1424953923781206.2"},
	}
	for _, tt := range tests {
		f := math.Float64frombits(tt.bits)
		got, err := Marshal(f)
		if err != nil || string(got) != tt.want {
			t.Errorf("%016x (%v): got %q (%v), want %q", tt.bits, f, got, err, tt.want)
		}
	}
}

func TestNumberTypesAreReadAsDoubles(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"a json.Number integer", json.Number("100"), "100"},
		{"a json.Number with an exponent", json.Number("1E2"), "100"},
		{"a json.Number beyond 2^53 is rounded as a double", json.Number("9007199254740993"), "9007199254740992"},
		{"a json.Number below the smallest double reads as 0", json.Number("1e-400"), "0"},
		{"an int", 42, "42"},
		{"a negative int64", int64(-7), "-7"},
		{"a uint64 beyond 2^53", uint64(1<<63 + 1), "9223372036854776000"},
		{"a float32", float32(0.5), "0.5"},
		{"10^21 switches to exponent form", 1e21, "1e+21"},
		{"10^21 less one ulp does not", 999999999999999900000.0, "999999999999999900000"},
		{"10^-6 is plain", 0.000001, "0.000001"},
		{"10^-7 is in exponent form", 1e-7, "1e-7"},
		{"a negative fraction", -1.5, "-1.5"},
		{"a large exponent keeps its digits", 1.5e300, "1.5e+300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.v)
			if err != nil || string(got) != tt.want {
				t.Errorf("got %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestStringsAreEscapedAsJSONStringify(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want string
	}{
		{"short escapes", "\b\t\n\f\r", `"\b\t\n\f\r"`},
		{"other control characters in lower-case hex", "\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"quote and backslash", `"\`, `"\"\\"`},
		{"DEL and C1 controls are written raw", "\x7f\u0080\u009f", "\"\x7f\u0080\u009f\""},
		{"solidus is not escaped", "a/b", `"a/b"`},
		{"HTML characters are not escaped", "<&>", `"<&>"`},
		{"line and paragraph separators are written raw", "\u2028\u2029", "\"\u2028\u2029\""},
		{"supplementary characters are written raw", "\U0001F600", "\"\U0001F600\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.s)
			if err != nil || string(got) != tt.want {
				t.Errorf("got %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestValuesWithoutAJSONFormAreRefused(t *testing.T) {
	deep := any("leaf")
	for range limits.MaxJSONDepth + 1 {
		deep = []any{deep}
	}
	tests := []struct {
		name string
		v    any
		want error
	}{
		{"NaN", math.NaN(), ErrUnsupportedValue},
		{"positive infinity", math.Inf(1), ErrUnsupportedValue},
		{"negative infinity inside an array", []any{math.Inf(-1)}, ErrUnsupportedValue},
		{"a json.Number beyond the largest double", json.Number("1e400"), ErrUnsupportedValue},
		{"a json.Number that is not a number", json.Number("twelve"), ErrUnsupportedValue},
		{"a string that is not UTF-8", "\xff", ErrUnsupportedValue},
		{"a member name that is not UTF-8", map[string]any{"\xc3": 1.0}, ErrUnsupportedValue},
		{"a Go struct", struct{}{}, ErrUnsupportedValue},
		{"a typed map", map[string]string{}, ErrUnsupportedValue},
		{"nesting deeper than the limit", deep, ErrTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte("keep")
			got, err := Append(prefix, tt.v)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if string(got) != "keep" {
				t.Errorf("Append returned %q on error, want the original buffer", got)
			}
		})
	}
}

func TestNestingUpToTheLimitIsWritten(t *testing.T) {
	v := any("leaf")
	for range limits.MaxJSONDepth {
		v = []any{v}
	}
	got, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Repeat("[", limits.MaxJSONDepth) + `"leaf"` + strings.Repeat("]", limits.MaxJSONDepth)
	if string(got) != want {
		t.Errorf("got %s", got)
	}
}

// The JCS cryptosuite vectors: the signed document without its proof, and
// the proof configuration, canonicalise to the files the W3C published.
func TestMarshalReproducesTheDataIntegrityJCSVectors(t *testing.T) {
	tests := []struct {
		dir, signed, config, canonDoc, proofCanon string
	}{
		{"vc-di-eddsa/eddsa-jcs-2022", "signedJCS.json", "proofConfigJCS.json", "canonDocJCS.txt", "proofCanonJCS.txt"},
		{"vc-di-ecdsa/ecdsa-jcs-2019-p256", "signedJCSECDSAP256.json", "proofConfigJCSECDSAP256.json", "canonDocJCSECDSAP256.txt", "proofCanonJCSECDSAP256.txt"},
		{"vc-di-ecdsa/ecdsa-jcs-2019-p384", "signedJCSECDSAP384.json", "proofConfigJCSECDSAP384.json", "canonDocJCSECDSAP384.txt", "proofCanonJCSECDSAP384.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			dir := filepath.Join("..", "..", "testdata", "vectors", filepath.FromSlash(tt.dir))
			read := func(name string) []byte {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			doc := decode(t, string(read(tt.signed))).(map[string]any)
			delete(doc, "proof")
			got, err := Marshal(doc)
			if err != nil || !bytes.Equal(got, read(tt.canonDoc)) {
				t.Errorf("document:\ngot  %s (%v)\nwant %s", got, err, read(tt.canonDoc))
			}
			got, err = Marshal(decode(t, string(read(tt.config))))
			if err != nil || !bytes.Equal(got, read(tt.proofCanon)) {
				t.Errorf("proof configuration:\ngot  %s (%v)\nwant %s", got, err, read(tt.proofCanon))
			}
		})
	}
}

func BenchmarkMarshal(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vectors", "vc-di-ecdsa", "employmentAuth.json"))
	if err != nil {
		b.Fatal(err)
	}
	v := decode(b, string(data))
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = Append(buf[:0], v); err != nil {
			b.Fatal(err)
		}
	}
}
