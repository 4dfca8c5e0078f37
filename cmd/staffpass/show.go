package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	didjwk "github.com/staffpass/staffpass/did/jwk"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/vc/status"
)

func newShowCmd() *cobra.Command {
	var checks []string
	cmd := &cobra.Command{
		Use:   "show [--check NAME=VALUE]... FILE",
		Short: "Show what a credential or presentation says, in plain words",
		Long: `Show the credential or presentation in FILE ("-" for standard input) for a
person: who issued it, about whom, what it says (the staff vocabulary's words,
not IRIs), when it is valid, its status entries and how it is secured. It does
not verify anything: use 'staffpass verify' for that; show says so.

Document numbers, DBS certificate numbers and share codes are held in staff
credentials as salted hashes, never as the number: show says one is there and
never prints the salt or digest as if they were data. --check NAME=VALUE tells
whether a number a person shows you matches: NAME is certificate-number,
document-number or share-code (exit 1 when it does not match).`,
		Example: `  staffpass show dbs.jwt
  staffpass show --check certificate-number=001234567890 dbs.jwt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			wanted := map[string]string{}
			for _, c := range checks {
				name, value, ok := strings.Cut(c, "=")
				if !ok || hashMembers[name] == "" || value == "" {
					return withHint(fmt.Errorf("--check %q", c), "use certificate-number=N, document-number=N or share-code=C")
				}
				wanted[name] = value
			}
			data, err := readInput(cmd.InOrStdin(), args[0], limits.MaxJWTBytes)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if c, err := sdjwt.Split(string(data)); err == nil && strings.Count(c.JWT, ".") == 2 && strings.Contains(string(data), "~") {
				fmt.Fprintln(w, "(not verified: 'staffpass verify' checks the signatures, the issuer and the status)")
				if err := showSDJWT(w, c); err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				if len(wanted) > 0 {
					return withHint(errors.New("--check: an SD-JWT VC holds no salted hash; a disclosed number is shown as it is"), "drop --check")
				}
				return nil
			}
			doc, err := peek(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintln(w, "(not verified: 'staffpass verify' checks the signatures, the issuer and the status)")
			var hashes []hashAt
			switch {
			case doc.presentation != nil:
				showPresentation(w, doc, &hashes)
			default:
				showCredential(w, doc, "", &hashes)
			}
			return checkHashes(w, hashes, wanted)
		},
	}
	cmd.Flags().StringArrayVar(&checks, "check", nil, "NAME=VALUE: whether a number matches the salted hash held (repeatable)")
	return cmd
}

// shown is a document read for show, unverified, with how it is secured.
type shown struct {
	credential   *vc.Credential
	presentation *vc.Presentation
	raw          map[string]any // the document's JSON
	secured      string
	inner        []*shown // a presentation's credentials
}

// peek reads a credential or presentation, in any form, without verifying
// anything.
func peek(data []byte) (*shown, error) {
	s := &shown{}
	payload, err := jose.PeekDocument(data)
	if err != nil {
		return nil, err
	}
	if text := strings.TrimSpace(string(data)); !strings.HasPrefix(text, "{") {
		u, err := jose.ParseUnverified(text)
		if err != nil {
			return nil, err
		}
		s.secured = fmt.Sprintf("%s, signed with %s by %s", orNone(u.Header.Typ), u.Header.Alg, orNone(u.Header.Kid))
	}
	doc, err := vc.ParseDocument(payload)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(payload, &s.raw); err != nil {
		return nil, err
	}
	switch doc.Kind {
	case vc.KindEnvelopedCredential, vc.KindEnvelopedPresentation:
		u, err := doc.Envelope.DataURL()
		if err != nil {
			return nil, err
		}
		return peek(u.Data)
	case vc.KindCredential:
		s.credential = doc.Credential
		if s.secured == "" {
			s.secured = proofs(doc.Credential.Proof.Items)
		}
	case vc.KindPresentation:
		s.presentation = doc.Presentation
		if s.secured == "" {
			s.secured = proofs(doc.Presentation.Proof.Items)
		}
		for _, e := range [](any){s.raw["verifiableCredential"]} {
			list, ok := e.([]any)
			if !ok && e != nil {
				list = []any{e}
			}
			for _, item := range list {
				b, _ := json.Marshal(item)
				if m, ok := item.(map[string]any); ok && m["type"] == vc.TypeEnvelopedCredential {
					if id, _ := m["id"].(string); id != "" {
						if _, tok, ok := strings.Cut(id, ","); ok {
							b = []byte(tok)
						}
					}
				}
				in, err := peek(b)
				if err != nil {
					in = &shown{secured: "cannot be read: " + err.Error()}
				}
				s.inner = append(s.inner, in)
			}
		}
	default:
		return nil, errors.New("neither a credential nor a presentation")
	}
	return s, nil
}

// proofs says how Data Integrity proofs secure a document.
func proofs(items []json.RawMessage) string {
	if len(items) == 0 {
		return "NOT SECURED: no proof"
	}
	var out []string
	for _, raw := range items {
		var p struct {
			Type, Cryptosuite, Created, VerificationMethod, ProofPurpose, Challenge string
			Domain                                                                  any
		}
		json.Unmarshal(raw, &p)
		s := fmt.Sprintf("Data Integrity %s", orNone(p.Cryptosuite))
		if p.Created != "" {
			s += ", made " + humanDateTime(p.Created)
		}
		s += fmt.Sprintf(" by %s for %s", orNone(p.VerificationMethod), orNone(p.ProofPurpose))
		if p.Challenge != "" {
			s += fmt.Sprintf(", challenge %q", p.Challenge)
		}
		if p.Domain != nil {
			s += fmt.Sprintf(", domain %v", p.Domain)
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

func showPresentation(w io.Writer, s *shown, hashes *[]hashAt) {
	p := s.presentation
	holder := "(none)"
	if p.Holder != nil {
		holder = p.Holder.ID
	}
	fmt.Fprintf(w, "A presentation of %s\n", credentialsCount(len(s.inner)))
	row(w, "  ", "held by", holder)
	row(w, "  ", "secured as", s.secured)
	if n, ok := s.raw["nonce"].(string); ok {
		row(w, "  ", "challenge (nonce)", n)
	}
	if a, ok := s.raw["aud"]; ok {
		row(w, "  ", "for (aud)", fmt.Sprint(a))
	}
	for i, in := range s.inner {
		fmt.Fprintf(w, "\nCredential %d\n", i+1)
		if in.credential == nil {
			row(w, "  ", "", in.secured)
			continue
		}
		showCredential(w, in, fmt.Sprintf("credential %d: ", i+1), hashes)
	}
}

func showCredential(w io.Writer, s *shown, where string, hashes *[]hashAt) {
	c := s.credential
	typ := "a credential"
	for _, t := range c.Type.Items {
		if k := kindNames[t]; k != "" {
			typ = k
		} else if t != vc.TypeCredential && typ == "a credential" {
			typ = t
		}
	}
	fmt.Fprintf(w, "%s (%s)\n", capitalise(typ), strings.Join(c.Type.Items, ", "))
	issuer := c.Issuer.ID
	if c.Issuer.Name.Len() > 0 {
		issuer += " (" + c.Issuer.Name.Items[0].Value + ")"
	}
	row(w, "  ", "issued by", issuer)
	row(w, "  ", "about", orNone(strings.Join(c.SubjectIDs(), ", ")))
	from, until, err := c.ValidityPeriod()
	switch {
	case err != nil:
		row(w, "  ", "valid", "cannot be read: "+err.Error())
	case from.IsZero() && until.IsZero():
		row(w, "  ", "valid", "no validity period stated")
	case until.IsZero():
		row(w, "  ", "valid", "from "+humanTime(from))
	default:
		row(w, "  ", "valid", "from "+humanTime(from)+" until "+humanTime(until))
	}
	row(w, "  ", "secured as", s.secured)
	if c.CredentialStatus.Len() == 0 {
		row(w, "  ", "status", "none: its issuer cannot revoke it")
	}
	for _, st := range c.CredentialStatus.Items {
		var purpose, index, list string
		json.Unmarshal(st.Extra["statusPurpose"], &purpose)
		json.Unmarshal(st.Extra["statusListIndex"], &index)
		json.Unmarshal(st.Extra["statusListCredential"], &list)
		row(w, "  ", "status", fmt.Sprintf("%s: entry %s of %s (%s)", orNone(purpose), orNone(index), orNone(list), strings.Join(st.Type.Items, ", ")))
	}
	subjects, _ := s.raw["credentialSubject"].([]any)
	if m, ok := s.raw["credentialSubject"].(map[string]any); ok {
		subjects = []any{m}
	}
	for _, sub := range subjects {
		fmt.Fprintln(w, "  what it says")
		claims(w, "    ", sub, where, hashes)
	}
}

// sdJWTReserved are the SD-JWT VC claims show writes in its own rows.
var sdJWTReserved = []string{"iss", "vct", "vct#integrity", "iat", "nbf", "exp", "cnf", "status", "sub", "jti"}

// showSDJWT writes an SD-JWT VC (and its Key Binding JWT), unverified: the
// claims its Disclosures disclose in place, and which those are.
func showSDJWT(w io.Writer, c *sdjwt.Compact) error {
	u, err := jose.ParseUnverified(c.JWT)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(u.Payload)))
	dec.UseNumber()
	var payload map[string]any
	if err := dec.Decode(&payload); err != nil || payload == nil {
		return errors.New("the SD-JWT's payload is not a JSON object")
	}
	all, paths, withheld, err := sdjwt.ProcessWithheld(payload, c.Disclosures)
	if err != nil {
		return err
	}
	vct, _ := all["vct"].(string)
	fmt.Fprintf(w, "An SD-JWT VC (%s)\n", orNone(vct))
	iss, _ := all["iss"].(string)
	row(w, "  ", "issued by", orNone(iss))
	var about []string
	if cnf, ok := all["cnf"]; ok {
		if k, err := sdjwt.CnfKey(cnf); err == nil {
			if id, err := didjwk.New(k); err == nil {
				about = append(about, "the holder of the key it binds ("+id.String()+")")
			}
		}
	}
	if sub, ok := all["sub"].(string); ok {
		about = append(about, sub)
	}
	row(w, "  ", "about", orNone(strings.Join(about, ", ")))
	at := func(name string) time.Time {
		n, _ := all[name].(json.Number)
		s, err := n.Int64()
		if err != nil || s <= 0 {
			return time.Time{}
		}
		return time.Unix(s, 0)
	}
	from, until := at("nbf"), at("exp")
	if from.IsZero() {
		from = at("iat")
	}
	switch {
	case from.IsZero() && until.IsZero():
		row(w, "  ", "valid", "no validity period stated")
	case until.IsZero():
		row(w, "  ", "valid", "from "+humanTime(from))
	default:
		row(w, "  ", "valid", "from "+humanTime(from)+" until "+humanTime(until))
	}
	row(w, "  ", "secured as", fmt.Sprintf("SD-JWT (%s), signed with %s by %s", orNone(u.Header.Typ), u.Header.Alg, orNone(u.Header.Kid)))
	if c.KeyBinding != "" {
		kb := "a Key Binding JWT"
		if k, err := jose.ParseUnverified(c.KeyBinding); err == nil {
			var claims struct {
				Aud   string `json:"aud"`
				Nonce string `json:"nonce"`
				IAT   int64  `json:"iat"`
			}
			json.Unmarshal(k.Payload, &claims)
			kb += fmt.Sprintf(" for %s (challenge %q), made %s", orNone(claims.Aud), claims.Nonce, humanTime(time.Unix(claims.IAT, 0)))
		}
		row(w, "  ", "presented with", kb)
	}
	if st, ok := all["status"]; ok {
		if ref, err := status.ReadReference(st); err == nil {
			row(w, "  ", "status", fmt.Sprintf("entry %d of %s (Token Status List)", ref.Index, ref.URI))
		} else {
			row(w, "  ", "status", "cannot be read: "+err.Error())
		}
	} else {
		row(w, "  ", "status", "none: its issuer cannot revoke it")
	}
	if len(paths) == 0 {
		row(w, "  ", "disclosed", "nothing beyond what is always shown")
	} else {
		row(w, "  ", "disclosed", strings.Join(paths, ", "))
	}
	var kept []string
	for loc, n := range withheld {
		where := loc
		if where == "" {
			where = "the credential"
		}
		kept = append(kept, fmt.Sprintf("%d in %s", n, where))
	}
	if len(kept) > 0 {
		slices.Sort(kept)
		row(w, "  ", "kept back", strings.Join(kept, ", "))
	}
	shownClaims := map[string]any{}
	for k, v := range all {
		if !slices.Contains(sdJWTReserved, k) {
			shownClaims[k] = v
		}
	}
	fmt.Fprintln(w, "  what it says")
	var none []hashAt
	claims(w, "    ", shownClaims, "", &none)
	return nil
}

// hashMembers are the salted hashes --check can test, by the name people
// use for the number.
var hashMembers = map[string]string{
	"certificate-number": "certificateNumberHash",
	"document-number":    "documentNumberHash",
	"share-code":         "shareCodeHash",
}

// hashAt is a salted hash met while showing, with where it is.
type hashAt struct {
	member, where string
	hash          staff.SaltedHash
}

// claims writes a subject's members: staff vocabulary labels, values in
// words, lists and objects indented, salted hashes named but never shown.
func claims(w io.Writer, indent string, v any, where string, hashes *[]hashAt) {
	m, ok := v.(map[string]any)
	if !ok {
		row(w, indent, "", fmt.Sprint(v))
		return
	}
	names := make([]string, 0, len(m))
	for k := range m {
		if k != "id" && k != "type" {
			names = append(names, k)
		}
	}
	sort.Slice(names, func(i, j int) bool { return strings.ToLower(label(names[i])) < strings.ToLower(label(names[j])) })
	for _, k := range names {
		val := m[k]
		if isSaltedHash(val) {
			var h staff.SaltedHash
			b, _ := json.Marshal(val)
			if json.Unmarshal(b, &h) == nil {
				*hashes = append(*hashes, hashAt{member: k, where: where + label(k), hash: h})
			}
			what := "held as a salted hash, not the number"
			for name, member := range hashMembers {
				if member == k {
					what += fmt.Sprintf(" (check one with --check %s=...)", name)
				}
			}
			row(w, indent, label(k), what)
			continue
		}
		switch x := val.(type) {
		case map[string]any:
			row(w, indent, label(k), "")
			claims(w, indent+"  ", x, where, hashes)
		case []any:
			if allScalars(x) {
				var parts []string
				for _, e := range x {
					parts = append(parts, words(k, e))
				}
				row(w, indent, label(k), strings.Join(parts, ", "))
				continue
			}
			for i, e := range x {
				row(w, indent, fmt.Sprintf("%s %d", label(k), i+1), "")
				claims(w, indent+"  ", e, fmt.Sprintf("%s%s %d: ", where, label(k), i+1), hashes)
			}
		default:
			row(w, indent, label(k), words(k, val))
		}
	}
}

func isSaltedHash(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, salt := m["salt"]
	_, digest := m["digest"]
	return salt && digest
}

func allScalars(l []any) bool {
	for _, e := range l {
		switch e.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

// words writes a claim's value for people: dates as "4 November 2024",
// booleans as yes and no, the training subjects by their titles, other
// words with their hyphens as spaces.
func words(member string, v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		return fmt.Sprint(x)
	case string:
		if d, err := staff.ParseDate(x); err == nil {
			return d.Time().Format("2 January 2006")
		}
		if member == "cstfSubject" {
			if t := staff.Subject(x).Title(); t != "" {
				return t
			}
		}
		if strings.HasPrefix(x, "did:") || strings.Contains(x, "://") || strings.ContainsAny(x, " ") {
			return x
		}
		return strings.ReplaceAll(x, "-", " ")
	}
	return fmt.Sprint(v)
}

func row(w io.Writer, indent, name, value string) {
	switch {
	case name == "":
		fmt.Fprintf(w, "%s%s\n", indent, value)
		return
	case value == "":
		fmt.Fprintf(w, "%s%s\n", indent, name)
		return
	}
	fmt.Fprintf(w, "%s%-*s %s\n", indent, 40-len(indent), name, value)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func humanTime(t time.Time) string { return t.UTC().Format("2 January 2006 15:04 UTC") }

func humanDateTime(s string) string {
	d, err := vc.ParseDateTime(s)
	if err != nil {
		return s
	}
	return humanTime(d.Time())
}

// checkHashes tests the numbers --check gives against the salted hashes
// of their kind, and reports each.
func checkHashes(w io.Writer, hashes []hashAt, wanted map[string]string) error {
	if len(wanted) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	names := make([]string, 0, len(wanted))
	for n := range wanted {
		names = append(names, n)
	}
	slices.Sort(names)
	mismatch := 0
	for _, name := range names {
		value, member := wanted[name], hashMembers[name]
		found := false
		for _, h := range hashes {
			if h.member != member {
				continue
			}
			found = true
			if h.hash.Matches(value) {
				fmt.Fprintf(w, "%s: the %s shown MATCHES the salted hash\n", h.where, strings.ReplaceAll(name, "-", " "))
			} else {
				fmt.Fprintf(w, "%s: the %s shown does NOT match the salted hash\n", h.where, strings.ReplaceAll(name, "-", " "))
				mismatch++
			}
		}
		if !found {
			fmt.Fprintf(w, "no %s is held in this document\n", strings.ReplaceAll(name, "-", " "))
			mismatch++
		}
	}
	if mismatch > 0 {
		return &notVerifiedError{failed: mismatch, total: len(wanted)}
	}
	return nil
}

// kindNames name the staff credential types for people.
var kindNames = map[string]string{
	staff.TypeIdentityCheck:               "identity check",
	staff.TypeRightToWork:                 "right to work check",
	staff.TypeDBSCheck:                    "DBS check",
	staff.TypeMandatoryTraining:           "mandatory training",
	staff.TypeProfessionalRegistration:    "professional registration",
	staff.TypeOccupationalHealthClearance: "occupational health clearance",
	staff.TypeEmployment:                  "employment",
	staff.TypeEmploymentHistory:           "employment history",
}

// labels are the staff vocabulary's words for people.
var labels = map[string]string{
	"checkDate": "checked on", "checkedBy": "checked by",
	"givenName": "given name", "familyName": "family name", "dateOfBirth": "date of birth", "photoDigest": "photo",
	"documentsSeen": "document seen", "documentType": "document", "issuingCountry": "issued by (country)",
	"documentNumberHash": "document number", "documentExpiryDate": "document expires on",
	"checkMethod": "how it was checked", "identityProvider": "identity provider", "confidenceLevel": "GPG 45 confidence",
	"rightToWorkRoute": "how right to work was checked", "rightToWorkStatus": "right to work",
	"shareCodeHash": "share code", "permissionExpiryDate": "permission ends on", "followUpDate": "follow-up check due by",
	"workRestrictions": "work restrictions", "maxHoursPerWeek": "most hours a week",
	"dbsLevel": "DBS level", "dbsWorkforce": "workforce", "barredListsChecked": "barred lists checked",
	"certificateNumberHash": "certificate number", "certificateIssueDate": "certificate issued on",
	"updateServiceSubscribed": "on the DBS Update Service", "updateServiceCheckDate": "Update Service last checked on",
	"trainingRecords": "training", "cstfSubject": "subject", "trainingLevel": "level", "completionDate": "completed on",
	"trainingProvider": "provider", "frameworkVersion": "CSTF version",
	"regulator": "regulator", "registrationNumber": "registration number", "registerName": "register",
	"registerAnnotations": "register annotations", "registrationStatus": "registration", "registrationConditions": "conditions",
	"renewalDate":    "renewal or revalidation due on",
	"fitnessOutcome": "outcome", "eppCleared": "cleared for exposure-prone procedures",
	"immunisationClearances": "immunisation", "immunisationGroup": "group", "cleared": "cleared", "reviewDate": "review due on",
	"employer": "employer", "employerName": "employer", "jobRole": "job role", "staffGroup": "staff group",
	"startDate": "started on", "endDate": "ended on", "assignmentNumber": "assignment number",
	"employmentHistory": "past employment", "referenceReceivedDate": "reference received on",
	"name": "name",
}

func label(member string) string {
	if l := labels[member]; l != "" {
		return l
	}
	return member
}
