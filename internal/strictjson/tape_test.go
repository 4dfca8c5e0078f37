package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// A number is refused when its text says more than the float64 every
// JSON-LD processor reads it as: two such texts would be one number to one
// reader and two to another.
func TestNumbersMorePreciseThanAFloat64AreRefused(t *testing.T) {
	accepted := []string{"0", "-0", "0.1", "1.5", "1e21", "1E-7", "10E-1", "1.0", "-0.0e10",
		"9007199254740992", "0.30000000000000004", "1e23", "123456789012345", "5e-324", "1.7976931348623157e308",
		"2.5e-1", "100000000000000000000000000000"}
	refused := []string{"9007199254740993", "0.10000000000000000001", "12345678901234567890",
		"1e400", "-1e400", "1e-400", "123456789012345678901234567890e-10", "1.00000000000000001"}
	for _, n := range accepted {
		if err := Check([]byte(n), 0); err != nil {
			t.Errorf("%s: %v, want it accepted", n, err)
		}
		if _, err := Decode([]byte("["+n+"]"), 0); err != nil {
			t.Errorf("Decode %s: %v", n, err)
		}
	}
	for _, n := range refused {
		err := Check([]byte(`{"n":`+n+`}`), 0)
		var e *Error
		if !errors.As(err, &e) || e.Pointer != "/n" {
			t.Errorf("%s: %v, want it refused at /n", n, err)
		}
	}
}

// walkTape holds the tape to encoding/json: the value at v, read through
// the tape (kinds, spans, names, children, strings, numbers), is what
// encoding/json reads from the same bytes.
func walkTape(t *testing.T, tape *Tape, v Value) {
	t.Helper()
	raw := tape.Raw(v)
	if got := tape.Find(tape.Span(v)); got != v {
		t.Fatalf("Find(Span(%d)) = %d", v, got)
	}
	var want any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatalf("value %d %q: encoding/json: %v", v, raw, err)
	}
	switch tape.Kind(v) {
	case KindObject:
		var members map[string]json.RawMessage
		if err := json.Unmarshal(raw, &members); err != nil {
			t.Fatal(err)
		}
		n := 0
		for c := tape.FirstChild(v); c != None; c = tape.NextSibling(v, c) {
			name, esc := tape.Name(c)
			s := string(name)
			if esc {
				s = Unescape(name)
			}
			if !bytes.Equal(members[s], tape.Raw(c)) {
				t.Fatalf("member %q: tape %q, encoding/json %q", s, tape.Raw(c), members[s])
			}
			if tape.Member(v, s) != c {
				t.Fatalf("Member(%q) is not the member", s)
			}
			walkTape(t, tape, c)
			n++
		}
		if n != len(members) {
			t.Fatalf("%d members on the tape, %d for encoding/json", n, len(members))
		}
	case KindArray:
		var els []json.RawMessage
		json.Unmarshal(raw, &els)
		i := 0
		for c := tape.FirstChild(v); c != None; c = tape.NextSibling(v, c) {
			if i >= len(els) || !bytes.Equal(els[i], tape.Raw(c)) {
				t.Fatalf("element %d: tape %q", i, tape.Raw(c))
			}
			walkTape(t, tape, c)
			i++
		}
		if i != len(els) {
			t.Fatalf("%d elements on the tape, %d for encoding/json", i, len(els))
		}
	case KindString:
		s, ok := tape.String(v)
		if !ok || s != want {
			t.Fatalf("string %q: tape %q", raw, s)
		}
		if u, ok := Unquote(raw); !ok || u != s {
			t.Fatalf("Unquote(%q) = %q, %v", raw, u, ok)
		}
	case KindNumber:
		if tape.Number(v) != want {
			t.Fatalf("number %q: tape %v, encoding/json %v", raw, tape.Number(v), want)
		}
	default:
		if tape.FirstChild(v) != None {
			t.Fatal("a scalar with children")
		}
	}
}

func checkTape(t *testing.T, data []byte) {
	t.Helper()
	tape, err := Parse(data, 0)
	if cerr := Check(data, 0); (err == nil) != (cerr == nil) {
		t.Fatalf("%q: Parse %v, Check %v", data, err, cerr)
	}
	if err != nil {
		return
	}
	defer tape.Release()
	if tape.Len() == 0 {
		t.Fatal("an empty tape")
	}
	walkTape(t, tape, Root)
}

// Walking the tape of every JSON file in testdata, and of the decode
// cases, reads what encoding/json reads.
func TestTapeAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range decodeCases {
		checkTape(t, []byte(c))
	}
	for _, data := range testdataFiles(t) {
		checkTape(t, data)
	}
	if _, ok := Unquote([]byte(`"a" "b"`)); ok {
		t.Error("Unquote read two strings")
	}
	if _, ok := Unquote([]byte(`{}`)); ok {
		t.Error("Unquote read an object")
	}
	if s, ok := Unquote([]byte(` "\u00e9\n" `)); !ok || s != "é\n" {
		t.Errorf("Unquote = %q, %v", s, ok)
	}
}

func FuzzTape(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	for _, s := range []string{`{ "a\u0062c" : [1, {"x": "}"}, "\"]"], "n": -1.5e3, "t": true, "z": null, "o": {} }`, `{"a":"\\"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 || strings.Count(string(data), "[")+strings.Count(string(data), "{") > 1000 {
			return
		}
		checkTape(t, data)
	})
}
