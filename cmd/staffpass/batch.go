package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/vc/staff"
)

type issueBatchOptions struct {
	org, typ, out, format, actor, output, registry string
	workers                                        int
	dryRun, columns                                bool
}

// maxPrintedFailures caps the failures printed on standard error; all of
// them are in errors.csv.
const maxPrintedFailures = 10

func newIssueBatchCmd() *cobra.Command {
	var o issueBatchOptions
	cmd := &cobra.Command{
		Use:   "batch --org DIR --type TYPE --out DIR [--format F] [--output files|jsonl] [--workers N] [--dry-run] FILE.csv",
		Short: "Issue one credential for each row of a spreadsheet's CSV export",
		Long: `Issue one credential of TYPE for each row of FILE.csv ("-" for standard
input), as the organisation set up in DIR, and write each to --out as
STAFFID-TYPE-DATE.jwt (or .json for a Data Integrity format), or with
'--output jsonl' each as a line of OUT/credentials.jsonl (a form fit for
millions of rows).

The file is CSV as a spreadsheet or ESR report exports it (UTF-8, comma
separated), with a header row naming the columns: staff_id and subject (the
member of staff's wallet did:key or did:jwk) in every file, valid_until if
wanted, and the columns of the type ('--columns' lists them; see
docs/credentials.md). Dates are YYYY-MM-DD or DD/MM/YYYY. Document numbers,
share codes and DBS certificate numbers go into the credential only as salted
hashes, and are never written anywhere else.

The file is read as a stream, in groups of rows, so a file of any number of
rows can be issued in one run; its CSV is checked whole before anything is
issued. Rows are signed in parallel; a row that fails does not stop the
others, and every failure, with its row and column, goes to OUT/errors.csv. A
staff id (in upper or lower case), type and check date is issued once:
running the same file again (after Ctrl-C, a crash, or to add rows) issues
only what is missing and says "already issued" for the rest. Two runs writing
to the same --out take turns. Use --dry-run to check a file before issuing
it.

Exit codes: 0 every row issued or already issued, 2 some rows failed, the
run was interrupted, or a usage or input error.`,
		Example: `  staffpass issue batch --type dbs --columns
  staffpass issue batch --org ./kch --type dbs --dry-run dbs-checks.csv
  staffpass issue batch --org ./kch --type dbs --out ./issued/dbs dbs-checks.csv`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.columns {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			typ, err := batchType(o.typ)
			if err != nil {
				return err
			}
			if o.columns {
				return printColumns(cmd.OutOrStdout(), typ)
			}
			return runIssueBatch(cmd, o, typ, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.org, "org", "", "the organisation directory (from 'staffpass org init')")
	f.StringVar(&o.typ, "type", "", "the credential type of every row: "+strings.Join(batchTypeNames(), ", "))
	f.StringVar(&o.out, "out", "", "the directory to write the credentials and errors.csv to")
	f.StringVar(&o.format, "format", string(issuer.FormatJWT), "jwt or a Data Integrity suite")
	f.IntVar(&o.workers, "workers", 0, "rows issued at once (default: the number of CPUs)")
	f.BoolVar(&o.dryRun, "dry-run", false, "check every row and say what would be issued, issuing nothing")
	f.BoolVar(&o.columns, "columns", false, "list the columns of --type and exit")
	f.StringVar(&o.actor, "actor", "", "who issues, for the audit trail (default: the login name)")
	f.StringVar(&o.output, "output", string(issuer.OutputFiles), "files (one file per credential) or jsonl (one JSON Lines file, OUT/"+issuer.JSONLFile+")")
	addRegistryFlag(f, &o.registry)
	return cmd
}

// batchAliases are the short names --type accepts beside the types'
// names and staff.ShortName.
var batchAliases = map[string]string{
	"identity":            staff.TypeIdentityCheck,
	"rtw":                 staff.TypeRightToWork,
	"dbs":                 staff.TypeDBSCheck,
	"training":            staff.TypeMandatoryTraining,
	"registration":        staff.TypeProfessionalRegistration,
	"occupational-health": staff.TypeOccupationalHealthClearance,
}

func batchTypeNames() []string {
	names := make([]string, 0, len(batchAliases))
	for a := range batchAliases {
		names = append(names, a)
	}
	slices.Sort(names)
	return append(names, "employment")
}

// resolveType is the credential type a name stands for: an alias (dbs,
// training, ...), a type's short name, or its full name in any case; any
// other name is a type of its own, as it is.
func resolveType(name string) string {
	if t, ok := batchAliases[strings.ToLower(name)]; ok {
		return t
	}
	for _, t := range staff.Types() {
		if strings.EqualFold(name, t) || strings.EqualFold(name, staff.ShortName(t)) {
			return t
		}
	}
	return name
}

// batchType resolves --type: a credential type, its short name or an alias.
func batchType(name string) (string, error) {
	if name == "" {
		return "", withHint(errors.New("--type is required"), "one of "+strings.Join(batchTypeNames(), ", ")+", or a credential type name")
	}
	if t, ok := batchAliases[strings.ToLower(name)]; ok {
		return t, nil
	}
	for _, t := range staff.Types() {
		if strings.EqualFold(name, t) || strings.EqualFold(name, staff.ShortName(t)) {
			if staff.RowColumns(t) == nil {
				return "", withHint(fmt.Errorf("%s cannot be issued from a CSV file: an employment history lists several employments, which do not fit one row", t),
					"issue it from JSON with 'staffpass issue'")
			}
			return t, nil
		}
	}
	return "", withHint(fmt.Errorf("unknown credential type %q", name), "use one of "+strings.Join(batchTypeNames(), ", "))
}

func printColumns(w io.Writer, typ string) error {
	cols := staff.RowColumns(typ)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	fmt.Fprintf(w, "%s (%s): one row per credential; * required column, # identifier (written only as a salted hash)\n\n", typ, staff.ShortName(typ))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range cols {
		mark := " "
		switch {
		case c.Required && c.Identifier:
			mark = "*#"
		case c.Required:
			mark = "*"
		case c.Identifier:
			mark = "#"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Name, mark, c.Help)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nHeader row with every column:\n%s\n", strings.Join(names, ","))
	return err
}

func runIssueBatch(cmd *cobra.Command, o issueBatchOptions, typ, file string) error {
	stderr := cmd.ErrOrStderr()
	if o.org == "" {
		return withHint(errors.New("--org is required"), "set up an organisation with 'staffpass org init'")
	}
	if o.out == "" && !o.dryRun {
		return withHint(errors.New("--out is required"), "name the directory the credentials go to")
	}
	// A batch allocates about 70 KiB a credential around a small live
	// heap: collecting half as often costs a few tens of MiB and gives
	// about 6% more credentials a second. GOGC, when set, decides.
	if _, set := os.LookupEnv("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}
	format := issuer.Format(o.format)
	if !slices.Contains(issuer.Formats(), format) {
		return withHint(fmt.Errorf("unknown format %q", o.format), "use jwt or a Data Integrity suite (see 'staffpass sign --help')")
	}
	if o.workers < 0 || o.workers > limits.MaxBatchWorkers {
		return fmt.Errorf("--workers must be 1 to %d", limits.MaxBatchWorkers)
	}
	output := issuer.BatchOutput(o.output)
	if output != issuer.OutputFiles && output != issuer.OutputJSONL {
		return withHint(fmt.Errorf("unknown output %q", o.output), "use files or jsonl")
	}
	csvError := func(err error) error {
		err = fmt.Errorf("%s: %w", file, err)
		if errors.Is(err, staff.ErrColumn) {
			return withHint(err, "'staffpass issue batch --type "+staff.ShortName(typ)+" --columns' lists the columns")
		}
		return err
	}
	// A file is read twice: once to check its CSV and count its rows
	// before anything is issued, then as the batch goes.
	total := 0
	var in io.Reader = cmd.InOrStdin()
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		if total, err = countRows(f, typ); err != nil {
			return csvError(err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		in = f
	} else if in == nil {
		return errors.New(`"-" (standard input) cannot be used here; name a file`)
	}
	rows, err := staff.NewCSVReader(in, typ)
	if err != nil {
		return csvError(err)
	}
	org, err := openOrganisation(o.org, o.registry)
	if err != nil {
		return err
	}
	signer, err := org.Signer()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	finished := make(chan struct{})
	defer close(finished) // before stop, so the goroutine below stays quiet
	go func() {
		// After the first Ctrl-C the rows being issued finish; a second
		// one stops at once (a rerun resumes either way).
		select {
		case <-finished:
			return
		case <-ctx.Done():
		}
		select {
		case <-finished:
			return
		default:
		}
		stop()
		fmt.Fprintln(stderr, "staffpass: interrupted: finishing the rows being issued (Ctrl-C again to stop at once)")
	}()
	rowKey, err := org.RowKey()
	if err != nil {
		return err
	}
	reg, err := org.OpenRegistry(cmd.Context())
	if err != nil {
		return err
	}
	defer reg.Close()

	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		london = time.Local
	}
	res, err := issuer.IssueBatchFrom(ctx, reg, signer, typ, rows.All(), issuer.BatchOptions{
		Format: format, Out: o.out, Workers: o.workers, Actor: actor(o.actor), DryRun: o.dryRun,
		Output: output, ExpectedRows: total, RowKey: rowKey,
		Clock:    func() time.Time { return time.Now().In(london) },
		Progress: newProgress(stderr, total, o.dryRun),
		Waiting: func() {
			fmt.Fprintf(stderr, "staffpass: another batch is writing to %s: waiting for it to finish\n", o.out)
		},
	})
	if res == nil {
		return err
	}
	if err != nil && res.NotStarted == 0 && ctx.Err() == nil {
		// The file went wrong part way (a pipe): the rows before are
		// issued.
		printSummary(cmd.OutOrStdout(), res, o.dryRun, "")
		return csvError(err)
	}
	errorsFile := ""
	if len(res.Failures) > 0 && o.out != "" {
		errorsFile = filepath.Join(o.out, issuer.ErrorsFile)
		if o.dryRun {
			if werr := issuer.WriteErrorsFile(res, o.out, func() {
				fmt.Fprintf(stderr, "staffpass: another batch is writing to %s: waiting for it to finish\n", o.out)
			}); werr != nil {
				return werr
			}
		}
	}
	printFailures(stderr, res.Failures, errorsFile)
	printSummary(cmd.OutOrStdout(), res, o.dryRun, errorsFile)
	switch {
	case err != nil && res.NotStarted > 0:
		return withHint(fmt.Errorf("interrupted with %d of %d rows not started", res.NotStarted, res.Total),
			"run the same command again to issue the rest: nothing is issued twice")
	case err != nil:
		return err
	case res.Failed > 0:
		where := "above"
		if errorsFile != "" {
			where = "in " + errorsFile
		}
		return fmt.Errorf("%d of %d rows failed; the reasons are %s", res.Failed, res.Total, where)
	}
	return nil
}

// countRows checks a CSV file of typ whole and counts its rows.
func countRows(r io.Reader, typ string) (int, error) {
	cr, err := staff.NewCSVReader(r, typ)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, err := range cr.All() {
		if err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// progressEvery is how often the progress of a batch of unknown size (read
// from standard input) is printed.
const progressEvery = 10_000

// newProgress returns the batch's progress callback: a progress bar when w
// is a terminal, otherwise a line every tenth of the rows (every
// progressEvery rows when total is not known).
func newProgress(w io.Writer, total int, dryRun bool) func(issuer.BatchProgress) {
	verb := "issuing"
	if dryRun {
		verb = "checking"
	}
	if total == 0 {
		return func(p issuer.BatchProgress) {
			if p.Done%progressEvery == 0 {
				fmt.Fprintf(w, "staffpass: %s: %d rows\n", verb, p.Done)
			}
		}
	}
	if isTerminal(w) {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(verb),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		)
		return func(p issuer.BatchProgress) { _ = bar.Set(p.Done) }
	}
	tenth := 0
	return func(p issuer.BatchProgress) {
		if t := p.Done * 10 / p.Total; t > tenth {
			tenth = t
			fmt.Fprintf(w, "staffpass: %s: %d%% (%d of %d rows)\n", verb, p.Done*100/p.Total, p.Done, p.Total)
		}
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func printFailures(w io.Writer, failures []*issuer.RowFailure, errorsFile string) {
	for i, f := range failures {
		if i == maxPrintedFailures {
			more := fmt.Sprintf("staffpass: and %d more", len(failures)-i)
			if errorsFile != "" {
				more += " in " + errorsFile
			}
			fmt.Fprintln(w, more)
			return
		}
		fmt.Fprintf(w, "staffpass: %v\n", f)
	}
}

func printSummary(w io.Writer, res *issuer.BatchResult, dryRun bool, errorsFile string) {
	var b strings.Builder
	if dryRun {
		fmt.Fprintf(&b, "dry run: would issue %d, already issued %d, failed %d", res.WouldIssue, res.AlreadyIssued, res.Failed)
	} else {
		fmt.Fprintf(&b, "issued %d, already issued %d, failed %d", res.Issued, res.AlreadyIssued, res.Failed)
	}
	if res.Failed > 0 && errorsFile != "" {
		fmt.Fprintf(&b, " (see %s)", errorsFile)
	}
	if res.NotStarted > 0 {
		fmt.Fprintf(&b, ", not started %d", res.NotStarted)
	}
	fmt.Fprintln(w, b.String())
}
