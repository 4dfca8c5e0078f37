package vc

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// ErrDigest means a related resource's content does not match the digest
// the credential gives for it.
var ErrDigest = errors.New("vc: related resource digest does not match")

// CheckContent reports, wrapping ErrDigest, whether content (the resource's
// bytes, as its id serves them) does not match r's digests (VCDM 2.0 section
// 5.3): digestSRI, hash expressions of Subresource Integrity (sha256-,
// sha384- or sha512- and the standard base64 of the digest; of several, the
// strongest must match), and digestMultibase, "u" and the base64url (no
// padding) of the SHA-256 digest, bare or as a multihash. Each digest given
// must match; a form it cannot read is a mismatch.
func (r RelatedResource) CheckContent(content []byte) error {
	if r.DigestSRI != "" {
		if err := checkSRI(r.DigestSRI, content); err != nil {
			return fmt.Errorf("%w: %s: digestSRI: %w", ErrDigest, r.ID, err)
		}
	}
	if r.DigestMultibase != "" {
		if err := checkMultibase(r.DigestMultibase, content); err != nil {
			return fmt.Errorf("%w: %s: digestMultibase: %w", ErrDigest, r.ID, err)
		}
	}
	return nil
}

func checkSRI(expr string, content []byte) error {
	strength := map[string]int{"sha256": 1, "sha384": 2, "sha512": 3}
	newHash := map[string]func() hash.Hash{"sha256": sha256.New, "sha384": sha512.New384, "sha512": sha512.New}
	best, matched, seen := 0, false, false
	for _, tok := range strings.Fields(expr) {
		alg, b64, ok := strings.Cut(tok, "-")
		if !ok || strength[alg] == 0 {
			continue // SRI: unknown algorithms are ignored
		}
		b64, _, _ = strings.Cut(b64, "?") // options
		want, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return fmt.Errorf("%q is not base64", b64)
		}
		h := newHash[alg]()
		h.Write(content)
		ok = bytes.Equal(h.Sum(nil), want)
		seen = true
		switch s := strength[alg]; {
		case s > best:
			best, matched = s, ok
		case s == best:
			matched = matched || ok
		}
	}
	switch {
	case !seen:
		return errors.New("no sha256, sha384 or sha512 digest")
	case !matched:
		return errors.New("not the digest of the resource's content")
	}
	return nil
}

func checkMultibase(mb string, content []byte) error {
	enc, ok := strings.CutPrefix(mb, "u")
	if !ok {
		return errors.New(`not base64url multibase ("u")`)
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return errors.New("not base64url")
	}
	sum := sha256.Sum256(content)
	if len(raw) == 34 && raw[0] == 0x12 && raw[1] == 0x20 { // multihash sha2-256
		raw = raw[2:]
	}
	if !bytes.Equal(raw, sum[:]) {
		return errors.New("not the SHA-256 digest of the resource's content")
	}
	return nil
}
