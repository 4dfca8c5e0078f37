package jose

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/staffpass/staffpass/vc"
)

// claims are the registered JWT claims (RFC 7519 section 4.1) and the nonce
// claim (OpenID Connect Core section 2, used by VCDM 1.1 presentations), read
// from a payload. A string claim's has* flag says whether it was present.
type claims struct {
	iss, sub, jti, nonce   string
	hasIss, hasSub, hasJTI bool
	iat, nbf, exp          time.Time
	aud                    []string
}

// readClaims reads the claims from a payload's members. Each claim present
// must have its registered JSON type: iss, sub, jti and nonce strings, aud a
// string or an array of strings, iat, nbf and exp NumericDates or date-time
// strings.
func readClaims(m map[string]json.RawMessage) (claims, error) {
	var c claims
	var err error
	for _, f := range [...]struct {
		name string
		dst  *string
		has  *bool
	}{{"iss", &c.iss, &c.hasIss}, {"sub", &c.sub, &c.hasSub}, {"jti", &c.jti, &c.hasJTI}, {"nonce", &c.nonce, nil}} {
		raw, ok := m[f.name]
		if !ok {
			continue
		}
		if *f.dst, err = stringClaim(f.name, raw); err != nil {
			return c, err
		}
		if f.has != nil {
			*f.has = true
		}
	}
	if raw, ok := m["aud"]; ok {
		if len(raw) > 0 && raw[0] == '[' {
			if err := json.Unmarshal(raw, &c.aud); err != nil {
				return c, fmt.Errorf("%w: claim aud is not a string or an array of strings", ErrMalformed)
			}
		} else {
			s, err := stringClaim("aud", raw)
			if err != nil {
				return c, err
			}
			c.aud = []string{s}
		}
	}
	for _, f := range [...]struct {
		name string
		dst  *time.Time
	}{{"iat", &c.iat}, {"nbf", &c.nbf}, {"exp", &c.exp}} {
		raw, ok := m[f.name]
		if !ok {
			continue
		}
		if *f.dst, err = timeClaim(f.name, raw); err != nil {
			return c, err
		}
	}
	return c, nil
}

// stringClaim decodes a claim that must be a JSON string.
func stringClaim(name string, raw json.RawMessage) (string, error) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", fmt.Errorf("%w: claim %s is not a string", ErrMalformed, name)
	}
	return s, nil
}

// Bounds of a NumericDate this package reads: years 0001 to 9999, the range
// of an XML Schema dateTime with a four-digit year.
const (
	minNumericDate = -62135596800 // 0001-01-01T00:00:00Z
	maxNumericDate = 253402300799 // 9999-12-31T23:59:59Z
)

// timeClaim decodes iat, nbf or exp: a NumericDate (RFC 7519 section 2:
// seconds since the epoch, possibly with a fraction) or, as some
// implementations and the W3C test suite write it, an XML Schema
// dateTimeStamp string (vc.ParseDateTime).
func timeClaim(name string, raw json.RawMessage) (time.Time, error) {
	if len(raw) > 0 && raw[0] == '"' {
		s, err := stringClaim(name, raw)
		if err != nil {
			return time.Time{}, err
		}
		d, err := vc.ParseDateTime(s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: claim %s is neither a NumericDate nor a date-time", ErrMalformed, name)
		}
		return d.Time(), nil
	}
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return time.Time{}, fmt.Errorf("%w: claim %s is neither a NumericDate nor a date-time", ErrMalformed, name)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || f < minNumericDate || f > maxNumericDate {
		return time.Time{}, fmt.Errorf("%w: claim %s is not a NumericDate between years 1 and 9999", ErrMalformed, name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), nil
}
