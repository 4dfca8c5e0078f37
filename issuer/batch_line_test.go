package issuer

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/vc/status"
)

// TestEveryFormatFitsAJSONLine: a batch in each format writes a line a
// credential into one JSON Lines file (the ECDSA suites differ only in
// the key).
func TestEveryFormatFitsAJSONLine(t *testing.T) {
	for _, f := range []Format{FormatJWT, FormatEdDSARDFC2022, FormatEdDSAJCS2022} {
		t.Run(string(f), func(t *testing.T) {
			o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
			out := filepath.Join(t.TempDir(), "out")
			opts := batchOptions(out)
			opts.Output, opts.Format = OutputJSONL, f
			res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, trainingRows(7), opts)
			if err != nil || res.Issued != 7 {
				t.Fatalf("%+v %v", res, err)
			}
			lines := jsonlLines(t, out)
			if len(lines) != 7 {
				t.Fatalf("%d lines", len(lines))
			}
			for _, cred := range lines {
				if (f == FormatJWT) != !strings.HasPrefix(string(cred), "{") {
					t.Errorf("%s line: %.40s", f, cred)
				}
			}
		})
	}
}

func TestFitsLineRefusesWhatWouldBreakALine(t *testing.T) {
	for _, tt := range []struct {
		signed string
		fits   bool
	}{
		{"eyJh.e30.c2ln", true},
		{"eyJh.e30.c2ln~WyJh~", false},
		{`{"a":"b"}`, true},
		{"", false},
		{`eyJh"},"x":"`, false},
		{`eyJh\`, false},
		{"eyJh e30", false},
		{`{"a":`, false},
		{"{\"a\":1}x", false},
	} {
		if got := fitsLine([]byte(tt.signed)); got != tt.fits {
			t.Errorf("fitsLine(%q) = %v", tt.signed, got)
		}
	}
}

// TestAKeyThatCannotSignTheFormatReservesNothing: a batch, a row or a
// credential in a format the organisation's key cannot sign (or in no
// format staffpass knows) is refused before anything is
// reserved, so that the rows can then be issued in a format it can sign
// (a reservation is finished only in its own format).
func TestAKeyThatCannotSignTheFormatReservesNothing(t *testing.T) {
	for _, tt := range []struct {
		key        keys.KeyType
		bad, good  Format
		wantInText string
	}{
		{keys.Ed25519, FormatECDSARDFC2019, FormatEdDSARDFC2022, "Ed25519"},
		{keys.Ed25519, FormatECDSAJCS2019, FormatJWT, "Ed25519"},
		{keys.P256, FormatEdDSAJCS2022, FormatECDSAJCS2019, "P-256"},
	} {
		t.Run(string(tt.key)+"/"+string(tt.bad), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "org")
			if _, err := InitOrganisation(context.Background(), dir, "riverside.nhs.example", InitOptions{KeyType: tt.key}); err != nil {
				t.Fatal(err)
			}
			o := openTestOrg(t, dir)
			rows := trainingRows(3)
			opts := batchOptions(filepath.Join(t.TempDir(), "out"))
			opts.Format = tt.bad
			res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
			if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), tt.wantInText) || res != nil {
				t.Fatalf("batch in %s = %+v, %v", tt.bad, res, err)
			}
			if _, _, err := IssueOne(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows[0], opts); !errors.Is(err, ErrOptions) {
				t.Fatalf("one row in %s: %v", tt.bad, err)
			}
			r, err := staff.ParseRow(staff.TypeMandatoryTraining, rows[1], staff.DateOf(batchNow))
			if err != nil {
				t.Fatal(err)
			}
			claims, err := r.Claims(nil)
			if err != nil {
				t.Fatal(err)
			}
			cred, err := staff.NewCredential(claims, staff.Meta{Issuer: o.org.DID, Subject: r.Subject, ValidFrom: batchNow})
			if err != nil {
				t.Fatal(err)
			}
			data, err := cred.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			is := Issuance{Credential: data, Key: r.IssuanceKey(), Format: tt.bad, Actor: "hr"}
			if _, _, err := IssueRecorded(context.Background(), o.reg, o.signer, is, batchNow); !errors.Is(err, ErrOptions) {
				t.Fatalf("a credential in %s: %v", tt.bad, err)
			}
			is.Format = "jwt2"
			if _, _, err := IssueRecorded(context.Background(), o.reg, o.signer, is, batchNow); !errors.Is(err, ErrOptions) {
				t.Fatalf("a credential in an unknown format: %v", err)
			}
			if n := len(allRecords(t, o.reg, staff.TypeMandatoryTraining)); n != 0 {
				t.Fatalf("%d credentials reserved", n)
			}
			opts.Format = tt.good
			res, err = IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, opts)
			if err != nil || res.Issued != 3 {
				t.Fatalf("then in %s: %+v %v", tt.good, res, err)
			}
		})
	}
}

// TestACredentialRecordedIndentedIsWrittenOnOneLine: a credential recorded
// with new lines in it (a Data Integrity credential 'staffpass issue'
// signed from an indented document under a row's key) is written to the
// JSON Lines file compact, on one line, whether it was signed now or found
// issued.
func TestACredentialRecordedIndentedIsWrittenOnOneLine(t *testing.T) {
	dir := t.TempDir()
	s, err := openJSONL(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	indented := "{\r\n  \"id\": \"urn:uuid:1\",\n  \"proof\": {\"type\": \"DataIntegrityProof\"}\n}"
	found := &item{key: "E1|T|2026-01-01", outcome: alreadyIssued, signed: []byte(indented), out: outputPlacement{name: "e1.json", staffID: "E1"}}
	signed := &item{key: "E2|T|2026-01-01", outcome: issued, signed: []byte(indented), out: outputPlacement{name: "e2.json", staffID: "E2"}}
	if err := s.write([]*item{found, signed}, func(*item) bool { return true }, 1); err != nil {
		t.Fatal(err)
	}
	for _, it := range []*item{found, signed} {
		if it.failedAlready() {
			t.Fatalf("%s failed: %v", it.key, it.failures)
		}
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	lines := jsonlLines(t, dir)
	const compact = `{"id":"urn:uuid:1","proof":{"type":"DataIntegrityProof"}}`
	if len(lines) != 2 || string(lines[found.key]) != compact || string(lines[signed.key]) != compact {
		t.Fatalf("lines %q", lines)
	}
	if string(signed.signed) != compact || string(found.signed) != indented {
		t.Errorf("recorded forms: signed now %q, found %q", signed.signed, found.signed)
	}
}

// TestARowRecordedInAnotherFormatSaysSoWithoutCallingItIssued: a row whose
// key a run reserved in another format (and never signed) fails at its
// subject, and the reason does not claim the credential was issued.
func TestARowRecordedInAnotherFormatSaysSoWithoutCallingItIssued(t *testing.T) {
	o := newTestOrg(t, filepath.Join(t.TempDir(), "org"))
	rows := trainingRows(2)
	r, err := staff.ParseRow(staff.TypeMandatoryTraining, rows[0], staff.DateOf(batchNow))
	if err != nil {
		t.Fatal(err)
	}
	got, err := o.reg.ReserveMany(context.Background(), []registry.Reservation{{
		IssuanceKey: r.IssuanceKey(), Type: r.Type, Subject: r.Subject, Format: string(FormatEdDSAJCS2022),
		Purposes: []string{status.PurposeRevocation, status.PurposeSuspension}, Actor: "hr.batch",
	}})
	if err != nil || got[0].Err != nil {
		t.Fatalf("%+v %v", got, err)
	}
	res, err := IssueBatch(context.Background(), o.reg, o.signer, staff.TypeMandatoryTraining, rows, batchOptions(filepath.Join(t.TempDir(), "out")))
	if err != nil || res.Issued != 1 || res.Failed != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	f := res.Failures[0]
	if f.Column != staff.ColumnSubject || !strings.Contains(f.Error(), "reserved or issued") || strings.Contains(f.Error(), "was issued") {
		t.Errorf("failure %q at %q", f.Error(), f.Column)
	}
}
