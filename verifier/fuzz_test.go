package verifier_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/internal/jcs"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/verifier"
)

// meaning is what a verified Result says, in a form that does not depend on
// how its JSON was written (member order, white space, escapes, number
// forms): the RFC 8785 form of the parsed document, and of each credential
// of a presentation.
func meaning(r *verifier.Result) (string, error) {
	var doc any
	var data []byte
	var err error
	switch {
	case r.Credential != nil:
		data, err = r.Credential.MarshalJSON()
	case r.Presentation != nil:
		data, err = r.Presentation.MarshalJSON()
	}
	if err != nil {
		return "", fmt.Errorf("a verified document cannot be written: %w", err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("a verified document does not read back: %w", err)
	}
	out, err := jcs.Marshal(doc)
	if err != nil {
		return "", err
	}
	s := r.Kind + " " + string(out)
	for _, cr := range r.Credentials {
		m, err := meaning(cr)
		if err != nil {
			return "", err
		}
		s += "\n" + m
	}
	return s, nil
}

// FuzzVerify asserts that verification never panics, that its error and
// Verified agree, and that whatever verifies means what one of the signed
// seeds means: a mutation may only change what the securing mechanism does
// not sign (white space, member order, escapes), never what a reader of the
// Result reads. The seeds are a credential in every format and
// presentations of them as vp+jwt and with Data Integrity proofs.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f)
	v := fx.verifier(f)
	w := newWallet(f, seededEd25519(9))
	var seeds, creds [][]byte
	for _, format := range issuer.Formats() {
		o := fx.kch
		if format == issuer.FormatECDSARDFC2019 || format == issuer.FormatECDSAJCS2019 {
			o = fx.p256
		}
		s := issue(f, o, credentialFor(o, w, nil), format)
		seeds, creds = append(seeds, s), append(creds, s)
	}
	for _, format := range []vc.Format{vc.FormatJWT, vc.FormatEdDSARDFC2022, vc.FormatEdDSAJCS2022} {
		vp, err := holder.Present(creds[:3], w.signer, holder.Options{Format: format, Challenge: challenge, Domain: domain, Created: now.Add(-time.Minute)})
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, vp)
	}
	meanings := map[string]bool{}
	for _, s := range seeds {
		r, err := v.Verify(context.Background(), s, policy)
		if err != nil {
			f.Fatalf("a seed does not verify: %v", err)
		}
		m, err := meaning(r)
		if err != nil {
			f.Fatal(err)
		}
		meanings[m] = true
		f.Add(s)
	}
	legacy := legacyJWT(f, fx.kch, fx.kch.did, now.Add(-time.Hour), now.Add(time.Hour))
	if r, err := v.Verify(context.Background(), legacy, policy); err == nil {
		m, err := meaning(r)
		if err != nil {
			f.Fatal(err)
		}
		meanings[m] = true
	}
	f.Add(legacy)
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"id":"data:application/vc+jwt,a.b.c","type":"EnvelopedVerifiableCredential"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := v.Verify(context.Background(), data, policy)
		if r == nil {
			t.Fatal("nil Result")
		}
		if (err == nil) != r.Verified {
			t.Fatalf("err = %v but Verified = %v", err, r.Verified)
		}
		if err != nil {
			return
		}
		if m, merr := meaning(r); merr != nil || !meanings[m] {
			t.Fatalf("a mutated input verified and means something no seed means (%v): %q", merr, data)
		}
	})
}
