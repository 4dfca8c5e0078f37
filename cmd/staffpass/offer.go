package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"rsc.io/qr"

	"github.com/staffpass/staffpass/internal/atomicfile"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
)

func newOfferCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "offer",
		Short: "Offer a credential to a member of staff's wallet (OpenID4VCI)",
	}
	cmd.AddCommand(newOfferCreateCmd())
	return cmd
}

func newOfferCreateCmd() *cobra.Command {
	var org, typeName, issuerURL, png, actorFlag, registryURL string
	var txCode bool
	var validFor time.Duration
	// Every column of every type is a flag; each type takes its own.
	values := map[string]*string{}
	identifiers := map[string]bool{}
	cmd := &cobra.Command{
		Use:   "create --org DIR --type T --issuer-url URL [--tx-code] [--png FILE] [--COLUMN V]...",
		Short: "Make a credential offer and print its URI and QR code",
		Long: `Make an offer of one staff credential of --type, from flags named like its CSV
columns (as 'staffpass issue <type>' takes them) but without --subject: the
member of staff's wallet scans the QR code, fetches the offer from
'staffpass serve --public-url URL' (give that URL as --issuer-url), redeems
it, and proves the key it holds, which becomes the credential's subject. The
credential is issued through the registry, as an SD-JWT VC (its identifiers
and date of birth selectively disclosable), like any other; the offer then
forgets the row. An offer can be redeemed once, until --valid-for has passed.

With --tx-code the wallet must also give a six-digit transaction code, which
is printed on standard error: give it to the member of staff by another
channel (in person, by text message), never with the QR code. Five wrong
codes withdraw the offer.

The offer URI is the first line of standard output, followed by its QR code
for a dark terminal; --png FILE writes it as a PNG for a light page.`,
		Example: `  echo 001234567890 | staffpass offer create --org kch --type dbs --issuer-url https://passport.kch.nhs.uk \
      --tx-code --png offer.png --staff-id E1234 --dbs-level enhanced --dbs-workforce adult \
      --certificate-number - --certificate-issue-date 2026-10-04 --update-service-subscribed no --check-date 2026-11-20`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if org == "" || typeName == "" || issuerURL == "" {
				return withHint(errors.New("--org, --type and --issuer-url are required"), "see 'staffpass offer create --help'")
			}
			if err := checkPublicURL(issuerURL); err != nil {
				return withHint(fmt.Errorf("--issuer-url: %w", err), "the https URL of 'staffpass serve --public-url', as wallets reach it")
			}
			typ, err := batchType(typeName)
			if err != nil {
				return err
			}
			cols := staff.RowColumns(typ)
			cells := map[string]string{}
			in := bufio.NewReader(cmd.InOrStdin())
			for name := range values {
				flag := cmd.Flags().Lookup(flagName(name))
				if !flag.Changed {
					continue
				}
				if !slices.ContainsFunc(cols, func(c staff.Column) bool { return c.Name == name }) {
					return withHint(fmt.Errorf("--%s is not a column of %s", flag.Name, typ), "'staffpass issue "+typeName+" --help' lists its flags")
				}
				v := *values[name]
				if identifiers[name] {
					var err error
					if v, err = identifierValue(cmd, in, flag.Name, v); err != nil {
						return err
					}
				}
				cells[name] = v
			}
			o, err := openOrganisation(org, registryURL)
			if err != nil {
				return err
			}
			reg, err := o.OpenRegistry(cmd.Context())
			if err != nil {
				return err
			}
			defer reg.Close()
			created, err := issuer.CreateOffer(cmd.Context(), reg, registry.OfferRequest{
				Type: typ, Cells: cells, Format: string(issuer.FormatSDJWT), IssuerURL: strings.TrimSuffix(issuerURL, "/"),
				TxCode: txCode, ValidFor: validFor, Actor: actor(actorFlag), Now: time.Now(),
			})
			if err != nil {
				return flagFailures(err, typeName)
			}
			uri := OfferURI(strings.TrimSuffix(issuerURL, "/"), created.ID)
			if err := printQR(cmd.OutOrStdout(), uri, png); err != nil {
				return err
			}
			errw := cmd.ErrOrStderr()
			fmt.Fprintf(errw, "staffpass: offered a %s, valid until %s\n", typ, created.Expires.Format(time.RFC3339))
			if created.TxCode != "" {
				fmt.Fprintf(errw, "staffpass: transaction code %s: give it to the member of staff by another channel, never with the QR code\n", created.TxCode)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&org, "org", "", "the organisation directory (from 'staffpass org init')")
	addRegistryFlag(f, &registryURL)
	f.StringVar(&typeName, "type", "", "the credential type: "+strings.Join(batchTypeNames(), ", "))
	f.StringVar(&issuerURL, "issuer-url", "", "the URL of 'staffpass serve --public-url' that wallets reach")
	f.BoolVar(&txCode, "tx-code", false, "require a six-digit transaction code, printed on standard error")
	f.DurationVar(&validFor, "valid-for", 24*time.Hour, "how long the offer can be redeemed")
	f.StringVar(&png, "png", "", "also write the QR code as a PNG file")
	f.StringVar(&actorFlag, "actor", "", "who makes the offer, for the audit trail (default: the login name)")
	for _, name := range batchTypeNames() {
		typ, err := batchType(name)
		if err != nil {
			continue
		}
		for _, c := range staff.RowColumns(typ) {
			if c.Name == staff.ColumnSubject || values[c.Name] != nil {
				continue
			}
			values[c.Name] = new(string)
			identifiers[c.Name] = c.Identifier
			help := c.Help
			if c.Identifier {
				help += "; - reads it from standard input"
			}
			f.StringVar(values[c.Name], flagName(c.Name), "", help)
		}
	}
	return cmd
}

// OfferURI is the credential offer URI of an offer by reference
// (OpenID4VCI 1.0 section 4.1.3).
func OfferURI(issuerURL, id string) string {
	return "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape(issuerURL+"/offers/"+id)
}

// printQR prints uri and its QR code (for a dark terminal) to w and, when
// png is not "", writes the code as a PNG file there (refusing to replace
// a file).
func printQR(w io.Writer, uri, png string) error {
	code, err := qr.Encode(uri, qr.M)
	if err != nil {
		return fmt.Errorf("the QR code: %w", err)
	}
	if png != "" {
		code.Scale = 8
		if err := atomicfile.Create(png, code.PNG(), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, uri)
	fmt.Fprint(w, TerminalQR(code))
	return nil
}

// TerminalQR draws a QR code with half blocks, two modules a character,
// the light modules in the foreground colour, for a dark terminal, with the
// quiet zone of four modules the standard asks for.
func TerminalQR(c *qr.Code) string {
	var b strings.Builder
	const quiet = 4
	dark := func(x, y int) bool { return c.Black(x-quiet, y-quiet) }
	size := c.Size + 2*quiet
	for y := 0; y < size; y += 2 {
		for x := 0; x < size; x++ {
			// A last odd row has light below it: the quiet zone goes on.
			top, bottom := dark(x, y), y+1 < size && dark(x, y+1)
			switch {
			case !top && !bottom:
				b.WriteRune('█')
			case top && bottom:
				b.WriteByte(' ')
			case top:
				b.WriteRune('▄')
			default:
				b.WriteRune('▀')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// checkPublicURL accepts an https URL, or http on a loopback address (for
// tests on one machine), with no query or fragment.
func checkPublicURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q is not a URL of a host (and no query or fragment)", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLoopback() || u.Hostname() == "localhost" {
			return nil
		}
		return fmt.Errorf("%q: plain http only on loopback; wallets reach an issuer over https", s)
	}
	return fmt.Errorf("%q is not an https URL", s)
}
