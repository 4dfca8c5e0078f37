package staff

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
)

// SaltLen is the length in bytes of the random salt of a SaltedHash.
const SaltLen = 16

// maxIdentifierLen caps an identifier given to HashIdentifier: document
// numbers, share codes and DBS certificate numbers are far shorter.
const maxIdentifierLen = 64

// hashDomain separates identifier hashes from every other use of SHA-256.
const hashDomain = "staffpass identifier v1"

// SaltedHash stands in a credential for an identifier that must not be
// written in it: a passport or other document number, a Home Office share
// code, a DBS certificate number. A verifier who holds the real identifier
// (the member of staff shows the certificate, or reads out the share code)
// can check it with Matches; the credential alone does not say it.
//
// In JSON it is {"salt": "...", "digest": "..."}, both base64url without
// padding (RFC 4648 section 5): 16 bytes of salt, 32 bytes of digest.
type SaltedHash struct {
	Salt   []byte
	Digest []byte
}

// NewSaltedHash hashes identifier under a fresh salt read from random
// (crypto/rand.Reader in production; a fixed reader only in tests).
func NewSaltedHash(random io.Reader, identifier string) (SaltedHash, error) {
	salt := make([]byte, SaltLen)
	if _, err := io.ReadFull(random, salt); err != nil {
		return SaltedHash{}, fmt.Errorf("staff: reading a salt: %w", err)
	}
	return HashIdentifier(salt, identifier)
}

// HashIdentifier returns the salted hash of identifier under salt, which
// must be SaltLen bytes. The digest is
//
//	SHA-256( "staffpass identifier v1" || 0x00 || salt || N(identifier) )
//
// where N removes spaces and hyphens and upper-cases ASCII letters, so
// "ab-12 34" and "AB1234" hash alike. After N the identifier must be 1 to 64
// ASCII letters and digits; anything else fails with ErrFormat.
//
// The salt stops anyone matching the digest against a precomputed table,
// and stops two credentials for the same number from looking alike. It does
// not stop someone who holds the credential from trying every possible
// value: for short numbers (a 12-digit DBS certificate number) that is
// feasible with effort, so a credential stays personal data.
func HashIdentifier(salt []byte, identifier string) (SaltedHash, error) {
	if len(salt) != SaltLen {
		return SaltedHash{}, fmt.Errorf("%w: the salt must be %d bytes, not %d", ErrFormat, SaltLen, len(salt))
	}
	n, err := normaliseIdentifier(identifier)
	if err != nil {
		return SaltedHash{}, err
	}
	h := sha256.New()
	h.Write([]byte(hashDomain))
	h.Write([]byte{0})
	h.Write(salt)
	h.Write(n)
	return SaltedHash{Salt: append([]byte(nil), salt...), Digest: h.Sum(nil)}, nil
}

func normaliseIdentifier(s string) ([]byte, error) {
	if len(s) > 4*maxIdentifierLen {
		return nil, fmt.Errorf("%w: an identifier is at most %d letters and digits", ErrFormat, maxIdentifierLen)
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return nil, fmt.Errorf("%w: an identifier may hold only letters, digits, spaces and hyphens", ErrFormat)
		}
		out = append(out, c)
	}
	if len(out) == 0 || len(out) > maxIdentifierLen {
		return nil, fmt.Errorf("%w: an identifier is 1 to %d letters and digits", ErrFormat, maxIdentifierLen)
	}
	return out, nil
}

// Matches reports whether identifier is the one h was made from. It
// compares in constant time and is false for a malformed h or identifier.
func (h SaltedHash) Matches(identifier string) bool {
	want, err := HashIdentifier(h.Salt, identifier)
	if err != nil || len(h.Digest) != sha256.Size {
		return false
	}
	return subtle.ConstantTimeCompare(want.Digest, h.Digest) == 1
}

// IsZero reports whether h is empty (absent).
func (h SaltedHash) IsZero() bool { return len(h.Salt) == 0 && len(h.Digest) == 0 }

// Equal reports whether h and o hold the same salt and digest.
func (h SaltedHash) Equal(o SaltedHash) bool {
	return string(h.Salt) == string(o.Salt) && string(h.Digest) == string(o.Digest)
}

// valid reports whether h has a salt and digest of the right sizes.
func (h SaltedHash) valid() bool { return len(h.Salt) == SaltLen && len(h.Digest) == sha256.Size }

type saltedHashJSON struct {
	Salt   string `json:"salt"`
	Digest string `json:"digest"`
}

var b64 = base64.RawURLEncoding.Strict()

// MarshalJSON writes {"salt": ..., "digest": ...}.
func (h SaltedHash) MarshalJSON() ([]byte, error) {
	if !h.valid() {
		return nil, fmt.Errorf("%w: a salted hash needs a %d-byte salt and a %d-byte digest", ErrFormat, SaltLen, sha256.Size)
	}
	return json.Marshal(saltedHashJSON{b64.EncodeToString(h.Salt), b64.EncodeToString(h.Digest)})
}

// UnmarshalJSON reads {"salt": ..., "digest": ...}, refusing base64 that is
// not canonical and sizes other than 16 and 32 bytes.
func (h *SaltedHash) UnmarshalJSON(data []byte) error {
	var v saltedHashJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	salt, err1 := b64.DecodeString(v.Salt)
	digest, err2 := b64.DecodeString(v.Digest)
	if err1 != nil || err2 != nil || len(salt) != SaltLen || len(digest) != sha256.Size {
		return fmt.Errorf("%w: a salted hash needs a %d-byte salt and a %d-byte digest in unpadded base64url", ErrFormat, SaltLen, sha256.Size)
	}
	*h = SaltedHash{Salt: salt, Digest: digest}
	return nil
}
