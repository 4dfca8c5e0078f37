package dataintegrity

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
)

// Verifications share pooled datasets and canonicalizers: run together, in
// any order, a large credential, a small one and a tampered copy of the
// large one each get their own outcome (run with -race).
func TestConcurrentVerificationsShareNothing(t *testing.T) {
	large, l := staffBenchCredential(t, 40)
	small, _ := staffBenchCredential(t, 1)
	tampered := bytes.Replace(large, []byte(`"did:example:17"`), []byte(`"did:example:71"`), 1)
	if bytes.Equal(tampered, large) {
		t.Fatal("the tampered copy is the same")
	}
	docs := []struct {
		doc  []byte
		want error
	}{{large, nil}, {small, nil}, {tampered, ErrSignature}}
	opts := verifyOptions()
	opts.Loader = l
	var wg sync.WaitGroup
	errs := make(chan error, 6*len(docs))
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 3 * len(docs) {
				d := docs[(k+g)%len(docs)]
				_, err := Verify(context.Background(), d.doc, opts)
				if d.want == nil && err != nil || d.want != nil && !errors.Is(err, d.want) {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("err = %v", err)
	}
}
