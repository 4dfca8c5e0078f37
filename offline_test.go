package staffpass_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/staffpass/staffpass"

// networked are the only packages of the module that may import net/http:
// did:web resolution, which a caller opts into, the HTTP server behind
// "staffpass serve", and the command-line tool.
var networked = map[string]bool{
	module + "/did/web":         true,
	module + "/internal/server": true,
	module + "/cmd/staffpass":   true,
}

// TestOfflinePackagesDoNotImportNetHTTP asserts, with go list -deps, that no
// package of this module reached from the offline roots imports net/http
// directly. json-gold and jwx link net/http for fetchers of their own that
// we never call, so only our own packages' direct imports are checked.
func TestOfflinePackagesDoNotImportNetHTTP(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	roots := []string{"./verifier", "./holder", "./bundle", "./policy", "./vc/...", "./did", "./did/key", "./did/jwk", "./keys"}
	internal, err := exec.Command("go", "list", "./internal/...").Output()
	if err != nil {
		t.Fatalf("go list ./internal/...: %v", err)
	}
	for _, p := range strings.Fields(string(internal)) {
		if !networked[p] {
			roots = append(roots, p)
		}
	}
	cmd := exec.Command("go", append([]string{"list", "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`}, roots...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	checked := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || !strings.HasPrefix(fields[0], module) {
			continue
		}
		if networked[fields[0]] {
			t.Errorf("%s is reached from an offline package", fields[0])
			continue
		}
		checked++
		for _, imp := range fields[1:] {
			if imp == "net/http" || strings.HasPrefix(imp, "net/http/") {
				t.Errorf("%s imports %s", fields[0], imp)
			}
		}
	}
	for _, root := range []string{module + "/verifier", module + "/internal/dataintegrity", module + "/vc"} {
		if !bytes.Contains(out, []byte(root+" ")) && !bytes.Contains(out, []byte(root+"\n")) {
			t.Errorf("%s was not listed", root)
		}
	}
	if checked < 8 {
		t.Fatalf("only %d of our packages were listed; the test would prove nothing", checked)
	}
	t.Logf("%d packages of the module checked", checked)
}

// TestTheVerifierIsAGeneralVerifier asserts that package verifier does not
// depend on what staffpass's credentials mean: neither vc/staff nor the role
// verdict (policy), which reads verifier Results, is among its dependencies.
func TestTheVerifierIsAGeneralVerifier(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command("go", "list", "-deps", "./verifier").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("only %d dependencies listed; the test would prove nothing", len(deps))
	}
	for _, d := range deps {
		if d == module+"/vc/staff" || d == module+"/policy" {
			t.Errorf("verifier depends on %s", d)
		}
	}
}

// TestSigningLinksNoDatabase asserts that a program that only signs (package
// issuer) links neither SQLite nor PostgreSQL: the registry's stores are
// linked by the programs that import registry/sqlite or registry/postgres.
func TestSigningLinksNoDatabase(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	for _, pkg := range []string{"./issuer", "./registry", "./verifier", "./holder"} {
		for _, d := range deps(pkg) {
			if strings.HasPrefix(d, "modernc.org/sqlite") || strings.HasPrefix(d, "github.com/jackc/pgx") {
				t.Errorf("%s links %s", pkg, d)
			}
		}
	}
	// The stores do link them: the test can fail.
	if !slices.Contains(deps("./registry/sqlite"), "modernc.org/sqlite") || !slices.Contains(deps("./registry/postgres"), "github.com/jackc/pgx/v5") {
		t.Fatal("the registry stores do not link their databases; the test would prove nothing")
	}
}
