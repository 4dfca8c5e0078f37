package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/registry"
)

type statusShowOptions struct {
	org, id, subject, typ string
	registry              string
}

func newStatusShowCmd() *cobra.Command {
	var o statusShowOptions
	cmd := &cobra.Command{
		Use:   "show --org DIR (--id ID | --subject DID --type TYPE)",
		Short: "Show issued credentials, their status and their history",
		Long: `Show what the registry holds of the credentials selected: id, type, subject,
format, when and by whom each was issued, its validity, whether it is revoked
or suspended, its entries in the status lists, and its audit trail (every
reservation, issue and status change, with who made it, when and why).
Nothing is changed.`,
		Example: "  staffpass status show --org ./kch --subject did:key:z6Mk... --type DBSCheckCredential\n" +
			"  staffpass status show --org ./kch --id urn:uuid:2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0a03",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.org == "" {
				return withHint(errors.New("--org is required"), "see 'staffpass status show --help'")
			}
			if (o.id == "") == (o.subject == "" && o.typ == "") || (o.id == "" && (o.subject == "" || o.typ == "")) {
				return withHint(errors.New("give either --id, or both --subject and --type"), "see 'staffpass status show --help'")
			}
			org, err := openOrganisation(o.org, o.registry)
			if err != nil {
				return err
			}
			reg, err := org.OpenRegistry(cmd.Context())
			if err != nil {
				return err
			}
			defer reg.Close()
			recs, err := reg.Find(cmd.Context(), registry.Target{CredentialID: o.id, Subject: o.subject, Type: resolveType(o.typ)})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for i, rec := range recs {
				events, err := reg.Audit(cmd.Context(), rec.CredentialID)
				if err != nil {
					return err
				}
				if i > 0 {
					fmt.Fprintln(w)
				}
				if err := showRecord(w, rec, events); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.org, "org", "", "the organisation directory")
	addRegistryFlag(f, &o.registry)
	f.StringVar(&o.id, "id", "", "the credential's id")
	f.StringVar(&o.subject, "subject", "", "the subject (with --type: every such credential of theirs)")
	f.StringVar(&o.typ, "type", "", "the credential type: dbs, training, ... or the full name, e.g. DBSCheckCredential")
	return cmd
}

// showRecord writes one credential's record and audit trail for a person.
func showRecord(w io.Writer, rec *registry.Record, events []registry.AuditEvent) error {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "  %-12s %s\n", label, fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(&b, "%s (%s)\n", rec.CredentialID, rec.Type)
	line("subject", "%s", subjectName(rec.Subject))
	line("format", "%s", rec.Format)
	if rec.State == registry.StateIssued {
		line("issued", "%s", showTime(rec.IssuedAt))
	} else {
		line("issued", "not yet: reserved %s by %s (an interrupted run; issuing again completes it)", showTime(rec.ReservedAt), rec.ReservedBy)
	}
	if !rec.ValidUntil.IsZero() {
		line("valid until", "%s", showTime(rec.ValidUntil))
	}
	line("status", "%s", recordState(rec))
	for _, a := range rec.Status {
		set := ""
		if a.Set {
			set = " (set)"
		}
		line(a.Purpose, "entry %d of %s%s", a.Index, a.ListURL, set)
	}
	if len(events) > 0 {
		line("history", "")
		for _, e := range events {
			detail := e.Detail
			if e.Action == "reserve" || e.Action == "issue" {
				detail = "" // an issuance key or a digest: not for people
			}
			fmt.Fprintf(&b, "    %s  %-9s  %-16s  %s\n", showTime(e.At), e.Action, e.Actor, detail)
		}
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n"))
	return err
}

func showTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// subjectName names a record's subject: its id, or says it has none.
func subjectName(s string) string {
	if s == "" {
		return "a subject without an id"
	}
	return s
}
