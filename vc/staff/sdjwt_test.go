package staff_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
)

// subjectOf is a credential's subject as a JSON object.
func subjectOf(t *testing.T, cred *vc.Credential) map[string]any {
	t.Helper()
	data, err := json.Marshal(cred)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		CredentialSubject map[string]any `json:"credentialSubject"`
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc.CredentialSubject
}

// Every staff type goes to its SD-JWT VC claims and back to the same
// claims for a role: identifiers plain and selectively disclosable (with
// the date of birth) on the way out, placeholders on the way back.
func TestSDJWTClaimsRoundTrip(t *testing.T) {
	for typ, cells := range validRows() {
		t.Run(typ, func(t *testing.T) {
			r, err := staff.ParseRow(typ, staff.CSVRow{Cells: cells}, rowIssued)
			if err != nil {
				t.Skip(err) // a type without a row mapping
			}
			claims, plain, err := r.PlaceholderClaims()
			if err != nil {
				t.Fatal(err)
			}
			cred, err := staff.NewCredential(claims, meta("2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0aff"))
			if err != nil {
				t.Fatal(err)
			}
			out, disclosable, err := staff.SDJWTClaims(subjectOf(t, cred), plain)
			if err != nil {
				t.Fatal(err)
			}
			text, _ := json.Marshal(out)
			if strings.Contains(string(text), "Hash") || strings.Contains(string(text), `"id"`) {
				t.Errorf("claims %s", text)
			}
			for _, id := range plain {
				if !strings.Contains(string(text), `"`+id+`"`) {
					t.Errorf("the identifier %s is not in the claims", id)
				}
			}
			if len(disclosable) != len(plain)+map[bool]int{true: 1}[out["dateOfBirth"] != nil] {
				t.Errorf("disclosable %v for %d identifiers", disclosable, len(plain))
			}
			out["vct"] = staff.VCT(typ)
			back, err := staff.CredentialFromSDJWT(out, nil, cred.Issuer.ID, cred.SubjectIDs()[0], "2025-03-03T09:00:00Z", "")
			if err != nil {
				t.Fatal(err)
			}
			want, err := staff.FromCredential(cred)
			if err != nil {
				t.Fatal(err)
			}
			got, err := staff.FromCredential(back)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("back %+v\nwant %+v", got, want)
			}
			// Identifiers kept back still make a credential a role can
			// read; a date of birth kept back does not (it is required).
			for _, p := range disclosable {
				name := p[strings.LastIndexByte(p, '/')+1:]
				if name == "dateOfBirth" {
					continue
				}
				without := map[string]any{}
				json.Unmarshal(text, &without)
				deleteAt(without, p)
				without["vct"] = staff.VCT(typ)
				c, err := staff.CredentialFromSDJWT(without, nil, cred.Issuer.ID, cred.SubjectIDs()[0], "2025-03-03T09:00:00Z", "")
				if err == nil {
					_, err = staff.FromCredential(c)
				}
				if err != nil {
					t.Errorf("%s kept back: %v", p, err)
				}
			}
			if slices.Contains(disclosable, "/dateOfBirth") {
				without := map[string]any{}
				json.Unmarshal(text, &without)
				delete(without, "dateOfBirth")
				without["vct"] = staff.VCT(typ)
				c, err := staff.CredentialFromSDJWT(without, nil, cred.Issuer.ID, cred.SubjectIDs()[0], "2025-03-03T09:00:00Z", "")
				if err == nil {
					_, err = staff.FromCredential(c)
				}
				if err == nil || !strings.Contains(err.Error(), "dateOfBirth") {
					t.Errorf("date of birth kept back: %v", err)
				}
			}
		})
	}
	if _, err := staff.CredentialFromSDJWT(map[string]any{"vct": "https://example.com/other"}, nil, "did:web:a", "did:key:b", "", ""); err == nil {
		t.Error("a vct that is no staff type was read")
	}
}

func deleteAt(m map[string]any, ptr string) {
	tokens := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	var at any = m
	for _, tok := range tokens[:len(tokens)-1] {
		switch x := at.(type) {
		case map[string]any:
			at = x[tok]
		case []any:
			i := 0
			json.Unmarshal([]byte(tok), &i)
			at = x[i]
		}
	}
	delete(at.(map[string]any), tokens[len(tokens)-1])
}
