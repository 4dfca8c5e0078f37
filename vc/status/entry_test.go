package status

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/vc"
)

// credentialWithStatus returns a parsed credential whose credentialStatus is
// the raw JSON status.
func credentialWithStatus(t testing.TB, status string) (*vc.Credential, error) {
	t.Helper()
	return vc.Parse([]byte(`{
  "@context": ["https://www.w3.org/ns/credentials/v2"],
  "type": ["VerifiableCredential"],
  "issuer": "did:web:kch.nhs.uk",
  "credentialSubject": {"id": "did:example:6789", "name": "Alex"},
  "credentialStatus": ` + status + `
}`))
}

// entryJSON is a valid entry with members replaced (or removed, for "").
func entryJSON(replace map[string]string) string {
	members := []struct{ name, value string }{
		{"id", `"https://kch.nhs.uk/status/1#42"`},
		{"type", `"BitstringStatusListEntry"`},
		{"statusPurpose", `"revocation"`},
		{"statusListIndex", `"42"`},
		{"statusListCredential", `"https://kch.nhs.uk/status/1"`},
	}
	var b strings.Builder
	b.WriteString("{")
	first := true
	seen := map[string]bool{}
	write := func(n, v string) {
		if v == "" {
			return
		}
		if !first {
			b.WriteString(",")
		}
		first = false
		b.WriteString(`"` + n + `":` + v)
	}
	for _, m := range members {
		seen[m.name] = true
		if v, ok := replace[m.name]; ok {
			write(m.name, v)
			continue
		}
		write(m.name, m.value)
	}
	for n, v := range replace {
		if !seen[n] {
			write(n, v)
		}
	}
	b.WriteString("}")
	return b.String()
}

func TestParseEntryReadsEveryMember(t *testing.T) {
	tests := []struct {
		name    string
		replace map[string]string
		want    Entry
	}{
		{"a minimal entry", nil,
			Entry{ID: "https://kch.nhs.uk/status/1#42", Purpose: "revocation", Index: 42, ListCredential: "https://kch.nhs.uk/status/1", Size: 1}},
		{"an entry without an id", map[string]string{"id": ""},
			Entry{Purpose: "revocation", Index: 42, ListCredential: "https://kch.nhs.uk/status/1", Size: 1}},
		{"index zero", map[string]string{"statusListIndex": `"0"`},
			Entry{ID: "https://kch.nhs.uk/status/1#42", Purpose: "revocation", Index: 0, ListCredential: "https://kch.nhs.uk/status/1", Size: 1}},
		{"an index with leading zeros", map[string]string{"statusListIndex": `"00094567"`},
			Entry{ID: "https://kch.nhs.uk/status/1#42", Purpose: "revocation", Index: 94567, ListCredential: "https://kch.nhs.uk/status/1", Size: 1}},
		{"the largest index the limit allows", map[string]string{"statusListIndex": `"134217727"`},
			Entry{ID: "https://kch.nhs.uk/status/1#42", Purpose: "revocation", Index: MaxEntries - 1, ListCredential: "https://kch.nhs.uk/status/1", Size: 1}},
		{"a custom purpose", map[string]string{"statusPurpose": `"refresh"`},
			Entry{ID: "https://kch.nhs.uk/status/1#42", Purpose: "refresh", Index: 42, ListCredential: "https://kch.nhs.uk/status/1", Size: 1}},
		{"statusSize 1 with two messages and a reference", map[string]string{
			"statusSize":      `1`,
			"statusMessage":   `[{"status":"0x0","message":"valid"},{"status":"0x1","message":"revoked","extra":true}]`,
			"statusReference": `"https://kch.nhs.uk/status-dictionary/"`},
			Entry{ID: "https://kch.nhs.uk/status/1#42", Purpose: "revocation", Index: 42, ListCredential: "https://kch.nhs.uk/status/1", Size: 1,
				Messages:  []Message{{"0x0", "valid"}, {"0x1", "revoked"}},
				Reference: []string{"https://kch.nhs.uk/status-dictionary/"}}},
		{"statusSize 2 with four messages and two references", map[string]string{
			"statusPurpose":   `"message"`,
			"statusSize":      `2`,
			"statusMessage":   `[{"status":"0x0","message":"a"},{"status":"0x1","message":"b"},{"status":"0x2","message":"c"},{"status":"0x3","message":"d"}]`,
			"statusReference": `["https://a.example/", "https://b.example/"]`},
			Entry{ID: "https://kch.nhs.uk/status/1#42", Purpose: "message", Index: 42, ListCredential: "https://kch.nhs.uk/status/1", Size: 2,
				Messages:  []Message{{"0x0", "a"}, {"0x1", "b"}, {"0x2", "c"}, {"0x3", "d"}},
				Reference: []string{"https://a.example/", "https://b.example/"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := credentialWithStatus(t, entryJSON(tt.replace))
			if err != nil {
				t.Fatal(err)
			}
			entries, err := Entries(c)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || !reflect.DeepEqual(entries[0], tt.want) {
				t.Fatalf("got %+v, want %+v", entries, tt.want)
			}
			// TypedObject writes the entry back, and it parses the same.
			obj, err := entries[0].TypedObject()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseEntry(obj)
			if err != nil || !reflect.DeepEqual(back, tt.want) {
				t.Fatalf("TypedObject round trip = %+v, %v", back, err)
			}
		})
	}
}

func TestParseEntryRefusesMalformedEntries(t *testing.T) {
	tests := []struct {
		name    string
		replace map[string]string
		want    error
	}{
		{"a second type", map[string]string{"type": `["BitstringStatusListEntry", "Other"]`}, ErrMalformed},
		{"no statusPurpose", map[string]string{"statusPurpose": ""}, ErrMalformed},
		{"an empty statusPurpose", map[string]string{"statusPurpose": `""`}, ErrMalformed},
		{"a statusPurpose array", map[string]string{"statusPurpose": `["revocation"]`}, ErrMalformed},
		{"no statusListIndex", map[string]string{"statusListIndex": ""}, ErrMalformed},
		{"a numeric statusListIndex", map[string]string{"statusListIndex": `42`}, ErrMalformed},
		{"an empty statusListIndex", map[string]string{"statusListIndex": `""`}, ErrMalformed},
		{"a negative statusListIndex", map[string]string{"statusListIndex": `"-1"`}, ErrMalformed},
		{"a signed statusListIndex", map[string]string{"statusListIndex": `"+1"`}, ErrMalformed},
		{"a statusListIndex with a space", map[string]string{"statusListIndex": `" 42"`}, ErrMalformed},
		{"a hexadecimal statusListIndex", map[string]string{"statusListIndex": `"0x2a"`}, ErrMalformed},
		{"a decimal fraction", map[string]string{"statusListIndex": `"4.2"`}, ErrMalformed},
		{"non-ASCII digits", map[string]string{"statusListIndex": `"٤٢"`}, ErrMalformed},
		{"a non-numeric statusListIndex", map[string]string{"statusListIndex": `"forty-two"`}, ErrMalformed},
		{"an index beyond any list", map[string]string{"statusListIndex": `"134217728"`}, ErrIndexOutOfRange},
		{"a huge index", map[string]string{"statusListIndex": `"` + strings.Repeat("9", 400) + `"`}, ErrIndexOutOfRange},
		{"no statusListCredential", map[string]string{"statusListCredential": ""}, ErrMalformed},
		{"a relative statusListCredential", map[string]string{"statusListCredential": `"/status/1"`}, ErrMalformed},
		{"a statusListCredential that is not a string", map[string]string{"statusListCredential": `{"id":"https://kch.nhs.uk/status/1"}`}, ErrMalformed},
		{"an id equal to the list URL", map[string]string{"id": `"https://kch.nhs.uk/status/1"`}, ErrMalformed},
		{"statusSize zero", map[string]string{"statusSize": `0`}, ErrMalformed},
		{"a negative statusSize", map[string]string{"statusSize": `-1`}, ErrMalformed},
		{"a fractional statusSize", map[string]string{"statusSize": `1.5`}, ErrMalformed},
		{"statusSize written 1.0", map[string]string{"statusSize": `1.0`}, ErrMalformed},
		{"statusSize as a string", map[string]string{"statusSize": `"1"`}, ErrMalformed},
		{"statusSize 2 without messages", map[string]string{"statusSize": `2`}, ErrMalformed},
		{"statusSize 2 with two messages", map[string]string{"statusSize": `2`,
			"statusMessage": `[{"status":"0x0","message":"a"},{"status":"0x1","message":"b"}]`}, ErrMalformed},
		{"a huge statusSize", map[string]string{"statusSize": `4000`,
			"statusMessage": `[{"status":"0x0","message":"a"},{"status":"0x1","message":"b"}]`}, ErrMalformed},
		{"statusMessage that is not an array", map[string]string{"statusMessage": `{"status":"0x0","message":"a"}`}, ErrMalformed},
		{"a message without status", map[string]string{"statusMessage": `[{"message":"a"},{"status":"0x1","message":"b"}]`}, ErrMalformed},
		{"a message without message", map[string]string{"statusMessage": `[{"status":"0x0"},{"status":"0x1","message":"b"}]`}, ErrMalformed},
		{"a status that is not hexadecimal", map[string]string{"statusMessage": `[{"status":"0","message":"a"},{"status":"0x1","message":"b"}]`}, ErrMalformed},
		{"a status with an upper-case X", map[string]string{"statusMessage": `[{"status":"0X0","message":"a"},{"status":"0x1","message":"b"}]`}, ErrMalformed},
		{"a message that is not an object", map[string]string{"statusMessage": `["a","b"]`}, ErrMalformed},
		{"a relative statusReference", map[string]string{"statusReference": `"dictionary"`}, ErrMalformed},
		{"an empty statusReference array", map[string]string{"statusReference": `[]`}, ErrMalformed},
		{"a statusReference number", map[string]string{"statusReference": `7`}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := credentialWithStatus(t, entryJSON(tt.replace))
			if err != nil {
				t.Fatalf("the test credential does not parse: %v", err)
			}
			entries, err := Entries(c)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if entries != nil {
				t.Fatal("entries returned with an error")
			}
		})
	}
}

func TestEntriesSkipsOtherStatusTypesAndKeepsOrder(t *testing.T) {
	c, err := credentialWithStatus(t, `[
  {"id": "https://kch.nhs.uk/other/1", "type": "SomeOtherStatus"},
  `+entryJSON(map[string]string{"statusListIndex": `"7"`})+`,
  `+entryJSON(map[string]string{"statusPurpose": `"suspension"`, "statusListIndex": `"9"`, "id": `"https://kch.nhs.uk/status/2#9"`, "statusListCredential": `"https://kch.nhs.uk/status/2"`})+`
]`)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := Entries(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Index != 7 || entries[1].Index != 9 || entries[1].Purpose != PurposeSuspension {
		t.Fatalf("entries = %+v", entries)
	}
}

func TestTypedObjectRefusesEntriesItCannotWrite(t *testing.T) {
	tests := []struct {
		name string
		e    Entry
	}{
		{"no purpose", Entry{Index: 1, ListCredential: "https://kch.nhs.uk/status/1"}},
		{"a negative index", Entry{Purpose: "revocation", Index: -1, ListCredential: "https://kch.nhs.uk/status/1"}},
		{"an index beyond any list", Entry{Purpose: "revocation", Index: MaxEntries, ListCredential: "https://kch.nhs.uk/status/1"}},
		{"a relative list URL", Entry{Purpose: "revocation", Index: 1, ListCredential: "status/1"}},
		{"an id equal to the list URL", Entry{ID: "https://kch.nhs.uk/status/1", Purpose: "revocation", Index: 1, ListCredential: "https://kch.nhs.uk/status/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.e.TypedObject(); !errors.Is(err, ErrMalformed) {
				t.Fatalf("error = %v, want ErrMalformed", err)
			}
		})
	}
}
