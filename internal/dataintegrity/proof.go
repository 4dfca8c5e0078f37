package dataintegrity

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/staffpass/staffpass/internal/jcs"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
	"github.com/staffpass/staffpass/vc"
)

// Proof is a DataIntegrityProof (Data Integrity 1.0 section 2.1), as read
// from a document or made by Sign. Members this type does not name are kept
// in Extra, so a proof marshals back to the same members and values.
type Proof struct {
	ID                 string
	Type               string
	Cryptosuite        string
	VerificationMethod string
	ProofPurpose       string
	// Created and Expires are the zero time when absent.
	Created time.Time
	Expires time.Time
	// Challenge and Nonce are "" when absent.
	Challenge string
	Nonce     string
	// Domain holds the domain string, or the strings of a domain set.
	Domain []string
	// PreviousProof holds the id, or the ids, the proof chains from.
	PreviousProof []string
	ProofValue    string
	// Context is the proof's own @context, in RFC 8785 form, or nil. The
	// -jcs- suites put the document's @context there.
	Context json.RawMessage
	// Extra holds every other member, each value in RFC 8785 form.
	Extra map[string]json.RawMessage

	// The lexical forms read, kept so that a parsed proof marshals back
	// to the same text while Created and Expires still denote it.
	created, expires              vc.DateTime
	domainList, previousProofList bool
}

// The members a DataIntegrityProof may have, in the order MarshalJSON
// writes them (that of the W3C vectors); Extra members come before
// @context and proofValue.
const (
	mType               = "type"
	mID                 = "id"
	mCryptosuite        = "cryptosuite"
	mCreated            = "created"
	mExpires            = "expires"
	mVerificationMethod = "verificationMethod"
	mProofPurpose       = "proofPurpose"
	mChallenge          = "challenge"
	mDomain             = "domain"
	mNonce              = "nonce"
	mPreviousProof      = "previousProof"
	mContext            = "@context"
	mProofValue         = "proofValue"
)

// ParseProof reads one proof object from JSON text. It checks the text
// with strictjson (at most limits.MaxDocumentBytes) and the members' types
// and required presence, but nothing cryptographic: a parsed proof is not a
// verified one. A proof whose type is not DataIntegrityProof, or whose
// cryptosuite this package does not implement, is returned together with
// an ErrUnsupportedSuite error.
func ParseProof(data []byte) (*Proof, error) {
	v, err := strictjson.Decode(data, limits.MaxDocumentBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidProof, err)
	}
	return parseProof(v)
}

// parseProof reads a decoded proof. On ErrUnsupportedSuite it returns the
// proof too, so that a caller can report what it was.
func parseProof(v any) (*Proof, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: a proof is a JSON %s, not an object", ErrInvalidProof, jsonKind(v))
	}
	p := &Proof{}
	for k, v := range m {
		var err error
		switch k {
		case mType:
			p.Type, err = stringMember(k, v)
		case mID:
			p.ID, err = stringMember(k, v)
		case mCryptosuite:
			p.Cryptosuite, err = stringMember(k, v)
		case mVerificationMethod:
			p.VerificationMethod, err = stringMember(k, v)
		case mProofPurpose:
			p.ProofPurpose, err = stringMember(k, v)
		case mChallenge:
			p.Challenge, err = stringMember(k, v)
		case mNonce:
			p.Nonce, err = stringMember(k, v)
		case mProofValue:
			p.ProofValue, err = stringMember(k, v)
		case mCreated:
			p.created, err = dateMember(k, v)
			p.Created = p.created.Time()
		case mExpires:
			p.expires, err = dateMember(k, v)
			p.Expires = p.expires.Time()
		case mDomain:
			p.Domain, p.domainList, err = stringsMember(k, v)
		case mPreviousProof:
			p.PreviousProof, p.previousProofList, err = stringsMember(k, v)
		case mContext:
			p.Context, err = rawMember(k, v)
		default:
			var raw json.RawMessage
			if raw, err = rawMember(k, v); err == nil {
				if p.Extra == nil {
					p.Extra = make(map[string]json.RawMessage)
				}
				p.Extra[k] = raw
			}
		}
		if err != nil {
			return nil, err
		}
	}
	for _, req := range [...]struct{ name, val string }{
		{mType, p.Type},
		{mCryptosuite, p.Cryptosuite},
		{mVerificationMethod, p.VerificationMethod},
		{mProofPurpose, p.ProofPurpose},
		{mProofValue, p.ProofValue},
	} {
		if req.val == "" {
			return nil, fmt.Errorf("%w: %s missing or empty", ErrInvalidProof, req.name)
		}
	}
	if p.Type != ProofType {
		return p, fmt.Errorf("%w: proof type %s", ErrUnsupportedSuite, quote(p.Type))
	}
	if _, ok := lookupSuite(p.Cryptosuite); !ok {
		return p, fmt.Errorf("%w: %s", ErrUnsupportedSuite, quote(p.Cryptosuite))
	}
	return p, nil
}

func stringMember(name string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: %s is a JSON %s, not a string", ErrInvalidProof, name, jsonKind(v))
	}
	return s, nil
}

func dateMember(name string, v any) (vc.DateTime, error) {
	s, err := stringMember(name, v)
	if err != nil {
		return vc.DateTime{}, err
	}
	d, err := vc.ParseDateTime(s)
	if err != nil {
		return vc.DateTime{}, fmt.Errorf("%w: %s: %w", ErrInvalidProof, name, err)
	}
	return d, nil
}

// stringsMember reads a string or a non-empty array of strings, and says
// which it was.
func stringsMember(name string, v any) ([]string, bool, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, false, nil
	case []any:
		if len(v) == 0 {
			return nil, true, fmt.Errorf("%w: %s is an empty array", ErrInvalidProof, name)
		}
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, true, fmt.Errorf("%w: %s[%d] is a JSON %s, not a string", ErrInvalidProof, name, i, jsonKind(e))
			}
			out[i] = s
		}
		return out, true, nil
	}
	return nil, false, fmt.Errorf("%w: %s is a JSON %s, not a string or an array of strings", ErrInvalidProof, name, jsonKind(v))
}

func rawMember(name string, v any) (json.RawMessage, error) {
	if v == nil {
		return nil, fmt.Errorf("%w: %s is null", ErrInvalidProof, quote(name))
	}
	b, err := jcs.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidProof, quote(name), err)
	}
	return b, nil
}

// createdLexical returns the created member as written: the lexical form
// read, if Created still denotes it, or Created in UTC to the second.
func (p *Proof) createdLexical() string { return lexical(p.Created, p.created) }
func (p *Proof) expiresLexical() string { return lexical(p.Expires, p.expires) }

func lexical(t time.Time, read vc.DateTime) string {
	if t.IsZero() {
		return ""
	}
	if !read.IsZero() && read.Time().Equal(t) {
		return read.String()
	}
	return formatTime(t)
}

// formatTime writes t as Sign does: UTC, to the second, as the W3C
// vectors and the Digital Bazaar libraries write created.
func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// MarshalJSON writes the proof as a JSON object: its members in the order
// of the W3C vectors (type, id, cryptosuite, created, expires,
// verificationMethod, proofPurpose, challenge, domain, nonce,
// previousProof), then Extra in name order, @context and proofValue. A
// parsed proof keeps the lexical form of its dates and whether domain and
// previousProof were a string or an array.
func (p Proof) MarshalJSON() ([]byte, error) {
	return p.appendJSON(nil, true)
}

// appendJSON appends the proof to dst; without withValue it leaves out
// proofValue.
func (p *Proof) appendJSON(dst []byte, withValue bool) ([]byte, error) {
	dst = append(dst, '{')
	first := true
	member := func(name string) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst, _ = jcs.Append(dst, name)
		dst = append(dst, ':')
	}
	str := func(name, v string) error {
		if v == "" {
			return nil
		}
		member(name)
		var err error
		dst, err = jcs.Append(dst, v)
		return err
	}
	strs := func(name string, v []string, list bool) error {
		if len(v) == 0 {
			return nil
		}
		member(name)
		if len(v) == 1 && !list {
			var err error
			dst, err = jcs.Append(dst, v[0])
			return err
		}
		dst = append(dst, '[')
		for i, s := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = jcs.Append(dst, s); err != nil {
				return err
			}
		}
		dst = append(dst, ']')
		return nil
	}
	raw := func(name string, v json.RawMessage) error {
		if v == nil {
			return nil
		}
		if !json.Valid(v) {
			return fmt.Errorf("%w: %s is not valid JSON", ErrInvalidProof, quote(name))
		}
		member(name)
		dst = append(dst, v...)
		return nil
	}
	errs := []error{
		str(mType, p.Type),
		str(mID, p.ID),
		str(mCryptosuite, p.Cryptosuite),
		str(mCreated, p.createdLexical()),
		str(mExpires, p.expiresLexical()),
		str(mVerificationMethod, p.VerificationMethod),
		str(mProofPurpose, p.ProofPurpose),
		str(mChallenge, p.Challenge),
		strs(mDomain, p.Domain, p.domainList),
		str(mNonce, p.Nonce),
		strs(mPreviousProof, p.PreviousProof, p.previousProofList),
	}
	names := make([]string, 0, len(p.Extra))
	for k := range p.Extra {
		if isKnownMember(k) {
			errs = append(errs, fmt.Errorf("%w: Extra holds %s, which is a typed field", ErrInvalidProof, quote(k)))
			continue
		}
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		errs = append(errs, raw(k, p.Extra[k]))
	}
	errs = append(errs, raw(mContext, p.Context))
	if withValue {
		errs = append(errs, str(mProofValue, p.ProofValue))
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

// configMembers returns the proof's members other than @context and
// proofValue as decoded JSON: the proof configuration of Sign before the
// suite sets its @context.
func (p *Proof) configMembers() (map[string]any, error) {
	m := make(map[string]any, 8+len(p.Extra))
	set := func(name, v string) {
		if v != "" {
			m[name] = v
		}
	}
	list := func(name string, v []string, asList bool) {
		switch {
		case len(v) == 1 && !asList:
			m[name] = v[0]
		case len(v) > 0:
			l := make([]any, len(v))
			for i, s := range v {
				l[i] = s
			}
			m[name] = l
		}
	}
	set(mType, p.Type)
	set(mID, p.ID)
	set(mCryptosuite, p.Cryptosuite)
	set(mCreated, p.createdLexical())
	set(mExpires, p.expiresLexical())
	set(mVerificationMethod, p.VerificationMethod)
	set(mProofPurpose, p.ProofPurpose)
	set(mChallenge, p.Challenge)
	list(mDomain, p.Domain, p.domainList)
	set(mNonce, p.Nonce)
	list(mPreviousProof, p.PreviousProof, p.previousProofList)
	for k, raw := range p.Extra {
		if isKnownMember(k) {
			return nil, fmt.Errorf("%w: Extra holds %s, which is a typed field", ErrInvalidProof, quote(k))
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalidProof, quote(k), err)
		}
		m[k] = v
	}
	return m, nil
}

func isKnownMember(k string) bool {
	switch k {
	case mType, mID, mCryptosuite, mCreated, mExpires, mVerificationMethod, mProofPurpose,
		mChallenge, mDomain, mNonce, mPreviousProof, mContext, mProofValue:
		return true
	}
	return false
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// quote quotes s for an error message, shortened so that a hostile input
// cannot make the message large.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%q…", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
