package main

import (
	"crypto"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/keys"
)

func newKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Generate signing keys",
	}
	cmd.AddCommand(newKeyGenerateCmd())
	return cmd
}

type keyGenerateOptions struct {
	alg string
	out string
	pem bool
}

func newKeyGenerateCmd() *cobra.Command {
	var o keyGenerateOptions
	cmd := &cobra.Command{
		Use:   "generate --out FILE",
		Short: "Generate a private key and write it to a file (mode 0600)",
		Long: `Generate an Ed25519, P-256 or P-384 private key and write it to FILE as a
JSON Web Key, or as PKCS#8 PEM with --pem. The file is created with mode 0600
and an existing file is never overwritten. The key is never printed.`,
		Example: `  staffpass key generate --out wallet.jwk
  staffpass key generate --alg P-256 --pem --out hr-signing.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kt, err := parseKeyType(o.alg)
			if err != nil {
				return err
			}
			if o.out == "" {
				return withHint(errors.New("--out is required"), "the private key is only ever written to a file, never printed")
			}
			key, err := keys.Generate(kt)
			if err != nil {
				return err
			}
			format := keys.FormatJWK
			if o.pem {
				format = keys.FormatPEM
			}
			if err := keys.WritePrivateKeyFile(o.out, key, format); err != nil {
				if errors.Is(err, keys.ErrFileExists) {
					return withHint(err, "choose another --out; an existing key is never overwritten")
				}
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "staffpass: wrote %s private key to %s (mode 0600)\n", kt, o.out)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.alg, "alg", string(keys.Ed25519), "key type: Ed25519, P-256 or P-384")
	cmd.Flags().StringVar(&o.out, "out", "", "file to write the private key to (required)")
	cmd.Flags().BoolVar(&o.pem, "pem", false, "write PKCS#8 PEM instead of a JWK")
	return cmd
}

func parseKeyType(s string) (keys.KeyType, error) {
	for _, kt := range []keys.KeyType{keys.Ed25519, keys.P256, keys.P384} {
		if strings.EqualFold(s, string(kt)) {
			return kt, nil
		}
	}
	return "", withHint(fmt.Errorf("unsupported key type %q", s), "use Ed25519, P-256 or P-384")
}

// readPublicKey reads the public key of a key file, which may hold a public
// or a private key (whose file must then be private to its owner).
func readPublicKey(path string) (crypto.PublicKey, error) {
	pub, err := keys.ReadPublicKeyFile(path)
	if errors.Is(err, keys.ErrPrivateKeyMaterial) {
		priv, err := keys.ReadPrivateKeyFile(path)
		if err != nil {
			return nil, err
		}
		return priv.Public(), nil
	}
	return pub, err
}
