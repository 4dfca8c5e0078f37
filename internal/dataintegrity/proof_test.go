package dataintegrity

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/staffpass/staffpass/vc"
	"testing"
	"time"
)

// Every W3C vector proof reads and marshals back to the same bytes (less
// white space): member order, lexical dates and string-or-array forms are
// kept.
func TestVectorProofsRoundTripExactly(t *testing.T) {
	var docs [][]byte
	for _, v := range vectors {
		docs = append(docs, v.file(t, "signed", ".json"))
	}
	docs = append(docs, readVector(t, setChainDir+"signedProofChain2.json"))
	for _, doc := range docs {
		for _, r := range rawProofs(t, doc) {
			got, err := ParseProof(r)
			if err != nil {
				t.Fatal(err)
			}
			out, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := json.Compact(&want, r); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, want.Bytes()) {
				t.Errorf("got  %s\nwant %s", out, want.Bytes())
			}
		}
	}
}

// rawProofs returns the proof objects of doc as written.
func rawProofs(t *testing.T, doc []byte) []json.RawMessage {
	t.Helper()
	var m struct{ Proof json.RawMessage }
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	if m.Proof[0] == '{' {
		return []json.RawMessage{m.Proof}
	}
	var list []json.RawMessage
	if err := json.Unmarshal(m.Proof, &list); err != nil {
		t.Fatal(err)
	}
	return list
}

func TestParseProofKeepsWhatItRead(t *testing.T) {
	in := `{"type":"DataIntegrityProof","id":"urn:p","cryptosuite":"eddsa-jcs-2022","created":"2023-02-24T23:36:38.50+01:00","expires":"2030-01-01T00:00:00Z","verificationMethod":"did:example:a#k","proofPurpose":"authentication","challenge":"c","domain":["d"],"nonce":"n","previousProof":["urn:q"],"x-ext":{"b":1,"a":[true,null]},"@context":["https://www.w3.org/ns/credentials/v2"],"proofValue":"z2"}`
	p, err := ParseProof([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2023, 2, 24, 22, 36, 38, 5e8, time.UTC); !p.Created.Equal(want) {
		t.Errorf("created %v, want %v", p.Created, want)
	}
	if len(p.Domain) != 1 || p.Domain[0] != "d" || len(p.PreviousProof) != 1 || string(p.Extra["x-ext"]) != `{"a":[true,null],"b":1}` {
		t.Errorf("proof %+v", p)
	}
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Replace([]byte(in), []byte(`{"b":1,"a":[true,null]}`), []byte(`{"a":[true,null],"b":1}`), 1)
	if !bytes.Equal(out, want) {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	// A changed time is written in UTC to the second.
	p.Created = p.Created.Add(time.Hour)
	out, _ = json.Marshal(p)
	if !bytes.Contains(out, []byte(`"created":"2023-02-24T23:36:38Z"`)) {
		t.Errorf("changed created: %s", out)
	}
}

func TestParseProofRefusesMalformedProofs(t *testing.T) {
	base := `"cryptosuite":"eddsa-rdfc-2022","verificationMethod":"did:example:a#k","proofPurpose":"assertionMethod","proofValue":"z2"`
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"not JSON", `{`, ErrInvalidProof},
		{"an array", `[]`, ErrInvalidProof},
		{"a duplicate member", `{"type":"DataIntegrityProof","type":"DataIntegrityProof",` + base + `}`, ErrInvalidProof},
		{"no type", `{` + base + `}`, ErrInvalidProof},
		{"another type", `{"type":"JsonWebSignature2020",` + base + `}`, ErrUnsupportedSuite},
		{"an empty verification method", `{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","verificationMethod":"","proofPurpose":"assertionMethod","proofValue":"z2"}`, ErrInvalidProof},
		{"a boolean nonce", `{"type":"DataIntegrityProof",` + base + `,"nonce":true}`, ErrInvalidProof},
		{"a null @context", `{"type":"DataIntegrityProof",` + base + `,"@context":null}`, ErrInvalidProof},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseProof([]byte(tt.in)); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// vc.Format names the cryptosuites by the names this package gives them.
func TestFormatsNameTheSuites(t *testing.T) {
	for f, s := range map[vc.Format]string{vc.FormatEdDSARDFC2022: EdDSARDFC2022, vc.FormatECDSARDFC2019: ECDSARDFC2019,
		vc.FormatEdDSAJCS2022: EdDSAJCS2022, vc.FormatECDSAJCS2019: ECDSAJCS2019} {
		if string(f) != s || !f.DataIntegrity() {
			t.Errorf("format %q, suite %q", f, s)
		}
		if _, ok := lookupSuite(string(f)); !ok {
			t.Errorf("format %q is no suite", f)
		}
	}
	if vc.FormatJWT.DataIntegrity() {
		t.Error("jwt is Data Integrity")
	}
}
