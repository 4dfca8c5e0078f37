package sdjwt

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzVerify mutates SD-JWT presentations of one credential. The oracle:
// whatever verifies says nothing the issuer did not sign. Every processed
// claim is, at its path, the value the issuer concealed or wrote, so a
// verified result is a part of the issued claims; and verification never
// panics.
func FuzzVerify(f *testing.F) {
	issuer, holder := newParty(f, "did:web:kch.nhs.uk#key-1"), newParty(f, "did:jwk:holder#0")
	claims := staffClaims(holder)
	sd, _, err := Issue(claims, staffDisclosable, TypeSDJWTVC, issuer.signer)
	if err != nil {
		f.Fatal(err)
	}
	issued := roundTripF(f, claims)
	f.Add(sd)
	for _, keep := range []string{"/dbs", "/dbs/certificateNumber", "/birthdate", ""} {
		p, err := Present(sd, func(p string) bool { return p == keep }, kbOf(holder))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := Verify(context.Background(), in, verifyOpts(issuer, false))
		if err != nil {
			return
		}
		if !partOf(roundTripF(t, v.Claims), issued) {
			t.Fatalf("verified claims that were not issued: %v", v.Claims)
		}
	})
}

func roundTripF(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// partOf reports whether got is want with members of objects left out.
func partOf(got, want any) bool {
	g, ok := got.(map[string]any)
	if !ok {
		return reflect.DeepEqual(got, want)
	}
	w, ok := want.(map[string]any)
	if !ok {
		return false
	}
	for k, gv := range g {
		wv, ok := w[k]
		if !ok || !partOf(gv, wv) {
			return false
		}
	}
	return true
}
