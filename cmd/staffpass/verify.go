package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/verifier"
)

type verifyOptions struct {
	didDocs     []string
	statusLists []string
	trust       []string
	output      string
}

func newVerifyCmd() *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify [--did-doc FILE]... --trust DID... [--output json] FILE...",
		Short: "Verify credentials offline",
		Long: `Verify each credential FILE ("-" for standard input): a vc+jwt, a VCDM 1.1
JWT, a credential JSON with Data Integrity proofs, or an enveloped vc+jwt.

Verification is offline. did:key and did:jwk issuers resolve by themselves;
did:web issuers only from the DID documents given with --did-doc (never over
the network). A credential verifies only if its issuer is one of the --trust
DIDs, its proof verifies with a key the issuer's DID document lists for
assertionMethod, it is within its validity period, and, when it has a
credentialStatus, its issuer's status lists (given with --status-list, signed
by the issuer and still valid) say it is neither revoked nor suspended. A
status list with a ttl counts as fetched when its file was last written: once
the ttl has passed since, it is stale and the status check fails (fetch the
list again).

Every file is reported: a line each on standard output, or with --output json
the verifier's Result as one line of JSON per FILE, in order (JSON Lines).

Exit codes: 0 every file verified, 1 at least one did not, 2 usage or input
error (unreadable file, bad DID document, no --trust).`,
		Example: `  staffpass verify --did-doc kch/did.json --trust did:web:kch.nhs.uk dbs.jwt
  staffpass verify --trust did:key:z6Mk... --output json *.json | jq .verified`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(o.trust) == 0 {
				return withHint(errors.New("no trusted issuer"), "name the issuers you trust with --trust DID")
			}
			if o.output != "text" && o.output != "json" {
				return withHint(fmt.Errorf("unknown --output %q", o.output), "use text or json")
			}
			resolver, err := offlineResolver(o.didDocs)
			if err != nil {
				return err
			}
			var lists [][]byte
			var fetched time.Time // the oldest list file's time
			for _, name := range o.statusLists {
				data, err := readInput(nil, name, limits.MaxJWTBytes)
				if err != nil {
					return err
				}
				lists = append(lists, data)
				if fi, err := os.Stat(name); err == nil && (fetched.IsZero() || fi.ModTime().Before(fetched)) {
					fetched = fi.ModTime()
				}
			}
			v, err := verifier.New(verifier.Trust{Issuers: o.trust, Resolver: resolver, StatusLists: lists, StatusListsFetched: fetched})
			if err != nil {
				return err
			}
			inputs := make([][]byte, len(args))
			for i, name := range args {
				if inputs[i], err = readInput(cmd.InOrStdin(), name, limits.MaxJWTBytes); err != nil {
					return err
				}
			}
			results := make([]*verifier.Result, len(args))
			failed := 0
			for i := range args {
				results[i], err = v.Verify(cmd.Context(), inputs[i], verifier.Policy{})
				if err != nil {
					failed++
				}
			}
			if err := report(cmd.OutOrStdout(), o.output, args, results); err != nil {
				return err
			}
			if failed > 0 {
				return &notVerifiedError{failed: failed, total: len(args)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.didDocs, "did-doc", nil, "a DID document file to resolve its DID from (repeatable)")
	f.StringArrayVar(&o.statusLists, "status-list", nil, "a signed status list credential to check revocation against (repeatable)")
	f.StringArrayVar(&o.trust, "trust", nil, "a trusted issuer DID (repeatable; at least one)")
	f.StringVar(&o.output, "output", "text", "report format: text or json")
	return cmd
}

// offlineResolver resolves did:key and did:jwk by themselves and every other
// DID only from the given DID document files.
func offlineResolver(files []string) (did.Resolver, error) {
	static := &did.StaticResolver{}
	router := did.Router{didkey.Method: didkey.Resolver{}, didjwk.Method: didjwk.Resolver{}}
	for _, name := range files {
		if name == "-" {
			return nil, errors.New("--did-doc must name a file, not standard input")
		}
		data, err := readInput(nil, name, limits.MaxDIDDocumentBytes)
		if err != nil {
			return nil, err
		}
		doc, err := did.ParseDocument(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		id, err := did.Parse(doc.ID)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if m := id.Method(); m == didkey.Method || m == didjwk.Method {
			return nil, withHint(fmt.Errorf("%s: %s resolves by itself; its DID document cannot be given", name, id), "drop this --did-doc")
		}
		if err := static.Add(doc.ID, doc); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		router[id.Method()] = static
	}
	return router, nil
}

func report(w io.Writer, format string, names []string, results []*verifier.Result) error {
	if format == "json" {
		// JSON Lines: one Result a line, in the order of the files, so
		// that a script reads one file's result and many files' alike.
		enc := json.NewEncoder(w)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	for i, r := range results {
		name := names[i]
		if name == "-" {
			name = "(stdin)"
		}
		if r.Verified {
			fmt.Fprintf(w, "%s: verified: %s from %s (%s)\n", name, strings.Join(r.Types, ", "), r.Issuer, r.Format)
			continue
		}
		fmt.Fprintf(w, "%s: NOT VERIFIED\n", name)
		for _, c := range r.Checks {
			if c.Status != verifier.Passed {
				fmt.Fprintf(w, "  %s %s: %s\n", c.Name, c.Status, strings.ReplaceAll(c.Reason, "\n", "; "))
			}
		}
	}
	return nil
}
