package strictjson

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		pointer string // want an error at this pointer; "-" for no error
	}{
		{"a plain object is accepted", `{"a":1,"b":[true,false,null,"x",-1.5e3]}`, "-"},
		{"whitespace around values is accepted", " \n{ \"a\" : [ 1 , 2 ] }\t", "-"},
		{"a scalar document is accepted", `"x"`, "-"},
		{"escaped names that differ are accepted", `{"a":1,"\u0062":2}`, "-"},
		{"a surrogate pair is accepted", `{"a":"\ud83d\ude00"}`, "-"},
		{"the same name in different objects is accepted", `{"a":{"a":1},"b":{"a":2}}`, "-"},
		{"a duplicate name is refused", `{"a":1,"a":2}`, "/a"},
		{"a duplicate name spelt with an escape is refused", `{"a":1,"\u0061":2}`, "/a"},
		{"a nested duplicate names its path", `{"x":[{"ok":1},{"id":1,"id":2}]}`, "/x/1/id"},
		{"a duplicate in a large object is refused", `{"a0":0,"a1":1,"a2":2,"a3":3,"a4":4,"a5":5,"a6":6,"a7":7,"a8":8,"a9":9,"b0":0,"b1":1,"b2":2,"b3":3,"b4":4,"b5":5,"b6":6,"b7":7,"a3":3}`, "/a3"},
		{"pointer escapes ~ and /", `{"a/b":{"c~d":1,"c~d":2}}`, "/a~1b/c~0d"},
		{"trailing commas are refused", `{"a":1,}`, "/a"},
		{"trailing data is refused", `{"a":1} x`, ""},
		{"an empty document is refused", ``, ""},
		{"an unpaired high surrogate is refused", `{"a":"\ud800"}`, "/a"},
		{"an unpaired low surrogate is refused", `{"a":"\udc00x"}`, "/a"},
		{"invalid UTF-8 is refused", "{\"a\":\"\xff\"}", "/a"},
		{"a raw control character is refused", "{\"a\":\"\x01\"}", "/a"},
		{"a leading zero is refused", `[01]`, "/0"},
		{"a bare decimal point is refused", `[1.]`, "/0"},
		{"single quotes are refused", `{'a':1}`, ""},
		{"NaN is refused", `[NaN]`, "/0"},
		{"an unterminated string is refused", `{"a":"b`, "/a"},
		{"an invalid escape is refused", `{"a":"\x"}`, "/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check([]byte(tt.in), 0)
			if tt.pointer == "-" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Check(%q) = %v, want an *Error wrapping ErrInvalid", tt.in, err)
			}
			if e.Pointer != tt.pointer {
				t.Errorf("Check(%q) pointer = %q, want %q (%v)", tt.in, e.Pointer, tt.pointer, err)
			}
		})
	}
}

func TestCheckLimits(t *testing.T) {
	deep := strings.Repeat("[", 65) + strings.Repeat("]", 65)
	if err := Check([]byte(deep), 0); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "levels deep") {
		t.Errorf("65 nested arrays: got %v, want a depth error", err)
	}
	ok := strings.Repeat("[", 64) + strings.Repeat("]", 64)
	if err := Check([]byte(ok), 0); err != nil {
		t.Errorf("64 nested arrays: got %v, want nil", err)
	}
	if err := Check([]byte(`{"a":"0123456789"}`), 10); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "limit") {
		t.Errorf("document over the size cap: got %v, want a size error", err)
	}
}

// FuzzCheck asserts that Check never panics and never accepts what
// encoding/json refuses.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[1,"x",null]`, `{"a":{"a":1}}`, `"\ud83d\ude00"`, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := Check(data, 0); err == nil && !json.Valid(data) {
			t.Fatalf("Check accepted %q, which encoding/json refuses", data)
		}
	})
}

func BenchmarkCheck(b *testing.B) {
	doc := []byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://w3id.org/staffpass/v1"],"id":"urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33","type":["VerifiableCredential","DBSCheckCredential"],"issuer":"did:web:kch.nhs.uk","validFrom":"2026-01-01T00:00:00Z","credentialSubject":{"id":"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK","level":"enhanced","workforce":"adultAndChild","barredLists":["adult","children"]}}`)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Check(doc, 0); err != nil {
			b.Fatal(err)
		}
	}
}
