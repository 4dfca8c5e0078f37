package jose

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/keys"
)

// The issuer and holder of the fixtures, and their keys: the fixed test keys
// of testdata/keys (public, never for real use).
const (
	issuerDID = "did:web:kch.nhs.uk"
	holderDID = "did:web:staff.example.nhs.uk"
)

var fixedKeyFiles = map[string]string{
	issuerDID + "#key-1": "ed25519.jwk",
	issuerDID + "#key-2": "p256.jwk",
	issuerDID + "#key-3": "p384.jwk",
	holderDID + "#key-1": "ed25519.jwk",
}

// staffCredential is a staff DBS check credential of about 1.3 KB, the size
// the performance target names.
const staffCredential = `{
  "@context": [
    "https://www.w3.org/ns/credentials/v2",
    "https://staffpass.nhs.uk/contexts/staff/v1"
  ],
  "id": "urn:uuid:5a6b2f0c-8d0a-4d7e-9a53-0f2e8c1d7b44",
  "type": ["VerifiableCredential", "DBSCheckCredential"],
  "issuer": {"id": "did:web:kch.nhs.uk", "name": "King's College Hospital NHS Foundation Trust"},
  "validFrom": "2025-03-01T09:00:00Z",
  "validUntil": "2028-03-01T09:00:00Z",
  "credentialSubject": {
    "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "name": "Alex Example",
    "employeeNumber": "KCH-0048213",
    "jobTitle": "Staff Nurse, Band 5",
    "professionalRegistration": {"body": "NMC", "pin": "12A3456E"},
    "dbsCheck": {
      "level": "enhanced",
      "workforce": "adult and child",
      "barredLists": ["adults", "children"],
      "certificateNumber": "001234567890",
      "certificateIssued": "2025-02-20",
      "updateService": true
    }
  },
  "credentialStatus": {
    "id": "https://kch.nhs.uk/status/1#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://kch.nhs.uk/status/1"
  },
  "credentialSchema": {"id": "https://staffpass.nhs.uk/schemas/dbs/v1.json", "type": "JsonSchema"}
}`

// staffPresentation returns a presentation by holderDID of the given
// enveloped vc+jwt tokens.
func staffPresentation(tokens ...string) string {
	var entries []string
	for _, t := range tokens {
		entries = append(entries, `{"@context":"https://www.w3.org/ns/credentials/v2","type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,`+t+`"}`)
	}
	return `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"],"holder":"` + holderDID + `","verifiableCredential":[` + strings.Join(entries, ",") + `]}`
}

// keyring is a KeyFunc over a fixed set of keys: each kid with its key and
// the relationships it is listed under, as a resolver would check them.
type keyring map[string]keyEntry

type keyEntry struct {
	pub      crypto.PublicKey
	purposes []string
}

func (k keyring) keyFunc(_ context.Context, kid, purpose string) (crypto.PublicKey, error) {
	e, ok := k[kid]
	if !ok {
		return nil, fmt.Errorf("%w: %s", did.ErrNotFound, kid)
	}
	for _, p := range e.purposes {
		if p == purpose {
			return e.pub, nil
		}
	}
	return nil, fmt.Errorf("%w: %s for %s", did.ErrNotAuthorized, kid, purpose)
}

// fixedSigners returns a signer for each kid of fixedKeyFiles and a keyring
// listing the issuer's keys under assertionMethod and the holder's under
// authentication.
func fixedSigners(tb testing.TB) (map[string]keys.Signer, keyring) {
	tb.Helper()
	signers := map[string]keys.Signer{}
	ring := keyring{}
	for kid, file := range fixedKeyFiles {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "keys", file))
		if err != nil {
			tb.Fatal(err)
		}
		key, err := keys.ParsePrivateJWK(data)
		if err != nil {
			tb.Fatal(err)
		}
		s, err := keys.NewSigner(key, kid)
		if err != nil {
			tb.Fatal(err)
		}
		signers[kid] = s
		purpose := string(did.AssertionMethod)
		if strings.HasPrefix(kid, holderDID) {
			purpose = string(did.Authentication)
		}
		ring[kid] = keyEntry{pub: key.Public(), purposes: []string{purpose}}
	}
	return signers, ring
}

func verifyOptions(ring keyring, kind Kind) VerifyOptions {
	return VerifyOptions{Algorithms: DefaultAlgorithms(), Key: ring.keyFunc, Kind: kind}
}

func mustSign(tb testing.TB, payload string, kind Kind, s keys.Signer) string {
	tb.Helper()
	tok, err := Sign([]byte(payload), SignOptions{Kind: kind, Signer: s})
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

var b64 = base64.RawURLEncoding

// rawToken assembles a compact JWS from a header and payload given as JSON
// text and a signature, without checking anything.
func rawToken(header, payload string, sig []byte) string {
	return b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(sig)
}

// signRaw signs header and payload, given as JSON text, with s, for tokens
// Sign would refuse to write.
func signRaw(tb testing.TB, header, payload string, s crypto.Signer) string {
	tb.Helper()
	input := b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload))
	sig, err := keys.SignP1363(s, []byte(input))
	if err != nil {
		tb.Fatal(err)
	}
	return input + "." + b64.EncodeToString(sig)
}

// header returns a protected header as JSON text.
func header(alg, kid, typ string) string {
	m := map[string]string{"alg": alg, "kid": kid, "typ": typ}
	b, _ := json.Marshal(m)
	return string(b)
}

// withMember returns the JSON object doc with member name set to the raw
// JSON value v (or removed when v is "").
func withMember(tb testing.TB, doc, name, v string) string {
	tb.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		tb.Fatal(err)
	}
	if v == "" {
		delete(m, name)
	} else {
		m[name] = json.RawMessage(v)
	}
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
