package verifier

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/vc"
)

// The checks a Result can hold. A credential's Result holds CheckSyntax,
// CheckContexts, CheckSchema, CheckProof, CheckVerificationMethod,
// CheckIssuerTrust, CheckValidityPeriod and CheckStatus, in that order; a
// presentation's CheckSyntax, CheckContexts, CheckProof,
// CheckVerificationMethod, CheckChallenge, CheckDomain, CheckFreshness,
// CheckHolderBinding and CheckCredentials, and a Result of its own for each
// credential in it. A check that could not run, because one it depends on
// failed, is skipped, and says why.
const (
	// CheckSyntax: the input is a well-formed credential or presentation
	// (strict JSON, every VC Data Model rule that needs no signature) in a
	// supported format.
	CheckSyntax = "syntax"
	// CheckContexts: every JSON-LD context it names is one the verifier
	// holds, byte for byte as the accepted trust bundles pin it.
	CheckContexts = "contexts"
	// CheckSchema: the credential matches each JSON Schema its
	// credentialSchema names (the embedded staffpass schemas, or those
	// given in the Trust), with the digest it and the bundles give.
	CheckSchema = "schema"
	// CheckProof: the signature (a Data Integrity proof or a JWS) verifies,
	// its securing mechanism is allowed, and, for an -rdfc- proof, what the
	// JSON shows is what was signed.
	CheckProof = "proof"
	// CheckVerificationMethod: the key is the issuer's (the holder's),
	// listed under assertionMethod (authentication) in its DID document
	// or the trust bundle's copy; a retired key signed before it was
	// retired, and no key is one a bundle marks compromised.
	CheckVerificationMethod = "verification-method"
	// CheckIssuerTrust: the issuer is trusted for every type the
	// credential has, by an accepted trust bundle or directly.
	CheckIssuerTrust = "issuer-trust"
	// CheckValidityPeriod: the credential (and its proof's and JWT's time
	// limits) is valid at the verification time, give or take the clock
	// skew.
	CheckValidityPeriod = "validity-period"
	// CheckStatus: no status entry says the credential is revoked or
	// suspended, each checked against its issuer's status list credential
	// as the verifier holds it; the reason says how old that is.
	CheckStatus = "status"
	// CheckChallenge: the presentation answers the policy's challenge
	// (the proof's challenge, the JWT's nonce).
	CheckChallenge = "challenge"
	// CheckDomain: the presentation is meant for the policy's domain (the
	// proof's domain, the JWT's aud).
	CheckDomain = "domain"
	// CheckFreshness: the presentation was made recently (within the
	// policy's MaxPresentationAge) and has not expired.
	CheckFreshness = "freshness"
	// CheckHolderBinding: the presentation's holder, whose key signed it,
	// is a subject of every credential in it.
	CheckHolderBinding = "holder-binding"
	// CheckCredentials: every credential in the presentation verified.
	CheckCredentials = "credentials"
)

var (
	credentialChecks = []string{CheckSyntax, CheckContexts, CheckSchema, CheckProof, CheckVerificationMethod,
		CheckIssuerTrust, CheckValidityPeriod, CheckStatus}
	presentationChecks = []string{CheckSyntax, CheckContexts, CheckProof, CheckVerificationMethod,
		CheckChallenge, CheckDomain, CheckFreshness, CheckHolderBinding, CheckCredentials}
)

// ResultMediaType and ResultVersion name the JSON form of a Result: a
// report other tools can read. A new version is a new number; within a
// version, members are only ever added.
const (
	ResultMediaType = "application/vnd.staffpass.verification-result+json"
	ResultVersion   = 1
)

// The kinds of document a Result is about.
const (
	KindCredential   = "credential"
	KindPresentation = "presentation"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Check is the outcome of one check, with the reason a person can read.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Reason says why the check failed or was skipped, or what it found
	// when it passed.
	Reason string `json:"reason,omitempty"`
	// Err is the error behind a failed check; errors.Is works on it.
	Err error `json:"-"`
}

// Result is the outcome of verifying one credential or presentation: every
// check with its status and reason, and what was learnt about the document.
// Its JSON form (ResultMediaType, ResultVersion) is the report "staffpass
// verify --output json" prints; its shape is documented in the package doc
// and fixed by golden files.
type Result struct {
	// MediaType and Version are ResultMediaType and ResultVersion on a
	// Result Verify returns (empty on the Results of the credentials in
	// a presentation).
	MediaType string `json:"mediaType,omitempty"`
	Version   int    `json:"version,omitempty"`
	// Verified is true exactly when every check passed.
	Verified bool `json:"verified"`
	// Kind is KindCredential or KindPresentation.
	Kind string `json:"kind"`
	// Format is the securing mechanism: "vc+jwt", "vp+jwt", "vc-jwt-1.1"
	// and "vp-jwt-1.1" (VCDM 1.1 JWTs), "data-integrity/<cryptosuite>",
	// "dc+sd-jwt" (an SD-JWT VC) and "dc+sd-jwt+kb" (one presented with a
	// Key Binding JWT), or "none".
	Format string `json:"format,omitempty"`
	// ID, Types and, for a credential, Issuer and Subjects, or, for a
	// presentation, Holder, are read from the document; trust them only
	// when Verified is true.
	ID       string   `json:"id,omitempty"`
	Types    []string `json:"types,omitempty"`
	Issuer   string   `json:"issuer,omitempty"`
	Subjects []string `json:"subjects,omitempty"`
	Holder   string   `json:"holder,omitempty"`
	// ValidFrom and ValidUntil are a credential's validity period as the
	// checks judge it: the latest start and earliest end it states, in
	// VCDM 2.0 or 1.1 terms; zero when absent.
	ValidFrom  time.Time `json:"validFrom,omitzero"`
	ValidUntil time.Time `json:"validUntil,omitzero"`
	// StatusAsOf is when the oldest status list the status check read was
	// fetched; zero when none was read.
	StatusAsOf time.Time `json:"statusAsOf,omitzero"`
	// VerifiedAt is the time the checks were made against.
	VerifiedAt time.Time `json:"verifiedAt"`
	Checks     []Check   `json:"checks"`
	// Credentials are the Results of the credentials in a presentation,
	// in order.
	Credentials []*Result `json:"credentials,omitempty"`
	// Warnings are what a reader of the Result must know besides the
	// checks: ConformanceWarning when the verifier runs for a test
	// harness.
	Warnings []string `json:"warnings,omitempty"`

	// Disclosed are, for an SD-JWT VC, the claims its holder chose to
	// disclose (JSON Pointers into its claims).
	Disclosed []string `json:"disclosed,omitempty"`
	// Withheld counts, for an SD-JWT VC, the claims its holder kept back,
	// by the JSON Pointer of the object (or array) they belong to ("" is
	// the credential itself).
	Withheld map[string]int `json:"withheld,omitempty"`
	// SDJWTClaims are an SD-JWT VC's claims as disclosed: the payload with
	// the Disclosures in place of their digests. Treat them as verified
	// only when Verified is true.
	SDJWTClaims map[string]any `json:"-"`
	// Credential is the parsed credential, and Presentation the parsed
	// presentation, nil if it did not parse (and for an SD-JWT VC, which is
	// not a VC Data Model document: see SDJWTClaims). Treat what they say as
	// verified only when Verified is true.
	Credential   *vc.Credential   `json:"-"`
	Presentation *vc.Presentation `json:"-"`

	// jwt is the verified token of a JWT; proofExpires the earliest
	// expires of Data Integrity proofs: time limits a status list's
	// securing adds to its validity, judged at each use.
	jwt                        *jose.Verified
	proofCreated, proofExpires time.Time
	// keys are the verification methods the signature was checked with.
	keys *keyLog
}

// newResult returns a Result of kind whose checks are all still to run.
func newResult(kind string, now time.Time) *Result {
	names := credentialChecks
	if kind == KindPresentation {
		names = presentationChecks
	}
	r := &Result{Kind: kind, VerifiedAt: now.UTC(), Checks: make([]Check, len(names))}
	for i, n := range names {
		r.Checks[i] = Check{Name: n}
	}
	return r
}

// warn adds a warning to r and the Results of its credentials.
func (r *Result) warn(w string) {
	r.Warnings = append(r.Warnings, w)
	for _, c := range r.Credentials {
		c.warn(w)
	}
}

// Check returns the check named name, or nil.
func (r *Result) Check(name string) *Check {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			return &r.Checks[i]
		}
	}
	return nil
}

// Err returns nil when every check passed, and otherwise an error joining
// the errors of the failed checks (for a presentation, also those of the
// credentials in it), so errors.Is(err, ErrExpired) and the like work on it.
func (r *Result) Err() error {
	var errs []error
	for _, c := range r.Checks {
		if c.Status == Failed {
			errs = append(errs, c.Err)
		}
	}
	return errors.Join(errs...)
}

// passed reports whether the check named name passed.
func (r *Result) passed(name string) bool {
	c := r.Check(name)
	return c != nil && c.Status == Passed
}

func (r *Result) set(name string, st Status, reason string, err error) {
	c := r.Check(name)
	if c == nil {
		panic("verifier: no check " + name) // a bug: every name is in the lists above
	}
	c.Status, c.Reason, c.Err = st, reason, err
}

func (r *Result) pass(name, reason string) { r.set(name, Passed, reason, nil) }

func (r *Result) fail(name string, err error) { r.set(name, Failed, reasonOf(err), err) }

// reasonOf is an error's text for people: without this package's prefix.
func reasonOf(err error) string {
	return strings.ReplaceAll(err.Error(), "verifier: ", "")
}

func (r *Result) skip(name, reason string) { r.set(name, Skipped, reason, nil) }

// record sets a check's outcome: passed with reason when err is nil.
func (r *Result) record(name string, err error, reason string) {
	if err != nil {
		r.fail(name, err)
		return
	}
	r.pass(name, reason)
}

// skipRest marks every check that has not run as skipped, for reason.
func (r *Result) skipRest(reason string) {
	for i := range r.Checks {
		if r.Checks[i].Status == "" {
			r.Checks[i].Status, r.Checks[i].Reason = Skipped, reason
		}
	}
}

// finish sets Verified and returns the Result's error.
func (r *Result) finish() error {
	r.skipRest("not run")
	err := r.Err()
	r.Verified = err == nil
	for _, c := range r.Checks {
		if c.Status != Passed {
			r.Verified = false
		}
	}
	if !r.Verified && err == nil {
		err = ErrNotVerified
	}
	return err
}

// Summary is one line saying what was verified and, when it was not, why:
// the first failed check of the Result (or of the first credential in a
// presentation that did not verify).
func (r *Result) Summary() string {
	what := r.Kind
	if r.Kind == KindCredential && len(r.Types) > 0 {
		what = r.Types[len(r.Types)-1]
	}
	if r.Verified {
		return what + ": verified"
	}
	for _, c := range r.Checks {
		if c.Status == Failed {
			if c.Name == CheckCredentials {
				for i, cr := range r.Credentials {
					if !cr.Verified {
						return fmt.Sprintf("%s: credential %d, %s", what, i+1, cr.Summary())
					}
				}
			}
			return fmt.Sprintf("%s: %s failed: %s", what, c.Name, c.Reason)
		}
	}
	return what + ": not verified"
}

// quoteTypes names strings from a document (types, member names) for a
// message: each quoted and cut short, at most eight of them.
func quoteTypes(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	const maxNames, maxLen = 8, 64
	var q []string
	for i, n := range names {
		if i == maxNames {
			q = append(q, fmt.Sprintf("%d more", len(names)-maxNames))
			break
		}
		if len(n) > maxLen {
			n = n[:maxLen] + "…"
		}
		q = append(q, fmt.Sprintf("%q", n))
	}
	return strings.Join(q, " and ")
}
