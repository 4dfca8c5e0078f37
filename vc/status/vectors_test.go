package status

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/staffpass/staffpass/vc"
)

const vectors = "../../testdata/vectors/vc-bitstring-status-list/examples"

func readCredential(t testing.TB, name string) *vc.Credential {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectors, name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := vc.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

const (
	example01 = "example-01-example-statuslistcredential-using-simple-entries.json"
	example03 = "example-03-example-bitstringstatuslistcredential.json"
	example04 = "example-04-a-revocable-verifiable-credential.json"
	example05 = "example-05-a-status-list-verifiable-credential.json"
)

func TestSpecStatusListsExpandTo16384ZeroBytes(t *testing.T) {
	for _, name := range []string{example03, example05} {
		t.Run(name, func(t *testing.T) {
			lc, err := ReadListCredential(readCredential(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if len(lc.List.bits) != 16384 || !bytes.Equal(lc.List.bits, make([]byte, 16384)) {
				t.Fatalf("bitstring is %d bytes, not 16384 zero bytes", len(lc.List.bits))
			}
			if lc.ID != "https://example.com/credentials/status/3" || lc.Issuer != "did:example:12345" ||
				lc.SubjectID != "https://example.com/status/3#list" ||
				len(lc.Purposes) != 1 || lc.Purposes[0] != PurposeRevocation || lc.TTL != 0 ||
				!lc.ValidFrom.Equal(time.Date(2021, 4, 5, 14, 27, 40, 0, time.UTC)) || !lc.ValidUntil.IsZero() {
				t.Fatalf("read %+v", lc)
			}
		})
	}
}

func TestSpecRevocableCredentialIsNotRevokedUntilItsBitIsFlipped(t *testing.T) {
	cred := readCredential(t, example04)
	entries, err := Entries(cred)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("%d entries, want 1", len(entries))
	}
	e := entries[0]
	if e.Index != 94567 || e.Purpose != PurposeRevocation || e.Size != 1 ||
		e.ListCredential != "https://example.com/credentials/status/3" ||
		e.ID != "https://example.com/credentials/status/3#94567" {
		t.Fatalf("entry %+v", e)
	}
	lc, err := ReadListCredential(readCredential(t, example05))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	revoked, err := Validate(e, cred.Issuer.ID, lc, Check{Now: now})
	if err != nil || revoked {
		t.Fatalf("Validate = %v, %v; want not revoked", revoked, err)
	}

	// A test copy of example 05 with bit 94567 flipped in its encodedList.
	if err := lc.List.Set(94567, true); err != nil {
		t.Fatal(err)
	}
	flipped := readCredential(t, example05)
	encoded, err := lc.List.Encode()
	if err != nil {
		t.Fatal(err)
	}
	flipped.CredentialSubject.Items[0].Claims["encodedList"], _ = json.Marshal(encoded)
	data, err := flipped.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	reparsed, err := vc.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	lc2, err := ReadListCredential(reparsed)
	if err != nil {
		t.Fatal(err)
	}
	if n := countSet(lc2.List); n != 1 {
		t.Fatalf("flipped list has %d bits set, want 1", n)
	}
	revoked, err = Validate(e, cred.Issuer.ID, lc2, Check{Now: now})
	if err != nil || !revoked {
		t.Fatalf("Validate after the flip = %v, %v; want revoked", revoked, err)
	}
}

func countSet(l *List) int {
	n := 0
	for i := 0; i < l.Len(); i++ {
		if v, _ := l.Get(i); v {
			n++
		}
	}
	return n
}

func TestSpecEntriesForRevocationAndSuspensionParse(t *testing.T) {
	entries, err := Entries(readCredential(t, example01))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{ID: "https://example.com/credentials/status/3#94567", Purpose: PurposeRevocation, Index: 94567,
			ListCredential: "https://example.com/credentials/status/3", Size: 1},
		{ID: "https://example.com/credentials/status/4#23452", Purpose: PurposeSuspension, Index: 23452,
			ListCredential: "https://example.com/credentials/status/4", Size: 1},
	}
	if len(entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(entries), len(want))
	}
	for i := range want {
		got, _ := json.Marshal(entries[i])
		w, _ := json.Marshal(want[i])
		if !bytes.Equal(got, w) {
			t.Errorf("entry %d = %s, want %s", i, got, w)
		}
	}
}
