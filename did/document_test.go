package did_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/multiformats/go-multibase"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
	"github.com/staffpass/staffpass/keys"
)

const webExamples = "../testdata/vectors/did-method-web/examples"

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseDocumentRefusesTheDIDWebExampleWithATrailingComma(t *testing.T) {
	data := readFile(t, filepath.Join(webExamples, "example-01-example-did-web-did-document-using-json-web-keys.txt"))
	_, err := did.ParseDocument(data)
	if !errors.Is(err, did.ErrInvalidDocument) || !errors.Is(err, strictjson.ErrInvalid) {
		t.Fatalf("error = %v, want ErrInvalidDocument wrapping strictjson.ErrInvalid", err)
	}
}

// example01Fixed is example 01 with its trailing comma removed.
func example01Fixed(t testing.TB) []byte {
	data := readFile(t, filepath.Join(webExamples, "example-01-example-did-web-did-document-using-json-web-keys.txt"))
	fixed := bytes.Replace(data, []byte("    },\n  ],"), []byte("    }\n  ],"), 1)
	if bytes.Equal(fixed, data) {
		t.Fatal("the trailing comma of example 01 was not found")
	}
	return fixed
}

func TestParseDocumentReadsTheDIDWebJWKExample(t *testing.T) {
	doc, err := did.ParseDocument(example01Fixed(t))
	if err != nil {
		t.Fatal(err)
	}
	if doc.ID != "did:web:example.com" || len(doc.VerificationMethod) != 3 {
		t.Fatalf("id %q, %d methods", doc.ID, len(doc.VerificationMethod))
	}
	m, err := doc.Method("did:web:example.com#key-0", did.AssertionMethod)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := m.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pub.(ed25519.PublicKey); !ok {
		t.Fatalf("key-0 is %T, want Ed25519", pub)
	}
	m, err = doc.Method("#key-2", did.Authentication)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "did:web:example.com#key-2" {
		t.Fatalf("Method returned id %q, want the absolute id", m.ID)
	}
	if pub, err := m.PublicKey(); err != nil || pub.(*ecdsa.PublicKey).Curve.Params().Name != "P-256" {
		t.Fatalf("key-2: %T, %v", pub, err)
	}
	// key-1 is X25519: a key agreement key, not one staffpass verifies with.
	if _, err := doc.Method("#key-1", did.AssertionMethod); !errors.Is(err, did.ErrNotAuthorized) {
		t.Fatalf("key-1 for assertionMethod: %v, want ErrNotAuthorized", err)
	}
	m, err = doc.Method("#key-1", did.KeyAgreement)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.PublicKey(); !errors.Is(err, keys.ErrUnsupportedKey) {
		t.Fatalf("X25519 key: %v, want keys.ErrUnsupportedKey", err)
	}
}

func TestParseDocumentReadsTheDIDWebEthereumExample(t *testing.T) {
	doc, err := did.ParseDocument(readFile(t, filepath.Join(webExamples, "example-02-example-did-web-did-document-using-an-ethereum-address.json")))
	if err != nil {
		t.Fatal(err)
	}
	m, err := doc.Method("did:web:example.com#address-0", did.Authentication)
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Extra["blockchainAccountId"]) != `"eip155:1:0x89a932207c485f85226d86f7cd486a89a24fcc12"` {
		t.Fatalf("blockchainAccountId not kept: %s", m.Extra["blockchainAccountId"])
	}
	if _, err := m.PublicKey(); !errors.Is(err, did.ErrUnsupportedMethodType) {
		t.Fatalf("PublicKey error = %v, want ErrUnsupportedMethodType", err)
	}
}

const sampleDoc = `{
  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1", {"@base": "did:web:nhs.example"}],
  "id": "did:web:nhs.example",
  "controller": "did:web:nhs.example",
  "alsoKnownAs": ["https://nhs.example/"],
  "verificationMethod": [
    {"id": "#key-1", "type": "Multikey", "controller": "did:web:nhs.example", "publicKeyMultibase": "%s", "expires": "2030-01-01T00:00:00Z"},
    {"id": "did:web:nhs.example#key-2", "type": "JsonWebKey", "controller": "did:web:nhs.example", "publicKeyJwk": %s}
  ],
  "authentication": ["#key-2", {"id": "#key-3", "type": "Multikey", "controller": "did:web:nhs.example", "publicKeyMultibase": "%s"}],
  "assertionMethod": ["did:web:nhs.example#key-1"],
  "capabilityInvocation": ["#key-3"],
  "service": [{"id": "#status", "type": "StatusListService", "serviceEndpoint": "https://nhs.example/status/1"}],
  "nhsOrganisationCode": "RJZ",
  "custom": {"nested": [1, 2.50, true, null]}
}`

func sample(t testing.TB) []byte {
	t.Helper()
	mk1, _ := keys.EncodeMultikey(fixed(t, 1).Public())
	jwk2, _ := keys.MarshalPublicJWK(fixedEC(t).Public())
	mk3, _ := keys.EncodeMultikey(fixed(t, 3).Public())
	return []byte(fmt.Sprintf(sampleDoc, mk1, jwk2, mk3))
}

func fixed(t testing.TB, n byte) ed25519.PrivateKey {
	seed := make([]byte, 32)
	seed[0] = n
	return ed25519.NewKeyFromSeed(seed)
}

func fixedEC(t testing.TB) *ecdsa.PrivateKey {
	data := readFile(t, "../testdata/keys/p256.jwk")
	k, err := keys.ParsePrivateJWK(bytes.TrimSpace(data))
	if err != nil {
		t.Fatal(err)
	}
	return k.(*ecdsa.PrivateKey)
}

func TestDocumentRoundTripsUnknownMembers(t *testing.T) {
	doc, err := did.ParseDocument(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	again, err := did.ParseDocument(out)
	if err != nil {
		t.Fatalf("marshalled document does not parse: %v\n%s", err, out)
	}
	out2, _ := json.Marshal(again)
	if !bytes.Equal(out, out2) {
		t.Fatalf("second round trip differs:\n%s\n%s", out, out2)
	}
	// Every member of the input is in the output with the same value.
	var in, got map[string]any
	json.Unmarshal(sample(t), &in)
	json.Unmarshal(out, &got)
	for k, v := range in {
		a, _ := json.Marshal(v)
		b, _ := json.Marshal(got[k])
		if k == "controller" {
			continue // one controller is written as a string either way
		}
		if !bytes.Equal(a, b) {
			t.Errorf("member %q: %s became %s", k, a, b)
		}
	}
	if len(got) != len(in) {
		t.Errorf("%d members became %d", len(in), len(got))
	}
	if string(doc.Extra["nhsOrganisationCode"]) != `"RJZ"` || string(doc.VerificationMethod[0].Extra["expires"]) != `"2030-01-01T00:00:00Z"` {
		t.Error("unknown members not in Extra")
	}
}

func TestDocumentMethodChecksTheRelationship(t *testing.T) {
	doc, err := did.ParseDocument(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		id     string
		rel    did.Relationship
		wantID string
		want   error
	}{
		{"a referenced method is found by absolute id", "did:web:nhs.example#key-1", did.AssertionMethod, "did:web:nhs.example#key-1", nil},
		{"a referenced method is found by fragment", "#key-1", did.AssertionMethod, "did:web:nhs.example#key-1", nil},
		{"a relative reference finds an absolute id", "#key-2", did.Authentication, "did:web:nhs.example#key-2", nil},
		{"an embedded method is found", "did:web:nhs.example#key-3", did.Authentication, "did:web:nhs.example#key-3", nil},
		{"a reference to an embedded method is found", "#key-3", did.CapabilityInvocation, "did:web:nhs.example#key-3", nil},
		{"an authentication key cannot assert", "#key-2", did.AssertionMethod, "", did.ErrNotAuthorized},
		{"an assertion key cannot authenticate", "#key-1", did.Authentication, "", did.ErrNotAuthorized},
		{"an embedded authentication key cannot assert", "#key-3", did.AssertionMethod, "", did.ErrNotAuthorized},
		{"no relationship lists key-1 for key agreement", "#key-1", did.KeyAgreement, "", did.ErrNotAuthorized},
		{"an unknown key is not found", "#key-9", did.AssertionMethod, "", did.ErrNotFound},
		{"a key of another DID is not found", "did:web:other.example#key-1", did.AssertionMethod, "", did.ErrNotFound},
		{"an unknown relationship is refused", "#key-1", "signing", "", did.ErrNotAuthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := doc.Method(tt.id, tt.rel)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if tt.want == nil {
				if m.ID != tt.wantID {
					t.Fatalf("id %q, want %q", m.ID, tt.wantID)
				}
				if _, err := m.PublicKey(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestMethodReturnsACopy(t *testing.T) {
	doc, err := did.ParseDocument(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	m, err := doc.Method("#key-2", did.Authentication)
	if err != nil {
		t.Fatal(err)
	}
	m.PublicKeyJwk[2] = 'X'
	m.Type = "changed"
	if doc.VerificationMethod[1].Type != "JsonWebKey" || doc.VerificationMethod[1].PublicKeyJwk[2] == 'X' {
		t.Fatal("changing the returned method changed the document")
	}
}

// edit parses the sample document as a map, applies change, and returns it.
func edit(t *testing.T, change func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(sample(t), &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func vm(m map[string]any, i int) map[string]any {
	return m["verificationMethod"].([]any)[i].(map[string]any)
}

func TestParseDocumentRefusesBadDocuments(t *testing.T) {
	many := make([]any, limits.MaxVerificationMethods+1)
	for i := range many {
		many[i] = map[string]any{"id": fmt.Sprintf("#k%d", i), "type": "Multikey", "controller": "did:web:nhs.example", "publicKeyMultibase": "z"}
	}
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"a duplicate member is refused", `{"id":"did:web:a","id":"did:web:b"}`, strictjson.ErrInvalid},
		{"an array is refused", `[]`, did.ErrInvalidDocument},
		{"null is refused", `null`, did.ErrInvalidDocument},
		{"a missing id is refused", `{}`, did.ErrInvalidDID},
		{"an id that is not a DID is refused", `{"id":"https://example.com"}`, did.ErrInvalidDID},
		{"an id that is a DID URL is refused", `{"id":"did:web:example.com#x"}`, did.ErrInvalidDID},
		{"a numeric id is refused", `{"id":5}`, did.ErrInvalidDocument},
		{"a null id is refused", `{"id":null}`, did.ErrInvalidDocument},
		{"a controller that is not a DID is refused", edit(t, func(m map[string]any) { m["controller"] = []string{"did:web:nhs.example", "bob"} }), did.ErrInvalidDID},
		{"a numeric controller is refused", edit(t, func(m map[string]any) { m["controller"] = 1 }), did.ErrInvalidDocument},
		{"an alsoKnownAs that is not a URI is refused", edit(t, func(m map[string]any) { m["alsoKnownAs"] = []string{"nhs"} }), did.ErrInvalidDocument},
		{"an alsoKnownAs string is refused", edit(t, func(m map[string]any) { m["alsoKnownAs"] = "https://x/" }), did.ErrInvalidDocument},
		{"a numeric @context is refused", edit(t, func(m map[string]any) { m["@context"] = 1 }), did.ErrInvalidDocument},
		{"a verificationMethod object is refused", edit(t, func(m map[string]any) { m["verificationMethod"] = vm(m, 0) }), did.ErrInvalidDocument},
		{"a method id that is not a DID URL is refused", edit(t, func(m map[string]any) { vm(m, 0)["id"] = "key-1" }), did.ErrInvalidURL},
		{"a method without a type is refused", edit(t, func(m map[string]any) { delete(vm(m, 0), "type") }), did.ErrInvalidDocument},
		{"a method without a controller is refused", edit(t, func(m map[string]any) { delete(vm(m, 0), "controller") }), did.ErrInvalidDID},
		{"a method controller that is a DID URL is refused", edit(t, func(m map[string]any) { vm(m, 0)["controller"] = "did:web:nhs.example#key-1" }), did.ErrInvalidDID},
		{"a method with two kinds of key is refused", edit(t, func(m map[string]any) { vm(m, 1)["publicKeyMultibase"] = "z6Mk" }), did.ErrInvalidDocument},
		{"a JWK with d is refused", edit(t, func(m map[string]any) { vm(m, 1)["publicKeyJwk"].(map[string]any)["d"] = "AAAA" }), keys.ErrPrivateKeyMaterial},
		{"a secretKeyMultibase is refused", edit(t, func(m map[string]any) { vm(m, 0)["secretKeyMultibase"] = "z3u2" }), keys.ErrPrivateKeyMaterial},
		{"a publicKeyJwk string is refused", edit(t, func(m map[string]any) { vm(m, 1)["publicKeyJwk"] = "{}" }), did.ErrInvalidDocument},
		{"two methods with one id are refused", edit(t, func(m map[string]any) { vm(m, 1)["id"] = "did:web:nhs.example#key-1" }), did.ErrInvalidDocument},
		{"an embedded method reusing an id is refused", edit(t, func(m map[string]any) {
			m["authentication"].([]any)[1].(map[string]any)["id"] = "#key-2"
		}), did.ErrInvalidDocument},
		{"a reference to no method is refused", edit(t, func(m map[string]any) { m["assertionMethod"] = []string{"#key-9"} }), did.ErrInvalidDocument},
		{"a reference to another document is refused", edit(t, func(m map[string]any) { m["assertionMethod"] = []string{"did:web:other.example#key-1"} }), did.ErrInvalidDocument},
		{"a relative path reference is refused", edit(t, func(m map[string]any) { m["assertionMethod"] = []string{"key-1"} }), did.ErrInvalidURL},
		{"a numeric relationship entry is refused", edit(t, func(m map[string]any) { m["assertionMethod"] = []any{1} }), did.ErrInvalidDocument},
		{"a relationship string is refused", edit(t, func(m map[string]any) { m["assertionMethod"] = "#key-1" }), did.ErrInvalidDocument},
		{"too many methods are refused", edit(t, func(m map[string]any) {
			m["verificationMethod"] = many
			delete(m, "assertionMethod")
			delete(m, "authentication")
		}), did.ErrInvalidDocument},
		{"a service without a type is refused", edit(t, func(m map[string]any) { delete(m["service"].([]any)[0].(map[string]any), "type") }), did.ErrInvalidDocument},
		{"a service without an endpoint is refused", edit(t, func(m map[string]any) { delete(m["service"].([]any)[0].(map[string]any), "serviceEndpoint") }), did.ErrInvalidDocument},
		{"a service with a bad id is refused", edit(t, func(m map[string]any) { m["service"].([]any)[0].(map[string]any)["id"] = "status" }), did.ErrInvalidDocument},
		{"a numeric service endpoint is refused", edit(t, func(m map[string]any) { m["service"].([]any)[0].(map[string]any)["serviceEndpoint"] = 5 }), did.ErrInvalidDocument},
		{"a document over the size limit is refused", `{"id":"did:web:a","x":"` + strings.Repeat("a", limits.MaxDIDDocumentBytes) + `"}`, strictjson.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := did.ParseDocument([]byte(tt.in))
			if !errors.Is(err, tt.want) || !errors.Is(err, did.ErrInvalidDocument) {
				t.Fatalf("error = %v, want %v and ErrInvalidDocument", err, tt.want)
			}
		})
	}
}

func TestPublicKeyRefusesMismatchedMaterial(t *testing.T) {
	mk, _ := keys.EncodeMultikey(fixedEC(t).Public())
	jwk, _ := keys.MarshalPublicJWK(fixed(t, 1).Public())
	short, _ := multibase.Encode(multibase.Base58BTC, append([]byte{0xed, 0x01}, make([]byte, 31)...))
	tests := []struct {
		name string
		m    did.VerificationMethod
		want error
	}{
		{"a Multikey without publicKeyMultibase", did.VerificationMethod{ID: "#k", Type: did.TypeMultikey, PublicKeyJwk: jwk}, did.ErrInvalidDocument},
		{"a JsonWebKey without publicKeyJwk", did.VerificationMethod{ID: "#k", Type: did.TypeJSONWebKey, PublicKeyMultibase: mk}, did.ErrInvalidDocument},
		{"an Ed25519VerificationKey2020 holding a P-256 key", did.VerificationMethod{ID: "#k", Type: did.TypeEd25519VerificationKey2020, PublicKeyMultibase: mk}, keys.ErrInvalidKey},
		{"a Multikey with a short key", did.VerificationMethod{ID: "#k", Type: did.TypeMultikey, PublicKeyMultibase: short}, keys.ErrInvalidKey},
		{"a JsonWebKey2020 with a bad JWK", did.VerificationMethod{ID: "#k", Type: did.TypeJSONWebKey2020, PublicKeyJwk: json.RawMessage(`{"kty":"EC"}`)}, keys.ErrInvalidKey},
		{"an Ed25519VerificationKey2018", did.VerificationMethod{ID: "#k", Type: "Ed25519VerificationKey2018"}, did.ErrUnsupportedMethodType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.m.PublicKey(); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestMarshalRefusesExtraMembersThatShadowFields(t *testing.T) {
	doc := did.Document{ID: "did:web:a", Extra: map[string]json.RawMessage{"id": json.RawMessage(`"did:web:b"`)}}
	if _, err := json.Marshal(doc); err == nil {
		t.Fatal("an Extra id was written")
	}
	m := did.VerificationMethod{ID: "#k", Extra: map[string]json.RawMessage{"type": json.RawMessage(`"x"`)}}
	if _, err := json.Marshal(m); err == nil {
		t.Fatal("an Extra type was written")
	}
}

func FuzzParseDocument(f *testing.F) {
	f.Add(sample(f))
	f.Add(example01Fixed(f))
	f.Add(readFile(f, filepath.Join(webExamples, "example-02-example-did-web-did-document-using-an-ethereum-address.json")))
	f.Add([]byte(`{"id":"did:web:a","authentication":[{"id":"#k","type":"Multikey","controller":"did:web:a","publicKeyMultibase":"z6Mk"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := did.ParseDocument(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("a parsed document does not marshal: %v", err)
		}
		again, err := did.ParseDocument(out)
		if err != nil {
			t.Fatalf("a marshalled document does not parse: %v\n%s", err, out)
		}
		out2, err := json.Marshal(again)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("marshalling is not stable: %v\n%s\n%s", err, out, out2)
		}
		for _, m := range doc.VerificationMethod {
			for _, rel := range []did.Relationship{did.Authentication, did.AssertionMethod} {
				if vm, err := doc.Method(m.ID, rel); err == nil {
					_, _ = vm.PublicKey()
				}
			}
		}
	})
}
