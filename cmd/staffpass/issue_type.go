package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/vc/staff"
)

// newIssueTypeCmds makes 'staffpass issue <type>' for every staff credential
// type a CSV row can hold: one credential from flags named like the type's
// columns, with the parser and checks of 'issue batch'.
func newIssueTypeCmds() []*cobra.Command {
	var cmds []*cobra.Command
	for _, name := range batchTypeNames() {
		typ, err := batchType(name)
		if err != nil {
			continue
		}
		cmds = append(cmds, newIssueTypeCmd(name, typ))
	}
	return cmds
}

func newIssueTypeCmd(name, typ string) *cobra.Command {
	cols := staff.RowColumns(typ)
	values := make([]string, len(cols))
	var org, format, actorFlag, registryURL string
	var required []string
	for _, c := range cols {
		if c.Required {
			required = append(required, "--"+flagName(c.Name)+" V")
		}
	}
	cmd := &cobra.Command{
		Use:     name + " --org DIR " + strings.Join(required, " ") + " [flags]",
		Aliases: aliasesOf(name, typ),
		Short:   "Issue one " + typ + " from flags named like its CSV columns",
		Long: `Issue one ` + typ + ` as the organisation in --org, from flags named like the
columns of 'staffpass issue batch --type ` + name + `' (the same parser, rules and
checks), so that no JSON-LD, schema digest or salted hash is written by hand.
The signed credential is printed.

A staff id, type and check date name the credential: issuing the same again
prints the credential issued the first time (when the flags say what it
says), and a credential since revoked is not printed again; a new check, with
its own check date, makes a new credential.

Identifier flags (document numbers, DBS certificate numbers, share codes) go
into the credential only as salted hashes. Give "-" to read the value from
standard input instead of the command line, where other users of the machine
could see it.

--format dc+sd-jwt issues an SD-JWT VC for the member of staff's wallet: the
identifiers and the date of birth are selectively disclosable claims (each
under a random salt, so no slow hash), the wallet key of --subject is bound
(cnf), and its status is the organisation's revocation list as an IETF Token
Status List ('staffpass status publish' writes it). It can be revoked, not
suspended.`,
		Example: exampleOf(name, cols),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if org == "" {
				return withHint(errors.New("--org is required"), "set up an organisation with 'staffpass org init'")
			}
			f := issuer.Format(format)
			if !slices.Contains(issuer.Formats(), f) && f != issuer.FormatSDJWT {
				return withHint(fmt.Errorf("unknown format %q", format), "use jwt, dc+sd-jwt or a Data Integrity suite (see 'staffpass sign --help')")
			}
			cells := map[string]string{}
			in := bufio.NewReader(cmd.InOrStdin())
			for i, c := range cols {
				flag := cmd.Flags().Lookup(flagName(c.Name))
				if !flag.Changed {
					continue
				}
				v := values[i]
				if c.Identifier {
					var err error
					if v, err = identifierValue(cmd, in, flag.Name, v); err != nil {
						return err
					}
				}
				cells[c.Name] = v
			}
			o, err := openOrganisation(org, registryURL)
			if err != nil {
				return err
			}
			signer, err := o.Signer()
			if err != nil {
				return err
			}
			reg, err := o.OpenRegistry(cmd.Context())
			if err != nil {
				return err
			}
			defer reg.Close()
			rec, signed, err := issuer.IssueOne(cmd.Context(), reg, signer, typ, staff.CSVRow{Cells: cells},
				issuer.BatchOptions{Format: f, Actor: actor(actorFlag), Clock: time.Now})
			if err != nil {
				return flagFailures(err, name)
			}
			if signed {
				fmt.Fprintf(cmd.ErrOrStderr(), "staffpass: issued %s (%s) to %s\n", rec.CredentialID, rec.Type, subjectName(rec.Subject))
			} else {
				fmt.Fprintf(cmd.ErrOrStderr(), "staffpass: already issued %s (%s) to %s on %s; printing that credential\n",
					rec.CredentialID, rec.Type, subjectName(rec.Subject), rec.IssuedAt.UTC().Format(time.DateOnly))
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", rec.Credential)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&org, "org", "", "the organisation directory (from 'staffpass org init')")
	addRegistryFlag(fl, &registryURL)
	fl.StringVar(&format, "format", string(issuer.FormatJWT), "jwt, dc+sd-jwt (an SD-JWT VC) or a Data Integrity suite")
	fl.StringVar(&actorFlag, "actor", "", "who issues, for the audit trail (default: the login name)")
	for i, c := range cols {
		help := c.Help
		if c.Required {
			help += " (required)"
		}
		if c.Identifier {
			help += "; - reads it from standard input"
		}
		fl.StringVar(&values[i], flagName(c.Name), "", help)
	}
	return cmd
}

// flagName is the flag of a CSV column: staff_id is --staff-id.
func flagName(column string) string { return strings.ReplaceAll(column, "_", "-") }

func aliasesOf(name, typ string) []string {
	var out []string
	for _, a := range []string{staff.ShortName(typ), typ} {
		if a != name && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

func exampleOf(name string, cols []staff.Column) string {
	var b strings.Builder
	b.WriteString("  staffpass issue " + name + " --org ./kch")
	for _, c := range cols {
		if c.Required {
			v := "..."
			if c.Identifier {
				v = "-"
			}
			b.WriteString(" --" + flagName(c.Name) + " " + v)
		}
	}
	return b.String()
}

// flagFailures turns the row failures of issuer.IssueOne into one error
// naming each flag at fault.
func flagFailures(err error, name string) error {
	var parts []string
	var joined interface{ Unwrap() []error }
	errs := []error{err}
	if errors.As(err, &joined) {
		errs = joined.Unwrap()
	}
	for _, e := range errs {
		var f *issuer.RowFailure
		if !errors.As(e, &f) {
			parts = append(parts, e.Error())
			continue
		}
		if f.Column != "" {
			parts = append(parts, "--"+flagName(f.Column)+": "+f.Reason)
		} else {
			parts = append(parts, f.Reason)
		}
	}
	err = errors.New(strings.Join(parts, "; "))
	return withHint(err, "'staffpass issue "+name+" --help' lists the flags")
}

// identifierValue is the value of an identifier's flag: "-" reads it from
// a line of in (standard input); a value on the command line is taken,
// with a warning that other users of the machine can see it.
func identifierValue(cmd *cobra.Command, in *bufio.Reader, name, v string) (string, error) {
	if v != "-" {
		fmt.Fprintf(cmd.ErrOrStderr(), "staffpass: warning: --%s on the command line can be seen by other users of this machine; give - to read it from standard input\n", name)
		return v, nil
	}
	line, err := in.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("--%s -: reading it from standard input: %w", name, err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
