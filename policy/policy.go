// Package policy gives the receiving organisation's answer: whether the
// verified credentials of one presentation meet a role's requirements, and
// if not, exactly which requirement is missing and why.
//
// It reads verifier Results, never raw credentials: a credential counts
// towards a role only when its own Result verified, the presentation that
// carried it verified up to the credentials (its holder's signature, the
// verifier's challenge and domain, freshness) and its subject is the
// presentation's holder. So the verifier stays a general VC verifier, and
// nothing unverified reaches a role.
//
// A role is written as JSON (see Role, and the role schema in
// docs/credentials.md); each requirement comes out met, due (met, but what
// meets it runs out within the role's dueWithinDays), missing, expired or
// insufficient, with the reason and the credential it rests on.
package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/verifier"
)

// Role is a role's requirements (the JSON document staff.Role describes).
type Role = staff.Role

// ParseRole reads a role requirements document, strictly (staff.ParseRole).
func ParseRole(data []byte) (*Role, error) { return staff.ParseRole(data) }

// Outcome is how one requirement fared.
type Outcome = staff.Outcome

// The outcomes of a requirement.
const (
	Met          = staff.OutcomeMet
	Due          = staff.OutcomeDue
	Missing      = staff.OutcomeMissing
	Expired      = staff.OutcomeExpired
	Insufficient = staff.OutcomeInsufficient
)

// ErrNotMet: at least one requirement is not met; the Verdict says which.
var ErrNotMet = errors.New("policy: role requirements not met")

// ErrNotJudged: the Result cannot be judged for a role at all: a
// presentation whose credentials are about several people, or a role that
// is not valid.
var ErrNotJudged = errors.New("policy: cannot judge the role")

// Verdict is a role's outcome for one presentation.
type Verdict struct {
	Role  string `json:"role"`
	Title string `json:"title"`
	// Met is true when every requirement is met or due.
	Met bool `json:"met"`
	// Holder is the presentation's holder.
	Holder string `json:"holder,omitempty"`
	// Date is the day the role was judged on (in Europe/London).
	Date         string        `json:"date"`
	Requirements []Requirement `json:"requirements"`
}

// Requirement is the outcome of one requirement.
type Requirement struct {
	// Name is "identity-check", "right-to-work", "dbs-check",
	// "professional-registration", "occupational-health-clearance", or
	// "mandatory-training/<subject>".
	Name    string  `json:"requirement"`
	Outcome Outcome `json:"outcome"`
	// Reason says why, for a person.
	Reason string `json:"reason"`
	// Source is the credential the outcome rests on, if any.
	Source *Source `json:"source,omitempty"`
}

// Source names a credential of the presentation.
type Source struct {
	// Index is its position in the presentation, from 1.
	Index  int    `json:"index"`
	ID     string `json:"id,omitempty"`
	Type   string `json:"type"`
	Issuer string `json:"issuer"`
	// Verified is false for a credential that did not verify, which
	// never counts: the reason says why it was set aside.
	Verified bool `json:"verified"`
}

// london is where NHS England's dates fall.
var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

// requirementType is the credential type each requirement rests on.
func requirementType(name string) string {
	switch {
	case name == "identity-check":
		return staff.TypeIdentityCheck
	case name == "right-to-work":
		return staff.TypeRightToWork
	case name == "dbs-check":
		return staff.TypeDBSCheck
	case name == "professional-registration":
		return staff.TypeProfessionalRegistration
	case name == "occupational-health-clearance":
		return staff.TypeOccupationalHealthClearance
	case strings.HasPrefix(name, "mandatory-training/"):
		return staff.TypeMandatoryTraining
	}
	return ""
}

// Evaluate judges role against what r, the Result of verifying a
// presentation, establishes, at its VerifiedAt. (A credential's Result on
// its own is refused with ErrNotJudged: without its holder's signature it
// proves nothing about who shows it.)
// It returns the Verdict, and an error wrapping ErrNotMet exactly when a
// requirement is not met. Only verified credentials about the holder
// count; a requirement whose credential was presented but did not verify
// is missing, and its reason says why the credential was set aside.
func Evaluate(role *Role, r *verifier.Result) (*Verdict, error) {
	return EvaluateAll(role, []*verifier.Result{r})
}

// EvaluateAll judges role against several presentations by one holder, as
// a wallet answers with one SD-JWT VC presentation per credential: each
// presentation is gated on its own checks, and the credentials of all of
// them count together, numbered in order across them. The verdict's date
// is that of the first. Presentations of different holders are refused
// with ErrNotJudged.
func EvaluateAll(role *Role, rs []*verifier.Result) (*Verdict, error) {
	if len(rs) == 0 || slices.Contains(rs, nil) {
		return nil, fmt.Errorf("%w: no verification result", ErrNotJudged)
	}
	at := rs[0].VerifiedAt.In(london)
	holder := rs[0].Holder
	type entry struct {
		cr   *verifier.Result
		gate string
	}
	var entries []entry
	for _, r := range rs {
		if r.Kind != verifier.KindPresentation {
			return nil, fmt.Errorf("%w: a credential on its own shows nothing of who holds it; judge the Result of a presentation its holder signed", ErrNotJudged)
		}
		if r.Holder != holder {
			return nil, fmt.Errorf("%w: presentations by %s and by %s: a role is judged for one holder", ErrNotJudged, orNone(holder), orNone(r.Holder))
		}
		gate := ""
		for _, name := range []string{verifier.CheckSyntax, verifier.CheckContexts, verifier.CheckProof, verifier.CheckVerificationMethod,
			verifier.CheckChallenge, verifier.CheckDomain, verifier.CheckFreshness} {
			if c := r.Check(name); c == nil || c.Status != verifier.Passed {
				reason := "not run"
				if c != nil {
					reason = c.Reason
				}
				gate = fmt.Sprintf("the presentation did not verify (%s: %s), so none of its credentials counts", name, reason)
				break
			}
		}
		for _, cr := range r.Credentials {
			entries = append(entries, entry{cr, gate})
		}
	}
	var usable []*vc.Credential
	sources := make(map[string]*Source)
	var aside []setAside
	for i, e := range entries {
		cr := e.cr
		src := &Source{Index: i + 1, ID: cr.ID, Issuer: cr.Issuer, Verified: cr.Verified, Type: mainType(cr.Types)}
		why := ""
		cred := cr.Credential
		switch {
		case e.gate != "":
			why = e.gate
		case !cr.Verified:
			why = "it did not verify: " + strings.TrimPrefix(cr.Summary(), src.Type+": ")
		case holder == "" || !slices.Contains(cr.Subjects, holder):
			why = "it is not about the presentation's holder"
		case cred == nil && cr.SDJWTClaims != nil:
			var err error
			if cred, err = staff.CredentialFromSDJWT(cr.SDJWTClaims, cr.Withheld, cr.Issuer, holder, stampOrNone(cr.ValidFrom), stampOrNone(cr.ValidUntil)); err != nil {
				why = "what it discloses is not a staff credential: " + err.Error()
			}
		case cred == nil:
			why = "it is a " + cr.Format + " credential, which role verdicts do not read"
		}
		if why != "" {
			aside = append(aside, setAside{src, why})
			continue
		}
		// The staff evaluation names a credential by its id: one without
		// is given its place in the presentation.
		c := *cred
		if c.ID == "" {
			c.ID = fmt.Sprintf("urn:staffpass:presented:%d", i+1)
		}
		usable = append(usable, &c)
		sources[c.ID] = src
	}
	res, err := staff.Evaluate(role, usable, at)
	if res == nil {
		return nil, fmt.Errorf("%w: %w", ErrNotJudged, err)
	}
	v := &Verdict{Role: res.Role, Title: res.Title, Holder: holder, Date: res.Date.String(), Met: res.Met()}
	for _, q := range res.Requirements {
		out := Requirement{Name: q.Requirement, Outcome: q.Outcome, Reason: q.Reason, Source: sources[q.Credential]}
		if q.Outcome == Missing {
			// A credential of the kind was presented but set aside: say so.
			typ := requirementType(q.Requirement)
			for _, s := range aside {
				if s.src.Type == typ {
					out.Reason = fmt.Sprintf("the %s presented (credential %d) does not count: %s", typ, s.src.Index, s.why)
					out.Source = s.src
					break
				}
			}
		}
		v.Requirements = append(v.Requirements, out)
	}
	if !v.Met {
		var unmet []string
		for _, q := range v.Requirements {
			if q.Outcome != Met && q.Outcome != Due {
				unmet = append(unmet, q.Name+" ("+string(q.Outcome)+")")
			}
		}
		return v, fmt.Errorf("%w: %s", ErrNotMet, strings.Join(unmet, ", "))
	}
	return v, nil
}

type setAside struct {
	src *Source
	why string
}

// mainType is the most specific of a credential's types: the last that is
// not VerifiableCredential (for a staff SD-JWT VC, the type its vct names).
func mainType(types []string) string {
	for i := len(types) - 1; i >= 0; i-- {
		if types[i] != vc.TypeCredential {
			return strings.TrimPrefix(types[i], staff.VCTPrefix)
		}
	}
	return vc.TypeCredential
}

func stampOrNone(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func orNone(s string) string {
	if s == "" {
		return "no holder"
	}
	return s
}
