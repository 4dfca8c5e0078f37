package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/staffpass/staffpass/internal/limits"
)

// MinEntries is the smallest number of entries a status list may have: the
// bitstring "MUST be at least 16KB in size" (section 2.2, encodedList), and
// the validate algorithm refuses shorter lists (section 3.2 steps 2 and 9)
// for the sake of herd privacy. It is also the default list size (section
// 1.1).
const MinEntries = 131_072

// MaxEntries is the largest number of entries a List may have, set by
// limits.MaxStatusListBytes.
const MaxEntries = limits.MaxStatusListBytes * 8

// multibaseBase64URL is the multibase prefix of base64url without padding,
// the only encoding section 2.2 allows for encodedList.
const multibaseBase64URL = 'u'

// List is a status bitstring with one bit per entry (statusSize 1). Entry 0
// is the left-most, most significant, bit of the first byte, and entry
// Len()-1 the right-most bit of the last byte (section 7.1). Its length is
// always a multiple of 8 between MinEntries and MaxEntries.
//
// A List is not safe for concurrent use when one goroutine calls Set.
type List struct {
	bits []byte
}

// New returns a list of n entries, all unset. n must be a multiple of 8
// between MinEntries and MaxEntries; otherwise the error wraps
// ErrListLength.
func New(n int) (*List, error) {
	if n < MinEntries || n > MaxEntries || n%8 != 0 {
		return nil, fmt.Errorf("%w: %d entries: a list has a multiple of 8 entries between %d and %d",
			ErrListLength, n, MinEntries, MaxEntries)
	}
	return &List{bits: make([]byte, n/8)}, nil
}

// Len returns the number of entries.
func (l *List) Len() int { return len(l.bits) * 8 }

// Get reports whether entry i is set. The error wraps ErrIndexOutOfRange
// when i is not an entry of the list.
func (l *List) Get(i int) (bool, error) {
	if err := l.check(i); err != nil {
		return false, err
	}
	return l.bits[i/8]&(0x80>>(i%8)) != 0, nil
}

// Set sets entry i to v. The error wraps ErrIndexOutOfRange when i is not an
// entry of the list.
func (l *List) Set(i int, v bool) error {
	if err := l.check(i); err != nil {
		return err
	}
	if v {
		l.bits[i/8] |= 0x80 >> (i % 8)
	} else {
		l.bits[i/8] &^= 0x80 >> (i % 8)
	}
	return nil
}

func (l *List) check(i int) error {
	if i < 0 || i >= l.Len() {
		return fmt.Errorf("%w: index %d of a list of %d entries", ErrIndexOutOfRange, i, l.Len())
	}
	return nil
}

// Encode returns the list as an encodedList value (sections 2.2 and 3.3):
// the bitstring GZIP-compressed (RFC 1952), base64url-encoded without
// padding (RFC 4648 section 5), with the multibase prefix "u". The output
// depends only on the bits, so encoding an unchanged list again gives the
// same string.
func (l *List) Encode() (string, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return "", fmt.Errorf("status: encode: %w", err)
	}
	if _, err := zw.Write(l.bits); err != nil {
		return "", fmt.Errorf("status: encode: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("status: encode: %w", err)
	}
	var b strings.Builder
	b.Grow(1 + base64.RawURLEncoding.EncodedLen(buf.Len()))
	b.WriteByte(multibaseBase64URL)
	enc := base64.NewEncoder(base64.RawURLEncoding, &b)
	enc.Write(buf.Bytes()) // writes to a strings.Builder cannot fail
	enc.Close()
	return b.String(), nil
}

// Decode expands an encodedList value (section 3.4): it requires the
// multibase prefix "u" (base64url without padding; any other prefix, padding,
// line breaks or non-canonical trailing bits are refused), then decompresses
// the GZIP data, checking its CRC-32 and length.
//
// It refuses a bitstring shorter than MinEntries entries (section 3.2 step 9)
// and stops decompressing once the output exceeds
// limits.MaxStatusListBytes, so a small hostile input cannot make it
// allocate more; both errors wrap ErrListLength. Every other error wraps
// ErrMalformed.
func Decode(s string) (*List, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: encodedList is empty", ErrMalformed)
	}
	if s[0] != multibaseBase64URL {
		return nil, fmt.Errorf("%w: encodedList has multibase prefix %q, want %q (base64url, no padding)",
			ErrMalformed, s[0], multibaseBase64URL)
	}
	return decode(s[1:])
}

// Decode2021 expands the encodedList of a StatusList2021Credential (W3C CCG
// StatusList2021, section 2.2): the same GZIP-compressed bitstring, in
// base64url without padding and without Decode's multibase prefix, with the
// same checks and limits (a minimum of 16 KiB, MinEntries entries).
func Decode2021(s string) (*List, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: encodedList is empty", ErrMalformed)
	}
	return decode(s)
}

func decode(s string) (*List, error) {
	// encoding/base64 skips '\r' and '\n' and RawURLEncoding treats '='
	// as invalid; name both plainly.
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return nil, fmt.Errorf("%w: encodedList has a line break at byte %d", ErrMalformed, i+1)
	}
	if i := strings.IndexByte(s, '='); i >= 0 {
		return nil, fmt.Errorf("%w: encodedList has padding at byte %d (base64url without padding is required)", ErrMalformed, i+1)
	}
	// The compressed input is at most the caller's document, which a
	// caller bounds (limits.MaxDocumentBytes); decoding it is linear.
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList is not base64url: %w", ErrMalformed, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList is not GZIP: %w", ErrMalformed, err)
	}
	bits, err := readCapped(zr, sizeHint(raw))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: encodedList GZIP data is truncated", ErrMalformed)
		}
		return nil, fmt.Errorf("%w: encodedList GZIP data: %w", ErrMalformed, err)
	}
	if len(bits) > limits.MaxStatusListBytes {
		return nil, fmt.Errorf("%w: encodedList expands beyond %d bytes", ErrListLength, limits.MaxStatusListBytes)
	}
	if len(bits) < MinEntries/8 {
		return nil, fmt.Errorf("%w: encodedList expands to %d bytes (%d entries), fewer than the minimum %d entries",
			ErrListLength, len(bits), len(bits)*8, MinEntries)
	}
	return &List{bits: bits}, nil
}

// sizeHint returns the length the GZIP data claims to expand to: ISIZE, the
// last four bytes of the last member (RFC 1952 section 2.3.1), if it is
// within the limit. It is only a hint, to allocate once for an honest list:
// readCapped does not trust it.
func sizeHint(gz []byte) int {
	if len(gz) < 4 {
		return 0
	}
	n := binary.LittleEndian.Uint32(gz[len(gz)-4:])
	if n > limits.MaxStatusListBytes {
		return 0
	}
	return int(n)
}

// readCapped reads r to its end, or to one byte past
// limits.MaxStatusListBytes, whichever comes first.
func readCapped(r io.Reader, hint int) ([]byte, error) {
	lr := io.LimitReader(r, limits.MaxStatusListBytes+1)
	// One byte more than the hint, so that the read that reports the end
	// of an honest stream does not grow the slice.
	b := make([]byte, 0, max(hint+1, 512))
	for {
		if len(b) == cap(b) {
			grown := make([]byte, len(b), min(2*cap(b), limits.MaxStatusListBytes+1))
			copy(grown, b)
			b = grown
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
