package staff

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/staffpass/staffpass/vc"
)

// Outcome is how one requirement of a role fared.
type Outcome string

// Requirement outcomes.
const (
	// OutcomeMet: a credential meets the requirement.
	OutcomeMet Outcome = "met"
	// OutcomeDue: a credential meets the requirement, but what it rests on
	// runs out within the role's dueWithinDays (the credential's validity,
	// the training's refresh, the permission to work, the registration's
	// renewal, the clearance's review, the DBS check's accepted age). It
	// counts as met.
	OutcomeDue Outcome = "due"
	// OutcomeMissing: no credential of the kind needed was presented.
	OutcomeMissing Outcome = "missing"
	// OutcomeExpired: the credential was good once but has run out: its
	// validity period, the training's refresh period, the permission to
	// work, the registration's renewal date, the review date.
	OutcomeExpired Outcome = "expired"
	// OutcomeInsufficient: the credential says less than the role needs
	// (a lower DBS level, another regulator, a lower training level), or
	// is not a valid staff credential.
	OutcomeInsufficient Outcome = "insufficient"
)

// Sentinels of Evaluate.
var (
	// ErrNotMet: at least one requirement of the role is not met; the
	// RoleResult says which and why.
	ErrNotMet = errors.New("staff: role requirements not met")
	// ErrMixedSubjects: the credentials are about more than one person.
	ErrMixedSubjects = errors.New("staff: credentials about more than one subject")
)

// RequirementResult is the outcome of one requirement.
type RequirementResult struct {
	// Requirement names it: "identity-check", "right-to-work",
	// "dbs-check", "professional-registration",
	// "occupational-health-clearance", or "mandatory-training/<subject>"
	// for each training subject.
	Requirement string  `json:"requirement"`
	Outcome     Outcome `json:"outcome"`
	// Reason says why, for a person.
	Reason string `json:"reason"`
	// Credential is the id of the credential the outcome rests on, if any.
	Credential string `json:"credential,omitempty"`
}

// RoleResult is the outcome of every requirement of a role on a date.
type RoleResult struct {
	Role  string `json:"role"`
	Title string `json:"title"`
	// Subject is the DID the credentials are about.
	Subject      string              `json:"subject,omitempty"`
	Date         Date                `json:"date"`
	Requirements []RequirementResult `json:"requirements"`
}

// Met reports whether every requirement is met (or due).
func (r *RoleResult) Met() bool {
	for _, q := range r.Requirements {
		if q.Outcome != OutcomeMet && q.Outcome != OutcomeDue {
			return false
		}
	}
	return len(r.Requirements) > 0
}

// Evaluate judges credentials against role on the date of at (at's
// calendar date in at's location: pass a time in Europe/London). The
// credentials must already be verified by the caller (proof, issuer trust,
// status); Evaluate reads each with FromCredential, ignores credentials of
// other types, and checks validity periods again.
//
// It returns the outcome of every requirement, and an error wrapping
// ErrNotMet exactly when one is not met. It fails without a result for an
// invalid role (*ValidationError) or for credentials about more than one
// subject (ErrMixedSubjects).
func Evaluate(role *Role, creds []*vc.Credential, at time.Time) (*RoleResult, error) {
	if role == nil {
		return nil, invalid("", ErrMissing, "no role")
	}
	if err := role.Validate(); err != nil {
		return nil, err
	}
	on := DateOf(at)
	if on.IsZero() || at.Year() < 1 || at.Year() > 9999 {
		return nil, fmt.Errorf("%w: no date to judge the role on", ErrMissing)
	}
	e := &evaluation{at: at, on: on, due: role.DueWithinDays, byType: make(map[string][]*candidate)}
	if err := e.read(creds); err != nil {
		return nil, err
	}
	q := role.Requirements
	res := &RoleResult{Role: role.ID, Title: role.Title, Subject: e.subject, Date: on}
	if q.IdentityCheck != nil {
		res.Requirements = append(res.Requirements, e.judge("identity-check", TypeIdentityCheck, func(c Claims) (Outcome, string, ending) {
			o, why := identityOutcome(q.IdentityCheck, c.(*IdentityCheck))
			return o, why, ending{}
		}))
	}
	if q.RightToWork != nil {
		res.Requirements = append(res.Requirements, e.judge("right-to-work", TypeRightToWork, func(c Claims) (Outcome, string, ending) {
			rtw := c.(*RightToWork)
			o, why := rightToWorkOutcome(q.RightToWork, rtw, on)
			if rtw.Status == RightToWorkUnlimited {
				return o, why, ending{}
			}
			end := ending{rtw.PermissionExpiryDate, "the permission to work ends"}
			if rtw.FollowUpDate.Before(end.on) {
				end = ending{rtw.FollowUpDate, "the follow-up right to work check is due"}
			}
			return o, why, end
		}))
	}
	if q.DBSCheck != nil {
		res.Requirements = append(res.Requirements, e.judge("dbs-check", TypeDBSCheck, func(c Claims) (Outcome, string, ending) {
			d := c.(*DBSCheck)
			o, why := dbsOutcome(q.DBSCheck, d, on)
			if q.DBSCheck.MaxAgeDays == 0 {
				return o, why, ending{}
			}
			last := d.CertificateIssueDate
			if d.UpdateServiceSubscribed && d.UpdateServiceCheckDate.After(last) {
				last = d.UpdateServiceCheckDate
			}
			return o, why, ending{last.AddDays(q.DBSCheck.MaxAgeDays), "the DBS check passes the age this role accepts"}
		}))
	}
	if q.ProfessionalRegistration != nil {
		res.Requirements = append(res.Requirements, e.judge("professional-registration", TypeProfessionalRegistration, func(c Claims) (Outcome, string, ending) {
			g := c.(*ProfessionalRegistration)
			o, why := registrationOutcome(q.ProfessionalRegistration, g, on)
			return o, why, ending{g.RenewalDate, "the registration is due for renewal or revalidation"}
		}))
	}
	if q.MandatoryTraining != nil {
		res.Requirements = append(res.Requirements, e.training(q.MandatoryTraining)...)
	}
	if q.OccupationalHealth != nil {
		res.Requirements = append(res.Requirements, e.judge("occupational-health-clearance", TypeOccupationalHealthClearance, func(c Claims) (Outcome, string, ending) {
			h := c.(*OccupationalHealthClearance)
			o, why := occupationalHealthOutcome(q.OccupationalHealth, h, on)
			return o, why, ending{h.ReviewDate, "the clearance is due for review"}
		}))
	}
	var unmet []string
	for _, r := range res.Requirements {
		if r.Outcome != OutcomeMet && r.Outcome != OutcomeDue {
			unmet = append(unmet, r.Requirement+" ("+string(r.Outcome)+")")
		}
	}
	if len(unmet) > 0 {
		return res, fmt.Errorf("%w: %s", ErrNotMet, strings.Join(unmet, ", "))
	}
	return res, nil
}

// candidate is one presented staff credential.
type candidate struct {
	id     string
	claims Claims // nil when err is set
	err    error
	until  Date // the last day of its validity period, zero for none
	// outcome and reason are set when the credential itself is out of
	// its validity period.
	outcome Outcome
	reason  string
}

type evaluation struct {
	at      time.Time
	on      Date
	due     int // the role's dueWithinDays
	subject string
	byType  map[string][]*candidate
}

// read sorts the staff credentials by type, reading each.
func (e *evaluation) read(creds []*vc.Credential) error {
	for _, c := range creds {
		if c == nil {
			continue
		}
		typ := ""
		for _, t := range c.Type.Items {
			if newClaims(t) != nil {
				typ = t
				break
			}
		}
		if typ == "" {
			continue
		}
		for _, s := range c.SubjectIDs() {
			if e.subject == "" {
				e.subject = s
			} else if s != e.subject {
				return fmt.Errorf("%w: %s and %s", ErrMixedSubjects, e.subject, s)
			}
		}
		cand := &candidate{id: c.ID}
		cand.claims, cand.err = FromCredential(c)
		from, until, err := c.ValidityPeriod()
		switch {
		case err != nil:
			cand.outcome, cand.reason = OutcomeInsufficient, "the credential's validity period cannot be read: "+err.Error()
		case !until.IsZero() && e.at.After(until):
			cand.outcome, cand.reason = OutcomeExpired, "the credential stopped being valid on "+humanTime(until)
		case !from.IsZero() && e.at.Before(from):
			cand.outcome, cand.reason = OutcomeInsufficient, "the credential is not valid until "+humanTime(from)
		}
		if !until.IsZero() {
			cand.until = DateOf(until)
		}
		e.byType[typ] = append(e.byType[typ], cand)
	}
	return nil
}

// kindName names the credential types for people.
var kindName = map[string]string{
	TypeIdentityCheck:               "identity check",
	TypeRightToWork:                 "right to work check",
	TypeDBSCheck:                    "DBS check",
	TypeMandatoryTraining:           "mandatory training",
	TypeProfessionalRegistration:    "professional registration",
	TypeOccupationalHealthClearance: "occupational health clearance",
	TypeEmployment:                  "employment",
	TypeEmploymentHistory:           "employment history",
}

// usable returns the outcome of a candidate that cannot be judged on its
// claims (invalid, or outside its validity period).
func (e *evaluation) usable(c *candidate, typ string) (Outcome, string, bool) {
	if c.err != nil {
		return OutcomeInsufficient, "the " + kindName[typ] + " credential is not a valid staff credential: " + firstProblem(c.err), false
	}
	if c.outcome != "" {
		return c.outcome, "the " + kindName[typ] + " credential: " + c.reason, false
	}
	return "", "", true
}

func firstProblem(err error) string {
	var ve *ValidationError
	if errors.As(err, &ve) && len(ve.Problems) > 0 {
		return ve.Problems[0].Error()
	}
	return err.Error()
}

// ending is when what a requirement rests on runs out, and what it is.
type ending struct {
	on   Date
	what string
}

// dueBy turns a met outcome into OutcomeDue when end, or the credential's
// own validity, runs out within the role's dueWithinDays.
func (e *evaluation) dueBy(r *RequirementResult, c *candidate, end ending) {
	if r.Outcome != OutcomeMet || e.due <= 0 {
		return
	}
	if !c.until.IsZero() && (end.on.IsZero() || c.until.Before(end.on)) {
		end = ending{c.until, "the credential stops being valid"}
	}
	if end.on.IsZero() {
		return
	}
	if left := e.on.DaysUntil(end.on); left <= e.due {
		r.Outcome = OutcomeDue
		r.Reason += fmt.Sprintf("; due: %s on %s, in %d days", end.what, human(end.on), left)
	}
}

// judge picks, among the credentials of type typ, the first that meets the
// requirement; failing that, the first expired one (renewing it would do);
// failing that, the first.
func (e *evaluation) judge(name, typ string, f func(Claims) (Outcome, string, ending)) RequirementResult {
	cands := e.byType[typ]
	if len(cands) == 0 {
		return RequirementResult{Requirement: name, Outcome: OutcomeMissing, Reason: "no " + kindName[typ] + " credential was presented"}
	}
	var best *RequirementResult
	for _, c := range cands {
		o, why, ok := e.usable(c, typ)
		var end ending
		if ok {
			o, why, end = f(c.claims)
		}
		r := RequirementResult{Requirement: name, Outcome: o, Reason: why, Credential: c.id}
		if o == OutcomeMet {
			e.dueBy(&r, c, end)
			return r
		}
		if best == nil || (o == OutcomeExpired && best.Outcome != OutcomeExpired) {
			best = &r
		}
	}
	return *best
}

func identityOutcome(q *IdentityRequirement, c *IdentityCheck) (Outcome, string) {
	how := "in person"
	if c.Method == CheckIdentityProvider {
		how = "by " + c.IdentityProvider
	}
	if q.MinConfidenceLevel != "" {
		switch {
		case c.ConfidenceLevel == "":
			return OutcomeInsufficient, fmt.Sprintf("the identity check (%s) states no GPG 45 level of confidence; the role needs %s or higher", how, q.MinConfidenceLevel)
		case c.ConfidenceLevel.rank() < q.MinConfidenceLevel.rank():
			return OutcomeInsufficient, fmt.Sprintf("the identity check reached GPG 45 confidence %s; the role needs %s or higher", c.ConfidenceLevel, q.MinConfidenceLevel)
		}
	}
	return OutcomeMet, fmt.Sprintf("identity checked %s by %s on %s", how, c.CheckedBy, human(c.CheckDate))
}

func rightToWorkOutcome(q *RightToWorkRequirement, c *RightToWork, on Date) (Outcome, string) {
	if c.Status == RightToWorkUnlimited {
		return OutcomeMet, "unlimited right to work, checked on " + human(c.CheckDate)
	}
	if q.UnlimitedOnly {
		return OutcomeInsufficient, fmt.Sprintf("the right to work is time-limited (permission ends on %s); the role needs an unlimited right to work", human(c.PermissionExpiryDate))
	}
	if on.After(c.PermissionExpiryDate) {
		return OutcomeExpired, "permission to work ended on " + human(c.PermissionExpiryDate)
	}
	if on.After(c.FollowUpDate) {
		return OutcomeExpired, fmt.Sprintf("the follow-up right to work check was due by %s; a credential from a later check is needed", human(c.FollowUpDate))
	}
	if left := on.DaysUntil(c.PermissionExpiryDate); left < q.NotExpiringWithinDays {
		return OutcomeInsufficient, fmt.Sprintf("permission to work ends on %s, in %d days; the role needs at least %d days", human(c.PermissionExpiryDate), left, q.NotExpiringWithinDays)
	}
	why := fmt.Sprintf("time-limited right to work until %s (follow-up check due by %s)", human(c.PermissionExpiryDate), human(c.FollowUpDate))
	var limits []string
	if c.MaxHoursPerWeek > 0 {
		limits = append(limits, fmt.Sprintf("at most %d hours a week", c.MaxHoursPerWeek))
	}
	limits = append(limits, c.WorkRestrictions...)
	if len(limits) > 0 {
		why += "; restrictions: " + strings.Join(limits, "; ")
	}
	return OutcomeMet, why
}

var (
	dbsLevelName  = map[DBSLevel]string{DBSBasic: "basic", DBSStandard: "standard", DBSEnhanced: "enhanced", DBSEnhancedWithBarredLists: "enhanced with barred lists"}
	workforceName = map[Workforce]string{WorkforceAdult: "adult", WorkforceChild: "child", WorkforceAdultAndChild: "adult and child", WorkforceOther: "other"}
	listName      = map[BarredList]string{BarredListAdults: "adults'", BarredListChildren: "children's"}
)

func dbsOutcome(q *DBSRequirement, c *DBSCheck, on Date) (Outcome, string) {
	if c.Level.rank() < q.MinLevel.rank() {
		return OutcomeInsufficient, fmt.Sprintf("the DBS check is %s; the role needs %s", dbsLevelName[c.Level], dbsLevelName[q.MinLevel])
	}
	if q.Workforce != "" && !c.Workforce.covers(q.Workforce) {
		got := "no"
		if c.Workforce != "" {
			got = "the " + workforceName[c.Workforce]
		}
		return OutcomeInsufficient, fmt.Sprintf("the DBS check is for %s workforce; the role needs the %s workforce", got, workforceName[q.Workforce])
	}
	var missing []string
	for _, l := range q.BarredLists {
		if !slices.Contains(c.BarredListsChecked, l) {
			missing = append(missing, "the "+listName[l]+" barred list")
		}
	}
	if len(missing) > 0 {
		return OutcomeInsufficient, "the DBS check did not include " + strings.Join(missing, " or ")
	}
	last, how := c.CertificateIssueDate, "the certificate was issued on "+human(c.CertificateIssueDate)
	if c.UpdateServiceSubscribed && c.UpdateServiceCheckDate.After(last) {
		last, how = c.UpdateServiceCheckDate, "the certificate's Update Service status was last checked on "+human(c.UpdateServiceCheckDate)
	}
	if age := last.DaysUntil(on); q.MaxAgeDays > 0 && age > q.MaxAgeDays {
		return OutcomeExpired, fmt.Sprintf("%s, %d days ago; the role accepts at most %d days", how, age, q.MaxAgeDays)
	}
	why := fmt.Sprintf("%s DBS check", dbsLevelName[c.Level])
	if c.Workforce != "" {
		why += ", " + workforceName[c.Workforce] + " workforce"
	}
	return OutcomeMet, why + "; " + how
}

func registrationOutcome(q *RegistrationRequirement, c *ProfessionalRegistration, on Date) (Outcome, string) {
	if !slices.Contains(q.Regulators, c.Regulator) {
		return OutcomeInsufficient, fmt.Sprintf("the registration is with the %s; the role needs %s", c.Regulator, joinOr(q.Regulators))
	}
	switch c.Status {
	case Registered:
	case Lapsed:
		return OutcomeExpired, fmt.Sprintf("the %s registration had lapsed when checked on %s", c.Regulator, human(c.CheckDate))
	default:
		return OutcomeInsufficient, fmt.Sprintf("the %s registration was %s when checked on %s", c.Regulator, c.Status, human(c.CheckDate))
	}
	if on.After(c.RenewalDate) {
		return OutcomeExpired, fmt.Sprintf("the %s registration was due for renewal or revalidation on %s, after this check; a credential from a later check is needed", c.Regulator, human(c.RenewalDate))
	}
	if len(c.Conditions) > 0 && !q.AllowConditions {
		return OutcomeInsufficient, fmt.Sprintf("the %s registration has conditions or undertakings; the role does not accept them", c.Regulator)
	}
	return OutcomeMet, fmt.Sprintf("%s %s, %s, registered until %s (checked on %s)", c.Regulator, c.RegistrationNumber, c.RegisterName, human(c.RenewalDate), human(c.CheckDate))
}

func joinOr[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = "the " + string(v)
	}
	return strings.Join(s, " or ")
}

func occupationalHealthOutcome(q *OccupationalHealthRequirement, c *OccupationalHealthClearance, on Date) (Outcome, string) {
	if !c.ReviewDate.IsZero() && on.After(c.ReviewDate) {
		return OutcomeExpired, "the clearance was due for review on " + human(c.ReviewDate)
	}
	var missing []string
	if q.EPPCleared && !c.EPPCleared {
		missing = append(missing, "exposure-prone procedures")
	}
	for _, g := range q.Immunisations {
		if !slices.ContainsFunc(c.Immunisations, func(i ImmunisationClearance) bool { return i.Group == g && i.Cleared }) {
			missing = append(missing, string(g))
		}
	}
	if len(missing) > 0 {
		return OutcomeInsufficient, "not cleared for " + strings.Join(missing, ", ")
	}
	why := "fit for work"
	if c.Outcome == FitWithAdjustments {
		why = "fit for work with adjustments"
	}
	return OutcomeMet, fmt.Sprintf("%s (assessed on %s)", why, human(c.CheckDate))
}

// training judges each subject the role needs against the records of
// every usable training credential.
func (e *evaluation) training(q *TrainingRequirement) []RequirementResult {
	type held struct {
		rec TrainingRecord
		id  string
		c   *candidate
	}
	var records []held
	var unusable []RequirementResult
	for _, c := range e.byType[TypeMandatoryTraining] {
		if o, why, ok := e.usable(c, TypeMandatoryTraining); !ok {
			unusable = append(unusable, RequirementResult{Outcome: o, Reason: why, Credential: c.id})
			continue
		}
		for _, r := range c.claims.(*MandatoryTraining).Records {
			records = append(records, held{r, c.id, c})
		}
	}
	periods := WithOverrides(DefaultRefreshPeriods(), q.RefreshPeriods)
	dueDays := q.DueWithinDays
	if dueDays == 0 {
		dueDays = e.due
	}
	out := make([]RequirementResult, 0, len(q.Subjects))
	for _, need := range q.Subjects {
		name := "mandatory-training/" + string(need.Subject)
		title := need.Subject.Title()
		var best *SubjectCurrency
		var bestID string
		var bestCand *candidate
		lower := 0
		for _, h := range records {
			if h.rec.Subject != need.Subject {
				continue
			}
			if h.rec.Level < need.Level {
				lower = max(lower, h.rec.Level)
				continue
			}
			cur, err := TrainingCurrency([]TrainingRecord{h.rec}, periods, e.on, dueDays)
			if err != nil || len(cur) != 1 {
				continue
			}
			if best == nil || cur[0].DueDate.After(best.DueDate) {
				best, bestID, bestCand = &cur[0], h.id, h.c
			}
		}
		r := RequirementResult{Requirement: name, Credential: bestID}
		switch {
		case best != nil && best.Status == CurrencyExpired:
			r.Outcome, r.Reason = OutcomeExpired, fmt.Sprintf("%s (level %d) completed on %s expired on %s", title, best.Level, human(best.CompletionDate), human(best.DueDate))
		case best != nil && best.Status == CurrencyDue:
			r.Outcome, r.Reason = OutcomeDue, fmt.Sprintf("%s (level %d) completed on %s is current but due for refresh by %s, in %d days", title, best.Level, human(best.CompletionDate), human(best.DueDate), best.DaysLeft)
		case best != nil:
			r.Outcome, r.Reason = OutcomeMet, fmt.Sprintf("%s (level %d) completed on %s is current until %s", title, best.Level, human(best.CompletionDate), human(best.DueDate))
			e.dueBy(&r, bestCand, ending{})
		case lower > 0:
			r.Outcome, r.Reason = OutcomeInsufficient, fmt.Sprintf("%s is recorded at level %d; the role needs level %d", title, lower, need.Level)
		case len(unusable) > 0:
			r.Outcome, r.Reason, r.Credential = unusable[0].Outcome, unusable[0].Reason, unusable[0].Credential
		case len(e.byType[TypeMandatoryTraining]) == 0:
			r.Outcome, r.Reason = OutcomeMissing, "no mandatory training credential was presented"
		default:
			r.Outcome, r.Reason = OutcomeMissing, fmt.Sprintf("no record of %s in the mandatory training presented", title)
		}
		out = append(out, r)
	}
	return out
}

// human writes a date for people: "3 March 2025".
func human(d Date) string {
	if d.IsZero() {
		return "no date"
	}
	return d.Time().Format("2 January 2006")
}

func humanTime(t time.Time) string { return human(DateOf(t)) }
