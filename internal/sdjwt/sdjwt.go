// Package sdjwt implements Selective Disclosure for JWTs (SD-JWT, RFC 9901)
// on staffpass's JOSE layer: an issuer signs a JWT whose payload holds, in
// place of each selectively disclosable claim, the digest of a Disclosure
// (a salt, the claim's name and its value); the holder presents the JWT with
// the Disclosures it chooses and, when asked, a Key Binding JWT signed with
// the key the issuer bound into cnf; the verifier processes what it is
// given back into a payload.
//
// What this package refuses, each with an exported error (section 7):
//
//   - a compact form that is not <JWT>~<Disclosure>~...~[<KB-JWT>], a
//     Disclosure that is not base64url of a JSON array of two or three
//     elements with a string salt (and a string name), a name of _sd or
//     ..., a Disclosure given twice (ErrMalformed);
//   - an _sd_alg other than sha-256 (ErrHashAlgorithm);
//   - a digest that appears twice in the payload and the Disclosures
//     (ErrDuplicateDigest), a Disclosure no digest refers to
//     (ErrUnreferenced), a disclosed name the object already has, an _sd
//     that is not an array of strings, a {"...": digest} object with other
//     members (ErrMalformed);
//   - a Key Binding JWT that is not typ kb+jwt, not signed by the cnf key,
//     whose sd_hash is not the hash of what was presented, whose nonce or
//     aud is not the verifier's, or whose iat is outside the window, and
//     a missing one when the verifier requires it (ErrKeyBinding).
//
// Salts are 128 random bits (section 9.3), so a Disclosure's digest gives
// nothing away of a low-entropy value such as a certificate number: no slow
// hash is needed. Digests in _sd are sorted (section 4.2.4.1), so their
// order says nothing of the claims'.
package sdjwt

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
)

// Errors callers can branch on with errors.Is.
var (
	ErrMalformed       = errors.New("sdjwt: malformed SD-JWT")
	ErrHashAlgorithm   = errors.New("sdjwt: unsupported _sd_alg")
	ErrDuplicateDigest = errors.New("sdjwt: a digest appears more than once")
	ErrUnreferenced    = errors.New("sdjwt: a Disclosure no digest refers to")
	ErrKeyBinding      = errors.New("sdjwt: key binding")
	ErrSignature       = errors.New("sdjwt: signature")
)

// HashAlgorithm is the only _sd_alg this package makes and reads (section
// 4.1.1: the IANA name of SHA-256, the default when _sd_alg is absent).
const HashAlgorithm = "sha-256"

// Reserved names (section 4.2.4).
const (
	sdKey     = "_sd"
	sdAlgKey  = "_sd_alg"
	ellipsis  = "..."
	saltBytes = 16
)

// Disclosure is one Disclosure (section 4.2): for an object property, a
// salt, the claim's name and its value; for an array element (Name empty,
// Element true), a salt and the value.
type Disclosure struct {
	// Encoded is the Disclosure as it travels: base64url of its JSON
	// array. Its digest is taken over exactly these characters.
	Encoded string
	Salt    string
	Name    string
	Element bool
	Value   any
}

// Digest returns the base64url SHA-256 digest of the Disclosure's encoded
// form (section 4.2.3).
func (d Disclosure) Digest() string { return digest(d.Encoded) }

func digest(encoded string) string {
	sum := sha256.Sum256([]byte(encoded))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// newDisclosure makes the Disclosure of an object property with a fresh
// random salt.
func newDisclosure(name string, value any) (Disclosure, error) {
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return Disclosure{}, fmt.Errorf("sdjwt: salt: %w", err)
	}
	s := base64.RawURLEncoding.EncodeToString(salt)
	arr, err := json.Marshal([]any{s, name, value})
	if err != nil {
		return Disclosure{}, fmt.Errorf("%w: the value of %q cannot be written as JSON: %w", ErrMalformed, name, err)
	}
	return Disclosure{Encoded: base64.RawURLEncoding.EncodeToString(arr), Salt: s, Name: name, Value: value}, nil
}

// ParseDisclosure decodes one Disclosure.
func ParseDisclosure(encoded string) (Disclosure, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(encoded)
	if err != nil || strings.ContainsAny(encoded, "=\r\n") {
		return Disclosure{}, fmt.Errorf("%w: a Disclosure is not base64url", ErrMalformed)
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return Disclosure{}, fmt.Errorf("%w: a Disclosure is not JSON: %w", ErrMalformed, err)
	}
	arr, ok := v.([]any)
	if !ok || (len(arr) != 2 && len(arr) != 3) {
		return Disclosure{}, fmt.Errorf("%w: a Disclosure must be a JSON array of two or three elements", ErrMalformed)
	}
	d := Disclosure{Encoded: encoded}
	if d.Salt, ok = arr[0].(string); !ok {
		return Disclosure{}, fmt.Errorf("%w: a Disclosure's salt must be a string", ErrMalformed)
	}
	if len(arr) == 2 {
		d.Element, d.Value = true, arr[1]
		return d, nil
	}
	if d.Name, ok = arr[1].(string); !ok {
		return Disclosure{}, fmt.Errorf("%w: a Disclosure's claim name must be a string", ErrMalformed)
	}
	if d.Name == sdKey || d.Name == ellipsis {
		return Disclosure{}, fmt.Errorf("%w: a Disclosure may not name the claim %q", ErrMalformed, d.Name)
	}
	d.Value = arr[2]
	return d, nil
}

// decodeJSON decodes strict JSON (no duplicate member names, limits on
// size and depth), keeping numbers as json.Number so that they are written
// back as they were.
func decodeJSON(data []byte) (any, error) {
	if err := strictjson.Check(data, limits.MaxDocumentBytes); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// Compact is an SD-JWT or SD-JWT+KB split into its parts (section 4).
type Compact struct {
	// JWT is the Issuer-signed JWT.
	JWT string
	// Disclosures are the Disclosures, in the order given.
	Disclosures []Disclosure
	// KeyBinding is the Key Binding JWT, "" when there is none.
	KeyBinding string
}

// Split parses the compact serialisation. It checks the form of every part
// and refuses a Disclosure given twice; it verifies nothing.
func Split(s string) (*Compact, error) {
	s = strings.TrimSpace(s)
	if len(s) > limits.MaxDocumentBytes*2 {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrMalformed, len(s), limits.MaxDocumentBytes*2)
	}
	parts := strings.Split(s, "~")
	if len(parts) < 2 {
		return nil, fmt.Errorf("%w: no ~ after the Issuer-signed JWT", ErrMalformed)
	}
	c := &Compact{JWT: parts[0], KeyBinding: parts[len(parts)-1]}
	if strings.Count(c.JWT, ".") != 2 {
		return nil, fmt.Errorf("%w: the Issuer-signed JWT is not a compact JWS", ErrMalformed)
	}
	if c.KeyBinding != "" && strings.Count(c.KeyBinding, ".") != 2 {
		return nil, fmt.Errorf("%w: the part after the last ~ is neither empty nor a Key Binding JWT", ErrMalformed)
	}
	seen := map[string]bool{}
	for _, enc := range parts[1 : len(parts)-1] {
		if enc == "" {
			return nil, fmt.Errorf("%w: an empty Disclosure (two ~ in a row)", ErrMalformed)
		}
		if seen[enc] {
			return nil, fmt.Errorf("%w: a Disclosure is given twice", ErrMalformed)
		}
		seen[enc] = true
		d, err := ParseDisclosure(enc)
		if err != nil {
			return nil, err
		}
		c.Disclosures = append(c.Disclosures, d)
	}
	return c, nil
}

// withoutKeyBinding is the SD-JWT the Key Binding JWT's sd_hash is taken
// over (section 4.3.1): the Issuer-signed JWT and each Disclosure, each
// followed by ~.
func (c *Compact) withoutKeyBinding() string {
	var b strings.Builder
	b.WriteString(c.JWT)
	b.WriteByte('~')
	for _, d := range c.Disclosures {
		b.WriteString(d.Encoded)
		b.WriteByte('~')
	}
	return b.String()
}

// WithoutKeyBinding is the SD-JWT without its Key Binding JWT.
func (c *Compact) WithoutKeyBinding() string { return c.withoutKeyBinding() }

// String is the compact serialisation.
func (c *Compact) String() string { return c.withoutKeyBinding() + c.KeyBinding }

// Process replaces, in payload (the Issuer-signed JWT's claims, decoded),
// every digest a Disclosure answers with what it discloses, drops the
// digests none answers and the array elements they stand for, and removes
// _sd and _sd_alg (section 7.1 step 3). It returns the processed claims and
// the path of each disclosed claim (JSON Pointers, in payload order).
func Process(payload map[string]any, disclosures []Disclosure) (map[string]any, []string, error) {
	claims, paths, _, err := ProcessWithheld(payload, disclosures)
	return claims, paths, err
}

// ProcessWithheld is Process, and also counts, by the JSON Pointer of the
// object or array they are in, the digests no Disclosure answered: claims
// the holder kept back (or decoys, which staffpass never writes).
func ProcessWithheld(payload map[string]any, disclosures []Disclosure) (map[string]any, []string, map[string]int, error) {
	if alg, ok := payload[sdAlgKey]; ok && alg != HashAlgorithm {
		return nil, nil, nil, fmt.Errorf("%w: %v (only %s)", ErrHashAlgorithm, alg, HashAlgorithm)
	}
	p := &processor{byDigest: make(map[string]*Disclosure, len(disclosures)), seen: map[string]bool{}, used: map[string]bool{}, withheld: map[string]int{}}
	for i := range disclosures {
		p.byDigest[disclosures[i].Digest()] = &disclosures[i]
	}
	out, err := p.object(payload, "", true)
	if err != nil {
		return nil, nil, nil, err
	}
	for dg, d := range p.byDigest {
		if !p.used[dg] {
			what := "an array element"
			if !d.Element {
				what = fmt.Sprintf("the claim %q", d.Name)
			}
			return nil, nil, nil, fmt.Errorf("%w: the Disclosure of %s", ErrUnreferenced, what)
		}
	}
	return out, p.paths, p.withheld, nil
}

type processor struct {
	byDigest map[string]*Disclosure
	seen     map[string]bool // every digest met, to refuse one met twice
	used     map[string]bool
	paths    []string
	depth    int
	// withheld counts unanswered digests by where they are.
	withheld map[string]int
	// onDisclose, when set, is told the path of each Disclosure used.
	onDisclose func(d *Disclosure, path string)
}

func (p *processor) disclosed(d *Disclosure, path string) {
	p.paths = append(p.paths, path)
	if p.onDisclose != nil {
		p.onDisclose(d, path)
	}
}

func (p *processor) claim(dg string) (*Disclosure, error) {
	if p.seen[dg] {
		return nil, fmt.Errorf("%w: %s", ErrDuplicateDigest, dg)
	}
	p.seen[dg] = true
	d := p.byDigest[dg]
	if d != nil {
		p.used[dg] = true
	}
	return d, nil
}

func (p *processor) value(v any, path string) (any, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > limits.MaxJSONDepth {
		return nil, fmt.Errorf("%w: nested more than %d deep", ErrMalformed, limits.MaxJSONDepth)
	}
	switch v := v.(type) {
	case map[string]any:
		return p.object(v, path, false)
	case []any:
		return p.array(v, path)
	}
	return v, nil
}

func (p *processor) object(obj map[string]any, path string, top bool) (map[string]any, error) {
	out := make(map[string]any, len(obj))
	for name, v := range obj {
		if name == sdKey || (top && name == sdAlgKey) {
			continue
		}
		if name == ellipsis {
			return nil, fmt.Errorf("%w: %s: a \"...\" member outside an array", ErrMalformed, pathOr(path))
		}
		pv, err := p.value(v, path+"/"+escape(name))
		if err != nil {
			return nil, err
		}
		out[name] = pv
	}
	raw, ok := obj[sdKey]
	if !ok {
		return out, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s/_sd is not an array", ErrMalformed, path)
	}
	for _, e := range list {
		dg, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%w: %s/_sd holds a value that is not a string", ErrMalformed, path)
		}
		d, err := p.claim(dg)
		if err != nil {
			return nil, err
		}
		if d == nil {
			if p.withheld != nil {
				p.withheld[path]++ // undisclosed, or a decoy
			}
			continue
		}
		if d.Element {
			return nil, fmt.Errorf("%w: an array element's Disclosure answers a digest in %s/_sd", ErrMalformed, path)
		}
		if _, clash := out[d.Name]; clash || d.Name == sdAlgKey && top {
			return nil, fmt.Errorf("%w: the Disclosure of %q names a claim %s already has", ErrMalformed, d.Name, pathOr(path))
		}
		claimPath := path + "/" + escape(d.Name)
		pv, err := p.value(d.Value, claimPath)
		if err != nil {
			return nil, err
		}
		out[d.Name] = pv
		p.disclosed(d, claimPath)
	}
	return out, nil
}

func (p *processor) array(arr []any, path string) ([]any, error) {
	out := make([]any, 0, len(arr))
	for _, e := range arr {
		obj, isObj := e.(map[string]any)
		dgRaw, hasEllipsis := obj[ellipsis]
		if !isObj || !hasEllipsis {
			pv, err := p.value(e, fmt.Sprintf("%s/%d", path, len(out)))
			if err != nil {
				return nil, err
			}
			out = append(out, pv)
			continue
		}
		dg, ok := dgRaw.(string)
		if len(obj) != 1 || !ok {
			return nil, fmt.Errorf("%w: %s: an array element with \"...\" must hold only that digest", ErrMalformed, pathOr(path))
		}
		d, err := p.claim(dg)
		if err != nil {
			return nil, err
		}
		if d == nil {
			if p.withheld != nil {
				p.withheld[path]++ // an element not disclosed: it is not there
			}
			continue
		}
		if !d.Element {
			return nil, fmt.Errorf("%w: the Disclosure of the claim %q answers an array element's digest in %s", ErrMalformed, d.Name, pathOr(path))
		}
		elemPath := fmt.Sprintf("%s/%d", path, len(out))
		pv, err := p.value(d.Value, elemPath)
		if err != nil {
			return nil, err
		}
		out = append(out, pv)
		p.disclosed(d, elemPath)
	}
	return out, nil
}

// escape writes a member name as a JSON Pointer token (RFC 6901).
func escape(name string) string {
	return strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
}

func pathOr(p string) string {
	if p == "" {
		return "the payload"
	}
	return p
}

// conceal makes the claims at paths (JSON Pointers to object members)
// selectively disclosable in claims, which it changes, deepest first, so
// that a claim inside a concealed object is concealed inside its
// Disclosure. It returns the Disclosures.
func conceal(claims map[string]any, paths []string) ([]Disclosure, error) {
	sorted := slices.Clone(paths)
	slices.SortFunc(sorted, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	var out []Disclosure
	for _, p := range sorted {
		if !strings.HasPrefix(p, "/") || p == "/" {
			return nil, fmt.Errorf("sdjwt: %q is not a JSON Pointer to a claim", p)
		}
		tokens := strings.Split(p[1:], "/")
		var at any = claims
		for i, t := range tokens[:len(tokens)-1] {
			t = unescape(t)
			switch x := at.(type) {
			case map[string]any:
				at = x[t]
			case []any:
				n, err := strconv.Atoi(t)
				if err != nil || n < 0 || n >= len(x) {
					return nil, fmt.Errorf("sdjwt: %q: %s is no element of an array", p, "/"+strings.Join(tokens[:i+1], "/"))
				}
				at = x[n]
			}
			if _, ok := at.(map[string]any); !ok {
				if _, ok := at.([]any); !ok || i == len(tokens)-2 {
					return nil, fmt.Errorf("sdjwt: %q: %s is not an object", p, "/"+strings.Join(tokens[:i+1], "/"))
				}
			}
		}
		obj := at.(map[string]any)
		name := unescape(tokens[len(tokens)-1])
		v, ok := obj[name]
		if !ok {
			return nil, fmt.Errorf("sdjwt: %q: no such claim", p)
		}
		if name == sdKey || name == sdAlgKey || name == ellipsis {
			return nil, fmt.Errorf("sdjwt: %q: %s cannot be concealed", p, name)
		}
		d, err := newDisclosure(name, v)
		if err != nil {
			return nil, err
		}
		delete(obj, name)
		list, _ := obj[sdKey].([]string)
		list = append(list, d.Digest())
		slices.Sort(list)
		obj[sdKey] = list
		out = append(out, d)
	}
	return out, nil
}

func unescape(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
}
