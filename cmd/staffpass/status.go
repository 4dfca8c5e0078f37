package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
)

func newStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Revoke, suspend and publish the status of issued credentials",
		Long: `Change the status of credentials the organisation issued, and publish its
status lists (W3C Bitstring Status List) for verifiers to pick up.

A change takes effect for verifiers when the lists are published again and
reach them (with the next trust bundle). Every change is recorded in the
registry's audit trail with who made it and why.`,
	}
	cmd.AddCommand(
		newStatusChangeCmd("revoke", "Revoke credentials, for good", func(r *registry.Registry) changeFunc { return r.Revoke }),
		newStatusChangeCmd("suspend", "Suspend credentials until unsuspended", func(r *registry.Registry) changeFunc { return r.Suspend }),
		newStatusChangeCmd("unsuspend", "Lift a suspension", func(r *registry.Registry) changeFunc { return r.Unsuspend }),
		newStatusPublishCmd(),
		newStatusShowCmd(),
	)
	return cmd
}

type changeFunc = func(ctx context.Context, t registry.Target, c registry.Change) ([]*registry.Record, error)

type statusChangeOptions struct {
	org, id, subject, typ, reason, actor string
	registry                             string
	all                                  bool
}

func newStatusChangeCmd(name, short string, op func(*registry.Registry) changeFunc) *cobra.Command {
	var o statusChangeOptions
	cmd := &cobra.Command{
		Use:   name + " --org DIR (--id ID | --subject DID --type TYPE [--all]) --reason TEXT",
		Short: short,
		Long: short + `.

Name one credential by --id, or a member of staff's credentials of one type by
--subject and --type (dbs, training, ... or the full type name). When that is
more than one credential, they are listed and nothing changes unless --all
says to change them all. The reason goes into the registry's audit trail.
Publish the status lists afterwards for verifiers to see the change.`,
		Example: "  staffpass status " + name + " --org ./kch --id urn:uuid:2b5c7c5e-0d1e-4c57-9a39-1f6c1b0e0a03 --reason 'DBS check superseded'\n" +
			"  staffpass status " + name + " --org ./kch --subject did:key:z6Mk... --type DBSCheckCredential --reason 'left the trust'",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.org == "" || o.reason == "" {
				return withHint(errors.New("--org and --reason are required"), "the reason goes into the audit trail")
			}
			t := registry.Target{CredentialID: o.id, Subject: o.subject, Type: resolveType(o.typ)}
			if (o.id == "") == (o.subject == "" && o.typ == "") || (o.id == "" && (o.subject == "" || o.typ == "")) {
				return withHint(errors.New("give either --id, or both --subject and --type"), "see 'staffpass status "+name+" --help'")
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
			before := map[string]string{}
			found, err := reg.Find(cmd.Context(), t)
			if err == nil {
				for _, rec := range found {
					before[rec.CredentialID] = recordState(rec)
				}
			}
			if o.id == "" && len(found) > 1 && !o.all {
				w := cmd.OutOrStdout()
				for _, rec := range found {
					fmt.Fprintf(w, "%s (%s, %s, issued %s): %s\n", rec.CredentialID, rec.Type, subjectName(rec.Subject), rec.IssuedAt.UTC().Format(time.DateOnly), recordState(rec))
				}
				return withHint(fmt.Errorf("%d credentials of %s are %s's; nothing changed", len(found), t.Type, t.Subject),
					"name one with --id, or give --all to change every one listed")
			}
			recs, err := op(reg)(cmd.Context(), t, registry.Change{Actor: actor(o.actor), Reason: o.reason})
			if errors.Is(err, registry.ErrCredentialNotFound) && o.id == "" {
				return withHint(err, "--type is the credential's own type as issued, such as "+strings.Join(staff.Types()[:3], ", ")+"; check it and the subject's DID")
			}
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			changed := 0
			for _, rec := range recs {
				state := recordState(rec)
				if state == before[rec.CredentialID] {
					fmt.Fprintf(w, "%s (%s, %s): %s already; nothing changed\n", rec.CredentialID, rec.Type, subjectName(rec.Subject), state)
					continue
				}
				changed++
				fmt.Fprintf(w, "%s (%s, %s): %s\n", rec.CredentialID, rec.Type, subjectName(rec.Subject), state)
			}
			if changed > 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "staffpass: publish the status lists for verifiers to see this: staffpass status publish --org "+o.org+" --out DIR")
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
	f.BoolVar(&o.all, "all", false, "with --subject and --type: change every matching credential, when there are several")
	f.StringVar(&o.reason, "reason", "", "why, for the audit trail")
	f.StringVar(&o.actor, "actor", "", "who, for the audit trail (default: the login name)")
	return cmd
}

type statusPublishOptions struct {
	org, out, actor string
	registry        string
	validFor, ttl   time.Duration
}

func newStatusPublishCmd() *cobra.Command {
	var o statusPublishOptions
	cmd := &cobra.Command{
		Use:   "publish --org DIR --out DIR [--valid-for DURATION] [--ttl DURATION]",
		Short: "Sign the status lists and write them out for hosting",
		Long: `Sign each of the organisation's status lists as a BitstringStatusListCredential
and write it to --out, one file per list named as the last part of its URL, to
host at that URL. Files are replaced atomically. Verifiers refuse a list after
--valid-for, so publish again well before then (e.g. daily from cron). With
--ttl each list also says how long after fetching it verifiers may rely on it
before they fetch it again (staffpass verify judges it by the list file's
time).`,
		Example: "  staffpass status publish --org ./kch --out ./site/status",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.org == "" || o.out == "" {
				return withHint(errors.New("--org and --out are required"), "see 'staffpass status publish --help'")
			}
			org, err := openOrganisation(o.org, o.registry)
			if err != nil {
				return err
			}
			signer, err := org.Signer()
			if err != nil {
				return err
			}
			reg, err := org.OpenRegistry(cmd.Context())
			if err != nil {
				return err
			}
			defer reg.Close()
			pubs, err := issuer.PublishStatusLists(cmd.Context(), reg, signer, time.Now(), issuer.PublishOptions{
				Dir: o.out, Format: org.StatusFormat, ValidFor: o.validFor, TTL: o.ttl, Actor: actor(o.actor),
			})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if len(pubs) == 0 {
				fmt.Fprintln(w, "no status lists yet: issue a credential first")
			}
			for _, p := range pubs {
				fmt.Fprintf(w, "%s  %s list, %d of %d entries set  -> %s\n", p.File, p.List.Purpose, p.Set, p.List.Size, p.List.URL)
				if p.TokenFile != "" {
					fmt.Fprintf(w, "%s  the same, as a Token Status List for SD-JWT VCs  -> %s\n", p.TokenFile, issuer.TokenListURL(p.List.URL))
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.org, "org", "", "the organisation directory")
	addRegistryFlag(f, &o.registry)
	f.StringVar(&o.out, "out", "", "directory to write the signed lists to")
	f.DurationVar(&o.validFor, "valid-for", 7*24*time.Hour, "how long verifiers accept the published lists")
	f.DurationVar(&o.ttl, "ttl", 0, "how long after fetching a list verifiers may rely on it (default: no ttl)")
	f.StringVar(&o.actor, "actor", "", "who, for the audit trail (default: the login name)")
	return cmd
}

// recordState says what a credential's status is: revoked, suspended or
// active.
func recordState(rec *registry.Record) string {
	switch {
	case rec.Revoked:
		return "revoked"
	case rec.Suspended:
		return "suspended"
	}
	return "active"
}
