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
	"github.com/staffpass/staffpass/keys"
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
		// A staff type also covers the same credential as an SD-JWT VC,
		// whose type is its vct: a bundle lists "DBSCheckCredential" once.
		if !strings.Contains(t, ":") {
			l.types[staffVCTPrefix+t] = true
		}
	}
	for _, k := range is.CompromisedKeys {
		l.broken[did.AbsoluteURL(is.ID, k)] = true
	}
	return l, nil
}

// staffVCTPrefix begins the vct of a staff SD-JWT VC (staff.VCTPrefix; the
// verifier is general and does not import the staff vocabulary).
const staffVCTPrefix = "https://w3id.org/staffpass/vct/"

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
	// direct is set for a key the Resolver found (an issuer trusted
	// directly, a holder); vouchers are otherwise the bundle listings
	// that hold the key (as current or retired): an issuer is trusted only
	// for the types the bundles that vouch for its key list.
	direct   bool
	vouchers []*listing
	// where says where the key was found, for the reason.
	where string
}

// keyLog records the methods a document's proofs used.
type keyLog struct{ uses []methodUse }

// keyFunc returns the key lookup of both securing mechanisms, recording each
// use in log. controller, when set, is the DID the method must belong to
// (the JOSE code checks the kid against the issuer or holder itself).
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

// lookup finds the key of method for purpose. A key any accepted bundle
// marks compromised verifies nothing. An issuer trusted directly has its
// keys from the Resolver, the caller's own source, first; an issuer the
// accepted bundles list, from their copies of its DID document and key
// history; every other DID (holders) from the Resolver. A retirement any
// accepted bundle records applies however the key was found.
func (v *Verifier) lookup(ctx context.Context, controller, method, purpose string, p *Policy, use *methodUse) (crypto.PublicKey, error) {
	u, err := did.ParseURL(method)
	if err != nil {
		return nil, err
	}
	owner := u.DID().String()
	if controller != "" && owner != controller {
		return nil, fmt.Errorf("%w: %q belongs to %s, not %s", errNotIssuersKey, method, owner, controller)
	}
	rel := did.Relationship(purpose)
	var ls []*listing
	t := v.issuers[owner]
	if t != nil {
		ls = t.accepted(p)
	}
	for _, l := range ls {
		if l.broken[method] {
			return nil, fmt.Errorf("%w: the trust bundle %s marks %s compromised: it verifies nothing", ErrKeyCompromised, bundleName(l.b), method)
		}
	}
	if t == nil || t.direct || len(ls) == 0 {
		k, err := v.resolve(ctx, method, purpose)
		if err == nil {
			use.direct, use.where = true, "its DID document"
			if rk, from := retirement(ls, method, rel); rk != nil {
				use.retired, use.where = rk.Retired, use.where+" (retired, says the trust bundle "+bundleName(from.b)+")"
			}
			return k, nil
		}
		if len(ls) == 0 {
			return nil, err
		}
	}
	return lookupListed(ctx, ls, method, rel, use)
}

// resolve finds a key through the Resolver, keeping the keys of did:key
// and did:jwk, which never change.
func (v *Verifier) resolve(ctx context.Context, method, purpose string) (crypto.PublicKey, error) {
	cache := cacheable(method)
	if cache {
		if k, ok := v.keys.get(method, purpose); ok {
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
	return k, nil
}

// retirement returns the earliest retirement of method the listings record
// (for rel), and the listing that records it.
func retirement(ls []*listing, method string, rel did.Relationship) (*bundle.RetiredKey, *listing) {
	var retired *bundle.RetiredKey
	var from *listing
	for _, l := range ls {
		for i := range l.is.RetiredKeys {
			rk := &l.is.RetiredKeys[i]
			if did.AbsoluteURL(l.is.ID, rk.Method.ID) != method || !slices.Contains(rk.Relationships, rel) {
				continue
			}
			if retired == nil || rk.Retired.Before(retired.Retired) {
				retired, from = rk, l
			}
		}
	}
	return retired, from
}

// lookupListed finds a method of an issuer the bundles ls list (none marks
// it compromised): a key any of them retired, with the earliest retirement
// (what it signs must say it was signed before), or one a bundle's copy of
// the DID document lists under rel. The listings that hold it, retired or
// current, vouch for it.
func lookupListed(ctx context.Context, ls []*listing, method string, rel did.Relationship, use *methodUse) (crypto.PublicKey, error) {
	var key crypto.PublicKey
	var firstErr error
	for _, l := range ls {
		if rk, _ := retirement([]*listing{l}, method, rel); rk != nil {
			if key == nil {
				k, err := rk.Method.PublicKey()
				if err != nil {
					return nil, err
				}
				key = k
			}
			use.vouchers = append(use.vouchers, l)
			continue
		}
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
		if key == nil {
			key = k
		} else if !keys.SamePublic(key, k) {
			return nil, fmt.Errorf("%w: the trust bundles give %s different keys", ErrIssuerKey, method)
		}
		use.vouchers = append(use.vouchers, l)
	}
	if key == nil {
		return nil, firstErr
	}
	if rk, from := retirement(ls, method, rel); rk != nil {
		use.retired = rk.Retired
		use.where = "the trust bundle " + bundleName(from.b) + " as a retired key"
	} else {
		use.where = "the trust bundle " + bundleName(use.vouchers[0].b) + "'s copy of its DID document"
	}
	return key, nil
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
