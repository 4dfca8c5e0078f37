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

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/verifier"
)

type verifyOptions struct {
	didDocs           []string
	statusLists       []string
	trust             []string
	bundles           []string
	publishers        []string
	challenge, domain string
	acceptStale       bool
	output            string
}

func newVerifyCmd() *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify [--bundle FILE --bundle-publisher DID]... [--did-doc FILE]... [--trust DID]... [--challenge C --domain D] [--output json] FILE...",
		Short: "Verify credentials and presentations offline",
		Long: `Verify each FILE ("-" for standard input): a credential (a vc+jwt, a VCDM 1.1
JWT, a credential JSON with Data Integrity proofs, an enveloped vc+jwt) or a
presentation (a vp+jwt, or a presentation JSON with a Data Integrity proof).

Verification is offline. What is trusted comes from trust bundles (--bundle,
each with the DID of the publisher you trust to sign it, --bundle-publisher,
given in the same order): the issuers they list, each for the credential
types listed, with their keys and key history, and their status lists. A
bundle past its validUntil fails verification unless --accept-stale. Issuers
can also be trusted directly, for any type, with --trust; their did:web
documents come only from --did-doc files, and their status lists from
--status-list files. did:key and did:jwk resolve by themselves.

A credential verifies only if it is well-formed, names only contexts this
tool holds, matches the schema it names, its proof verifies with a key its
issuer's DID document lists for assertionMethod, its issuer is trusted for
its type, it is within its validity period, and its status lists say it is
neither revoked nor suspended. A presentation verifies only if its holder
signed it, it answers --challenge and --domain (the ones you gave the
holder), it was made in the last ten minutes, its holder is the subject of
every credential in it, and every credential in it verifies.

Every file is reported: a line each on standard output, or with --output json
the verifier's Result as one line of JSON per FILE, in order (JSON Lines).

Exit codes: 0 every file verified, 1 at least one did not, 2 usage or input
error (unreadable file, bad DID document or bundle, nothing trusted).`,
		Example: `  staffpass verify --bundle national.jwt --bundle-publisher did:web:england.nhs.uk \
      --did-doc england-did.json --challenge 8c1f0e6a --domain https://bank.gstt.nhs.uk presentation.jwt
  staffpass verify --did-doc kch/did.json --trust did:web:kch.nhs.uk dbs.jwt
  staffpass verify --trust did:key:z6Mk... --output json *.json | jq .verified`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(o.trust) == 0 && len(o.bundles) == 0 {
				return withHint(errors.New("nothing is trusted"), "give a trust bundle with --bundle and --bundle-publisher, or the issuers you trust with --trust DID")
			}
			if len(o.bundles) != len(o.publishers) {
				return withHint(fmt.Errorf("%d --bundle and %d --bundle-publisher", len(o.bundles), len(o.publishers)),
					"give each --bundle FILE with the --bundle-publisher DID you trust to sign it, in the same order")
			}
			if o.output != "text" && o.output != "json" {
				return withHint(fmt.Errorf("unknown --output %q", o.output), "use text or json")
			}
			if (o.challenge == "") != (o.domain == "") {
				return withHint(errors.New("--challenge and --domain go together"), "give both, as you gave them to the holder")
			}
			resolver, err := offlineResolver(o.didDocs)
			if err != nil {
				return err
			}
			var bundles []*bundle.Bundle
			for i, name := range o.bundles {
				data, err := readInput(nil, name, limits.MaxBundleBytes)
				if err != nil {
					return err
				}
				b, err := bundle.Open(cmd.Context(), data, o.publishers[i], resolver)
				if err != nil {
					return withHint(fmt.Errorf("%s: %w", name, err), "check --bundle-publisher, and give the publisher's DID document with --did-doc if it is a did:web")
				}
				bundles = append(bundles, b)
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
			v, err := verifier.New(verifier.Trust{Bundles: bundles, Issuers: o.trust, Resolver: resolver, StatusLists: lists, StatusListsFetched: fetched})
			if err != nil {
				return err
			}
			policy := verifier.Policy{Challenge: o.challenge, Domain: o.domain, AcceptStaleStatus: o.acceptStale}
			inputs := make([][]byte, len(args))
			for i, name := range args {
				if inputs[i], err = readInput(cmd.InOrStdin(), name, limits.MaxJWTBytes); err != nil {
					return err
				}
			}
			results := make([]*verifier.Result, len(args))
			failed := 0
			for i := range args {
				results[i], err = v.Verify(cmd.Context(), inputs[i], policy)
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
	f.StringArrayVar(&o.trust, "trust", nil, "an issuer DID trusted directly, for any type (repeatable)")
	f.StringArrayVar(&o.bundles, "bundle", nil, "a signed trust bundle (repeatable, each with --bundle-publisher)")
	f.StringArrayVar(&o.publishers, "bundle-publisher", nil, "the DID trusted to sign the --bundle in the same position")
	f.StringVar(&o.challenge, "challenge", "", "the challenge given to the holder, which a presentation must answer")
	f.StringVar(&o.domain, "domain", "", "this verifier's domain, for which a presentation must be made")
	f.BoolVar(&o.acceptStale, "accept-stale", false, "use trust bundles past their validUntil (the report says so)")
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
			if r.Kind == verifier.KindPresentation {
				fmt.Fprintf(w, "%s: verified: a presentation by %s (%s) of %d credentials\n", name, r.Holder, r.Format, len(r.Credentials))
				for j, cr := range r.Credentials {
					fmt.Fprintf(w, "  %d. %s from %s (%s)\n", j+1, strings.Join(cr.Types, ", "), cr.Issuer, cr.Format)
				}
				continue
			}
			fmt.Fprintf(w, "%s: verified: %s from %s (%s)\n", name, strings.Join(r.Types, ", "), r.Issuer, r.Format)
			continue
		}
		fmt.Fprintf(w, "%s: NOT VERIFIED\n", name)
		for _, c := range r.Checks {
			if c.Status != verifier.Passed {
				fmt.Fprintf(w, "  %s %s: %s\n", c.Name, c.Status, strings.ReplaceAll(c.Reason, "\n", "; "))
			}
		}
		for j, cr := range r.Credentials {
			if !cr.Verified {
				fmt.Fprintf(w, "  credential %d: %s\n", j+1, strings.ReplaceAll(cr.Summary(), "\n", "; "))
			}
		}
	}
	return nil
}
