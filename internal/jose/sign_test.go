package jose

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
)

func TestSignedTokensVerifyForEveryAlgorithm(t *testing.T) {
	for _, tt := range []struct {
		kt  keys.KeyType
		alg string
	}{{keys.Ed25519, AlgEdDSA}, {keys.P256, AlgES256}, {keys.P384, AlgES384}} {
		t.Run("a credential and a presentation signed with a new "+string(tt.kt)+" key verify as "+tt.alg, func(t *testing.T) {
			key, err := keys.Generate(tt.kt)
			if err != nil {
				t.Fatal(err)
			}
			issuerKid, holderKid := issuerDID+"#new", holderDID+"#new"
			issuer, err := keys.NewSigner(key, issuerKid)
			if err != nil {
				t.Fatal(err)
			}
			holder, err := keys.NewSigner(key, holderKid)
			if err != nil {
				t.Fatal(err)
			}
			ring := keyring{
				issuerKid: {key.Public(), []string{string(did.AssertionMethod)}},
				holderKid: {key.Public(), []string{string(did.Authentication)}},
			}

			vcTok := mustSign(t, staffCredential, KindCredential, issuer)
			got, err := Verify(context.Background(), vcTok, verifyOptions(ring, KindCredential))
			if err != nil {
				t.Fatal(err)
			}
			want := Header{Alg: tt.alg, Typ: "vc+jwt", Kid: issuerKid, Cty: "vc"}
			if got.Header != want {
				t.Errorf("Header = %+v, want %+v", got.Header, want)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(staffCredential)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Payload, compact.Bytes()) {
				t.Errorf("Payload is not the credential with white space removed:\n%s", got.Payload)
			}
			if got.Kind != KindCredential || got.Legacy || got.Credential == nil || got.Presentation != nil {
				t.Errorf("Kind %v, Legacy %v, Credential %v, Presentation %v", got.Kind, got.Legacy, got.Credential != nil, got.Presentation != nil)
			}
			if got.Credential.Issuer.ID != issuerDID {
				t.Errorf("issuer = %q", got.Credential.Issuer.ID)
			}
			if !got.IssuedAt.IsZero() || !got.NotBefore.IsZero() || !got.Expires.IsZero() {
				t.Errorf("Sign added time claims: %v %v %v", got.IssuedAt, got.NotBefore, got.Expires)
			}

			vpTok := mustSign(t, staffPresentation(vcTok), KindPresentation, holder)
			gotVP, err := Verify(context.Background(), vpTok, verifyOptions(ring, KindAny))
			if err != nil {
				t.Fatal(err)
			}
			if gotVP.Kind != KindPresentation || gotVP.Header.Typ != "vp+jwt" || gotVP.Header.Cty != "vp" {
				t.Errorf("Kind %v, header %+v", gotVP.Kind, gotVP.Header)
			}
			env := gotVP.Presentation.VerifiableCredential.Items[0].Envelope
			u, err := env.DataURL()
			if err != nil {
				t.Fatal(err)
			}
			if string(u.Data) != vcTok {
				t.Errorf("the enveloped credential is not the vc+jwt")
			}
		})
	}
}

func TestSignedTokensVerifyWithJWX(t *testing.T) {
	signers, _ := fixedSigners(t)
	for kid, s := range signers {
		if !strings.HasPrefix(kid, issuerDID) {
			continue
		}
		t.Run("jwx verifies a "+s.Algorithm()+" vc+jwt that Sign wrote", func(t *testing.T) {
			tok := mustSign(t, staffCredential, KindCredential, s)
			payload, err := jws.Verify([]byte(tok), jws.WithKey(jwa.SignatureAlgorithm(s.Algorithm()), s.Public()))
			if err != nil {
				t.Fatal(err)
			}
			var compact bytes.Buffer
			_ = json.Compact(&compact, []byte(staffCredential))
			if !bytes.Equal(payload, compact.Bytes()) {
				t.Errorf("jwx read another payload")
			}
		})
	}
}

func TestTokensJWXSignedVerify(t *testing.T) {
	signers, ring := fixedSigners(t)
	for kid, s := range signers {
		if !strings.HasPrefix(kid, issuerDID) {
			continue
		}
		t.Run("Verify accepts a "+s.Algorithm()+" vc+jwt that jwx signed", func(t *testing.T) {
			hdrs := jws.NewHeaders()
			for k, v := range map[string]string{jws.KeyIDKey: kid, jws.TypeKey: "vc+jwt", jws.ContentTypeKey: "vc"} {
				if err := hdrs.Set(k, v); err != nil {
					t.Fatal(err)
				}
			}
			tok, err := jws.Sign([]byte(staffCredential), jws.WithKey(jwa.SignatureAlgorithm(s.Algorithm()), s, jws.WithProtectedHeaders(hdrs)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Verify(context.Background(), string(tok), verifyOptions(ring, KindCredential)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// wrongKeySigner reports one public key and signs with another, as a
// misconfigured KMS might.
type wrongKeySigner struct {
	keys.Signer
	other crypto.Signer
}

func (w wrongKeySigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return w.other.Sign(r, digest, opts)
}

// failingSigner is a KMS that is down.
type failingSigner struct{ keys.Signer }

var errKMSDown = errors.New("kms: unavailable")

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errKMSDown
}

func TestSignRefuses(t *testing.T) {
	signers, _ := fixedSigners(t)
	ed := signers[issuerDID+"#key-1"]
	p256 := signers[issuerDID+"#key-2"]
	otherKey, err := keys.Generate(keys.P256)
	if err != nil {
		t.Fatal(err)
	}
	legacy := strings.Replace(staffCredential, `"https://www.w3.org/ns/credentials/v2"`, `"https://www.w3.org/2018/credentials/v1"`, 1)
	legacy = strings.Replace(legacy, `"validFrom"`, `"issuanceDate"`, 1)
	tests := []struct {
		name    string
		payload string
		opts    SignOptions
		want    error
	}{
		{"a credential with a vc member is refused", withMember(t, staffCredential, "vc", `{}`), SignOptions{Kind: KindCredential, Signer: ed}, ErrVCClaim},
		{"a credential with a vp member is refused", withMember(t, staffCredential, "vp", `"x"`), SignOptions{Kind: KindCredential, Signer: ed}, ErrVCClaim},
		{"a credential whose iss is not its issuer is refused", withMember(t, staffCredential, "iss", `"did:web:evil.example"`), SignOptions{Kind: KindCredential, Signer: ed}, ErrIssuerMismatch},
		{"a credential whose iss is not a string is refused", withMember(t, staffCredential, "iss", `7`), SignOptions{Kind: KindCredential, Signer: ed}, ErrMalformed},
		{"a credential whose exp is not a date is refused", withMember(t, staffCredential, "exp", `true`), SignOptions{Kind: KindCredential, Signer: ed}, ErrMalformed},
		{"a credential without a subject is refused", withMember(t, staffCredential, "credentialSubject", ""), SignOptions{Kind: KindCredential, Signer: ed}, vc.ErrSubject},
		{"a VCDM 1.1 credential is not signed as a vc+jwt", legacy, SignOptions{Kind: KindCredential, Signer: ed}, ErrDocument},
		{"a credential is not signed as a presentation", staffCredential, SignOptions{Kind: KindPresentation, Signer: ed}, ErrDocument},
		{"JSON with duplicate members is refused", strings.Replace(staffCredential, `"id": "urn:uuid`, `"id": "urn:uuid:1", "id": "urn:uuid`, 1), SignOptions{Kind: KindCredential, Signer: ed}, ErrDocument},
		{"a payload over the document limit is refused", strings.Repeat(" ", limits.MaxDocumentBytes+1), SignOptions{Kind: KindCredential, Signer: ed}, ErrTooLarge},
		{"KindAny cannot be signed", staffCredential, SignOptions{Kind: KindAny, Signer: ed}, ErrOptions},
		{"the zero Kind cannot be signed", staffCredential, SignOptions{Signer: ed}, ErrOptions},
		{"a nil Signer is refused", staffCredential, SignOptions{Kind: KindCredential}, ErrOptions},
		{"a signer that signs with another key than it reports is caught", staffCredential, SignOptions{Kind: KindCredential, Signer: wrongKeySigner{p256, otherKey}}, ErrSignature},
		{"a failing signer's error is returned", staffCredential, SignOptions{Kind: KindCredential, Signer: failingSigner{ed}}, errKMSDown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Sign([]byte(tt.payload), tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Sign = %q, %v; want %v", tok, err, tt.want)
			}
			if tok != "" {
				t.Errorf("Sign returned a token with an error")
			}
		})
	}
}

func TestSignWritesTheHeaderVerifyNeeds(t *testing.T) {
	signers, _ := fixedSigners(t)
	tok := mustSign(t, staffCredential, KindCredential, signers[issuerDID+"#key-1"])
	u, err := ParseUnverified(tok)
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := b64.DecodeString(tok[:strings.IndexByte(tok, '.')])
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"alg":"EdDSA","kid":"did:web:kch.nhs.uk#key-1","typ":"vc+jwt","cty":"vc"}`
	if string(hdr) != want {
		t.Errorf("header = %s, want %s", hdr, want)
	}
	if u.Header != (Header{Alg: "EdDSA", Kid: issuerDID + "#key-1", Typ: "vc+jwt", Cty: "vc"}) {
		t.Errorf("ParseUnverified header = %+v", u.Header)
	}
}

func TestEd25519SigningIsDeterministic(t *testing.T) {
	signers, _ := fixedSigners(t)
	s := signers[issuerDID+"#key-1"]
	if a, b := mustSign(t, staffCredential, KindCredential, s), mustSign(t, staffCredential, KindCredential, s); a != b {
		t.Errorf("two EdDSA signatures of one credential differ")
	}
}

func TestVerifyBytesReadsTheTokenInPlaceAndKeepsNoneOfIt(t *testing.T) {
	signers, ring := fixedSigners(t)
	for kid, s := range signers {
		if !strings.HasPrefix(kid, issuerDID) {
			continue
		}
		t.Run("a token signed by "+kid+" verifies alike from a string and from bytes", func(t *testing.T) {
			tok := mustSign(t, staffCredential, KindCredential, s)
			want, err := Verify(context.Background(), tok, verifyOptions(ring, KindCredential))
			if err != nil {
				t.Fatal(err)
			}
			buf := []byte(tok)
			got, err := VerifyBytes(context.Background(), buf, verifyOptions(ring, KindCredential))
			if err != nil {
				t.Fatal(err)
			}
			if string(buf) != tok {
				t.Fatal("VerifyBytes changed the token")
			}
			for i := range buf {
				buf[i] = 'A'
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("the result changed with the caller's buffer:\n%+v\nwant\n%+v", got, want)
			}
			buf = []byte(tok)
			buf[len(buf)-2] ^= 1
			if _, err := VerifyBytes(context.Background(), buf, verifyOptions(ring, KindCredential)); !errors.Is(err, ErrSignature) && !errors.Is(err, ErrMalformed) {
				t.Errorf("a changed signature: %v, want ErrSignature or ErrMalformed", err)
			}
		})
	}
}
