package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/bundle"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/policy"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/verifier"
)

func newDemoCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Walk through the whole staffpass journey on built-in example data",
		Long: `Walk through what staffpass does, on built-in example data, in a temporary
directory (or --dir): Riverside NHS Trust sets up and issues a nurse, Jo,
identity, right to work, DBS and training credentials, held in Jo's phone
wallet; Hillside NHS Trust, where Jo takes bank shifts, builds a trust bundle
of Riverside and verifies Jo's presentation offline for its bank healthcare
assistant role; Riverside revokes the DBS check, Hillside takes a new bundle,
and the same presentation is refused, saying why. Nothing leaves the machine.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			work := dir
			if work == "" {
				tmp, err := os.MkdirTemp("", "staffpass-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				work = tmp
			}
			if err := runDemo(cmd.Context(), cmd.OutOrStdout(), work); err != nil {
				return err
			}
			if dir != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "The demo's files are in %s\n", dir)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "keep the demo's files in this directory instead of a temporary one")
	return cmd
}

// demoRole is what Hillside asks of a bank healthcare assistant.
const demoRole = `{
  "role": "bank-hca",
  "title": "Bank healthcare assistant",
  "dueWithinDays": 60,
  "requirements": {
    "identityCheck": {},
    "rightToWork": {},
    "dbsCheck": {"minLevel": "enhanced-with-barred-lists", "workforce": "adult-and-child", "barredLists": ["adults", "children"]},
    "mandatoryTraining": {"subjects": [{"subject": "fire-safety", "level": 1}, {"subject": "safeguarding-adults", "level": 2}]}
  }
}`

func runDemo(ctx context.Context, w io.Writer, dir string) error {
	n := 0
	step := func(format string, a ...any) {
		n++
		fmt.Fprintf(w, "\n%d. %s\n", n, fmt.Sprintf(format, a...))
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		london = time.UTC
	}
	now := time.Now().In(london).Truncate(time.Second)
	today := staff.DateOf(now)

	step("Riverside NHS Trust sets up: a signing key, its did:web DID document, an issuance registry")
	riverside, err := issuer.InitOrganisation(ctx, filepath.Join(dir, "riverside"), "riverside.nhs.example", issuer.InitOptions{})
	if err != nil {
		return err
	}
	signer, err := riverside.Signer()
	if err != nil {
		return err
	}
	reg, err := riverside.OpenRegistry(ctx)
	if err != nil {
		return err
	}
	defer reg.Close()
	fmt.Fprintf(w, "   %s, its DID document to publish at %s\n", riverside.DID, riverside.DocumentURL)

	step("Jo, a nurse, has a wallet on her phone: its own key, and her DID, a did:key")
	walletKey, err := keys.Generate(keys.Ed25519)
	if err != nil {
		return err
	}
	if err := keys.WritePrivateKeyFile(filepath.Join(dir, "jo-wallet.jwk"), walletKey, keys.FormatJWK); err != nil {
		return err
	}
	kid, err := didkey.KeyID(walletKey.Public())
	if err != nil {
		return err
	}
	wallet, err := keys.NewSigner(walletKey, kid)
	if err != nil {
		return err
	}
	jo, _, _ := strings.Cut(kid, "#")
	fmt.Fprintf(w, "   %s\n", jo)

	step("Riverside's HR checks Jo and issues four credentials to her wallet")
	passport, err := staff.NewSaltedHash(rand.Reader, "925076473")
	if err != nil {
		return err
	}
	certificate, err := staff.NewSaltedHash(rand.Reader, "001234567890")
	if err != nil {
		return err
	}
	checked := today.AddDays(-7)
	meta := staff.Meta{Issuer: riverside.DID, Subject: jo, ValidFrom: now.Add(-time.Hour), ValidUntil: now.AddDate(3, 0, 0)}
	claims := []staff.Claims{
		&staff.IdentityCheck{
			GivenName: "Jo", FamilyName: "Example", DateOfBirth: mustDate("1990-10-15"),
			DocumentsSeen: []staff.IdentityDocument{{Type: staff.DocPassport, IssuingCountry: "GBR", NumberHash: passport, ExpiryDate: today.AddDays(2000)}},
			Method:        staff.CheckInPerson, CheckedBy: "Riverside NHS Trust", CheckDate: checked,
		},
		&staff.RightToWork{Route: staff.RouteManualCheck, Status: staff.RightToWorkUnlimited, CheckDate: checked},
		&staff.DBSCheck{
			Level: staff.DBSEnhancedWithBarredLists, Workforce: staff.WorkforceAdultAndChild,
			BarredListsChecked:    []staff.BarredList{staff.BarredListAdults, staff.BarredListChildren},
			CertificateNumberHash: certificate, CertificateIssueDate: checked.AddDays(-20), CheckDate: checked,
		},
		&staff.MandatoryTraining{Records: []staff.TrainingRecord{
			{Subject: staff.SubjectFireSafety, Level: 1, CompletionDate: today.AddDays(-340), Provider: "e-Learning for Healthcare", FrameworkVersion: "CSTF England v1.1"},
			{Subject: staff.SubjectSafeguardingAdults, Level: 2, CompletionDate: today.AddDays(-200), Provider: "Riverside NHS Trust", FrameworkVersion: "CSTF England v1.1"},
		}},
	}
	formats := []issuer.Format{issuer.FormatJWT, issuer.FormatEdDSARDFC2022, issuer.FormatJWT, issuer.FormatEdDSARDFC2022}
	var held [][]byte
	var dbsID string
	for i, c := range claims {
		cred, err := staff.NewCredential(c, meta)
		if err != nil {
			return err
		}
		data, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		rec, _, err := issuer.IssueRecorded(ctx, reg, signer, issuer.Issuance{Credential: data, Format: formats[i], Actor: "hr-demo"}, now)
		if err != nil {
			return err
		}
		if c.CredentialType() == staff.TypeDBSCheck {
			dbsID = rec.CredentialID
		}
		held = append(held, rec.Credential)
		fmt.Fprintf(w, "   %-30s as %-16s revocable: %s\n", c.CredentialType(), formats[i], entries(rec))
	}
	fmt.Fprintln(w, "   the passport and DBS certificate numbers are in them only as salted hashes")

	step("Riverside publishes its status lists beside its DID document")
	site := filepath.Join(dir, "riverside-site")
	publish := func() ([]string, error) {
		pubs, err := issuer.PublishStatusLists(ctx, reg, signer, now, issuer.PublishOptions{Dir: filepath.Join(site, "status"), Format: riverside.StatusFormat, Actor: "hr-demo"})
		if err != nil {
			return nil, err
		}
		var files []string
		for _, p := range pubs {
			files = append(files, p.File)
			fmt.Fprintf(w, "   %s: %d of %d entries set\n", p.List.URL, p.Set, p.List.Size)
		}
		return files, nil
	}
	lists, err := publish()
	if err != nil {
		return err
	}

	step("Hillside NHS Trust, where Jo takes bank shifts, builds a signed trust bundle of Riverside")
	hillsideKey, err := keys.Generate(keys.Ed25519)
	if err != nil {
		return err
	}
	hillsideKID, err := didkey.KeyID(hillsideKey.Public())
	if err != nil {
		return err
	}
	hillside, err := keys.NewSigner(hillsideKey, hillsideKID)
	if err != nil {
		return err
	}
	hillsideDID, _, _ := strings.Cut(hillsideKID, "#")
	trustList := &bundle.TrustList{Name: "Hillside NHS Trust's trusted issuers", ValidFor: "24h", Issuers: []bundle.ListedIssuer{{
		ID: riverside.DID, Name: "Riverside NHS Trust",
		Types:       []string{staff.TypeIdentityCheck, staff.TypeRightToWork, staff.TypeDBSCheck, staff.TypeMandatoryTraining},
		StatusLists: []string{riverside.StatusBaseURL + "/1", riverside.StatusBaseURL + "/2"},
	}}}
	buildBundle := func(previous *bundle.Bundle) (*bundle.Bundle, error) {
		files, err := bundle.ReadFiles(append([]string{filepath.Join(dir, "riverside", issuer.DIDDocumentFile)}, lists...)...)
		if err != nil {
			return nil, err
		}
		b, err := bundle.Build(ctx, trustList, files, bundle.BuildOptions{Publisher: hillsideDID, Now: now, Previous: previous})
		if err != nil {
			return nil, err
		}
		signed, err := bundle.Sign(b, hillside)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "hillside-bundle.jwt"), signed, 0o644); err != nil {
			return nil, err
		}
		// What Hillside's verifiers load: the bundle, checked against its
		// publisher, Hillside itself.
		opened, err := bundle.Open(ctx, signed, hillsideDID, didkey.Resolver{})
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "   %s: %d issuer, %d status lists, valid until %s\n", filepath.Join(dir, "hillside-bundle.jwt"),
			len(opened.Issuers), len(opened.StatusLists), opened.ValidUntil.In(london).Format("2 Jan 2006 15:04"))
		return opened, nil
	}
	b1, err := buildBundle(nil)
	if err != nil {
		return err
	}

	step("Hillside gives Jo's phone a challenge; her wallet presents the four credentials")
	challenge := fmt.Sprintf("%x", sha256.Sum256([]byte(now.String())))[:16]
	const domain = "https://bank.hillside.nhs.example"
	vp, err := holder.Present(held, wallet, holder.Options{Format: vc.FormatJWT, Challenge: challenge, Domain: domain, Created: now})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   a vp+jwt of %d bytes, for challenge %s and %s\n", len(vp), challenge, domain)

	role, err := policy.ParseRole([]byte(demoRole))
	if err != nil {
		return err
	}
	judge := func(b *bundle.Bundle, vp []byte) (*verifier.Result, *policy.Verdict, error) {
		v, err := verifier.New(verifier.Trust{Bundles: []*bundle.Bundle{b}})
		if err != nil {
			return nil, nil, err
		}
		r, _ := v.Verify(ctx, vp, verifier.Policy{Challenge: challenge, Domain: domain, Now: now})
		verdict, err := policy.Evaluate(role, r)
		if verdict == nil {
			return nil, nil, err
		}
		return r, verdict, nil
	}

	step("Hillside verifies it offline, against its bundle, for its bank healthcare assistant role")
	r, verdict, err := judge(b1, vp)
	if err != nil {
		return err
	}
	printDemoResult(w, r, verdict, true)
	if !r.Verified || !verdict.Met {
		return errors.New("demo: Jo's presentation should have met the role")
	}

	step("A copy of the presentation with one credential changed is refused")
	tampered, err := tamperDemo(vp)
	if err != nil {
		return err
	}
	r, verdict, err = judge(b1, tampered)
	if err != nil {
		return err
	}
	printDemoResult(w, r, verdict, false)
	if r.Verified {
		return errors.New("demo: a tampered presentation verified")
	}

	step("Jo's phone also holds her DBS check as an SD-JWT VC; for a porter's shift she shows only what the role needs")
	sdRec, _, err := issuer.IssueOne(ctx, reg, signer, staff.TypeDBSCheck, staff.CSVRow{Cells: map[string]string{
		"staff_id": "E1001", "subject": jo, "dbs_level": "enhanced-with-barred-lists", "dbs_workforce": "adult-and-child",
		"barred_lists_checked": "adults; children", "certificate_number": "001234567890",
		"certificate_issue_date": checked.AddDays(-20).String(), "update_service_subscribed": "no", "check_date": checked.String(),
	}}, issuer.BatchOptions{Format: issuer.FormatSDJWT, Actor: "hr-demo", Clock: func() time.Time { return now }})
	if err != nil {
		return err
	}
	statusLists, err := reg.StatusLists(ctx)
	if err != nil {
		return err
	}
	var tokens [][]byte
	for _, l := range statusLists {
		if l.Purpose == "revocation" {
			tok, err := issuer.SignTokenList(ctx, reg, signer, l.ID, now, issuer.PublishOptions{})
			if err != nil {
				return err
			}
			tokens = append(tokens, tok)
		}
	}
	porterChallenge := fmt.Sprintf("%x", sha256.Sum256([]byte("porter "+now.String())))[:16]
	shown, err := sdjwt.Present(string(sdRec.Credential), func(string) bool { return false }, &sdjwt.KeyBinding{
		Signer: wallet, Audience: domain, Nonce: porterChallenge, IssuedAt: now})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   issued as %s: the certificate number a selectively disclosable claim, not a hash\n", issuer.FormatSDJWT)
	if c, err := sdjwt.Split(shown); err != nil || len(c.Disclosures) != 0 {
		return errors.New("demo: the SD-JWT VC was shown with a Disclosure")
	}
	fmt.Fprintf(w, "   shown with a Key Binding JWT for %s, and no Disclosure: the certificate number stays on the phone\n", domain)
	porter, err := policy.ParseRole([]byte(`{"role": "porter", "title": "Porter", "requirements": {
		"dbsCheck": {"minLevel": "enhanced-with-barred-lists", "workforce": "adult-and-child", "barredLists": ["adults", "children"]}}}`))
	if err != nil {
		return err
	}
	sv, err := verifier.New(verifier.Trust{Bundles: []*bundle.Bundle{b1}, StatusLists: tokens, StatusListsFetched: now})
	if err != nil {
		return err
	}
	sr, _ := sv.Verify(ctx, []byte(shown), verifier.Policy{Challenge: porterChallenge, Domain: domain, Now: now, RequireKeyBinding: true})
	sdVerdict, err := policy.Evaluate(porter, sr)
	if sdVerdict == nil {
		return err
	}
	printDemoResult(w, sr, sdVerdict, true)
	if len(sr.Credentials) != 1 {
		return errors.New("demo: Jo's SD-JWT VC presentation did not verify")
	}
	fmt.Fprintf(w, "     disclosed: %s; kept back: %s\n", orNothing(sr.Credentials[0].Disclosed), claimsCount(withheldCount(sr.Credentials[0].Withheld)))
	if !sr.Verified || !sdVerdict.Met {
		return errors.New("demo: Jo's SD-JWT VC should have met the porter role")
	}

	step("Riverside revokes Jo's DBS check and publishes its lists again; Hillside takes a new bundle")
	if _, err := reg.Revoke(ctx, registry.Target{CredentialID: dbsID}, registry.Change{Actor: "hr-demo", Reason: "barred list match reported"}); err != nil {
		return err
	}
	if lists, err = publish(); err != nil {
		return err
	}
	b2, err := buildBundle(b1)
	if err != nil {
		return err
	}

	step("The same presentation, verified against the new bundle, is refused, and says why")
	r, verdict, err = judge(b2, vp)
	if err != nil {
		return err
	}
	printDemoResult(w, r, verdict, true)
	if r.Verified || verdict.Met {
		return errors.New("demo: the revoked DBS check still counted")
	}

	fmt.Fprintln(w, "\nDone. Nothing was sent over the network.")
	return nil
}

// claimsCount says how many claims: "1 claim", "2 claims".
func claimsCount(n int) string {
	if n == 1 {
		return "1 claim"
	}
	return fmt.Sprintf("%d claims", n)
}

// withheldCount counts the claims kept back, at every level.
func withheldCount(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// orNothing names the disclosed claims, or says none were.
func orNothing(ps []string) string {
	if len(ps) == 0 {
		return "nothing beyond what is always shown"
	}
	return strings.Join(ps, ", ")
}

// tamperDemo changes the family name inside the identity credential of a
// vp+jwt, keeping its signatures: what someone editing a file would do.
func tamperDemo(vp []byte) ([]byte, error) {
	parts := strings.Split(string(vp), ".")
	if len(parts) != 3 {
		return nil, errors.New("demo: not a vp+jwt")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(payload, &doc); err != nil {
		return nil, err
	}
	vcs, _ := doc["verifiableCredential"].([]any)
	if len(vcs) < 2 {
		return nil, errors.New("demo: no credential to change")
	}
	cred, _ := vcs[1].(map[string]any)
	subject, _ := cred["credentialSubject"].(map[string]any)
	if subject == nil {
		return nil, errors.New("demo: no subject to change")
	}
	subject["rightToWorkStatus"] = "time-limited"
	changed, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return []byte(parts[0] + "." + base64.RawURLEncoding.EncodeToString(changed) + "." + parts[2]), nil
}

// printDemoResult prints what a person at Hillside reads: the verdict on
// the presentation, what did not pass, and the role.
func printDemoResult(w io.Writer, r *verifier.Result, verdict *policy.Verdict, withRole bool) {
	if r.Verified {
		fmt.Fprintf(w, "   VERIFIED: %s\n", describe(r))
	} else {
		fmt.Fprintf(w, "   NOT VERIFIED: %s\n", describe(r))
	}
	for _, c := range r.Checks {
		if c.Status == verifier.Failed {
			fmt.Fprintf(w, "     %-20s %-8s %s\n", c.Name, c.Status, oneLine(c.Reason))
		}
	}
	for i, cr := range r.Credentials {
		v := "verified"
		if !cr.Verified {
			v = "NOT VERIFIED"
		}
		fmt.Fprintf(w, "     credential %d: %-12s %s from %s (%s)\n", i+1, v, mainTypeOf(cr.Types), cr.Issuer, cr.Format)
		for _, c := range cr.Checks {
			if c.Status == verifier.Failed {
				fmt.Fprintf(w, "       %-18s %-8s %s\n", c.Name, c.Status, oneLine(c.Reason))
			}
		}
	}
	if !withRole {
		return
	}
	met := "MET"
	if !verdict.Met {
		met = "NOT MET"
	}
	fmt.Fprintf(w, "   role %s: %s\n", verdict.Title, met)
	for _, q := range verdict.Requirements {
		fmt.Fprintf(w, "     %-40s %-8s %s\n", q.Name, q.Outcome, oneLine(q.Reason))
	}
}

func mainTypeOf(types []string) string {
	for i := len(types) - 1; i >= 0; i-- {
		if types[i] != vc.TypeCredential {
			return types[i]
		}
	}
	return vc.TypeCredential
}

func mustDate(s string) staff.Date {
	d, err := staff.ParseDate(s)
	if err != nil {
		panic(err) // a constant of this file
	}
	return d
}

func entries(rec *registry.Record) string {
	var parts []string
	for _, s := range rec.Status {
		parts = append(parts, fmt.Sprintf("%s #%d", s.Purpose, s.Index))
	}
	return strings.Join(parts, ", ")
}
