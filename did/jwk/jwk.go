// Package jwk implements the did:jwk method
// (https://github.com/quartzjer/did-jwk/blob/main/spec.md) for Ed25519,
// P-256 and P-384 keys: a DID that is its public key as a JWK,
// did:jwk:<base64url(JWK JSON)>, resolved offline to a DID document with
// one JsonWebKey2020 verification method with the id #0, as the
// specification's "To create the DID Document" section shows.
//
// Resolution does no I/O.
package jwk

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
	"github.com/staffpass/staffpass/keys"
)

// Method is the DID method name.
const Method = "jwk"

var docContext = json.RawMessage(`["` + did.ContextV1 + `","` + did.ContextJWS2020 + `"]`)

// New returns the did:jwk DID of a public key. The JWK is serialised with
// its members in lexicographic order and no white space (keys.MarshalPublicJWK),
// so the same key always gives the same DID.
func New(pub crypto.PublicKey) (did.DID, error) {
	j, err := keys.MarshalPublicJWK(pub)
	if err != nil {
		return did.DID{}, err
	}
	return did.Parse("did:jwk:" + base64.RawURLEncoding.EncodeToString(j))
}

// KeyID returns the verification method id of a public key's did:jwk:
// the DID followed by "#0".
func KeyID(pub crypto.PublicKey) (string, error) {
	d, err := New(pub)
	if err != nil {
		return "", err
	}
	return d.String() + "#0", nil
}

// decode returns the JWK JSON and the public key of a did:jwk.
func decode(id string) (json.RawMessage, crypto.PublicKey, error) {
	d, err := did.Parse(id)
	if err != nil {
		return nil, nil, err
	}
	if d.Method() != Method {
		return nil, nil, fmt.Errorf("%w: %q is not a did:jwk", did.ErrInvalidDID, d.Method())
	}
	// base64url-value := [A-Za-z0-9_-]+ (no padding, no ':' or '%').
	msid := d.SpecificID()
	for i := 0; i < len(msid); i++ {
		if c := msid[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, nil, fmt.Errorf("%w: did:jwk value is not unpadded base64url", did.ErrInvalidDID)
		}
	}
	j, err := base64.RawURLEncoding.Strict().DecodeString(msid)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: did:jwk value is not unpadded base64url", did.ErrInvalidDID)
	}
	if err := strictjson.Check(j, limits.MaxDIDLength); err != nil {
		return nil, nil, fmt.Errorf("%w: did:jwk JWK: %w", did.ErrInvalidDID, err)
	}
	pub, err := keys.ParsePublicJWK(j)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: did:jwk: %w", did.ErrInvalidDID, err)
	}
	return j, pub, nil
}

// PublicKey decodes the public key of a did:jwk DID. It refuses DIDs of
// other methods, values that are not unpadded base64url of strict JSON, and
// JWKs that keys.ParsePublicJWK refuses (private keys among them, as the
// specification's Security section requires).
func PublicKey(id string) (crypto.PublicKey, error) {
	_, pub, err := decode(id)
	return pub, err
}

// Resolver resolves did:jwk DIDs offline. The zero value is ready to use.
type Resolver struct{}

// Resolve returns the DID document of a did:jwk: the contexts
// https://www.w3.org/ns/did/v1 and https://w3id.org/security/suites/jws-2020/v1,
// one JsonWebKey2020 verification method DID#0 whose publicKeyJwk is the
// JWK as encoded in the DID, and references to it under assertionMethod,
// authentication, capabilityInvocation, capabilityDelegation and
// keyAgreement, except that a JWK with "use":"sig" gets no keyAgreement and
// one with "use":"enc" gets only keyAgreement. Errors are
// *did.ResolutionError values wrapping did.ErrInvalidDID and the keys
// package's errors.
func (Resolver) Resolve(_ context.Context, id string) (*did.Document, error) {
	j, _, err := decode(id)
	if err != nil {
		return nil, &did.ResolutionError{DID: id, Err: err}
	}
	var use struct {
		Use *string `json:"use"`
	}
	if err := json.Unmarshal(j, &use); err != nil {
		return nil, &did.ResolutionError{DID: id, Err: fmt.Errorf("%w: did:jwk JWK \"use\" is not a string", did.ErrInvalidDID)}
	}
	vmID := id + "#0"
	ref := func() []did.MethodRef { return []did.MethodRef{{Ref: vmID}} }
	doc := &did.Document{
		Context: append(json.RawMessage(nil), docContext...),
		ID:      id,
		VerificationMethod: []did.VerificationMethod{{
			ID:           vmID,
			Type:         did.TypeJSONWebKey2020,
			Controller:   id,
			PublicKeyJwk: j,
		}},
	}
	sig, enc := true, true
	if use.Use != nil {
		switch *use.Use {
		case "sig":
			enc = false
		case "enc":
			sig = false
		}
	}
	if sig {
		doc.AssertionMethod = ref()
		doc.Authentication = ref()
		doc.CapabilityInvocation = ref()
		doc.CapabilityDelegation = ref()
	}
	if enc {
		doc.KeyAgreement = ref()
	}
	return doc, nil
}
