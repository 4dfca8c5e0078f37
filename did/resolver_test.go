package did_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/staffpass/staffpass/did"
)

// fakeResolver returns fixed documents and errors.
type fakeResolver map[string]*did.Document

func (f fakeResolver) Resolve(ctx context.Context, id string) (*did.Document, error) {
	if doc, ok := f[id]; ok {
		return doc, nil
	}
	return nil, fmt.Errorf("fake: %w", did.ErrNotFound)
}

// sampleFor is the sample document for another DID.
func sampleFor(t testing.TB, id string) []byte {
	return bytes.ReplaceAll(sample(t), []byte("did:web:nhs.example"), []byte(id))
}

func parsed(t testing.TB, data []byte) *did.Document {
	t.Helper()
	doc, err := did.ParseDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestRouterDispatchesOnTheMethodName(t *testing.T) {
	doc := parsed(t, sample(t))
	wrong := parsed(t, sample(t))
	wrong.ID = "did:web:other.example"
	r := did.Router{
		"web": fakeResolver{"did:web:nhs.example": doc, "did:web:liar.example": wrong},
		"key": nil,
	}
	ctx := context.Background()
	got, err := r.Resolve(ctx, "did:web:nhs.example")
	if err != nil || got != doc {
		t.Fatalf("Resolve = %v, %v", got, err)
	}
	tests := []struct {
		name, in string
		want     error
	}{
		{"an unknown method is not supported", "did:ion:abc", did.ErrMethodNotSupported},
		{"a nil resolver is not supported", "did:key:z6Mk", did.ErrMethodNotSupported},
		{"a DID URL is not a DID", "did:web:nhs.example#key-1", did.ErrInvalidDID},
		{"a resolver error is kept", "did:web:missing.example", did.ErrNotFound},
		{"a document for another DID is refused", "did:web:liar.example", did.ErrIDMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Resolve(ctx, tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var re *did.ResolutionError
			if !errors.As(err, &re) || re.DID != tt.in {
				t.Fatalf("error %v is not a *ResolutionError for %q", err, tt.in)
			}
		})
	}
}

func TestStaticResolverHoldsCopies(t *testing.T) {
	var s did.StaticResolver
	doc := parsed(t, sample(t))
	if err := s.Add("did:web:nhs.example", doc); err != nil {
		t.Fatal(err)
	}
	doc.VerificationMethod[0].Type = "changed after Add"
	got, err := s.Resolve(context.Background(), "did:web:nhs.example")
	if err != nil {
		t.Fatal(err)
	}
	if got.VerificationMethod[0].Type != "Multikey" {
		t.Fatal("changing the added document changed the stored one")
	}
	got.VerificationMethod[0].Type = "changed after Resolve"
	got.Authentication[1].Embedded.Type = "changed after Resolve"
	again, _ := s.Resolve(context.Background(), "did:web:nhs.example")
	if again.VerificationMethod[0].Type != "Multikey" || again.Authentication[1].Embedded.Type != "Multikey" {
		t.Fatal("changing a resolved document changed the stored one")
	}
}

func TestStaticResolverRefusesBadAdds(t *testing.T) {
	var s did.StaticResolver
	good := parsed(t, sample(t))
	if err := s.Add("did:web:nhs.example", good); err != nil {
		t.Fatal(err)
	}
	invalid := parsed(t, sample(t))
	invalid.ID = "did:web:bad.example"
	invalid.AssertionMethod = []did.MethodRef{{Ref: "#missing"}}
	tests := []struct {
		name string
		did  string
		doc  *did.Document
		want error
	}{
		{"a document for another DID is refused", "did:web:other.example", good, did.ErrIDMismatch},
		{"a second document for a DID is refused", "did:web:nhs.example", good, did.ErrDuplicate},
		{"an invalid document is refused", "did:web:bad.example", invalid, did.ErrInvalidDocument},
		{"a nil document is refused", "did:web:nil.example", nil, did.ErrInvalidDocument},
		{"a DID URL is refused", "did:web:nhs.example#key-1", good, did.ErrInvalidDID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Add(tt.did, tt.doc); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := s.Resolve(context.Background(), "did:web:unknown.example"); !errors.Is(err, did.ErrNotFound) {
		t.Fatalf("unknown DID: %v", err)
	}
}

func TestResolveMethodChecksRelationshipAndController(t *testing.T) {
	doc := parsed(t, sample(t))
	foreign := parsed(t, sampleFor(t, "did:web:foreign.example"))
	foreign.Controller = nil
	for i := range foreign.VerificationMethod {
		foreign.VerificationMethod[i].Controller = "did:web:nhs.example" // methods controlled by another DID
	}
	foreign.Authentication[1].Embedded.Controller = "did:web:nhs.example"
	var static did.StaticResolver
	for _, d := range []*did.Document{doc, foreign} {
		if err := static.Add(d.ID, d); err != nil {
			t.Fatal(err)
		}
	}
	resolvers := map[string]did.Resolver{
		"a static resolver": &static,
		"a router":          did.Router{"web": fakeResolver{doc.ID: doc, foreign.ID: foreign}},
		"a plain resolver":  fakeResolver{doc.ID: doc, foreign.ID: foreign},
	}
	tests := []struct {
		name string
		vm   string
		rel  did.Relationship
		want error
	}{
		{"an assertion key for assertion is found", "did:web:nhs.example#key-1", did.AssertionMethod, nil},
		{"an embedded authentication key is found", "did:web:nhs.example#key-3", did.Authentication, nil},
		{"an assertion key for authentication is refused", "did:web:nhs.example#key-1", did.Authentication, did.ErrNotAuthorized},
		{"an unknown key is not found", "did:web:nhs.example#key-9", did.AssertionMethod, did.ErrNotFound},
		{"an unknown DID is not found", "did:web:unknown.example#key-1", did.AssertionMethod, did.ErrNotFound},
		{"a key controlled by another DID is refused", "did:web:foreign.example#key-1", did.AssertionMethod, did.ErrNotAuthorized},
		{"a relative id is refused", "#key-1", did.AssertionMethod, did.ErrInvalidURL},
		{"an id with a path is refused", "did:web:nhs.example/path#key-1", did.AssertionMethod, did.ErrInvalidURL},
		{"an id with a query is refused", "did:web:nhs.example?v=1#key-1", did.AssertionMethod, did.ErrInvalidURL},
	}
	for rname, r := range resolvers {
		for _, tt := range tests {
			t.Run(rname+": "+tt.name, func(t *testing.T) {
				m, err := did.ResolveMethod(context.Background(), r, tt.vm, tt.rel)
				if !errors.Is(err, tt.want) {
					t.Fatalf("error = %v, want %v", err, tt.want)
				}
				if err == nil && m.ID != tt.vm {
					t.Fatalf("method id %q, want %q", m.ID, tt.vm)
				}
			})
		}
	}
}

func TestStaticResolverIsSafeForConcurrentUse(t *testing.T) {
	var s did.StaticResolver
	doc := parsed(t, sample(t))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := parsed(t, sampleFor(t, fmt.Sprintf("did:web:n%d.example", i)))
			if err := s.Add(d.ID, d); err != nil {
				t.Error(err)
			}
			_, _ = did.ResolveMethod(context.Background(), &s, "did:web:nhs.example#key-1", did.AssertionMethod)
		}()
	}
	if err := s.Add(doc.ID, doc); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if _, err := did.ResolveMethod(context.Background(), &s, "did:web:nhs.example#key-1", did.AssertionMethod); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkResolveMethodStatic(b *testing.B) {
	var s did.StaticResolver
	doc := parsed(b, sample(b))
	if err := s.Add(doc.ID, doc); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		m, err := did.ResolveMethod(ctx, &s, "did:web:nhs.example#key-1", did.AssertionMethod)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.PublicKey(); err != nil {
			b.Fatal(err)
		}
	}
}
