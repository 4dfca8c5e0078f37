package main

import (
	"crypto"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/rdfc"
)

type canonOptions struct {
	nquads bool
	hash   string
}

func newCanonCmd() *cobra.Command {
	var o canonOptions
	cmd := &cobra.Command{
		Use:   "canon [--nquads] [--hash sha256|sha384] FILE",
		Short: "Print the RDFC-1.0 canonical N-Quads of a JSON-LD document",
		Long: `Print the RDFC-1.0 canonical N-Quads of a JSON-LD document (a credential,
a presentation, a proof configuration), or of N-Quads input with --nquads.

This is exactly what an eddsa-rdfc-2022 or ecdsa-rdfc-2019 proof signs (the
document without its proof), so it shows what changed when a signature does not
verify. JSON-LD is processed offline, in safe mode: only the embedded contexts
are used, and a term or type that no context defines is an error naming it.
Use --hash sha384 for ecdsa-rdfc-2019 with P-384. FILE "-" reads standard input.`,
		Example: `  staffpass canon credential.json
  jq 'del(.proof)' signed.json | staffpass canon -
  staffpass canon --nquads --hash sha384 dataset.nq`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := rdfc.Options{}
			switch strings.ToLower(o.hash) {
			case "sha256", "sha-256":
				opts.Hash = crypto.SHA256
			case "sha384", "sha-384":
				opts.Hash = crypto.SHA384
			default:
				return withHint(fmt.Errorf("unsupported hash %q", o.hash), "use sha256 or sha384")
			}
			data, err := readInput(cmd.InOrStdin(), args[0], limits.MaxNQuadsBytes)
			if err != nil {
				return err
			}
			var res *rdfc.Result
			if o.nquads {
				res, err = rdfc.CanonicalizeNQuads(data, opts)
			} else {
				quads, qerr := ld.ToRDFJSON(data, nil, ld.Safe)
				if qerr != nil {
					return fmt.Errorf("%s: %w", args[0], qerr)
				}
				res, err = rdfc.Canonicalize(quads, opts)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			_, err = cmd.OutOrStdout().Write(res.NQuads)
			return err
		},
	}
	cmd.Flags().BoolVar(&o.nquads, "nquads", false, "the input is N-Quads, not JSON-LD")
	cmd.Flags().StringVar(&o.hash, "hash", "sha256", "hash used to label blank nodes: sha256 or sha384")
	return cmd
}

// readInput reads a file, or standard input for "-", refusing more than max
// bytes.
func readInput(stdin io.Reader, name string, max int) ([]byte, error) {
	var r io.Reader = stdin
	if name == "-" && stdin == nil {
		return nil, errors.New(`"-" (standard input) cannot be used here; name a file`)
	}
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > max {
		return nil, fmt.Errorf("%s is larger than the limit of %d bytes", name, max)
	}
	return data, nil
}
