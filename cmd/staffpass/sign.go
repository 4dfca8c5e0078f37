package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
)

type signOptions struct {
	key     string
	method  string
	suite   string
	created string
}

func newSignCmd() *cobra.Command {
	var o signOptions
	var names []string
	for _, f := range issuer.Formats() {
		names = append(names, string(f))
	}
	cmd := &cobra.Command{
		Use:   "sign --key FILE --method DIDURL --suite SUITE [--created T] FILE",
		Short: "Secure a credential with a Data Integrity proof or as a vc+jwt",
		Long: `Secure the credential in FILE ("-" for standard input) and print it: the
credential JSON with a Data Integrity proof, or with --suite jwt the compact
vc+jwt.

--method is the verification method: the DID URL of the key in the signer's
DID document. This is the low-level tool: when the method's DID is not the
credential's issuer it warns but still signs (verifiers will refuse such a
credential). Suites: ` + strings.Join(names, ", ") + `.`,
		Example: `  staffpass sign --key kch/signing-key.jwk --method "$(jq -r .keyId kch/org.json)" \
      --suite eddsa-rdfc-2022 dbs.json > dbs.signed.json
  staffpass sign --key k.jwk --method did:key:z6Mk...#z6Mk... --suite jwt cred.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.key == "" || o.method == "" || o.suite == "" {
				return withHint(errors.New("--key, --method and --suite are required"), "see 'staffpass sign --help'")
			}
			format := issuer.Format(o.suite)
			if !slices.Contains(issuer.Formats(), format) {
				return withHint(fmt.Errorf("unknown suite %q", o.suite), "use one of "+strings.Join(names, ", "))
			}
			method, err := did.ParseURL(o.method)
			if err != nil || method.Fragment() == "" {
				return withHint(fmt.Errorf("--method %q is not the DID URL of a verification method", o.method),
					"give the DID and the key's fragment, e.g. did:web:kch.nhs.uk#key-1 (org.json holds it as keyId)")
			}
			if format == issuer.FormatJWT && o.created != "" {
				return withHint(errors.New("--created sets a Data Integrity proof's creation time; a vc+jwt has none"), "drop --created, or choose a Data Integrity suite")
			}
			created := time.Now().UTC().Truncate(time.Second)
			if o.created != "" {
				t, err := time.Parse(time.RFC3339, o.created)
				if err != nil {
					return withHint(fmt.Errorf("--created %q is not an RFC 3339 date-time", o.created), "e.g. 2026-11-25T09:00:00Z")
				}
				created = t
			}
			key, err := keys.ReadPrivateKeyFile(o.key)
			if err != nil {
				return err
			}
			signer, err := keys.NewSigner(key, o.method)
			if err != nil {
				return err
			}
			if err := checkSelfResolvingMethod(method, signer); err != nil {
				return err
			}
			data, err := readInput(cmd.InOrStdin(), args[0], limits.MaxDocumentBytes)
			if err != nil {
				return err
			}
			out, err := issuer.Issue(data, signer, issuer.Options{Format: format, Created: created})
			if mismatch := err; errors.Is(err, issuer.ErrIssuerMismatch) {
				out, err = issuer.Issue(data, signer, issuer.Options{Format: format, Created: created, IssuerMismatchUnsafe: true})
				if err == nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "staffpass: warning: %v; signed anyway, but verifiers will refuse it\n", mismatch)
				}
			}
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			w := cmd.OutOrStdout()
			if _, err := w.Write(out); err != nil {
				return err
			}
			_, err = fmt.Fprintln(w)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "private key file (JWK, PEM or Multikey JSON; mode 0600)")
	f.StringVar(&o.method, "method", "", "verification method: the DID URL of the key")
	f.StringVar(&o.suite, "suite", "", "securing suite: "+strings.Join(names, ", "))
	f.StringVar(&o.created, "created", "", "proof creation time, RFC 3339 (default: now)")
	return cmd
}

// checkSelfResolvingMethod refuses a did:key or did:jwk method whose DID
// document (made from the DID itself) does not hold the signer's key for
// assertionMethod: nothing signed so could ever verify. Other methods'
// documents are not at hand here; the organisation's signer is checked
// against its own did.json when it is loaded.
func checkSelfResolvingMethod(method did.URL, signer keys.Signer) error {
	if m := method.DID().Method(); m != didkey.Method && m != didjwk.Method {
		return nil
	}
	router := did.Router{didkey.Method: didkey.Resolver{}, didjwk.Method: didjwk.Resolver{}}
	if err := issuer.CheckSigner(context.Background(), router, signer); err != nil {
		return withHint(fmt.Errorf("--method %s is not the key in --key: what it signed could never verify", method),
			"use 'staffpass did key' (or 'did jwk') on the key file to get its DID")
	}
	return nil
}
