package bundle

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/status"
)

// TrustList is what a publisher maintains and Build turns into a bundle:
// the issuers it vouches for and what each may issue.
type TrustList struct {
	// Name names the bundles built from it.
	Name string `json:"name,omitempty"`
	// ValidFor is how long a bundle built from it may be used, as a Go
	// duration ("168h"); a week when empty.
	ValidFor string `json:"validFor,omitempty"`
	// Issuers are the organisations trusted.
	Issuers []ListedIssuer `json:"issuers"`
	// Contexts are the URLs of the JSON-LD contexts whose digests the
	// bundle pins (served from the embedded set); the VCDM 2.0, status
	// and staffpass contexts when empty.
	Contexts []string `json:"contexts,omitempty"`
	// Schemas are the JSON Schemas the issuers use, by id, with digests.
	Schemas []Digest `json:"schemas,omitempty"`
}

// ListedIssuer is one issuer of a trust list.
type ListedIssuer struct {
	ID          string   `json:"id"`
	Name        string   `json:"name,omitempty"`
	Types       []string `json:"types"`
	StatusLists []string `json:"statusLists,omitempty"`
	// RetiredKeys are verification methods retired by a decision the
	// publisher records (a method that disappears from the issuer's DID
	// document is retired by Build on its own, when a previous bundle
	// has it).
	RetiredKeys []ListedRetiredKey `json:"retiredKeys,omitempty"`
	// CompromisedKeys are methods that must verify nothing.
	CompromisedKeys []string `json:"compromisedKeys,omitempty"`
}

// ListedRetiredKey is a retired method with its key and when it was
// retired.
type ListedRetiredKey struct {
	Method        did.VerificationMethod `json:"method"`
	Relationships []string               `json:"relationships,omitempty"`
	Retired       string                 `json:"retired"`
}

// ParseTrustList reads a trust list file, strictly.
func ParseTrustList(data []byte) (*TrustList, error) {
	if err := strictjson.Check(data, limits.MaxDocumentBytes); err != nil {
		return nil, fmt.Errorf("bundle: trust list: %w", err)
	}
	var l TrustList
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("bundle: trust list: %w", err)
	}
	if len(l.Issuers) == 0 {
		return nil, errors.New("bundle: trust list: no issuers")
	}
	return &l, nil
}

// Source is where Build finds the issuers' DID documents and status lists:
// over the network, a *web.Resolver of package did/web (with its guards: no
// private or loopback address unless allowed, https only, capped sizes and
// times), or any other store. (This package does no I/O itself, so that a
// verifier that opens bundles links no HTTP client.)
type Source interface {
	// Resolve returns an issuer's DID document.
	Resolve(ctx context.Context, id string) (*did.Document, error)
	// Fetch returns the status list credential published at url.
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// BuildOptions are the inputs of Build besides the trust list and source.
type BuildOptions struct {
	// Publisher is the DID that will sign the bundle (required).
	Publisher string
	// Now is the build time (required): created, fetched and the time
	// keys found retired are retired at.
	Now time.Time
	// Previous is the bundle built before, if any: a method it has for an
	// issuer that the issuer's DID document no longer lists is kept as
	// retired, so that what it signed before goes on verifying.
	Previous *Bundle
}

// Build gathers what the trust list names from src: each issuer's DID
// document, its status list credentials (each must read as a
// BitstringStatusListCredential, or a StatusList2021Credential, of that
// issuer, published at its URL), the
// digests of the contexts; and keeps the key history: methods retired by
// the list or gone from a DID document since the previous bundle, and
// compromised ones. The bundle it returns is unsigned: Sign it.
func Build(ctx context.Context, list *TrustList, src Source, opts BuildOptions) (*Bundle, error) {
	if _, err := did.Parse(opts.Publisher); err != nil {
		return nil, fmt.Errorf("bundle: publisher: %w", err)
	}
	if opts.Now.IsZero() {
		return nil, errors.New("bundle: no build time")
	}
	validFor := 7 * 24 * time.Hour
	if list.ValidFor != "" {
		d, err := time.ParseDuration(list.ValidFor)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("bundle: trust list validFor %q is not a positive duration", list.ValidFor)
		}
		validFor = d
	}
	now := opts.Now.UTC().Truncate(time.Second)
	b := &Bundle{Publisher: opts.Publisher, Name: list.Name, Created: now, ValidUntil: now.Add(validFor), Schemas: list.Schemas}
	for _, li := range list.Issuers {
		is, lists, err := buildIssuer(ctx, li, src, now, opts.Previous)
		if err != nil {
			return nil, err
		}
		b.Issuers = append(b.Issuers, is)
		b.StatusLists = append(b.StatusLists, lists...)
	}
	contexts := list.Contexts
	if len(contexts) == 0 {
		contexts = []string{vc.ContextV2, "https://www.w3.org/ns/credentials/status/v1", "https://w3id.org/staffpass/v1"}
	}
	for _, u := range contexts {
		doc, ok := ld.EmbeddedContext(u)
		if !ok {
			return nil, fmt.Errorf("bundle: context %s is not one staffpass holds", u)
		}
		b.Contexts = append(b.Contexts, Digest{ID: u, DigestSRI: SRI(doc)})
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return b, nil
}

// SRI returns the Subresource Integrity digest of data, SHA-384.
func SRI(data []byte) string {
	sum := sha512.Sum384(data)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}

func buildIssuer(ctx context.Context, li ListedIssuer, src Source, now time.Time, previous *Bundle) (Issuer, []StatusList, error) {
	fail := func(err error) (Issuer, []StatusList, error) {
		return Issuer{}, nil, fmt.Errorf("bundle: issuer %s: %w", li.ID, err)
	}
	doc, err := src.Resolve(ctx, li.ID)
	if err != nil {
		return fail(err)
	}
	if doc.ID != li.ID {
		return fail(fmt.Errorf("%w: its DID document is for %s", did.ErrIDMismatch, doc.ID))
	}
	is := Issuer{ID: li.ID, Name: li.Name, Types: slices.Clone(li.Types), Document: doc}
	is.CompromisedKeys = slices.Clone(li.CompromisedKeys)
	current := map[string]bool{}
	for _, m := range doc.VerificationMethod {
		current[did.AbsoluteURL(doc.ID, m.ID)] = true
	}
	retired := map[string]bool{}
	for _, lr := range li.RetiredKeys {
		t, err := parseTime("retired", lr.Retired)
		if err != nil {
			return fail(err)
		}
		rels := lr.Relationships
		if len(rels) == 0 {
			rels = []string{string(did.AssertionMethod)}
		}
		rk := RetiredKey{Method: lr.Method, Retired: t}
		for _, r := range rels {
			rk.Relationships = append(rk.Relationships, did.Relationship(r))
		}
		is.RetiredKeys = append(is.RetiredKeys, rk)
		retired[rk.Method.ID] = true
	}
	if previous != nil {
		if prev := previous.Issuer(li.ID); prev != nil {
			for _, k := range prev.CompromisedKeys {
				if !slices.Contains(is.CompromisedKeys, k) {
					is.CompromisedKeys = append(is.CompromisedKeys, k)
				}
			}
			for _, rk := range prev.RetiredKeys {
				if !retired[rk.Method.ID] && !current[rk.Method.ID] {
					is.RetiredKeys = append(is.RetiredKeys, rk)
					retired[rk.Method.ID] = true
				}
			}
			for _, m := range prev.Document.VerificationMethod {
				id := did.AbsoluteURL(prev.Document.ID, m.ID)
				if current[id] || retired[id] {
					continue
				}
				rk := RetiredKey{Method: m, Retired: now, Relationships: relationshipsOf(prev.Document, id)}
				rk.Method.ID = id
				if len(rk.Relationships) == 0 {
					continue // never usable for anything a verifier checks
				}
				is.RetiredKeys = append(is.RetiredKeys, rk)
				retired[id] = true
			}
		}
	}
	var lists []StatusList
	for _, u := range li.StatusLists {
		data, err := src.Fetch(ctx, u)
		if err != nil {
			return fail(fmt.Errorf("status list %s: %w", u, err))
		}
		if err := checkList(data, u, li.ID); err != nil {
			return fail(fmt.Errorf("status list %s: %w", u, err))
		}
		lists = append(lists, StatusList{URL: u, Fetched: now, Credential: bytes.TrimSpace(data)})
	}
	return is, lists, nil
}

// checkList reads a fetched status list credential, unverified (a verifier
// checks its proof), and checks it is a BitstringStatusListCredential (or
// StatusList2021Credential) of issuer ("": any) published under its own
// URL.
func checkList(data []byte, url, issuer string) error {
	payload, err := jose.PeekDocument(data)
	if err != nil {
		return err
	}
	c, err := vc.Parse(payload)
	if err != nil {
		return err
	}
	if !c.HasType(status.TypeListCredential) && !c.HasType(status.TypeListCredential2021) {
		return fmt.Errorf("not a %s (or %s)", status.TypeListCredential, status.TypeListCredential2021)
	}
	if c.ID != url {
		return fmt.Errorf("its id is %q, not the URL it is published at", c.ID)
	}
	if issuer != "" && c.Issuer.ID != issuer {
		return fmt.Errorf("issued by %s, not by %s", c.Issuer.ID, issuer)
	}
	return nil
}

// relationshipsOf lists the relationships doc gives the method id.
func relationshipsOf(doc *did.Document, id string) []did.Relationship {
	var out []did.Relationship
	for _, rel := range []did.Relationship{did.AssertionMethod, did.Authentication, did.CapabilityInvocation, did.CapabilityDelegation, did.KeyAgreement} {
		if m, err := doc.Method(id, rel); err == nil && m != nil {
			out = append(out, rel)
		}
	}
	return out
}
