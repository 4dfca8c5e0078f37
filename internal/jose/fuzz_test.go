package jose

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/staffpass/staffpass/internal/strictjson"
)

// sentinels are the errors every error of Verify and ParseUnverified wraps.
var sentinels = []error{ErrMalformed, ErrTooLarge, ErrAlgorithmNotAllowed, ErrAlgorithmKeyMismatch, ErrType, ErrVCClaim, ErrIssuerMismatch, ErrClaimConflict, ErrKeyID, ErrKey, ErrSignature, ErrCritical, ErrDocument, ErrOptions}

func wrapsSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// fuzzSeeds returns valid tokens of every kind signed with the fixed keys,
// and the W3C suite's tokens.
func fuzzSeeds(f *testing.F) []string {
	signers, _ := fixedSigners(f)
	ed := signers[kidEd]
	vcEd := mustSign(f, staffCredential, KindCredential, ed)
	seeds := []string{
		vcEd,
		mustSign(f, staffCredential, KindCredential, signers[kidP256]),
		mustSign(f, staffCredential, KindCredential, signers[kidP384]),
		mustSign(f, staffPresentation(vcEd), KindPresentation, signers[kidHold]),
		mustSign(f, withMember(f, staffCredential, "exp", `"2030-01-01T00:00:00Z"`), KindCredential, ed),
		signRaw(f, header(AlgEdDSA, kidEd, "JWT"), withMember(f, legacyClaims, "vc", legacyVC), ed),
		signRaw(f, header(AlgEdDSA, kidHold, "JWT"), `{"iss":"`+holderDID+`","nonce":"n","vp":{"@context":["https://www.w3.org/2018/credentials/v1"],"type":"VerifiablePresentation","verifiableCredential":["a.b.c"]}}`, signers[kidHold]),
	}
	files, err := filepath.Glob(filepath.Join(suiteDir, "input", "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, strings.TrimSpace(string(data)))
	}
	return seeds
}

// FuzzVerify checks that Verify never panics, that every error wraps a
// sentinel, and that nothing verifies unless its signed bytes are exactly
// those of a token the fixed keys signed: a mutation of the header or the
// payload never verifies. What verifies must also verify with jwx.
func FuzzVerify(f *testing.F) {
	_, ring := fixedSigners(f)
	signed := map[string]bool{}
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
		if i := strings.LastIndexByte(s, '.'); i > 0 {
			signed[s[:i]] = true
		}
	}
	opts := verifyOptions(ring, KindAny)
	f.Fuzz(func(t *testing.T, tok string) {
		v, err := Verify(context.Background(), tok, opts)
		if err != nil {
			if v != nil {
				t.Fatal("a result with an error")
			}
			if !wrapsSentinel(err) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		input := tok[:strings.LastIndexByte(tok, '.')]
		if !signed[input] {
			t.Fatalf("verified a token whose signed bytes no key signed: %q", tok)
		}
		if (v.Kind == KindCredential) != (v.Credential != nil) || (v.Kind == KindPresentation) != (v.Presentation != nil) {
			t.Fatalf("Kind %v does not match the document set", v.Kind)
		}
		e := ring[v.Header.Kid]
		if _, err := jws.Verify([]byte(tok), jws.WithKey(jwa.SignatureAlgorithm(v.Header.Alg), e.pub)); err != nil {
			t.Fatalf("verified here, refused by jwx: %v", err)
		}
	})
}

// FuzzParseUnverified checks that ParseUnverified never panics and that what
// it returns is what the token holds: the payload re-encodes to the payload
// segment exactly (base64url is read canonically), and the header members
// are those encoding/json reads under their exact names.
func FuzzParseUnverified(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		u, err := ParseUnverified(tok)
		if err != nil {
			if !wrapsSentinel(err) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		seg := strings.SplitN(tok, ".", 3)
		if got := b64.EncodeToString(u.Payload); got != seg[1] {
			t.Fatalf("payload re-encodes to %q, segment %q", got, seg[1])
		}
		if err := strictjson.Check(u.Payload, 0); err != nil {
			t.Fatalf("payload not strict JSON: %v", err)
		}
		hdr, err := b64.DecodeString(seg[0])
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(hdr, &m); err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string]string{"alg": u.Header.Alg, "typ": u.Header.Typ, "kid": u.Header.Kid, "cty": u.Header.Cty} {
			var want string
			if raw, ok := m[name]; ok {
				if err := json.Unmarshal(raw, &want); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			if got != want {
				t.Fatalf("header %s = %q, encoding/json reads %q", name, got, want)
			}
		}
	})
}
