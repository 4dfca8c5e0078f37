// Command batch times 'staffpass issue batch' end to end, CSV to files on
// disk: it builds staffpass, sets up an organisation for each key type,
// generates CSV files of mandatory training rows (no identifier to hash)
// and runs the batch, as a child process, for each format a few times,
// reporting the median credentials per second, the median peak memory
// (the child's maximum resident set size) and the median CPU time (user
// and system) a credential. On a shared machine the CPU time varies less
// than the rate: N cores kept busy issue at most N million divided by it a
// second (8,300 a second on 2 cores is 240 µs a credential).
//
//	go run ./bench/batch                       # 100,000 rows, every format, 3 runs
//	go run ./bench/batch -rows 10000 -runs 1 -formats jwt -output jsonl
//	go run ./bench/batch -postgres "$STAFFPASS_TEST_POSTGRES"   # registries in PostgreSQL
//
// Measured on 6 December 2026 on the shared 2-core development machine
// (AMD EPYC, ext4), 100,000 rows, in credentials per second and peak RSS.
// With -output jsonl, medians of 3 runs: vc+jwt 5,685 (168 MiB),
// eddsa-rdfc-2022 5,907, ecdsa-rdfc-2019 5,955, eddsa-jcs-2022 5,510,
// ecdsa-jcs-2019 4,868 (162 to 168 MiB). With -output files, one run each:
// vc+jwt 3,929, eddsa-rdfc-2022 3,126, ecdsa-rdfc-2019 2,286,
// eddsa-jcs-2022 2,928, ecdsa-jcs-2019 2,924 (161 to 175 MiB; a file a
// credential costs the file system more than a line). Earlier the same
// day 2,558 to 3,176 (JSON Lines); before the batch pipeline 220 to 400.
// Later the same day, -output jsonl, medians of 3 runs on a busier machine
// (each format's runs add 100,000 credentials to a registry its key type
// shares): vc+jwt 4,886 (348 µs of CPU a credential), eddsa-rdfc-2022
// 4,819 (352), ecdsa-rdfc-2019 4,525 (386), eddsa-jcs-2022 4,287 (391),
// ecdsa-jcs-2019 4,595 (377); the first 100,000 into a fresh registry take
// 270-300 µs a credential, 5,700-6,300 a second.
// The goal of issue 14 is 8,300. One CSV of 1,500,000 rows in one run: 5,086 a second
// (4 min 55 s), peak RSS 167 MiB; 145 MiB at 20,000 rows, 164 MiB at
// 200,000: flat once SQLite's page caches are full. With -postgres, the
// server on the same 2 cores: 1,023 a second at PostgreSQL's default
// settings, 2,121 with shared_buffers 1GB and max_wal_size 8GB.
//
// Each run issues rows of its own (staff ids prefixed by format and run),
// so that a registry shared by every run issues afresh each time. With
// -postgres URL (a server's URL, such as the one .ci/postgres starts) each
// organisation keeps its registry in a fresh database of that server
// (org init --registry, then --registry on every batch), dropped at the
// end; without, in its SQLite file. It is a program, not a test:
// performance targets live here, never in timed unit tests.
package main

import (
	"bufio"
	"crypto/ed25519"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/pgtest"
)

func main() {
	rows := flag.Int("rows", 100_000, "rows of each CSV file")
	runs := flag.Int("runs", 3, "runs of each format (the median is reported)")
	formats := flag.String("formats", "jwt,eddsa-rdfc-2022,ecdsa-rdfc-2019,eddsa-jcs-2022,ecdsa-jcs-2019", "formats, comma-separated")
	output := flag.String("output", "files", "files or jsonl (--output of the batch)")
	postgres := flag.String("postgres", "", "a PostgreSQL server's URL: keep each organisation's registry in a fresh database there (default: its SQLite file)")
	workers := flag.Int("workers", 0, "passed to the batch as --workers when not 0")
	keep := flag.String("dir", "", "work in this directory and keep it (default: a temporary one, removed)")
	flag.Parse()
	if err := run(*rows, *runs, strings.Split(*formats, ","), *output, *postgres, *workers, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "bench/batch:", err)
		os.Exit(1)
	}
}

func run(rows, runs int, formats []string, output, postgres string, workers int, dir string) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "staffpass-bench-batch-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	bin := filepath.Join(dir, "staffpass")
	build := exec.Command("go", "build", "-o", bin, "./cmd/staffpass")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building staffpass: %w", err)
	}
	orgs, registries := map[string]string{}, map[string]string{}
	for _, alg := range []string{"Ed25519", "P-256"} {
		org := filepath.Join(dir, "org-"+alg)
		if _, err := os.Stat(org); err != nil {
			args := []string{"org", "init", "--domain", "bench.nhs.example", "--dir", org, "--alg", alg}
			if postgres != "" {
				db, drop, err := pgtest.NewDatabase(postgres, "staffpass_bench_")
				if err != nil {
					return err
				}
				defer drop()
				registries[alg] = db
				args = append(args, "--registry", db)
			}
			init := exec.Command(bin, args...)
			init.Stderr = os.Stderr
			if err := init.Run(); err != nil {
				return fmt.Errorf("org init: %w", err)
			}
		}
		orgs[alg] = org
	}
	wallets, err := testWallets(16)
	if err != nil {
		return err
	}
	store := "SQLite"
	if postgres != "" {
		store = "PostgreSQL"
	}
	fmt.Printf("%d rows, %s output, %s registry, %d runs each (median)\n", rows, output, store, runs)
	fmt.Printf("%-18s %14s %14s %10s %14s\n", "format", "credentials/s", "peak RSS MiB", "seconds", "CPU µs/cred")
	for fi, format := range formats {
		alg := "Ed25519"
		if strings.HasPrefix(format, "ecdsa") {
			alg = "P-256"
		}
		var rates, rss, secs, cpu []float64
		for r := range runs {
			prefix := fmt.Sprintf("B%d-%d-%d", fi, r, time.Now().UnixNano()%1_000_000)
			csvPath := filepath.Join(dir, "rows.csv")
			if err := writeCSV(csvPath, rows, prefix, wallets); err != nil {
				return err
			}
			out := filepath.Join(dir, "out-"+prefix)
			args := []string{"issue", "batch", "--org", orgs[alg], "--type", "training", "--format", format, "--output", output, "--out", out, csvPath}
			if registries[alg] != "" {
				args = append(args, "--registry", registries[alg])
			}
			if workers != 0 {
				args = append(args, "--workers", fmt.Sprint(workers))
			}
			cmd := exec.Command(bin, args...)
			cmd.Stderr = nil
			var stdout strings.Builder
			cmd.Stdout = &stdout
			start := time.Now()
			err := cmd.Run()
			elapsed := time.Since(start)
			if err != nil {
				return fmt.Errorf("%s: %w: %s", format, err, stdout.String())
			}
			if want := fmt.Sprintf("issued %d,", rows); !strings.HasPrefix(stdout.String(), want) {
				return fmt.Errorf("%s: %q, want %q", format, stdout.String(), want)
			}
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			rates = append(rates, float64(rows)/elapsed.Seconds())
			rss = append(rss, float64(ru.Maxrss)/1024) // KiB on Linux
			secs = append(secs, elapsed.Seconds())
			used := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			cpu = append(cpu, float64(used.Microseconds())/float64(rows))
			os.RemoveAll(out)
		}
		fmt.Printf("%-18s %14.0f %14.1f %10.1f %14.0f\n", format, median(rates), median(rss), median(secs), median(cpu))
	}
	return nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// testWallets returns n did:keys from fixed seeds.
func testWallets(n int) ([]string, error) {
	var out []string
	for i := range n {
		seed := sha256.Sum256(fmt.Appendf(nil, "staffpass bench wallet %d", i))
		d, err := didkey.New(ed25519.NewKeyFromSeed(seed[:]).Public())
		if err != nil {
			return nil, err
		}
		out = append(out, d.String())
	}
	return out, nil
}

// writeCSV writes n mandatory training rows, each for its own staff id.
func writeCSV(path string, n int, prefix string, wallets []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "staff_id,subject,training_provider,framework_version,fire_safety_level,fire_safety_completion_date,resuscitation_level,resuscitation_completion_date")
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(w, "%s-%07d,%s,Riverside Example NHS Trust,CSTF England v1.1,1,%s,2,29/02/2024\n",
			prefix, i, wallets[i%len(wallets)], day.AddDate(0, 0, -(i%300)).Format(time.DateOnly))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
