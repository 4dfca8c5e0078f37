package staff

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/staffpass/staffpass/internal/limits"
)

// SaltLen is the length in bytes of the random salt of a SaltedHash.
const SaltLen = 16

// DefaultIterations is the PBKDF2 iteration count NewSaltedHash uses.
//
// One hash at this count takes about 36 ms of one core (100,000 took 18 to
// 22 ms) on the 2-core AMD EPYC ("Turin-like") virtual machine staffpass
// is built on, with go1.26's crypto/pbkdf2 (go test -bench NewSaltedHash
// -cpu 1), and so does each guess of someone trying identifiers on the
// same hardware. A hash records its own count, so this default can be
// raised as hardware gets faster without breaking credentials already
// issued: Matches accepts any count from limits.MinHashIterations (10,000)
// to limits.MaxHashIterations (10,000,000).
const DefaultIterations = 200_000

// digestLen is the length in bytes of a SaltedHash digest: one
// HMAC-SHA256 block of PBKDF2 output.
const digestLen = sha256.Size

// maxIdentifierLen caps an identifier given to HashIdentifier: document
// numbers, share codes and DBS certificate numbers are far shorter.
const maxIdentifierLen = 64

// hashDomain separates identifier hashes from every other use of PBKDF2
// with the same identifier.
const hashDomain = "staffpass identifier v1"

// SaltedHash stands in a credential for an identifier that must not be
// written in it: a passport or other document number, a Home Office share
// code, a DBS certificate number. A verifier who holds the real identifier
// (the member of staff shows the certificate, or reads out the share code)
// can check it with Matches; the credential alone does not say it.
//
// In JSON it is
//
//	{"salt": "...", "digest": "...", "iterations": 200000}
//
// salt and digest in base64url without padding (RFC 4648 section 5): 16
// bytes of salt, 32 bytes of digest. iterations is the PBKDF2 iteration
// count the digest was made with (see HashIdentifier), an integer from
// limits.MinHashIterations (10,000) to limits.MaxHashIterations
// (10,000,000). The algorithm is fixed by the format: a different one
// would need a new context and new schemas.
type SaltedHash struct {
	// Salt is SaltLen random bytes, drawn afresh for each hash.
	Salt []byte
	// Digest is the 32-byte PBKDF2-HMAC-SHA256 output.
	Digest []byte
	// Iterations is the PBKDF2 iteration count Digest was made with.
	Iterations int
}

// NewSaltedHash hashes identifier with DefaultIterations under a fresh
// salt read from random (crypto/rand.Reader in production; a fixed reader
// only in tests).
func NewSaltedHash(random io.Reader, identifier string) (SaltedHash, error) {
	salt := make([]byte, SaltLen)
	if _, err := io.ReadFull(random, salt); err != nil {
		return SaltedHash{}, fmt.Errorf("staff: reading a salt: %w", err)
	}
	return HashIdentifier(salt, identifier, DefaultIterations)
}

// HashIdentifier returns the salted hash of identifier under salt, which
// must be SaltLen bytes, with the given PBKDF2 iteration count. The digest
// is
//
//	PBKDF2-HMAC-SHA256(P = "staffpass identifier v1" || 0x00 || N(identifier),
//	                   S = salt, c = iterations, dkLen = 32)
//
// (RFC 8018 section 5.2), where N removes spaces and hyphens and
// upper-cases ASCII letters, so "ab-12 34" and "AB1234" hash alike. After
// N the identifier must be 1 to 64 ASCII letters and digits; anything else
// fails with ErrFormat. The label in P keeps these digests apart from any
// other use of PBKDF2 with the same identifier, and makes P long enough
// for FIPS 140-only mode. iterations outside limits.MinHashIterations to
// limits.MaxHashIterations fails with ErrIterations; use NewSaltedHash
// (DefaultIterations) to issue.
//
// The salt stops anyone matching the digest against a precomputed table,
// and stops two credentials for the same number from looking alike. The
// iterations make each guess slow. Neither stops someone who holds the
// credential from trying possible values one by one: for short numbers
// that stays feasible with enough time and hardware, so a credential
// stays personal data.
func HashIdentifier(salt []byte, identifier string, iterations int) (SaltedHash, error) {
	if len(salt) != SaltLen {
		return SaltedHash{}, fmt.Errorf("%w: the salt must be %d bytes, not %d", ErrFormat, SaltLen, len(salt))
	}
	if err := checkIterations(iterations); err != nil {
		return SaltedHash{}, err
	}
	n, err := normaliseIdentifier(identifier)
	if err != nil {
		return SaltedHash{}, err
	}
	digest, err := pbkdf2.Key(sha256.New, hashDomain+"\x00"+string(n), salt, iterations, digestLen)
	if err != nil {
		return SaltedHash{}, fmt.Errorf("staff: hashing an identifier: %w", err)
	}
	return SaltedHash{Salt: append([]byte(nil), salt...), Digest: digest, Iterations: iterations}, nil
}

// checkIterations refuses an iteration count outside the limits.
func checkIterations(n int) error {
	if n < limits.MinHashIterations || n > limits.MaxHashIterations {
		return fmt.Errorf("%w: %d iterations; a salted hash needs %d to %d", ErrIterations, n, limits.MinHashIterations, limits.MaxHashIterations)
	}
	return nil
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

// Matches reports whether identifier is the one h was made from, hashing
// it with h's own salt and iteration count and comparing in constant time.
// It is false for a malformed identifier and for a malformed h, without
// hashing anything when h's count is outside limits.MinHashIterations to
// limits.MaxHashIterations: a credential cannot make the verifier do more
// work than that.
func (h SaltedHash) Matches(identifier string) bool {
	if h.check() != nil {
		return false
	}
	want, err := HashIdentifier(h.Salt, identifier, h.Iterations)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(want.Digest, h.Digest) == 1
}

// IsZero reports whether h is empty (absent).
func (h SaltedHash) IsZero() bool {
	return len(h.Salt) == 0 && len(h.Digest) == 0 && h.Iterations == 0
}

// Equal reports whether h and o hold the same salt, digest and iteration
// count.
func (h SaltedHash) Equal(o SaltedHash) bool {
	return string(h.Salt) == string(o.Salt) && string(h.Digest) == string(o.Digest) && h.Iterations == o.Iterations
}

// check returns nil when h has a salt and digest of the right sizes and
// an iteration count within the limits; else an error wrapping ErrFormat
// or ErrIterations.
func (h SaltedHash) check() error {
	if !h.sized() {
		return fmt.Errorf("%w: a salted hash needs a %d-byte salt and a %d-byte digest", ErrFormat, SaltLen, digestLen)
	}
	return checkIterations(h.Iterations)
}

// sized reports whether h's salt and digest have the right sizes.
func (h SaltedHash) sized() bool { return len(h.Salt) == SaltLen && len(h.Digest) == digestLen }

type saltedHashJSON struct {
	Salt       string          `json:"salt"`
	Digest     string          `json:"digest"`
	Iterations json.RawMessage `json:"iterations"`
}

var b64 = base64.RawURLEncoding.Strict()

// MarshalJSON writes {"salt": ..., "digest": ..., "iterations": ...},
// refusing a hash that is malformed (ErrFormat) or whose count is out of
// bounds (ErrIterations).
func (h SaltedHash) MarshalJSON() ([]byte, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	return json.Marshal(saltedHashJSON{b64.EncodeToString(h.Salt), b64.EncodeToString(h.Digest), strconv.AppendInt(nil, int64(h.Iterations), 10)})
}

// UnmarshalJSON reads {"salt": ..., "digest": ..., "iterations": ...},
// refusing with ErrFormat base64 that is not canonical, sizes other than
// 16 and 32 bytes, and an iteration count that is absent or not an
// integer written as one (200000; not 2e5, 200000.0 or "200000"). It
// does not hold the count to its bounds: the claims' Validate does, with
// ErrIterations, and Matches never hashes with a count out of bounds.
func (h *SaltedHash) UnmarshalJSON(data []byte) error {
	var v saltedHashJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	salt, err1 := b64.DecodeString(v.Salt)
	digest, err2 := b64.DecodeString(v.Digest)
	if err1 != nil || err2 != nil || len(salt) != SaltLen || len(digest) != digestLen {
		return fmt.Errorf("%w: a salted hash needs a %d-byte salt and a %d-byte digest in unpadded base64url", ErrFormat, SaltLen, digestLen)
	}
	if len(v.Iterations) == 0 {
		return fmt.Errorf("%w: a salted hash needs its iteration count", ErrFormat)
	}
	n, err := strconv.Atoi(string(v.Iterations))
	if err != nil {
		return fmt.Errorf("%w: the iteration count of a salted hash is an integer", ErrFormat)
	}
	*h = SaltedHash{Salt: salt, Digest: digest, Iterations: n}
	return nil
}
