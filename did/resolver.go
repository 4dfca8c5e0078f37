package did

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Resolver resolves a DID (not a DID URL) to its DID document (DID Core
// section 7.1). A Resolver must return a document whose ID is the DID, or
// an error; errors should be *ResolutionError values.
//
// Callers must not modify the document returned; resolvers in this module
// return a fresh copy each time.
type Resolver interface {
	Resolve(ctx context.Context, did string) (*Document, error)
}

// ResolutionError reports a failed resolution.
type ResolutionError struct {
	// DID is the DID being resolved.
	DID string
	// URL is the URL fetched, for methods that fetch (did:web), or "".
	URL string
	// Err is the cause; it wraps one of the package's sentinel errors
	// or a transport error.
	Err error
}

func (e *ResolutionError) Error() string {
	if e.URL != "" {
		return fmt.Sprintf("did: resolving %s (%s): %v", quote(e.DID), e.URL, e.Err)
	}
	return fmt.Sprintf("did: resolving %s: %v", quote(e.DID), e.Err)
}

// Unwrap returns Err.
func (e *ResolutionError) Unwrap() error { return e.Err }

// Router resolves a DID with the Resolver registered for its method name
// ("key", "jwk", "web"). A DID of another method fails with
// ErrMethodNotSupported. Router checks that the document's id is the DID.
type Router map[string]Resolver

// Resolve resolves did with the resolver for its method.
func (r Router) Resolve(ctx context.Context, did string) (*Document, error) {
	d, err := Parse(did)
	if err != nil {
		return nil, &ResolutionError{DID: did, Err: err}
	}
	res, ok := r[d.Method()]
	if !ok || res == nil {
		return nil, &ResolutionError{DID: did, Err: fmt.Errorf("%w: %q", ErrMethodNotSupported, d.Method())}
	}
	doc, err := res.Resolve(ctx, did)
	if err != nil {
		var re *ResolutionError
		if errors.As(err, &re) {
			return nil, err
		}
		return nil, &ResolutionError{DID: did, Err: err}
	}
	if doc == nil {
		return nil, &ResolutionError{DID: did, Err: fmt.Errorf("%w: the %s resolver returned no document", ErrNotFound, d.Method())}
	}
	if doc.ID != did {
		return nil, &ResolutionError{DID: did, Err: fmt.Errorf("%w: got %s", ErrIDMismatch, quote(doc.ID))}
	}
	return doc, nil
}

// StaticResolver resolves DIDs from documents held in memory, such as the
// DID documents of a trust bundle. The zero value is empty and ready to
// use; it is safe for concurrent use.
type StaticResolver struct {
	mu   sync.RWMutex
	docs map[string]*Document
}

// Add stores doc as the document of did. It refuses a document that does
// not Validate, whose id is not did (ErrIDMismatch), or a DID that already
// has one (ErrDuplicate). It stores a copy: changing doc afterwards does not
// change what Resolve returns.
func (s *StaticResolver) Add(did string, doc *Document) error {
	if _, err := Parse(did); err != nil {
		return err
	}
	if doc == nil {
		return fmt.Errorf("%w: nil document for %s", ErrInvalidDocument, quote(did))
	}
	if doc.ID != did {
		return fmt.Errorf("%w: document %s added for %s", ErrIDMismatch, quote(doc.ID), quote(did))
	}
	if err := doc.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.docs[did]; ok {
		return fmt.Errorf("%w: %s", ErrDuplicate, quote(did))
	}
	if s.docs == nil {
		s.docs = map[string]*Document{}
	}
	s.docs[did] = doc.clone()
	return nil
}

// Resolve returns a copy of the document stored for did, or a
// *ResolutionError wrapping ErrNotFound.
func (s *StaticResolver) Resolve(ctx context.Context, did string) (*Document, error) {
	s.mu.RLock()
	doc, ok := s.docs[did]
	s.mu.RUnlock()
	if !ok {
		return nil, &ResolutionError{DID: did, Err: fmt.Errorf("%w: no document for this DID", ErrNotFound)}
	}
	return doc.clone(), nil
}

// method finds a method without copying the whole document.
func (s *StaticResolver) method(vmID URL, rel Relationship) (*VerificationMethod, string, error) {
	did := vmID.DID().String()
	s.mu.RLock()
	doc, ok := s.docs[did]
	s.mu.RUnlock()
	if !ok {
		return nil, "", &ResolutionError{DID: did, Err: fmt.Errorf("%w: no document for this DID", ErrNotFound)}
	}
	m, err := doc.Method(vmID.String(), rel)
	return m, doc.ID, err
}

// ResolveMethod finds the verification method vmID names (a DID URL, such
// as a JWS "kid" or a Data Integrity proof's verificationMethod) through r
// and checks that it may be used for rel. Following Controlled Identifiers
// 1.0 section 3.3 ("Retrieve Verification Method"), it checks that the
// resolved document's id is the DID of vmID, that the document lists the
// method under rel, and that the method's controller is the document's id.
//
// Errors wrap ErrInvalidURL, the resolver's error (a *ResolutionError),
// ErrNotFound or ErrNotAuthorized. With a StaticResolver it copies only the
// method, not the document.
func ResolveMethod(ctx context.Context, r Resolver, vmID string, rel Relationship) (*VerificationMethod, error) {
	u, err := ParseURL(vmID)
	if err != nil {
		return nil, err
	}
	if u.Path() != "" || u.Query() != "" {
		return nil, fmt.Errorf("%w: %s: a verification method id has no path or query", ErrInvalidURL, quote(vmID))
	}
	var (
		m     *VerificationMethod
		docID string
	)
	if s, ok := r.(*StaticResolver); ok {
		m, docID, err = s.method(u, rel)
	} else {
		var doc *Document
		doc, err = r.Resolve(ctx, u.DID().String())
		if err == nil {
			if doc == nil || doc.ID != u.DID().String() {
				return nil, &ResolutionError{DID: u.DID().String(), Err: ErrIDMismatch}
			}
			docID = doc.ID
			m, err = doc.Method(vmID, rel)
		}
	}
	if err != nil {
		return nil, err
	}
	if m.Controller != docID {
		return nil, fmt.Errorf("%w: %s is controlled by %s, not by %s", ErrNotAuthorized, quote(vmID), quote(m.Controller), quote(docID))
	}
	return m, nil
}
