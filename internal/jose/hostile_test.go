package jose

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"hash"
	"math/big"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
)

const (
	kidEd   = issuerDID + "#key-1"
	kidP256 = issuerDID + "#key-2"
	kidP384 = issuerDID + "#key-3"
	kidHold = holderDID + "#key-1"
)

// compactCredential is staffCredential as Sign writes it into a payload.
func compactCredential(tb testing.TB) string {
	tb.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(staffCredential)); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// hmacToken signs header.payload with HMAC, the secret being the bytes a
// verifier might hold as the "public key".
func hmacToken(header, payload string, h func() hash.Hash, secret []byte) string {
	input := b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload))
	m := hmac.New(h, secret)
	m.Write([]byte(input))
	return input + "." + b64.EncodeToString(m.Sum(nil))
}

// segments splits a compact token.
func segments(tok string) [3]string {
	p := strings.SplitN(tok, ".", 3)
	return [3]string{p[0], p[1], p[2]}
}

func TestVerifyRefusesHostileTokens(t *testing.T) {
	signers, ring := fixedSigners(t)
	ed, p256, p384, hold := signers[kidEd], signers[kidP256], signers[kidP384], signers[kidHold]
	cred := compactCredential(t)
	valid := mustSign(t, staffCredential, KindCredential, ed)
	seg := segments(valid)
	edPub := ed.Public().(ed25519.PublicKey)
	edPubJWK, err := keys.MarshalPublicJWK(edPub)
	if err != nil {
		t.Fatal(err)
	}
	p256PubPEM, err := keys.MarshalPublicPEM(p256.Public())
	if err != nil {
		t.Fatal(err)
	}
	otherEd, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	edHeader := header(AlgEdDSA, kidEd, "vc+jwt")
	// A ring where another DID's kid maps to the issuer's real key: only
	// the kid check can refuse it.
	lenient := keyring{"did:web:evil.example#key-1": {edPub, []string{string(did.AssertionMethod)}}}
	for k, v := range ring {
		lenient[k] = v
	}
	evilCred := strings.Replace(cred, `"id":"did:web:kch.nhs.uk"`, `"id":"did:web:evil.example"`, 1)
	holderCred := strings.Replace(cred, `"id":"did:web:kch.nhs.uk"`, `"id":"`+holderDID+`"`, 1)
	sigFlip := func(tok string) string {
		s := segments(tok)
		sig, _ := b64.DecodeString(s[2])
		sig[len(sig)/2] ^= 1
		return s[0] + "." + s[1] + "." + b64.EncodeToString(sig)
	}
	padded := func(s string) string {
		if n := len(s) % 4; n != 0 {
			return s + strings.Repeat("=", 4-n)
		}
		return s + "===="
	}
	derSig := func(s crypto.Signer, input string) string {
		d := sha256.Sum256([]byte(input))
		der, err := s.Sign(rand.Reader, d[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		return b64.EncodeToString(der)
	}
	p256Tok := mustSign(t, staffCredential, KindCredential, p256)
	p256Seg := segments(p256Tok)
	legacyV1 := strings.Replace(strings.Replace(cred, `"https://www.w3.org/ns/credentials/v2"`, `"https://www.w3.org/2018/credentials/v1"`, 1), `"validFrom"`, `"issuanceDate"`, 1)

	tests := []struct {
		name  string
		token string
		opts  func(*VerifyOptions)
		want  error
	}{
		// alg none and HMAC: never reached, even when listed.
		{"alg none without a signature is refused", rawToken(`{"alg":"none","kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, nil), nil, ErrAlgorithmNotAllowed},
		{"alg none with a valid Ed25519 signature is refused", signRaw(t, `{"alg":"none","kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed), nil, ErrAlgorithmNotAllowed},
		{"alg none is refused even when the caller lists it", rawToken(`{"alg":"none","kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, nil), func(o *VerifyOptions) { o.Algorithms = append(o.Algorithms, "none") }, ErrAlgorithmNotAllowed},
		{"alg None in another case is refused", rawToken(`{"alg":"None","kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, nil), func(o *VerifyOptions) { o.Algorithms = []string{"None"} }, ErrAlgorithmNotAllowed},
		{"HS256 keyed with the raw Ed25519 public key is refused", hmacToken(header("HS256", kidEd, "vc+jwt"), cred, sha256.New, edPub), func(o *VerifyOptions) { o.Algorithms = append(o.Algorithms, "HS256") }, ErrAlgorithmNotAllowed},
		{"HS256 keyed with the public JWK is refused", hmacToken(header("HS256", kidEd, "vc+jwt"), cred, sha256.New, edPubJWK), func(o *VerifyOptions) { o.Algorithms = append(o.Algorithms, "HS256") }, ErrAlgorithmNotAllowed},
		{"HS384 keyed with the P-256 public key PEM is refused", hmacToken(header("HS384", kidP256, "vc+jwt"), cred, sha512.New384, p256PubPEM), func(o *VerifyOptions) { o.Algorithms = []string{"HS384"} }, ErrAlgorithmNotAllowed},
		{"HS512 is refused", hmacToken(header("HS512", kidEd, "vc+jwt"), cred, sha512.New, edPub), func(o *VerifyOptions) { o.Algorithms = []string{"HS512"} }, ErrAlgorithmNotAllowed},
		{"ES512 is refused as not implemented", signRaw(t, header("ES512", kidP256, "vc+jwt"), cred, p256), func(o *VerifyOptions) { o.Algorithms = []string{"ES512"} }, ErrAlgorithmNotAllowed},
		{"RS256 is refused as not implemented", rawToken(header("RS256", kidEd, "vc+jwt"), cred, make([]byte, 256)), func(o *VerifyOptions) { o.Algorithms = []string{"RS256"} }, ErrAlgorithmNotAllowed},
		{"an algorithm the caller did not list is refused", valid, func(o *VerifyOptions) { o.Algorithms = []string{AlgES256} }, ErrAlgorithmNotAllowed},
		{"an empty allow-list accepts nothing", valid, func(o *VerifyOptions) { o.Algorithms = nil }, ErrAlgorithmNotAllowed},
		{"an empty alg is refused", rawToken(`{"alg":"","kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, nil), nil, ErrAlgorithmNotAllowed},

		// The alg must fit the key.
		{"an ES256 header with an Ed25519 key is refused", signRaw(t, header(AlgES256, kidEd, "vc+jwt"), cred, p256), nil, ErrAlgorithmKeyMismatch},
		{"an ES384 header with a P-256 key is refused", signRaw(t, header(AlgES384, kidP256, "vc+jwt"), cred, p384), nil, ErrAlgorithmKeyMismatch},
		{"an EdDSA header with a P-256 key is refused", signRaw(t, header(AlgEdDSA, kidP256, "vc+jwt"), cred, ed), nil, ErrAlgorithmKeyMismatch},
		{"an ES256 header with a P-384 key is refused", signRaw(t, header(AlgES256, kidP384, "vc+jwt"), cred, p256), nil, ErrAlgorithmKeyMismatch},
		{"a KeyFunc returning an HMAC secret is refused", valid, func(o *VerifyOptions) { o.Key = constKey([]byte("secret")) }, ErrAlgorithmKeyMismatch},
		{"a KeyFunc returning a private key is refused", valid, func(o *VerifyOptions) { o.Key = constKey(ed25519.PrivateKey(make([]byte, 64))) }, ErrAlgorithmKeyMismatch},
		{"a KeyFunc returning a short Ed25519 key is refused", valid, func(o *VerifyOptions) { o.Key = constKey(ed25519.PublicKey(make([]byte, 10))) }, ErrAlgorithmKeyMismatch},
		{"a KeyFunc returning an empty ECDSA key is refused", p256Tok, func(o *VerifyOptions) { o.Key = constKey(&ecdsa.PublicKey{}) }, ErrAlgorithmKeyMismatch},
		{"a KeyFunc returning nothing is refused", valid, func(o *VerifyOptions) { o.Key = constKey(nil) }, ErrKey},

		// typ and cty.
		{"typ JWT with a VCDM 2.0 payload is refused", signRaw(t, header(AlgEdDSA, kidEd, "JWT"), cred, ed), nil, ErrType},
		{"no typ with a VCDM 2.0 payload is refused", signRaw(t, `{"alg":"EdDSA","kid":"`+kidEd+`"}`, cred, ed), nil, ErrType},
		{"typ vp+jwt on a credential is refused", signRaw(t, header(AlgEdDSA, kidEd, "vp+jwt"), cred, ed), nil, ErrType},
		{"typ vp+jwt with any kind expected still needs a presentation", signRaw(t, header(AlgEdDSA, kidEd, "vp+jwt"), cred, ed), func(o *VerifyOptions) { o.Kind = KindAny }, ErrDocument},
		{"typ vc+ld+jwt of a draft is refused", signRaw(t, header(AlgEdDSA, kidEd, "vc+ld+jwt"), cred, ed), nil, ErrType},
		{"typ vc+sd-jwt is refused", signRaw(t, header(AlgEdDSA, kidEd, "vc+sd-jwt"), cred, ed), nil, ErrType},
		{"a vc+jwt is refused where a presentation is expected", valid, func(o *VerifyOptions) { o.Kind = KindPresentation }, ErrType},
		{"cty vp in a vc+jwt is refused", signRaw(t, `{"alg":"EdDSA","cty":"vp","kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed), nil, ErrType},
		{"cty JWT (a nested JWT) is refused", signRaw(t, `{"alg":"EdDSA","cty":"JWT","kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed), nil, ErrType},

		// vc and vp claims, and the payload.
		{"a vc claim in a vc+jwt is refused", signRaw(t, edHeader, withMember(t, cred, "vc", `{"type":"VerifiableCredential"}`), ed), nil, ErrVCClaim},
		{"a vp claim in a vc+jwt is refused", signRaw(t, edHeader, withMember(t, cred, "vp", `{}`), ed), nil, ErrVCClaim},
		{"a payload with duplicate members is refused", signRaw(t, edHeader, strings.Replace(cred, `"id":"urn:uuid`, `"id":"urn:uuid:x","id":"urn:uuid`, 1), ed), nil, vc.ErrSyntax},
		{"a payload that is an array is refused", signRaw(t, edHeader, `[`+cred+`]`, ed), nil, ErrDocument},
		{"a payload that is not JSON is refused", signRaw(t, edHeader, `not json`, ed), nil, ErrDocument},
		{"a VCDM 1.1 credential in a vc+jwt is refused", signRaw(t, edHeader, legacyV1, ed), nil, ErrDocument},
		{"an exp that is not a date is refused", signRaw(t, edHeader, withMember(t, cred, "exp", `false`), ed), nil, ErrMalformed},
		{"an iat out of range is refused", signRaw(t, edHeader, withMember(t, cred, "iat", `1e300`), ed), nil, ErrMalformed},
		{"an iss that is not a string is refused", signRaw(t, edHeader, withMember(t, cred, "iss", `{"id":"did:web:kch.nhs.uk"}`), ed), nil, ErrMalformed},

		// iss and kid tie the key to the issuer.
		{"an iss other than the issuer is refused", signRaw(t, edHeader, withMember(t, cred, "iss", `"did:web:evil.example"`), ed), nil, ErrIssuerMismatch},
		{"a kid of another DID is refused even when the key resolves", signRaw(t, header(AlgEdDSA, "did:web:evil.example#key-1", "vc+jwt"), cred, ed), func(o *VerifyOptions) { o.Key = lenient.keyFunc }, ErrKeyID},
		{"a credential of another issuer signed with our key is refused", signRaw(t, edHeader, evilCred, ed), nil, ErrKeyID},
		{"a kid that is a fragment only is refused", signRaw(t, header(AlgEdDSA, "#key-1", "vc+jwt"), cred, ed), nil, ErrKeyID},
		{"a kid that is not a DID URL is refused", signRaw(t, header(AlgEdDSA, "2aOHaQxsWVT4mLsUkdtlCnUV-au0BBR-5yPYaPaCc5k", "vc+jwt"), cred, ed), nil, ErrKeyID},
		{"a token without kid is refused", signRaw(t, `{"alg":"EdDSA","typ":"vc+jwt"}`, cred, ed), nil, ErrKeyID},
		{"an issuer that is not a DID is refused", signRaw(t, edHeader, strings.Replace(cred, `"id":"did:web:kch.nhs.uk"`, `"id":"https://kch.nhs.uk"`, 1), ed), nil, ErrKeyID},
		{"a kid the KeyFunc does not know is refused", signRaw(t, header(AlgEdDSA, issuerDID+"#key-9", "vc+jwt"), cred, ed), nil, did.ErrNotFound},
		{"a holder's authentication key cannot issue a credential", signRaw(t, header(AlgEdDSA, kidHold, "vc+jwt"), holderCred, hold), nil, did.ErrNotAuthorized},

		// crit and b64.
		{"a crit extension is refused", signRaw(t, `{"alg":"EdDSA","crit":["exp"],"exp":1,"kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed), nil, ErrCritical},
		{"an empty crit is refused", signRaw(t, `{"alg":"EdDSA","crit":[],"kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed), nil, ErrCritical},
		{"crit b64 with b64 true is refused", signRaw(t, `{"alg":"EdDSA","b64":true,"crit":["b64"],"kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed), nil, ErrCritical},
		{"b64 false with crit is refused", signRaw(t, `{"alg":"EdDSA","b64":false,"crit":["b64"],"kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed), nil, ErrCritical},
		{"b64 false without crit is refused", signRaw(t, `{"alg":"EdDSA","b64":false,"kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed), nil, ErrCritical},
		{"crit that is not an array is refused", signRaw(t, `{"alg":"EdDSA","crit":"b64","kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed), nil, ErrMalformed},

		// The compact serialisation, strictly.
		{"the JWS JSON serialisation is refused", `{"payload":"` + seg[1] + `","protected":"` + seg[0] + `","signature":"` + seg[2] + `"}`, nil, ErrMalformed},
		{"the general JWS JSON serialisation is refused", `{"payload":"` + seg[1] + `","signatures":[{"protected":"` + seg[0] + `","signature":"` + seg[2] + `"}]}`, nil, ErrMalformed},
		{"an unsecured credential is refused", staffCredential, nil, ErrMalformed},
		{"an extra segment is refused", valid + ".", nil, ErrMalformed},
		{"five segments (a JWE) are refused", seg[0] + ".." + seg[1] + ".." + seg[2], nil, ErrMalformed},
		{"two segments are refused", seg[0] + "." + seg[1], nil, ErrMalformed},
		{"one segment is refused", seg[1], nil, ErrMalformed},
		{"an empty string is refused", "", nil, ErrMalformed},
		{"dots only are refused", "..", nil, ErrMalformed},
		{"an empty header is refused", "." + seg[1] + "." + seg[2], nil, ErrMalformed},
		{"an empty payload is refused", seg[0] + ".." + seg[2], nil, ErrMalformed},
		{"padding on the header is refused", padded(seg[0]) + "." + seg[1] + "." + seg[2], nil, ErrMalformed},
		{"padding on the payload is refused", seg[0] + "." + padded(seg[1]) + "." + seg[2], nil, ErrMalformed},
		{"padding on the signature is refused", seg[0] + "." + seg[1] + "." + padded(seg[2]), nil, ErrMalformed},
		{"a space in the payload is refused", seg[0] + "." + seg[1][:20] + " " + seg[1][20:] + "." + seg[2], nil, ErrMalformed},
		{"a line break in the payload is refused", seg[0] + "." + seg[1][:20] + "\n" + seg[1][20:] + "." + seg[2], nil, ErrMalformed},
		{"a CR LF in the signature is refused", seg[0] + "." + seg[1] + "." + seg[2][:10] + "\r\n" + seg[2][10:], nil, ErrMalformed},
		{"a trailing new line is refused", valid + "\n", nil, ErrMalformed},
		{"a leading space is refused", " " + valid, nil, ErrMalformed},
		{"a tab in the header is refused", seg[0][:5] + "\t" + seg[0][5:] + "." + seg[1] + "." + seg[2], nil, ErrMalformed},
		{"the standard base64 alphabet is refused", seg[0] + "." + seg[1] + ".+" + seg[2][1:], nil, ErrMalformed},
		{"non-zero trailing bits in base64url are refused", seg[0] + "." + seg[1] + "." + seg[2][:len(seg[2])-1] + nonCanonicalLast(seg[2]), nil, ErrMalformed},
		{"a header with duplicate members is refused", signRaw(t, `{"alg":"EdDSA","alg":"none","kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed), nil, ErrMalformed},
		{"a header that is an array is refused", signRaw(t, `["EdDSA"]`, cred, ed), nil, ErrMalformed},
		{"a header that is null is refused", signRaw(t, `null`, cred, ed), nil, ErrMalformed},
		{"a header without alg is refused", signRaw(t, `{"kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed), nil, ErrMalformed},
		{"a header whose alg is not a string is refused", signRaw(t, `{"alg":["EdDSA"],"kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed), nil, ErrMalformed},
		{"a header whose kid is null is refused", signRaw(t, `{"alg":"EdDSA","kid":null,"typ":"vc+jwt"}`, cred, ed), nil, ErrMalformed},
		{"a header with invalid UTF-8 is refused", signRaw(t, "{\"alg\":\"EdDSA\",\"kid\":\"\xff\",\"typ\":\"vc+jwt\"}", cred, ed), nil, ErrMalformed},
		{"a token over limits.MaxJWTBytes is refused", seg[0] + "." + strings.Repeat("A", limits.MaxJWTBytes) + "." + seg[2], nil, ErrTooLarge},
		{"a header over limits.MaxJWSHeaderBytes is refused", b64.EncodeToString([]byte(`{"alg":"EdDSA","x":"`+strings.Repeat("x", limits.MaxJWSHeaderBytes)+`"}`)) + "." + seg[1] + "." + seg[2], nil, ErrTooLarge},
		{"a payload over limits.MaxDocumentBytes is refused", seg[0] + "." + b64.EncodeToString(bytes.Repeat([]byte(" "), limits.MaxDocumentBytes+3)) + "." + seg[2], nil, ErrTooLarge},

		// The signature.
		{"an empty signature is refused", seg[0] + "." + seg[1] + ".", nil, ErrSignature},
		{"a signature one byte short is refused", seg[0] + "." + seg[1] + "." + b64.EncodeToString(make([]byte, 63)), nil, ErrSignature},
		{"a signature one byte long is refused", seg[0] + "." + seg[1] + "." + b64.EncodeToString(append(mustB64(t, seg[2]), 0)), nil, ErrSignature},
		{"an ES256 signature in ASN.1 DER is refused", p256Seg[0] + "." + p256Seg[1] + "." + derSig(p256, p256Seg[0]+"."+p256Seg[1]), nil, ErrSignature},
		{"an ES256 signature of P-384 length is refused", p256Seg[0] + "." + p256Seg[1] + "." + b64.EncodeToString(make([]byte, 96)), nil, ErrSignature},
		{"an all-zero ES256 signature is refused", p256Seg[0] + "." + p256Seg[1] + "." + b64.EncodeToString(make([]byte, 64)), nil, ErrSignature},
		{"a changed signature bit is refused", sigFlip(valid), nil, ErrSignature},
		{"a changed ES256 signature bit is refused", sigFlip(p256Tok), nil, ErrSignature},
		{"a changed payload is refused", seg[0] + "." + b64.EncodeToString([]byte(strings.Replace(cred, "Alex Example", "Alex Exampla", 1))) + "." + seg[2], nil, ErrSignature},
		{"a changed header is refused", b64.EncodeToString([]byte(`{"alg":"EdDSA","kid":"`+kidEd+`","typ":"application/vc+jwt","cty":"vc"}`)) + "." + seg[1] + "." + seg[2], nil, ErrSignature},
		{"a signature by another key is refused", signRaw(t, edHeader, cred, otherEd), nil, ErrSignature},
		{"a signature of another credential is refused", seg[0] + "." + seg[1] + "." + segments(mustSign(t, strings.Replace(staffCredential, "Alex", "Sam", 1), KindCredential, ed))[2], nil, ErrSignature},

		// Options.
		{"a nil KeyFunc is refused", valid, func(o *VerifyOptions) { o.Key = nil }, ErrOptions},
		{"the zero Kind is refused", valid, func(o *VerifyOptions) { o.Kind = 0 }, ErrOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := verifyOptions(ring, KindCredential)
			if tt.opts != nil {
				tt.opts(&opts)
			}
			lookups := 0
			if key := opts.Key; key != nil {
				opts.Key = func(ctx context.Context, kid, purpose string) (crypto.PublicKey, error) {
					lookups++
					return key(ctx, kid, purpose)
				}
			}
			v, err := Verify(context.Background(), tt.token, opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v; want an error wrapping %v", err, tt.want)
			}
			if v != nil {
				t.Errorf("Verify returned a result with an error")
			}
			for _, early := range []error{ErrMalformed, ErrTooLarge, ErrAlgorithmNotAllowed, ErrCritical, ErrType, ErrVCClaim, ErrDocument, ErrIssuerMismatch, ErrKeyID, ErrOptions} {
				if errors.Is(err, early) && lookups != 0 {
					t.Errorf("the key was looked up before refusing with %v", early)
				}
			}
		})
	}
}

func constKey(k crypto.PublicKey) KeyFunc {
	return func(context.Context, string, string) (crypto.PublicKey, error) { return k, nil }
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := b64.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// nonCanonicalLast returns a last character for the base64url segment s that
// decodes to the same bytes but sets trailing bits that must be zero.
func nonCanonicalLast(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, s[len(s)-1])
	switch len(s) % 4 {
	case 2: // 4 trailing bits
		return string(alphabet[last|0x0f])
	case 3: // 2 trailing bits
		return string(alphabet[last|0x03])
	}
	panic("segment without trailing bits")
}

func TestVerifyAcceptsEquivalentForms(t *testing.T) {
	signers, ring := fixedSigners(t)
	ed := signers[kidEd]
	cred := compactCredential(t)
	tests := []struct {
		name  string
		token string
	}{
		{"typ as the full media type application/vc+jwt", signRaw(t, header(AlgEdDSA, kidEd, "application/vc+jwt"), cred, ed)},
		{"typ in upper case", signRaw(t, header(AlgEdDSA, kidEd, "VC+JWT"), cred, ed)},
		{"no cty", signRaw(t, header(AlgEdDSA, kidEd, "vc+jwt"), cred, ed)},
		{"cty application/vc", signRaw(t, `{"alg":"EdDSA","cty":"application/vc","kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed)},
		{"an iss equal to the issuer", signRaw(t, header(AlgEdDSA, kidEd, "vc+jwt"), withMember(t, cred, "iss", `"`+issuerDID+`"`), ed)},
		{"b64 true without crit", signRaw(t, `{"alg":"EdDSA","b64":true,"kid":"`+kidEd+`","typ":"vc+jwt"}`, cred, ed)},
		{"header members that are not understood", signRaw(t, `{"alg":"EdDSA","kid":"`+kidEd+`","typ":"vc+jwt","x5u":"https://evil.example/cert","jku":"https://evil.example/jwks","Alg":"none"}`, cred, ed)},
		{"white space inside the header and payload JSON", signRaw(t, "{ \"alg\" : \"EdDSA\",\n \"kid\": \""+kidEd+"\", \"typ\": \"vc+jwt\" }", staffCredential, ed)},
	}
	for _, tt := range tests {
		t.Run(tt.name+" verifies", func(t *testing.T) {
			if _, err := Verify(context.Background(), tt.token, verifyOptions(ring, KindCredential)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestVerifyReportsTimeClaimsWithoutJudgingThem(t *testing.T) {
	signers, ring := fixedSigners(t)
	cred := compactCredential(t)
	tests := []struct {
		name           string
		iat, nbf, exp  string
		wantIat, wantN string
		wantExp        string
	}{
		{"NumericDates long past are reported, not refused", `1262304000`, `1262304000`, `1262390400`, "2010-01-01T00:00:00Z", "2010-01-01T00:00:00Z", "2010-01-02T00:00:00Z"},
		{"date-time strings are read", `"2010-01-01T19:23:24Z"`, `"2010-01-01T19:23:24+01:00"`, `"2999-01-01T00:00:00Z"`, "2010-01-01T19:23:24Z", "2010-01-01T18:23:24Z", "2999-01-01T00:00:00Z"},
		{"fractional NumericDates keep their fraction", `1262304000.5`, `-1.25`, `4102444800`, "2010-01-01T00:00:00.5Z", "1969-12-31T23:59:58.75Z", "2100-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := withMember(t, withMember(t, withMember(t, cred, "iat", tt.iat), "nbf", tt.nbf), "exp", tt.exp)
			v, err := Verify(context.Background(), mustSign(t, p, KindCredential, signers[kidEd]), verifyOptions(ring, KindCredential))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ name, got, want string }{
				{"iat", v.IssuedAt.Format("2006-01-02T15:04:05.999999999Z07:00"), tt.wantIat},
				{"nbf", v.NotBefore.Format("2006-01-02T15:04:05.999999999Z07:00"), tt.wantN},
				{"exp", v.Expires.Format("2006-01-02T15:04:05.999999999Z07:00"), tt.wantExp},
			} {
				if c.got != c.want {
					t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestVerifyChecksPresentationsAgainstTheirHolder(t *testing.T) {
	signers, ring := fixedSigners(t)
	hold := signers[kidHold]
	vcTok := mustSign(t, staffCredential, KindCredential, signers[kidEd])
	vp := staffPresentation(vcTok)
	vpHeader := header(AlgEdDSA, kidHold, "vp+jwt")
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"a presentation signed by its holder verifies", mustSign(t, vp, KindPresentation, hold), nil},
		{"a presentation with aud and nonce reports them", mustSign(t, withMember(t, withMember(t, vp, "aud", `["did:web:leeds.nhs.uk"]`), "nonce", `"c-123"`), KindPresentation, hold), nil},
		{"a presentation without a holder is refused", signRaw(t, vpHeader, withMember(t, vp, "holder", ""), hold), ErrKeyID},
		{"a presentation of another holder is refused", signRaw(t, vpHeader, withMember(t, vp, "holder", `"did:web:evil.example"`), hold), ErrKeyID},
		{"a presentation whose iss is not its holder is refused", signRaw(t, vpHeader, withMember(t, vp, "iss", `"`+issuerDID+`"`), hold), ErrIssuerMismatch},
		{"an issuer's assertion key cannot sign a presentation", signRaw(t, header(AlgEdDSA, kidEd, "vp+jwt"), withMember(t, vp, "holder", `"`+issuerDID+`"`), signers[kidEd]), did.ErrNotAuthorized},
		{"a vc claim in a vp+jwt is refused", signRaw(t, vpHeader, withMember(t, vp, "vc", `{}`), hold), ErrVCClaim},
		{"a presentation holding a credential JWT string is refused", signRaw(t, vpHeader, withMember(t, vp, "verifiableCredential", `["`+vcTok+`"]`), hold), vc.ErrEntry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Verify(context.Background(), tt.token, verifyOptions(ring, KindPresentation))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if err == nil && v.Presentation.Holder.ID != holderDID {
				t.Errorf("holder %q", v.Presentation.Holder.ID)
			}
		})
	}
	v, err := Verify(context.Background(), tests[1].token, verifyOptions(ring, KindPresentation))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(v.Audience, " ") != "did:web:leeds.nhs.uk" || v.Nonce != "c-123" {
		t.Errorf("aud %v nonce %q", v.Audience, v.Nonce)
	}
}

func TestNonDIDControllersUnsafeKeepsDIDChecks(t *testing.T) {
	// The unsafe option lets non-DID issuers through, never a kid of
	// another DID for a DID issuer.
	signers, ring := fixedSigners(t)
	ed := signers[kidEd]
	cred := compactCredential(t)
	opts := verifyOptions(ring, KindCredential)
	opts.NonDIDControllersUnsafe = true
	lenient := keyring{"did:web:evil.example#key-1": {ed.Public(), []string{string(did.AssertionMethod)}}}
	opts.Key = lenient.keyFunc
	_, err := Verify(context.Background(), signRaw(t, header(AlgEdDSA, "did:web:evil.example#key-1", "vc+jwt"), cred, ed), opts)
	if !errors.Is(err, ErrKeyID) {
		t.Fatalf("error %v, want ErrKeyID", err)
	}
	https := strings.Replace(cred, `"id":"did:web:kch.nhs.uk"`, `"id":"https://kch.nhs.uk"`, 1)
	if _, err := Verify(context.Background(), signRaw(t, header(AlgEdDSA, "did:web:evil.example#key-1", "vc+jwt"), https, ed), opts); err != nil {
		t.Fatalf("an https issuer with the unsafe option: %v", err)
	}
}

func TestParseUnverified(t *testing.T) {
	signers, _ := fixedSigners(t)
	valid := mustSign(t, staffCredential, KindCredential, signers[kidEd])
	seg := segments(valid)
	u, err := ParseUnverified(valid)
	if err != nil {
		t.Fatal(err)
	}
	if u.Header.Kid != kidEd || !bytes.Equal(u.Payload, []byte(compactCredential(t))) {
		t.Errorf("header %+v, payload %s", u.Header, u.Payload)
	}
	for _, tt := range []struct {
		name  string
		token string
		want  error
	}{
		{"a token whose signature is wrong still parses: nothing is verified", seg[0] + "." + seg[1] + ".AAAA", nil},
		{"alg none parses: nothing is verified", rawToken(`{"alg":"none"}`, `{}`, nil), nil},
		{"a payload with duplicate members is refused", rawToken(`{"alg":"none"}`, `{"a":1,"a":2}`, nil), ErrMalformed},
		{"a payload that is not an object is refused", rawToken(`{"alg":"none"}`, ` [1]`, nil), ErrMalformed},
		{"the JWS JSON serialisation is refused", `{"payload":"e30"}`, ErrMalformed},
		{"base64 with padding is refused", seg[0] + "=." + seg[1] + "." + seg[2], ErrMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseUnverified(tt.token)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseUnverified = %v, want %v", err, tt.want)
			}
		})
	}
}

// A vc+jwt or vp+jwt is read one way only: a registered claim that stands
// for a member of the document must say what the member says.
func TestVerifyRefusesClaimsThatContradictTheDocument(t *testing.T) {
	signers, ring := fixedSigners(t)
	ed, hold := signers[kidEd], signers[kidHold]
	cred := compactCredential(t)
	subject := `"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"`
	twoSubjects := withMember(t, cred, "credentialSubject", `[{"id":"did:example:a","name":"A"},{"id":"did:example:b","name":"B"}]`)
	vp := staffPresentation(mustSign(t, cred, KindCredential, ed))
	tests := []struct {
		name    string
		payload string
		kind    Kind
		signer  keys.Signer
		want    error
	}{
		{"sub equal to credentialSubject.id", withMember(t, cred, "sub", subject), KindCredential, ed, nil},
		{"jti equal to the credential's id", withMember(t, cred, "jti", `"urn:uuid:5a6b2f0c-8d0a-4d7e-9a53-0f2e8c1d7b44"`), KindCredential, ed, nil},
		{"sub naming another subject", withMember(t, cred, "sub", `"did:example:someone-else"`), KindCredential, ed, ErrClaimConflict},
		{"sub with two credential subjects", withMember(t, twoSubjects, "sub", `"did:example:a"`), KindCredential, ed, ErrClaimConflict},
		{"sub with a subject that has no id", withMember(t, withMember(t, cred, "credentialSubject", `{"name":"A"}`), "sub", `"did:example:a"`), KindCredential, ed, ErrClaimConflict},
		{"jti naming another credential", withMember(t, cred, "jti", `"urn:uuid:other"`), KindCredential, ed, ErrClaimConflict},
		{"jti in a credential without an id", withMember(t, withMember(t, cred, "id", ""), "jti", `"urn:uuid:x"`), KindCredential, ed, ErrClaimConflict},
		{"sub in a presentation", withMember(t, vp, "sub", `"`+holderDID+`"`), KindPresentation, hold, ErrClaimConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Sign([]byte(tt.payload), SignOptions{Kind: tt.kind, Signer: tt.signer})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Sign: %v, want %v", err, tt.want)
			}
			if err != nil {
				tok = signRaw(t, header(tt.signer.Algorithm(), tt.signer.KeyID(), mediaSubtype(tt.kind)), tt.payload, tt.signer)
			}
			_, err = Verify(context.Background(), tok, verifyOptions(ring, tt.kind))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
		})
	}
}

// Sign writes the lower of an ECDSA signature's two encodings; Verify
// accepts the twin (r, n-s) unless LowS is set.
func TestVerifyLowS(t *testing.T) {
	signers, ring := fixedSigners(t)
	cred := compactCredential(t)
	for _, kid := range []string{kidP256, kidP384} {
		t.Run(kid, func(t *testing.T) {
			s := signers[kid]
			n := s.Public().(*ecdsa.PublicKey).Curve.Params().N
			for range 8 {
				tok := mustSign(t, cred, KindCredential, s)
				seg := segments(tok)
				sig := mustB64(t, seg[2])
				size := len(sig) / 2
				sv := new(big.Int).SetBytes(sig[size:])
				if sv.Cmp(new(big.Int).Rsh(n, 1)) > 0 {
					t.Fatal("Sign wrote a high s")
				}
				new(big.Int).Sub(n, sv).FillBytes(sig[size:])
				twin := seg[0] + "." + seg[1] + "." + b64.EncodeToString(sig)
				if _, err := Verify(context.Background(), twin, verifyOptions(ring, KindCredential)); err != nil {
					t.Fatalf("the twin without LowS: %v", err)
				}
				strict := verifyOptions(ring, KindCredential)
				strict.LowS = true
				if _, err := Verify(context.Background(), tok, strict); err != nil {
					t.Fatalf("LowS refuses Sign's own token: %v", err)
				}
				if _, err := Verify(context.Background(), twin, strict); !errors.Is(err, keys.ErrHighS) || !errors.Is(err, ErrSignature) {
					t.Fatalf("the twin with LowS: %v, want ErrSignature and keys.ErrHighS", err)
				}
			}
		})
	}
}
