package vc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// addVectorSeeds adds every JSON vector of the three vector folders, and
// the test documents, as seeds.
func addVectorSeeds(f *testing.F) {
	for _, pattern := range []string{
		filepath.Join(suiteDir, "*.json"),
		filepath.Join(suiteDir, "input", "*.json"),
		filepath.Join(suiteDir, "input", "names-and-descriptions", "*.json"),
		filepath.Join(dataModelDir, "examples", "*.json"),
		filepath.Join(dataModelDir, "schema", "*", "example-*.json"),
		filepath.Join(joseDir, "examples", "*.json"),
	} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{staffCredential, minimalV1, jwtEnvelope, presentationWith(`[`+staffCredential+`,`+jwtEnvelope+`]`, `"proof":{"type":"DataIntegrityProof"}`)} {
		f.Add([]byte(s))
	}
}

// checkRoundTrip checks that what a parser accepted marshals to JSON with
// the same members and values, and that the output parses back to an
// equal value.
func checkRoundTrip[T json.Marshaler](t *testing.T, in []byte, v T, parse func([]byte) (T, error)) {
	out, err := v.MarshalJSON()
	if err != nil {
		t.Fatalf("accepted %q but MarshalJSON failed: %v", in, err)
	}
	sameJSON(t, in, out)
	again, err := parse(out)
	if err != nil {
		t.Fatalf("accepted %q but not its marshalled form %q: %v", in, out, err)
	}
	if !reflect.DeepEqual(v, again) {
		t.Fatalf("re-parsed value differs:\n%#v\n%#v", v, again)
	}
}

// checkStringsStay changes every byte of every json.RawMessage in v, as a
// caller may, and fails if any string in v changed with them: the parser
// keeps strings and raw values in one copy of the input, and must never
// keep a string from inside a value it hands out raw. It spoils v's raw
// values, so it runs last.
func checkStringsStay(t *testing.T, in []byte, v any) {
	t.Helper()
	before := parsedStrings(v)
	walkParsed(reflect.ValueOf(v), func(string) {}, func(raw []byte) {
		for i := range raw {
			raw[i] ^= 0x55
		}
	})
	if after := parsedStrings(v); !slices.Equal(before, after) {
		t.Fatalf("parsing %q: changing the raw values changed the strings:\n%q\n%q", in, before, after)
	}
}

// parsedStrings returns every string in v (fields, elements, map keys),
// sorted.
func parsedStrings(v any) []string {
	var out []string
	walkParsed(reflect.ValueOf(v), func(s string) { out = append(out, strings.Clone(s)) }, func([]byte) {})
	slices.Sort(out)
	return out
}

// walkParsed calls str with each string and raw with each json.RawMessage
// in a parsed value.
func walkParsed(v reflect.Value, str func(string), raw func([]byte)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkParsed(v.Elem(), str, raw)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			walkParsed(v.Field(i), str, raw)
		}
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			raw(v.Bytes())
			return
		}
		for i := range v.Len() {
			walkParsed(v.Index(i), str, raw)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			walkParsed(it.Key(), str, raw)
			walkParsed(it.Value(), str, raw)
		}
	case reflect.String:
		str(v.String())
	}
}

func FuzzParse(f *testing.F) {
	addVectorSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		d, docErr := ParseDocument(data)
		if err == nil {
			if docErr != nil || d.Kind != KindCredential {
				t.Fatalf("Parse accepts %q but ParseDocument says %v, %v", data, d, docErr)
			}
			checkRoundTrip(t, data, c, Parse)
			c.ValidityPeriod()
			c.SubjectIDs()
			c.ContextURLs()
		}
		if docErr == nil && d.Envelope != nil {
			checkRoundTrip(t, data, d.Envelope, func(b []byte) (*Envelope, error) {
				d, err := ParseDocument(b)
				if err != nil {
					return nil, err
				}
				return d.Envelope, nil
			})
			if _, err := d.Envelope.DataURL(); err == nil && d.Envelope.MediaType() == "" {
				t.Fatalf("envelope %q decodes but has no media type", d.Envelope.ID)
			}
		}
		if err == nil {
			checkStringsStay(t, data, c)
		}
		if docErr == nil {
			checkStringsStay(t, data, d)
		}
	})
}

func FuzzParsePresentation(f *testing.F) {
	addVectorSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePresentation(data)
		if err != nil {
			return
		}
		checkRoundTrip(t, data, p, ParsePresentation)
		for _, pc := range p.VerifiableCredential.Items {
			if (pc.Credential == nil) == (pc.Envelope == nil) {
				t.Fatalf("presented credential with %v credential and %v envelope", pc.Credential != nil, pc.Envelope != nil)
			}
		}
		checkStringsStay(t, data, p)
	})
}

func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"2025-03-01T09:00:00Z", "2023-02-26T01:02:58.447Z", "2023-02-25T19:10:39-06:00", "2024-12-31T24:00:00.000Z", "-0044-03-15T12:00:00+14:00", "10000-01-01T00:00:00Z", "2025-02-30T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDateTime(s)
		if err != nil {
			return
		}
		if !dateTimeStampRE.MatchString(s) {
			t.Fatalf("accepted %q, which the spec's expression refuses", s)
		}
		if d.String() != s || d.Time().Location() != nil && d.Time().Location().String() != "UTC" {
			t.Fatalf("ParseDateTime(%q) = %q at %v", s, d, d.Time())
		}
	})
}

func FuzzParseDataURL(f *testing.F) {
	for _, s := range []string{"data:application/vc+jwt,eyJ.eyJ.sig", "data:application/vc+cose;base64,aGVsbG8=", "data:text/plain;charset=\"utf-8\",a%20b", "data:,", "data:application/vc-ld+jwt;base64url,x", "data:application/vc+jwt,eyJ.eyJ.sig\n", "data:application/\tvc+cose;base64,aGVs\r\nbG8="} {
		f.Add(s, uint16(7), byte('\n'))
	}
	f.Fuzz(func(t *testing.T, s string, at uint16, c byte) {
		u, err := ParseDataURL(s)
		// A tab or new line put anywhere changes nothing.
		if c == '\t' || c == '\n' || c == '\r' {
			i := int(at) % (len(s) + 1)
			v, err2 := ParseDataURL(s[:i] + string(c) + s[i:])
			if (err == nil) != (err2 == nil) || !reflect.DeepEqual(u, v) {
				t.Fatalf("%q read as %+v, %v, but with %q at %d as %+v, %v", s, u, err, c, i, v, err2)
			}
		}
		if err != nil {
			return
		}
		if (&Envelope{ID: s}).MediaType() != u.MediaType {
			t.Fatalf("MediaType and ParseDataURL disagree on %q", s)
		}
	})
}
