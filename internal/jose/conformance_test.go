package jose

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
)

// The W3C VC-JOSE-COSE test suite's JOSE cases (testdata/vectors/
// vc-jose-cose-test-suite, see its SOURCE), run the way the suite's harness
// runs an implementation: "<fn> --input F --key F --feature F", graded on
// success or failure only.
var suiteDir = filepath.Join("..", "..", "testdata", "vectors", "vc-jose-cose-test-suite")

type suiteCase struct {
	Number         int    `json:"number"`
	Name           string `json:"name"`
	Fn             string `json:"fn"`
	Feature        string `json:"feature"`
	InputFile      string `json:"input_file"`
	KeyFile        string `json:"key_file"`
	ExpectedResult string `json:"expected_result"`
}

// suiteVM is a vm-*.json file: a JsonWebKey verification method that also
// carries its private JWK.
type suiteVM struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	Controller   string          `json:"controller"`
	PublicKeyJwk json.RawMessage `json:"publicKeyJwk"`
	SecretKeyJwk json.RawMessage `json:"secretKeyJwk"`
}

// readSuiteVM reads a vm-*.json file and returns it with its public key and
// the JWK's own kid (a JWK thumbprint, which the suite's tokens use as kid).
func readSuiteVM(t *testing.T, file string) (suiteVM, crypto.PublicKey, string, error) {
	t.Helper()
	var vm suiteVM
	if err := json.Unmarshal(readSuiteFile(t, file), &vm); err != nil {
		t.Fatal(err)
	}
	var jwk struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(vm.PublicKeyJwk, &jwk); err != nil {
		t.Fatal(err)
	}
	pub, err := keys.ParsePublicJWK(vm.PublicKeyJwk)
	return vm, pub, jwk.Kid, err
}

func readSuiteFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(suiteDir, "input", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func featureKind(t *testing.T, feature string) Kind {
	switch feature {
	case "credential_jose":
		return KindCredential
	case "presentation_jose":
		return KindPresentation
	}
	t.Fatalf("unknown feature %q", feature)
	return 0
}

// suiteKeyFunc returns the one key the harness passes in, for the kids
// given, checking the purpose as a resolver would.
func suiteKeyFunc(pub crypto.PublicKey, kind Kind, kids ...string) KeyFunc {
	return func(_ context.Context, kid, purpose string) (crypto.PublicKey, error) {
		if purpose != kind.purpose() {
			return nil, fmt.Errorf("%w: %s for %s", did.ErrNotAuthorized, kid, purpose)
		}
		for _, k := range kids {
			if k == kid {
				return pub, nil
			}
		}
		return nil, fmt.Errorf("%w: %s", did.ErrNotFound, kid)
	}
}

// suiteFailures gives, for each case expected to fail, the error Verify or
// Sign must fail with: failing for the right reason is part of the test.
var suiteFailures = map[int]error{
	5:  keys.ErrUnsupportedKey, // P-521: see TestSuiteUnknownExtensionsSignWithASupportedKey
	9:  ErrAlgorithmNotAllowed, // ES512, refused before the (Ed25519) key is looked up
	10: ErrMalformed,           // an unsecured credential: JSON, not a compact JWS
	11: ErrMalformed,           // an unsecured presentation
	12: ErrSignature,           // a changed signature
	13: ErrType,                // typ bad+typ
	14: ErrType,                // typ bad+typ
	15: ErrVCClaim,             // vc and vp claims in a vc+jwt
	16: vc.ErrEnvelope,         // an EnvelopedVerifiableCredential whose id is not a data: URL
}

// suiteDeviations are the cases where staffpass knowingly gives another
// result than the suite expects, with the error it gives instead.
var suiteDeviations = map[int]struct {
	why  string
	want error
}{
	4: {"P-521 (ES512) is not supported by design: staffpass signs and verifies with Ed25519, P-256 and P-384 only, and ES512 is not on any allow-list", keys.ErrUnsupportedKey},
}

func TestSuiteManifest(t *testing.T) {
	var m struct {
		Tests []suiteCase `json:"tests"`
	}
	data, err := os.ReadFile(filepath.Join(suiteDir, "manifest-jose.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Tests) != 16 {
		t.Fatalf("%d cases in the manifest, want 16", len(m.Tests))
	}
	for _, tc := range m.Tests {
		t.Run(tc.Name, func(t *testing.T) {
			kind := featureKind(t, tc.Feature)
			var err error
			switch tc.Fn {
			case "verify":
				err = runSuiteVerify(t, tc, kind)
			case "issue":
				err = runSuiteIssue(t, tc, kind)
			default:
				t.Fatalf("unknown fn %q", tc.Fn)
			}
			result := "success"
			if err != nil {
				result = "failure"
			}
			if dev, ok := suiteDeviations[tc.Number]; ok {
				if !errors.Is(err, dev.want) {
					t.Fatalf("documented deviation (%s) did not happen as documented: error %v, want %v", dev.why, err, dev.want)
				}
				t.Logf("DEVIATION: result %s, suite expects %s: %s", result, tc.ExpectedResult, dev.why)
				return
			}
			if result != tc.ExpectedResult {
				t.Fatalf("result %s (error %v), suite expects %s", result, err, tc.ExpectedResult)
			}
			if want, ok := suiteFailures[tc.Number]; ok && !errors.Is(err, want) {
				t.Fatalf("failed with %v, want an error wrapping %v", err, want)
			}
			if result == "failure" {
				t.Logf("failure as expected: %v", err)
			}
		})
	}
}

// runSuiteVerify verifies the input with the key of the case's VM. The
// harness's input files end with a new line where the file does; a JWS has
// none, so it is trimmed, as a CLI reading a token file does.
func runSuiteVerify(t *testing.T, tc suiteCase, kind Kind) error {
	_, pub, jwkKid, err := readSuiteVM(t, tc.KeyFile)
	if err != nil {
		t.Fatalf("key %s: %v", tc.KeyFile, err)
	}
	input := strings.TrimSpace(string(readSuiteFile(t, tc.InputFile)))
	opts := VerifyOptions{
		Algorithms:              DefaultAlgorithms(),
		Key:                     suiteKeyFunc(pub, kind, jwkKid),
		Kind:                    kind,
		NonDIDControllersUnsafe: true, // the suite's issuers and holders are https URLs
	}
	_, err = Verify(context.Background(), input, opts)
	return err
}

// runSuiteIssue signs the input with the case's private key, kid being the
// VM's id (an absolute URL of a method in a controlled identifier document,
// VC-JOSE-COSE "Using Controlled Identifier Documents"), and checks that the
// token verifies with the public key.
func runSuiteIssue(t *testing.T, tc suiteCase, kind Kind) error {
	var vm suiteVM
	if err := json.Unmarshal(readSuiteFile(t, tc.KeyFile), &vm); err != nil {
		t.Fatal(err)
	}
	key, err := keys.ParsePrivateJWK(vm.SecretKeyJwk)
	if err != nil {
		return err
	}
	s, err := keys.NewSigner(key, vm.ID)
	if err != nil {
		return err
	}
	tok, err := Sign(readSuiteFile(t, tc.InputFile), SignOptions{Kind: kind, Signer: s})
	if err != nil {
		return err
	}
	opts := VerifyOptions{Algorithms: DefaultAlgorithms(), Key: suiteKeyFunc(key.Public(), kind, vm.ID), Kind: kind, NonDIDControllersUnsafe: true}
	if _, err := Verify(context.Background(), tok, opts); err != nil {
		t.Fatalf("the token Sign wrote does not verify: %v", err)
	}
	return nil
}

func TestSuiteUnknownExtensionsSignWithASupportedKey(t *testing.T) {
	// Case 5 fails for us because its key is P-521. With a P-256 key the
	// credential with unknown members signs and verifies, the members kept
	// (VC-JOSE-COSE: members not understood are ignored).
	var vm suiteVM
	if err := json.Unmarshal(readSuiteFile(t, "vm-p256.json"), &vm); err != nil {
		t.Fatal(err)
	}
	key, err := keys.ParsePrivateJWK(vm.SecretKeyJwk)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(key, vm.ID)
	if err != nil {
		t.Fatal(err)
	}
	tok := mustSign(t, string(readSuiteFile(t, "credential-unknown-extensions.json")), KindCredential, s)
	opts := VerifyOptions{Algorithms: DefaultAlgorithms(), Key: suiteKeyFunc(key.Public(), KindCredential, vm.ID), Kind: KindCredential, NonDIDControllersUnsafe: true}
	v, err := Verify(context.Background(), tok, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"badExtension", "anotherBadOne"} {
		if _, ok := v.Credential.Extra[m]; !ok {
			t.Errorf("member %s lost", m)
		}
	}
}

func TestSuitePresentationCase7(t *testing.T) {
	// Case 7's presentation holds three envelopes; the third one's id,
	// "data:application/vc+cose;base64,...\n", ends in a raw new line,
	// which the URL Standard's parser (and so the JavaScript libraries)
	// removes and vc reads the same way. Show that the presentation
	// verifies (with jwx too), that the new line is still there and the
	// envelope read as a vc+cose, and that the vc+jwt envelope beside it
	// verifies with the P-256 key.
	_, pub384, kid384, err := readSuiteVM(t, "vm-p384.json")
	if err != nil {
		t.Fatal(err)
	}
	input := strings.TrimSpace(string(readSuiteFile(t, "presentation-jose-multiple.txt")))
	got, err := Verify(context.Background(), input, VerifyOptions{Algorithms: DefaultAlgorithms(), Key: suiteKeyFunc(pub384, KindPresentation, kid384), Kind: KindPresentation, NonDIDControllersUnsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	if items := got.Presentation.VerifiableCredential.Items; len(items) != 3 || items[2].Envelope == nil || items[2].Envelope.MediaType() != vc.MediaTypeVCCOSE {
		t.Fatalf("verifiableCredential = %+v, want three envelopes, the third a vc+cose", items)
	}
	if _, err := jws.Verify([]byte(input), jws.WithKey(jwa.ES384, pub384)); err != nil {
		t.Fatalf("jwx: %v", err)
	}
	u, err := ParseUnverified(input)
	if err != nil {
		t.Fatal(err)
	}
	if u.Header != (Header{Alg: "ES384", Typ: "vp+jwt", Kid: kid384, Cty: "vp"}) {
		t.Errorf("header %+v", u.Header)
	}
	var vp struct {
		VerifiableCredential []struct {
			ID string `json:"id"`
		} `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(u.Payload, &vp); err != nil {
		t.Fatal(err)
	}
	if n := len(vp.VerifiableCredential); n != 3 {
		t.Fatalf("%d envelopes, want 3", n)
	}
	if id := vp.VerifiableCredential[2].ID; !strings.HasPrefix(id, "data:application/vc+cose;") || !strings.HasSuffix(id, "\n") {
		t.Errorf("the vc+cose envelope's id does not end in a new line any more: this test no longer shows it read")
	}
	d, err := vc.ParseDataURL(vp.VerifiableCredential[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	_, pub256, kid256, err := readSuiteVM(t, "vm-p256.json")
	if err != nil {
		t.Fatal(err)
	}
	inner, err := Verify(context.Background(), string(d.Data), VerifyOptions{Algorithms: DefaultAlgorithms(), Key: suiteKeyFunc(pub256, KindCredential, kid256), Kind: KindCredential, NonDIDControllersUnsafe: true})
	if err != nil {
		t.Fatalf("enveloped vc+jwt: %v", err)
	}
	if got := inner.IssuedAt.Format(time.RFC3339); got != "2010-01-01T19:23:24Z" {
		t.Errorf("iat given as a date-time string read as %s", got)
	}
}

func TestSuiteHTTPSIssuersNeedTheUnsafeOption(t *testing.T) {
	// Without NonDIDControllersUnsafe, the suite's tokens are refused:
	// their issuer is an https URL and their kid a JWK thumbprint, which
	// nothing ties to the issuer here.
	_, pub, kid, err := readSuiteVM(t, "vm-p256.json")
	if err != nil {
		t.Fatal(err)
	}
	input := strings.TrimSpace(string(readSuiteFile(t, "credential-jose-minimal.txt")))
	_, err = Verify(context.Background(), input, VerifyOptions{Algorithms: DefaultAlgorithms(), Key: suiteKeyFunc(pub, KindCredential, kid), Kind: KindCredential})
	if !errors.Is(err, ErrKeyID) {
		t.Fatalf("error %v, want ErrKeyID", err)
	}
}

func TestSuiteDIDMethodSignsAndVerifiesStrictly(t *testing.T) {
	// vm-did-ed25519.json is the suite's one method of a DID controller:
	// a credential its controller issues verifies without the unsafe
	// option, and one claiming another issuer does not.
	var vm suiteVM
	if err := json.Unmarshal(readSuiteFile(t, "vm-did-ed25519.json"), &vm); err != nil {
		t.Fatal(err)
	}
	key, err := keys.ParsePrivateJWK(vm.SecretKeyJwk)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(key, vm.ID)
	if err != nil {
		t.Fatal(err)
	}
	own := strings.Replace(string(readSuiteFile(t, "credential-minimal.json")), "https://example.issuer/vc-jose-cose", vm.Controller, 1)
	opts := VerifyOptions{Algorithms: DefaultAlgorithms(), Key: suiteKeyFunc(key.Public(), KindCredential, vm.ID), Kind: KindCredential}
	if _, err := Verify(context.Background(), mustSign(t, own, KindCredential, s), opts); err != nil {
		t.Fatalf("own credential: %v", err)
	}
	other := strings.Replace(own, vm.Controller, "did:example:someone-else", 1)
	if _, err := Verify(context.Background(), mustSign(t, other, KindCredential, s), opts); !errors.Is(err, ErrKeyID) {
		t.Fatalf("another issuer's credential: error %v, want ErrKeyID", err)
	}
}
