package status

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/vc"
)

// The StatusList2021 specification's example list (W3C CCG, section 2.2,
// Example 2): 16 KiB of zero bytes, base64url without a multibase prefix.
const specList2021 = "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

// list2021 is an Entra-shaped StatusList2021Credential (VCDM 1.1) whose
// subject has encodedList enc.
func list2021(t *testing.T, enc string, change func(string) string) (*vc.Credential, error) {
	t.Helper()
	doc := `{
  "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1"],
  "id": "https://status.nhs-passport.example/lists/3",
  "type": ["VerifiableCredential", "StatusList2021Credential"],
  "issuer": "did:web:nhs-passport.example",
  "issuanceDate": "2026-12-01T00:00:00Z",
  "credentialSubject": {
    "id": "https://status.nhs-passport.example/lists/3#list",
    "type": "StatusList2021",
    "statusPurpose": "revocation",
    "encodedList": "` + enc + `"
  }
}`
	if change != nil {
		doc = change(doc)
	}
	return vc.Parse([]byte(doc))
}

func entry2021(index string) string {
	return `{"id": "https://status.nhs-passport.example/lists/3#` + index + `", "type": "StatusList2021Entry",
  "statusPurpose": "revocation", "statusListIndex": "` + index + `",
  "statusListCredential": "https://status.nhs-passport.example/lists/3"}`
}

func TestStatusList2021IsReadLikeBitstringStatusList(t *testing.T) {
	c, err := list2021(t, specList2021, nil)
	if err != nil {
		t.Fatal(err)
	}
	lc, err := ReadListCredential(c)
	if err != nil {
		t.Fatal(err)
	}
	if lc.Type != TypeListCredential2021 || lc.List.Len() != MinEntries || countSet(lc.List) != 0 || lc.Purposes[0] != PurposeRevocation {
		t.Fatalf("read %+v", lc)
	}

	// A list with entry 94567 set, in StatusList2021's encoding: the
	// bitstring of Bitstring Status List, without the "u".
	bits, _ := New(MinEntries)
	bits.Set(94567, true)
	enc, _ := bits.Encode()
	c, err = list2021(t, enc[1:], nil)
	if err != nil {
		t.Fatal(err)
	}
	lc, err = ReadListCredential(c)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := credentialWithStatus(t, "["+entry2021("94567")+","+entry2021("94568")+"]")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := Entries(cred)
	if err != nil || len(entries) != 2 || entries[0].Type != TypeEntry2021 {
		t.Fatalf("entries %+v, %v", entries, err)
	}
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	issuer := "did:web:nhs-passport.example"
	if set, err := Validate(entries[0], issuer, lc, Check{Now: now}); err != nil || !set {
		t.Errorf("entry 94567: set %v, %v; want set", set, err)
	}
	if set, err := Validate(entries[1], issuer, lc, Check{Now: now}); err != nil || set {
		t.Errorf("entry 94568: set %v, %v; want not set", set, err)
	}

	// An entry of one kind never reads a list of the other.
	bsl := entries[0]
	bsl.Type = ""
	if _, err := Validate(bsl, issuer, lc, Check{Now: now}); !errors.Is(err, ErrListMismatch) {
		t.Errorf("a BitstringStatusListEntry against a StatusList2021Credential: %v", err)
	}
	lcBSL := *lc
	lcBSL.Type = ""
	if _, err := Validate(entries[0], issuer, &lcBSL, Check{Now: now}); !errors.Is(err, ErrListMismatch) {
		t.Errorf("a StatusList2021Entry against a BitstringStatusListCredential: %v", err)
	}
	// staffpass writes neither.
	if _, err := entries[0].TypedObject(); !errors.Is(err, ErrMalformed) {
		t.Errorf("TypedObject of a StatusList2021Entry: %v", err)
	}
	if _, err := lc.Credential(); !errors.Is(err, ErrMalformed) {
		t.Errorf("Credential of a StatusList2021Credential: %v", err)
	}
}

func TestStatusList2021RefusesWhatItDoesNotDefine(t *testing.T) {
	enc := specList2021
	for name, change := range map[string]func(string) string{
		"Bitstring Status List's multibase prefix": func(s string) string { return strings.Replace(s, `"H4sI`, `"uH4sI`, 1) },
		"both list types": func(s string) string {
			return strings.Replace(s, `"StatusList2021Credential"`, `"StatusList2021Credential", "BitstringStatusListCredential"`, 1)
		},
		"a BitstringStatusList subject": func(s string) string {
			return strings.Replace(s, `"type": "StatusList2021"`, `"type": "BitstringStatusList"`, 1)
		},
		"two purposes": func(s string) string {
			return strings.Replace(s, `"statusPurpose": "revocation"`, `"statusPurpose": ["revocation", "suspension"]`, 1)
		},
		"padding": func(s string) string { return strings.Replace(s, specList2021+`"`, specList2021+`=="`, 1) },
		"a short list": func(s string) string {
			return strings.Replace(s, specList2021, u(gz(t, make([]byte, MinEntries/8-1)))[1:], 1)
		},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := list2021(t, enc, change)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ReadListCredential(c); err == nil {
				t.Fatal("read")
			}
		})
	}
	for _, m := range []string{`"statusSize": 1`, `"statusMessage": []`, `"statusReference": "https://a.example/"`} {
		e := strings.Replace(entry2021("7"), `"type"`, m+`, "type"`, 1)
		cred, err := credentialWithStatus(t, e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Entries(cred); !errors.Is(err, ErrMalformed) {
			t.Errorf("a StatusList2021Entry with %s: %v", m, err)
		}
	}
}
