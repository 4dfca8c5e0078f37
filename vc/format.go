package vc

// Format is how a credential or a presentation is secured: the one
// vocabulary of the issuer, the holder and the command line.
type Format string

// The securing formats.
const (
	// FormatJWT is VC-JOSE-COSE: a vc+jwt (or vp+jwt), a compact JWS
	// whose payload is the document.
	FormatJWT Format = "jwt"
	// The Data Integrity cryptosuites (W3C VC Data Integrity 1.0 and the
	// EdDSA and ECDSA cryptosuites): the document JSON with a proof.
	FormatEdDSARDFC2022 Format = "eddsa-rdfc-2022"
	FormatECDSARDFC2019 Format = "ecdsa-rdfc-2019"
	FormatEdDSAJCS2022  Format = "eddsa-jcs-2022"
	FormatECDSAJCS2019  Format = "ecdsa-jcs-2019"
)

// Formats lists every securing format, for flag help and validation.
func Formats() []Format {
	return []Format{FormatEdDSARDFC2022, FormatECDSARDFC2019, FormatEdDSAJCS2022, FormatECDSAJCS2019, FormatJWT}
}

// DataIntegrity reports whether f is a Data Integrity cryptosuite.
func (f Format) DataIntegrity() bool {
	switch f {
	case FormatEdDSARDFC2022, FormatECDSARDFC2019, FormatEdDSAJCS2022, FormatECDSAJCS2019:
		return true
	}
	return false
}
