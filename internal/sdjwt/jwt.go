package sdjwt

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/keys"
)

// Media types (typ) this package signs and reads.
const (
	// TypeSDJWTVC is the typ of an SD-JWT VC (SD-JWT VC section 3.2.1).
	TypeSDJWTVC = "dc+sd-jwt"
	// TypeSDJWTVCLegacy is the typ drafts before 06 used; read, never
	// written.
	TypeSDJWTVCLegacy = "vc+sd-jwt"
	// TypeKeyBinding is the typ of a Key Binding JWT (section 4.3).
	TypeKeyBinding = "kb+jwt"
)

// Issue signs claims as an SD-JWT of media type typ with signer, the claims
// at disclosable (JSON Pointers to object members, such as
// "/dbs/certificateNumber") made selectively disclosable, and returns the
// compact SD-JWT with every Disclosure (for the holder) and the Disclosures.
// claims is not changed.
func Issue(claims map[string]any, disclosable []string, typ string, signer keys.Signer) (string, []Disclosure, error) {
	work, err := deepCopy(claims)
	if err != nil {
		return "", nil, err
	}
	for _, name := range []string{sdKey, sdAlgKey, ellipsis} {
		if _, ok := work[name]; ok {
			return "", nil, fmt.Errorf("%w: the claims already have %s", ErrMalformed, name)
		}
	}
	ds, err := conceal(work, disclosable)
	if err != nil {
		return "", nil, err
	}
	if len(ds) > 0 {
		work[sdAlgKey] = HashAlgorithm
	}
	payload, err := json.Marshal(work)
	if err != nil {
		return "", nil, fmt.Errorf("%w: claims: %w", ErrMalformed, err)
	}
	jwt, err := jose.SignDocument(payload, typ, signer, limits.MaxDocumentBytes)
	if err != nil {
		return "", nil, err
	}
	c := &Compact{JWT: jwt, Disclosures: ds}
	return c.String(), ds, nil
}

// deepCopy copies a JSON value by writing and reading it.
func deepCopy(m map[string]any) (map[string]any, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%w: claims: %w", ErrMalformed, err)
	}
	v, err := decodeJSON(b)
	if err != nil {
		return nil, fmt.Errorf("%w: claims: %w", ErrMalformed, err)
	}
	return v.(map[string]any), nil
}

// KeyBinding is what a holder binds a presentation to: the verifier's
// audience and nonce, signed with the holder key the issuer put in cnf.
type KeyBinding struct {
	Signer   keys.Signer
	Audience string
	Nonce    string
	IssuedAt time.Time
}

// Present returns the SD-JWT sdjwt (as issued, with every Disclosure) with
// only the Disclosures of the claims keep selects, and those they sit in
// (a claim inside a concealed object is shown only with that object), and,
// with kb, a Key Binding JWT. keep is called with each Disclosure's path
// (a JSON Pointer) in the processed claims.
func Present(sdjwt string, keep func(path string) bool, kb *KeyBinding) (string, error) {
	c, err := Split(sdjwt)
	if err != nil {
		return "", err
	}
	if c.KeyBinding != "" {
		return "", fmt.Errorf("%w: the SD-JWT already carries a Key Binding JWT", ErrMalformed)
	}
	u, err := jose.ParseUnverified(c.JWT)
	if err != nil {
		return "", err
	}
	payload, err := decodeJSON(u.Payload)
	if err != nil {
		return "", fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	obj, ok := payload.(map[string]any)
	if !ok {
		return "", fmt.Errorf("%w: the payload is not a JSON object", ErrMalformed)
	}
	paths, err := disclosurePaths(obj, c.Disclosures)
	if err != nil {
		return "", err
	}
	// A kept claim needs the Disclosures of the claims it sits in.
	keepPath := map[string]bool{}
	for _, p := range paths {
		if keep(p) {
			for q := p; q != ""; q = q[:strings.LastIndexByte(q, '/')] {
				keepPath[q] = true
			}
		}
	}
	out := &Compact{JWT: c.JWT}
	for i, d := range c.Disclosures {
		if keepPath[paths[i]] {
			out.Disclosures = append(out.Disclosures, d)
		}
	}
	if kb == nil {
		return out.String(), nil
	}
	if kb.Signer == nil || kb.Audience == "" || kb.Nonce == "" || kb.IssuedAt.IsZero() {
		return "", fmt.Errorf("%w: a Key Binding JWT needs a signer, an audience, a nonce and a time", ErrKeyBinding)
	}
	claims, err := json.Marshal(map[string]any{
		"iat": kb.IssuedAt.Unix(), "aud": kb.Audience, "nonce": kb.Nonce, "sd_hash": sdHash(out.withoutKeyBinding()),
	})
	if err != nil {
		return "", err
	}
	out.KeyBinding, err = jose.SignDocument(claims, TypeKeyBinding, kb.Signer, limits.MaxDocumentBytes)
	if err != nil {
		return "", err
	}
	return out.String(), nil
}

// disclosurePaths returns the path of each Disclosure in the processed
// claims, in the order of ds.
func disclosurePaths(payload map[string]any, ds []Disclosure) ([]string, error) {
	p := &processor{byDigest: make(map[string]*Disclosure, len(ds)), seen: map[string]bool{}, used: map[string]bool{}}
	for i := range ds {
		p.byDigest[ds[i].Digest()] = &ds[i]
	}
	pathOf := map[*Disclosure]string{}
	p.onDisclose = func(d *Disclosure, path string) { pathOf[d] = path }
	if _, err := p.object(payload, "", true); err != nil {
		return nil, err
	}
	out := make([]string, len(ds))
	for i := range ds {
		path, ok := pathOf[&ds[i]]
		if !ok {
			return nil, fmt.Errorf("%w: a Disclosure no digest refers to", ErrUnreferenced)
		}
		out[i] = path
	}
	return out, nil
}

func sdHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// VerifyOptions are what Verify needs besides the SD-JWT.
type VerifyOptions struct {
	// Types are the typ values accepted for the Issuer-signed JWT.
	Types []string
	// Algorithms are the JOSE algorithms accepted (jose.DefaultAlgorithms).
	Algorithms []string
	// IssuerKey returns the key of the Issuer-signed JWT's kid, given its
	// payload (so that the caller can check the kid against iss).
	IssuerKey func(ctx context.Context, kid string, payload map[string]any) (crypto.PublicKey, error)
	// RequireKeyBinding refuses an SD-JWT without a Key Binding JWT.
	RequireKeyBinding bool
	// Audience and Nonce are what a Key Binding JWT must say.
	Audience, Nonce string
	// Now, MaxAge and Skew bound a Key Binding JWT's iat: from Now-MaxAge
	// to Now+Skew.
	Now          time.Time
	MaxAge, Skew time.Duration
	// LowS refuses an ECDSA signature whose s is the higher of its two
	// encodings (keys.CheckLowS), on both JWTs.
	LowS bool
}

// Verified is what Verify found.
type Verified struct {
	// Header is the Issuer-signed JWT's protected header.
	Header jose.Header
	// Claims are the processed claims: the payload with what the
	// Disclosures disclose in place of their digests, without _sd and
	// _sd_alg.
	Claims map[string]any
	// Disclosed are the paths (JSON Pointers) of the claims disclosed.
	Disclosed []string
	// Withheld counts the digests no Disclosure answered, by the path of
	// the object or array they are in ("" is the payload): what the holder
	// kept back.
	Withheld map[string]int
	// HolderKey is the key cnf binds, nil when there is no cnf.jwk.
	HolderKey crypto.PublicKey
	// KeyBound is set when a Key Binding JWT verified; KeyBindingIssuedAt
	// is its iat.
	KeyBound           bool
	KeyBindingIssuedAt time.Time
}

// Verify checks an SD-JWT or SD-JWT+KB (sections 7.1 and 7.3): the
// Issuer-signed JWT's typ, algorithm and signature, the Disclosures against
// its digests, and the Key Binding JWT, if any (it is required when
// opts.RequireKeyBinding is set), against cnf.jwk, the audience, the nonce,
// the time and the hash of what was presented. It does not judge the
// Issuer-signed JWT's time claims or its other claims: the caller does.
func Verify(ctx context.Context, s string, opts VerifyOptions) (*Verified, error) {
	c, err := Split(s)
	if err != nil {
		return nil, err
	}
	u, err := jose.ParseUnverified(c.JWT)
	if err != nil {
		return nil, fmt.Errorf("%w: the Issuer-signed JWT: %w", ErrMalformed, err)
	}
	typ := strings.TrimPrefix(strings.ToLower(u.Header.Typ), "application/")
	if !slices.Contains(opts.Types, typ) {
		return nil, fmt.Errorf("%w: typ %q, want %s", ErrMalformed, u.Header.Typ, strings.Join(opts.Types, " or "))
	}
	decoded, err := decodeJSON(u.Payload)
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	payload, ok := decoded.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the payload is not a JSON object", ErrMalformed)
	}
	if opts.IssuerKey == nil {
		return nil, errors.New("sdjwt: no IssuerKey")
	}
	var issuerKey crypto.PublicKey
	_, _, err = jose.VerifyDocument([]byte(c.JWT), typ, opts.Algorithms, func(kid string) (crypto.PublicKey, error) {
		k, err := opts.IssuerKey(ctx, kid, payload)
		issuerKey = k
		return k, err
	}, limits.MaxJWTBytes, limits.MaxDocumentBytes)
	if err == nil && opts.LowS {
		err = lowS(c.JWT, issuerKey)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: the Issuer-signed JWT: %w", ErrSignature, err)
	}
	claims, paths, withheld, err := ProcessWithheld(payload, c.Disclosures)
	if err != nil {
		return nil, err
	}
	v := &Verified{Header: u.Header, Claims: claims, Disclosed: paths, Withheld: withheld}
	if cnf, ok := payload["cnf"]; ok {
		if v.HolderKey, err = CnfKey(cnf); err != nil {
			return nil, err
		}
	}
	if c.KeyBinding == "" {
		if opts.RequireKeyBinding {
			return nil, fmt.Errorf("%w: the SD-JWT has no Key Binding JWT, and this verifier requires one", ErrKeyBinding)
		}
		return v, nil
	}
	if err := verifyKeyBinding(c, v.HolderKey, opts, v); err != nil {
		return nil, err
	}
	return v, nil
}

// CnfKey reads the holder's key from cnf (RFC 7800 section 3.2: a jwk).
func CnfKey(cnf any) (crypto.PublicKey, error) {
	obj, ok := cnf.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: cnf is not an object", ErrMalformed)
	}
	jwk, ok := obj["jwk"]
	if !ok {
		return nil, fmt.Errorf("%w: cnf has no jwk (staffpass reads only a jwk confirmation)", ErrKeyBinding)
	}
	b, err := json.Marshal(jwk)
	if err != nil {
		return nil, fmt.Errorf("%w: cnf.jwk: %w", ErrMalformed, err)
	}
	k, err := keys.ParsePublicJWK(b)
	if err != nil {
		return nil, fmt.Errorf("%w: cnf.jwk: %w", ErrKeyBinding, err)
	}
	return k, nil
}

// KeyBindingClaims are what a Key Binding JWT says.
type KeyBindingClaims struct {
	IssuedAt        time.Time
	Audience, Nonce string
}

// VerifyKeyBinding checks c's Key Binding JWT (section 7.3 steps 1 to 4
// and 6): typ kb+jwt, an accepted algorithm, signed with holder (the key the
// Issuer-signed JWT's cnf binds), iat, aud, nonce and sd_hash present, and
// sd_hash the hash of the SD-JWT presented with it. Whether the nonce,
// audience and time are the verifier's is the caller's to judge (Verify
// does).
func VerifyKeyBinding(c *Compact, holder crypto.PublicKey, algorithms []string, lowSOnly bool) (*KeyBindingClaims, error) {
	if c.KeyBinding == "" {
		return nil, fmt.Errorf("%w: there is no Key Binding JWT", ErrKeyBinding)
	}
	if holder == nil {
		return nil, fmt.Errorf("%w: a Key Binding JWT, but the credential binds no key (cnf.jwk)", ErrKeyBinding)
	}
	payload, err := jose.VerifyDocumentKey([]byte(c.KeyBinding), TypeKeyBinding, algorithms, holder, limits.MaxJWTBytes, limits.MaxDocumentBytes)
	if err == nil && lowSOnly {
		err = lowS(c.KeyBinding, holder)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeyBinding, err)
	}
	decoded, err := decodeJSON(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: its claims: %w", ErrKeyBinding, err)
	}
	m, _ := decoded.(map[string]any)
	aud, okAud := m["aud"].(string)
	nonce, okNonce := m["nonce"].(string)
	hash, okHash := m["sd_hash"].(string)
	iatNum, okIAT := m["iat"].(json.Number)
	if !okAud || !okNonce || !okHash || !okIAT {
		return nil, fmt.Errorf("%w: the Key Binding JWT needs iat (a number), aud, nonce and sd_hash (strings)", ErrKeyBinding)
	}
	if hash != sdHash(c.withoutKeyBinding()) {
		return nil, fmt.Errorf("%w: sd_hash is not the hash of the SD-JWT presented with it", ErrKeyBinding)
	}
	secs, err := iatNum.Int64()
	if err != nil {
		return nil, fmt.Errorf("%w: iat is not a whole number of seconds", ErrKeyBinding)
	}
	return &KeyBindingClaims{IssuedAt: time.Unix(secs, 0).UTC(), Audience: aud, Nonce: nonce}, nil
}

func verifyKeyBinding(c *Compact, holder crypto.PublicKey, opts VerifyOptions, v *Verified) error {
	kb, err := VerifyKeyBinding(c, holder, opts.Algorithms, opts.LowS)
	if err != nil {
		return err
	}
	if opts.Nonce == "" || kb.Nonce != opts.Nonce {
		return fmt.Errorf("%w: nonce %q is not this verifier's", ErrKeyBinding, kb.Nonce)
	}
	if opts.Audience == "" || kb.Audience != opts.Audience {
		return fmt.Errorf("%w: aud %q is not this verifier", ErrKeyBinding, kb.Audience)
	}
	iat := kb.IssuedAt
	if iat.After(opts.Now.Add(opts.Skew)) {
		return fmt.Errorf("%w: made %s, after the verification time %s", ErrKeyBinding, iat.Format(time.RFC3339), opts.Now.UTC().Format(time.RFC3339))
	}
	if opts.Now.Sub(iat) > opts.MaxAge+opts.Skew {
		return fmt.Errorf("%w: made %s, more than %s before the verification time %s", ErrKeyBinding, iat.Format(time.RFC3339), opts.MaxAge, opts.Now.UTC().Format(time.RFC3339))
	}
	v.KeyBound, v.KeyBindingIssuedAt = true, iat
	return nil
}

// lowS checks a verified compact JWS's signature is the low-s encoding.
func lowS(jws string, pub crypto.PublicKey) error {
	sig, err := base64.RawURLEncoding.DecodeString(jws[strings.LastIndexByte(jws, '.')+1:])
	if err != nil {
		return fmt.Errorf("%w: signature encoding", ErrMalformed)
	}
	return keys.CheckLowS(pub, sig)
}
