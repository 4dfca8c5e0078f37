package issuer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/atomicfile"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/status"
)

// Published describes one status list credential PublishStatusLists wrote.
type Published struct {
	List registry.StatusList
	// File is where the signed status list credential was written; host
	// it at List.URL.
	File string
	// Set counts the entries whose bit is set (revoked or suspended).
	Set int
	// TokenFile is, for a revocation list, where its IETF Token Status
	// List (for SD-JWT VCs) was written; host it at TokenListURL(List.URL).
	TokenFile string
}

// PublishOptions say how status lists are published.
type PublishOptions struct {
	// Dir is the directory the signed status list credentials are written
	// to, one file per list, named by the last segment of its URL.
	Dir string
	// Format secures the status list credentials.
	Format Format
	// ValidFor is how long a published list stays valid: verifiers refuse
	// it afterwards, so lists must be published again before then. Zero
	// means a week.
	ValidFor time.Duration
	// TTL, when not zero, is written as each list's ttl: how long after
	// fetching a list verifiers may rely on it before fetching it again.
	TTL time.Duration
	// Actor is who publishes, for the audit trail (required).
	Actor string
}

// PublishStatusLists signs every status list of the registry as a
// BitstringStatusListCredential issued by signer's DID, valid from now for
// opts.ValidFor, writes each atomically into opts.Dir and records the
// publication. Publishing twice without a status change gives the same bits.
func PublishStatusLists(ctx context.Context, reg *registry.Registry, signer keys.Signer, now time.Time, opts PublishOptions) ([]Published, error) {
	if reg == nil || signer == nil || opts.Dir == "" || opts.Actor == "" {
		return nil, fmt.Errorf("%w: PublishStatusLists needs a registry, a signer, a directory and an actor", ErrOptions)
	}
	if opts.ValidFor == 0 {
		opts.ValidFor = 7 * 24 * time.Hour
	}
	if opts.ValidFor < 0 || opts.TTL < 0 {
		return nil, fmt.Errorf("%w: a negative validity or ttl", ErrOptions)
	}
	issuerDID, err := signerDID(signer)
	if err != nil {
		return nil, err
	}
	lists, err := reg.StatusLists(ctx)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, err
	}
	var out []Published
	for _, l := range lists {
		signed, snapshot, set, err := signList(ctx, reg, signer, issuerDID, l.ID, now, opts)
		if err != nil {
			return nil, err
		}
		file, err := listFile(opts.Dir, snapshot.URL)
		if err != nil {
			return nil, err
		}
		if err := atomicfile.Write(file, signed, 0o644); err != nil {
			return nil, err
		}
		p := Published{List: snapshot, File: file, Set: set}
		if snapshot.Purpose == status.PurposeRevocation {
			token, err := SignTokenList(ctx, reg, signer, l.ID, now, opts)
			if err != nil {
				return nil, err
			}
			p.TokenFile = file + path.Ext(TokenListURL(snapshot.URL))
			if err := atomicfile.Write(p.TokenFile, token, 0o644); err != nil {
				return nil, err
			}
		}
		if err := reg.RecordPublished(ctx, l.ID, snapshot.Version, opts.Actor); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// SignStatusList signs the registry's status list id, as it is now, as a
// BitstringStatusListCredential issued by signer's DID, valid from now for
// opts.ValidFor, with opts.TTL; opts.Dir and opts.Actor are not used. It
// returns the signed credential, the list as it was signed (its Version
// tells which change of its bits) and how many entries are set. Nothing is
// written or recorded: a server that hosts lists itself signs them this way,
// and calls RecordPublished if it keeps the audit trail.
func SignStatusList(ctx context.Context, reg *registry.Registry, signer keys.Signer, id int64, now time.Time, opts PublishOptions) (signed []byte, list registry.StatusList, set int, err error) {
	if reg == nil || signer == nil {
		return nil, registry.StatusList{}, 0, fmt.Errorf("%w: SignStatusList needs a registry and a signer", ErrOptions)
	}
	if opts.ValidFor == 0 {
		opts.ValidFor = 7 * 24 * time.Hour
	}
	if opts.ValidFor < 0 || opts.TTL < 0 {
		return nil, registry.StatusList{}, 0, fmt.Errorf("%w: a negative validity or ttl", ErrOptions)
	}
	issuerDID, err := signerDID(signer)
	if err != nil {
		return nil, registry.StatusList{}, 0, err
	}
	return signList(ctx, reg, signer, issuerDID, id, now, opts)
}

func signList(ctx context.Context, reg *registry.Registry, signer keys.Signer, issuerDID string, id int64, now time.Time, opts PublishOptions) ([]byte, registry.StatusList, int, error) {
	now = now.UTC().Truncate(time.Second)
	bits, snapshot, err := reg.ListBits(ctx, id)
	if err != nil {
		return nil, registry.StatusList{}, 0, err
	}
	lc := &status.ListCredential{
		ID:         snapshot.URL,
		Issuer:     issuerDID,
		Purposes:   []string{snapshot.Purpose},
		List:       bits,
		ValidFrom:  now,
		ValidUntil: now.Add(opts.ValidFor),
		TTL:        opts.TTL,
	}
	cred, err := lc.Credential()
	if err != nil {
		return nil, registry.StatusList{}, 0, err
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return nil, registry.StatusList{}, 0, err
	}
	signed, err := Issue(data, signer, Options{Format: opts.Format, Created: now})
	if err != nil {
		return nil, registry.StatusList{}, 0, fmt.Errorf("status list %s: %w", snapshot.URL, err)
	}
	set := 0
	for i := range bits.Len() {
		if b, _ := bits.Get(i); b {
			set++
		}
	}
	return signed, snapshot, set, nil
}

// SignTokenList signs the registry's status list id, as it is now, as an
// IETF Status List Token (statuslist+jwt, one bit an entry: 1 is invalid)
// at TokenListURL of the list's URL, for SD-JWT VCs: issued now, expiring
// after opts.ValidFor, with opts.TTL as its ttl.
func SignTokenList(ctx context.Context, reg *registry.Registry, signer keys.Signer, id int64, now time.Time, opts PublishOptions) ([]byte, error) {
	if opts.ValidFor == 0 {
		opts.ValidFor = 7 * 24 * time.Hour
	}
	now = now.UTC().Truncate(time.Second)
	bits, snapshot, err := reg.ListBits(ctx, id)
	if err != nil {
		return nil, err
	}
	statuses := make([]int, bits.Len())
	for i := range statuses {
		if set, _ := bits.Get(i); set {
			statuses[i] = status.TokenInvalid
		}
	}
	lst, err := status.EncodeTokenList(statuses, 1)
	if err != nil {
		return nil, err
	}
	claims := map[string]any{
		"sub": TokenListURL(snapshot.URL), "iat": now.Unix(), "exp": now.Add(opts.ValidFor).Unix(),
		"status_list": map[string]any{"bits": 1, "lst": lst},
	}
	if opts.TTL > 0 {
		claims["ttl"] = int64(opts.TTL / time.Second)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	tok, err := jose.SignDocument(payload, status.TypeStatusListToken, signer, limits.MaxJWTBytes)
	if err != nil {
		return nil, fmt.Errorf("token status list %s: %w", snapshot.URL, err)
	}
	return []byte(tok), nil
}

// listFile names the file a list's credential is written to: the last
// segment of its URL, which the registry made as base URL + "/" + n.
func listFile(dir, listURL string) (string, error) {
	u, err := url.Parse(listURL)
	if err != nil {
		return "", err
	}
	name := path.Base(u.Path)
	if name == "" || name == "." || name == "/" || name == ".." {
		return "", fmt.Errorf("status list URL %q has no file name", listURL)
	}
	return filepath.Join(dir, name), nil
}

func signerDID(s keys.Signer) (string, error) {
	u, err := did.ParseURL(s.KeyID())
	if err != nil {
		return "", fmt.Errorf("%w: signer key id %q is not a DID URL", ErrOptions, s.KeyID())
	}
	return u.DID().String(), nil
}
