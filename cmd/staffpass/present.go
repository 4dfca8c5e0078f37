package main

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/holder"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
)

type presentOptions struct {
	holderKey         string
	challenge, domain string
	format            string
	expires           time.Duration
	disclose          []string
}

func newPresentCmd() *cobra.Command {
	var o presentOptions
	cmd := &cobra.Command{
		Use:   "present --holder-key FILE --challenge C --domain D [--format jwt|di|sd-jwt] [--disclose PTR]... CRED...",
		Short: "Present credentials to a verifier, signed with the holder's wallet key",
		Long: `Build a Verifiable Presentation of the credentials CRED... ("-" for standard
input): vc+jwt and Data Integrity credentials may be mixed. It is signed with
the wallet key in --holder-key, whose DID (a did:key, as 'staffpass did key'
prints it) is the presentation's holder, and bound to the verifier's
--challenge (fresh for this presentation) and --domain (who the verifier is),
so that it cannot be replayed to anyone else.

--format jwt (the default) prints a vp+jwt: the challenge in its nonce, the
domain in its aud, each vc+jwt credential enveloped. --format di prints the
presentation JSON with a Data Integrity proof (proofPurpose authentication):
eddsa-rdfc-2022 for an Ed25519 key, ecdsa-rdfc-2019 for a P-256 or P-384 key.

--format sd-jwt presents one SD-JWT VC (as 'staffpass sign --suite
dc+sd-jwt' issues it) with only the claims each --disclose names (JSON
Pointers; none: only what is always shown) and a Key Binding JWT: the
challenge in its nonce, the domain in its aud, signed with --holder-key,
which must be the key the credential binds (its cnf).

This is the low-level tool: a credential whose subject is not the holder is
presented all the same, with a warning; the verifier's holder-binding check
decides.`,
		Example: `  staffpass key generate --out wallet.jwk
  staffpass present --holder-key wallet.jwk --challenge 8c1f0e6a --domain https://bank.gstt.nhs.uk \
      identity.jwt dbs.json training.json > presentation.jwt`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.holderKey == "" || o.challenge == "" || o.domain == "" {
				return withHint(errors.New("--holder-key, --challenge and --domain are required"),
					"the verifier gives the challenge and its domain; see 'staffpass present --help'")
			}
			key, err := keys.ReadPrivateKeyFile(o.holderKey)
			if err != nil {
				return err
			}
			kid, err := didkey.KeyID(key.Public())
			if err != nil {
				return err
			}
			signer, err := keys.NewSigner(key, kid)
			if err != nil {
				return err
			}
			if o.format != "sd-jwt" && len(o.disclose) > 0 {
				return withHint(errors.New("--disclose chooses the claims of an SD-JWT VC to show"), "use it with --format sd-jwt")
			}
			if o.format == "sd-jwt" {
				return presentSDJWT(cmd, args, key, signer, o)
			}
			var format vc.Format
			switch o.format {
			case "jwt":
				format = vc.FormatJWT
			case "di":
				format = vc.FormatEdDSARDFC2022
				if signer.Algorithm() != "EdDSA" {
					format = vc.FormatECDSARDFC2019
				}
			default:
				return withHint(fmt.Errorf("unknown --format %q", o.format), "use jwt, di or sd-jwt")
			}
			if o.expires < 0 {
				return withHint(errors.New("--expires must not be negative"), "e.g. --expires 5m")
			}
			stdinUsed := false
			creds := make([][]byte, len(args))
			for i, name := range args {
				if name == "-" {
					if stdinUsed {
						return errors.New(`"-" (standard input) can be given once`)
					}
					stdinUsed = true
				}
				if creds[i], err = readInput(cmd.InOrStdin(), name, limits.MaxJWTBytes); err != nil {
					return err
				}
			}
			me, err := holder.Holder(signer)
			if err != nil {
				return err
			}
			for _, i := range holder.NotTheirs(creds, me) {
				fmt.Fprintf(cmd.ErrOrStderr(), "staffpass: warning: %s is not about the holder %s; presented anyway, but verifiers will refuse it\n", args[i-1], me)
			}
			now := time.Now().UTC().Truncate(time.Second)
			opts := holder.Options{Format: format, Challenge: o.challenge, Domain: o.domain, Created: now}
			if o.expires > 0 {
				opts.Expires = now.Add(o.expires)
			}
			out, err := holder.Present(creds, signer, opts)
			if err != nil {
				return err
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
	f.StringVar(&o.holderKey, "holder-key", "", "the wallet's private key file (JWK, PEM or Multikey JSON; mode 0600)")
	f.StringVar(&o.challenge, "challenge", "", "the verifier's challenge for this presentation")
	f.StringVar(&o.domain, "domain", "", "the verifier's domain (its origin or DID)")
	f.StringVar(&o.format, "format", "jwt", "jwt (a vp+jwt), di (a Data Integrity proof) or sd-jwt (an SD-JWT VC with a Key Binding JWT)")
	f.StringArrayVar(&o.disclose, "disclose", nil, "with --format sd-jwt: a claim (JSON Pointer) to show; repeatable")
	f.DurationVar(&o.expires, "expires", 0, "how long the presentation stays valid (default: no expiry; verifiers accept it for "+strings.TrimSuffix(limits.PresentationMaxAge.String(), "0s")+")")
	return cmd
}

// presentSDJWT presents one SD-JWT VC with the claims o.disclose names and
// a Key Binding JWT.
func presentSDJWT(cmd *cobra.Command, args []string, key crypto.Signer, signer keys.Signer, o presentOptions) error {
	if len(args) != 1 {
		return withHint(fmt.Errorf("--format sd-jwt presents one credential, not %d", len(args)), "present each SD-JWT VC on its own")
	}
	if o.expires != 0 {
		return withHint(errors.New("--expires: a Key Binding JWT has no expiry (the verifier judges its age)"), "drop --expires")
	}
	data, err := readInput(cmd.InOrStdin(), args[0], limits.MaxJWTBytes)
	if err != nil {
		return err
	}
	c, err := sdjwt.Split(string(data))
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if u, err := jose.ParseUnverified(c.JWT); err == nil {
		var claims struct {
			Cnf struct {
				JWK json.RawMessage `json:"jwk"`
			} `json:"cnf"`
		}
		json.Unmarshal(u.Payload, &claims)
		bound, err := keys.ParsePublicJWK(claims.Cnf.JWK)
		if err != nil || !keys.SamePublic(bound, key.Public()) {
			fmt.Fprintf(cmd.ErrOrStderr(), "staffpass: warning: %s does not bind --holder-key (its cnf); presented anyway, but verifiers will refuse it\n", args[0])
		}
	}
	want := map[string]bool{}
	for _, p := range o.disclose {
		want[p] = true
	}
	seen := map[string]bool{}
	out, err := sdjwt.Present(string(data), func(p string) bool { seen[p] = true; return want[p] }, &sdjwt.KeyBinding{
		Signer: signer, Audience: o.domain, Nonce: o.challenge, IssuedAt: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	for _, p := range o.disclose {
		if !seen[p] {
			return withHint(fmt.Errorf("--disclose %s: %s has no such selectively disclosable claim", p, args[0]), "'staffpass verify --output json' lists the disclosed claims of a credential under disclosed")
		}
	}
	_, err = fmt.Fprintln(cmd.OutOrStdout(), out)
	return err
}
