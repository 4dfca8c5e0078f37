// Package jose secures verifiable credentials and presentations with JSON Web
// Signatures, as W3C "Securing Verifiable Credentials using JOSE and COSE"
// (VC-JOSE-COSE, Recommendation of 15 May 2025) describes for the media types
// application/vc+jwt and application/vp+jwt, and reads the older VC-JWT
// encoding of the Verifiable Credentials Data Model 1.1 (section 6.3.1, "JSON
// Web Token").
//
// # What is signed
//
// Sign writes a JWS in compact serialisation (RFC 7515 section 7.1) whose
// payload is the credential or presentation JSON itself, with insignificant
// white space removed and nothing added: no vc or vp claim (VC-JOSE-COSE,
// "JOSE Header Parameters and JWT Claims") and no iss, iat or exp (an issuer
// that wants them puts them in the document). The protected header is
//
//	{"alg":"EdDSA"|"ES256"|"ES384","kid":<verification method DID URL>,"typ":"vc+jwt"|"vp+jwt","cty":"vc"|"vp"}
//
// EdDSA is Ed25519 (RFC 8037 section 3.1); ES256 and ES384 are ECDSA on P-256
// and P-384 with SHA-256 and SHA-384 and an IEEE P1363 r||s signature (RFC
// 7518 section 3.4). Signing goes through the keys.Signer's Sign method, so a
// KMS or HSM can hold the key; the signature is checked against the signer's
// public key before the token is returned.
//
// # What is verified
//
// Verify takes the accepted algorithms and a KeyFunc as required inputs and
// refuses, each with an exported error:
//
//   - anything but three base64url segments (the JWS JSON serialisation and
//     unsecured documents included), padding, white space, non-canonical
//     base64url, headers or payloads that are not strict JSON (duplicate
//     member names included), tokens over limits.MaxJWTBytes;
//   - alg none, every HMAC algorithm and every algorithm but EdDSA, ES256,
//     ES384 and ES256K (ECDSA on secp256k1, RFC 8812, which Microsoft Entra
//     Verified ID signs with; verified, never signed), whatever the caller
//     lists, before any key is looked up;
//   - crit listing an extension (RFC 7515 section 4.1.11) and b64 false
//     (RFC 7797): none is implemented;
//   - a typ other than vc+jwt for a credential and vp+jwt for a
//     presentation (the full media types application/vc+jwt and
//     application/vp+jwt are accepted too, case-insensitively, as RFC 7515
//     section 4.1.9 allows), and a cty other than vc / vp;
//   - a vc or vp claim in a vc+jwt or vp+jwt;
//   - a payload that vc.Parse or vc.ParsePresentation refuses, or that is a
//     VCDM 1.1 document (VC-JOSE-COSE secures VCDM 2.0);
//   - an iss other than the credential's issuer id or the presentation's
//     holder id (VC-JOSE-COSE, "Key Discovery", iss);
//   - a kid that is not a DID URL whose DID is that issuer or holder (see
//     below);
//   - a key that does not fit the alg (EdDSA needs Ed25519, ES256 P-256,
//     ES384 P-384, ES256K secp256k1), and a signature of the wrong length or that does not
//     verify.
//
// The key comes from the caller's KeyFunc, called with the kid and the
// verification relationship the key must be listed under in the controller's
// DID document: assertionMethod for a credential, authentication for a
// presentation. Resolving the DID, checking the relationship and that the
// issuer or holder controls the method is the KeyFunc's work (see
// did.ResolveMethod); this package only checks that the kid's DID is the
// issuer's (holder's), so that a key of one DID can never vouch for a
// document of another.
//
// staffpass issuers and holders are DIDs. A document whose issuer (holder) is
// not a DID, such as the https issuers of the W3C test suite, has no DID to
// compare the kid with and is refused with ErrKeyID, unless the caller sets
// VerifyOptions.NonDIDControllersUnsafe, which hands any non-empty kid to the
// KeyFunc unchecked and leaves the whole binding of key to issuer to it. A
// presentation without a holder is refused the same way.
//
// Verify does not judge time. JWT time claims are returned (IssuedAt,
// NotBefore, Expires) for the caller to apply its own policy with its own
// clock; they may be NumericDates (RFC 7519 section 2) or, as some
// implementations write them, RFC 3339 date-time strings.
//
// # Legacy VC-JWT (VCDM 1.1)
//
// Verify also reads, never writes, a JWT of VCDM 1.1 section 6.3.1: typ JWT
// (or no typ), the credential in a vc claim or the presentation in a vp claim,
// and registered claims that stand for, or repeat, members of the document:
// for a credential iss is issuer (or issuer.id), sub is credentialSubject.id,
// nbf is issuanceDate (iat, when there is neither nbf nor issuanceDate, as
// Microsoft Entra Verified ID writes it), exp is expirationDate and jti is id (a bare UUID jti,
// as Microsoft Entra Verified ID writes it, stands for its URN urn:uuid:...);
// for a presentation
// iss is holder and jti is id, and aud and nonce name the intended verifier
// and its challenge. Verify rebuilds the VCDM 1.1 document from them and
// parses it like any other; a claim that says something else than the member
// it stands for is refused (ErrIssuerMismatch, ErrClaimConflict). A legacy
// presentation's verifiableCredential entries that are JWT strings are
// returned in Verified.EnvelopedJWTs for the caller to verify one by one.
//
// ParseUnverified decodes a token without verifying anything, for tools that
// need to look at the header before choosing a key; its result says so in its
// name. jwx and other JOSE library types never appear in this package's API.
package jose
