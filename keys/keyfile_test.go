package keys_test

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/keys"
)

var allFormats = []keys.Format{keys.FormatJWK, keys.FormatPEM, keys.FormatMultikey}

func TestWrittenKeyFilesReadBack(t *testing.T) {
	for _, kt := range allTypes {
		for _, f := range allFormats {
			t.Run(fmt.Sprintf("%s as %s", kt, f), func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "key")
				key := fixedKey(t, kt)
				if err := keys.WritePrivateKeyFile(path, key, f); err != nil {
					t.Fatal(err)
				}
				st, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
					t.Fatalf("mode %04o, want 0600", st.Mode().Perm())
				}
				got, err := keys.ReadPrivateKeyFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !got.(interface{ Equal(crypto.PrivateKey) bool }).Equal(key) {
					t.Fatal("read another key than was written")
				}
				data, _ := os.ReadFile(path)
				_, format, err := keys.ParsePrivateKey(data)
				if err != nil || format != f {
					t.Fatalf("ParsePrivateKey format %q, %v; want %q", format, err, f)
				}
				entries, _ := os.ReadDir(dir)
				if len(entries) != 1 {
					t.Fatalf("%d files in the directory, want 1 (a temporary file left behind?)", len(entries))
				}
			})
		}
	}
}

func TestWritePrivateKeyFileDoesNotOverwriteUnlessAsked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.jwk")
	first, second := fixedKey(t, keys.Ed25519), fixedKey(t, keys.P256)
	if err := keys.WritePrivateKeyFile(path, first, keys.FormatJWK); err != nil {
		t.Fatal(err)
	}
	err := keys.WritePrivateKeyFile(path, second, keys.FormatJWK)
	if !errors.Is(err, keys.ErrFileExists) {
		t.Fatalf("second write error = %v, want ErrFileExists", err)
	}
	got, err := keys.ReadPrivateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if kt, _ := keys.TypeOf(got); kt != keys.Ed25519 {
		t.Fatal("the refused write changed the file")
	}
	if err := keys.WritePrivateKeyFile(path, second, keys.FormatJWK, keys.WithOverwrite()); err != nil {
		t.Fatal(err)
	}
	got, err = keys.ReadPrivateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if kt, _ := keys.TypeOf(got); kt != keys.P256 {
		t.Fatal("WithOverwrite did not replace the key")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("%d files in the directory, want 1", len(entries))
	}
}

func TestWritePrivateKeyFileRefusesWhatItCannotWrite(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		key  crypto.Signer
		f    keys.Format
		want error
	}{
		{"an unknown format is refused", fixedKey(t, keys.P256), "der", keys.ErrUnknownFormat},
		{"a signer that is not exportable is refused", opaqueSigner{fixedKey(t, keys.P256)}, keys.FormatPEM, keys.ErrUnsupportedKey},
		{"a nil key is refused", nil, keys.FormatJWK, keys.ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "k")
			if err := keys.WritePrivateKeyFile(path, tt.key, tt.f); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Fatal("a refused write left a file")
			}
		})
	}
}

func TestReadPrivateKeyFileRefusesOpenPermissions(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no Unix permissions")
	}
	secret := jwkField(t, keys.P256, "d")
	for _, mode := range []fs.FileMode{0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666, 0o700 | 0o010} {
		t.Run(fmt.Sprintf("%04o", mode), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "key.jwk")
			if err := keys.WritePrivateKeyFile(path, fixedKey(t, keys.P256), keys.FormatJWK); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			_, err := keys.ReadPrivateKeyFile(path)
			if !errors.Is(err, keys.ErrInsecurePermissions) {
				t.Fatalf("error = %v, want ErrInsecurePermissions", err)
			}
			var pe *keys.PermissionError
			if !errors.As(err, &pe) || pe.Path != path || pe.Mode.Perm() != mode {
				t.Fatalf("error %v is not a *PermissionError for %s mode %04o", err, path, mode)
			}
			msg := err.Error()
			if !strings.Contains(msg, "chmod 600 "+path) || !strings.Contains(msg, fmt.Sprintf("%04o", mode)) {
				t.Fatalf("message %q does not give the mode and the fix", msg)
			}
			if strings.Contains(msg, secret) {
				t.Fatal("message shows the key")
			}
		})
	}
}

func TestReadPrivateKeyFileAcceptsOwnerOnlyModes(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no Unix permissions")
	}
	for _, mode := range []fs.FileMode{0o600, 0o400} {
		path := filepath.Join(t.TempDir(), "key.pem")
		if err := keys.WritePrivateKeyFile(path, fixedKey(t, keys.Ed25519), keys.FormatPEM); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := keys.ReadPrivateKeyFile(path); err != nil {
			t.Errorf("mode %04o: %v", mode, err)
		}
	}
}

func TestReadKeyFilesRefuseBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pubJWK, _ := keys.MarshalPublicJWK(fixedKey(t, keys.P256).Public())
	big := make([]byte, limits.MaxKeyFileBytes+1)
	for i := range big {
		big[i] = ' '
	}
	tests := []struct {
		name string
		path string
		want error
	}{
		{"a file over the size limit is refused", write("big", big), keys.ErrTooLarge},
		{"a public JWK is not a private key", write("pub.jwk", pubJWK), keys.ErrInvalidKey},
		{"a text file is of unknown format", write("notes.txt", []byte("hello")), keys.ErrUnknownFormat},
		{"JSON that is no key is of unknown format", write("other.json", []byte(`{"name":"x"}`)), keys.ErrUnknownFormat},
		{"JSON with both kty and publicKeyMultibase is of unknown format", write("both.json", []byte(`{"kty":"EC","publicKeyMultibase":"z"}`)), keys.ErrUnknownFormat},
		{"a missing file is not found", filepath.Join(dir, "missing"), fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := keys.ReadPrivateKeyFile(tt.path); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := keys.ReadPrivateKeyFile(dir); err == nil {
		t.Fatal("a directory was read as a key")
	}
}

func TestReadPublicKeyFileReadsEachFormat(t *testing.T) {
	for _, kt := range allTypes {
		name := fixtureName(kt)
		want := fixedKey(t, kt).Public().(interface{ Equal(crypto.PublicKey) bool })
		for _, file := range []string{name + ".pub.jwk", name + ".pub.pem"} {
			pub, err := keys.ReadPublicKeyFile("../testdata/keys/" + file)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if !want.Equal(pub) {
				t.Fatalf("%s: another key", file)
			}
		}
		// A Multikey verification method: publicKeyMultibase, no secret.
		mk, _ := keys.EncodeMultikey(fixedKey(t, kt).Public())
		vm, _ := json.Marshal(map[string]string{"id": "did:example:1#k", "type": "Multikey", "controller": "did:example:1", "publicKeyMultibase": mk})
		path := filepath.Join(t.TempDir(), "vm.json")
		os.WriteFile(path, vm, 0o644)
		pub, err := keys.ReadPublicKeyFile(path)
		if err != nil || !want.Equal(pub) {
			t.Fatalf("Multikey: %v", err)
		}
		// A Multikey pair holds a secret: refused as a public key file.
		if _, err := keys.ReadPublicKeyFile("../testdata/keys/" + name + ".multikey.json"); !errors.Is(err, keys.ErrPrivateKeyMaterial) {
			t.Fatalf("Multikey pair read as a public key: %v", err)
		}
		if _, err := keys.ReadPublicKeyFile("../testdata/keys/" + name + ".jwk"); !errors.Is(err, keys.ErrPrivateKeyMaterial) {
			t.Fatalf("private JWK read as a public key: %v", err)
		}
	}
}

func TestParsePrivateKeyReadsTheFixtures(t *testing.T) {
	for _, kt := range allTypes {
		for _, ext := range []string{".jwk", ".pem", ".multikey.json"} {
			data, err := os.ReadFile("../testdata/keys/" + fixtureName(kt) + ext)
			if err != nil {
				t.Fatal(err)
			}
			key, _, err := keys.ParsePrivateKey(data)
			if err != nil {
				t.Fatalf("%s%s: %v", fixtureName(kt), ext, err)
			}
			if !key.(interface{ Equal(crypto.PrivateKey) bool }).Equal(fixedKey(t, kt)) {
				t.Fatalf("%s%s: another key", fixtureName(kt), ext)
			}
		}
	}
}

func FuzzParseKeyData(f *testing.F) {
	files, _ := filepath.Glob("../testdata/keys/*")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if key, format, err := keys.ParsePrivateKey(data); err == nil {
			dir := t.TempDir()
			if err := keys.WritePrivateKeyFile(filepath.Join(dir, "k"), key, format); err != nil {
				t.Fatalf("parsed %s key does not write: %v", format, err)
			}
		}
		if pub, _, err := keys.ParsePublicKey(data); err == nil {
			if _, err := keys.EncodeMultikey(pub); err != nil {
				t.Fatalf("parsed public key does not encode: %v", err)
			}
		}
	})
}
