package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/rdfc"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
)

func newDemoCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Walk through the staffpass flow on built-in example data",
		Long: `Walk through what staffpass does, on built-in example data, in a temporary
directory (or --dir): set up an issuing NHS organisation, make a member of
staff's wallet key, write a staff credential for them, check it against the
VC Data Model 2.0 and show the canonical form a Data Integrity proof signs.
Nothing leaves the machine.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				tmp, err := os.MkdirTemp("", "staffpass-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				dir = tmp
			}
			return runDemo(cmd.Context(), cmd.OutOrStdout(), dir)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "keep the demo's files in this directory instead of a temporary one")
	return cmd
}

func runDemo(ctx context.Context, w io.Writer, dir string) error {
	step := func(n int, format string, a ...any) {
		fmt.Fprintf(w, "\n%d. %s\n", n, fmt.Sprintf(format, a...))
	}

	step(1, "An NHS organisation sets up: a signing key and a did:web DID document")
	org, err := issuer.InitOrganisation(ctx, filepath.Join(dir, "org"), "kch.nhs.uk", issuer.InitOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   DID %s\n   signs with %s\n   publishes %s at %s\n",
		org.DID, org.KeyID, filepath.Join(org.Dir, issuer.DIDDocumentFile), org.DocumentURL)

	step(2, "A member of staff's wallet makes its own key; its DID is a did:key")
	wallet, err := keys.Generate(keys.Ed25519)
	if err != nil {
		return err
	}
	walletPath := filepath.Join(dir, "wallet.jwk")
	if err := keys.WritePrivateKeyFile(walletPath, wallet, keys.FormatJWK); err != nil {
		return err
	}
	holder, err := didkey.New(wallet.Public())
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   %s (key in %s, mode 0600)\n", holder, walletPath)

	step(3, "HR writes a credential about them")
	doc := map[string]any{
		"@context":  []any{vc.ContextV2},
		"id":        "urn:uuid:0b8e2d4e-6f3c-4a8e-9c1d-2f5b7a9e3c10",
		"type":      []any{vc.TypeCredential},
		"issuer":    org.DID,
		"validFrom": "2026-11-25T09:00:00Z",
		"name":      "Identity check",
		"credentialSubject": map[string]any{
			"id":          holder.String(),
			"name":        "Alex Morgan",
			"description": "Identity verified in person against a UK passport",
		},
	}
	data, err := json.MarshalIndent(doc, "   ", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   %s\n", data)

	step(4, "staffpass checks it against the VC Data Model 2.0 (strict, unverified)")
	cred, err := vc.Parse(data)
	if err != nil {
		return err
	}
	from, until := cred.ValidityPeriod()
	fmt.Fprintf(w, "   well formed: issuer %s, subject %v, valid from %s", cred.Issuer.ID, cred.SubjectIDs(), from.Format("2006-01-02"))
	if !until.IsZero() {
		fmt.Fprintf(w, " until %s", until.Format("2006-01-02"))
	}
	fmt.Fprintln(w)

	step(5, "and turns it into RDF offline, in safe mode, canonicalised with RDFC-1.0:")
	fmt.Fprintln(w, "   these exact statements are what a Data Integrity proof signs")
	quads, err := ld.ToRDF(doc, nil)
	if err != nil {
		return err
	}
	res, err := rdfc.Canonicalize(quads, rdfc.Options{})
	if err != nil {
		return err
	}
	for _, line := range splitLines(res.NQuads) {
		fmt.Fprintf(w, "   %s\n", line)
	}

	step(6, "A term no context defines is refused, never silently dropped")
	doc["credentialSubject"].(map[string]any)["favouriteColour"] = "green"
	if _, err := ld.ToRDF(doc, nil); err != nil {
		fmt.Fprintf(w, "   refused: %v\n", err)
	} else {
		return fmt.Errorf("demo: an undefined term was accepted")
	}
	fmt.Fprintln(w, "\nDone. Nothing was sent over the network.")
	return nil
}

func splitLines(b []byte) []string {
	var lines []string
	start := 0
	for i, c := range b {
		if c == '\n' {
			lines = append(lines, string(b[start:i]))
			start = i + 1
		}
	}
	if start < len(b) {
		lines = append(lines, string(b[start:]))
	}
	return lines
}
