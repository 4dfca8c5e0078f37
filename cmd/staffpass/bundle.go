package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/did/web"
	"github.com/staffpass/staffpass/internal/atomicfile"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
)

func newBundleCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bundle",
		Short: "Build, inspect and check signed trust bundles",
		Long: `A trust bundle is what a verifier trusts, signed and dated by a publisher
(NHS England for the national list, a consortium, or a trust for itself): the
issuers trusted and for which credential types, their DID documents and key
history, their status lists as fetched, and the digests of the contexts and
schemas in use. Verifiers take it with 'staffpass verify --bundle FILE
--bundle-publisher DID' and need no network.`,
	}
	cmd.AddCommand(newBundleBuildCmd(), newBundleInspectCmd(), newBundleVerifyCmd())
	return cmd
}

type bundleBuildOptions struct {
	trustList    string
	key, method  string
	previous     string
	didDocs      []string
	from         []string
	out          string
	allowPrivate bool
	timeout      time.Duration
}

func newBundleBuildCmd() *cobra.Command {
	var o bundleBuildOptions
	cmd := &cobra.Command{
		Use:   "build --trust-list FILE --key FILE --method DIDURL [--previous FILE] [--from FILE...] [--out FILE]",
		Short: "Build and sign a trust bundle from a trust list",
		Long: `Build a trust bundle from the trust list in --trust-list and sign it as the
publisher: --key is the publisher's private key and --method the DID URL its
DID document lists it under for assertionMethod.

The issuers' DID documents and status lists are fetched over HTTPS through
did:web's guarded resolver (https only, no private or loopback addresses unless
--allow-private, capped sizes and times), or, with --from, read from the files
given instead (DID documents and status list credentials, each found by the id
it carries); nothing is then fetched.

--previous is the bundle this publisher built before: a key it holds for an
issuer that the issuer's DID document no longer lists is kept as retired at
this build's time, so that what it signed before goes on verifying. Give the
publisher's DID document with --did-doc when it is a did:web.

The trust list is JSON:

  {"name": "NHS England national trust list", "validFor": "168h",
   "issuers": [{"id": "did:web:kch.nhs.uk", "name": "King's College Hospital",
                "types": ["IdentityCheckCredential", "DBSCheckCredential"],
                "statusLists": ["https://kch.nhs.uk/status/1"],
                "compromisedKeys": []}]}`,
		Example: `  staffpass bundle build --trust-list national.json --key nhse.jwk \
      --method did:web:england.nhs.uk#key-1 --did-doc england.json --previous last.jwt --out national.jwt
  staffpass bundle build --trust-list kch.json --key kch/signing-key.jwk --method "$(jq -r .keyId kch/org.json)" \
      --from kch/did.json --from site/status/1 --from site/status/2 --out kch-bundle.jwt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.trustList == "" || o.key == "" || o.method == "" {
				return withHint(errors.New("--trust-list, --key and --method are required"), "see 'staffpass bundle build --help'")
			}
			method, err := did.ParseURL(o.method)
			if err != nil || method.Fragment() == "" {
				return withHint(fmt.Errorf("--method %q is not the DID URL of a verification method", o.method),
					"give the publisher's DID and the key's fragment, e.g. did:web:england.nhs.uk#key-1")
			}
			data, err := readInput(nil, o.trustList, limits.MaxDocumentBytes)
			if err != nil {
				return err
			}
			list, err := bundle.ParseTrustList(data)
			if err != nil {
				return fmt.Errorf("%s: %w", o.trustList, err)
			}
			key, err := keys.ReadPrivateKeyFile(o.key)
			if err != nil {
				return err
			}
			signer, err := keys.NewSigner(key, o.method)
			if err != nil {
				return err
			}
			resolver, err := offlineResolver(o.didDocs)
			if err != nil {
				return err
			}
			if err := checkPublisherKey(cmd.Context(), method, signer, resolver); err != nil {
				return err
			}
			publisher := method.DID().String()
			var previous *bundle.Bundle
			if o.previous != "" {
				prev, err := readInput(nil, o.previous, limits.MaxBundleBytes)
				if err != nil {
					return err
				}
				if previous, err = bundle.Open(cmd.Context(), prev, publisher, resolver); err != nil {
					return withHint(fmt.Errorf("--previous %s: %w", o.previous, err), "the previous bundle must be one this publisher signed")
				}
			}
			var src bundle.Source
			if len(o.from) > 0 {
				if src, err = bundle.ReadFiles(o.from...); err != nil {
					return err
				}
			} else {
				opts := []web.Option{web.WithTimeout(o.timeout)}
				if o.allowPrivate {
					opts = append(opts, web.WithPrivateAddressesUnsafe())
				}
				if src, err = web.NewResolver(opts...); err != nil {
					return err
				}
			}
			b, err := bundle.Build(cmd.Context(), list, src, bundle.BuildOptions{Publisher: publisher, Now: time.Now(), Previous: previous})
			if err != nil {
				return err
			}
			signed, err := bundle.Sign(b, signer)
			if err != nil {
				return err
			}
			if err := writeOutput(cmd.OutOrStdout(), o.out, append(signed, '\n')); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "staffpass: built %s: %d issuers, %d status lists, valid until %s\n",
				bundleTitle(b), len(b.Issuers), len(b.StatusLists), humanInstant(b.ValidUntil))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.trustList, "trust-list", "", "the trust list: the issuers and what each may issue (JSON)")
	f.StringVar(&o.key, "key", "", "the publisher's private key file (JWK, PEM or Multikey JSON; mode 0600)")
	f.StringVar(&o.method, "method", "", "the publisher's verification method: the DID URL of the key")
	f.StringVar(&o.previous, "previous", "", "the bundle this publisher built before, for its key history")
	f.StringArrayVar(&o.didDocs, "did-doc", nil, "the publisher's DID document, for a did:web publisher (repeatable)")
	f.StringArrayVar(&o.from, "from", nil, "a DID document or status list file to build from instead of the network (repeatable)")
	f.StringVar(&o.out, "out", "", "write the signed bundle to FILE instead of standard output")
	f.BoolVar(&o.allowPrivate, "allow-private", false, "let did:web resolution reach private and loopback addresses (an internal network)")
	f.DurationVar(&o.timeout, "timeout", limits.DIDWebTimeout, "how long each fetch may take")
	return cmd
}

// checkPublisherKey refuses a key that is not the one the publisher's DID
// document lists under method for assertionMethod: nobody could open the
// bundle. A did:web publisher's document must be given with --did-doc.
func checkPublisherKey(ctx context.Context, method did.URL, signer keys.Signer, resolver did.Resolver) error {
	if m := method.DID().Method(); m == didkey.Method || m == didjwk.Method {
		return checkSelfResolvingMethod(method, signer)
	}
	if err := issuer.CheckSigner(ctx, resolver, signer); err != nil {
		return withHint(fmt.Errorf("--method %s: %w", method, err),
			"give the publisher's DID document with --did-doc; it must list the key in --key for assertionMethod")
	}
	return nil
}

// writeOutput writes data to the file out (atomically, 0644), or to w when
// out is empty or "-".
func writeOutput(w io.Writer, out string, data []byte) error {
	if out == "" || out == "-" {
		_, err := w.Write(data)
		return err
	}
	return atomicfile.Write(out, data, 0o644)
}

type bundleReadOptions struct {
	publisher string
	didDocs   []string
	output    string
}

// openBundle reads a signed bundle: opened against the publisher when one
// is given, else read without checking its signature (checked false).
func openBundle(ctx context.Context, name string, o bundleReadOptions) (b *bundle.Bundle, checked bool, err error) {
	data, err := readInput(nil, name, limits.MaxBundleBytes)
	if err != nil {
		return nil, false, err
	}
	if o.publisher == "" {
		payload, err := jose.PeekDocument(data)
		if err != nil {
			return nil, false, fmt.Errorf("%w: %w", bundle.ErrMalformed, err)
		}
		b, err := bundle.Parse(payload)
		if err != nil {
			return nil, false, err
		}
		return b, false, nil
	}
	resolver, err := offlineResolver(o.didDocs)
	if err != nil {
		return nil, false, err
	}
	b, err = bundle.Open(ctx, data, o.publisher, resolver)
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

func newBundleInspectCmd() *cobra.Command {
	var o bundleReadOptions
	cmd := &cobra.Command{
		Use:   "inspect [--bundle-publisher DID [--did-doc FILE]] [--output json] FILE",
		Short: "Show what a trust bundle holds and how old it is",
		Long: `Show a signed trust bundle: its publisher, when it was built and until when it
may be used, each issuer with the credential types it is trusted for and its
keys (current, retired with when, compromised), each status list with when it
was fetched, and the digests of the contexts and schemas it pins.

With --bundle-publisher the signature is checked against that publisher (give
a did:web publisher's DID document with --did-doc); without it the bundle is
only read, and the report says its signature was not checked. --output json
prints {"signature": "verified"|"not checked", "stale": bool, "bundle": the
bundle's JSON form}.`,
		Example: `  staffpass bundle inspect national.jwt
  staffpass bundle inspect --bundle-publisher did:web:england.nhs.uk --did-doc england.json national.jwt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.output != "text" && o.output != "json" {
				return withHint(fmt.Errorf("unknown --output %q", o.output), "use text or json")
			}
			b, checked, err := openBundle(cmd.Context(), args[0], o)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			now := time.Now()
			w := cmd.OutOrStdout()
			if o.output == "json" {
				payload, err := b.Marshal()
				if err != nil {
					return err
				}
				sig := "not checked"
				if checked {
					sig = "verified"
				}
				return json.NewEncoder(w).Encode(struct {
					Signature string          `json:"signature"`
					Stale     bool            `json:"stale"`
					Bundle    json.RawMessage `json:"bundle"`
				}{sig, b.Stale(now), payload})
			}
			printBundle(w, b, checked, now)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.publisher, "bundle-publisher", "", "check the signature against this publisher's DID")
	f.StringArrayVar(&o.didDocs, "did-doc", nil, "the publisher's DID document, for a did:web publisher (repeatable)")
	f.StringVar(&o.output, "output", "text", "report format: text or json")
	return cmd
}

func newBundleVerifyCmd() *cobra.Command {
	var o bundleReadOptions
	var acceptStale bool
	cmd := &cobra.Command{
		Use:   "verify --bundle-publisher DID [--did-doc FILE] [--accept-stale] FILE",
		Short: "Check a trust bundle's signature and age",
		Long: `Check that FILE is a trust bundle signed by --bundle-publisher (give a did:web
publisher's DID document with --did-doc) and still within its validUntil.

Exit codes: 0 the signature verifies and the bundle may be used; 1 it does
not verify, or it is stale (past its validUntil; --accept-stale reports it
but exits 0); 2 usage or input error.`,
		Example: `  staffpass bundle verify --bundle-publisher did:key:z6Mk... kch-bundle.jwt`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.publisher == "" {
				return withHint(errors.New("--bundle-publisher is required"), "name the DID you trust to sign this bundle")
			}
			w := cmd.OutOrStdout()
			b, _, err := openBundle(cmd.Context(), args[0], o)
			switch {
			case errors.Is(err, bundle.ErrSignature):
				fmt.Fprintf(w, "%s: NOT VERIFIED: %v\n", args[0], err)
				return &notVerifiedError{failed: 1, total: 1}
			case err != nil:
				return fmt.Errorf("%s: %w", args[0], err)
			}
			now := time.Now()
			if b.Stale(now) {
				fmt.Fprintf(w, "%s: signed by %s, but STALE: valid until %s\n", args[0], b.Publisher, humanInstant(b.ValidUntil))
				if !acceptStale {
					return &notVerifiedError{failed: 1, total: 1}
				}
				return nil
			}
			fmt.Fprintf(w, "%s: verified: %s, built %s, valid until %s, %d issuers, %d status lists\n",
				args[0], bundleTitle(b), humanInstant(b.Created), humanInstant(b.ValidUntil), len(b.Issuers), len(b.StatusLists))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.publisher, "bundle-publisher", "", "the DID trusted to sign the bundle (required)")
	f.StringArrayVar(&o.didDocs, "did-doc", nil, "the publisher's DID document, for a did:web publisher (repeatable)")
	f.BoolVar(&acceptStale, "accept-stale", false, "report a stale bundle but exit 0")
	return cmd
}

func bundleTitle(b *bundle.Bundle) string {
	if b.Name != "" {
		return fmt.Sprintf("%q by %s", b.Name, b.Publisher)
	}
	return "a bundle by " + b.Publisher
}

// humanInstant writes a time for people: UTC, to the minute, and how far
// from now.
func humanInstant(t time.Time) string {
	d := time.Until(t).Round(time.Minute)
	when := "in " + shortDuration(d)
	switch {
	case d == 0:
		when = "now"
	case d < 0:
		when = shortDuration(-d) + " ago"
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC") + " (" + when + ")"
}

func shortDuration(d time.Duration) string {
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h, m := d/time.Hour, (d%time.Hour)/time.Minute
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}

func printBundle(w io.Writer, b *bundle.Bundle, checked bool, now time.Time) {
	fmt.Fprintf(w, "%s\n", bundleTitle(b))
	if checked {
		fmt.Fprintf(w, "  signature   verified: signed by %s\n", b.Publisher)
	} else {
		fmt.Fprintf(w, "  signature   NOT CHECKED (give --bundle-publisher to check it)\n")
	}
	fmt.Fprintf(w, "  built       %s\n", humanInstant(b.Created))
	state := "valid until"
	if b.Stale(now) {
		state = "STALE since"
	}
	fmt.Fprintf(w, "  %-11s %s\n", state, humanInstant(b.ValidUntil))
	fmt.Fprintf(w, "  issuers     %d\n", len(b.Issuers))
	for _, is := range b.Issuers {
		name := ""
		if is.Name != "" {
			name = "  " + is.Name
		}
		fmt.Fprintf(w, "    %s%s\n", is.ID, name)
		fmt.Fprintf(w, "      types        %s\n", strings.Join(is.Types, ", "))
		for _, m := range is.Document.VerificationMethod {
			fmt.Fprintf(w, "      key          %s (current)\n", did.AbsoluteURL(is.ID, m.ID))
		}
		for _, rk := range is.RetiredKeys {
			fmt.Fprintf(w, "      key          %s (retired %s: verifies what was signed before)\n", did.AbsoluteURL(is.ID, rk.Method.ID), rk.Retired.UTC().Format("2 Jan 2006 15:04 UTC"))
		}
		for _, k := range is.CompromisedKeys {
			fmt.Fprintf(w, "      key          %s (COMPROMISED: verifies nothing)\n", k)
		}
	}
	fmt.Fprintf(w, "  status lists %d\n", len(b.StatusLists))
	for _, l := range b.StatusLists {
		fmt.Fprintf(w, "    %s  fetched %s\n", l.URL, humanInstant(l.Fetched))
	}
	for _, d := range b.Contexts {
		fmt.Fprintf(w, "  context     %s  %s\n", d.ID, d.DigestSRI)
	}
	for _, d := range b.Schemas {
		fmt.Fprintf(w, "  schema      %s  %s\n", d.ID, d.DigestSRI)
	}
}
