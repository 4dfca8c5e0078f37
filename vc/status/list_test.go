package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/limits"
)

func TestNewRefusesLengthsTheSpecDoesNotAllow(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{"fewer entries than the 16 KB minimum", MinEntries - 8},
		{"zero entries", 0},
		{"a negative count", -MinEntries},
		{"a count that is not a whole number of bytes", MinEntries + 1},
		{"more entries than the decoding limit", MaxEntries + 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.n); !errors.Is(err, ErrListLength) {
				t.Fatalf("New(%d) error = %v, want ErrListLength", tt.n, err)
			}
		})
	}
	for _, n := range []int{MinEntries, MinEntries + 8, 2_000_000, MaxEntries} {
		l, err := New(n)
		if err != nil {
			t.Fatalf("New(%d): %v", n, err)
		}
		if l.Len() != n {
			t.Fatalf("New(%d).Len() = %d", n, l.Len())
		}
	}
}

func TestIndexZeroIsTheMostSignificantBitOfTheFirstByte(t *testing.T) {
	l, err := New(MinEntries)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 7, 8, 94567, MinEntries - 1} {
		if err := l.Set(i, true); err != nil {
			t.Fatal(err)
		}
	}
	want := map[int]byte{0: 0x81, 1: 0x80, 94567 / 8: 0x80 >> (94567 % 8), MinEntries/8 - 1: 0x01}
	for i, b := range l.bits {
		if b != want[i] {
			t.Fatalf("byte %d = %#02x, want %#02x", i, b, want[i])
		}
	}
	if err := l.Set(7, false); err != nil {
		t.Fatal(err)
	}
	if l.bits[0] != 0x80 {
		t.Fatalf("clearing index 7 left byte 0 = %#02x, want 0x80", l.bits[0])
	}
	for _, tt := range []struct {
		i    int
		want bool
	}{{0, true}, {1, false}, {7, false}, {8, true}, {94567, true}, {94568, false}, {MinEntries - 1, true}} {
		got, err := l.Get(tt.i)
		if err != nil || got != tt.want {
			t.Fatalf("Get(%d) = %v, %v; want %v", tt.i, got, err, tt.want)
		}
	}
}

func TestGetAndSetRefuseIndexesOutsideTheList(t *testing.T) {
	l, err := New(MinEntries)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{-1, MinEntries, MinEntries + 7, 1 << 40} {
		if _, err := l.Get(i); !errors.Is(err, ErrIndexOutOfRange) {
			t.Errorf("Get(%d) error = %v, want ErrIndexOutOfRange", i, err)
		}
		if err := l.Set(i, true); !errors.Is(err, ErrIndexOutOfRange) {
			t.Errorf("Set(%d) error = %v, want ErrIndexOutOfRange", i, err)
		}
	}
}

func TestEncodeDecodeRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range []struct {
		name    string
		entries int
		fill    func(l *List)
	}{
		{"an empty list of the minimum size", MinEntries, func(*List) {}},
		{"a sparse list of the minimum size", MinEntries, func(l *List) { setEvery(l, 97) }},
		{"a half-set random list of the minimum size", MinEntries, func(l *List) { setRandom(l, rng) }},
		{"a sparse list of two million entries", 2_000_000, func(l *List) { setEvery(l, 1009) }},
		{"a half-set random list of two million entries", 2_000_000, func(l *List) { setRandom(l, rng) }},
		{"a full list", MinEntries, func(l *List) { setEvery(l, 1) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, err := New(tt.entries)
			if err != nil {
				t.Fatal(err)
			}
			tt.fill(l)
			s, err := l.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if s[0] != 'u' || strings.ContainsAny(s, "=+/") {
				t.Fatalf("encoded list %.20q... is not multibase base64url without padding", s)
			}
			again, err := l.Encode()
			if err != nil || again != s {
				t.Fatal("encoding the same list twice gave different strings")
			}
			got, err := Decode(s)
			if err != nil {
				t.Fatal(err)
			}
			if got.Len() != tt.entries || !bytes.Equal(got.bits, l.bits) {
				t.Fatalf("decoded list differs: %d entries, want %d", got.Len(), tt.entries)
			}
		})
	}
}

func setEvery(l *List, step int) {
	for i := 0; i < l.Len(); i += step {
		l.Set(i, true)
	}
}

func setRandom(l *List, rng *rand.Rand) {
	for i := range l.bits {
		l.bits[i] = byte(rng.Uint32())
	}
}

// gz compresses b with GZIP.
func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zeros returns GZIP data expanding to n zero bytes: members of 1 MiB of
// zeros each (RFC 1952 section 2.2), which is quicker to build than one
// member of n bytes and expands the same.
func zeros(t testing.TB, n int) []byte {
	const chunk = 1 << 20
	member := gz(t, make([]byte, chunk))
	var out []byte
	for ; n >= chunk; n -= chunk {
		out = append(out, member...)
	}
	return append(out, gz(t, make([]byte, n))...)
}

func u(b []byte) string { return "u" + base64.RawURLEncoding.EncodeToString(b) }

func TestDecodeRefusesHostileInput(t *testing.T) {
	minimum := gz(t, make([]byte, MinEntries/8))
	good := u(minimum)
	if _, err := Decode(good); err != nil {
		t.Fatalf("control: %v", err)
	}
	bomb := zeros(t, limits.MaxStatusListBytes+1)
	badCRC := bytes.Clone(minimum)
	badCRC[len(badCRC)-8] ^= 0xff
	badSize := bytes.Clone(minimum)
	badSize[len(badSize)-4] ^= 0x01
	padded := "u" + base64.URLEncoding.EncodeToString(minimum)
	if !strings.HasSuffix(padded, "=") {
		t.Fatal("control: the minimum list's GZIP length is a multiple of 3, so base64 has no padding")
	}
	if b, err := base64.RawURLEncoding.DecodeString(nonCanonical(good)[1:]); err != nil || !bytes.Equal(b, minimum) {
		t.Fatal("control: the non-canonical string does not decode, leniently, to the same bytes")
	}
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"an empty string", "", ErrMalformed},
		{"a base58btc multibase prefix", "z" + good[1:], ErrMalformed},
		{"the padded base64url multibase prefix", "U" + good[1:], ErrMalformed},
		{"the base64 multibase prefix", "m" + base64.RawStdEncoding.EncodeToString(minimum), ErrMalformed},
		{"no multibase prefix at all", good[1:], ErrMalformed},
		{"base64url with padding", padded, ErrMalformed},
		{"standard base64 characters", "u" + base64.RawStdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xff}, 40)), ErrMalformed},
		{"a line break inside", good[:20] + "\n" + good[20:], ErrMalformed},
		{"non-canonical trailing bits", nonCanonical(good), ErrMalformed},
		{"bytes that are not GZIP", u([]byte("this is not gzip data at all")), ErrMalformed},
		{"truncated GZIP data", u(minimum[:len(minimum)-10]), ErrMalformed},
		{"GZIP data without its trailer", u(minimum[:len(minimum)-8]), ErrMalformed},
		{"a wrong CRC-32", u(badCRC), ErrMalformed},
		{"a wrong length in the trailer", u(badSize), ErrMalformed},
		{"garbage after the GZIP member", u(append(bytes.Clone(minimum), "junk"...)), ErrMalformed},
		{"a list one byte shorter than the minimum", u(gz(t, make([]byte, MinEntries/8-1))), ErrListLength},
		{"an empty bitstring", u(gz(t, nil)), ErrListLength},
		{"a GZIP bomb expanding past the limit", u(bomb), ErrListLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Decode(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode error = %v, want %v", err, tt.want)
			}
			if l != nil {
				t.Fatal("Decode returned a list with its error")
			}
		})
	}
}

// nonCanonical changes the last character of a base64url string so that it
// sets bits the decoded bytes do not use; s must not end on a 3-byte
// boundary.
func nonCanonical(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[last|1])
}

func TestDecodeAcceptsTheLargestListTheLimitAllows(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 16 MiB")
	}
	l, err := Decode(u(zeros(t, limits.MaxStatusListBytes)))
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != MaxEntries {
		t.Fatalf("Len = %d, want %d", l.Len(), MaxEntries)
	}
}

func TestDecodeAcceptsConcatenatedGZIPMembers(t *testing.T) {
	// RFC 1952 section 2.2: a GZIP file is a series of members.
	half := gz(t, make([]byte, MinEntries/16))
	l, err := Decode(u(append(bytes.Clone(half), half...)))
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != MinEntries {
		t.Fatalf("Len = %d, want %d", l.Len(), MinEntries)
	}
}
