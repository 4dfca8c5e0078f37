package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/registry"
)

func newOrgCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "org",
		Short: "Set up an issuing organisation",
	}
	cmd.AddCommand(newOrgInitCmd())
	return cmd
}

type orgInitOptions struct {
	domain       string
	path         string
	dir          string
	alg          string
	statusURL    string
	statusFormat string
	registry     string
}

func newOrgInitCmd() *cobra.Command {
	var o orgInitOptions
	cmd := &cobra.Command{
		Use:   "init --domain DOMAIN --dir DIR",
		Short: "Create an organisation's signing key and did:web DID document",
		Long: `Create, in DIR, everything an NHS organisation needs to issue credentials:

  ` + issuer.KeyFile + `  the private signing key (JWK, mode 0600; never printed)
  ` + issuer.DIDDocumentFile + `         the DID document, to publish at the URL printed
  ` + issuer.RegistryFile + `      the issuance registry: every credential issued and its
                       status list entries (revocation, suspension); with
                       --registry, kept in a PostgreSQL database instead
  ` + issuer.ConfigFile + `          the organisation's DID, signing method and status settings

The organisation's DID is did:web:DOMAIN (with --path, did:web:DOMAIN:a:b).
Status lists are published under --status-url (default https://DOMAIN/status),
list n at --status-url/n; the URL is written into every credential issued, so
it cannot change later.
An existing set-up is never overwritten.`,
		Example: `  staffpass org init --domain kch.nhs.uk --dir ./kch
  staffpass org init --domain nhs.example --path trusts:rj1 --dir ./rj1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.domain == "" || o.dir == "" {
				return withHint(errors.New("--domain and --dir are required"), "e.g. staffpass org init --domain kch.nhs.uk --dir ./kch")
			}
			kt, err := parseKeyType(o.alg)
			if err != nil {
				return err
			}
			var path []string
			if o.path != "" {
				path = strings.Split(strings.Trim(o.path, ":/"), ":")
			}
			org, err := issuer.InitOrganisation(cmd.Context(), o.dir, o.domain, issuer.InitOptions{
				Path: path, KeyType: kt, StatusBaseURL: o.statusURL, StatusFormat: issuer.Format(o.statusFormat),
				RegistryURL: o.registry,
			})
			if err != nil {
				if errors.Is(err, issuer.ErrOrganisationExists) {
					return withHint(err, "use another --dir; an existing organisation key is never replaced")
				}
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "DID:            %s\n", org.DID)
			fmt.Fprintf(w, "signing method: %s\n", org.KeyID)
			fmt.Fprintf(w, "publish         %s\n", filepath.Join(o.dir, issuer.DIDDocumentFile))
			fmt.Fprintf(w, "at              %s\n", org.DocumentURL)
			fmt.Fprintf(w, "status lists    %s/N (%s)\n", org.StatusBaseURL, org.StatusFormat)
			if org.Registry == issuer.RegistryPostgres {
				fmt.Fprintf(w, "registry        %s (PostgreSQL)\n", registry.Redact(o.registry))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.domain, "domain", "", "the organisation's DNS name, e.g. kch.nhs.uk (required)")
	cmd.Flags().StringVar(&o.path, "path", "", "optional did:web path segments, separated by ':'")
	cmd.Flags().StringVar(&o.dir, "dir", "", "directory to create the set-up in (required)")
	cmd.Flags().StringVar(&o.alg, "alg", "Ed25519", "signing key type: Ed25519, P-256 or P-384")
	cmd.Flags().StringVar(&o.statusURL, "status-url", "", "https URL status lists are published under (default https://DOMAIN/status)")
	cmd.Flags().StringVar(&o.registry, "registry", "", "keep the issuance registry in this PostgreSQL database (postgres://user@host/db, which must exist) instead of the file "+issuer.RegistryFile+"; later commands take the same --registry or $"+registryEnv+" (a password is best kept in ~/.pgpass or $PGPASSWORD)")
	cmd.Flags().StringVar(&o.statusFormat, "status-format", string(issuer.FormatJWT), "how status list credentials are secured: jwt or a Data Integrity suite")
	return cmd
}
