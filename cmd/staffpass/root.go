package main

import (
	"io"

	"github.com/spf13/cobra"
)

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "staffpass",
		Short: "Issue, present and verify NHS staff credentials",
		Long: `staffpass turns NHS staff pre-employment checks (identity, right to work,
DBS, mandatory training, professional registration, occupational health) into
W3C Verifiable Credentials that a member of staff carries between NHS
organisations and that the receiving organisation verifies offline.

Exit codes: 0 success, 1 not verified, 2 usage or input error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return withHint(err, "run '"+c.CommandPath()+" --help' for usage")
	})
	root.AddCommand(
		newVersionCmd(),
		newKeyCmd(),
		newDIDCmd(),
		newOrgCmd(),
		newCanonCmd(),
		newSignCmd(),
		newVerifyCmd(),
		newPresentCmd(),
		newBundleCmd(),
		newShowCmd(),
		newIssueCmd(),
		newStatusCmd(),
		newDemoCmd(),
		newServeCmd(),
		newOfferCmd(),
		newRequestCmd(),
	)
	return root
}
