package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/issuer"
)

type issueOptions struct {
	org          string
	registry     string
	format       string
	issuanceKey  string
	notRevocable bool
	actor        string
}

func newIssueCmd() *cobra.Command {
	var o issueOptions
	cmd := &cobra.Command{
		Use:   "issue --org DIR [--format F] FILE",
		Short: "Issue a credential as the organisation, recorded in its registry",
		Long: `Issue the unsigned credential in FILE ("-" for standard input) as the
organisation set up in DIR: the registry gives it an id (when it has none) and
revocation and suspension entries in the organisation's status lists, then it
is signed and recorded. The signed credential is printed.

Issuing is idempotent: issuing the same claims about the same person again
(or the same --issuance-key) prints the credential issued the first time, so
an interrupted run can simply be repeated. The credential's issuer must be the
organisation's DID.

To issue many credentials from a spreadsheet, see 'staffpass issue batch'.`,
		Example: `  staffpass issue --org ./kch dbs.json > dbs.jwt
  staffpass issue --org ./kch --format eddsa-rdfc-2022 --issuance-key "E1234|DBS|2026-11-20" dbs.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.org == "" {
				return withHint(errors.New("--org is required"), "set up an organisation with 'staffpass org init'")
			}
			format := issuer.Format(o.format)
			if !slices.Contains(issuer.Formats(), format) {
				return withHint(fmt.Errorf("unknown format %q", o.format), "use jwt or a Data Integrity suite (see 'staffpass sign --help')")
			}
			org, err := openOrganisation(o.org, o.registry)
			if err != nil {
				return err
			}
			signer, err := org.Signer()
			if err != nil {
				return err
			}
			data, err := readInput(cmd.InOrStdin(), args[0], limits.MaxDocumentBytes)
			if err != nil {
				return err
			}
			reg, err := org.OpenRegistry(cmd.Context())
			if err != nil {
				return err
			}
			defer reg.Close()
			now := time.Now().UTC().Truncate(time.Second)
			rec, signed, err := issuer.IssueRecorded(cmd.Context(), reg, signer, issuer.Issuance{
				Credential: data, Key: o.issuanceKey, Format: format, NotRevocable: o.notRevocable, Actor: actor(o.actor),
			}, now)
			if err != nil {
				if errors.Is(err, issuer.ErrIssuerMismatch) {
					return withHint(fmt.Errorf("%s: %w", args[0], err), "set the credential's issuer to "+org.DID)
				}
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if !signed && rec.Revoked {
				return fmt.Errorf("%s: the credential issued for these claims, %s (%s) to %s on %s, has been revoked; it is not printed again: issue the corrected or renewed claims, which make a new credential",
					args[0], rec.CredentialID, rec.Type, subjectName(rec.Subject), rec.IssuedAt.UTC().Format(time.DateOnly))
			}
			if signed {
				fmt.Fprintf(cmd.ErrOrStderr(), "staffpass: issued %s (%s) to %s\n", rec.CredentialID, rec.Type, subjectName(rec.Subject))
			} else {
				fmt.Fprintf(cmd.ErrOrStderr(), "staffpass: already issued %s (%s) to %s on %s; printing that credential\n",
					rec.CredentialID, rec.Type, subjectName(rec.Subject), rec.IssuedAt.UTC().Format(time.RFC3339))
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", rec.Credential)
			return err
		},
	}
	cmd.AddCommand(newIssueBatchCmd())
	cmd.AddCommand(newIssueTypeCmds()...)
	f := cmd.Flags()
	f.StringVar(&o.org, "org", "", "the organisation directory (from 'staffpass org init')")
	addRegistryFlag(f, &o.registry)
	f.StringVar(&o.format, "format", string(issuer.FormatJWT), "jwt or a Data Integrity suite")
	f.StringVar(&o.issuanceKey, "issuance-key", "", "what identifies this credential for reruns (default: type, subject and claims)")
	f.BoolVar(&o.notRevocable, "not-revocable", false, "issue without revocation and suspension entries")
	f.StringVar(&o.actor, "actor", "", "who issues, for the audit trail (default: the login name)")
	return cmd
}

// actor names who makes a change, for the registry's audit trail.
func actor(flag string) string {
	if flag != "" {
		return flag
	}
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		name += "@" + strings.SplitN(host, ".", 2)[0]
	}
	return name
}
