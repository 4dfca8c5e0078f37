package staff_test

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/vc/staff"
)

// fewest is the cheapest iteration count a hash may have: the tests use it
// to stay fast. Issuing always uses staff.DefaultIterations.
const fewest = limits.MinHashIterations

// TestHashIdentifierFollowsTheDocumentedEncoding checks the digest against
// answers computed outside Go, with Python's hashlib:
//
//	salt = sha256(b"staffpass example salt doc").digest()[:16]
//	hashlib.pbkdf2_hmac("sha256", b"staffpass identifier v1\x00AB1234", salt, n, 32)
func TestHashIdentifierFollowsTheDocumentedEncoding(t *testing.T) {
	salt := fixedSalt("doc")
	if hex.EncodeToString(salt) != "40eff17f52d9a4cb6119cf8b598036b4" {
		t.Fatalf("fixedSalt(doc) = %x", salt)
	}
	for _, tt := range []struct {
		iterations int
		digest     string
	}{
		{10_000, "4b60333c873f80d23b32f3e9f3a96623b4f8f63ea0068461f9590ee15c42211f"},
		{10_001, "360d224893072909fd33c0b02a5eff234f4bb8a60b48449926f3dcfb4c2c4448"},
	} {
		h, err := staff.HashIdentifier(salt, "ab-12 34", tt.iterations)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(h.Digest) != tt.digest || !bytes.Equal(h.Salt, salt) || h.Iterations != tt.iterations {
			t.Errorf("%d iterations: digest %x, want %s", tt.iterations, h.Digest, tt.digest)
		}
	}
}

// TestTheDefaultIsTheSlowCount: issuers hash with 200,000 iterations. The
// example credentials are made with NewSaltedHash (see hashOf), so the DBS
// example's hash is checked here against an answer computed outside Go:
//
//	hashlib.pbkdf2_hmac("sha256", b"staffpass identifier v1\x00001234567890",
//	                    sha256(b"staffpass example salt dbs").digest()[:16], 200000, 32)
func TestTheDefaultIsTheSlowCount(t *testing.T) {
	if staff.DefaultIterations != 200_000 {
		t.Fatalf("DefaultIterations = %d; the documented default (and the measured cost in its comment) is 200000", staff.DefaultIterations)
	}
	if staff.DefaultIterations < limits.MinHashIterations || staff.DefaultIterations > limits.MaxHashIterations {
		t.Fatal("DefaultIterations is outside the limits")
	}
	const want = "3b009d1b5333911ee6f2311e513546a0efed463647af8e8f7071b192c2d39758"
	h := hashOf(t, "dbs", dbsCertificateNum)
	if h.Iterations != 200_000 || hex.EncodeToString(h.Digest) != want || !bytes.Equal(h.Salt, fixedSalt("dbs")) {
		t.Fatalf("NewSaltedHash = %+v; want 200000 iterations and digest %s", h, want)
	}
	for _, file := range []string{"valid/identity-check.json", "valid/right-to-work.json", "valid/dbs-check.json"} {
		if n := strings.Count(string(readExample(t, file)), `"iterations": 200000`); n == 0 {
			t.Errorf("%s has no hash with the default count", file)
		}
	}
}

func TestSaltedHashes(t *testing.T) {
	salt := fixedSalt("x")
	tests := []struct {
		name       string
		salt       []byte
		identifier string
		iterations int
		err        error
	}{
		{"a share code with spaces is hashed", salt, "WXY 123 ABC", fewest, nil},
		{"a salt of 15 bytes is refused", salt[:15], "A1", fewest, staff.ErrFormat},
		{"no salt is refused", nil, "A1", fewest, staff.ErrFormat},
		{"an empty identifier is refused", salt, "", fewest, staff.ErrFormat},
		{"an identifier of spaces only is refused", salt, " - ", fewest, staff.ErrFormat},
		{"punctuation is refused", salt, "AB/12", fewest, staff.ErrFormat},
		{"a non-ASCII letter is refused", salt, "ÅB12", fewest, staff.ErrFormat},
		{"65 characters are refused", salt, strings.Repeat("A", 65), fewest, staff.ErrFormat},
		{"64 characters are hashed", salt, strings.Repeat("A", 64), fewest, nil},
		{"the floor of iterations is allowed", salt, "A1", limits.MinHashIterations, nil},
		{"one iteration below the floor is refused", salt, "A1", limits.MinHashIterations - 1, staff.ErrIterations},
		{"one iteration is refused", salt, "A1", 1, staff.ErrIterations},
		{"no iterations are refused", salt, "A1", 0, staff.ErrIterations},
		{"a negative count is refused", salt, "A1", -100_000, staff.ErrIterations},
		{"one iteration above the ceiling is refused", salt, "A1", limits.MaxHashIterations + 1, staff.ErrIterations},
		{"a huge count is refused", salt, "A1", 1 << 40, staff.ErrIterations},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := staff.HashIdentifier(tt.salt, tt.identifier, tt.iterations)
			if !errors.Is(err, tt.err) {
				t.Fatalf("HashIdentifier = %v; want %v", err, tt.err)
			}
			if tt.err == nil && (!h.Matches(tt.identifier) || h.Iterations != tt.iterations) {
				t.Fatal("the hash does not match its identifier")
			}
			if tt.err != nil && !h.IsZero() {
				t.Fatalf("HashIdentifier failed but returned %+v", h)
			}
		})
	}
}

func TestMatchesNormalisesAndTellsIdentifiersApart(t *testing.T) {
	h, err := staff.HashIdentifier(make([]byte, 16), "W4X 9T2 3KM", fewest)
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
	other, _ := staff.HashIdentifier(fixedSalt("another"), "W4X 9T2 3KM", fewest)
	if other.Equal(h) {
		t.Error("two salts gave the same hash")
	}
	if _, err := staff.NewSaltedHash(bytes.NewReader(make([]byte, 4)), "A"); err == nil {
		t.Error("a short random source gave a salt")
	}
}

// TestMatchesUsesTheRecordedCount: a hash is checked with its own count,
// and one whose count is out of bounds never matches, even when its
// digest is right for that count.
func TestMatchesUsesTheRecordedCount(t *testing.T) {
	salt := fixedSalt("count")
	h, err := staff.HashIdentifier(salt, "PXF123456", fewest+1)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Matches("PXF123456") {
		t.Fatal("a hash with a count other than the default does not match")
	}
	if h.Matches("PXF123457") {
		t.Fatal("a wrong number matches")
	}
	other := h
	other.Iterations = fewest
	if other.Matches("PXF123456") || other.Equal(h) {
		t.Fatal("the digest matches under another count")
	}

	tooFew := limits.MinHashIterations - 1
	digest, err := pbkdf2.Key(sha256.New, "staffpass identifier v1\x00PXF123456", salt, tooFew, 32)
	if err != nil {
		t.Fatal(err)
	}
	cheap := staff.SaltedHash{Salt: salt, Digest: digest, Iterations: tooFew}
	if cheap.Matches("PXF123456") {
		t.Fatal("a hash below the floor of iterations matches")
	}
	costly := staff.SaltedHash{Salt: salt, Digest: digest, Iterations: limits.MaxHashIterations + 1}
	if costly.Matches("PXF123456") {
		t.Fatal("a hash above the ceiling of iterations matches")
	}
	for _, bad := range []staff.SaltedHash{cheap, costly} {
		if _, err := json.Marshal(bad); !errors.Is(err, staff.ErrIterations) {
			t.Errorf("Marshal of %d iterations = %v; want staff.ErrIterations", bad.Iterations, err)
		}
	}
}

func TestSaltedHashJSON(t *testing.T) {
	h, err := staff.HashIdentifier(fixedSalt("json"), "A1", fewest)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	if want := `{"salt":"` + enc(h.Salt) + `","digest":"` + enc(h.Digest) + `","iterations":10000}`; string(data) != want {
		t.Fatalf("Marshal = %s; want %s", data, want)
	}
	var back staff.SaltedHash
	if err := json.Unmarshal(data, &back); err != nil || !back.Equal(h) {
		t.Fatalf("round trip: %v, %v", back, err)
	}
	const salt, digest = `"salt":"AAAAAAAAAAAAAAAAAAAAAA"`, `"digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"`
	for _, bad := range []string{
		`{"salt":"AAAAAAAAAAAAAAAAAAAAAA==",` + digest + `,"iterations":10000}`, // padded
		`{"salt":"AAAAAAAAAAAAAAAAAAAAAB",` + digest + `,"iterations":10000}`,   // not canonical
		`{` + salt + `,"digest":"AAAA","iterations":10000}`,
		`{"salt":"AAAAAAAAAAAAAAAAAAAA+A",` + digest + `,"iterations":10000}`, // standard alphabet
		`{` + salt + `,` + digest + `}`,                                       // no count
		`{` + salt + `,` + digest + `,"iterations":null}`,
		`{` + salt + `,` + digest + `,"iterations":"100000"}`,
		`{` + salt + `,` + digest + `,"iterations":1e5}`,
		`{` + salt + `,` + digest + `,"iterations":100000.0}`,
		`{` + salt + `,` + digest + `,"iterations":99999999999999999999}`,
	} {
		if err := json.Unmarshal([]byte(bad), &back); !errors.Is(err, staff.ErrFormat) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	// A count out of bounds is read (so that Validate can say which
	// field is wrong), but never matches and is never written.
	if err := json.Unmarshal([]byte(`{`+salt+`,`+digest+`,"iterations":1}`), &back); err != nil || back.Iterations != 1 {
		t.Fatalf("Unmarshal of 1 iteration = %v, %+v", err, back)
	}
	if back.Matches("A1") {
		t.Fatal("a hash of 1 iteration matches")
	}
	if _, err := json.Marshal(staff.SaltedHash{Salt: []byte{1}}); !errors.Is(err, staff.ErrFormat) {
		t.Errorf("a malformed hash was written: %v", err)
	}
	if _, err := json.Marshal(staff.SaltedHash{Salt: h.Salt, Digest: h.Digest}); !errors.Is(err, staff.ErrIterations) {
		t.Errorf("a hash without a count was written: %v", err)
	}
}
