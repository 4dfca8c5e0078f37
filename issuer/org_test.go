package issuer

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/keys"
)

func TestInitOrganisationWritesAUsableSetUp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kch")
	org, err := InitOrganisation(context.Background(), dir, "kch.nhs.uk", InitOptions{KeyType: keys.P256})
	if err != nil {
		t.Fatal(err)
	}
	if org.DID != "did:web:kch.nhs.uk" || org.DocumentURL != "https://kch.nhs.uk/.well-known/did.json" ||
		org.StatusBaseURL != "https://kch.nhs.uk/status" || org.StatusFormat != FormatJWT {
		t.Errorf("org = %+v", org)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", st.Mode().Perm())
	}

	opened, err := OpenOrganisation(dir)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := opened.Signer()
	if err != nil {
		t.Fatal(err)
	}
	if signer.KeyID() != org.KeyID || signer.Algorithm() != "ES256" {
		t.Errorf("signer = %s %s, want %s ES256", signer.KeyID(), signer.Algorithm(), org.KeyID)
	}
	reg, err := opened.OpenRegistry(context.Background())
	if err != nil {
		t.Fatalf("the registry was not created: %v", err)
	}
	if got := reg.Config().StatusBaseURL; got != org.StatusBaseURL {
		t.Errorf("registry status base URL = %q, want %q", got, org.StatusBaseURL)
	}
	reg.Close()
	doc, err := opened.Document()
	if err != nil {
		t.Fatal(err)
	}
	m, err := doc.Method(org.KeyID, did.AssertionMethod)
	if err != nil {
		t.Fatalf("the signing method is not an assertion method of the DID document: %v", err)
	}
	pub, err := m.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if !signer.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
		t.Error("the DID document's key is not the signing key's public key")
	}
}

func TestInitOrganisationNeverReplacesAKey(t *testing.T) {
	dir := t.TempDir()
	if _, err := InitOrganisation(context.Background(), dir, "kch.nhs.uk", InitOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, KeyFile))
	if _, err := InitOrganisation(context.Background(), dir, "kch.nhs.uk", InitOptions{}); !errors.Is(err, ErrOrganisationExists) {
		t.Fatalf("second InitOrganisation = %v, want ErrOrganisationExists", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, KeyFile))
	if string(before) != string(after) {
		t.Error("the key file changed")
	}
}

func TestOpenOrganisationRefusesOtherDirectories(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenOrganisation(dir); !errors.Is(err, ErrNotOrganisation) {
		t.Errorf("empty dir: %v, want ErrNotOrganisation", err)
	}
	for name, cfg := range map[string]string{
		"a duplicate member":      `{"did":"did:web:a.example","did":"did:web:b.example","keyId":"did:web:b.example#k"}`,
		"a DID that is not a DID": `{"did":"web:a.example","keyId":"web:a.example#k"}`,
		"a key of another DID":    `{"did":"did:web:a.example","keyId":"did:web:evil.example#k"}`,
		"not JSON":                `did: did:web:a.example`,
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := OpenOrganisation(dir); !errors.Is(err, ErrNotOrganisation) {
				t.Errorf("OpenOrganisation = %v, want ErrNotOrganisation", err)
			}
		})
	}
}

// CheckSigner accepts a signer whose method the DID document lists for
// assertionMethod with the signer's key, and nothing else; an
// organisation whose key file and did.json disagree has no Signer.
func TestCheckSigner(t *testing.T) {
	ctx := context.Background()
	id, _ := did.Parse("did:web:kch.nhs.uk")
	key, other := keyOf(t, 1), keyOf(t, 2)
	vm, err := NewMultikeyMethod(id, key.Public())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keys.NewSigner(key, vm.ID)
	if err != nil {
		t.Fatal(err)
	}
	resolver := func(doc *did.Document) did.Resolver {
		r := &did.StaticResolver{}
		if err := r.Add(doc.ID, doc); err != nil {
			t.Fatal(err)
		}
		return r
	}
	good := &did.Document{ID: id.String(), VerificationMethod: []did.VerificationMethod{vm}, AssertionMethod: []did.MethodRef{{Ref: vm.ID}}}
	if err := CheckSigner(ctx, resolver(good), signer); err != nil {
		t.Fatalf("the organisation's own key: %v", err)
	}
	authOnly := &did.Document{ID: id.String(), VerificationMethod: []did.VerificationMethod{vm}, Authentication: []did.MethodRef{{Ref: vm.ID}}}
	otherSigner, err := keys.NewSigner(other, vm.ID)
	if err != nil {
		t.Fatal(err)
	}
	strangerSigner, err := keys.NewSigner(key, "did:web:other.nhs.uk#k")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		doc    *did.Document
		signer keys.Signer
	}{
		{"a method listed for authentication only", authOnly, signer},
		{"another key under the method's id", good, otherSigner},
		{"a method of a DID the resolver does not know", good, strangerSigner},
	} {
		if err := CheckSigner(ctx, resolver(tt.doc), tt.signer); !errors.Is(err, ErrSignerNotListed) {
			t.Errorf("%s: err = %v, want ErrSignerNotListed", tt.name, err)
		}
	}

	dir := filepath.Join(t.TempDir(), "kch")
	if _, err := InitOrganisation(ctx, dir, "kch.nhs.uk", InitOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, KeyFile)); err != nil {
		t.Fatal(err)
	}
	if err := keys.WritePrivateKeyFile(filepath.Join(dir, KeyFile), other, keys.FormatJWK); err != nil {
		t.Fatal(err)
	}
	org, err := OpenOrganisation(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.Signer(); !errors.Is(err, ErrSignerNotListed) {
		t.Errorf("a key file that is not the DID document's key: err = %v, want ErrSignerNotListed", err)
	}
}

func keyOf(t *testing.T, seed byte) ed25519.PrivateKey {
	t.Helper()
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// An org init interrupted at any step (a kill leaves what a returned error
// leaves: what was written so far) blocks nothing: the rerun sets up, and no
// private key is left anywhere but the organisation's key file.
func TestInitOrganisationInterruptedAtAnyStep(t *testing.T) {
	errKilled := errors.New("killed")
	for _, step := range []string{"key", "registry", "move " + KeyFile, "move " + RegistryFile, "move " + DIDDocumentFile} {
		t.Run(step, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "kch")
			initStep = func(s string) error {
				if s == step {
					return errKilled
				}
				return nil
			}
			_, err := InitOrganisation(context.Background(), dir, "kch.nhs.uk", InitOptions{})
			initStep = func(string) error { return nil }
			if !errors.Is(err, errKilled) {
				t.Fatalf("interrupted InitOrganisation = %v", err)
			}
			if _, err := OpenOrganisation(dir); !errors.Is(err, ErrNotOrganisation) {
				t.Fatalf("an interrupted set-up opens as an organisation: %v", err)
			}
			// A kill, unlike an error, also leaves the staging folder.
			if err := os.MkdirAll(filepath.Join(dir, initStage), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, initStage, KeyFile), []byte(`{"kty":"OKP","d":"stray"}`), 0o600); err != nil {
				t.Fatal(err)
			}
			org, err := InitOrganisation(context.Background(), dir, "kch.nhs.uk", InitOptions{})
			if err != nil {
				t.Fatalf("the rerun: %v", err)
			}
			if _, err := org.Signer(); err != nil {
				t.Fatal(err)
			}
			var keys []string
			filepath.WalkDir(filepath.Dir(dir), func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.Contains(readText(p), `"d":`) {
					keys = append(keys, p)
				}
				return nil
			})
			if len(keys) != 1 || keys[0] != filepath.Join(dir, KeyFile) {
				t.Fatalf("private keys on disk: %v", keys)
			}
		})
	}
}

func readText(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

// A registry "URL" that is not a postgres:// URL (a keyword connection
// string, say) is refused without being repeated: it may hold a password.
func TestARegistryValueThatIsNoURLIsNotRepeated(t *testing.T) {
	const dsn = "host=db.kch.nhs.uk user=hr password=s3cret dbname=registry"
	_, err := InitOrganisation(context.Background(), filepath.Join(t.TempDir(), "kch"), "kch.nhs.uk", InitOptions{RegistryURL: dsn})
	if !errors.Is(err, ErrOptions) || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("init: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "rj1")
	if _, err := InitOrganisation(context.Background(), dir, "rj1.nhs.uk", InitOptions{}); err != nil {
		t.Fatal(err)
	}
	o, err := OpenOrganisation(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, registryAs := range []string{"", RegistryPostgres} {
		o.Registry, o.RegistryURL = registryAs, dsn
		if _, err := o.OpenRegistry(context.Background()); !errors.Is(err, ErrRegistryURL) || strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("open (registry %q): %v", registryAs, err)
		}
	}
}
