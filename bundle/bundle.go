package bundle

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
)

// The format's names.
const (
	// Type is the type member of every bundle.
	Type = "StaffpassTrustBundle"
	// Version is the version of the format this package reads and writes.
	Version = 1
	// MediaType is the typ of the JWS a signed bundle is.
	MediaType = "staffpass-trust-bundle+jwt"
)

// Errors callers can branch on with errors.Is.
var (
	// ErrMalformed: the bundle is not a bundle of this format and version.
	ErrMalformed = errors.New("bundle: malformed")
	// ErrSignature: the bundle's signature does not verify, or it was
	// not signed by the publisher the caller named.
	ErrSignature = errors.New("bundle: not signed by its publisher")
)

// Bundle is a trust bundle: what a publisher (NHS England for the national
// list, a consortium, a trust for itself) vouches for, for verifiers to use
// offline. Open returns one whose signature was verified; Parse one read
// from unsigned JSON (to build or inspect).
type Bundle struct {
	// Publisher is the DID that signs the bundle.
	Publisher string
	// Name says what the bundle is, for people.
	Name string
	// Created is when the bundle was built; ValidUntil is when verifiers
	// stop using it: the status lists in it are then too old to rely on.
	Created, ValidUntil time.Time
	// Issuers are the organisations trusted, each for some credential
	// types.
	Issuers []Issuer
	// StatusLists are the status list credentials of the issuers, as
	// fetched when the bundle was built.
	StatusLists []StatusList
	// Contexts and Schemas are the digests of the JSON-LD contexts and
	// JSON Schemas the issuers use: a verifier holding another document
	// under one of these ids refuses it.
	Contexts, Schemas []Digest
}

// Issuer is an organisation a bundle trusts.
type Issuer struct {
	// ID is its DID.
	ID string
	// Name is its name, for people.
	Name string
	// Types are the credential types it may issue: a credential of
	// another type from it is not trusted. A staff type named without a
	// colon (e.g. "DBSCheckCredential") also covers that credential as an
	// SD-JWT VC, whose vct is "https://w3id.org/staffpass/vct/" and the
	// type.
	Types []string
	// Document is its DID document as resolved when the bundle was built.
	Document *did.Document
	// RetiredKeys are verification methods it no longer uses: each still
	// verifies what was issued before it was retired, and nothing after.
	RetiredKeys []RetiredKey
	// CompromisedKeys are the ids of methods that verify nothing, whatever
	// date a credential gives (an issue date is only the signer's word).
	CompromisedKeys []string
}

// RetiredKey is a verification method an issuer retired.
type RetiredKey struct {
	Method did.VerificationMethod
	// Relationships are those it had (assertionMethod, ...).
	Relationships []did.Relationship
	// Retired is when it stopped being used.
	Retired time.Time
}

// StatusList is a status list credential in a bundle.
type StatusList struct {
	// URL is where it is published: the statusListCredential of entries.
	URL string
	// Fetched is when it was fetched.
	Fetched time.Time
	// Credential is the credential as fetched: a vc+jwt or Data Integrity
	// JSON. A verifier checks its proof.
	Credential []byte
}

// Digest is the digest of a context (by URL) or a schema (by id), as
// Subresource Integrity ("sha384-...").
type Digest struct {
	ID        string `json:"id"`
	DigestSRI string `json:"digestSRI"`
}

// Issuer returns the bundle's issuer with id, or nil.
func (b *Bundle) Issuer(id string) *Issuer {
	for i := range b.Issuers {
		if b.Issuers[i].ID == id {
			return &b.Issuers[i]
		}
	}
	return nil
}

// Stale reports whether the bundle is past its ValidUntil at now.
func (b *Bundle) Stale(now time.Time) bool { return !b.ValidUntil.IsZero() && now.After(b.ValidUntil) }

// The JSON form.

type wireBundle struct {
	Type        string       `json:"type"`
	Version     int          `json:"version"`
	Publisher   string       `json:"publisher"`
	Name        string       `json:"name,omitempty"`
	Created     string       `json:"created"`
	ValidUntil  string       `json:"validUntil"`
	Issuers     []wireIssuer `json:"issuers"`
	StatusLists []wireList   `json:"statusLists,omitempty"`
	Contexts    []Digest     `json:"contexts,omitempty"`
	Schemas     []Digest     `json:"schemas,omitempty"`
}

type wireIssuer struct {
	ID              string          `json:"id"`
	Name            string          `json:"name,omitempty"`
	Types           []string        `json:"types"`
	DIDDocument     json.RawMessage `json:"didDocument"`
	RetiredKeys     []wireRetired   `json:"retiredKeys,omitempty"`
	CompromisedKeys []string        `json:"compromisedKeys,omitempty"`
}

type wireRetired struct {
	Method        json.RawMessage `json:"method"`
	Relationships []string        `json:"relationships"`
	Retired       string          `json:"retired"`
}

type wireList struct {
	URL        string          `json:"url"`
	Fetched    string          `json:"fetched"`
	Credential json.RawMessage `json:"credential"`
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Marshal writes the bundle as its JSON form, unsigned: issuers in the
// order given, every time in UTC to the second.
func (b *Bundle) Marshal() ([]byte, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	w := wireBundle{Type: Type, Version: Version, Publisher: b.Publisher, Name: b.Name,
		Created: stamp(b.Created), ValidUntil: stamp(b.ValidUntil), Contexts: b.Contexts, Schemas: b.Schemas}
	for _, is := range b.Issuers {
		doc, err := json.Marshal(is.Document)
		if err != nil {
			return nil, fmt.Errorf("bundle: issuer %s: %w", is.ID, err)
		}
		wi := wireIssuer{ID: is.ID, Name: is.Name, Types: is.Types, DIDDocument: doc, CompromisedKeys: is.CompromisedKeys}
		for _, rk := range is.RetiredKeys {
			m, err := json.Marshal(rk.Method)
			if err != nil {
				return nil, fmt.Errorf("bundle: issuer %s: %w", is.ID, err)
			}
			rels := make([]string, len(rk.Relationships))
			for i, r := range rk.Relationships {
				rels[i] = string(r)
			}
			wi.RetiredKeys = append(wi.RetiredKeys, wireRetired{Method: m, Relationships: rels, Retired: stamp(rk.Retired)})
		}
		w.Issuers = append(w.Issuers, wi)
	}
	for _, l := range b.StatusLists {
		cred := bytes.TrimSpace(l.Credential)
		if len(cred) == 0 || cred[0] != '{' {
			s, err := json.Marshal(string(cred))
			if err != nil {
				return nil, err
			}
			cred = s
		}
		w.StatusLists = append(w.StatusLists, wireList{URL: l.URL, Fetched: stamp(l.Fetched), Credential: cred})
	}
	return json.Marshal(w)
}

// Parse reads a bundle's unsigned JSON form, strictly: the type and
// version of this format, no member it does not know, every DID document
// valid and the issuer's own, every time a date-time.
func Parse(data []byte) (*Bundle, error) {
	if err := strictjson.Check(data, limits.MaxBundleBytes); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var w wireBundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if w.Type != Type || w.Version != Version {
		return nil, fmt.Errorf("%w: type %q version %d, want %s version %d", ErrMalformed, w.Type, w.Version, Type, Version)
	}
	b := &Bundle{Publisher: w.Publisher, Name: w.Name, Contexts: w.Contexts, Schemas: w.Schemas}
	var err error
	if b.Created, err = parseTime("created", w.Created); err != nil {
		return nil, err
	}
	if b.ValidUntil, err = parseTime("validUntil", w.ValidUntil); err != nil {
		return nil, err
	}
	if len(w.Issuers) > limits.MaxBundleIssuers || len(w.StatusLists) > limits.MaxBundleStatusLists {
		return nil, fmt.Errorf("%w: more than %d issuers or %d status lists", ErrMalformed, limits.MaxBundleIssuers, limits.MaxBundleStatusLists)
	}
	for i, wi := range w.Issuers {
		is := Issuer{ID: wi.ID, Name: wi.Name, Types: wi.Types, CompromisedKeys: wi.CompromisedKeys}
		if is.Document, err = did.ParseDocument(wi.DIDDocument); err != nil {
			return nil, fmt.Errorf("%w: issuer %d (%s): DID document: %w", ErrMalformed, i, wi.ID, err)
		}
		for j, wr := range wi.RetiredKeys {
			var rk RetiredKey
			if err := json.Unmarshal(wr.Method, &rk.Method); err != nil {
				return nil, fmt.Errorf("%w: issuer %s: retired key %d: %w", ErrMalformed, wi.ID, j, err)
			}
			for _, r := range wr.Relationships {
				rk.Relationships = append(rk.Relationships, did.Relationship(r))
			}
			if rk.Retired, err = parseTime("retired", wr.Retired); err != nil {
				return nil, err
			}
			is.RetiredKeys = append(is.RetiredKeys, rk)
		}
		b.Issuers = append(b.Issuers, is)
	}
	for i, wl := range w.StatusLists {
		l := StatusList{URL: wl.URL}
		if l.Fetched, err = parseTime("fetched", wl.Fetched); err != nil {
			return nil, err
		}
		raw := bytes.TrimSpace(wl.Credential)
		switch {
		case len(raw) > 0 && raw[0] == '"':
			s, ok := strictjson.Unquote(raw)
			if !ok {
				return nil, fmt.Errorf("%w: status list %d: credential", ErrMalformed, i)
			}
			l.Credential = []byte(s)
		case len(raw) > 0 && raw[0] == '{':
			l.Credential = bytes.Clone(raw)
		default:
			return nil, fmt.Errorf("%w: status list %d (%s): the credential must be a vc+jwt string or a JSON object", ErrMalformed, i, wl.URL)
		}
		b.StatusLists = append(b.StatusLists, l)
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return b, nil
}

func parseTime(name, s string) (time.Time, error) {
	d, err := vc.ParseDateTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s: %w", ErrMalformed, name, err)
	}
	return d.Time(), nil
}

// Validate checks what Parse and Marshal rely on: a publisher DID, a
// creation time before ValidUntil, issuers with DIDs, at least one type and
// their own valid DID document, no issuer or status list URL twice,
// retired keys of the issuer's own, status lists at https URLs.
func (b *Bundle) Validate() error {
	if _, err := did.Parse(b.Publisher); err != nil {
		return fmt.Errorf("%w: publisher: %w", ErrMalformed, err)
	}
	if b.Created.IsZero() || b.ValidUntil.IsZero() || !b.ValidUntil.After(b.Created) {
		return fmt.Errorf("%w: validUntil must be after created", ErrMalformed)
	}
	seen := map[string]bool{}
	for _, is := range b.Issuers {
		if _, err := did.Parse(is.ID); err != nil {
			return fmt.Errorf("%w: issuer %q: %w", ErrMalformed, is.ID, err)
		}
		if seen[is.ID] {
			return fmt.Errorf("%w: issuer %s listed twice", ErrMalformed, is.ID)
		}
		seen[is.ID] = true
		if len(is.Types) == 0 || slices.Contains(is.Types, "") {
			return fmt.Errorf("%w: issuer %s has no credential type", ErrMalformed, is.ID)
		}
		if is.Document == nil || is.Document.ID != is.ID {
			return fmt.Errorf("%w: issuer %s: its DID document is missing or another's", ErrMalformed, is.ID)
		}
		if err := is.Document.Validate(); err != nil {
			return fmt.Errorf("%w: issuer %s: %w", ErrMalformed, is.ID, err)
		}
		for _, rk := range is.RetiredKeys {
			u, err := did.ParseURL(rk.Method.ID)
			if err != nil || u.DID().String() != is.ID || rk.Method.Controller != is.ID {
				return fmt.Errorf("%w: issuer %s: retired key %q is not its own", ErrMalformed, is.ID, rk.Method.ID)
			}
			if _, err := rk.Method.PublicKey(); err != nil {
				return fmt.Errorf("%w: issuer %s: retired key %s: %w", ErrMalformed, is.ID, rk.Method.ID, err)
			}
			if rk.Retired.IsZero() || len(rk.Relationships) == 0 {
				return fmt.Errorf("%w: issuer %s: retired key %s needs a retired time and its relationships", ErrMalformed, is.ID, rk.Method.ID)
			}
		}
		for _, k := range is.CompromisedKeys {
			if u, err := did.ParseURL(k); err != nil || u.DID().String() != is.ID {
				return fmt.Errorf("%w: issuer %s: compromised key %q is not its own", ErrMalformed, is.ID, k)
			}
		}
	}
	urls := map[string]bool{}
	for _, l := range b.StatusLists {
		if !strings.HasPrefix(l.URL, "https://") || urls[l.URL] {
			return fmt.Errorf("%w: status list %q: an https URL, listed once", ErrMalformed, l.URL)
		}
		urls[l.URL] = true
		if l.Fetched.IsZero() || len(l.Credential) == 0 {
			return fmt.Errorf("%w: status list %s: no credential or no fetch time", ErrMalformed, l.URL)
		}
		if l.Fetched.After(b.Created) {
			return fmt.Errorf("%w: status list %s: fetched %s, after the bundle was built", ErrMalformed, l.URL, l.Fetched.UTC().Format(time.RFC3339))
		}
		if err := checkList(l.Credential, l.URL, ""); err != nil {
			return fmt.Errorf("%w: status list %s: %w", ErrMalformed, l.URL, err)
		}
	}
	return nil
}

// Sign signs the bundle as its publisher: a compact JWS (typ MediaType)
// of its JSON form, by s, whose key must be a method of b.Publisher.
func Sign(b *Bundle, s keys.Signer) ([]byte, error) {
	if s == nil {
		return nil, errors.New("bundle: no signer")
	}
	u, err := did.ParseURL(s.KeyID())
	if err != nil || u.DID().String() != b.Publisher {
		return nil, fmt.Errorf("bundle: the signer's key %q is not a method of the publisher %s", s.KeyID(), b.Publisher)
	}
	data, err := b.Marshal()
	if err != nil {
		return nil, err
	}
	tok, err := jose.SignDocument(data, MediaType, s, limits.MaxBundleBytes)
	if err != nil {
		return nil, err
	}
	return []byte(tok), nil
}

// Open verifies a signed bundle and reads it. Its signature must be by a
// method publisher lists for assertionMethod (resolved through r, which
// for a did:key or did:jwk publisher can be did/key or did/jwk's resolver,
// and for a did:web one a did.StaticResolver holding the publisher's
// document, or did/web's network resolver), and the bundle must name
// publisher as its own. A caller opens each bundle it accepts against the
// publisher it has configured for it: a bundle signed by anyone else fails
// with ErrSignature.
func Open(ctx context.Context, data []byte, publisher string, r did.Resolver) (*Bundle, error) {
	if _, err := did.Parse(publisher); err != nil {
		return nil, fmt.Errorf("bundle: publisher: %w", err)
	}
	key := func(kid string) (crypto.PublicKey, error) {
		u, err := did.ParseURL(kid)
		if err != nil {
			return nil, err
		}
		if u.DID().String() != publisher {
			return nil, fmt.Errorf("%w: signed by %s, not by the publisher %s", ErrSignature, u.DID(), publisher)
		}
		m, err := did.ResolveMethod(ctx, r, kid, did.AssertionMethod)
		if err != nil {
			return nil, err
		}
		return m.PublicKey()
	}
	payload, _, err := jose.VerifyDocument(data, MediaType, jose.DefaultAlgorithms(), key, limits.MaxBundleBytes*4/3+1024, limits.MaxBundleBytes)
	if err != nil {
		if errors.Is(err, jose.ErrMalformed) || errors.Is(err, jose.ErrTooLarge) || errors.Is(err, jose.ErrType) {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	b, err := Parse(payload)
	if err != nil {
		return nil, err
	}
	if b.Publisher != publisher {
		return nil, fmt.Errorf("%w: the bundle names %s as its publisher, not %s", ErrSignature, b.Publisher, publisher)
	}
	return b, nil
}
