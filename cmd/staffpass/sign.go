package main

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
)

type signOptions struct {
	key      string
	method   string
	suite    string
	created  string
	disclose []string
}

// suiteSDJWT is sign's suite for an SD-JWT VC, whose input is the claims
// JSON, not a VC Data Model credential.
const suiteSDJWT = "dc+sd-jwt"

func newSignCmd() *cobra.Command {
	var o signOptions
	var names []string
	for _, f := range issuer.Formats() {
		names = append(names, string(f))
	}
	cmd := &cobra.Command{
		Use:   "sign --key FILE --method DIDURL --suite SUITE [--created T] [--disclose PTR]... FILE",
		Short: "Secure a credential with a Data Integrity proof, as a vc+jwt or as an SD-JWT VC",
		Long: `Secure the credential in FILE ("-" for standard input) and print it: the
credential JSON with a Data Integrity proof, or with --suite jwt the compact
vc+jwt.

With --suite dc+sd-jwt, FILE holds the claims of an SD-JWT VC (RFC 9901,
draft-ietf-oauth-sd-jwt-vc): vct, iss (the signer's DID), and cnf.jwk (the
holder's wallet key) beside the credential's own claims; each --disclose
names, as a JSON Pointer, a claim the holder may choose to show or keep back
(e.g. /dbs/certificateNumber). It prints the SD-JWT with every Disclosure,
for the holder. iss, vct, nbf, exp, cnf and status cannot be made
disclosable.

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
			if o.suite != suiteSDJWT && !slices.Contains(issuer.Formats(), format) {
				return withHint(fmt.Errorf("unknown suite %q", o.suite), "use one of "+strings.Join(names, ", ")+", "+suiteSDJWT)
			}
			if o.suite != suiteSDJWT && len(o.disclose) > 0 {
				return withHint(errors.New("--disclose makes claims of an SD-JWT VC selectively disclosable"), "use it with --suite "+suiteSDJWT)
			}
			method, err := did.ParseURL(o.method)
			if err != nil || method.Fragment() == "" {
				return withHint(fmt.Errorf("--method %q is not the DID URL of a verification method", o.method),
					"give the DID and the key's fragment, e.g. did:web:kch.nhs.uk#key-1 (org.json holds it as keyId)")
			}
			if (format == issuer.FormatJWT || o.suite == suiteSDJWT) && o.created != "" {
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
			if o.suite == suiteSDJWT {
				return signSDJWT(cmd, args[0], data, signer, method, o.disclose)
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
	f.StringVar(&o.suite, "suite", "", "securing suite: "+strings.Join(names, ", ")+", "+suiteSDJWT)
	f.StringArrayVar(&o.disclose, "disclose", nil, "with --suite "+suiteSDJWT+": a claim (JSON Pointer) the holder may show or keep back; repeatable")
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

// signSDJWT signs the SD-JWT VC claims in data.
func signSDJWT(cmd *cobra.Command, name string, data []byte, signer keys.Signer, method did.URL, disclose []string) error {
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return withHint(fmt.Errorf("%s: not a JSON object of claims", name), "an SD-JWT VC's claims: {\"vct\": ..., \"iss\": ..., \"cnf\": {\"jwk\": ...}, ...}")
	}
	if _, ok := claims["vct"].(string); !ok {
		return withHint(fmt.Errorf("%s: no vct (the credential's type)", name), "e.g. \"vct\": \"https://w3id.org/staffpass/vct/DBSCheckCredential\"")
	}
	if iss, _ := claims["iss"].(string); iss != method.DID().String() {
		return withHint(fmt.Errorf("%s: iss %q is not the DID of --method (%s)", name, iss, method.DID()), "set iss to the signer's DID")
	}
	for _, p := range disclose {
		if n := strings.TrimPrefix(p, "/"); slices.Contains([]string{"iss", "vct", "vct#integrity", "nbf", "exp", "cnf", "status"}, n) {
			return withHint(fmt.Errorf("--disclose %s: SD-JWT VC never lets %s be selectively disclosable", p, n), "drop it")
		}
	}
	out, _, err := sdjwt.Issue(claims, disclose, sdjwt.TypeSDJWTVC, signer)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	_, err = fmt.Fprintln(cmd.OutOrStdout(), out)
	return err
}
