// Package key implements the did:key method (W3C CCG "The did:key Method
// v0.9", https://w3c-ccg.github.io/did-method-key/) for Ed25519, P-256 and
// P-384 keys: a DID that is its public key, did:key:<publicKeyMultibase>,
// resolved offline to a DID document with one Multikey verification method
// (section 3.1.1 "Document Creation Algorithm", with the default
// publicKeyFormat Multikey and no key agreement key).
//
// Resolution does no I/O.
package key

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/keys"
)

// Method is the DID method name.
const Method = "key"

var docContext = json.RawMessage(`["` + did.ContextV1 + `","` + did.ContextMultikey + `"]`)

// New returns the did:key DID of a public key: "did:key:" followed by its
// Multikey encoding (keys.EncodeMultikey).
func New(pub crypto.PublicKey) (did.DID, error) {
	mk, err := keys.EncodeMultikey(pub)
	if err != nil {
		return did.DID{}, err
	}
	return did.Parse("did:key:" + mk)
}

// KeyID returns the verification method id of a public key's did:key:
// did:key:<multibase>#<multibase>, the key id a did:key holder signs with.
func KeyID(pub crypto.PublicKey) (string, error) {
	d, err := New(pub)
	if err != nil {
		return "", err
	}
	return d.String() + "#" + d.SpecificID(), nil
}

// PublicKey decodes the public key of a did:key DID. It refuses DIDs of
// other methods, DID URLs, and keys that keys.DecodeMultikey refuses
// (other key types, bad encodings, points not on the curve).
func PublicKey(id string) (crypto.PublicKey, error) {
	d, err := did.Parse(id)
	if err != nil {
		return nil, err
	}
	if d.Method() != Method {
		return nil, fmt.Errorf("%w: %q is not a did:key", did.ErrInvalidDID, d.Method())
	}
	pub, err := keys.DecodeMultikey(d.SpecificID())
	if err != nil {
		return nil, fmt.Errorf("%w: did:key: %w", did.ErrInvalidDID, err)
	}
	return pub, nil
}

// Resolver resolves did:key DIDs offline. The zero value is ready to use.
type Resolver struct{}

// Resolve returns the DID document of a did:key: the contexts
// https://www.w3.org/ns/did/v1 and https://w3id.org/security/multikey/v1,
// one Multikey verification method did:key:<mb>#<mb> controlled by the
// DID, and references to it under authentication, assertionMethod,
// capabilityInvocation and capabilityDelegation. Errors are
// *did.ResolutionError values wrapping did.ErrInvalidDID and the keys
// package's errors.
func (Resolver) Resolve(_ context.Context, id string) (*did.Document, error) {
	pub, err := PublicKey(id)
	if err != nil {
		return nil, &did.ResolutionError{DID: id, Err: err}
	}
	// The method-specific id is re-encoded, so the document holds the
	// canonical encoding; PublicKey accepted only that.
	mk, err := keys.EncodeMultikey(pub)
	if err != nil || "did:key:"+mk != id {
		return nil, &did.ResolutionError{DID: id, Err: fmt.Errorf("%w: did:key is not in canonical form", did.ErrInvalidDID)}
	}
	vmID := id + "#" + mk
	ref := []did.MethodRef{{Ref: vmID}}
	return &did.Document{
		Context: append(json.RawMessage(nil), docContext...),
		ID:      id,
		VerificationMethod: []did.VerificationMethod{{
			ID:                 vmID,
			Type:               did.TypeMultikey,
			Controller:         id,
			PublicKeyMultibase: mk,
		}},
		Authentication:       ref,
		AssertionMethod:      []did.MethodRef{{Ref: vmID}},
		CapabilityInvocation: []did.MethodRef{{Ref: vmID}},
		CapabilityDelegation: []did.MethodRef{{Ref: vmID}},
	}, nil
}
