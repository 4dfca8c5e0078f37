package verifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/vc/status"
	"github.com/staffpass/staffpass/verifier"
)

// A VCDM 1.1 status list is judged by every date it states, in either
// version's names, also once a holder has swapped its contexts for 2.0 ones
// (found by an audit: the list's dates were read in its own version only).
func TestAVCDM11StatusListIsJudgedByItsDates(t *testing.T) {
	f := newFixture(t)
	const listURL = "https://kch.nhs.uk/status/v1"
	list, err := status.New(131072)
	if err != nil {
		t.Fatal(err)
	}
	encoded, err := list.Encode()
	if err != nil {
		t.Fatal(err)
	}
	listDoc := func(dates map[string]any) []byte {
		m := map[string]any{
			"@context": []any{"https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/status/v1",
				"https://w3id.org/security/data-integrity/v2"},
			"id":     listURL,
			"type":   []any{"VerifiableCredential", "BitstringStatusListCredential"},
			"issuer": f.kch.did,
			"credentialSubject": map[string]any{
				"id": listURL + "#list", "type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": encoded,
			},
		}
		for k, v := range dates {
			m[k] = v
		}
		data, _ := json.Marshal(m)
		return issue(t, f.kch, data, issuer.FormatEdDSARDFC2022)
	}
	cred := issue(t, f.kch, credentialJSON(f.kch.did, func(c map[string]any) {
		c["credentialStatus"] = map[string]any{"id": listURL + "#5", "type": "BitstringStatusListEntry",
			"statusPurpose": "revocation", "statusListIndex": "5", "statusListCredential": listURL}
	}), issuer.FormatEdDSARDFC2022)
	verify := func(list []byte) error {
		v, err := verifier.New(verifier.Trust{Issuers: []string{f.kch.did}, Resolver: f.resolver, StatusLists: [][]byte{list}},
			verifier.WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(context.Background(), cred, verifier.Policy{})
		return err
	}
	fresh := listDoc(map[string]any{"issuanceDate": "2026-11-01T00:00:00Z", "expirationDate": "2026-12-31T00:00:00Z"})
	if err := verify(fresh); err != nil {
		t.Fatalf("a current 1.1 list: %v", err)
	}
	expired := listDoc(map[string]any{"issuanceDate": "2026-01-01T00:00:00Z", "expirationDate": "2026-02-01T00:00:00Z"})
	if err := verify(expired); !errors.Is(err, status.ErrListExpired) {
		t.Fatalf("an expired 1.1 list: %v, want ErrListExpired", err)
	}
	var m map[string]any
	json.Unmarshal(expired, &m)
	m["@context"] = []any{"https://www.w3.org/ns/credentials/v2", map[string]any{
		"issuanceDate":   map[string]any{"@id": "https://www.w3.org/2018/credentials#issuanceDate", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
		"expirationDate": map[string]any{"@id": "https://www.w3.org/2018/credentials#expirationDate", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
	}}
	swapped, _ := json.Marshal(m)
	if got, want := unsignedNQuads(t, swapped), unsignedNQuads(t, expired); string(got) != string(want) {
		t.Fatalf("the swap changes the RDF:\n%s\nwant\n%s", got, want)
	}
	if err := verify(swapped); !errors.Is(err, status.ErrListExpired) {
		t.Fatalf("the expired list with 2.0 contexts: %v, want ErrListExpired", err)
	}
	onlyValidUntil := listDoc(map[string]any{"issuanceDate": "2026-01-01T00:00:00Z", "validUntil": "2026-02-01T00:00:00Z"})
	if err := verify(onlyValidUntil); !errors.Is(err, status.ErrListExpired) {
		t.Fatalf("a 1.1 list past its validUntil: %v, want ErrListExpired", err)
	}
}

// A type the examples context names cannot be relabelled by swapping that
// context for an inline one (found by an audit of rule 7).
func TestARelabelledTypeIsRefused(t *testing.T) {
	f := newFixture(t)
	signed := issue(t, f.kch, credentialJSON(f.kch.did, func(c map[string]any) {
		c["@context"] = []any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"}
		c["type"] = []any{"VerifiableCredential", "PorterCredential"}
	}), issuer.FormatEdDSARDFC2022)
	v := f.verifier(t)
	if _, err := v.Verify(context.Background(), signed, verifier.Policy{}); err != nil {
		t.Fatalf("as signed: %v", err)
	}
	var m map[string]any
	json.Unmarshal(signed, &m)
	m["@context"] = []any{"https://www.w3.org/ns/credentials/v2", map[string]any{"SurgeonCredential": "https://www.w3.org/ns/credentials/examples#PorterCredential"}}
	m["type"] = []any{"VerifiableCredential", "SurgeonCredential"}
	relabelled, _ := json.Marshal(m)
	if got, want := unsignedNQuads(t, relabelled), unsignedNQuads(t, signed); string(got) != string(want) {
		t.Fatalf("the relabelling changes the RDF")
	}
	r, err := v.Verify(context.Background(), relabelled, verifier.Policy{})
	if !errors.Is(err, ld.ErrNotBound) || r.Verified {
		t.Fatalf("relabelled: %v, want ErrNotBound", err)
	}
}
