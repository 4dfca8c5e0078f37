package status

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/staffpass/staffpass/internal/limits"
)

// The IETF Token Status List (draft-ietf-oauth-status-list), which SD-JWT
// VCs use for their status: the credential says {"status": {"status_list":
// {"idx": N, "uri": U}}}, and the Status List Token at U, a JWT of typ
// statuslist+jwt, holds {"sub": U, "iat", "exp", "ttl", "status_list":
// {"bits": 1|2|4|8, "lst": base64url(ZLIB(bytes))}}. Status values: 0 valid,
// 1 invalid (revoked), 2 suspended; others are the application's, and this
// package gives them no meaning. Unlike the Bitstring Status List, entry 0
// sits in the least significant bits of the first byte.

// TypeStatusListToken is the typ of a Status List Token.
const TypeStatusListToken = "statuslist+jwt"

// Token Status List values.
const (
	TokenValid     = 0
	TokenInvalid   = 1
	TokenSuspended = 2
)

// Reference is a credential's pointer into a Token Status List.
type Reference struct {
	Index int
	URI   string
}

// ReadReference reads an SD-JWT VC's status claim (a JSON object decoded
// with json.Number numbers): it must hold status_list with idx (a
// non-negative integer) and uri (an https URL). Other status mechanisms in
// the claim are refused: the verifier cannot check them.
func ReadReference(claim any) (Reference, error) {
	obj, ok := claim.(map[string]any)
	if !ok {
		return Reference{}, fmt.Errorf("%w: status is not an object", ErrMalformed)
	}
	for name := range obj {
		if name != "status_list" {
			return Reference{}, fmt.Errorf("%w: status names the mechanism %q, which staffpass cannot check (only status_list)", ErrMalformed, truncate(name))
		}
	}
	sl, ok := obj["status_list"].(map[string]any)
	if !ok {
		return Reference{}, fmt.Errorf("%w: status has no status_list object", ErrMalformed)
	}
	n, ok := sl["idx"].(json.Number)
	if !ok {
		return Reference{}, fmt.Errorf("%w: status_list.idx is not a number", ErrMalformed)
	}
	idx, err := n.Int64()
	if err != nil || idx < 0 || idx >= int64(MaxEntries) {
		return Reference{}, fmt.Errorf("%w: status_list.idx %s is not an index a list can hold", ErrIndexOutOfRange, truncate(n.String()))
	}
	uri, ok := sl["uri"].(string)
	if !ok {
		return Reference{}, fmt.Errorf("%w: status_list.uri is not a string", ErrMalformed)
	}
	if err := checkURL(uri); err != nil {
		return Reference{}, fmt.Errorf("%w: status_list.uri %w", ErrMalformed, err)
	}
	return Reference{Index: int(idx), URI: uri}, nil
}

// TokenList is a Status List Token's claims, read after its signature was
// verified.
type TokenList struct {
	Subject           string
	IssuedAt, Expires time.Time
	TTL               time.Duration
	Bits              int
	lst               []byte
}

// ReadTokenList reads a Status List Token's payload: sub (the list's URI),
// iat, optional exp and ttl (seconds), and status_list with bits (1, 2, 4
// or 8) and lst (base64url, no padding, of ZLIB-compressed bytes, expanded
// to at most limits.MaxStatusListBytes).
func ReadTokenList(payload []byte) (*TokenList, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var c map[string]any
	if err := dec.Decode(&c); err != nil || c == nil {
		return nil, fmt.Errorf("%w: Status List Token claims are not a JSON object", ErrMalformed)
	}
	sub, okSub := c["sub"].(string)
	iat, okIAT := c["iat"].(json.Number)
	sl, okSL := c["status_list"].(map[string]any)
	if !okSub || !okIAT || !okSL {
		return nil, fmt.Errorf("%w: a Status List Token needs sub (a string), iat (a number) and status_list (an object)", ErrMalformed)
	}
	bitsN, okBits := sl["bits"].(json.Number)
	lst, okLst := sl["lst"].(string)
	if !okBits || !okLst {
		return nil, fmt.Errorf("%w: status_list needs bits (a number) and lst (a string)", ErrMalformed)
	}
	l := &TokenList{Subject: sub}
	var err error
	if l.IssuedAt, err = seconds("iat", iat); err != nil {
		return nil, err
	}
	if raw, ok := c["exp"]; ok {
		n, ok := raw.(json.Number)
		if !ok {
			return nil, fmt.Errorf("%w: exp is not a number", ErrMalformed)
		}
		if l.Expires, err = seconds("exp", n); err != nil {
			return nil, err
		}
	}
	if raw, ok := c["ttl"]; ok {
		n, ok := raw.(json.Number)
		t, err := n.Int64()
		if !ok || err != nil || t <= 0 {
			return nil, fmt.Errorf("%w: ttl is not a positive number of seconds", ErrMalformed)
		}
		l.TTL = time.Duration(min(t, int64(1<<33))) * time.Second
	}
	bits, err := bitsN.Int64()
	if err != nil || (bits != 1 && bits != 2 && bits != 4 && bits != 8) {
		return nil, fmt.Errorf("%w: status_list.bits must be 1, 2, 4 or 8", ErrMalformed)
	}
	l.Bits = int(bits)
	if l.lst, err = inflate(lst); err != nil {
		return nil, err
	}
	return l, nil
}

func seconds(name string, n json.Number) (time.Time, error) {
	s, err := n.Int64()
	if err != nil || s <= 0 || s > 1<<40 {
		return time.Time{}, fmt.Errorf("%w: %s is not a NumericDate of whole seconds", ErrMalformed, name)
	}
	return time.Unix(s, 0).UTC(), nil
}

// inflate decodes lst: base64url without padding, then ZLIB (RFC 1950),
// refusing more than limits.MaxStatusListBytes.
func inflate(lst string) ([]byte, error) {
	if lst == "" || strings.ContainsAny(lst, "=\r\n") {
		return nil, fmt.Errorf("%w: status_list.lst is not unpadded base64url", ErrMalformed)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(lst)
	if err != nil {
		return nil, fmt.Errorf("%w: status_list.lst is not base64url", ErrMalformed)
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: status_list.lst is not ZLIB: %w", ErrMalformed, err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, int64(limits.MaxStatusListBytes)+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: status_list.lst is truncated", ErrMalformed)
		}
		return nil, fmt.Errorf("%w: status_list.lst: %w", ErrMalformed, err)
	}
	if len(out) > limits.MaxStatusListBytes {
		return nil, fmt.Errorf("%w: status_list.lst expands beyond %d bytes", ErrListLength, limits.MaxStatusListBytes)
	}
	return out, nil
}

// Len is the number of statuses the list holds.
func (l *TokenList) Len() int { return len(l.lst) * 8 / l.Bits }

// Status returns the status value at idx: entry 0 in the least significant
// bits of the first byte.
func (l *TokenList) Status(idx int) (int, error) {
	if idx < 0 || idx >= l.Len() {
		return 0, fmt.Errorf("%w: index %d, the list holds %d", ErrIndexOutOfRange, idx, l.Len())
	}
	per := 8 / l.Bits
	b := l.lst[idx/per]
	shift := uint(idx%per) * uint(l.Bits)
	return int(b>>shift) & (1<<l.Bits - 1), nil
}

// EncodeTokenList writes statuses (each below 2^bits) as status_list's lst:
// for tests and tools that publish a Token Status List.
func EncodeTokenList(statuses []int, bits int) (string, error) {
	if bits != 1 && bits != 2 && bits != 4 && bits != 8 {
		return "", fmt.Errorf("%w: bits must be 1, 2, 4 or 8", ErrMalformed)
	}
	per := 8 / bits
	raw := make([]byte, (len(statuses)+per-1)/per)
	for i, s := range statuses {
		if s < 0 || s >= 1<<bits {
			return "", fmt.Errorf("%w: status %d does not fit %d bits", ErrMalformed, s, bits)
		}
		raw[i/per] |= byte(s) << (uint(i%per) * uint(bits))
	}
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	zw.Write(raw)
	zw.Close()
	return base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}
