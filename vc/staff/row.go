package staff

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/limits"
)

// Errors of the CSV row mapping, beside the rule kinds (ErrMissing,
// ErrFormat, ErrFuture, ...) that a row's cells can break.
var (
	// ErrColumn: a column is not one of the credential type's, one the
	// type requires is missing, or one is named twice.
	ErrColumn = errors.New("staff: unknown, missing or repeated column")

	// ErrNoRowMapping: the credential type has no CSV row mapping
	// (EmploymentHistoryCredential lists several employments, which do not
	// fit one row), or is not a staff credential type.
	ErrNoRowMapping = errors.New("staff: no CSV row mapping for this credential type")

	// ErrCSV: the file is not CSV that ReadCSV reads: not UTF-8, broken
	// quoting, rows with more or fewer cells than the header, or over a
	// limit of internal/limits.
	ErrCSV = errors.New("staff: not a CSV file staffpass can read")
)

// Column is one column of a CSV file of staff credentials of one type (see
// RowColumns). Column names are the JSON names of the claims in lower-case
// snake_case (checkDate is check_date), with a few documented exceptions
// for raw identifiers and repeated groups.
type Column struct {
	// Name is the column's name in the header row.
	Name string
	// Required: the header must have this column. Other columns may be
	// left out. Which cells may be empty is for the credential's rules
	// to say.
	Required bool
	// Identifier: the column holds a raw identifier (a document number,
	// a share code, a DBS certificate number) that goes into the
	// credential only as a SaltedHash and is never written anywhere else,
	// error messages included.
	Identifier bool
	// Help says what goes in the column.
	Help string
}

// CellError is one problem of a CSV row: the column it is in ("" when it
// concerns the whole row) and what is wrong. Its Reason never quotes an
// identifier column's value.
type CellError struct {
	Column string
	// Reason says what is wrong, for a person.
	Reason string
	// Err is the sentinel for the kind of rule, such as ErrFormat.
	Err error
}

func (e *CellError) Error() string {
	if e.Column == "" {
		return e.Reason
	}
	return e.Column + ": " + e.Reason
}

// Unwrap makes errors.Is(err, ErrX) hold for the sentinel in Err.
func (e *CellError) Unwrap() error { return e.Err }

// RowError lists the problems of one row of a CSV file, at most
// limits.MaxProblems of them.
type RowError struct {
	// Line is the row's line in the file, as a spreadsheet numbers its
	// rows: the header is line 1. It is 0 for a row that came from no
	// file.
	Line     int
	Problems []*CellError
	// Omitted counts the problems found beyond limits.MaxProblems.
	Omitted int
}

func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString("staff: ")
	if e.Line > 0 {
		fmt.Fprintf(&b, "row %d: ", e.Line)
	}
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Error())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "; and %d more", e.Omitted)
	}
	return b.String()
}

// Unwrap returns ErrInvalid and every problem, so that errors.Is and
// errors.As see all of them.
func (e *RowError) Unwrap() []error {
	out := make([]error, 0, len(e.Problems)+1)
	out = append(out, ErrInvalid)
	for _, p := range e.Problems {
		out = append(out, p)
	}
	return out
}

// cellErrors collects the problems of one row.
type cellErrors struct {
	list    []*CellError
	omitted int
}

func (ce *cellErrors) add(column string, kind error, format string, args ...any) {
	if len(ce.list) >= limits.MaxProblems {
		ce.omitted++
		return
	}
	ce.list = append(ce.list, &CellError{Column: column, Reason: fmt.Sprintf(format, args...), Err: kind})
}

func (ce *cellErrors) has(column string) bool {
	return slices.ContainsFunc(ce.list, func(e *CellError) bool { return e.Column == column })
}

func (ce *cellErrors) err(line int) error {
	if len(ce.list) == 0 && ce.omitted == 0 {
		return nil
	}
	return &RowError{Line: line, Problems: ce.list, Omitted: ce.omitted}
}

// The columns every row has, whatever its type.
const (
	ColumnStaffID    = "staff_id"
	ColumnSubject    = "subject"
	ColumnValidUntil = "valid_until"
)

// maxRowDocuments is how many identity documents one row can list
// (document1_... to document4_...).
const maxRowDocuments = 4

// ShortName returns the short name of a staff credential type, the base
// name of its schema ("dbs-check" for DBSCheckCredential), or "" for a
// type that is not one.
func ShortName(credentialType string) string {
	switch credentialType {
	case TypeIdentityCheck:
		return "identity-check"
	case TypeRightToWork:
		return "right-to-work"
	case TypeDBSCheck:
		return "dbs-check"
	case TypeMandatoryTraining:
		return "mandatory-training"
	case TypeProfessionalRegistration:
		return "professional-registration"
	case TypeOccupationalHealthClearance:
		return "occupational-health-clearance"
	case TypeEmployment:
		return "employment"
	case TypeEmploymentHistory:
		return "employment-history"
	}
	return ""
}

// RowColumns returns the columns of a CSV file of credentialType, in the
// order to write them: staff_id, subject and valid_until, then the type's
// own. It returns nil for a type without a row mapping (see
// ErrNoRowMapping).
func RowColumns(credentialType string) []Column {
	spec := rowSpecFor(credentialType)
	if spec == nil {
		return nil
	}
	return slices.Concat(commonColumns, spec.columns)
}

var commonColumns = []Column{
	{Name: ColumnStaffID, Required: true, Help: "the staff or assignment number (letters, digits, '.', '_', '-'); with the type and check date it names the credential, issued once"},
	{Name: ColumnSubject, Required: true, Help: "the member of staff's wallet DID: did:key:... or did:jwk:..."},
	{Name: ColumnValidUntil, Help: "the last day the credential is valid (to 23:59:59 UTC); empty: no end"},
}

// rowSpec is how the rows of one credential type become claims.
type rowSpec struct {
	columns []Column
	build   func(b *rowBuilder) Claims
	// occasion says which check, of the staff member's checks of the
	// type, the claims record (see Row.Occasion).
	occasion func(Claims) string
}

func (s *rowSpec) column(name string) (Column, bool) {
	for _, c := range commonColumns {
		if c.Name == name {
			return c, true
		}
	}
	for _, c := range s.columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

func (s *rowSpec) names() []string {
	var out []string
	for _, c := range slices.Concat(commonColumns, s.columns) {
		out = append(out, c.Name)
	}
	return out
}

func rowSpecFor(credentialType string) *rowSpec {
	switch credentialType {
	case TypeIdentityCheck:
		return identityRows
	case TypeRightToWork:
		return rightToWorkRows
	case TypeDBSCheck:
		return dbsRows
	case TypeMandatoryTraining:
		return trainingRows
	case TypeProfessionalRegistration:
		return registrationRows
	case TypeOccupationalHealthClearance:
		return occupationalHealthRows
	case TypeEmployment:
		return employmentRows
	}
	return nil
}

func noRowMapping(credentialType string) error {
	if credentialType == TypeEmploymentHistory {
		return fmt.Errorf("%w: an %s lists several employments, which do not fit one row; issue it from JSON instead", ErrNoRowMapping, credentialType)
	}
	return fmt.Errorf("%w: %q is not a staff credential type with one (%s)", ErrNoRowMapping, credentialType, strings.Join(rowTypes(), ", "))
}

// rowTypes lists the types with a row mapping.
func rowTypes() []string {
	var out []string
	for _, t := range Types() {
		if rowSpecFor(t) != nil {
			out = append(out, t)
		}
	}
	return out
}

// checkDateOccasion is the occasion of the types that record one check on
// one date.
func checkDateOccasion(date func(Claims) Date) func(Claims) string {
	return func(c Claims) string { return date(c).String() }
}

func oneOfHelp[T ~string](vs []T) string { return "one of " + strings.Join(toStrings(vs), ", ") }

func toStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

const (
	dateHelp = "YYYY-MM-DD or DD/MM/YYYY"
	flagHelp = "yes or no"
	listHelp = "separated by ';'"
)

var identityRows = &rowSpec{
	columns: identityColumns(),
	build: func(b *rowBuilder) Claims {
		v := &IdentityCheck{
			GivenName:        b.text("given_name", field("givenName")),
			FamilyName:       b.text("family_name", field("familyName")),
			DateOfBirth:      b.date("date_of_birth", field("dateOfBirth")),
			PhotoDigest:      b.text("photo_digest", field("photoDigest")),
			Method:           enum(b, "check_method", field("checkMethod"), checkMethods),
			IdentityProvider: b.text("identity_provider", field("identityProvider")),
			ConfidenceLevel:  enum(b, "confidence_level", field("confidenceLevel"), confidenceLevels),
			CheckedBy:        b.text("checked_by", field("checkedBy")),
			CheckDate:        b.date("check_date", field("checkDate")),
		}
		b.at(field("documentsSeen"), "document1_type")
		for n := 1; n <= maxRowDocuments; n++ {
			p := fmt.Sprintf("document%d_", n)
			if !b.any(p+"type", p+"issuing_country", p+"number", p+"expiry_date") {
				continue
			}
			ptr := index(field("documentsSeen"), len(v.DocumentsSeen))
			d := IdentityDocument{
				Type:           enum(b, p+"type", ptr+"/documentType", documentTypes),
				IssuingCountry: strings.ToUpper(b.text(p+"issuing_country", ptr+"/issuingCountry")),
				NumberHash:     b.identifier(p+"number", ptr+"/documentNumberHash"),
				ExpiryDate:     b.date(p+"expiry_date", ptr+"/documentExpiryDate"),
			}
			b.at(ptr, p+"type")
			v.DocumentsSeen = append(v.DocumentsSeen, d)
		}
		if len(v.DocumentsSeen) == 0 {
			b.fail("document1_type", ErrMissing, "no document seen: give at least document1_type and document1_issuing_country")
		}
		return v
	},
	occasion: checkDateOccasion(func(c Claims) Date { return c.(*IdentityCheck).CheckDate }),
}

func identityColumns() []Column {
	cols := []Column{
		{Name: "given_name", Help: "the verified given name"},
		{Name: "family_name", Required: true, Help: "the verified family name"},
		{Name: "date_of_birth", Required: true, Help: "the verified date of birth, " + dateHelp},
		{Name: "photo_digest", Help: "the SRI digest (sha384-...) of the photograph compared, if one was kept"},
	}
	for n := 1; n <= maxRowDocuments; n++ {
		p := fmt.Sprintf("document%d_", n)
		cols = append(cols,
			Column{Name: p + "type", Required: n == 1, Help: fmt.Sprintf("document %d seen: %s", n, oneOfHelp(documentTypes))},
			Column{Name: p + "issuing_country", Required: n == 1, Help: fmt.Sprintf("document %d's issuing country, ISO 3166-1 alpha-3 (GBR)", n)},
			Column{Name: p + "number", Identifier: true, Help: fmt.Sprintf("document %d's number; required for photographic documents; written only as a salted hash", n)},
			Column{Name: p + "expiry_date", Help: fmt.Sprintf("document %d's expiry date, if it has one, %s", n, dateHelp)},
		)
	}
	return append(cols,
		Column{Name: "check_method", Required: true, Help: oneOfHelp(checkMethods)},
		Column{Name: "identity_provider", Help: "the certified identity service provider, only when check_method is identity-service-provider"},
		Column{Name: "confidence_level", Help: "the GPG 45 level: " + oneOfHelp(confidenceLevels) + "; required for an identity service provider"},
		Column{Name: "checked_by", Required: true, Help: "the organisation that did the check"},
		Column{Name: "check_date", Required: true, Help: "the date of the check, " + dateHelp},
	)
}

var rightToWorkRows = &rowSpec{
	columns: []Column{
		{Name: "right_to_work_route", Required: true, Help: oneOfHelp(rightToWorkRoutes)},
		{Name: "share_code", Identifier: true, Help: "the Home Office share code, only and always for home-office-online-check; written only as a salted hash"},
		{Name: "identity_provider", Help: "the identity service provider, only for identity-service-provider"},
		{Name: "right_to_work_status", Required: true, Help: oneOfHelp(rightToWorkStatuses)},
		{Name: "permission_expiry_date", Help: "when permission to work ends; only and always when time-limited, " + dateHelp},
		{Name: "follow_up_date", Help: "when the follow-up check is due; only and always when time-limited, " + dateHelp},
		{Name: "work_restrictions", Help: "restrictions in words, " + listHelp + "; only when time-limited"},
		{Name: "max_hours_per_week", Help: "a cap on weekly hours, 1 to 168; only when time-limited"},
		{Name: "check_date", Required: true, Help: "the date of the check, " + dateHelp},
	},
	build: func(b *rowBuilder) Claims {
		return &RightToWork{
			Route:                enum(b, "right_to_work_route", field("rightToWorkRoute"), rightToWorkRoutes),
			ShareCodeHash:        b.identifier("share_code", field("shareCodeHash")),
			IdentityProvider:     b.text("identity_provider", field("identityProvider")),
			Status:               enum(b, "right_to_work_status", field("rightToWorkStatus"), rightToWorkStatuses),
			PermissionExpiryDate: b.date("permission_expiry_date", field("permissionExpiryDate")),
			FollowUpDate:         b.date("follow_up_date", field("followUpDate")),
			WorkRestrictions:     b.list("work_restrictions", field("workRestrictions")),
			MaxHoursPerWeek:      b.number("max_hours_per_week", field("maxHoursPerWeek"), 1, 168),
			CheckDate:            b.date("check_date", field("checkDate")),
		}
	},
	occasion: checkDateOccasion(func(c Claims) Date { return c.(*RightToWork).CheckDate }),
}

var dbsRows = &rowSpec{
	columns: []Column{
		{Name: "dbs_level", Required: true, Help: oneOfHelp(dbsLevels)},
		{Name: "dbs_workforce", Help: oneOfHelp(workforces) + "; only and always for the enhanced levels"},
		{Name: "barred_lists_checked", Help: "adults, children or both, " + listHelp + "; only and always for enhanced-with-barred-lists"},
		{Name: "certificate_number", Required: true, Identifier: true, Help: "the DBS certificate number; written only as a salted hash"},
		{Name: "certificate_issue_date", Required: true, Help: "the certificate's date of issue, " + dateHelp},
		{Name: "update_service_subscribed", Required: true, Help: "whether the certificate is on the DBS Update Service, " + flagHelp},
		{Name: "update_service_check_date", Help: "the last Update Service status check; only and always when subscribed, " + dateHelp},
		{Name: "check_date", Required: true, Help: "when the employer saw the certificate, " + dateHelp},
	},
	build: func(b *rowBuilder) Claims {
		return &DBSCheck{
			Level:                   enum(b, "dbs_level", field("dbsLevel"), dbsLevels),
			Workforce:               enum(b, "dbs_workforce", field("dbsWorkforce"), workforces),
			BarredListsChecked:      enumList(b, "barred_lists_checked", field("barredListsChecked"), barredLists),
			CertificateNumberHash:   b.identifier("certificate_number", field("certificateNumberHash")),
			CertificateIssueDate:    b.date("certificate_issue_date", field("certificateIssueDate")),
			UpdateServiceSubscribed: b.flag("update_service_subscribed", field("updateServiceSubscribed"), true),
			UpdateServiceCheckDate:  b.date("update_service_check_date", field("updateServiceCheckDate")),
			CheckDate:               b.date("check_date", field("checkDate")),
		}
	},
	occasion: checkDateOccasion(func(c Claims) Date { return c.(*DBSCheck).CheckDate }),
}

// subjectColumn is the prefix of a training subject's columns:
// "fire_safety_" for fire-safety.
func subjectColumn(s Subject) string { return strings.ReplaceAll(string(s), "-", "_") + "_" }

// trainingSubjectColumns are the columns of one training subject.
type trainingSubjectColumns struct{ level, completionDate, provider, frameworkVersion string }

// subjectColumns are the columns of each training subject, in the order
// of subjects, named once rather than for every row.
var subjectColumns = func() []trainingSubjectColumns {
	out := make([]trainingSubjectColumns, len(subjects))
	for i, s := range subjects {
		c := subjectColumn(s)
		out[i].level, out[i].completionDate = c+"level", c+"completion_date"
		out[i].provider, out[i].frameworkVersion = c+"training_provider", c+"framework_version"
	}
	return out
}()

var trainingRows = &rowSpec{
	columns: trainingColumns(),
	build: func(b *rowBuilder) Claims {
		v := &MandatoryTraining{}
		provider := b.text("training_provider", "")
		version := b.text("framework_version", "")
		for i, s := range subjects {
			c := &subjectColumns[i]
			if !b.any(c.level, c.completionDate, c.provider, c.frameworkVersion) {
				continue
			}
			ptr := index(field("trainingRecords"), len(v.Records))
			r := TrainingRecord{
				Subject:          s,
				Level:            b.number(c.level, ptr+"/trainingLevel", 1, MaxTrainingLevel),
				CompletionDate:   b.date(c.completionDate, ptr+"/completionDate"),
				Provider:         b.text(c.provider, ptr+"/trainingProvider"),
				FrameworkVersion: b.text(c.frameworkVersion, ptr+"/frameworkVersion"),
			}
			if r.Provider == "" {
				r.Provider = provider
				b.at(ptr+"/trainingProvider", "training_provider")
			}
			if r.FrameworkVersion == "" {
				r.FrameworkVersion = version
				b.at(ptr+"/frameworkVersion", "framework_version")
			}
			b.at(ptr, c.level)
			b.at(ptr+"/cstfSubject", c.level)
			v.Records = append(v.Records, r)
		}
		if len(v.Records) == 0 {
			b.fail("", ErrMissing, "no training in this row: give <subject>_level and <subject>_completion_date for at least one subject")
		}
		return v
	},
	occasion: func(c Claims) string {
		// A training credential records completions, not one check: it
		// is identified by its latest completion and a digest of every
		// subject, level and date it lists, so that new training makes
		// a new credential.
		v := c.(*MandatoryTraining)
		var latest Date
		lines := make([]string, 0, len(v.Records))
		for _, r := range v.Records {
			if r.CompletionDate.After(latest) {
				latest = r.CompletionDate
			}
			lines = append(lines, fmt.Sprintf("%s|%d|%s\n", r.Subject, r.Level, r.CompletionDate))
		}
		slices.Sort(lines)
		sum := sha256.Sum256([]byte(strings.Join(lines, "")))
		return latest.String() + "-" + hex.EncodeToString(sum[:4])
	},
}

func trainingColumns() []Column {
	cols := []Column{
		{Name: "training_provider", Help: "who delivered the training, for every subject without its own <subject>_training_provider"},
		{Name: "framework_version", Help: "the CSTF version (CSTF England v1.1), for every subject without its own <subject>_framework_version"},
	}
	for _, s := range subjects {
		c := subjectColumn(s)
		cols = append(cols,
			Column{Name: c + "level", Help: fmt.Sprintf("%s: the level completed, 1 to %d", s.Title(), MaxTrainingLevel)},
			Column{Name: c + "completion_date", Help: s.Title() + ": the completion date, " + dateHelp},
			Column{Name: c + "training_provider", Help: s.Title() + ": who delivered it, if not training_provider"},
			Column{Name: c + "framework_version", Help: s.Title() + ": the CSTF version, if not framework_version"},
		)
	}
	return cols
}

var registrationRows = &rowSpec{
	columns: []Column{
		{Name: "regulator", Required: true, Help: oneOfHelp(regulators)},
		{Name: "registration_number", Required: true, Help: "as on the register (registers are public, so it is written as it is)"},
		{Name: "register_name", Required: true, Help: "the register or part of it"},
		{Name: "register_annotations", Help: "annotations such as prescribing rights, " + listHelp},
		{Name: "registration_status", Required: true, Help: oneOfHelp(registrationStatuses)},
		{Name: "registration_conditions", Help: "conditions of practice or undertakings, " + listHelp + "; only for a current registration"},
		{Name: "renewal_date", Help: "the next renewal or revalidation date; required when registered, " + dateHelp},
		{Name: "check_date", Required: true, Help: "when the register was checked, " + dateHelp},
	},
	build: func(b *rowBuilder) Claims {
		return &ProfessionalRegistration{
			Regulator:          enum(b, "regulator", field("regulator"), regulators),
			RegistrationNumber: strings.ToUpper(b.text("registration_number", field("registrationNumber"))),
			RegisterName:       b.text("register_name", field("registerName")),
			Annotations:        b.list("register_annotations", field("registerAnnotations")),
			Status:             enum(b, "registration_status", field("registrationStatus"), registrationStatuses),
			Conditions:         b.list("registration_conditions", field("registrationConditions")),
			RenewalDate:        b.date("renewal_date", field("renewalDate")),
			CheckDate:          b.date("check_date", field("checkDate")),
		}
	},
	occasion: checkDateOccasion(func(c Claims) Date { return c.(*ProfessionalRegistration).CheckDate }),
}

// immunisationColumn is the column of an immunisation group's clearance:
// "hepatitis_b_cleared".
func immunisationColumn(g ImmunisationGroup) string {
	return strings.ReplaceAll(string(g), "-", "_") + "_cleared"
}

var occupationalHealthRows = &rowSpec{
	columns: occupationalHealthColumns(),
	build: func(b *rowBuilder) Claims {
		v := &OccupationalHealthClearance{
			Outcome:    enum(b, "fitness_outcome", field("fitnessOutcome"), fitnessOutcomes),
			EPPCleared: b.flag("epp_cleared", field("eppCleared"), true),
			ReviewDate: b.date("review_date", field("reviewDate")),
			CheckDate:  b.date("check_date", field("checkDate")),
		}
		for _, g := range immunisationGroups {
			col := immunisationColumn(g)
			if b.cell(col) == "" {
				continue
			}
			ptr := index(field("immunisationClearances"), len(v.Immunisations))
			v.Immunisations = append(v.Immunisations, ImmunisationClearance{Group: g, Cleared: b.flag(col, ptr+"/cleared", false)})
			b.at(ptr, col)
		}
		return v
	},
	occasion: checkDateOccasion(func(c Claims) Date { return c.(*OccupationalHealthClearance).CheckDate }),
}

func occupationalHealthColumns() []Column {
	cols := []Column{
		{Name: "fitness_outcome", Required: true, Help: oneOfHelp(fitnessOutcomes)},
		{Name: "epp_cleared", Required: true, Help: "cleared for exposure-prone procedures, " + flagHelp},
	}
	for _, g := range immunisationGroups {
		cols = append(cols, Column{Name: immunisationColumn(g), Help: fmt.Sprintf("cleared for %s, %s; empty: not assessed", g, flagHelp)})
	}
	return append(cols,
		Column{Name: "review_date", Help: "the next review, after the assessment, " + dateHelp},
		Column{Name: "check_date", Required: true, Help: "the date of the assessment, " + dateHelp},
	)
}

var employmentRows = &rowSpec{
	columns: []Column{
		{Name: "employer", Required: true, Help: "the employer's DID (did:web:...)"},
		{Name: "employer_name", Help: "the employer's name"},
		{Name: "job_role", Required: true, Help: "the job title"},
		{Name: "staff_group", Required: true, Help: "the ESR staff group: " + oneOfHelp(staffGroups)},
		{Name: "start_date", Required: true, Help: "the start of the employment, " + dateHelp},
		{Name: "assignment_number", Help: "the ESR assignment number"},
	},
	build: func(b *rowBuilder) Claims {
		return &Employment{
			Employer:         b.text("employer", field("employer")),
			EmployerName:     b.text("employer_name", field("employerName")),
			JobRole:          b.text("job_role", field("jobRole")),
			StaffGroup:       enum(b, "staff_group", field("staffGroup"), staffGroups),
			StartDate:        b.date("start_date", field("startDate")),
			AssignmentNumber: b.text("assignment_number", field("assignmentNumber")),
		}
	},
	occasion: checkDateOccasion(func(c Claims) Date { return c.(*Employment).StartDate }),
}

// rowBuilder reads a row's cells into claims, noting for each JSON
// pointer the column it came from, and the problems of the cells.
type rowBuilder struct {
	cells map[string]string
	errs  *cellErrors
	// ptrs maps a claim's JSON pointer to its column.
	ptrs map[string]string
	// hash stands the identifier of column at ptr in the claims.
	hash    func(ptr, column, identifier string) (SaltedHash, error)
	hashErr error
	// read, when not nil, records the columns looked at (for a test).
	read map[string]bool
}

func (b *rowBuilder) cell(col string) string {
	if b.read != nil {
		b.read[col] = true
	}
	return b.cells[col]
}

// at notes that the claim at ptr comes from col.
func (b *rowBuilder) at(ptr, col string) {
	if ptr != "" {
		b.ptrs[ptr] = col
	}
}

func (b *rowBuilder) fail(col string, kind error, format string, args ...any) {
	b.errs.add(col, kind, format, args...)
}

// any reports whether any of cols has a value.
func (b *rowBuilder) any(cols ...string) bool {
	found := false
	for _, c := range cols {
		if b.cell(c) != "" {
			found = true
		}
	}
	return found
}

func (b *rowBuilder) text(col, ptr string) string {
	b.at(ptr, col)
	return b.cell(col)
}

func (b *rowBuilder) date(col, ptr string) Date {
	b.at(ptr, col)
	v := b.cell(col)
	if v == "" {
		return Date{}
	}
	d, err := parseCellDate(v)
	if err != nil {
		b.fail(col, ErrFormat, "%s", err)
	}
	return d
}

// list splits a cell at ';', dropping empty entries.
func (b *rowBuilder) list(col, ptr string) []string {
	b.at(ptr, col)
	var out []string
	for _, s := range strings.Split(b.cell(col), ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (b *rowBuilder) flag(col, ptr string, required bool) bool {
	b.at(ptr, col)
	v := b.cell(col)
	switch strings.ToLower(v) {
	case "yes", "y", "true", "1":
		return true
	case "no", "n", "false", "0":
		return false
	case "":
		if required {
			b.fail(col, ErrMissing, "is required: yes or no")
		}
		return false
	}
	b.fail(col, ErrFormat, "%s is not yes or no", quoteCell(v))
	return false
}

func (b *rowBuilder) number(col, ptr string, lo, hi int) int {
	b.at(ptr, col)
	v := b.cell(col)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi || strings.ContainsAny(v, "+-") {
		b.fail(col, ErrFormat, "%s is not a whole number from %d to %d", quoteCell(v), lo, hi)
		return 0
	}
	return n
}

// identifier checks a raw identifier and stands its hash in for it. The
// identifier is never quoted.
func (b *rowBuilder) identifier(col, ptr string) SaltedHash {
	b.at(ptr, col)
	v := b.cell(col)
	if v == "" {
		return SaltedHash{}
	}
	if _, err := normaliseIdentifier(v); err != nil {
		b.fail(col, ErrFormat, "is not an identifier of 1 to %d letters and digits (spaces and hyphens are ignored)", maxIdentifierLen)
		return SaltedHash{}
	}
	h, err := b.hash(ptr, col, v)
	if err != nil && b.hashErr == nil {
		b.hashErr = err
	}
	return h
}

// enum reads a value of an enumeration, matching it without regard to
// case, spaces and underscores ("Enhanced with barred lists" is
// enhanced-with-barred-lists).
func enum[T ~string](b *rowBuilder, col, ptr string, allowed []T) T {
	b.at(ptr, col)
	v := b.cell(col)
	if v == "" {
		return ""
	}
	if t, ok := matchEnum(v, allowed); ok {
		return t
	}
	b.fail(col, ErrFormat, "%s is not %s", quoteCell(v), oneOfHelp(allowed))
	return ""
}

func enumList[T ~string](b *rowBuilder, col, ptr string, allowed []T) []T {
	var out []T
	for _, v := range b.list(col, ptr) {
		t, ok := matchEnum(v, allowed)
		if !ok {
			b.fail(col, ErrFormat, "%s is not %s", quoteCell(v), oneOfHelp(allowed))
			return nil
		}
		out = append(out, t)
	}
	return out
}

func matchEnum[T ~string](v string, allowed []T) (T, bool) {
	norm := strings.NewReplacer(" ", "-", "_", "-").Replace(v)
	for _, a := range allowed {
		if strings.EqualFold(string(a), norm) {
			return a, true
		}
	}
	return "", false
}

// cutName cuts a column name that is not one of ours for an error
// message.
func cutName(name string) string {
	const max = 64
	if len(name) > max {
		name = strings.ToValidUTF8(name[:max], "") + "..."
	}
	return name
}

// quoteCell quotes a cell's value for an error message, cut short.
func quoteCell(v string) string {
	const max = 40
	if utf8.RuneCountInString(v) > max {
		v = string([]rune(v)[:max]) + "..."
	}
	return strconv.Quote(v)
}

// parseCellDate reads a date as YYYY-MM-DD or, as UK spreadsheets write
// it, DD/MM/YYYY (day first; one-digit days and months too, a four-digit
// year always).
func parseCellDate(s string) (Date, error) {
	iso := s
	if parts := strings.Split(s, "/"); len(parts) == 3 {
		d, m, y := parts[0], parts[1], parts[2]
		if len(d) < 1 || len(d) > 2 || len(m) < 1 || len(m) > 2 || len(y) != 4 {
			return Date{}, fmt.Errorf("%s is not a date: write YYYY-MM-DD or DD/MM/YYYY, with a four-digit year", quoteCell(s))
		}
		iso = y + "-" + pad2(m) + "-" + pad2(d)
	} else if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("%s is not a date: write YYYY-MM-DD or DD/MM/YYYY", quoteCell(s))
	}
	d, err := ParseDate(iso)
	if err != nil {
		return Date{}, fmt.Errorf("%s is not a date that exists", quoteCell(s))
	}
	return d, nil
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

var staffIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Row is one CSV row read by ParseRow: checked, with every rule of its
// credential type applied, but its identifiers not yet hashed.
type Row struct {
	// Line is the row's line in its file (0: none).
	Line int
	// Type is the credential type.
	Type string
	// StaffID is the employer's staff or assignment number.
	StaffID string
	// Subject is the member of staff's wallet DID.
	Subject string
	// ValidUntil is the last day the credential is valid; zero for none.
	ValidUntil Date

	spec     *rowSpec
	cells    map[string]string
	occasion string
}

// ParseRow reads one row of a CSV file of credentialType, as ReadCSV
// returns it, and checks it against the rules of the type with issued as
// the date of issue (no check or completion may be after it). Cells are
// trimmed of spaces; an empty cell is an absent value. It hashes nothing:
// Claims does.
//
// It fails with a *RowError naming each column that is unknown (ErrColumn),
// malformed (ErrFormat), missing (ErrMissing) or breaks a rule of the type
// (ErrNotAllowed, ErrContradiction, ErrFuture), or with ErrNoRowMapping.
func ParseRow(credentialType string, row CSVRow, issued Date) (*Row, error) {
	spec := rowSpecFor(credentialType)
	if spec == nil {
		return nil, noRowMapping(credentialType)
	}
	r := &Row{Line: row.Line, Type: credentialType, spec: spec, cells: make(map[string]string, len(row.Cells))}
	var errs cellErrors
	var unknown []string
	for name, v := range row.Cells {
		if _, ok := spec.column(name); !ok {
			unknown = append(unknown, name)
			continue
		}
		r.cells[name] = strings.TrimSpace(v)
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		errs.add(cutName(name), ErrColumn, "is not a column of a %s file%s", credentialType, suggest(name, spec.names()))
	}

	r.StaffID = r.cells[ColumnStaffID]
	switch {
	case r.StaffID == "":
		errs.add(ColumnStaffID, ErrMissing, "is required")
	case !staffIDPattern.MatchString(r.StaffID):
		errs.add(ColumnStaffID, ErrFormat, "%s is not 1 to 64 letters, digits, '.', '_' and '-' starting with a letter or digit", quoteCell(r.StaffID))
	}
	r.Subject = r.cells[ColumnSubject]
	if err := checkWalletDID(r.Subject); err != nil {
		errs.add(ColumnSubject, ErrFormat, "%s", err)
	}
	if v := r.cells[ColumnValidUntil]; v != "" {
		d, err := parseCellDate(v)
		switch {
		case err != nil:
			errs.add(ColumnValidUntil, ErrFormat, "%s", err)
		case !issued.IsZero() && !d.After(issued):
			errs.add(ColumnValidUntil, ErrContradiction, "%s is not after the date of issue %s", d, issued)
		default:
			r.ValidUntil = d
		}
	}

	claims, b := r.build(&errs, func(string, string, string) (SaltedHash, error) { return placeholderHash(), nil })
	var ve *ValidationError
	if errors.As(claims.Validate(issued), &ve) {
		for _, p := range ve.Problems {
			col := b.column(p.Pointer)
			if b.errs.has(col) {
				continue // the cell's own problem says more
			}
			reason := p.Reason
			if col == "" {
				reason = strings.TrimPrefix(p.Pointer, subjectPointer+"/") + ": " + reason
			}
			errs.add(col, p.Err, "%s", reason)
		}
		errs.omitted += ve.Omitted
	}
	if err := errs.err(row.Line); err != nil {
		return nil, err
	}
	r.occasion = spec.occasion(claims)
	return r, nil
}

// checkWalletDID requires a did:key or did:jwk that holds a public key.
func checkWalletDID(s string) error {
	if s == "" {
		return errors.New("is required: the member of staff's wallet DID")
	}
	d, err := did.Parse(s)
	if err != nil {
		return fmt.Errorf("%s is not a DID", quoteCell(s))
	}
	switch d.Method() {
	case didkey.Method:
		_, err = didkey.PublicKey(s)
	case didjwk.Method:
		_, err = didjwk.PublicKey(s)
	default:
		return fmt.Errorf("%s is not a wallet DID: use the member of staff's did:key or did:jwk", quoteCell(s))
	}
	if err != nil {
		return fmt.Errorf("%s does not hold an Ed25519, P-256 or P-384 public key", quoteCell(s))
	}
	return nil
}

// placeholderHash stands in for a hash while a row is only checked: it has
// the shape of a real one.
func placeholderHash() SaltedHash {
	return SaltedHash{Salt: make([]byte, SaltLen), Digest: make([]byte, digestLen), Iterations: DefaultIterations}
}

// build reads r's cells into claims of its type, through hash for the
// identifiers.
func (r *Row) build(errs *cellErrors, hash func(ptr, column, identifier string) (SaltedHash, error)) (Claims, *rowBuilder) {
	return r.buildWith(&rowBuilder{cells: r.cells, errs: errs, ptrs: map[string]string{}, hash: hash})
}

func (r *Row) buildWith(b *rowBuilder) (Claims, *rowBuilder) { return r.spec.build(b), b }

// column returns the column the claim at ptr, or its nearest parent, came
// from.
func (b *rowBuilder) column(ptr string) string {
	for q := ptr; q != ""; {
		if c, ok := b.ptrs[q]; ok {
			return c
		}
		i := strings.LastIndexByte(q, '/')
		if i < 0 {
			break
		}
		q = q[:i]
	}
	return ""
}

// Occasion says which check of the member of staff the row records: the
// check date (YYYY-MM-DD) for most types, the start date for an
// EmploymentCredential, and for a MandatoryTrainingCredential the latest
// completion date and eight hex digits of a SHA-256 of every subject,
// level and completion date it lists ("2025-01-10-1a2b3c4d"), so that
// further training makes a new credential.
func (r *Row) Occasion() string { return r.occasion }

// IssuanceKey is what identifies the row's credential for reruns:
// "STAFF_ID|type|occasion", such as "E1234|DBSCheckCredential|2025-02-25",
// with the staff id in upper case: "e1234" and "E1234" are one member of
// staff. A row with the same key as a credential already issued is that
// credential, whatever else it says.
func (r *Row) IssuanceKey() string {
	// A staff id is ASCII (staffIDPattern), so ToUpper changes letters
	// only.
	return strings.ToUpper(r.StaffID) + "|" + r.Type + "|" + r.occasion
}

// AppendCells appends what the row says to b, in a canonical form: its
// type and each non-empty cell but the staff id, trimmed, in column name
// order, each name and value preceded by its length. Two rows that say
// the same in the same words (whatever the order of their columns, empty
// columns, surrounding spaces, or the case of their staff ids) append the
// same bytes. It holds identifiers as written: it is for a keyed digest
// (issuer's batches record an HMAC of it), never to be stored or shown.
func (r *Row) AppendCells(b []byte) []byte {
	names := make([]string, 0, len(r.cells))
	for n, v := range r.cells {
		if v != "" && n != ColumnStaffID {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	b = binary.AppendUvarint(b, uint64(len(r.Type)))
	b = append(b, r.Type...)
	for _, n := range names {
		b = binary.AppendUvarint(b, uint64(len(n)))
		b = append(b, n...)
		b = binary.AppendUvarint(b, uint64(len(r.cells[n])))
		b = append(b, r.cells[n]...)
	}
	return b
}

// Claims returns the row's claims, hashing each raw identifier with
// NewSaltedHash under a fresh salt read from random (crypto/rand.Reader in
// production). Each identifier costs one PBKDF2 hash at DefaultIterations.
func (r *Row) Claims(random io.Reader) (Claims, error) {
	var errs cellErrors
	claims, b := r.build(&errs, func(_, _, id string) (SaltedHash, error) { return NewSaltedHash(random, id) })
	if b.hashErr != nil {
		return nil, b.hashErr
	}
	if err := errs.err(r.Line); err != nil {
		return nil, err // ParseRow found none; only a changed Row could
	}
	return claims, nil
}

// ClaimsFromRow reads one row of a CSV file of credentialType (cells by
// column name; see RowColumns) into claims, as ParseRow and Row.Claims do.
// The common columns staff_id and subject are required and checked, but
// are not claims.
func ClaimsFromRow(credentialType string, row map[string]string, random io.Reader, issued Date) (Claims, error) {
	r, err := ParseRow(credentialType, CSVRow{Cells: row}, issued)
	if err != nil {
		return nil, err
	}
	return r.Claims(random)
}

// Diff compares the row with the claims of the credential already issued
// for it (as FromCredential returns them) and returns the columns whose
// values differ, in column order; none when the credential says what the
// row says. Identifiers are compared by checking the row's value against
// the issued hash (SaltedHash.Matches), one PBKDF2 hash each. A column is
// "" when a difference belongs to none.
func (r *Row) Diff(issued Claims) ([]string, error) {
	if issued == nil || issued.CredentialType() != r.Type {
		return nil, fmt.Errorf("%w: the issued claims are not a %s", ErrType, r.Type)
	}
	type idAt struct{ ptr, column, value string }
	var ids []idAt
	var errs cellErrors
	claims, b := r.build(&errs, func(ptr, col, id string) (SaltedHash, error) {
		ids = append(ids, idAt{ptr, col, id})
		return placeholderHash(), nil
	})
	row, err := jsonTree(claims)
	if err != nil {
		return nil, err
	}
	old, err := jsonTree(issued)
	if err != nil {
		return nil, err
	}
	placeholder, err := jsonTree(placeholderHash())
	if err != nil {
		return nil, err
	}
	var cols []string
	for _, id := range ids {
		rel := strings.TrimPrefix(id.ptr, subjectPointer)
		v, ok := treeAt(old, rel)
		if !ok {
			continue // the tree comparison reports it
		}
		var h SaltedHash
		raw, err := json.Marshal(v)
		if err != nil || h.UnmarshalJSON(raw) != nil || !h.Matches(id.value) {
			cols = append(cols, id.column)
		}
		old = treeSet(old, rel, placeholder)
	}
	var ptrs []string
	diffTrees(subjectPointer, row, old, &ptrs)
	for _, p := range ptrs {
		cols = append(cols, b.column(p))
	}
	order := r.spec.names()
	slices.SortStableFunc(cols, func(a, b string) int {
		return slices.Index(order, a) - slices.Index(order, b)
	})
	return slices.Compact(cols), nil
}

// jsonTree returns v as decoded JSON: maps, slices, strings, booleans,
// json.Number.
func jsonTree(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// pointerTokens splits a JSON pointer of claims built here (no escapes
// needed: member names are fixed words) into its tokens.
func pointerTokens(ptr string) []string {
	if ptr == "" {
		return nil
	}
	return strings.Split(strings.TrimPrefix(ptr, "/"), "/")
}

func treeAt(v any, ptr string) (any, bool) {
	for _, tok := range pointerTokens(ptr) {
		switch t := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = t[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// treeSet returns v with the value at ptr, which exists, replaced by x.
func treeSet(v any, ptr string, x any) any {
	toks := pointerTokens(ptr)
	if len(toks) == 0 {
		return x
	}
	parent, ok := treeAt(v, "/"+strings.Join(toks[:len(toks)-1], "/"))
	if len(toks) == 1 {
		parent, ok = v, true
	}
	if !ok {
		return v
	}
	last := toks[len(toks)-1]
	switch t := parent.(type) {
	case map[string]any:
		t[last] = x
	case []any:
		if i, err := strconv.Atoi(last); err == nil && i >= 0 && i < len(t) {
			t[i] = x
		}
	}
	return v
}

// diffTrees appends the pointers at which a and b differ.
func diffTrees(ptr string, a, b any, out *[]string) {
	am, aMap := a.(map[string]any)
	bm, bMap := b.(map[string]any)
	if aMap && bMap {
		keys := make([]string, 0, len(am)+len(bm))
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			diffTrees(ptr+"/"+pointerEscape(k), am[k], bm[k], out)
		}
		return
	}
	al, aList := a.([]any)
	bl, bList := b.([]any)
	if aList && bList {
		for i := range max(len(al), len(bl)) {
			var x, y any
			if i < len(al) {
				x = al[i]
			}
			if i < len(bl) {
				y = bl[i]
			}
			diffTrees(index(ptr, i), x, y, out)
		}
		return
	}
	// What is left are strings, numbers, booleans and nulls, which
	// compare with ==, or values of different kinds.
	if aMap || bMap || aList || bList || a != b {
		*out = append(*out, ptr)
	}
}

// suggest returns ": did you mean X?" for the known name closest to name,
// if one is close.
func suggest(name string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(name, k, bestD); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// editDistance returns the Levenshtein distance of a and b, or limit when
// it is at least limit.
func editDistance(a, b string, limit int) int {
	if len(a) > 64 || len(b) > 64 {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}
