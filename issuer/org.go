package issuer

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/did/web"
	"github.com/staffpass/staffpass/internal/atomicfile"
	"github.com/staffpass/staffpass/internal/strictjson"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
)

// Files of an organisation directory.
const (
	// ConfigFile describes the organisation: its DID and its signing key.
	ConfigFile = "org.json"
	// KeyFile is the organisation's private signing key (JWK, mode 0600).
	KeyFile = "signing-key.jwk"
	// DIDDocumentFile is the DID document to publish at the URL that
	// web.DocumentURL gives for the organisation's DID.
	DIDDocumentFile = "did.json"
	// RegistryFile is the issuance registry (SQLite).
	RegistryFile = "registry.db"
)

// ErrNotOrganisation means a directory holds no organisation set-up.
var ErrNotOrganisation = errors.New("issuer: not an organisation directory")

// ErrOrganisationExists means InitOrganisation found an existing set-up.
var ErrOrganisationExists = errors.New("issuer: organisation directory already set up")

// Organisation is an issuing NHS organisation's local set-up: its did:web
// DID, the verification method its credentials are signed with, and the files
// that hold its key and DID document.
type Organisation struct {
	// Dir is the directory the set-up lives in.
	Dir string `json:"-"`
	// DID is the organisation's did:web DID.
	DID string `json:"did"`
	// KeyID is the DID URL of the verification method that signs.
	KeyID string `json:"keyId"`
	// KeyType is the signing key's type.
	KeyType keys.KeyType `json:"keyType"`
	// DocumentURL is where the DID document must be published.
	DocumentURL string `json:"documentUrl"`
	// StatusBaseURL is where status lists are published: list n at
	// StatusBaseURL + "/" + n.
	StatusBaseURL string `json:"statusBaseUrl"`
	// StatusFormat is how status list credentials are secured.
	StatusFormat Format `json:"statusFormat"`
	// Registry is where the issuance registry is kept: "" for the file
	// RegistryFile in Dir, "postgres" for a PostgreSQL database, whose
	// URL (it may hold a password) is never written here: give it as
	// RegistryURL each time.
	Registry string `json:"registry,omitempty"`
	// RegistryURL is the PostgreSQL URL of the registry, when Registry
	// is "postgres". It is not part of the set-up's file.
	RegistryURL string `json:"-"`
}

// RegistryPostgres is Organisation.Registry for a registry kept in
// PostgreSQL.
const RegistryPostgres = "postgres"

// InitOptions are the choices of an organisation's set-up. The zero value
// is a set-up with an Ed25519 key, status lists under
// https://DOMAIN[/PATH]/status, secured as vc+jwt.
type InitOptions struct {
	// Path are optional did:web path segments.
	Path []string
	// KeyType is the signing key's type (default Ed25519).
	KeyType keys.KeyType
	// StatusBaseURL is where status lists will be published; an https URL.
	StatusBaseURL string
	// StatusFormat secures the status list credentials (default FormatJWT).
	StatusFormat Format
	// RegistryURL, when set, is a PostgreSQL URL (postgres://...) of an
	// existing database to keep the issuance registry in, instead of the
	// file RegistryFile. The program must link registry/postgres.
	RegistryURL string
}

// InitOrganisation sets up an organisation in dir for the did:web DID of
// domain: it generates a signing key, writes it (mode 0600), writes the DID
// document, creates the issuance registry and writes the configuration.
// It refuses a directory that is already set up, so a key is never
// overwritten.
func InitOrganisation(ctx context.Context, dir, domain string, opts InitOptions) (*Organisation, error) {
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
		return nil, fmt.Errorf("%w: %s exists", ErrOrganisationExists, filepath.Join(dir, ConfigFile))
	}
	if opts.KeyType == "" {
		opts.KeyType = keys.Ed25519
	}
	if opts.StatusFormat == "" {
		opts.StatusFormat = FormatJWT
	}
	if !slices.Contains(Formats(), opts.StatusFormat) {
		return nil, fmt.Errorf("%w: unknown status list format %q", ErrOptions, opts.StatusFormat)
	}
	if opts.RegistryURL != "" && !registry.IsPostgres(opts.RegistryURL) {
		return nil, fmt.Errorf("%w: the registry URL must be a PostgreSQL URL (postgres://...); the value given is not one (it is not repeated here: it may hold a password)", ErrOptions)
	}
	id, err := web.New(domain, opts.Path...)
	if err != nil {
		return nil, err
	}
	docURL, err := web.DocumentURL(id.String())
	if err != nil {
		return nil, err
	}
	if opts.StatusBaseURL == "" {
		// The DID document's URL without its file name: the site of the
		// organisation, with the did:web path.
		base := strings.TrimSuffix(strings.TrimSuffix(docURL, "/.well-known/did.json"), "/did.json")
		opts.StatusBaseURL = base + "/status"
	}
	key, err := keys.Generate(opts.KeyType)
	if err != nil {
		return nil, err
	}
	vm, err := NewMultikeyMethod(id, key.Public())
	if err != nil {
		return nil, err
	}
	doc := NewDocument(id, vm)
	docJSON, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	org := &Organisation{
		Dir: dir, DID: id.String(), KeyID: vm.ID, KeyType: opts.KeyType, DocumentURL: docURL,
		StatusBaseURL: opts.StatusBaseURL, StatusFormat: opts.StatusFormat,
	}
	if opts.RegistryURL != "" {
		org.Registry = RegistryPostgres
	}
	cfg, err := json.MarshalIndent(org, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// Everything is made in a staging folder inside dir, then moved into
	// place, the config last: a set-up without a config is not an
	// organisation. An interrupted set-up (a kill at any point) leaves its
	// files without a config; the next one removes them first, so nothing
	// blocks it, and the key it had made (never published: no config
	// names it) is not left behind as a stray copy.
	if err := removeInterruptedInit(dir); err != nil {
		return nil, err
	}
	stage := filepath.Join(dir, initStage)
	if err := os.Mkdir(stage, 0o700); err != nil {
		return nil, err
	}
	defer os.RemoveAll(stage)
	if err := keys.WritePrivateKeyFile(filepath.Join(stage, KeyFile), key, keys.FormatJWK); err != nil {
		return nil, err
	}
	if err := initStep("key"); err != nil {
		return nil, err
	}
	files := []string{KeyFile, DIDDocumentFile}
	if opts.RegistryURL == "" {
		reg, err := registry.Create(ctx, filepath.Join(stage, RegistryFile), registry.Config{StatusBaseURL: opts.StatusBaseURL})
		if err != nil {
			return nil, err
		}
		if err := reg.Close(); err != nil {
			return nil, err
		}
		files = append(files, RegistryFile)
	}
	if err := initStep("registry"); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(filepath.Join(stage, DIDDocumentFile), append(docJSON, '\n'), 0o644); err != nil {
		return nil, err
	}
	for _, name := range files {
		if err := os.Rename(filepath.Join(stage, name), filepath.Join(dir, name)); err != nil {
			return nil, err
		}
		if err := initStep("move " + name); err != nil {
			return nil, err
		}
	}
	// A PostgreSQL registry is made last, just before the config: a
	// set-up interrupted before it leaves nothing in the database.
	if opts.RegistryURL != "" {
		reg, err := registry.Create(ctx, opts.RegistryURL, registry.Config{StatusBaseURL: opts.StatusBaseURL})
		if err != nil {
			return nil, err
		}
		if err := reg.Close(); err != nil {
			return nil, err
		}
		org.RegistryURL = opts.RegistryURL
	}
	if err := atomicfile.Write(filepath.Join(dir, ConfigFile), append(cfg, '\n'), 0o644); err != nil {
		return nil, err
	}
	return org, nil
}

// initStage is the folder inside an organisation's directory where
// InitOrganisation makes its files before moving them into place.
const initStage = ".staffpass-init"

// initStep lets tests interrupt InitOrganisation after a step.
var initStep = func(string) error { return nil }

// removeInterruptedInit removes what an interrupted InitOrganisation left
// in dir, which has no config: its staging folder, and the files it makes
// (the key, the registry with its journal files, the DID document). A
// config is written last, so these are never an organisation's.
func removeInterruptedInit(dir string) error {
	if err := os.RemoveAll(filepath.Join(dir, initStage)); err != nil {
		return err
	}
	for _, name := range []string{KeyFile, RegistryFile, RegistryFile + "-wal", RegistryFile + "-shm", RegistryFile + "-journal", DIDDocumentFile} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// OpenOrganisation reads the set-up in dir.
func OpenOrganisation(dir string) (*Organisation, error) {
	data, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no %s (run 'staffpass org init' first)", ErrNotOrganisation, dir, ConfigFile)
	}
	if err != nil {
		return nil, err
	}
	if err := strictjson.Check(data, 64<<10); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNotOrganisation, ConfigFile, err)
	}
	var org Organisation
	if err := json.Unmarshal(data, &org); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNotOrganisation, ConfigFile, err)
	}
	if _, err := did.Parse(org.DID); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNotOrganisation, ConfigFile, err)
	}
	if !slices.Contains(Formats(), org.StatusFormat) {
		return nil, fmt.Errorf("%w: %s: unknown statusFormat %q", ErrNotOrganisation, ConfigFile, org.StatusFormat)
	}
	if !strings.HasPrefix(org.KeyID, org.DID+"#") {
		return nil, fmt.Errorf("%w: %s: keyId %q is not a method of %s", ErrNotOrganisation, ConfigFile, org.KeyID, org.DID)
	}
	org.Dir = dir
	return &org, nil
}

// Signer loads the organisation's signing key, and checks that its DID
// document (the did.json to publish) lists that key for assertionMethod:
// a key that does not fit would sign credentials no verifier accepts.
func (o *Organisation) Signer() (keys.Signer, error) {
	key, err := keys.ReadPrivateKeyFile(filepath.Join(o.Dir, KeyFile))
	if err != nil {
		return nil, err
	}
	signer, err := keys.NewSigner(key, o.KeyID)
	if err != nil {
		return nil, err
	}
	doc, err := o.Document()
	if err != nil {
		return nil, err
	}
	static := &did.StaticResolver{}
	if err := static.Add(doc.ID, doc); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(o.Dir, DIDDocumentFile), err)
	}
	if err := CheckSigner(context.Background(), static, signer); err != nil {
		return nil, fmt.Errorf("%s does not fit %s: %w", filepath.Join(o.Dir, KeyFile), filepath.Join(o.Dir, DIDDocumentFile), err)
	}
	return signer, nil
}

// ErrRegistryURL means the organisation's registry and RegistryURL do not
// fit: a PostgreSQL registry needs its URL, and a file registry takes none.
var ErrRegistryURL = errors.New("issuer: the registry URL does not fit the organisation's registry")

// OpenRegistry opens the organisation's issuance registry: the file in Dir,
// or the PostgreSQL database at RegistryURL.
func (o *Organisation) OpenRegistry(ctx context.Context, opts ...registry.Option) (*registry.Registry, error) {
	switch {
	case o.Registry == RegistryPostgres && o.RegistryURL == "":
		return nil, fmt.Errorf("%w: %s keeps its registry in PostgreSQL: give its URL (postgres://...)", ErrRegistryURL, o.Dir)
	case o.Registry == RegistryPostgres:
		if !registry.IsPostgres(o.RegistryURL) {
			return nil, fmt.Errorf("%w: the registry URL given is not a PostgreSQL URL (postgres://...); it is not repeated here, since it may hold a password", ErrRegistryURL)
		}
		return registry.Open(ctx, o.RegistryURL, opts...)
	case o.Registry != "":
		return nil, fmt.Errorf("%w: %s names an unknown registry %q", ErrNotOrganisation, ConfigFile, o.Registry)
	case o.RegistryURL != "":
		at := "a registry URL"
		if registry.IsPostgres(o.RegistryURL) {
			at = registry.Redact(o.RegistryURL)
		}
		return nil, fmt.Errorf("%w: %s keeps its registry in the file %s, not at %s", ErrRegistryURL, o.Dir, RegistryFile, at)
	}
	return registry.Open(ctx, filepath.Join(o.Dir, RegistryFile), opts...)
}

// Document reads the organisation's DID document.
func (o *Organisation) Document() (*did.Document, error) {
	data, err := os.ReadFile(filepath.Join(o.Dir, DIDDocumentFile))
	if err != nil {
		return nil, err
	}
	return did.ParseDocument(data)
}

// NewMultikeyMethod returns a Multikey verification method for pub controlled
// by id, whose fragment is the key's publicKeyMultibase (as did:key does), so
// that the method id changes whenever the key does.
func NewMultikeyMethod(id did.DID, pub crypto.PublicKey) (did.VerificationMethod, error) {
	mk, err := keys.EncodeMultikey(pub)
	if err != nil {
		return did.VerificationMethod{}, err
	}
	return did.VerificationMethod{
		ID:                 id.String() + "#" + mk,
		Type:               did.TypeMultikey,
		Controller:         id.String(),
		PublicKeyMultibase: mk,
	}, nil
}

// NewDocument returns the DID document of an issuing organisation: its
// methods, each listed for assertionMethod (signing credentials and status
// lists) and authentication.
func NewDocument(id did.DID, methods ...did.VerificationMethod) *did.Document {
	ctx, _ := json.Marshal([]string{did.ContextV1, did.ContextMultikey})
	doc := &did.Document{Context: ctx, ID: id.String(), VerificationMethod: methods}
	for _, m := range methods {
		doc.AssertionMethod = append(doc.AssertionMethod, did.MethodRef{Ref: m.ID})
		doc.Authentication = append(doc.Authentication, did.MethodRef{Ref: m.ID})
	}
	return doc
}
