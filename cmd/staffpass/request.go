package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/policy"
)

func newRequestCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "request",
		Short: "Ask a member of staff's wallet for what a role needs (OpenID4VP)",
	}
	cmd.AddCommand(newRequestCreateCmd())
	return cmd
}

func newRequestCreateCmd() *cobra.Command {
	var roleFile, serverURL, tokenFile, caFile, png string
	cmd := &cobra.Command{
		Use:   "create --role FILE --server URL [--token-file FILE] [--ca-cert FILE] [--png FILE]",
		Short: "Make a presentation request for a role and print its URI and QR code",
		Long: `Ask 'staffpass serve --public-url' at --server for a presentation request
for the role in --role (OpenID for Verifiable Presentations 1.0): a DCQL
query for one SD-JWT VC of each kind of credential the role needs,
disclosing no document or certificate number. The member of staff scans the
QR code with her wallet, which answers the server directly; the server
verifies what she shows, judges the role, and keeps the verdict, with every
check and requirement, at the result URL for ten minutes (and logs whether
the role was met).

Creating a request and reading its result need the server's token
(--token-file, or STAFFPASS_TOKEN). --ca-cert trusts the server's
certificate when it is not one the system trusts (a self-signed one).

The request URI is the first line of standard output, then its QR code for
a dark terminal; --png FILE writes it as a PNG; the result URL goes to
standard error.`,
		Example: `  staffpass request create --role bank-nurse.json --server https://check.gstt.nhs.uk --token-file token.txt --png request.png
  curl -H "Authorization: Bearer $(cat token.txt)" https://check.gstt.nhs.uk/openid4vp/results/ID`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if roleFile == "" || serverURL == "" {
				return withHint(errors.New("--role and --server are required"), "see 'staffpass request create --help'")
			}
			if err := checkPublicURL(serverURL); err != nil {
				return withHint(fmt.Errorf("--server: %w", err), "the URL of 'staffpass serve --public-url'")
			}
			roleData, err := readInput(cmd.InOrStdin(), roleFile, limits.MaxDocumentBytes)
			if err != nil {
				return err
			}
			if _, err := policy.ParseRole(roleData); err != nil {
				return fmt.Errorf("%s: %w", roleFile, err)
			}
			token, err := (&serveOptions{tokenFile: tokenFile}).token()
			if err != nil {
				return err
			}
			if token == "" {
				return withHint(errors.New("no token"), "give --token-file FILE or set STAFFPASS_TOKEN, as the server has it")
			}
			client := &http.Client{Timeout: 30 * time.Second}
			if caFile != "" {
				pem, err := os.ReadFile(caFile)
				if err != nil {
					return err
				}
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(pem) {
					return fmt.Errorf("%s: no PEM certificate", caFile)
				}
				client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
			}
			body, _ := json.Marshal(map[string]json.RawMessage{"role": roleData})
			req, err := http.NewRequestWithContext(cmd.Context(), http.MethodPost, strings.TrimSuffix(serverURL, "/")+"/openid4vp/requests", bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := client.Do(req)
			if err != nil {
				return err
			}
			defer res.Body.Close()
			out, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
			if err != nil {
				return err
			}
			var created struct {
				ID, Expires   string
				RequestURI    string `json:"request_uri"`
				ResultURL     string `json:"result_url"`
				Detail, Title string
			}
			json.Unmarshal(out, &created)
			if res.StatusCode != http.StatusCreated || created.RequestURI == "" {
				why := created.Detail
				if why == "" {
					why = created.Title
				}
				return fmt.Errorf("the server answered %d: %s", res.StatusCode, why)
			}
			if err := printQR(cmd.OutOrStdout(), created.RequestURI, png); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "staffpass: request %s, until %s; the verdict will be at %s\n", created.ID, created.Expires, created.ResultURL)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&roleFile, "role", "", "the role's requirements (JSON; see docs/credentials.md)")
	f.StringVar(&serverURL, "server", "", "the URL of 'staffpass serve --public-url'")
	f.StringVar(&tokenFile, "token-file", "", "the server's token (mode 0600); or STAFFPASS_TOKEN")
	f.StringVar(&caFile, "ca-cert", "", "a PEM certificate to trust for the server (a self-signed one)")
	f.StringVar(&png, "png", "", "also write the QR code as a PNG file")
	return cmd
}
