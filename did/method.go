package did

import (
	"crypto"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/staffpass/staffpass/keys"
)

// Verification method types whose keys PublicKey reads.
const (
	// TypeMultikey is a Multikey (Controlled Identifiers 1.0 section
	// 2.2.2) with publicKeyMultibase.
	TypeMultikey = "Multikey"
	// TypeJSONWebKey is a JsonWebKey (Controlled Identifiers 1.0 section
	// 2.2.3) with publicKeyJwk.
	TypeJSONWebKey = "JsonWebKey"
	// TypeJSONWebKey2020 is the older JsonWebKey2020 (W3C CCG Linked
	// Data Proof JSON Web Signature 2020) with publicKeyJwk, used by
	// did:jwk and many did:web documents.
	TypeJSONWebKey2020 = "JsonWebKey2020"
	// TypeEd25519VerificationKey2020 is the older Ed25519 type (W3C CCG
	// Ed25519Signature2020) with an Ed25519 publicKeyMultibase.
	TypeEd25519VerificationKey2020 = "Ed25519VerificationKey2020"
	// TypeEcdsaSecp256k1VerificationKey2019 is the W3C CCG's secp256k1
	// type, with a secp256k1 publicKeyJwk, as the DID documents of
	// Microsoft Entra Verified ID issuers list their keys (verified only:
	// see package keys).
	TypeEcdsaSecp256k1VerificationKey2019 = "EcdsaSecp256k1VerificationKey2019"
)

// VerificationMethod is a verification method (DID Core section 5.2).
// Members it does not name are kept in Extra.
type VerificationMethod struct {
	// ID is a DID URL, or a fragment reference ("#key-1") relative to
	// the document's id.
	ID         string
	Type       string
	Controller string
	// PublicKeyMultibase is set for Multikey and
	// Ed25519VerificationKey2020.
	PublicKeyMultibase string
	// PublicKeyJwk is the JWK (a JSON object) for JsonWebKey and
	// JsonWebKey2020.
	PublicKeyJwk json.RawMessage
	Extra        map[string]json.RawMessage
}

var methodMembers = []string{"id", "type", "controller", "publicKeyMultibase", "publicKeyJwk"}

// privateMethodMembers hold private key material and never belong in a DID
// document.
var privateMethodMembers = []string{"secretKeyMultibase", "privateKeyMultibase", "privateKeyJwk", "privateKeyBase58", "privateKeyPem", "privateKeyHex"}

// UnmarshalJSON reads a verification method's members by their JSON types.
func (m *VerificationMethod) UnmarshalJSON(data []byte) error {
	members, err := object(data, "verification method")
	if err != nil {
		return err
	}
	*m = VerificationMethod{}
	for name, raw := range members {
		switch name {
		case "id":
			err = str(raw, "verification method id", &m.ID)
		case "type":
			err = str(raw, "verification method type", &m.Type)
		case "controller":
			err = str(raw, "verification method controller", &m.Controller)
		case "publicKeyMultibase":
			err = str(raw, name, &m.PublicKeyMultibase)
		case "publicKeyJwk":
			if raw[0] != '{' {
				err = fmt.Errorf("publicKeyJwk must be a JSON object")
			}
			m.PublicKeyJwk = slices.Clone(raw)
		default:
			if m.Extra == nil {
				m.Extra = map[string]json.RawMessage{}
			}
			m.Extra[name] = slices.Clone(raw)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// MarshalJSON writes the method with its known members first.
func (m VerificationMethod) MarshalJSON() ([]byte, error) {
	w := newObjectWriter()
	w.value("id", m.ID)
	w.value("type", m.Type)
	w.value("controller", m.Controller)
	if m.PublicKeyMultibase != "" {
		w.value("publicKeyMultibase", m.PublicKeyMultibase)
	}
	if len(m.PublicKeyJwk) > 0 {
		w.raw("publicKeyJwk", m.PublicKeyJwk)
	}
	if err := w.extra(m.Extra, methodMembers); err != nil {
		return nil, err
	}
	return w.close()
}

// PublicKey returns the method's public key: an ed25519.PublicKey, an
// *ecdsa.PublicKey (P-256 or P-384), or a *secp256k1.PublicKey (verified,
// never signed with). It returns an error wrapping
// ErrUnsupportedMethodType for other method types, and the keys package's
// errors (keys.ErrUnsupportedKey, keys.ErrInvalidKey,
// keys.ErrPrivateKeyMaterial) for keys it cannot use.
func (m *VerificationMethod) PublicKey() (crypto.PublicKey, error) {
	switch m.Type {
	case TypeMultikey, TypeEd25519VerificationKey2020:
		if len(m.PublicKeyJwk) > 0 || m.PublicKeyMultibase == "" {
			return nil, fmt.Errorf("%w: %s %s needs publicKeyMultibase and no publicKeyJwk", ErrInvalidDocument, m.Type, quote(m.ID))
		}
		pub, err := keys.DecodeMultikey(m.PublicKeyMultibase)
		if err != nil {
			return nil, fmt.Errorf("did: method %s: %w", quote(m.ID), err)
		}
		if _, ok := pub.(ed25519.PublicKey); m.Type == TypeEd25519VerificationKey2020 && !ok {
			return nil, fmt.Errorf("did: method %s: %w: an Ed25519VerificationKey2020 must hold an Ed25519 key", quote(m.ID), keys.ErrInvalidKey)
		}
		return pub, nil
	case TypeJSONWebKey, TypeJSONWebKey2020:
		if len(m.PublicKeyJwk) == 0 || m.PublicKeyMultibase != "" {
			return nil, fmt.Errorf("%w: %s %s needs publicKeyJwk and no publicKeyMultibase", ErrInvalidDocument, m.Type, quote(m.ID))
		}
		pub, err := keys.ParsePublicJWK(m.PublicKeyJwk)
		if err != nil {
			return nil, fmt.Errorf("did: method %s: %w", quote(m.ID), err)
		}
		return pub, nil
	case TypeEcdsaSecp256k1VerificationKey2019:
		if len(m.PublicKeyJwk) == 0 || m.PublicKeyMultibase != "" {
			return nil, fmt.Errorf("%w: %s %s needs publicKeyJwk and no publicKeyMultibase (staffpass does not read its other key forms)", ErrInvalidDocument, m.Type, quote(m.ID))
		}
		pub, err := keys.ParsePublicJWK(m.PublicKeyJwk)
		if err != nil {
			return nil, fmt.Errorf("did: method %s: %w", quote(m.ID), err)
		}
		if t, _ := keys.TypeOf(pub); t != keys.Secp256k1 {
			return nil, fmt.Errorf("did: method %s: %w: an %s must hold a secp256k1 key, not %s", quote(m.ID), keys.ErrInvalidKey, m.Type, t)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("%w: %q (method %s)", ErrUnsupportedMethodType, m.Type, quote(m.ID))
}

// validate checks a method of the document with id base and returns its
// absolute id.
func (m *VerificationMethod) validate(base DID) (string, error) {
	u, err := base.ResolveReference(m.ID)
	if err != nil {
		return "", fmt.Errorf("%w: verification method id %s: %w", ErrInvalidDocument, quote(m.ID), err)
	}
	if m.Type == "" {
		return "", fmt.Errorf("%w: verification method %s has no type", ErrInvalidDocument, quote(m.ID))
	}
	if _, err := Parse(m.Controller); err != nil {
		return "", fmt.Errorf("%w: verification method %s: controller: %w", ErrInvalidDocument, quote(m.ID), err)
	}
	if m.PublicKeyMultibase != "" && len(m.PublicKeyJwk) > 0 {
		return "", fmt.Errorf("%w: verification method %s has both publicKeyMultibase and publicKeyJwk", ErrInvalidDocument, quote(m.ID))
	}
	for _, name := range privateMethodMembers {
		if _, ok := m.Extra[name]; ok {
			return "", fmt.Errorf("%w: verification method %s: %w: %s", ErrInvalidDocument, quote(m.ID), keys.ErrPrivateKeyMaterial, name)
		}
	}
	if len(m.PublicKeyJwk) > 0 {
		var jwk map[string]json.RawMessage
		if err := json.Unmarshal(m.PublicKeyJwk, &jwk); err != nil || jwk == nil {
			return "", fmt.Errorf("%w: verification method %s: publicKeyJwk is not a JSON object", ErrInvalidDocument, quote(m.ID))
		}
		for _, name := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
			if _, ok := jwk[name]; ok {
				return "", fmt.Errorf("%w: verification method %s: %w: publicKeyJwk has a %q member", ErrInvalidDocument, quote(m.ID), keys.ErrPrivateKeyMaterial, name)
			}
		}
	}
	return u.String(), nil
}

// clone returns a deep copy of m.
func (m *VerificationMethod) clone() *VerificationMethod {
	c := *m
	c.PublicKeyJwk = slices.Clone(m.PublicKeyJwk)
	c.Extra = cloneExtra(m.Extra)
	return &c
}

func cloneExtra(e map[string]json.RawMessage) map[string]json.RawMessage {
	if e == nil {
		return nil
	}
	c := make(map[string]json.RawMessage, len(e))
	for k, v := range e {
		c[k] = slices.Clone(v)
	}
	return c
}
