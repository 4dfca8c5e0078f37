package status

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/staffpass/staffpass/vc"
)

// Types and purposes this package gives meaning to.
const (
	// TypeEntry is the type of a credentialStatus entry (section 2.1).
	TypeEntry = "BitstringStatusListEntry"
	// TypeListCredential is the type of a status list credential (section
	// 2.2), beside VerifiableCredential.
	TypeListCredential = "BitstringStatusListCredential"
	// TypeList is the type of a status list credential's subject.
	TypeList = "BitstringStatusList"

	// TypeEntry2021, TypeListCredential2021 and TypeList2021 are the
	// same three of the W3C CCG's StatusList2021 (Bitstring Status List's
	// predecessor, context https://w3id.org/vc/status-list/2021/v1), read
	// for the credentials of Microsoft Entra Verified ID: the same
	// bitstring, encoded without the multibase prefix.
	TypeEntry2021          = "StatusList2021Entry"
	TypeListCredential2021 = "StatusList2021Credential"
	TypeList2021           = "StatusList2021"

	// PurposeRevocation cancels a credential for good.
	PurposeRevocation = "revocation"
	// PurposeSuspension stops a credential being accepted for a while.
	PurposeSuspension = "suspension"
	// PurposeRefresh says an updated credential is available.
	PurposeRefresh = "refresh"
	// PurposeMessage conveys a status message (statusSize and
	// statusMessage say which).
	PurposeMessage = "message"
)

// maxMessageBits caps the statusSize for which the statusMessage count
// (2^statusSize) is computed: a larger statusSize would need more messages
// than limits.MaxJSONMembers lets an array hold, so it is malformed anyway.
const maxMessageBits = 20

// Entry is a BitstringStatusListEntry (section 2.1): where a credential's
// status is published and at which index.
type Entry struct {
	// Type is "" for a BitstringStatusListEntry, TypeEntry2021 for a
	// StatusList2021Entry read by ParseEntry.
	Type string
	// ID identifies the entry (optional). It is not the list's URL.
	ID string
	// Purpose is statusPurpose, such as PurposeRevocation.
	Purpose string
	// Index is statusListIndex, the position of the credential's status
	// in the list. It is written in JSON as a base-10 string.
	Index int
	// ListCredential is statusListCredential, the URL of the
	// BitstringStatusListCredential.
	ListCredential string
	// Size is statusSize in bits: 1 when absent.
	Size int
	// Messages is statusMessage, if present: one per possible status
	// value (2^Size of them).
	Messages []Message
	// Reference is statusReference: URLs of material about the status.
	Reference []string
}

// Message is one entry of statusMessage: a status value, as "0x" and
// hexadecimal digits, and a message for developers. Other members of the
// object are not kept.
type Message struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Entries returns the BitstringStatusListEntry and StatusList2021Entry
// entries of c's credentialStatus, in order, skipping entries of other
// types. The error
// wraps ErrMalformed (or ErrIndexOutOfRange) and names the first malformed
// entry.
func Entries(c *vc.Credential) ([]Entry, error) {
	var out []Entry
	for i, obj := range c.CredentialStatus.Items {
		if !hasType(obj.Type, TypeEntry) && !hasType(obj.Type, TypeEntry2021) {
			continue
		}
		e, err := ParseEntry(obj)
		if err != nil {
			return nil, fmt.Errorf("credentialStatus[%d]: %w", i, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// ParseEntry reads a BitstringStatusListEntry from a credentialStatus entry
// that vc.Parse returned, and checks every MUST of section 2.1: type is
// BitstringStatusListEntry, statusPurpose is a string, statusListIndex is a
// string of base-10 digits, statusListCredential is a URL, statusSize (if
// present) an integer greater than zero, statusMessage (present when
// statusSize is more than 1) holds 2^statusSize objects with a status and
// a message, statusReference is a URL or an array of URLs, and id is not the
// list's URL. Leading zeros in statusListIndex are allowed ("007" is 7).
//
// A StatusList2021Entry (W3C CCG StatusList2021, section 2.1) is read the
// same way, with Type TypeEntry2021; that specification defines neither
// statusSize, statusMessage nor statusReference, and an entry with any of
// them is refused.
//
// The error wraps ErrMalformed, or ErrIndexOutOfRange for an index no list
// can hold (MaxEntries or more).
func ParseEntry(obj vc.TypedObject) (Entry, error) {
	var e Entry
	if len(obj.Type.Items) != 1 || (obj.Type.Items[0] != TypeEntry && obj.Type.Items[0] != TypeEntry2021) {
		return e, fmt.Errorf("%w: type must be %s or %s", ErrMalformed, TypeEntry, TypeEntry2021)
	}
	e.ID = obj.ID
	if obj.Type.Items[0] == TypeEntry2021 {
		e.Type = TypeEntry2021
		for _, m := range []string{"statusSize", "statusMessage", "statusReference"} {
			if _, ok := obj.Extra[m]; ok {
				return Entry{}, fmt.Errorf("%w: %s is not a member of a %s", ErrMalformed, m, TypeEntry2021)
			}
		}
	}
	var err error
	if e.Purpose, err = stringMember(obj.Extra, "statusPurpose"); err != nil {
		return Entry{}, err
	}
	if e.Purpose == "" {
		return Entry{}, fmt.Errorf("%w: statusPurpose is empty", ErrMalformed)
	}
	index, err := stringMember(obj.Extra, "statusListIndex")
	if err != nil {
		return Entry{}, err
	}
	if e.Index, err = parseIndex(index); err != nil {
		return Entry{}, err
	}
	if e.ListCredential, err = stringMember(obj.Extra, "statusListCredential"); err != nil {
		return Entry{}, err
	}
	if err := checkURL(e.ListCredential); err != nil {
		return Entry{}, fmt.Errorf("%w: statusListCredential %w", ErrMalformed, err)
	}
	if e.ID != "" && e.ID == e.ListCredential {
		return Entry{}, fmt.Errorf("%w: id must not be the status list's URL", ErrMalformed)
	}
	if e.Size, err = parseSize(obj.Extra["statusSize"]); err != nil {
		return Entry{}, err
	}
	if e.Messages, err = parseMessages(obj.Extra["statusMessage"], e.Size); err != nil {
		return Entry{}, err
	}
	if e.Reference, err = parseReference(obj.Extra["statusReference"]); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// TypedObject returns the entry as a credentialStatus entry, to put in a
// credential before it is signed. statusSize is written only when it is not
// 1.
func (e Entry) TypedObject() (vc.TypedObject, error) {
	if e.Type != "" && e.Type != TypeEntry {
		return vc.TypedObject{}, fmt.Errorf("%w: staffpass writes only %s entries, not %s", ErrMalformed, TypeEntry, e.Type)
	}
	if e.Purpose == "" || e.Index < 0 || e.Index >= MaxEntries {
		return vc.TypedObject{}, fmt.Errorf("%w: entry needs a statusPurpose and an index in [0, %d)", ErrMalformed, MaxEntries)
	}
	if err := checkURL(e.ListCredential); err != nil {
		return vc.TypedObject{}, fmt.Errorf("%w: statusListCredential %w", ErrMalformed, err)
	}
	if e.ID != "" && e.ID == e.ListCredential {
		return vc.TypedObject{}, fmt.Errorf("%w: id must not be the status list's URL", ErrMalformed)
	}
	extra := map[string]json.RawMessage{
		"statusPurpose":        mustJSON(e.Purpose),
		"statusListIndex":      mustJSON(strconv.Itoa(e.Index)),
		"statusListCredential": mustJSON(e.ListCredential),
	}
	if e.Size > 1 {
		extra["statusSize"] = mustJSON(e.Size)
	}
	if len(e.Messages) > 0 {
		extra["statusMessage"] = mustJSON(e.Messages)
	}
	switch len(e.Reference) {
	case 0:
	case 1:
		extra["statusReference"] = mustJSON(e.Reference[0])
	default:
		extra["statusReference"] = mustJSON(e.Reference)
	}
	return vc.TypedObject{
		ID:    e.ID,
		Type:  vc.Set[string]{Items: []string{TypeEntry}, Single: true},
		Extra: extra,
	}, nil
}

// mustJSON marshals strings, ints and slices of them and of Message, which
// cannot fail.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// parseIndex reads a statusListIndex: one or more ASCII digits, no sign, no
// spaces. Values of MaxEntries or more fit no list.
func parseIndex(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("%w: statusListIndex is empty", ErrMalformed)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%w: statusListIndex %q is not a base-10 integer", ErrMalformed, truncate(s))
		}
	}
	digits := strings.TrimLeft(s, "0")
	if digits == "" {
		return 0, nil
	}
	// MaxEntries has 9 digits; anything longer is out of every list's
	// range (the spec allows integers of any size).
	if len(digits) > len(strconv.Itoa(MaxEntries)) {
		return 0, fmt.Errorf("%w: statusListIndex %q is beyond any list (at most %d entries)", ErrIndexOutOfRange, truncate(s), MaxEntries)
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n >= MaxEntries {
		return 0, fmt.Errorf("%w: statusListIndex %q is beyond any list (at most %d entries)", ErrIndexOutOfRange, truncate(s), MaxEntries)
	}
	return n, nil
}

func parseSize(raw json.RawMessage) (int, error) {
	if raw == nil {
		return 1, nil
	}
	// An integer literal only: 1.0 and 1e0 are JSON numbers but not the
	// xsd:integer the context declares.
	t := string(bytes.TrimSpace(raw))
	n, err := strconv.Atoi(t)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: statusSize %s is not an integer greater than zero", ErrMalformed, truncate(t))
	}
	return n, nil
}

func parseMessages(raw json.RawMessage, size int) ([]Message, error) {
	if raw == nil {
		if size > 1 {
			return nil, fmt.Errorf("%w: statusSize %d needs statusMessage", ErrMalformed, size)
		}
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%w: statusMessage is not an array", ErrMalformed)
	}
	if size > maxMessageBits || len(items) != 1<<size {
		return nil, fmt.Errorf("%w: statusMessage has %d entries; statusSize %d needs 2^%d", ErrMalformed, len(items), size, size)
	}
	out := make([]Message, len(items))
	for i, item := range items {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(item, &m); err != nil || m == nil {
			return nil, fmt.Errorf("%w: statusMessage[%d] is not an object", ErrMalformed, i)
		}
		st, err := stringMember(m, "status")
		if err != nil {
			return nil, fmt.Errorf("statusMessage[%d]: %w", i, err)
		}
		if !isHexStatus(st) {
			return nil, fmt.Errorf("%w: statusMessage[%d].status %q is not 0x and hexadecimal digits", ErrMalformed, i, truncate(st))
		}
		msg, err := stringMember(m, "message")
		if err != nil {
			return nil, fmt.Errorf("statusMessage[%d]: %w", i, err)
		}
		out[i] = Message{Status: st, Message: msg}
	}
	return out, nil
}

func isHexStatus(s string) bool {
	if len(s) < 3 || s[0] != '0' || s[1] != 'x' {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func parseReference(raw json.RawMessage) ([]string, error) {
	if raw == nil {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		if err := checkURL(one); err != nil {
			return nil, fmt.Errorf("%w: statusReference %w", ErrMalformed, err)
		}
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil || len(many) == 0 {
		return nil, fmt.Errorf("%w: statusReference is not a URL or an array of URLs", ErrMalformed)
	}
	for i, u := range many {
		if err := checkURL(u); err != nil {
			return nil, fmt.Errorf("%w: statusReference[%d] %w", ErrMalformed, i, err)
		}
	}
	return many, nil
}

// stringMember reads the required string member name of m.
func stringMember(m map[string]json.RawMessage, name string) (string, error) {
	raw, ok := m[name]
	if !ok {
		return "", fmt.Errorf("%w: %s is missing", ErrMalformed, name)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%w: %s is not a string", ErrMalformed, name)
	}
	return s, nil
}

// checkURL reports why s is not an absolute URL (a scheme and something
// after it), or nil.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || (u.Opaque == "" && u.Host == "" && u.Path == "") {
		return fmt.Errorf("%q is not an absolute URL", truncate(s))
	}
	return nil
}

func hasType(s vc.Set[string], t string) bool {
	for _, v := range s.Items {
		if v == t {
			return true
		}
	}
	return false
}

// truncate shortens s for an error message, so that a hostile value cannot
// make the message large.
func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
