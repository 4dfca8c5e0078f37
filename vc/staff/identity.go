package staff

import (
	"regexp"
	"slices"
)

// CheckMethod is how an identity was checked.
type CheckMethod string

// Identity check methods.
const (
	// CheckInPerson: the checker saw the original documents with the
	// person present (or by video, as the NHS Employers identity check
	// standard allows).
	CheckInPerson CheckMethod = "in-person"
	// CheckIdentityProvider: a certified digital identity service
	// provider (UK digital identity and attributes trust framework)
	// checked the identity.
	CheckIdentityProvider CheckMethod = "identity-service-provider"
)

var checkMethods = []CheckMethod{CheckInPerson, CheckIdentityProvider}

// ConfidenceLevel is a level of confidence in an identity as defined by
// GPG 45 ("How to prove and verify someone's identity").
type ConfidenceLevel string

// GPG 45 levels of confidence.
const (
	ConfidenceLow      ConfidenceLevel = "low"
	ConfidenceMedium   ConfidenceLevel = "medium"
	ConfidenceHigh     ConfidenceLevel = "high"
	ConfidenceVeryHigh ConfidenceLevel = "very-high"
)

var confidenceLevels = []ConfidenceLevel{ConfidenceLow, ConfidenceMedium, ConfidenceHigh, ConfidenceVeryHigh}

// rank returns 1 to 4 for low to very high, 0 for an unknown level.
func (l ConfidenceLevel) rank() int { return slices.Index(confidenceLevels, l) + 1 }

// DocumentType is a kind of identity document.
type DocumentType string

// Identity documents (NHS Employers identity check standard).
const (
	DocPassport                    DocumentType = "passport"
	DocPhotocardDrivingLicence     DocumentType = "photocard-driving-licence"
	DocNationalIdentityCard        DocumentType = "national-identity-card"
	DocBiometricResidencePermit    DocumentType = "biometric-residence-permit"
	DocBiometricResidenceCard      DocumentType = "biometric-residence-card"
	DocArmedForcesIdentityCard     DocumentType = "armed-forces-identity-card"
	DocFirearmsCertificate         DocumentType = "firearms-certificate"
	DocBirthCertificate            DocumentType = "birth-certificate"
	DocAdoptionCertificate         DocumentType = "adoption-certificate"
	DocMarriageCertificate         DocumentType = "marriage-certificate"
	DocCivilPartnershipCertificate DocumentType = "civil-partnership-certificate"
	DocUtilityBill                 DocumentType = "utility-bill"
	DocBankStatement               DocumentType = "bank-statement"
	DocCouncilTaxStatement         DocumentType = "council-tax-statement"
	DocP45OrP60                    DocumentType = "p45-or-p60"
)

var documentTypes = []DocumentType{
	DocPassport, DocPhotocardDrivingLicence, DocNationalIdentityCard,
	DocBiometricResidencePermit, DocBiometricResidenceCard, DocArmedForcesIdentityCard,
	DocFirearmsCertificate, DocBirthCertificate, DocAdoptionCertificate,
	DocMarriageCertificate, DocCivilPartnershipCertificate, DocUtilityBill,
	DocBankStatement, DocCouncilTaxStatement, DocP45OrP60,
}

// numbered lists the documents whose number identifies the document, so
// the credential must carry its salted hash.
var numbered = []DocumentType{
	DocPassport, DocPhotocardDrivingLicence, DocNationalIdentityCard,
	DocBiometricResidencePermit, DocBiometricResidenceCard, DocArmedForcesIdentityCard,
	DocFirearmsCertificate,
}

// IdentityDocument is one document the checker saw.
type IdentityDocument struct {
	Type DocumentType `json:"documentType"`
	// IssuingCountry is the ISO 3166-1 alpha-3 code of the issuing state,
	// as printed in a passport's machine-readable zone ("GBR").
	IssuingCountry string `json:"issuingCountry"`
	// NumberHash is the salted hash of the document number; required for
	// photographic documents with a number, never the number itself.
	NumberHash SaltedHash `json:"documentNumberHash,omitzero"`
	// ExpiryDate is the document's expiry date, if it has one.
	ExpiryDate Date `json:"documentExpiryDate,omitzero"`
}

// IdentityCheck says that an organisation checked a person's identity
// (IdentityCheckCredential).
type IdentityCheck struct {
	GivenName   string `json:"givenName,omitempty"`
	FamilyName  string `json:"familyName"`
	DateOfBirth Date   `json:"dateOfBirth"`
	// PhotoDigest is the Subresource Integrity digest ("sha384-...") of
	// the photograph the checker compared, if one was kept: never the
	// photograph.
	PhotoDigest   string             `json:"photoDigest,omitempty"`
	DocumentsSeen []IdentityDocument `json:"documentsSeen"`
	Method        CheckMethod        `json:"checkMethod"`
	// IdentityProvider names the certified identity service provider;
	// required when Method is CheckIdentityProvider, and only then.
	IdentityProvider string `json:"identityProvider,omitempty"`
	// ConfidenceLevel is the GPG 45 level reached; required when Method
	// is CheckIdentityProvider.
	ConfidenceLevel ConfidenceLevel `json:"confidenceLevel,omitempty"`
	// CheckedBy names the organisation that did the check.
	CheckedBy string `json:"checkedBy"`
	CheckDate Date   `json:"checkDate"`
}

func (*IdentityCheck) CredentialType() string { return TypeIdentityCheck }
func (*IdentityCheck) sealed()                {}

var (
	countryCode = regexp.MustCompile(`^[A-Z]{3}$`)
	sriDigest   = regexp.MustCompile(`^sha(256-[A-Za-z0-9+/]{43}=|384-[A-Za-z0-9+/]{64}|512-[A-Za-z0-9+/]{86}==)$`)
)

func (v *IdentityCheck) Validate(issued Date) error {
	c := &checker{issued: issued}
	c.text(field("givenName"), v.GivenName, false)
	c.text(field("familyName"), v.FamilyName, true)
	c.pastDate(field("dateOfBirth"), v.DateOfBirth, true, "the date of birth")
	if v.PhotoDigest != "" && !sriDigest.MatchString(v.PhotoDigest) {
		c.add(field("photoDigest"), ErrFormat, "is not a sha256, sha384 or sha512 Subresource Integrity digest")
	}
	switch n := len(v.DocumentsSeen); {
	case n == 0:
		c.add(field("documentsSeen"), ErrMissing, "lists no document")
	case n > maxListLen:
		c.add(field("documentsSeen"), ErrFormat, "has more than %d entries", maxListLen)
	default:
		for i, d := range v.DocumentsSeen {
			p := index(field("documentsSeen"), i)
			oneOf(c, p+"/documentType", d.Type, true, documentTypes)
			if !countryCode.MatchString(d.IssuingCountry) {
				c.add(p+"/issuingCountry", ErrFormat, "is not an ISO 3166-1 alpha-3 country code")
			}
			c.saltedHash(p+"/documentNumberHash", d.NumberHash, slices.Contains(numbered, d.Type))
		}
	}
	oneOf(c, field("checkMethod"), v.Method, true, checkMethods)
	oneOf(c, field("confidenceLevel"), v.ConfidenceLevel, false, confidenceLevels)
	switch v.Method {
	case CheckIdentityProvider:
		c.text(field("identityProvider"), v.IdentityProvider, true)
		if v.ConfidenceLevel == "" {
			c.add(field("confidenceLevel"), ErrMissing, "is required when an identity service provider did the check")
		}
	case CheckInPerson:
		if v.IdentityProvider != "" {
			c.add(field("identityProvider"), ErrNotAllowed, "is only for checks by an identity service provider, and this one was in person")
		}
	}
	c.text(field("checkedBy"), v.CheckedBy, true)
	c.pastDate(field("checkDate"), v.CheckDate, true, "the check date")
	if !v.DateOfBirth.IsZero() && !v.CheckDate.IsZero() && !v.DateOfBirth.Before(v.CheckDate) {
		c.add(field("dateOfBirth"), ErrContradiction, "the date of birth %s is not before the check date %s", v.DateOfBirth, v.CheckDate)
	}
	return c.err()
}
