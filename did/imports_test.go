package did_test

import (
	"go/build"
	"slices"
	"testing"
)

// TestOfflinePackagesDoNotImportNetHTTP keeps network code out of the
// packages a verifier uses offline: only did/web may import net/http.
func TestOfflinePackagesDoNotImportNetHTTP(t *testing.T) {
	for _, dir := range []string{".", "key", "jwk", "../keys"} {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if len(pkg.GoFiles) == 0 {
			t.Fatalf("%s: no Go files found; the test would prove nothing", dir)
		}
		for _, banned := range []string{"net/http", "net/http/httptest", "net"} {
			if slices.Contains(pkg.Imports, banned) {
				t.Errorf("package %s imports %s", pkg.ImportPath, banned)
			}
		}
	}
}
