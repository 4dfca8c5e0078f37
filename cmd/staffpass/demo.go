package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/did"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/verifier"
)

func newDemoCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Walk through the staffpass flow on built-in example data",
		Long: `Walk through what staffpass does, on built-in example data, in a temporary
directory (or --dir): an NHS trust sets up, issues a member of staff an
identity check and a DBS check credential, publishes its status lists; a second
trust verifies them offline and judges them against a role; a tampered copy is
refused; the trust revokes the DBS check and the next verification sees it.
Nothing leaves the machine.`,
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

// demoRole is what the receiving trust asks of a bank healthcare assistant.
const demoRole = `{
  "role": "bank-hca",
  "title": "Bank healthcare assistant",
  "requirements": {
    "identityCheck": {},
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

	step("Riverside NHS Trust sets up: a signing key, a did:web DID document, an issuance registry")
	org, err := issuer.InitOrganisation(ctx, filepath.Join(dir, "riverside"), "riverside.nhs.example", issuer.InitOptions{})
	if err != nil {
		return err
	}
	signer, err := org.Signer()
	if err != nil {
		return err
	}
	reg, err := org.OpenRegistry(ctx)
	if err != nil {
		return err
	}
	defer reg.Close()
	fmt.Fprintf(w, "   DID %s, DID document to publish at %s\n", org.DID, org.DocumentURL)

	step("Jo's phone wallet makes its own key; Jo's DID is a did:key")
	wallet, err := keys.Generate(keys.Ed25519)
	if err != nil {
		return err
	}
	if err := keys.WritePrivateKeyFile(filepath.Join(dir, "jo-wallet.jwk"), wallet, keys.FormatJWK); err != nil {
		return err
	}
	jo, err := didkey.New(wallet.Public())
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   %s\n", jo)

	step("HR checks Jo's identity and DBS certificate and issues two credentials")
	passport, err := staff.NewSaltedHash(rand.Reader, "925076473")
	if err != nil {
		return err
	}
	certificate, err := staff.NewSaltedHash(rand.Reader, "001234567890")
	if err != nil {
		return err
	}
	checked := today.AddDays(-7)
	meta := staff.Meta{Issuer: org.DID, Subject: jo.String(), ValidFrom: now.Add(-time.Hour), ValidUntil: now.AddDate(3, 0, 0)}
	claims := []staff.Claims{
		&staff.IdentityCheck{
			GivenName: "Jo", FamilyName: "Example", DateOfBirth: mustDate("1990-10-15"),
			DocumentsSeen: []staff.IdentityDocument{{Type: staff.DocPassport, IssuingCountry: "GBR", NumberHash: passport, ExpiryDate: today.AddDays(2000)}},
			Method:        staff.CheckInPerson, CheckedBy: "Riverside NHS Trust", CheckDate: checked,
		},
		&staff.DBSCheck{
			Level: staff.DBSEnhancedWithBarredLists, Workforce: staff.WorkforceAdultAndChild,
			BarredListsChecked:    []staff.BarredList{staff.BarredListAdults, staff.BarredListChildren},
			CertificateNumberHash: certificate, CertificateIssueDate: checked.AddDays(-20), CheckDate: checked,
		},
	}
	formats := []issuer.Format{issuer.FormatEdDSARDFC2022, issuer.FormatJWT}
	var wallet1 [][]byte
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
		wallet1 = append(wallet1, rec.Credential)
		fmt.Fprintf(w, "   %-24s %s as %s, %d bytes, status list entries %s\n", c.CredentialType(), rec.CredentialID, formats[i], len(rec.Credential), entries(rec))
	}
	fmt.Fprintln(w, "   the passport and DBS certificate numbers are only in the credentials as salted hashes")

	step("Riverside publishes its status lists (to host beside its DID document)")
	site := filepath.Join(dir, "riverside-site", "status")
	pubs, err := issuer.PublishStatusLists(ctx, reg, signer, now, issuer.PublishOptions{Dir: site, Format: org.StatusFormat, Actor: "hr-demo"})
	if err != nil {
		return err
	}
	lists, err := readAll(pubs)
	if err != nil {
		return err
	}
	for _, p := range pubs {
		fmt.Fprintf(w, "   %s -> %s\n", p.File, p.List.URL)
	}

	step("Jo moves to Hillside NHS Trust, which verifies the wallet offline")
	doc, err := org.Document()
	if err != nil {
		return err
	}
	static := &did.StaticResolver{}
	if err := static.Add(doc.ID, doc); err != nil {
		return err
	}
	resolver := did.Router{"web": static, didkey.Method: didkey.Resolver{}}
	newVerifier := func(lists [][]byte) (*verifier.Verifier, error) {
		return verifier.New(verifier.Trust{Issuers: []string{org.DID}, Resolver: resolver, StatusLists: lists},
			verifier.WithClock(func() time.Time { return now }))
	}
	v, err := newVerifier(lists)
	if err != nil {
		return err
	}
	var verified []*vc.Credential
	for _, cred := range wallet1 {
		r, err := v.Verify(ctx, cred, verifier.Policy{})
		printResult(w, r)
		if err != nil {
			return fmt.Errorf("demo: a freshly issued credential did not verify: %w", err)
		}
		verified = append(verified, r.Credential)
	}

	step("and judges them against what a bank healthcare assistant needs")
	role, err := staff.ParseRole([]byte(demoRole))
	if err != nil {
		return err
	}
	outcome, err := staff.Evaluate(role, verified, now)
	if err != nil && !errors.Is(err, staff.ErrNotMet) {
		return err
	}
	for _, req := range outcome.Requirements {
		fmt.Fprintf(w, "   %-44s %-8s %s\n", req.Requirement, req.Outcome, req.Reason)
	}

	step("A tampered copy (the family name changed after signing) is refused")
	tampered := []byte(strings.Replace(string(wallet1[0]), `"Example"`, `"Exampel"`, 1))
	r, err := v.Verify(ctx, tampered, verifier.Policy{})
	printResult(w, r)
	if err == nil {
		return errors.New("demo: a tampered credential verified")
	}

	step("Riverside revokes Jo's DBS check credential and publishes again")
	if _, err := reg.Revoke(ctx, issuer.Target{CredentialID: dbsID}, issuer.Change{Actor: "hr-demo", Reason: "certificate superseded"}); err != nil {
		return err
	}
	if pubs, err = issuer.PublishStatusLists(ctx, reg, signer, now, issuer.PublishOptions{Dir: site, Format: org.StatusFormat, Actor: "hr-demo"}); err != nil {
		return err
	}
	if lists, err = readAll(pubs); err != nil {
		return err
	}
	if v, err = newVerifier(lists); err != nil {
		return err
	}
	r, err = v.Verify(ctx, wallet1[1], verifier.Policy{})
	printResult(w, r)
	if !errors.Is(err, verifier.ErrRevoked) {
		return fmt.Errorf("demo: the revoked credential was not reported revoked: %v", err)
	}

	fmt.Fprintln(w, "\nDone. Nothing was sent over the network.")
	return nil
}

func mustDate(s string) staff.Date {
	d, err := staff.ParseDate(s)
	if err != nil {
		panic(err) // a constant of this file
	}
	return d
}

func entries(rec *issuer.Record) string {
	var parts []string
	for _, s := range rec.Status {
		parts = append(parts, fmt.Sprintf("%s #%d", s.Purpose, s.Index))
	}
	return strings.Join(parts, ", ")
}

func readAll(pubs []issuer.Published) ([][]byte, error) {
	var out [][]byte
	for _, p := range pubs {
		data, err := os.ReadFile(p.File)
		if err != nil {
			return nil, err
		}
		out = append(out, data)
	}
	return out, nil
}

func printResult(w io.Writer, r *verifier.Result) {
	verdict := "VERIFIED"
	if !r.Verified {
		verdict = "NOT VERIFIED"
	}
	fmt.Fprintf(w, "   %s %s (%s)\n", verdict, strings.Join(r.Types, ", "), r.Format)
	for _, c := range r.Checks {
		line := fmt.Sprintf("     %-20s %s", c.Name, c.Status)
		if c.Status != verifier.Passed && c.Reason != "" {
			line += ": " + strings.ReplaceAll(c.Reason, "\n", "; ")
		}
		fmt.Fprintln(w, line)
	}
}
