package staff_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
)

func seedFiles(f *testing.F, pattern string) {
	files, err := filepath.Glob(filepath.Join(examplesDir, pattern))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds for %s: %v", pattern, err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzValidate feeds credentials to Validate, FromCredential and Evaluate.
// Whatever the input: no panic; a credential the schema accepts can always
// be read into its Go type (the schema and the Go types agree); Validate
// and FromCredential agree; accepted claims pass their own rules, survive
// a JSON round trip, and can be issued again; Evaluate's error is nil
// exactly when its result is met.
func FuzzValidate(f *testing.F) {
	seedFiles(f, "valid/*.json")
	seedFiles(f, "invalid/*.json")
	role, err := staff.ParseRole(mustRead(f, "roles/bank-nurse.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := staff.Validate(data)
		if err != nil {
			if !errors.Is(err, staff.ErrInvalid) {
				t.Fatalf("Validate = %v, not a staff.ErrInvalid", err)
			}
			if strings.Contains(err.Error(), "cannot be read as") {
				t.Fatalf("the schema accepted what the Go types cannot read: %v", err)
			}
		}
		c, perr := vc.Parse(data)
		if perr != nil {
			return
		}
		claims, ferr := staff.FromCredential(c)
		if (ferr == nil) != (err == nil) {
			t.Fatalf("Validate = %v but FromCredential = %v", err, ferr)
		}
		if ferr == nil {
			issued, _ := staff.ParseDate(c.ValidFrom.String()[:10])
			if err := claims.Validate(issued); err != nil {
				t.Fatalf("accepted claims fail their rules: %v", err)
			}
			raw, err := json.Marshal(claims)
			if err != nil {
				t.Fatalf("accepted claims cannot be written: %v", err)
			}
			back := reflect.New(reflect.TypeOf(claims).Elem()).Interface()
			if err := json.Unmarshal(raw, back); err != nil || !reflect.DeepEqual(back, claims) {
				t.Fatalf("accepted claims change on a JSON round trip: %v", err)
			}
			from, until, _ := c.ValidityPeriod()
			if ids := c.SubjectIDs(); len(ids) == 1 && strings.HasPrefix(c.Issuer.ID, "did:") {
				if _, err := staff.NewCredential(claims, staff.Meta{ID: c.ID, Issuer: c.Issuer.ID, Subject: ids[0], ValidFrom: from.In(fixedZone(c.ValidFrom.String())), ValidUntil: until}); err != nil && !errors.Is(err, staff.ErrFormat) {
					t.Fatalf("accepted claims cannot be issued again: %v", err)
				}
			}
		}
		res, err := staff.Evaluate(role, []*vc.Credential{c}, time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC))
		if res == nil {
			if !errors.Is(err, staff.ErrMixedSubjects) {
				t.Fatalf("Evaluate gave no result: %v", err)
			}
			return
		}
		if res.Met() != (err == nil) {
			t.Fatalf("Evaluate: met %v, error %v", res.Met(), err)
		}
	})
}

// fixedZone returns the time zone of a dateTimeStamp's lexical form, so
// that the calendar date of validFrom is the one written.
func fixedZone(s string) *time.Location {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.UTC
	}
	return t.Location()
}

func mustRead(f *testing.F, name string) []byte {
	data, err := os.ReadFile(filepath.Join(examplesDir, name))
	if err != nil {
		f.Fatal(err)
	}
	return data
}

// FuzzParseRole: no panic; an accepted role passes Validate and reads back
// the same after a JSON round trip.
func FuzzParseRole(f *testing.F) {
	seedFiles(f, "roles/*.json")
	f.Add([]byte(`{"role":"x","title":"X","requirements":{"mandatoryTraining":{"subjects":[{"subject":"fire-safety","level":1.0}],"refreshPeriods":[{"subject":"fire-safety","level":1,"months":24}]}}}`))
	f.Add([]byte(`{"role":"x","title":"X","requirements":{"dbsCheck":{"minLevel":"standard","maxAgeDays":365}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := staff.ParseRole(data)
		if err != nil {
			if r != nil || !errors.Is(err, staff.ErrInvalid) {
				t.Fatalf("ParseRole = %v, %v", r, err)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("an accepted role fails Validate: %v", err)
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := staff.ParseRole(out)
		if err != nil || !reflect.DeepEqual(back, r) {
			t.Fatalf("the role changes on a round trip: %v\n%s", err, out)
		}
	})
}

// FuzzParseDate: ParseDate accepts exactly the YYYY-MM-DD dates from
// 0001 to 9999 that time.Parse accepts, and writes them back unchanged.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-02-29", "2023-02-29", "0001-01-01", "9999-12-31", "0000-01-01", "2025-3-3", "2025-03-03T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := staff.ParseDate(s)
		tm, terr := time.Parse("2006-01-02", s)
		want := terr == nil && tm.Year() >= 1 && len(s) == 10
		if (err == nil) != want {
			t.Fatalf("ParseDate(%q) = %v; time.Parse = %v", s, err, terr)
		}
		if err == nil && (d.String() != s || !d.Time().Equal(tm)) {
			t.Fatalf("ParseDate(%q) = %s", s, d)
		}
	})
}

// FuzzSaltedHashJSON: no panic; UnmarshalJSON accepts exactly what has a
// canonical 16-byte salt, a 32-byte digest and an integer count; an
// accepted hash is written back unchanged when its count is within the
// limits, and refused with ErrIterations when not. Seeded with the hashes
// of the example credentials.
func FuzzSaltedHashJSON(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(examplesDir, "valid", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		var doc struct {
			Subject map[string]json.RawMessage `json:"credentialSubject"`
		}
		if err := json.Unmarshal(mustRead(f, filepath.Join("valid", filepath.Base(file))), &doc); err != nil {
			f.Fatal(err)
		}
		for _, name := range []string{"certificateNumberHash", "shareCodeHash"} {
			if h, ok := doc.Subject[name]; ok {
				f.Add([]byte(h))
			}
		}
	}
	f.Add([]byte(`{"salt":"AAAAAAAAAAAAAAAAAAAAAA","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","iterations":1e5}`))
	f.Add([]byte(`{"salt":"AAAAAAAAAAAAAAAAAAAAAA","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","iterations":9999}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var h staff.SaltedHash
		if err := json.Unmarshal(data, &h); err != nil {
			return
		}
		if len(h.Salt) != staff.SaltLen || len(h.Digest) != 32 {
			t.Fatalf("accepted a salt of %d and a digest of %d bytes", len(h.Salt), len(h.Digest))
		}
		out, err := json.Marshal(h)
		if h.Iterations < limits.MinHashIterations || h.Iterations > limits.MaxHashIterations {
			if !errors.Is(err, staff.ErrIterations) {
				t.Fatalf("a count of %d was written: %v", h.Iterations, err)
			}
			if h.Matches("A1") {
				t.Fatalf("a count of %d matches", h.Iterations)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var back staff.SaltedHash
		if err := json.Unmarshal(out, &back); err != nil || !back.Equal(h) {
			t.Fatalf("round trip: %v, %+v", err, back)
		}
	})
}
