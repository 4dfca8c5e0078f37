package verifier

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
)

// trustedIssuer is what the verifier knows of one issuer: whether it is
// trusted directly (Trust.Issuers: any type, keys through the Resolver) and
// each listing of it in a trust bundle.
type trustedIssuer struct {
	id       string
	direct   bool
	listings []*listing // newest bundle first
}

// listing is an issuer as one bundle lists it.
type listing struct {
	b      *bundle.Bundle
	is     *bundle.Issuer
	doc    *did.StaticResolver // the bundle's copy of its DID document
	types  map[string]bool
	broken map[string]bool // compromised method ids
}

func newListing(b *bundle.Bundle, is *bundle.Issuer) (*listing, error) {
	l := &listing{b: b, is: is, doc: &did.StaticResolver{}, types: make(map[string]bool), broken: make(map[string]bool)}
	if err := l.doc.Add(is.ID, is.Document); err != nil {
		return nil, fmt.Errorf("the DID document of %s in the bundle %s: %w", is.ID, bundleName(b), err)
	}
	for _, t := range is.Types {
		l.types[t] = true
	}
	for _, k := range is.CompromisedKeys {
		l.broken[did.AbsoluteURL(is.ID, k)] = true
	}
	return l, nil
}

// bundleName names a bundle for a reason: its name and publisher.
func bundleName(b *bundle.Bundle) string {
	if b.Name != "" {
		return fmt.Sprintf("%q of %s", b.Name, b.Publisher)
	}
	return "of " + b.Publisher
}

// indexIssuers gathers the issuers of trust: those trusted directly and
// those the bundles list, each listing of one issuer newest bundle first.
func indexIssuers(trust Trust) (map[string]*trustedIssuer, error) {
	out := make(map[string]*trustedIssuer)
	get := func(id string) *trustedIssuer {
		t := out[id]
		if t == nil {
			t = &trustedIssuer{id: id}
			out[id] = t
		}
		return t
	}
	for _, id := range trust.Issuers {
		if _, err := did.Parse(id); err != nil {
			return nil, fmt.Errorf("%w: trusted issuer %q: %w", ErrConfig, id, err)
		}
		get(id).direct = true
	}
	for i, b := range trust.Bundles {
		if b == nil {
			return nil, fmt.Errorf("%w: bundle %d is nil", ErrConfig, i)
		}
		for j := range b.Issuers {
			is := &b.Issuers[j]
			l, err := newListing(b, is)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrConfig, err)
			}
			t := get(is.ID)
			t.listings = append(t.listings, l)
		}
	}
	for _, t := range out {
		sort.SliceStable(t.listings, func(i, j int) bool { return t.listings[i].b.Created.After(t.listings[j].b.Created) })
	}
	return out, nil
}

// accepted returns the issuer's listings in the bundles p accepts.
func (t *trustedIssuer) accepted(p *Policy) []*listing {
	if len(p.Publishers) == 0 {
		return t.listings
	}
	var out []*listing
	for _, l := range t.listings {
		if slices.Contains(p.Publishers, l.b.Publisher) {
			out = append(out, l)
		}
	}
	return out
}

// methodUse is what the key lookup found for one verification method: the
// verification-method check's outcome.
type methodUse struct {
	method, purpose string
	err             error
	// retired is when the key was retired (zero: it is current); what it
	// signed must say it was signed before.
	retired time.Time
	// where says where the key was found, for the reason.
	where string
}

// keyLog records the methods a document's proofs used.
type keyLog struct{ uses []methodUse }

// keyFunc returns the key lookup of both securing mechanisms, recording each
// use in log. controller, when set, is the DID the method must belong to
// (the JOSE code checks the kid against the issuer or holder itself). The
// keys of an issuer that accepted bundles list are looked up there, with
// its key history; every other DID's through the Resolver.
func (v *Verifier) keyFunc(controller string, p *Policy, log *keyLog) func(ctx context.Context, method, purpose string) (crypto.PublicKey, error) {
	return func(ctx context.Context, method, purpose string) (crypto.PublicKey, error) {
		use := methodUse{method: method, purpose: purpose}
		k, err := v.lookup(ctx, controller, method, purpose, p, &use)
		use.err = err
		log.uses = append(log.uses, use)
		return k, err
	}
}

var errNotIssuersKey = errors.New("the verification method is not the issuer's")

func (v *Verifier) lookup(ctx context.Context, controller, method, purpose string, p *Policy, use *methodUse) (crypto.PublicKey, error) {
	u, err := did.ParseURL(method)
	if err != nil {
		return nil, err
	}
	owner := u.DID().String()
	if controller != "" && owner != controller {
		return nil, fmt.Errorf("%w: %q belongs to %s, not %s", errNotIssuersKey, method, owner, controller)
	}
	if t := v.issuers[owner]; t != nil {
		if ls := t.accepted(p); len(ls) > 0 {
			return lookupListed(ctx, ls, method, did.Relationship(purpose), use)
		}
	}
	cache := cacheable(method)
	if cache {
		if k, ok := v.keys.get(method, purpose); ok {
			use.where = "its DID document"
			return k, nil
		}
	}
	m, err := did.ResolveMethod(ctx, v.resolver, method, did.Relationship(purpose))
	if err != nil {
		return nil, err
	}
	k, err := m.PublicKey()
	if err != nil {
		return nil, err
	}
	if cache {
		v.keys.put(method, purpose, k)
	}
	use.where = "its DID document"
	return k, nil
}

// lookupListed finds a method of an issuer the bundles ls list: refused if
// any marks it compromised; else a key any retired, with the earliest
// retirement (what it signs must say it was signed before); else one any
// bundle's copy of the DID document lists under rel.
func lookupListed(ctx context.Context, ls []*listing, method string, rel did.Relationship, use *methodUse) (crypto.PublicKey, error) {
	for _, l := range ls {
		if l.broken[method] {
			return nil, fmt.Errorf("%w: the trust bundle %s marks %s compromised: it verifies nothing", ErrKeyCompromised, bundleName(l.b), method)
		}
	}
	var retired *bundle.RetiredKey
	var from *listing
	for _, l := range ls {
		for i := range l.is.RetiredKeys {
			rk := &l.is.RetiredKeys[i]
			if did.AbsoluteURL(l.is.ID, rk.Method.ID) != method {
				continue
			}
			if retired == nil || rk.Retired.Before(retired.Retired) {
				retired, from = rk, l
			}
		}
	}
	if retired != nil {
		if !slices.Contains(retired.Relationships, rel) {
			return nil, fmt.Errorf("%w: %s, retired, was not listed for %s", did.ErrNotAuthorized, method, rel)
		}
		k, err := retired.Method.PublicKey()
		if err != nil {
			return nil, err
		}
		use.retired = retired.Retired
		use.where = "the trust bundle " + bundleName(from.b) + " as a retired key"
		return k, nil
	}
	var firstErr error
	for _, l := range ls {
		m, err := did.ResolveMethod(ctx, l.doc, method, rel)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		k, err := m.PublicKey()
		if err != nil {
			return nil, err
		}
		use.where = "the trust bundle " + bundleName(l.b) + "'s copy of its DID document"
		return k, nil
	}
	return nil, firstErr
}

// checkMethods judges the verification methods a document's proofs used:
// each found under the right relationship, none compromised, and a retired
// one only for what says it was signed before it was retired (signed
// gives the time each method's signature claims; zero when it claims
// none).
func checkMethods(log *keyLog, signed func(method string) time.Time) (string, error) {
	if len(log.uses) == 0 {
		return "", fmt.Errorf("%w: no verification method was looked up", ErrIssuerKey)
	}
	var notes []string
	for _, u := range log.uses {
		if u.err != nil {
			if errors.Is(u.err, ErrKeyCompromised) {
				return "", u.err
			}
			return "", fmt.Errorf("%w: %s for %s: %w", ErrIssuerKey, u.method, u.purpose, u.err)
		}
		if !u.retired.IsZero() {
			at := signed(u.method)
			switch {
			case at.IsZero():
				return "", fmt.Errorf("%w: %s was retired %s, and the document does not say when it was signed", ErrKeyRetired, u.method, stamp(u.retired))
			case !at.Before(u.retired):
				return "", fmt.Errorf("%w: %s was retired %s; the document says it was signed %s", ErrKeyRetired, u.method, stamp(u.retired), stamp(at))
			}
			notes = append(notes, fmt.Sprintf("%s, listed for %s in %s, retired %s, signed %s, before that", u.method, u.purpose, u.where, stamp(u.retired), stamp(at)))
			continue
		}
		notes = append(notes, fmt.Sprintf("%s, listed for %s in %s", u.method, u.purpose, u.where))
	}
	return strings.Join(notes, "; "), nil
}
