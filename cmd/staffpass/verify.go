package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/staffpass/staffpass/bundle"
	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/policy"
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
	role              string
	together          bool
	namesFrom         string
	workers           int
}

func newVerifyCmd() *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify [--bundle FILE --bundle-publisher DID]... [--did-doc FILE]... [--trust DID]... [--role FILE] [--challenge C --domain D] [--output json] FILE...",
		Short: "Verify credentials and presentations offline, and judge them for a role",
		Long: `Verify each FILE ("-" for standard input): a credential (a vc+jwt, a VCDM 1.1
JWT, a credential JSON with Data Integrity proofs, an enveloped vc+jwt) or a
presentation (a vp+jwt, or a presentation JSON with a Data Integrity proof).
With --names-from FILE ("-" for standard input) the file names are read from
it instead, one a line, so that a run over millions of files holds neither
all the names nor all the results.

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

With --challenge, an SD-JWT VC must come with a Key Binding JWT answering it:
one shown bare proves nothing of who shows it, and is not verified.

With --role FILE (a role's requirements, see docs/credentials.md) each
presentation is then judged for the role (with --together, once, across all
the files, as one holder's presentations: a wallet shows each SD-JWT VC in
a presentation of its own): every requirement met, due,
missing, expired or insufficient, with the reason and the credential it
rests on. Only verified credentials of a verified presentation count.

Files are verified on every core and reported in order as soon as each is
ready: a table per file on standard output (every check with its result and
reason, then the role verdict), or with --output json one line of JSON per
file (JSON Lines): the verifier's Result with "file" (and "role", the
verdict) added, or {"file": ..., "error": ...} for a file that could not be
read, which does not stop the others.

Exit codes: 0 every file verified (and met the role, when asked); 1 at least
one did not verify or did not meet the role; 2 usage or input error (bad
flags, nothing trusted, a bad bundle or DID document, or a file that could
not be read, reported at the end).`,
		Example: `  staffpass verify --bundle national.jwt --bundle-publisher did:web:england.nhs.uk --did-doc england.json \
      --role bank-nurse.json --challenge 8c1f0e6a --domain https://bank.gstt.nhs.uk presentation.jwt
  staffpass verify --did-doc kch/did.json --trust did:web:kch.nhs.uk dbs.jwt
  find wallets -name '*.jwt' | staffpass verify --trust did:key:z6Mk... --names-from - --output json | jq .verified`,
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
			switch {
			case o.namesFrom == "" && len(args) == 0:
				return withHint(errors.New("no file to verify"), "name the files, or give --names-from FILE (- for standard input)")
			case o.namesFrom != "" && len(args) > 0:
				return withHint(errors.New("files named both as arguments and with --names-from"), "use one or the other")
			case o.namesFrom == "-" && slices.Contains(args, "-"):
				return errors.New(`standard input cannot hold both the names and a file`)
			}
			if o.workers < 0 {
				return withHint(fmt.Errorf("--workers %d", o.workers), "give a positive number, or 0 for every core")
			}
			var role *policy.Role
			if o.role != "" {
				data, err := readInput(nil, o.role, limits.MaxDocumentBytes)
				if err != nil {
					return err
				}
				if role, err = policy.ParseRole(data); err != nil {
					return fmt.Errorf("%s: %w", o.role, err)
				}
			}
			v, err := o.verifier(cmd.Context())
			if err != nil {
				return err
			}
			names, closeNames, err := nameSource(cmd.InOrStdin(), o.namesFrom, args)
			if err != nil {
				return err
			}
			defer closeNames()
			run := &verifyRun{
				v: v,
				policy: verifier.Policy{Challenge: o.challenge, Domain: o.domain, AcceptStaleStatus: o.acceptStale,
					RequireKeyBinding: o.challenge != ""},
				role:  role,
				stdin: cmd.InOrStdin(),
				out:   cmd.OutOrStdout(),
				json:  o.output == "json",
			}
			if o.together {
				if role == nil {
					return withHint(errors.New("--together judges --role across the files"), "give --role FILE")
				}
				run.role, run.together = nil, role
			}
			total, failed, unread, err := run.all(cmd.Context(), names, o.workers)
			if err != nil {
				return err
			}
			if o.together && unread == 0 {
				if !run.judgeTogether() {
					failed++
				}
			}
			if unread > 0 {
				return fmt.Errorf("%d of %d files could not be read (reported above)", unread, total)
			}
			if failed > 0 {
				return &notVerifiedError{failed: failed, total: total}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.didDocs, "did-doc", nil, "a DID document file to resolve its DID from (repeatable)")
	f.StringArrayVar(&o.statusLists, "status-list", nil, "a signed status list credential (or Status List Token, for SD-JWT VCs) to check revocation against (repeatable)")
	f.StringArrayVar(&o.trust, "trust", nil, "an issuer DID trusted directly, for any type (repeatable)")
	f.StringArrayVar(&o.bundles, "bundle", nil, "a signed trust bundle (repeatable, each with --bundle-publisher)")
	f.StringArrayVar(&o.publishers, "bundle-publisher", nil, "the DID trusted to sign the --bundle in the same position")
	f.StringVar(&o.challenge, "challenge", "", "the challenge given to the holder, which a presentation must answer")
	f.StringVar(&o.domain, "domain", "", "this verifier's domain, for which a presentation must be made")
	f.BoolVar(&o.acceptStale, "accept-stale", false, "use trust bundles past their validUntil (the report says so)")
	f.StringVar(&o.role, "role", "", "judge each presentation for the role in FILE (its requirements, JSON)")
	f.BoolVar(&o.together, "together", false, "judge --role once, across all the files, as one holder's presentations (a wallet shows each SD-JWT VC on its own)")
	f.StringVar(&o.namesFrom, "names-from", "", "read the names of the files to verify from FILE, one a line (- for standard input)")
	f.IntVar(&o.workers, "workers", 0, "how many files to verify at once (0: one per core)")
	f.StringVar(&o.output, "output", "text", "report format: text or json")
	return cmd
}

// verifier makes the Verifier of the command's trust: the bundles, opened
// against their publishers, the issuers trusted directly, the DID documents
// and status lists given.
func (o *verifyOptions) verifier(ctx context.Context) (*verifier.Verifier, error) {
	trust, err := o.trustOf(ctx)
	if err != nil {
		return nil, err
	}
	return verifier.New(trust)
}

// trustOf reads what the flags trust: the bundles, opened against their
// publishers, the issuers trusted directly, the DID documents (and extra,
// ones the caller holds) and the status lists given.
func (o *verifyOptions) trustOf(ctx context.Context, extra ...*did.Document) (verifier.Trust, error) {
	resolver, err := offlineResolver(o.didDocs, extra...)
	if err != nil {
		return verifier.Trust{}, err
	}
	var bundles []*bundle.Bundle
	for i, name := range o.bundles {
		data, err := readInput(nil, name, limits.MaxBundleBytes)
		if err != nil {
			return verifier.Trust{}, err
		}
		b, err := bundle.Open(ctx, data, o.publishers[i], resolver)
		if err != nil {
			return verifier.Trust{}, withHint(fmt.Errorf("%s: %w", name, err), "check --bundle-publisher, and give the publisher's DID document with --did-doc if it is a did:web")
		}
		bundles = append(bundles, b)
	}
	var lists [][]byte
	var fetched time.Time // the oldest list file's time
	for _, name := range o.statusLists {
		data, err := readInput(nil, name, limits.MaxJWTBytes)
		if err != nil {
			return verifier.Trust{}, err
		}
		lists = append(lists, data)
		if fi, err := os.Stat(name); err == nil && (fetched.IsZero() || fi.ModTime().Before(fetched)) {
			fetched = fi.ModTime()
		}
	}
	return verifier.Trust{Bundles: bundles, Issuers: o.trust, Resolver: resolver, StatusLists: lists, StatusListsFetched: fetched}, nil
}

// nameSource returns the names of the files to verify, one at a time
// ("" when done): the arguments, or the lines of from ("-": stdin).
func nameSource(stdin io.Reader, from string, args []string) (next func() (string, error), closeFn func(), err error) {
	if from == "" {
		i := 0
		return func() (string, error) {
			if i == len(args) {
				return "", nil
			}
			i++
			return args[i-1], nil
		}, func() {}, nil
	}
	r, closeFn := stdin, func() {}
	if from != "-" {
		f, err := os.Open(from)
		if err != nil {
			return nil, nil, err
		}
		r, closeFn = f, func() { f.Close() }
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	return func() (string, error) {
		for sc.Scan() {
			if name := strings.TrimRight(sc.Text(), "\r"); strings.TrimSpace(name) != "" {
				return name, nil
			}
		}
		return "", sc.Err()
	}, closeFn, nil
}

// verifyRun verifies files on every core and reports each, in order, as
// soon as it and those before it are done.
type verifyRun struct {
	v      *verifier.Verifier
	policy verifier.Policy
	role   *policy.Role
	stdin  io.Reader
	out    io.Writer
	json   bool
	// together is the role judged once across every file's Result, kept
	// in results (at most maxTogether of them).
	together *policy.Role
	results  []*verifier.Result
	names    []string
}

// maxTogether caps the files --together judges as one holder's.
const maxTogether = 100

// verified is the outcome of one file.
type verified struct {
	seq     int
	name    string
	r       *verifier.Result
	verdict *policy.Verdict
	roleErr error // the role could not be judged
	readErr error // the file could not be read
	out     []byte
	outErr  error
}

func (o verified) failed() bool {
	return o.readErr == nil && (!o.r.Verified || (o.roleErr != nil || (o.verdict != nil && !o.verdict.Met)))
}

// all verifies every file next names, with workers at once (0: one per
// core), and returns how many there were, how many did not verify (or
// meet the role) and how many could not be read.
func (run *verifyRun) all(ctx context.Context, next func() (string, error), workers int) (total, failed, unread int, err error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	window := make(chan struct{}, 4*workers) // files read but not yet reported
	jobs := make(chan verified, workers)
	done := make(chan verified, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				o := run.one(ctx, j)
				o.out, o.outErr = run.render(o)
				done <- o
			}
		}()
	}
	var nameErr error
	go func() {
		defer close(jobs)
		for seq := 0; ; seq++ {
			window <- struct{}{}
			name, err := next()
			if err != nil || name == "" {
				nameErr = err
				<-window
				return
			}
			jobs <- verified{seq: seq, name: name}
		}
	}()
	go func() {
		wg.Wait()
		close(done)
	}()
	pending := map[int]verified{}
	seq := 0
	var writeErr error
	for d := range done {
		pending[d.seq] = d
		for {
			o, ok := pending[seq]
			if !ok {
				break
			}
			delete(pending, seq)
			seq++
			total++
			switch {
			case o.readErr != nil:
				unread++
			case o.failed():
				failed++
			}
			if writeErr == nil {
				writeErr = o.outErr
			}
			if writeErr == nil {
				_, writeErr = run.out.Write(o.out)
			}
			if run.together != nil && o.readErr == nil && writeErr == nil {
				if len(run.results) == maxTogether {
					writeErr = fmt.Errorf("--together judges at most %d files", maxTogether)
				}
				run.results, run.names = append(run.results, o.r), append(run.names, o.name)
			}
			<-window
		}
	}
	if nameErr != nil {
		return total, failed, unread, fmt.Errorf("reading the file names: %w", nameErr)
	}
	return total, failed, unread, writeErr
}

// one reads and verifies one file, and judges it for the role.
func (run *verifyRun) one(ctx context.Context, o verified) verified {
	data, err := readInput(run.stdin, o.name, limits.MaxJWTBytes)
	if err != nil {
		o.readErr = err
		return o
	}
	o.r, _ = run.v.Verify(ctx, data, run.policy)
	if run.role != nil {
		o.verdict, o.roleErr = policy.Evaluate(run.role, o.r)
		if errors.Is(o.roleErr, policy.ErrNotMet) {
			o.roleErr = nil
		}
	}
	return o
}

// judgeTogether judges the role across every file's Result and reports it
// after them: a table, or a last line of JSON {"together": files, "role":
// verdict}. It reports whether the role was met.
func (run *verifyRun) judgeTogether() bool {
	verdict, err := policy.EvaluateAll(run.together, run.results)
	if errors.Is(err, policy.ErrNotMet) {
		err = nil
	}
	if run.json {
		line := map[string]any{"together": run.names}
		if err != nil {
			line["role"] = map[string]any{"met": false, "error": err.Error()}
		} else {
			line["role"] = verdict
		}
		b, _ := json.Marshal(line)
		run.out.Write(append(b, '\n'))
	} else {
		var b bytes.Buffer
		fmt.Fprintf(&b, "together: %d presentations by %s\n", len(run.results), holderOf(run.results))
		writeVerdict(&b, verdict, err)
		run.out.Write(b.Bytes())
	}
	return err == nil && verdict.Met
}

func holderOf(rs []*verifier.Result) string {
	if len(rs) == 0 || rs[0].Holder == "" {
		return "no holder"
	}
	return rs[0].Holder
}

// render writes the report of one file: a line of JSON, or a table.
func (run *verifyRun) render(o verified) ([]byte, error) {
	var b bytes.Buffer
	if run.json {
		err := writeJSONLine(&b, o)
		return b.Bytes(), err
	}
	name := o.name
	if name == "-" {
		name = "(stdin)"
	}
	if o.readErr != nil {
		fmt.Fprintf(&b, "%s: CANNOT BE READ: %v\n", name, o.readErr)
		return b.Bytes(), nil
	}
	writeTable(&b, name, o)
	return b.Bytes(), nil
}

// writeJSONLine writes the Result of one file as a line of JSON with the
// file (and the role verdict) added, or the error that kept it from being
// read.
func writeJSONLine(w io.Writer, o verified) error {
	head := map[string]any{"file": o.name}
	if o.readErr != nil {
		head["error"] = o.readErr.Error()
		line, err := json.Marshal(head)
		if err != nil {
			return err
		}
		_, err = w.Write(append(line, '\n'))
		return err
	}
	switch {
	case o.verdict != nil:
		head["role"] = o.verdict
	case o.roleErr != nil:
		head["role"] = map[string]any{"met": false, "error": o.roleErr.Error()}
	}
	h, err := json.Marshal(head)
	if err != nil {
		return err
	}
	r, err := json.Marshal(o.r)
	if err != nil {
		return err
	}
	// {"file":...,"role":...} and {"mediaType":...} make one object.
	line := append(h[:len(h)-1:len(h)-1], ',')
	line = append(line, r[1:]...)
	_, err = w.Write(append(line, '\n'))
	return err
}

// writeTable writes the report of one file for a person: what it is, every
// check with its outcome and reason, each credential of a presentation,
// and the role verdict.
func writeTable(b *bytes.Buffer, name string, o verified) {
	r := o.r
	verdict := "verified"
	if !r.Verified {
		verdict = "NOT VERIFIED"
	}
	fmt.Fprintf(b, "%s: %s: %s\n", name, verdict, describe(r))
	for _, c := range r.Checks {
		fmt.Fprintf(b, "  %-20s %-8s %s\n", c.Name, c.Status, oneLine(c.Reason))
	}
	for i, cr := range r.Credentials {
		v := "verified"
		if !cr.Verified {
			v = "NOT VERIFIED"
		}
		fmt.Fprintf(b, "  credential %d: %s: %s\n", i+1, v, describe(cr))
		for _, c := range cr.Checks {
			// What did not pass, the status with its age, and anything
			// that relied on a stale bundle.
			if c.Status != verifier.Passed || c.Name == verifier.CheckStatus || strings.Contains(c.Reason, "STALE") {
				fmt.Fprintf(b, "    %-18s %-8s %s\n", c.Name, c.Status, oneLine(c.Reason))
			}
		}
	}
	if o.roleErr != nil || o.verdict != nil {
		writeVerdict(b, o.verdict, o.roleErr)
	}
}

// writeVerdict writes a role verdict, requirement by requirement, or why
// the role could not be judged.
func writeVerdict(b *bytes.Buffer, verdict *policy.Verdict, roleErr error) {
	switch {
	case roleErr != nil:
		fmt.Fprintf(b, "  role: NOT JUDGED: %s\n", oneLine(roleErr.Error()))
	case verdict != nil:
		met := "MET"
		if !verdict.Met {
			met = "NOT MET"
		}
		fmt.Fprintf(b, "  role %s (%s) on %s: %s\n", verdict.Role, verdict.Title, verdict.Date, met)
		for _, q := range verdict.Requirements {
			from := ""
			if q.Source != nil {
				from = fmt.Sprintf(" (credential %d)", q.Source.Index)
			}
			fmt.Fprintf(b, "    %-44s %-12s %s%s\n", q.Name, q.Outcome, oneLine(q.Reason), from)
		}
	}
}

// describe says what a Result is about.
func describe(r *verifier.Result) string {
	if r.Kind == verifier.KindPresentation {
		return fmt.Sprintf("a presentation by %s (%s) of %s", orNone(r.Holder), orNone(r.Format), credentialsCount(len(r.Credentials)))
	}
	types := "a credential"
	if len(r.Types) > 0 {
		types = strings.Join(r.Types, ", ")
	}
	return fmt.Sprintf("%s from %s (%s)", types, orNone(r.Issuer), orNone(r.Format))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", "; ") }

// offlineResolver resolves did:key and did:jwk by themselves and every other
// DID only from the given DID document files.
func offlineResolver(files []string, extra ...*did.Document) (did.Resolver, error) {
	static := &did.StaticResolver{}
	router := did.Router{didkey.Method: didkey.Resolver{}, didjwk.Method: didjwk.Resolver{}}
	for _, doc := range extra {
		id, err := did.Parse(doc.ID)
		if err != nil {
			return nil, err
		}
		if err := static.Add(doc.ID, doc); err != nil {
			return nil, err
		}
		router[id.Method()] = static
	}
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

// credentialsCount says how many credentials: "1 credential", "4 credentials".
func credentialsCount(n int) string {
	if n == 1 {
		return "1 credential"
	}
	return fmt.Sprintf("%d credentials", n)
}
