package status

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/vc"
)

func newListCredential(t testing.TB) *ListCredential {
	t.Helper()
	l, err := New(MinEntries)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{3, 94567} {
		if err := l.Set(i, true); err != nil {
			t.Fatal(err)
		}
	}
	return &ListCredential{
		ID:         "https://kch.nhs.uk/status/1",
		Issuer:     "did:web:kch.nhs.uk",
		Purposes:   []string{PurposeRevocation},
		List:       l,
		ValidFrom:  time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC),
		ValidUntil: time.Date(2026, 1, 8, 9, 0, 0, 0, time.UTC),
		TTL:        24 * time.Hour,
	}
}

// roundTrip writes lc as an unsigned credential, marshals it and reads it
// back the way a verifier would.
func roundTrip(t testing.TB, lc *ListCredential) (*ListCredential, []byte) {
	t.Helper()
	c, err := lc.Credential()
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := vc.Parse(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	back, err := ReadListCredential(parsed)
	if err != nil {
		t.Fatal(err)
	}
	return back, data
}

func TestListCredentialRoundTrips(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*ListCredential)
	}{
		{"a revocation list with a validity period and a ttl", func(*ListCredential) {}},
		{"a list without validUntil or ttl", func(lc *ListCredential) { lc.ValidUntil, lc.TTL = time.Time{}, 0 }},
		{"a list for two purposes", func(lc *ListCredential) { lc.Purposes = []string{PurposeRevocation, PurposeSuspension} }},
		{"a list with its own subject id", func(lc *ListCredential) { lc.SubjectID = "https://kch.nhs.uk/status/1#bits" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lc := newListCredential(t)
			tt.change(lc)
			back, data := roundTrip(t, lc)
			want := *lc
			if want.SubjectID == "" {
				want.SubjectID = lc.ID + "#list"
			}
			if !bytes.Equal(back.List.bits, lc.List.bits) {
				t.Fatal("bits differ after the round trip")
			}
			back.List, want.List = nil, nil
			if !reflect.DeepEqual(*back, want) {
				t.Fatalf("read back %+v, want %+v", *back, want)
			}
			for _, member := range []string{`"BitstringStatusListCredential"`, `"BitstringStatusList"`, `"encodedList":"u`, `"https://www.w3.org/ns/credentials/v2"`} {
				if !bytes.Contains(data, []byte(member)) {
					t.Errorf("credential lacks %s:\n%s", member, data)
				}
			}
			if lc.TTL > 0 && !bytes.Contains(data, []byte(`"ttl":86400000`)) {
				t.Errorf("ttl not written in milliseconds:\n%s", data)
			}
		})
	}
}

func TestListCredentialOfUnchangedBitsIsTheSame(t *testing.T) {
	_, a := roundTrip(t, newListCredential(t))
	_, b := roundTrip(t, newListCredential(t))
	if !bytes.Equal(a, b) {
		t.Fatalf("two credentials of the same list differ:\n%s\n%s", a, b)
	}
}

func TestCredentialRefusesIncompleteLists(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*ListCredential)
	}{
		{"no id", func(lc *ListCredential) { lc.ID = "" }},
		{"a relative id", func(lc *ListCredential) { lc.ID = "status/1" }},
		{"no issuer", func(lc *ListCredential) { lc.Issuer = "" }},
		{"no purpose", func(lc *ListCredential) { lc.Purposes = nil }},
		{"an empty purpose", func(lc *ListCredential) { lc.Purposes = []string{""} }},
		{"no bitstring", func(lc *ListCredential) { lc.List = nil }},
		{"validUntil before validFrom", func(lc *ListCredential) { lc.ValidUntil = lc.ValidFrom.Add(-time.Second) }},
		{"a negative ttl", func(lc *ListCredential) { lc.TTL = -time.Second }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lc := newListCredential(t)
			tt.change(lc)
			if _, err := lc.Credential(); !errors.Is(err, ErrMalformed) {
				t.Fatalf("error = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestReadListCredentialRefusesMalformedLists(t *testing.T) {
	const good = `{
  "@context": ["https://www.w3.org/ns/credentials/v2"],
  "id": "https://kch.nhs.uk/status/1",
  "type": ["VerifiableCredential", "BitstringStatusListCredential"],
  "issuer": "did:web:kch.nhs.uk",
  "validFrom": "2026-01-01T09:00:00Z",
  "credentialSubject": {
    "id": "https://kch.nhs.uk/status/1#list",
    "type": "BitstringStatusList",
    "statusPurpose": "revocation",
    "encodedList": "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
    "ttl": 300000
  }
}`
	for _, tt := range []struct {
		name     string
		old, new string
		want     error
	}{
		{"a credential that is not a status list", `"BitstringStatusListCredential"`, `"EmployeeCredential"`, ErrMalformed},
		{"a subject of another type", `"type": "BitstringStatusList"`, `"type": "StatusList2021"`, ErrMalformed},
		{"a subject with two types", `"type": "BitstringStatusList"`, `"type": ["BitstringStatusList", "Other"]`, ErrMalformed},
		{"a subject without a type", `"type": "BitstringStatusList",`, ``, ErrMalformed},
		{"no statusPurpose", `"statusPurpose": "revocation",`, ``, ErrMalformed},
		{"an empty statusPurpose", `"statusPurpose": "revocation"`, `"statusPurpose": ""`, ErrMalformed},
		{"an empty statusPurpose array", `"statusPurpose": "revocation"`, `"statusPurpose": []`, ErrMalformed},
		{"a numeric statusPurpose", `"statusPurpose": "revocation"`, `"statusPurpose": 1`, ErrMalformed},
		{"no encodedList", `"encodedList": "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",`, ``, ErrMalformed},
		{"an encodedList with another multibase prefix", `"encodedList": "u`, `"encodedList": "z`, ErrMalformed},
		{"a negative ttl", `"ttl": 300000`, `"ttl": -1`, ErrMalformed},
		{"a fractional ttl", `"ttl": 300000`, `"ttl": 1.5`, ErrMalformed},
		{"a ttl string", `"ttl": 300000`, `"ttl": "300000"`, ErrMalformed},
		{"a short list", `uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA`, u(gz(t, make([]byte, 100))), ErrListLength},
		{"two subjects", `"credentialSubject": {`, `"credentialSubject": [{"id": "did:example:1", "name": "x"}, {`, ErrMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(good, tt.old, tt.new, 1)
			if doc == good {
				t.Fatal("the replacement changed nothing")
			}
			if tt.name == "two subjects" {
				doc = strings.Replace(doc, `"ttl": 300000
  }`, `"ttl": 300000
  }]`, 1)
			}
			c, err := vc.Parse([]byte(doc))
			if err != nil {
				t.Fatalf("the test document does not parse: %v", err)
			}
			if _, err := ReadListCredential(c); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
	c, err := vc.Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	lc, err := ReadListCredential(c)
	if err != nil || lc.TTL != 5*time.Minute {
		t.Fatalf("control: %+v, %v", lc, err)
	}
}

func TestReadListCredentialClampsAHugeTTL(t *testing.T) {
	for _, ttl := range []string{"9223372036854775807", "99999999999999999999999999"} {
		got, err := parseTTL([]byte(ttl))
		if err != nil || got <= 0 || got < 100*365*24*time.Hour {
			t.Fatalf("parseTTL(%s) = %v, %v; want the largest Duration", ttl, got, err)
		}
	}
}
