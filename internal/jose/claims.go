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
	// One call per claim, not a loop over a table of names and pointers:
	// the names reach error messages, and escape analysis would let the
	// pointers into c, stored beside them, take c to the heap.
	if err := optionalString(m, "iss", &c.iss, &c.hasIss); err != nil {
		return c, err
	}
	if err := optionalString(m, "sub", &c.sub, &c.hasSub); err != nil {
		return c, err
	}
	if err := optionalString(m, "jti", &c.jti, &c.hasJTI); err != nil {
		return c, err
	}
	if err := optionalString(m, "nonce", &c.nonce, nil); err != nil {
		return c, err
	}
	if raw, ok := m["aud"]; ok {
		if len(raw) > 0 && raw[0] == '[' {
			if c.aud, err = stringsClaim(raw); err != nil {
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
	if err := optionalTime(m, "iat", &c.iat); err != nil {
		return c, err
	}
	if err := optionalTime(m, "nbf", &c.nbf); err != nil {
		return c, err
	}
	if err := optionalTime(m, "exp", &c.exp); err != nil {
		return c, err
	}
	return c, nil
}

// optionalString reads the string claim name into dst, if it is present,
// and then sets has (when not nil).
func optionalString(m map[string]json.RawMessage, name string, dst *string, has *bool) error {
	raw, ok := m[name]
	if !ok {
		return nil
	}
	s, err := stringClaim(name, raw)
	if err != nil {
		return err
	}
	*dst = s
	if has != nil {
		*has = true
	}
	return nil
}

// optionalTime reads the time claim name into dst, if it is present.
func optionalTime(m map[string]json.RawMessage, name string, dst *time.Time) error {
	raw, ok := m[name]
	if !ok {
		return nil
	}
	t, err := timeClaim(name, raw)
	if err != nil {
		return err
	}
	*dst = t
	return nil
}

// stringsClaim decodes an array of strings; apart from readClaims so that
// only its own variable, whose address encoding/json takes, goes to the
// heap, not readClaims' claims.
func stringsClaim(raw json.RawMessage) ([]string, error) {
	var ss []string
	err := json.Unmarshal(raw, &ss)
	return ss, err
}

// stringClaim decodes a claim that must be a JSON string.
func stringClaim(name string, raw json.RawMessage) (string, error) {
	s, ok := jsonString(raw)
	if !ok {
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
	// The first instant of year 1 is Go's zero time, which stands for an
	// absent claim everywhere: it is refused with the years before.
	if err != nil || math.IsNaN(f) || f <= minNumericDate || f > maxNumericDate {
		return time.Time{}, fmt.Errorf("%w: claim %s is not a NumericDate between years 1 and 9999", ErrMalformed, name)
	}
	sec, frac := math.Modf(f)
	t := time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC()
	if t.IsZero() {
		return time.Time{}, fmt.Errorf("%w: claim %s is not a NumericDate between years 1 and 9999", ErrMalformed, name)
	}
	return t, nil
}
