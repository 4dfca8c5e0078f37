package keys

import (
	"bytes"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"

	"github.com/staffpass/staffpass/internal/atomicfile"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/strictjson"
)

// Format is a key file format.
type Format string

// The key file formats.
const (
	// FormatJWK is a JSON Web Key (RFC 7517).
	FormatJWK Format = "jwk"
	// FormatPEM is PKCS#8 "PRIVATE KEY" or SubjectPublicKeyInfo "PUBLIC
	// KEY" PEM.
	FormatPEM Format = "pem"
	// FormatMultikey is a Multikey key pair JSON object
	// (publicKeyMultibase and secretKeyMultibase) or, for a public key,
	// an object with publicKeyMultibase.
	FormatMultikey Format = "multikey"
)

// PermissionError reports a private key file that group or others may
// access. It wraps ErrInsecurePermissions.
type PermissionError struct {
	Path string
	Mode fs.FileMode
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("keys: private key file %s has mode %04o and may be read or written by group or others; run: chmod 600 %s", e.Path, e.Mode.Perm(), e.Path)
}

// Unwrap makes errors.Is(err, ErrInsecurePermissions) hold.
func (e *PermissionError) Unwrap() error { return ErrInsecurePermissions }

// ParsePrivateKey reads a private key in any of the formats: PEM (PKCS#8 or
// SEC 1), a private JWK, or a Multikey key pair. It returns the key and the
// format it found.
func ParsePrivateKey(data []byte) (crypto.Signer, Format, error) {
	f, members, err := detect(data)
	if err != nil {
		return nil, "", err
	}
	var key crypto.Signer
	switch f {
	case FormatPEM:
		key, err = ParsePrivatePEM(data)
	case FormatJWK:
		key, err = ParsePrivateJWK(data)
	case FormatMultikey:
		if _, ok := members["secretKeyMultibase"]; !ok {
			if _, ok := members["privateKeyMultibase"]; !ok {
				return nil, "", fmt.Errorf("%w: Multikey JSON has no secretKeyMultibase; it is a public key", ErrInvalidKey)
			}
		}
		key, err = ParseMultikeyPair(data)
	}
	if err != nil {
		return nil, "", err
	}
	return key, f, nil
}

// ParsePublicKey reads a public key in any of the formats: a
// SubjectPublicKeyInfo PEM block, a public JWK, or a JSON object with
// publicKeyMultibase and no secret (such as a Multikey verification
// method). Private keys are refused with ErrPrivateKeyMaterial.
func ParsePublicKey(data []byte) (crypto.PublicKey, Format, error) {
	f, members, err := detect(data)
	if err != nil {
		return nil, "", err
	}
	var pub crypto.PublicKey
	switch f {
	case FormatPEM:
		pub, err = ParsePublicPEM(data)
	case FormatJWK:
		pub, err = ParsePublicJWK(data)
	case FormatMultikey:
		pub, err = parseMultikeyPublic(members)
	}
	if err != nil {
		return nil, "", err
	}
	return pub, f, nil
}

// detect tells the format of key data. For JSON it also returns the
// members of the object.
func detect(data []byte) (Format, map[string]json.RawMessage, error) {
	if len(data) > limits.MaxKeyFileBytes {
		return "", nil, fmt.Errorf("%w: %d bytes, more than %d", ErrTooLarge, len(data), limits.MaxKeyFileBytes)
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN ")):
		return FormatPEM, nil, nil
	case bytes.HasPrefix(trimmed, []byte("{")):
		if err := checkJSON(data); err != nil {
			return "", nil, fmt.Errorf("%w: %w", ErrUnknownFormat, err)
		}
		var members map[string]json.RawMessage
		if err := json.Unmarshal(data, &members); err != nil {
			return "", nil, fmt.Errorf("%w: not a JSON object", ErrUnknownFormat)
		}
		_, jwk := members["kty"]
		_, mk := members["publicKeyMultibase"]
		switch {
		case jwk && mk:
			return "", nil, fmt.Errorf("%w: JSON has both \"kty\" and \"publicKeyMultibase\"", ErrUnknownFormat)
		case jwk:
			return FormatJWK, members, nil
		case mk:
			return FormatMultikey, members, nil
		}
		return "", nil, fmt.Errorf("%w: JSON is neither a JWK (\"kty\") nor a Multikey (\"publicKeyMultibase\")", ErrUnknownFormat)
	}
	return "", nil, fmt.Errorf("%w: want PEM, a JWK or Multikey JSON", ErrUnknownFormat)
}

// WriteOption changes how WritePrivateKeyFile writes.
type WriteOption func(*writeConfig)

type writeConfig struct {
	overwrite bool
}

// WithOverwrite lets WritePrivateKeyFile replace an existing file.
func WithOverwrite() WriteOption {
	return func(c *writeConfig) { c.overwrite = true }
}

// WritePrivateKeyFile writes key to path in format f with mode 0600. The
// write is atomic: the key goes to a temporary file in the same directory,
// which is synced and then linked (or, with WithOverwrite, renamed) into
// place, so a crash leaves either no file or the whole key. Without
// WithOverwrite an existing file is never replaced (ErrFileExists).
func WritePrivateKeyFile(path string, key crypto.Signer, f Format, opts ...WriteOption) error {
	var cfg writeConfig
	for _, o := range opts {
		o(&cfg)
	}
	var data []byte
	var err error
	switch f {
	case FormatJWK:
		data, err = MarshalPrivateJWK(key)
		if err == nil {
			data = append(data, '\n')
		}
	case FormatPEM:
		data, err = MarshalPrivatePEM(key)
	case FormatMultikey:
		data, err = MarshalMultikeyPair(key)
	default:
		return fmt.Errorf("%w: %q", ErrUnknownFormat, string(f))
	}
	if err != nil {
		return err
	}
	write := atomicfile.Create
	if cfg.overwrite {
		write = atomicfile.Write
	}
	if err := write(path, data, 0o600); err != nil {
		if errors.Is(err, atomicfile.ErrExists) {
			return fmt.Errorf("%w: %s", ErrFileExists, path)
		}
		return fmt.Errorf("keys: %w", err)
	}
	return nil
}

// ReadPrivateKeyFile reads a private key file in any of the formats (see
// ParsePrivateKey). The file must be a regular file of at most
// limits.MaxKeyFileBytes and, except on Windows and Plan 9, must give no
// permissions to group or others (a *PermissionError otherwise).
func ReadPrivateKeyFile(path string) (crypto.Signer, error) {
	data, err := readKeyFile(path, true)
	if err != nil {
		return nil, err
	}
	key, _, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// ReadPublicKeyFile reads a public key file in any of the formats (see
// ParsePublicKey), of at most limits.MaxKeyFileBytes.
func ReadPublicKeyFile(path string) (crypto.PublicKey, error) {
	data, err := readKeyFile(path, false)
	if err != nil {
		return nil, err
	}
	pub, _, err := ParsePublicKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pub, nil
}

func readKeyFile(path string, private bool) ([]byte, error) {
	// Stat first so that a FIFO or device is refused before it is
	// opened (opening a FIFO can block).
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("keys: %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	defer f.Close()
	fst, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	if !os.SameFile(st, fst) || !fst.Mode().IsRegular() {
		return nil, fmt.Errorf("keys: %s changed while it was opened", path)
	}
	if private && runtime.GOOS != "windows" && runtime.GOOS != "plan9" && fst.Mode().Perm()&0o077 != 0 {
		return nil, &PermissionError{Path: path, Mode: fst.Mode()}
	}
	if fst.Size() > limits.MaxKeyFileBytes {
		return nil, fmt.Errorf("%w: %s is %d bytes, more than %d", ErrTooLarge, path, fst.Size(), limits.MaxKeyFileBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, limits.MaxKeyFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("keys: reading %s: %w", path, err)
	}
	if len(data) > limits.MaxKeyFileBytes {
		return nil, fmt.Errorf("%w: %s is more than %d bytes", ErrTooLarge, path, limits.MaxKeyFileBytes)
	}
	return data, nil
}

// checkJSON runs strictjson.Check on key data. Its error keeps the JSON
// pointer and offset of the problem but not strictjson's reason, which can
// quote a character of the input (and so of a key).
func checkJSON(data []byte) error {
	err := strictjson.Check(data, limits.MaxKeyFileBytes)
	var se *strictjson.Error
	if errors.As(err, &se) {
		ptr := se.Pointer
		if ptr == "" {
			ptr = "/"
		}
		return fmt.Errorf("%w at %s (byte %d)", strictjson.ErrInvalid, ptr, se.Offset)
	}
	return err
}
