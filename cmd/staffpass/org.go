package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/issuer"
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
	domain string
	path   string
	dir    string
	alg    string
}

func newOrgInitCmd() *cobra.Command {
	var o orgInitOptions
	cmd := &cobra.Command{
		Use:   "init --domain DOMAIN --dir DIR",
		Short: "Create an organisation's signing key and did:web DID document",
		Long: `Create, in DIR, everything an NHS organisation needs to issue credentials:

  ` + issuer.KeyFile + `  the private signing key (JWK, mode 0600; never printed)
  ` + issuer.DIDDocumentFile + `         the DID document, to publish at the URL printed
  ` + issuer.ConfigFile + `          the organisation's DID and signing method

The organisation's DID is did:web:DOMAIN (with --path, did:web:DOMAIN:a:b).
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
			org, err := issuer.InitOrganisation(o.dir, o.domain, path, kt)
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
			return nil
		},
	}
	cmd.Flags().StringVar(&o.domain, "domain", "", "the organisation's DNS name, e.g. kch.nhs.uk (required)")
	cmd.Flags().StringVar(&o.path, "path", "", "optional did:web path segments, separated by ':'")
	cmd.Flags().StringVar(&o.dir, "dir", "", "directory to create the set-up in (required)")
	cmd.Flags().StringVar(&o.alg, "alg", "Ed25519", "signing key type: Ed25519, P-256 or P-384")
	return cmd
}
