package status

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/staffpass/staffpass/vc"
)

// ListCredential is a BitstringStatusListCredential (section 2.2): a status
// list as its issuer publishes it, without a proof.
type ListCredential struct {
	// Type is "" for a BitstringStatusListCredential,
	// TypeListCredential2021 for a StatusList2021Credential read by
	// ReadListCredential.
	Type string
	// ID is the credential's id: the URL that entries name in
	// statusListCredential (optional when read).
	ID string
	// Issuer is the issuer's id, such as a did:web DID.
	Issuer string
	// SubjectID is the credentialSubject id; NewCredential writes ID+"#list"
	// when it is empty.
	SubjectID string
	// Purposes is statusPurpose: one or more purposes the list serves.
	Purposes []string
	// List is the bitstring (encodedList).
	List *List
	// ValidFrom and ValidUntil bound the list's validity period (section
	// 2.2); a zero time is absent.
	ValidFrom, ValidUntil time.Time
	// TTL is ttl, how long after fetching the list a verifier should
	// fetch it again; 0 is absent.
	TTL time.Duration
}

// Credential returns the unsigned status list credential, for the issuer to
// secure: VCDM 2.0, types VerifiableCredential and
// BitstringStatusListCredential, one subject of type BitstringStatusList with
// statusPurpose, encodedList and, if set, ttl in milliseconds. Times are
// written in UTC.
func (l *ListCredential) Credential() (*vc.Credential, error) {
	if l.Type != "" {
		return nil, fmt.Errorf("%w: staffpass writes only %s, not %s", ErrMalformed, TypeListCredential, l.Type)
	}
	if err := checkURL(l.ID); err != nil {
		return nil, fmt.Errorf("%w: status list credential id %w", ErrMalformed, err)
	}
	if err := checkURL(l.Issuer); err != nil {
		return nil, fmt.Errorf("%w: status list issuer %w", ErrMalformed, err)
	}
	if len(l.Purposes) == 0 {
		return nil, fmt.Errorf("%w: status list has no statusPurpose", ErrMalformed)
	}
	for _, p := range l.Purposes {
		if p == "" {
			return nil, fmt.Errorf("%w: status list has an empty statusPurpose", ErrMalformed)
		}
	}
	if l.List == nil {
		return nil, fmt.Errorf("%w: status list has no bitstring", ErrMalformed)
	}
	if !l.ValidUntil.IsZero() && l.ValidUntil.Before(l.ValidFrom) {
		return nil, fmt.Errorf("%w: validUntil is before validFrom", ErrMalformed)
	}
	if l.TTL < 0 {
		return nil, fmt.Errorf("%w: ttl is negative", ErrMalformed)
	}
	encoded, err := l.List.Encode()
	if err != nil {
		return nil, err
	}
	subjectID := l.SubjectID
	if subjectID == "" {
		subjectID = l.ID + "#list"
	}
	claims := map[string]json.RawMessage{
		"type":        mustJSON(TypeList),
		"encodedList": mustJSON(encoded),
	}
	if len(l.Purposes) == 1 {
		claims["statusPurpose"] = mustJSON(l.Purposes[0])
	} else {
		claims["statusPurpose"] = mustJSON(l.Purposes)
	}
	if l.TTL > 0 {
		claims["ttl"] = json.RawMessage(strconv.FormatInt(l.TTL.Milliseconds(), 10))
	}
	c := &vc.Credential{
		Context:           vc.Set[vc.ContextEntry]{Items: []vc.ContextEntry{{URL: vc.ContextV2}}},
		ID:                l.ID,
		Type:              vc.Set[string]{Items: []string{vc.TypeCredential, TypeListCredential}},
		Issuer:            vc.Issuer{ID: l.Issuer},
		CredentialSubject: vc.Set[vc.Subject]{Items: []vc.Subject{{ID: subjectID, Claims: claims}}, Single: true},
	}
	if !l.ValidFrom.IsZero() {
		c.ValidFrom = vc.NewDateTime(l.ValidFrom.UTC())
	}
	if !l.ValidUntil.IsZero() {
		c.ValidUntil = vc.NewDateTime(l.ValidUntil.UTC())
	}
	return c, nil
}

// ReadListCredential reads a status list credential that vc.Parse returned
// and whose proof the caller has verified: its type includes
// BitstringStatusListCredential, it has exactly one subject, of type
// BitstringStatusList, with statusPurpose (one or more strings), encodedList
// (decoded with Decode) and, optionally, ttl (a non-negative integer of
// milliseconds). The validity period is read as vc.Credential.ValidityPeriod
// reads it.
//
// The error wraps ErrMalformed or, for the bitstring, ErrListLength.
//
// A StatusList2021Credential (W3C CCG StatusList2021, section 2.2) is read
// too, with Type TypeListCredential2021: one subject of type StatusList2021
// with statusPurpose (one string) and encodedList (decoded with
// Decode2021); it has no ttl. A credential of both types is refused.
func ReadListCredential(c *vc.Credential) (*ListCredential, error) {
	bsl, sl2021 := c.HasType(TypeListCredential), c.HasType(TypeListCredential2021)
	switch {
	case bsl && sl2021:
		return nil, fmt.Errorf("%w: type includes both %s and %s", ErrMalformed, TypeListCredential, TypeListCredential2021)
	case sl2021:
		return readList2021(c)
	case !bsl:
		return nil, fmt.Errorf("%w: type does not include %s (or %s)", ErrMalformed, TypeListCredential, TypeListCredential2021)
	}
	if len(c.CredentialSubject.Items) != 1 {
		return nil, fmt.Errorf("%w: a status list credential has exactly one credentialSubject, not %d",
			ErrMalformed, len(c.CredentialSubject.Items))
	}
	sub := c.CredentialSubject.Items[0]
	if err := checkSubjectType(sub.Claims["type"]); err != nil {
		return nil, err
	}
	purposes, err := parsePurposes(sub.Claims["statusPurpose"])
	if err != nil {
		return nil, err
	}
	encoded, err := stringMember(sub.Claims, "encodedList")
	if err != nil {
		return nil, err
	}
	list, err := Decode(encoded)
	if err != nil {
		return nil, err
	}
	ttl, err := parseTTL(sub.Claims["ttl"])
	if err != nil {
		return nil, err
	}
	from, until, err := c.ValidityPeriod()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return &ListCredential{
		ID:         c.ID,
		Issuer:     c.Issuer.ID,
		SubjectID:  sub.ID,
		Purposes:   purposes,
		List:       list,
		ValidFrom:  from,
		ValidUntil: until,
		TTL:        ttl,
	}, nil
}

// readList2021 reads a StatusList2021Credential.
func readList2021(c *vc.Credential) (*ListCredential, error) {
	if len(c.CredentialSubject.Items) != 1 {
		return nil, fmt.Errorf("%w: a status list credential has exactly one credentialSubject, not %d",
			ErrMalformed, len(c.CredentialSubject.Items))
	}
	sub := c.CredentialSubject.Items[0]
	if err := checkSubjectTypeOf(sub.Claims["type"], TypeList2021); err != nil {
		return nil, err
	}
	purpose, err := stringMember(sub.Claims, "statusPurpose")
	if err != nil {
		return nil, err
	}
	if purpose == "" {
		return nil, fmt.Errorf("%w: statusPurpose is empty", ErrMalformed)
	}
	encoded, err := stringMember(sub.Claims, "encodedList")
	if err != nil {
		return nil, err
	}
	list, err := Decode2021(encoded)
	if err != nil {
		return nil, err
	}
	from, until, err := c.ValidityPeriod()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return &ListCredential{
		Type:       TypeListCredential2021,
		ID:         c.ID,
		Issuer:     c.Issuer.ID,
		SubjectID:  sub.ID,
		Purposes:   []string{purpose},
		List:       list,
		ValidFrom:  from,
		ValidUntil: until,
	}, nil
}

func checkSubjectType(raw json.RawMessage) error {
	return checkSubjectTypeOf(raw, TypeList)
}

func checkSubjectTypeOf(raw json.RawMessage, want string) error {
	var one string
	if json.Unmarshal(raw, &one) == nil && one == want {
		return nil
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil && len(many) == 1 && many[0] == want {
		return nil
	}
	return fmt.Errorf("%w: credentialSubject type must be %s", ErrMalformed, want)
}

func parsePurposes(raw json.RawMessage) ([]string, error) {
	if raw == nil {
		return nil, fmt.Errorf("%w: statusPurpose is missing", ErrMalformed)
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one == "" {
			return nil, fmt.Errorf("%w: statusPurpose is empty", ErrMalformed)
		}
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil || len(many) == 0 {
		return nil, fmt.Errorf("%w: statusPurpose is not one or more strings", ErrMalformed)
	}
	for _, p := range many {
		if p == "" {
			return nil, fmt.Errorf("%w: statusPurpose is empty", ErrMalformed)
		}
	}
	return many, nil
}

// parseTTL reads ttl in milliseconds; a value beyond what time.Duration
// holds (about 292 years) is kept as the largest Duration.
func parseTTL(raw json.RawMessage) (time.Duration, error) {
	if raw == nil {
		return 0, nil
	}
	t := string(bytes.TrimSpace(raw))
	if t == "" {
		return 0, fmt.Errorf("%w: ttl is empty", ErrMalformed)
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return 0, fmt.Errorf("%w: ttl %s is not a non-negative integer of milliseconds", ErrMalformed, truncate(t))
		}
	}
	ms, err := strconv.ParseUint(t, 10, 64)
	if err != nil || ms > uint64(math.MaxInt64/int64(time.Millisecond)) {
		return time.Duration(math.MaxInt64), nil // only a range error is possible
	}
	return time.Duration(ms) * time.Millisecond, nil
}
