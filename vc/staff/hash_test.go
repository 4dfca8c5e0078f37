package staff_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/vc/staff"
)

func TestHashIdentifierFollowsTheDocumentedEncoding(t *testing.T) {
	salt := fixedSalt("doc")
	h, err := staff.HashIdentifier(salt, "ab-12 34")
	if err != nil {
		t.Fatal(err)
	}
	// SHA-256("staffpass identifier v1" || 0x00 || salt || "AB1234")
	want := sha256.Sum256(append(append([]byte("staffpass identifier v1\x00"), salt...), "AB1234"...))
	if !bytes.Equal(h.Digest, want[:]) || !bytes.Equal(h.Salt, salt) {
		t.Fatalf("digest %x, want %x", h.Digest, want)
	}
}

func TestSaltedHashes(t *testing.T) {
	salt := fixedSalt("x")
	tests := []struct {
		name       string
		salt       []byte
		identifier string
		err        error
	}{
		{"a share code with spaces is hashed", salt, "WXY 123 ABC", nil},
		{"a salt of 15 bytes is refused", salt[:15], "A1", staff.ErrFormat},
		{"no salt is refused", nil, "A1", staff.ErrFormat},
		{"an empty identifier is refused", salt, "", staff.ErrFormat},
		{"an identifier of spaces only is refused", salt, " - ", staff.ErrFormat},
		{"punctuation is refused", salt, "AB/12", staff.ErrFormat},
		{"a non-ASCII letter is refused", salt, "ÅB12", staff.ErrFormat},
		{"65 characters are refused", salt, strings.Repeat("A", 65), staff.ErrFormat},
		{"64 characters are hashed", salt, strings.Repeat("A", 64), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := staff.HashIdentifier(tt.salt, tt.identifier)
			if !errors.Is(err, tt.err) {
				t.Fatalf("HashIdentifier = %v; want %v", err, tt.err)
			}
			if tt.err == nil && !h.Matches(tt.identifier) {
				t.Fatal("the hash does not match its identifier")
			}
		})
	}
}

func TestMatchesNormalisesAndTellsIdentifiersApart(t *testing.T) {
	h, err := staff.NewSaltedHash(bytes.NewReader(make([]byte, 16)), "W4X 9T2 3KM")
	if err != nil {
		t.Fatal(err)
	}
	for _, same := range []string{"W4X 9T2 3KM", "w4x9t23km", "W4X-9T2-3KM"} {
		if !h.Matches(same) {
			t.Errorf("%q does not match", same)
		}
	}
	for _, other := range []string{"W4X 9T2 3KN", "", "W4X 9T2 3K", "W4X/9T2/3KM"} {
		if h.Matches(other) {
			t.Errorf("%q matches", other)
		}
	}
	if (staff.SaltedHash{}).Matches("A") {
		t.Error("the zero hash matches")
	}
	other, _ := staff.HashIdentifier(fixedSalt("another"), "W4X 9T2 3KM")
	if other.Equal(h) {
		t.Error("two salts gave the same hash")
	}
	if _, err := staff.NewSaltedHash(bytes.NewReader(make([]byte, 4)), "A"); err == nil {
		t.Error("a short random source gave a salt")
	}
}

func TestSaltedHashJSON(t *testing.T) {
	h, _ := staff.HashIdentifier(fixedSalt("json"), "A1")
	data, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var back staff.SaltedHash
	if err := json.Unmarshal(data, &back); err != nil || !back.Equal(h) {
		t.Fatalf("round trip: %v, %v", back, err)
	}
	for _, bad := range []string{
		`{"salt":"AAAAAAAAAAAAAAAAAAAAAA==","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`, // padded
		`{"salt":"AAAAAAAAAAAAAAAAAAAAAB","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`,   // not canonical
		`{"salt":"AAAAAAAAAAAAAAAAAAAAAA","digest":"AAAA"}`,
		`{"salt":"AAAAAAAAAAAAAAAAAAAA+A","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`, // standard alphabet
	} {
		if err := json.Unmarshal([]byte(bad), &back); !errors.Is(err, staff.ErrFormat) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := json.Marshal(staff.SaltedHash{Salt: []byte{1}}); err == nil {
		t.Error("a malformed hash was written")
	}
}
