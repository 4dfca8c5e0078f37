package vc

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
)

// staffCredential is a typical credential: one subject, a status entry, a
// schema and a Data Integrity proof.
const staffCredential = `{
  "@context": [
    "https://www.w3.org/ns/credentials/v2",
    "https://staffpass.nhs.uk/contexts/staff/v1"
  ],
  "id": "urn:uuid:5a6b2f0c-8d0a-4d7e-9a53-0f2e8c1d7b44",
  "type": ["VerifiableCredential", "DBSCheckCredential"],
  "issuer": {"id": "did:web:kch.nhs.uk", "name": "King's College Hospital NHS Foundation Trust"},
  "validFrom": "2025-03-01T09:00:00Z",
  "validUntil": "2028-03-01T09:00:00Z",
  "credentialSubject": {
    "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "name": "Alex Example",
    "dbsCheck": {"level": "enhanced", "barredLists": ["adults", "children"], "certificateIssued": "2025-02-20"}
  },
  "credentialStatus": {
    "id": "https://kch.nhs.uk/status/1#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://kch.nhs.uk/status/1"
  },
  "credentialSchema": {"id": "https://staffpass.nhs.uk/schemas/dbs/v1.json", "type": "JsonSchema"},
  "proof": {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2025-03-01T09:00:00Z",
    "verificationMethod": "did:web:kch.nhs.uk#key-1",
    "proofPurpose": "assertionMethod",
    "proofValue": "z58DAdFfa9SkqZMVPxAQpic7ndSayn1PzZs6ZjWp1CktyGesjuTSwRdoWhAfGFCF5bppETSTojQCrfFPP2oumHKtz"
  }
}`

// credentialWith returns staffCredential with member name set to the
// raw JSON value v, or removed when v is "".
func credentialWith(name, v string) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(staffCredential), &m); err != nil {
		panic(err)
	}
	if v == "" {
		delete(m, name)
	} else {
		m[name] = json.RawMessage(v)
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

const minimalV1 = `{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential"],"issuer":"did:example:1","issuanceDate":"2020-01-01T00:00:00Z","credentialSubject":{"id":"did:example:2"}}`

func TestParseRefusesBrokenCredentials(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		err     error
		pointer string
	}{
		{"a wrong first context is refused", credentialWith("@context", `["https://www.w3.org/ns/credentials/examples/v2","https://www.w3.org/ns/credentials/v2"]`), ErrContext, "/@context/0"},
		{"a context that is a number is refused", credentialWith("@context", `5`), ErrContext, "/@context"},
		{"an empty context array is refused", credentialWith("@context", `[]`), ErrContext, "/@context"},
		{"a null context entry is refused", credentialWith("@context", `["https://www.w3.org/ns/credentials/v2",null]`), ErrContext, "/@context/1"},
		{"a context entry that is not a URL is refused", credentialWith("@context", `["https://www.w3.org/ns/credentials/v2","contexts/v1"]`), ErrContext, "/@context/1"},
		{"more contexts than the limit are refused", credentialWith("@context", `["https://www.w3.org/ns/credentials/v2"`+strings.Repeat(`,"https://e.example/c"`, limits.MaxContexts)+`]`), ErrLimit, "/@context"},
		{"a missing context is refused", credentialWith("@context", ""), ErrContext, ""},
		{"a missing type is refused", credentialWith("type", ""), ErrType, ""},
		{"a type without VerifiableCredential is refused", credentialWith("type", `["DBSCheckCredential"]`), ErrType, "/type"},
		{"an empty type array is refused", credentialWith("type", `[]`), ErrType, "/type"},
		{"an empty type string is refused", credentialWith("type", `["VerifiableCredential",""]`), ErrType, "/type/1"},
		{"a type that is an object is refused", credentialWith("type", `{"id":"VerifiableCredential"}`), ErrType, "/type"},
		{"more types than the limit are refused", credentialWith("type", `["VerifiableCredential"`+strings.Repeat(`,"T"`, limits.MaxTypes)+`]`), ErrLimit, "/type"},
		{"an id that is null is refused", credentialWith("id", `null`), ErrID, "/id"},
		{"two ids are refused", credentialWith("id", `["urn:uuid:1","urn:uuid:2"]`), ErrID, "/id"},
		{"a relative id is refused", credentialWith("id", `"/credentials/1"`), ErrID, "/id"},
		{"an id with a space is refused", credentialWith("id", `"https://kch.nhs.uk/a b"`), ErrID, "/id"},
		{"a missing issuer is refused", credentialWith("issuer", ""), ErrIssuer, ""},
		{"a null issuer is refused", credentialWith("issuer", `null`), ErrIssuer, "/issuer"},
		{"an issuer that is a number is refused", credentialWith("issuer", `1`), ErrIssuer, "/issuer"},
		{"an issuer object without an id is refused", credentialWith("issuer", `{"name":"KCH"}`), ErrIssuer, "/issuer"},
		{"an issuer id that is not a URL is refused", credentialWith("issuer", `{"id":"kch"}`), ErrIssuer, "/issuer/id"},
		{"an issuer name that is a number is refused", credentialWith("issuer", `{"id":"did:web:kch.nhs.uk","name":7}`), ErrText, "/issuer/name"},
		{"a missing credentialSubject is refused", credentialWith("credentialSubject", ""), ErrSubject, ""},
		{"a subject with no claims is refused", credentialWith("credentialSubject", `{}`), ErrSubject, "/credentialSubject"},
		{"an empty subject array is refused", credentialWith("credentialSubject", `[]`), ErrSubject, "/credentialSubject"},
		{"a subject that is a string is refused", credentialWith("credentialSubject", `"did:example:1"`), ErrSubject, "/credentialSubject"},
		{"a second subject with no claims is refused", credentialWith("credentialSubject", `[{"id":"did:example:1"},{}]`), ErrSubject, "/credentialSubject/1"},
		{"a subject id that is not a URL is refused", credentialWith("credentialSubject", `{"id":"alex"}`), ErrID, "/credentialSubject/id"},
		{"more subjects than the limit are refused", credentialWith("credentialSubject", `[`+strings.Repeat(`{"a":1},`, limits.MaxSubjects)+`{"a":1}]`), ErrLimit, "/credentialSubject"},
		{"a validFrom without a time zone is refused", credentialWith("validFrom", `"2025-03-01T09:00:00"`), ErrDate, "/validFrom"},
		{"a validFrom that is a date only is refused", credentialWith("validFrom", `"2025-03-01"`), ErrDate, "/validFrom"},
		{"a validFrom that is a number is refused", credentialWith("validFrom", `1740819600`), ErrDate, "/validFrom"},
		{"February 30th is refused", credentialWith("validUntil", `"2028-02-30T09:00:00Z"`), ErrDate, "/validUntil"},
		{"24:00 with seconds is refused", credentialWith("validUntil", `"2028-02-28T24:00:01Z"`), ErrDate, "/validUntil"},
		{"an offset beyond 14:00 is refused", credentialWith("validUntil", `"2028-02-28T12:00:00+14:30"`), ErrDate, "/validUntil"},
		{"a validUntil before validFrom is refused", credentialWith("validUntil", `"2024-03-01T09:00:00Z"`), ErrValidityPeriod, "/validUntil"},
		{"a validUntil before validFrom in another zone is refused", credentialWith("validUntil", `"2025-03-01T09:30:00+01:00"`), ErrValidityPeriod, "/validUntil"},
		{"a name that is a number is refused", credentialWith("name", `5`), ErrText, "/name"},
		{"a name object without @value is refused", credentialWith("name", `{"@language":"en"}`), ErrText, "/name"},
		{"a name with a malformed language tag is refused", credentialWith("name", `{"@value":"DBS","@language":"en_GB"}`), ErrText, "/name/@language"},
		{"a name with an unknown direction is refused", credentialWith("name", `{"@value":"DBS","@direction":"up"}`), ErrText, "/name/@direction"},
		{"an empty description array is refused", credentialWith("description", `[]`), ErrText, "/description"},
		{"a status entry without a type is refused", credentialWith("credentialStatus", `{"id":"https://kch.nhs.uk/status/1#1"}`), ErrEntry, "/credentialStatus"},
		{"a status id that is not a URL is refused", credentialWith("credentialStatus", `{"id":"status-1","type":"BitstringStatusListEntry"}`), ErrID, "/credentialStatus/id"},
		{"a status that is a string is refused", credentialWith("credentialStatus", `"https://kch.nhs.uk/status/1"`), ErrEntry, "/credentialStatus"},
		{"an empty status array is refused", credentialWith("credentialStatus", `[]`), ErrEntry, "/credentialStatus"},
		{"a schema without an id is refused", credentialWith("credentialSchema", `[{"id":"https://e.example/s.json","type":"JsonSchema"},{"type":"JsonSchema"}]`), ErrEntry, "/credentialSchema/1"},
		{"evidence without a type is refused", credentialWith("evidence", `[{"id":"https://e.example/e/1"}]`), ErrEntry, "/evidence/0"},
		{"terms of use without a type are refused", credentialWith("termsOfUse", `{}`), ErrEntry, "/termsOfUse"},
		{"a refresh service without a type is refused", credentialWith("refreshService", `{"url":"https://e.example/r"}`), ErrEntry, "/refreshService"},
		{"a related resource without a digest is refused", credentialWith("relatedResource", `[{"id":"https://www.w3.org/ns/credentials/v2"}]`), ErrEntry, "/relatedResource/0"},
		{"a related resource without an id is refused", credentialWith("relatedResource", `{"digestSRI":"sha384-x"}`), ErrEntry, "/relatedResource"},
		{"a proof that is a string is refused", credentialWith("proof", `"eyJhbGciOiJFZERTQSJ9..sig"`), ErrProof, "/proof"},
		{"a proof without a type is refused", credentialWith("proof", `[{"type":"DataIntegrityProof"},{"proofValue":"z1"}]`), ErrProof, "/proof/1"},
		{"more proofs than the limit are refused", credentialWith("proof", `[`+strings.Repeat(`{"type":"DataIntegrityProof"},`, limits.MaxProofs)+`{"type":"DataIntegrityProof"}]`), ErrLimit, "/proof"},
		{"a duplicate member name is refused", strings.Replace(staffCredential, `"type": [`, `"issuer": "did:example:evil", "type": [`, 1), ErrSyntax, "/issuer"},
		{"a duplicate spelt with an escape is refused", strings.Replace(staffCredential, `"type": [`, `"iss\u0075er": "did:example:evil", "type": [`, 1), ErrSyntax, "/issuer"},
		{"a member name spelt with an escape is judged by its meaning", strings.Replace(credentialWith("issuer", ""), `{"@context":`, `{"iss\u0075er":null,"@context":`, 1), ErrIssuer, "/issuer"},
		{"invalid UTF-8 is refused", strings.Replace(staffCredential, "Alex", "Al\xffex", 1), ErrSyntax, "/credentialSubject/name"},
		{"a document over the size limit is refused", credentialWith("padding", `"`+strings.Repeat("x", limits.MaxDocumentBytes)+`"`), ErrSyntax, ""},
		{"nesting deeper than the limit is refused", credentialWith("deep", strings.Repeat("[", limits.MaxJSONDepth+1)+strings.Repeat("]", limits.MaxJSONDepth+1)), ErrSyntax, "/deep" + strings.Repeat("/0", limits.MaxJSONDepth-1)},
		{"trailing data is refused", staffCredential + "{}", ErrSyntax, ""},
		{"an array is not a credential", `[` + staffCredential + `]`, ErrSyntax, ""},
		{"an empty document is refused", ``, ErrSyntax, ""},
		{"a VCDM 1.1 credential without issuanceDate is refused", strings.Replace(minimalV1, `"issuanceDate":"2020-01-01T00:00:00Z",`, "", 1), ErrDate, ""},
		{"a VCDM 1.1 issuanceDate without a time zone is refused", strings.Replace(minimalV1, `00:00:00Z"`, `00:00:00"`, 1), ErrDate, "/issuanceDate"},
		{"a VCDM 1.1 status entry without an id is refused", strings.Replace(minimalV1, `"issuer"`, `"credentialStatus":{"type":"StatusList2021Entry"},"issuer"`, 1), ErrEntry, "/credentialStatus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			if c != nil {
				t.Error("returned a credential with an error")
			}
			if !errors.Is(err, ErrInvalid) || !errors.Is(err, tt.err) {
				t.Fatalf("error %v; want %v", err, tt.err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T, want *ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.Pointer == tt.pointer && p.Err == tt.err {
					return
				}
			}
			t.Errorf("no %v problem at %q: %v", tt.err, tt.pointer, ve.Problems)
		})
	}
}

func TestParseWrapsTheStrictJSONError(t *testing.T) {
	_, err := Parse([]byte(`{"id":"urn:uuid:1","id":"urn:uuid:2"}`))
	var se *strictjson.Error
	if !errors.As(err, &se) || !errors.Is(err, strictjson.ErrInvalid) || !errors.Is(err, ErrSyntax) {
		t.Fatalf("error %v does not wrap a *strictjson.Error and ErrSyntax", err)
	}
	if se.Pointer != "/id" {
		t.Errorf("strict JSON error at %q, want /id", se.Pointer)
	}
}

func TestParseReportsEveryProblemInDocumentOrder(t *testing.T) {
	in := `{
	  "@context": ["https://www.w3.org/ns/credentials/v2", 7],
	  "id": "not a url",
	  "type": ["VerifiableCredential"],
	  "issuer": {"name": "KCH"},
	  "validFrom": "2025-03-01T09:00:00Z",
	  "validUntil": "2025-02-01T09:00:00Z",
	  "credentialSubject": [{"id": "did:example:1"}, {}],
	  "credentialStatus": {"id": "https://e.example/s"}
	}`
	_, err := Parse([]byte(in))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v, want *ValidationError", err)
	}
	want := []Problem{
		{Pointer: "/@context/1", Err: ErrContext},
		{Pointer: "/id", Err: ErrID},
		{Pointer: "/issuer", Err: ErrIssuer},
		{Pointer: "/credentialSubject/1", Err: ErrSubject},
		{Pointer: "/credentialStatus", Err: ErrEntry},
		{Pointer: "/validUntil", Err: ErrValidityPeriod},
	}
	if len(ve.Problems) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(ve.Problems), len(want), ve.Problems)
	}
	for i, w := range want {
		if p := ve.Problems[i]; p.Pointer != w.Pointer || p.Err != w.Err || p.Message == "" {
			t.Errorf("problem %d = %v (%v), want %v at %s", i, p, p.Err, w.Err, w.Pointer)
		}
	}
	for _, kind := range []error{ErrContext, ErrID, ErrIssuer, ErrSubject, ErrEntry, ErrValidityPeriod} {
		if !errors.Is(err, kind) {
			t.Errorf("errors.Is(err, %v) = false", kind)
		}
	}
	if errors.Is(err, ErrType) {
		t.Error("errors.Is(err, ErrType) = true for a document with a good type")
	}
	msg := err.Error()
	for _, s := range []string{"/validUntil: validUntil 2025-02-01T09:00:00Z is before validFrom 2025-03-01T09:00:00Z", `/id: the credential id "not a url" is not a URL`} {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q lacks %q", msg, s)
		}
	}
}

func TestParseCapsTheProblemsItKeeps(t *testing.T) {
	n := limits.MaxProblems + 50
	in := credentialWith("credentialSubject", "["+strings.TrimSuffix(strings.Repeat("{},", n), ",")+"]")
	_, err := Parse([]byte(in))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v, want *ValidationError", err)
	}
	if len(ve.Problems) != limits.MaxProblems || ve.Omitted != 50 {
		t.Errorf("%d problems and %d omitted, want %d and 50", len(ve.Problems), ve.Omitted, limits.MaxProblems)
	}
	if !strings.HasSuffix(err.Error(), "; and 50 more") {
		t.Errorf("message does not count the omitted problems: ...%s", err.Error()[len(err.Error())-40:])
	}
}

func TestParseReadsATypicalCredential(t *testing.T) {
	c, err := Parse([]byte(staffCredential))
	if err != nil {
		t.Fatal(err)
	}
	if c.Version() != V2 {
		t.Errorf("Version() = %v, want 2.0", c.Version())
	}
	if got := fmt.Sprint(c.ContextURLs()); got != "[https://www.w3.org/ns/credentials/v2 https://staffpass.nhs.uk/contexts/staff/v1]" {
		t.Errorf("ContextURLs() = %s", got)
	}
	if !c.HasType("DBSCheckCredential") || !c.HasType(TypeCredential) || c.HasType("Other") {
		t.Errorf("HasType wrong for %v", c.Type.Items)
	}
	if c.Issuer.ID != "did:web:kch.nhs.uk" || !c.Issuer.Object || c.Issuer.Name.Items[0].Value != "King's College Hospital NHS Foundation Trust" {
		t.Errorf("Issuer = %+v", c.Issuer)
	}
	if got := c.SubjectIDs(); len(got) != 1 || got[0] != "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK" {
		t.Errorf("SubjectIDs() = %v", got)
	}
	if _, ok := c.CredentialSubject.Items[0].Claims["dbsCheck"]; !ok || !c.CredentialSubject.Single {
		t.Errorf("subject = %+v", c.CredentialSubject)
	}
	from, until, _ := c.ValidityPeriod()
	if !from.Equal(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)) || !until.Equal(time.Date(2028, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("ValidityPeriod() = %v, %v", from, until)
	}
	if st := c.CredentialStatus.Items[0]; st.ID != "https://kch.nhs.uk/status/1#94567" || string(st.Extra["statusListIndex"]) != `"94567"` {
		t.Errorf("status = %+v", st)
	}
	if c.Proof.Len() != 1 || !strings.Contains(string(c.Proof.Items[0]), "eddsa-rdfc-2022") {
		t.Errorf("proof = %s", c.Proof.Items)
	}
	roundTrip(t, []byte(staffCredential), c)
}

// TestValidityPeriodJudgesBothVersions: a bound named as the other version
// of the data model names it is kept as an extra member, and is a bound all
// the same.
func TestValidityPeriodJudgesBothVersions(t *testing.T) {
	in := strings.Replace(minimalV1, `"issuer"`, `"expirationDate":"2030-01-01T00:00:00+01:00","validFrom":"2021-01-01T00:00:00Z","validUntil":"2029-06-01T00:00:00Z","issuer"`, 1)
	c, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	bounds, err := c.ValidityBounds()
	if err != nil || len(bounds) != 4 {
		t.Fatalf("ValidityBounds() = %v, %v; want four", bounds, err)
	}
	from, until, err := c.ValidityPeriod()
	if err != nil || !from.Equal(time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)) || !until.Equal(time.Date(2029, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ValidityPeriod() = %v, %v, %v; want the latest start and the earliest end", from, until, err)
	}
	for _, bad := range []string{`["2029-06-01T00:00:00Z"]`, `{"@value":"2029-06-01T00:00:00Z"}`, `"2029-06-01"`, `null`} {
		in := strings.Replace(minimalV1, `"issuer"`, `"validUntil":`+bad+`,"issuer"`, 1)
		c, err := Parse([]byte(in))
		if err != nil {
			continue // refused outright
		}
		if _, _, err := c.ValidityPeriod(); !errors.Is(err, ErrDate) {
			t.Errorf("validUntil %s in a 1.1 credential: ValidityPeriod() error %v, want ErrDate", bad, err)
		}
	}
}

func TestParseReadsVCDM11Dates(t *testing.T) {
	in := strings.Replace(minimalV1, `"issuer"`, `"expirationDate":"2030-01-01T00:00:00+01:00","validFrom":"kept as an extra","issuer"`, 1)
	c, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if c.Version() != V1 {
		t.Errorf("Version() = %v, want 1.1", c.Version())
	}
	if _, _, err := c.ValidityPeriod(); !errors.Is(err, ErrDate) {
		t.Errorf("ValidityPeriod() with a validFrom that is no date: %v, want ErrDate", err)
	}
	if !c.ValidFrom.IsZero() || string(c.Extra["validFrom"]) != `"kept as an extra"` {
		t.Errorf("validFrom of a 1.1 credential read as a 2.0 term: %v, %s", c.ValidFrom, c.Extra["validFrom"])
	}
	roundTrip(t, []byte(in), c)
}

func TestVCDM20CredentialKeepsIssuanceDateAsAnExtra(t *testing.T) {
	// The Bitstring Status List spec's example 6 still writes issuanceDate
	// under the v2 context; it is not a VCDM 2.0 term.
	in := credentialWith("issuanceDate", `"not judged"`)
	c, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if !c.IssuanceDate.IsZero() || string(c.Extra["issuanceDate"]) != `"not judged"` {
		t.Errorf("issuanceDate = %v, extra %s", c.IssuanceDate, c.Extra["issuanceDate"])
	}
}

func TestMarshalKeepsEachForm(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"a bare context string stays a string", credentialWith("@context", `"https://www.w3.org/ns/credentials/v2"`)},
		{"a one-element type array stays an array", credentialWith("type", `["VerifiableCredential"]`)},
		{"a bare type string stays a string", credentialWith("type", `"VerifiableCredential"`)},
		{"an issuer object with only an id stays an object", credentialWith("issuer", `{"id":"did:web:kch.nhs.uk"}`)},
		{"an issuer URL stays a URL", credentialWith("issuer", `"did:web:kch.nhs.uk"`)},
		{"a one-subject array stays an array", credentialWith("credentialSubject", `[{"id":"did:example:1"}]`)},
		{"a plain name stays a string", credentialWith("name", `"DBS"`)},
		{"a language value with only @value stays an object", credentialWith("name", `{"@value":"DBS"}`)},
		{"mixed names stay mixed", credentialWith("name", `["DBS",{"@value":"DBS","@language":"en-GB","@direction":"ltr"}]`)},
		{"fractional seconds and offsets stay as written", credentialWith("validUntil", `"2028-03-01T10:00:00.500000+01:00"`)},
		{"24:00:00 stays as written", credentialWith("validUntil", `"2028-02-29T24:00:00Z"`)},
		{"a five-digit year stays as written", credentialWith("validUntil", `"12028-03-01T09:00:00Z"`)},
		{"an embedded context object stays as written", credentialWith("@context", `["https://www.w3.org/ns/credentials/v2",{"@protected":true,"x":"https://e.example/x"}]`)},
		{"unknown members and escapes stay as written", credentialWith("x-ref", `{"a":[1,2.50,"\u00e9<&>"],"b":null}`)},
		{"related resources stay as written", credentialWith("relatedResource", `[{"id":"https://www.w3.org/ns/credentials/v2","digestSRI":"sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU","mediaType":"application/ld+json","note":1}]`)},
		{"a proof set stays a set", credentialWith("proof", `[{"type":"DataIntegrityProof","id":"urn:p:1"},{"type":"DataIntegrityProof","previousProof":"urn:p:1"}]`)},
		{"names with a slash escape in a member name stay as written", credentialWith("a/b~c", `true`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			out := roundTrip(t, []byte(tt.in), c)
			again, err := Parse(out)
			if err != nil {
				t.Fatalf("re-parse: %v", err)
			}
			out2 := roundTrip(t, out, again)
			if string(out) != string(out2) {
				t.Errorf("marshalling is not stable:\n%s\n%s", out, out2)
			}
		})
	}
}

func TestMarshalRefusesWhatItCannotWrite(t *testing.T) {
	base := func() *Credential {
		c, err := Parse([]byte(staffCredential))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name   string
		change func(c *Credential)
		want   string
	}{
		{"an Extra member that repeats a field is refused", func(c *Credential) {
			c.Extra = map[string]json.RawMessage{"issuer": json.RawMessage(`"did:example:x"`)}
		}, `Extra member "issuer"`},
		{"an Extra value that is not JSON is refused", func(c *Credential) { c.Extra = map[string]json.RawMessage{"x": json.RawMessage(`{`)} }, `"x" is not JSON`},
		{"a claim that is not JSON is refused", func(c *Credential) { c.CredentialSubject.Items[0].Claims["name"] = json.RawMessage(``) }, `"name" is not JSON`},
		{"a context entry with both forms is refused", func(c *Credential) { c.Context.Items[0].Object = json.RawMessage(`{}`) }, "exactly one of URL and Object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.change(c)
			_, err := c.MarshalJSON()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("MarshalJSON error %v, want one about %s", err, tt.want)
			}
		})
	}
	p := &Presentation{VerifiableCredential: Set[PresentedCredential]{Items: []PresentedCredential{{}}}}
	if _, err := p.MarshalJSON(); err == nil {
		t.Error("a presented credential with neither form marshals")
	}
}

func TestMarshalWritesABuiltCredential(t *testing.T) {
	from, err := ParseDateTime("2025-03-01T09:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	c := &Credential{
		Context:           Set[ContextEntry]{Items: []ContextEntry{{URL: ContextV2}}},
		ID:                "urn:uuid:1",
		Type:              Set[string]{Items: []string{TypeCredential, "DBSCheckCredential"}},
		Issuer:            Issuer{ID: "did:web:kch.nhs.uk"},
		ValidFrom:         from,
		ValidUntil:        NewDateTime(time.Date(2028, 3, 1, 10, 0, 0, 0, time.FixedZone("", 3600))),
		CredentialSubject: Set[Subject]{Single: true, Items: []Subject{{ID: "did:example:1", Claims: map[string]json.RawMessage{"name": json.RawMessage(`"A <B>"`)}}}},
	}
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"@context":["https://www.w3.org/ns/credentials/v2"],"id":"urn:uuid:1","type":["VerifiableCredential","DBSCheckCredential"],"issuer":"did:web:kch.nhs.uk","validFrom":"2025-03-01T09:00:00Z","validUntil":"2028-03-01T10:00:00+01:00","credentialSubject":{"id":"did:example:1","name":"A \u003cB\u003e"}}`
	if string(out) != want {
		t.Errorf("json.Marshal =\n%s\nwant\n%s", out, want)
	}
	back, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if !back.ValidUntil.Time().Equal(time.Date(2028, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("validUntil read back as %v", back.ValidUntil.Time())
	}
}

func TestUnmarshalJSONIsStrict(t *testing.T) {
	var req struct {
		Credential Credential `json:"verifiableCredential"`
	}
	body := `{"verifiableCredential":` + strings.Replace(staffCredential, `"type": [`, `"issuer": "did:example:evil", "type": [`, 1) + `}`
	if err := json.Unmarshal([]byte(body), &req); !errors.Is(err, ErrSyntax) {
		t.Errorf("json.Unmarshal = %v, want ErrSyntax for the duplicate issuer", err)
	}
	body = `{"verifiableCredential":` + staffCredential + `}`
	if err := json.Unmarshal([]byte(body), &req); err != nil || req.Credential.Issuer.ID != "did:web:kch.nhs.uk" {
		t.Errorf("json.Unmarshal = %v, issuer %q", err, req.Credential.Issuer.ID)
	}
	var vp Presentation
	if err := json.Unmarshal([]byte(`{"@context":"https://www.w3.org/ns/credentials/v2","type":"VerifiablePresentation","holder":null}`), &vp); !errors.Is(err, ErrHolder) {
		t.Errorf("json.Unmarshal = %v, want ErrHolder", err)
	}
}

// presentationWith builds a presentation around the given
// verifiableCredential value and extra members.
func presentationWith(vcs string, extra string) string {
	s := `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"],"holder":"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"`
	if vcs != "" {
		s += `,"verifiableCredential":` + vcs
	}
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

const jwtEnvelope = `{"@context":"https://www.w3.org/ns/credentials/v2","type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,eyJhbGciOiJFUzI1NiJ9.eyJ0eXBlIjoiVmVyaWZpYWJsZUNyZWRlbnRpYWwifQ.c2ln"}`

func TestParsePresentationRefusesBrokenPresentations(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		err     error
		pointer string
	}{
		{"a null holder is refused", strings.Replace(presentationWith("", ""), `"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"`, `null`, 1), ErrHolder, "/holder"},
		{"a holder object without an id is refused", strings.Replace(presentationWith("", ""), `"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"`, `{"name":"Alex"}`, 1), ErrHolder, "/holder"},
		{"a type without VerifiablePresentation is refused", strings.Replace(presentationWith("", ""), `["VerifiablePresentation"]`, `["VerifiableCredential"]`, 1), ErrType, "/type"},
		{"an empty credential list is refused", presentationWith(`[]`, ""), ErrEntry, "/verifiableCredential"},
		{"a credential given as a JWT string is refused", presentationWith(`["eyJhbGciOiJFUzI1NiJ9.e30.c2ln"]`, ""), ErrEntry, "/verifiableCredential/0"},
		{"a broken embedded credential is refused where it is", presentationWith(`[`+staffCredential+`,`+credentialWith("issuer", `null`)+`]`, ""), ErrIssuer, "/verifiableCredential/1/issuer"},
		{"a single broken embedded credential is refused where it is", presentationWith(credentialWith("validFrom", `"yesterday"`), ""), ErrDate, "/verifiableCredential/validFrom"},
		{"an envelope without an id is refused", presentationWith(`[{"@context":"https://www.w3.org/ns/credentials/v2","type":"EnvelopedVerifiableCredential"}]`, ""), ErrEnvelope, "/verifiableCredential/0"},
		{"an envelope whose id is not a data: URL is refused", presentationWith(strings.Replace(jwtEnvelope, "data:application/vc+jwt,", "https://e.example/", 1), ""), ErrEnvelope, "/verifiableCredential/id"},
		{"an envelope with a malformed media type is refused", presentationWith(strings.Replace(jwtEnvelope, "application/vc+jwt", "vc+jwt", 1), ""), ErrEnvelope, "/verifiableCredential/id"},
		{"an envelope with a bad percent escape is refused", presentationWith(strings.Replace(jwtEnvelope, ".c2ln", ".%zz", 1), ""), ErrEnvelope, "/verifiableCredential/id"},
		{"an envelope under the VCDM 1.1 context is refused", presentationWith(strings.Replace(jwtEnvelope, ContextV2, ContextV1, 1), ""), ErrContext, "/verifiableCredential/@context"},
		{"more credentials than the limit are refused", presentationWith(`[`+strings.Repeat(jwtEnvelope+`,`, limits.MaxPresentationCredentials)+jwtEnvelope+`]`, ""), ErrLimit, "/verifiableCredential"},
		{"a proof without a type is refused", presentationWith("", `"proof":{"proofPurpose":"authentication"}`), ErrProof, "/proof"},
		{"a presentation id that is not a URL is refused", presentationWith("", `"id":"vp-1"`), ErrID, "/id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vp, err := ParsePresentation([]byte(tt.in))
			if err == nil {
				t.Fatalf("accepted: %+v", vp)
			}
			if !errors.Is(err, ErrInvalid) || !errors.Is(err, tt.err) {
				t.Fatalf("error %v; want %v", err, tt.err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T, want *ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.Pointer == tt.pointer && p.Err == tt.err {
					return
				}
			}
			t.Errorf("no %v problem at %q: %v", tt.err, tt.pointer, ve.Problems)
		})
	}
}

func TestParsePresentationReadsEmbeddedAndEnvelopedCredentials(t *testing.T) {
	in := presentationWith(`[`+staffCredential+`,`+jwtEnvelope+`]`, `"id":"urn:uuid:9c9a36f8-518f-4976-a934-6649502d0008","proof":{"type":"DataIntegrityProof","challenge":"c1","domain":"kch.nhs.uk"}`)
	vp, err := ParsePresentation([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if vp.Version() != V2 || !vp.HasType(TypePresentation) || vp.Holder.ID != "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK" || vp.Holder.Object {
		t.Errorf("presentation = %+v", vp)
	}
	items := vp.VerifiableCredential.Items
	if len(items) != 2 || items[0].Credential == nil || items[0].Envelope != nil || items[1].Envelope == nil || items[1].Credential != nil {
		t.Fatalf("verifiableCredential = %+v", items)
	}
	if items[0].Credential.Issuer.ID != "did:web:kch.nhs.uk" {
		t.Errorf("embedded issuer %q", items[0].Credential.Issuer.ID)
	}
	env := items[1].Envelope
	if env.MediaType() != MediaTypeVCJWT || !env.HasType(TypeEnvelopedCredential) {
		t.Errorf("envelope %+v, media type %q", env, env.MediaType())
	}
	u, err := env.DataURL()
	if err != nil || string(u.Data) != "eyJhbGciOiJFUzI1NiJ9.eyJ0eXBlIjoiVmVyaWZpYWJsZUNyZWRlbnRpYWwifQ.c2ln" || u.Base64 {
		t.Errorf("DataURL() = %+v, %v", u, err)
	}
	roundTrip(t, []byte(in), vp)
}

func TestParseDocumentTellsTheKind(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Kind
	}{
		{"a credential", staffCredential, KindCredential},
		{"a presentation", presentationWith("", ""), KindPresentation},
		{"an enveloped credential", jwtEnvelope, KindEnvelopedCredential},
		{"an enveloped presentation", `{"@context":"https://www.w3.org/ns/credentials/v2","type":"EnvelopedVerifiablePresentation","id":"data:application/vp+jwt,e30.e30.c2ln"}`, KindEnvelopedPresentation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDocument([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if d.Kind != tt.want {
				t.Errorf("Kind = %v, want %v", d.Kind, tt.want)
			}
			set := 0
			for _, ok := range []bool{d.Credential != nil, d.Presentation != nil, d.Envelope != nil} {
				if ok {
					set++
				}
			}
			if set != 1 {
				t.Errorf("%d of Credential, Presentation and Envelope set, want 1", set)
			}
		})
	}
}

func TestParseDocumentReportsEverythingWhenTheTypeIsWrong(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		kinds []error
	}{
		{"a credential without a type is still judged as a credential", credentialWith("type", ""), []error{ErrType}},
		{"a credential with a wrong type and a null issuer gets both problems", strings.Replace(credentialWith("type", `"Thing"`), `"issuer":{"id":"did:web:kch.nhs.uk","name":"King's College Hospital NHS Foundation Trust"}`, `"issuer":null`, 1), []error{ErrType, ErrIssuer}},
		{"a presentation without a type and with a null holder gets both problems", `{"@context":["https://www.w3.org/ns/credentials/v2"],"holder":null}`, []error{ErrType, ErrHolder}},
		{"a document of both types is refused", strings.Replace(staffCredential, `"DBSCheckCredential"`, `"VerifiablePresentation"`, 1), []error{ErrType}},
		{"a document that says nothing of its kind is refused", `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"Thing"}`, []error{ErrType}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDocument([]byte(tt.in))
			for _, k := range tt.kinds {
				if !errors.Is(err, k) {
					t.Errorf("error %v lacks %v", err, k)
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	data := []byte(staffCredential)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePresentation(b *testing.B) {
	data := []byte(presentationWith(`[`+staffCredential+`,`+jwtEnvelope+`]`, `"proof":{"type":"DataIntegrityProof","challenge":"c1","domain":"kch.nhs.uk"}`))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePresentation(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	c, err := Parse([]byte(staffCredential))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseDoesNotAliasTheCallersBuffer(t *testing.T) {
	in := []byte(credentialWith("x-note", `"original"`))
	c, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i] = ' '
	}
	if string(c.Extra["x-note"]) != `"original"` || c.Issuer.ID != "did:web:kch.nhs.uk" {
		t.Errorf("parsed value changed with the input: %s, %q", c.Extra["x-note"], c.Issuer.ID)
	}
}

func TestParsedStringsDoNotChangeWithTheRawValues(t *testing.T) {
	// Callers may change the raw values they were given; that must not
	// change a string, even one read from next to them.
	for _, in := range []string{
		credentialWith("x-note", `{"id":"urn:x:1","type":"Note"}`),
		presentationWith(`[`+staffCredential+`,`+jwtEnvelope+`]`, `"proof":{"type":"DataIntegrityProof"}`),
	} {
		d, err := ParseDocument([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		checkStringsStay(t, []byte(in), d)
	}
}

func TestParsePresentationReadsVCDM11(t *testing.T) {
	in := `{"@context":["https://www.w3.org/2018/credentials/v1"],"type":"VerifiablePresentation","holder":"did:example:h","verifiableCredential":` + minimalV1 + `}`
	vp, err := ParsePresentation([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if vp.Version() != V1 || vp.VerifiableCredential.Items[0].Credential.Version() != V1 || !vp.VerifiableCredential.Single {
		t.Errorf("presentation = %+v", vp)
	}
	roundTrip(t, []byte(in), vp)
}

// Strings with escaped quotes and backslashes, in names and values, are
// split where strictjson's lexer ends them: the next member is read as
// itself, not as part of the string.
func TestEscapesDoNotMoveMemberBoundaries(t *testing.T) {
	for _, name := range []string{`a\"b`, `a\\`, `a\\\"b`, `\"`, `\\\\`, `\u0022`, `\\u0022`} {
		in := `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],` +
			`"issuer":"did:example:i","credentialSubject":{"id":"did:example:s","n` + name + `":"v` + name + `","x":"y"}}`
		c, err := Parse([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var wantName, wantValue string
		if err := json.Unmarshal([]byte(`"n`+name+`"`), &wantName); err != nil {
			t.Fatal(err)
		}
		json.Unmarshal([]byte(`"v`+name+`"`), &wantValue)
		claims := c.CredentialSubject.Items[0].Claims
		var got string
		if err := json.Unmarshal(claims[wantName], &got); err != nil || got != wantValue {
			t.Errorf("%s: claim %q = %s, want %q", name, wantName, claims[wantName], wantValue)
		}
		if string(claims["x"]) != `"y"` || len(claims) != 2 {
			t.Errorf("%s: claims %v", name, claims)
		}
	}
}

func TestParseDocumentReadsEnvelopeIDsAsTheURLStandardDoes(t *testing.T) {
	envelope := func(id string) string {
		return `{"@context":"https://www.w3.org/ns/credentials/v2","type":"EnvelopedVerifiableCredential","id":` + id + `}`
	}
	const token = `eyJhbGciOiJFUzI1NiJ9.eyJ0eXBlIjoiVmVyaWZpYWJsZUNyZWRlbnRpYWwifQ.c2ln`
	tests := []struct {
		name string
		id   string // a JSON string
		err  error
	}{
		{"an id ending in a new line is read without it", `"data:application/vc+jwt,` + token + `\n"`, nil},
		{"an id wrapped over lines with tabs is read without them", `"data:application/\r\n\tvc+jwt,eyJhbGciOiJFUzI1NiJ9.\n\teyJ0eXBlIjoiVmVyaWZpYWJsZUNyZWRlbnRpYWwifQ.\n\tc2ln"`, nil},
		{"an id with a vertical tab is refused", `"data:application/vc+jwt,` + token + `\u000b"`, ErrEnvelope},
		{"an id with a NUL is refused", `"data:application/vc+jwt,` + token + `\u0000"`, ErrEnvelope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDocument([]byte(envelope(tt.id)))
			if tt.err != nil {
				var ve *ValidationError
				if !errors.Is(err, tt.err) || !errors.As(err, &ve) || ve.Problems[0].Pointer != "/id" {
					t.Fatalf("error %v, want %v at /id", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Envelope.MediaType(); got != MediaTypeVCJWT {
				t.Errorf("MediaType() = %q, want %q", got, MediaTypeVCJWT)
			}
			u, err := d.Envelope.DataURL()
			if err != nil {
				t.Fatal(err)
			}
			if string(u.Data) != token {
				t.Errorf("data %q, want %q", u.Data, token)
			}
			var raw string
			if err := json.Unmarshal([]byte(tt.id), &raw); err != nil {
				t.Fatal(err)
			}
			if d.Envelope.ID != raw {
				t.Errorf("ID = %q, want the id as written, %q", d.Envelope.ID, raw)
			}
		})
	}
}
