package staff

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/limits"
)

// Claims is what one staff credential says about its subject: the members of
// its credentialSubject other than id. It is implemented by *IdentityCheck,
// *RightToWork, *DBSCheck, *MandatoryTraining, *ProfessionalRegistration,
// *OccupationalHealthClearance, *Employment and *EmploymentHistory only.
type Claims interface {
	// CredentialType returns the credential's type, such as
	// "DBSCheckCredential".
	CredentialType() string

	// Validate reports, in a *ValidationError, every field that is
	// missing, malformed or contradicts another, and every date that is
	// after issued (the date the credential is issued; the zero Date
	// skips that rule). Pointers name fields as they appear in the
	// credential ("/credentialSubject/dbsLevel").
	Validate(issued Date) error

	sealed()
}

// Credential types, as they appear in a credential's type member.
const (
	TypeIdentityCheck               = "IdentityCheckCredential"
	TypeRightToWork                 = "RightToWorkCredential"
	TypeDBSCheck                    = "DBSCheckCredential"
	TypeMandatoryTraining           = "MandatoryTrainingCredential"
	TypeProfessionalRegistration    = "ProfessionalRegistrationCredential"
	TypeOccupationalHealthClearance = "OccupationalHealthClearanceCredential"
	TypeEmployment                  = "EmploymentCredential"
	TypeEmploymentHistory           = "EmploymentHistoryCredential"
)

// Types returns the staff credential types, in a fixed order.
func Types() []string {
	return []string{
		TypeIdentityCheck, TypeRightToWork, TypeDBSCheck, TypeMandatoryTraining,
		TypeProfessionalRegistration, TypeOccupationalHealthClearance,
		TypeEmployment, TypeEmploymentHistory,
	}
}

// newClaims returns an empty claims value of credential type t, or nil.
func newClaims(t string) Claims {
	switch t {
	case TypeIdentityCheck:
		return new(IdentityCheck)
	case TypeRightToWork:
		return new(RightToWork)
	case TypeDBSCheck:
		return new(DBSCheck)
	case TypeMandatoryTraining:
		return new(MandatoryTraining)
	case TypeProfessionalRegistration:
		return new(ProfessionalRegistration)
	case TypeOccupationalHealthClearance:
		return new(OccupationalHealthClearance)
	case TypeEmployment:
		return new(Employment)
	case TypeEmploymentHistory:
		return new(EmploymentHistory)
	}
	return nil
}

// subjectPointer is the JSON pointer of the credential's subject, under
// which every claim sits.
const subjectPointer = "/credentialSubject"

// checker collects the problems of one claims value.
type checker struct {
	problems
	issued Date
}

func field(name string) string { return subjectPointer + "/" + name }

// text requires a non-empty string of at most maxText characters, with
// no control character and no leading or trailing space: the "text"
// definition of the schemas.
func (c *checker) text(ptr, v string, required bool) {
	switch {
	case v == "":
		if required {
			c.add(ptr, ErrMissing, "is required")
		}
	case utf8.RuneCountInString(v) > maxText:
		c.add(ptr, ErrFormat, "is longer than %d characters", maxText)
	case v[0] == ' ' || v[len(v)-1] == ' ' || strings.ContainsFunc(v, isControl):
		c.add(ptr, ErrFormat, "has a leading or trailing space or a control character")
	}
}

// maxText caps a free-text field, in characters; the schemas say the same.
const maxText = 200

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) }

// date requires d (when required) and that it is not after the issue date.
func (c *checker) pastDate(ptr string, d Date, required bool, what string) {
	if d.IsZero() {
		if required {
			c.add(ptr, ErrMissing, "is required")
		}
		return
	}
	if !c.issued.IsZero() && d.After(c.issued) {
		c.add(ptr, ErrFuture, "%s %s is after the credential's issue date %s", what, d, c.issued)
	}
}

// oneOf requires v to be one of allowed (when required, or when set).
func oneOf[T ~string](c *checker, ptr string, v T, required bool, allowed []T) {
	if v == "" {
		if required {
			c.add(ptr, ErrMissing, "is required")
		}
		return
	}
	if !slices.Contains(allowed, v) {
		c.add(ptr, ErrFormat, "%q is not one of %s", string(v), quoteAll(allowed))
	}
}

func quoteAll[T ~string](vs []T) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + string(v) + `"`)
	}
	return b.String()
}

// saltedHash requires a well-formed h (when required, or when set).
func (c *checker) saltedHash(ptr string, h SaltedHash, required bool) {
	switch {
	case h.IsZero():
		if required {
			c.add(ptr, ErrMissing, "is required (a salted hash, never the identifier itself)")
		}
	case !h.sized():
		c.add(ptr, ErrFormat, "is not a salted hash of a %d-byte salt and a %d-byte PBKDF2-HMAC-SHA256 digest", SaltLen, digestLen)
	case checkIterations(h.Iterations) != nil:
		c.add(ptr+"/iterations", ErrIterations, "must be %d to %d PBKDF2 iterations, not %d", limits.MinHashIterations, limits.MaxHashIterations, h.Iterations)
	}
}

// didValue requires a DID (when required, or when set).
func (c *checker) didValue(ptr, v string, required bool) {
	if v == "" {
		if required {
			c.add(ptr, ErrMissing, "is required")
		}
		return
	}
	if _, err := did.Parse(v); err != nil {
		c.add(ptr, ErrFormat, "is not a DID")
	}
}

// texts requires each element of vs to be non-empty text, and no two alike.
func (c *checker) texts(ptr string, vs []string) {
	if len(vs) > maxListLen {
		c.add(ptr, ErrFormat, "has more than %d entries", maxListLen)
		return
	}
	for i, v := range vs {
		c.text(index(ptr, i), v, true)
		if slices.Contains(vs[:i], v) {
			c.add(index(ptr, i), ErrContradiction, "repeats %q", v)
		}
	}
}

// maxListLen caps every list in a staff credential; the schemas say the
// same.
const maxListLen = 50

func index(ptr string, i int) string { return ptr + "/" + strconv.Itoa(i) }
