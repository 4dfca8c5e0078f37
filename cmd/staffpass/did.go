package main

import (
	"crypto"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
)

func newDIDCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "did",
		Short: "Print the DID of a key",
	}
	cmd.AddCommand(
		newDIDOfKeyCmd("key", "did:key", didkey.New),
		newDIDOfKeyCmd("jwk", "did:jwk", didjwk.New),
	)
	return cmd
}

func newDIDOfKeyCmd(name, method string, newDID func(crypto.PublicKey) (did.DID, error)) *cobra.Command {
	return &cobra.Command{
		Use:   name + " FILE",
		Short: "Print the " + method + " DID of the key in FILE",
		Long: `Print the ` + method + ` DID of a key file: a private or public key as JWK,
PEM or Multikey JSON. A member of staff's wallet is identified by such a DID.`,
		Example: "  staffpass did " + name + " wallet.jwk",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pub, err := readPublicKey(args[0])
			if err != nil {
				return err
			}
			id, err := newDID(pub)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id.String())
			return nil
		},
	}
}
