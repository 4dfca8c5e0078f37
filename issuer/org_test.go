package issuer

import (
	"context"
	"crypto"
	"errors"
	"os"
	"path/filepath"
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
