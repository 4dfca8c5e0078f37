package jose

import "errors"

// Errors callers can branch on with errors.Is. Every error Verify and
// ParseUnverified return wraps one of them, and so does every error of Sign
// but a failure of the Signer itself, which Sign returns wrapped as it is.
var (
	// ErrMalformed means the text is not a JWS in compact serialisation
	// (RFC 7515 section 7.1) as this package reads it: not three
	// base64url segments (the JWS JSON serialisation, an unsecured
	// document, extra segments), base64url with padding, white space or
	// non-zero trailing bits, a header or payload that is not strict JSON
	// (duplicate member names included), or a header or registered claim
	// of the wrong JSON type.
	ErrMalformed = errors.New("jose: malformed JWS")

	// ErrTooLarge means the token is longer than limits.MaxJWTBytes, its
	// header longer than limits.MaxJWSHeaderBytes, or its payload (the
	// document Sign is given) longer than limits.MaxDocumentBytes.
	ErrTooLarge = errors.New("jose: JWS too large")

	// ErrAlgorithmNotAllowed means the header's alg is none, an HMAC
	// algorithm, an algorithm this package does not implement or one the
	// caller did not list. It is checked before any key is looked up.
	ErrAlgorithmNotAllowed = errors.New("jose: algorithm not allowed")

	// ErrAlgorithmKeyMismatch means the alg does not fit the key: EdDSA
	// needs an Ed25519 key, ES256 a P-256 key and ES384 a P-384 key.
	ErrAlgorithmKeyMismatch = errors.New("jose: algorithm does not fit the key")

	// ErrType means typ (or cty) does not say what the token must be:
	// vc+jwt for a credential, vp+jwt for a presentation, JWT (or no
	// typ) for a legacy VC-JWT of VCDM 1.1.
	ErrType = errors.New("jose: wrong token type")

	// ErrVCClaim means a vc+jwt or vp+jwt carries a vc or vp claim, which
	// VC-JOSE-COSE forbids, or a legacy token's vc or vp claim is not a
	// VCDM 1.1 credential or presentation object.
	ErrVCClaim = errors.New("jose: vc or vp claim not allowed")

	// ErrIssuerMismatch means the iss claim is not the credential's issuer
	// id (the presentation's holder id).
	ErrIssuerMismatch = errors.New("jose: iss does not match the issuer")

	// ErrClaimConflict means a registered claim says something else than
	// the member of the document it stands for: in a vc+jwt or vp+jwt, jti
	// is not the document's id, or sub is not the id of the credential's
	// one credentialSubject (or is in a presentation); in a legacy VC-JWT,
	// sub, jti, nbf or exp differ from the vc or vp claim they map to.
	ErrClaimConflict = errors.New("jose: JWT claim conflicts with the credential")

	// ErrKeyID means kid is missing, or is not a DID URL whose DID is the
	// issuer (for a credential) or the holder (for a presentation).
	ErrKeyID = errors.New("jose: kid does not name a key of the issuer")

	// ErrKey means the caller's KeyFunc found no usable key for kid; the
	// error also wraps the KeyFunc's own error.
	ErrKey = errors.New("jose: no key for kid")

	// ErrSignature means the signature is not of the algorithm's length
	// or does not verify.
	ErrSignature = errors.New("jose: invalid signature")

	// ErrCritical means the header lists critical extensions (crit,
	// RFC 7515 section 4.1.11) this package does not implement, or asks
	// for an unencoded payload (b64 false, RFC 7797).
	ErrCritical = errors.New("jose: unsupported critical header")

	// ErrDocument means the payload is not a valid credential or
	// presentation (vc.Parse, vc.ParsePresentation); the error also wraps
	// the vc package's error.
	ErrDocument = errors.New("jose: payload is not a valid credential or presentation")

	// ErrOptions means Sign or Verify was called with incomplete options:
	// no Signer, no KeyFunc, an unknown Kind.
	ErrOptions = errors.New("jose: invalid options")
)
