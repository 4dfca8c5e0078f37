package status

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/staffpass/staffpass/vc"
)

// FuzzDecode holds Decode to its contract on any input: no panic, an error
// wrapping ErrMalformed or ErrListLength, or a list within the limits that
// encodes and decodes back to the same bits.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{example03, example05} {
		c := readCredential(f, name)
		var s string
		if err := json.Unmarshal(c.CredentialSubject.Items[0].Claims["encodedList"], &s); err != nil {
			f.Fatal(err)
		}
		f.Add(s)
	}
	l, _ := New(MinEntries)
	setEvery(l, 113)
	s, _ := l.Encode()
	f.Add(s)
	f.Add("u")
	f.Add("")
	f.Add("uH4sIAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Decode(s)
		if err != nil {
			if l != nil || !(errors.Is(err, ErrMalformed) || errors.Is(err, ErrListLength)) {
				t.Fatalf("Decode(%q) = %v, %v", s, l, err)
			}
			return
		}
		if l.Len() < MinEntries || l.Len() > MaxEntries {
			t.Fatalf("decoded %d entries", l.Len())
		}
		again, err := l.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Decode(again)
		if err != nil || !bytes.Equal(back.bits, l.bits) {
			t.Fatalf("re-encoding changed the bits: %v", err)
		}
	})
}

// FuzzEntries feeds any JSON value as credentialStatus through vc.Parse and
// Entries: no panic, a malformed or out-of-range error, or entries that
// TypedObject writes back and ParseEntry reads the same.
func FuzzEntries(f *testing.F) {
	for _, name := range []string{example01, example04} {
		data, err := os.ReadFile(filepath.Join(vectors, name))
		if err != nil {
			f.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(m["credentialStatus"]))
	}
	f.Add([]byte(entryJSON(map[string]string{"statusSize": `2`, "statusPurpose": `"message"`,
		"statusMessage":   `[{"status":"0x0","message":"a"},{"status":"0x1","message":"b"},{"status":"0x2","message":"c"},{"status":"0x3","message":"d"}]`,
		"statusReference": `["https://a.example/"]`})))
	f.Add([]byte(entryJSON(map[string]string{"statusListIndex": `"0000"`})))
	f.Fuzz(func(t *testing.T, status []byte) {
		c, err := vc.Parse([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],` +
			`"issuer":"did:web:kch.nhs.uk","credentialSubject":{"name":"x"},"credentialStatus":` + string(status) + `}`))
		if err != nil {
			return
		}
		entries, err := Entries(c)
		if err != nil {
			if entries != nil || !(errors.Is(err, ErrMalformed) || errors.Is(err, ErrIndexOutOfRange)) {
				t.Fatalf("Entries = %v, %v", entries, err)
			}
			return
		}
		for _, e := range entries {
			if e.Index < 0 || e.Index >= MaxEntries || e.Size < 1 {
				t.Fatalf("entry %+v out of bounds", e)
			}
			obj, err := e.TypedObject()
			if err != nil {
				t.Fatalf("TypedObject(%+v): %v", e, err)
			}
			back, err := ParseEntry(obj)
			if err != nil {
				t.Fatalf("ParseEntry(TypedObject(%+v)): %v", e, err)
			}
			a, _ := json.Marshal(back)
			b, _ := json.Marshal(e)
			if !bytes.Equal(a, b) {
				t.Fatalf("round trip: %s != %s", a, b)
			}
		}
	})
}
