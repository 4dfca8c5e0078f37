package issuer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/staffpass/staffpass/internal/jcs"
	"github.com/staffpass/staffpass/internal/ld"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/vc/status"
)

// Issuance is one credential to issue through the registry.
type Issuance struct {
	// Credential is the unsigned credential JSON, which vc.Parse must
	// accept. Its issuer must be the signer's DID. It must not have a
	// credentialStatus: the registry assigns the status entries. If it
	// has no id the registry gives it a urn:uuid.
	Credential []byte
	// Key makes issuance idempotent: issuing the same key again returns
	// the credential issued the first time. Empty means DefaultIssuanceKey.
	Key string
	// Format secures the credential.
	Format Format
	// NotRevocable leaves out the revocation and suspension entries; by
	// default every credential can be revoked and suspended.
	NotRevocable bool
	// Actor is who issues, for the audit trail (required).
	Actor string
	// Plain holds, for Format FormatSDJWT, the identifiers the staff
	// credential's placeholder hashes stand for, by the JSON Pointer of the
	// hash (as staff.Row.PlaceholderClaims gives them): the SD-JWT VC
	// carries them selectively disclosable instead of a hash.
	Plain map[string]string
}

// ErrHasStatus means a credential to issue through the registry already has
// a credentialStatus.
var ErrHasStatus = errors.New("issuer: the credential already has a credentialStatus; the registry assigns it")

// IssueRecorded issues a credential through the registry so that it can be
// revoked and suspended and so that a rerun never issues it twice: it
// reserves the credential's id and status list indexes under the issuance
// key, adds them to the credential, signs it with signer (at now) and records
// it as issued. When the key was issued before it returns the stored record
// and signs nothing; when a previous run was interrupted after reserving, it
// signs with the reserved id and indexes. signed reports whether this call
// signed the credential (false: an earlier run had).
func IssueRecorded(ctx context.Context, reg *registry.Registry, signer keys.Signer, is Issuance, now time.Time) (rec *registry.Record, signed bool, err error) {
	if reg == nil || signer == nil || is.Actor == "" {
		return nil, false, fmt.Errorf("%w: IssueRecorded needs a registry, a signer and an actor", ErrOptions)
	}
	if err := checkFormat(signer, is.Format); err != nil {
		return nil, false, err
	}
	cred, err := vc.Parse(is.Credential)
	if err != nil {
		return nil, false, err
	}
	if err := CheckIssuer(cred, signer.KeyID()); err != nil {
		return nil, false, err
	}
	if cred.CredentialStatus.Len() > 0 {
		return nil, false, ErrHasStatus
	}
	if cred.Version() == vc.V1 {
		if err := fitV1(cred, is); err != nil {
			return nil, false, err
		}
		if is.Credential, err = json.Marshal(cred); err != nil {
			return nil, false, err
		}
	}
	// A subject without an id is allowed (a bearer credential: it can be
	// revoked by the credential's id, but no holder can be bound to it, so
	// staffpass's verifier refuses it in a presentation); the staff
	// credentials' schemas require one.
	subject := ""
	if ids := cred.SubjectIDs(); len(ids) > 0 {
		subject = ids[0]
	}
	// Nothing is reserved for a credential that could not be signed or
	// should not be: a rerun with the mistake fixed starts afresh.
	if err := CheckContent(is.Credential, cred); err != nil {
		return nil, false, err
	}
	key := is.Key
	if key == "" {
		if key, err = DefaultIssuanceKey(cred); err != nil {
			return nil, false, err
		}
	}
	var purposes []string
	if !is.NotRevocable {
		purposes = []string{status.PurposeRevocation, status.PurposeSuspension}
	}
	if is.Format == FormatSDJWT {
		if !isStaffCredential(cred) {
			return nil, false, ErrNotStaff
		}
		// What signSDJWT needs is checked before anything is reserved.
		if len(cred.CredentialSubject.Items) != 1 || cred.CredentialSubject.Items[0].ID == "" {
			return nil, false, fmt.Errorf("%w: an SD-JWT VC is about one subject with an id", ErrNotStaff)
		}
		if _, err := walletKey(cred.CredentialSubject.Items[0].ID); err != nil {
			return nil, false, err
		}
		if !is.NotRevocable {
			purposes = []string{status.PurposeRevocation} // one status_list reference
		}
	}
	_, until, _ := cred.ValidityPeriod() // CheckContent refused a malformed one
	rec, err = reg.Reserve(ctx, registry.Reservation{
		IssuanceKey:  key,
		CredentialID: cred.ID,
		Type:         CredentialType(cred),
		Subject:      subject,
		Format:       string(is.Format),
		ValidUntil:   until,
		Purposes:     purposes,
		Actor:        is.Actor,
	})
	if err != nil {
		return nil, false, err
	}
	if rec.State == registry.StateIssued {
		return rec, false, nil
	}
	if rec.Revoked {
		// Revoked while reserved (a run interrupted before signing): it
		// is never signed now.
		return rec, false, fmt.Errorf("%w: %s was revoked before it was signed", registry.ErrCredentialRevoked, rec.CredentialID)
	}
	cred.ID = rec.CredentialID
	if is.Format == FormatSDJWT {
		out, err := signSDJWT(cred, rec, is.Plain, signer, now)
		if err != nil {
			return nil, false, err
		}
		return complete(ctx, reg, key, now, out)
	}
	for _, e := range rec.StatusEntries() {
		obj, err := e.TypedObject()
		if err != nil {
			return nil, false, err
		}
		cred.CredentialStatus.Items = append(cred.CredentialStatus.Items, obj)
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return nil, false, err
	}
	out, err := Issue(data, signer, Options{Format: is.Format, Created: now})
	if err != nil {
		return nil, false, err
	}
	return complete(ctx, reg, key, now, out)
}

// complete records the signed credential out as issued under key.
func complete(ctx context.Context, reg *registry.Registry, key string, now time.Time, out []byte) (*registry.Record, bool, error) {
	done, err := reg.Complete(ctx, key, now, out)
	if errors.Is(err, registry.ErrAlreadyIssued) {
		// Another call issued the same key at the same time, and won:
		// its credential is the one issued.
		recs, ferr := reg.Find(ctx, registry.Target{IssuanceKey: key})
		if ferr == nil && recs[0].State == registry.StateIssued {
			return recs[0], false, nil
		}
	}
	return done, err == nil, err
}

// Contexts IssueRecorded adds to a VCDM 1.1 credential.
const (
	contextDataIntegrity = "https://w3id.org/security/data-integrity/v2"
	contextStatus        = "https://www.w3.org/ns/credentials/status/v1"
)

// fitV1 makes a VCDM 1.1 credential fit what IssueRecorded adds to it: its
// base context defines neither DataIntegrityProof nor the
// BitstringStatusListEntry entries, so the contexts that do are appended
// (as a VC API issuer does: the W3C suites expect it). A vc+jwt secures
// only VCDM 2.0 documents, so a 1.1 credential needs a Data Integrity suite.
func fitV1(cred *vc.Credential, is Issuance) error {
	if is.Format == FormatJWT {
		return fmt.Errorf("%w: a vc+jwt secures a VCDM 2.0 credential; secure a VCDM 1.1 credential with a Data Integrity suite", ErrContent)
	}
	add := func(url string) {
		for _, c := range cred.Context.Items {
			if c.URL == url {
				return
			}
		}
		cred.Context.Items = append(cred.Context.Items, vc.ContextEntry{URL: url})
	}
	add(contextDataIntegrity)
	if !is.NotRevocable {
		add(contextStatus)
	}
	return nil
}

// ErrContent is wrapped by CheckContent's errors: the credential says
// something staffpass will not sign as an organisation.
var ErrContent = errors.New("issuer: credential not fit to issue")

// CheckContent checks what IssueRecorded checks of an unsigned credential
// (data, parsed as cred by vc.Parse) before it reserves anything:
//
//   - every term and type it uses is defined by its contexts (JSON-LD
//     safe mode, with the embedded contexts and the staffpass vocabulary),
//     whatever the format: a misspelt claim or type is refused, not
//     signed;
//   - its validity period reads as vc.Credential.ValidityBounds reads it;
//   - a relatedResource that is a context staffpass holds has its digest;
//   - a credential that uses the staffpass context, or names a staff
//     credential type, passes staff.Validate: its type's JSON Schema and
//     rules (no raw certificate numbers or disclosure content, no
//     contradictory fields), and a credentialSchema with the schema's
//     digest.
//
// The low-level Issue does not check these, so that it can sign any
// credential (the W3C vectors, say).
func CheckContent(data []byte, cred *vc.Credential) error {
	loader, err := defaultLoader()
	if err != nil {
		return err
	}
	if _, err := ld.ToRDFJSON(data, loader, ld.Bound); err != nil {
		return fmt.Errorf("%w: %w", ErrContent, err)
	}
	if _, _, err := cred.ValidityPeriod(); err != nil {
		return fmt.Errorf("%w: the verifier would refuse it: %w", ErrContent, err)
	}
	for _, rr := range cred.RelatedResource.Items {
		if doc, ok := ld.EmbeddedContext(rr.ID); ok {
			if err := rr.CheckContent(doc); err != nil {
				return fmt.Errorf("%w: %w", ErrContent, err)
			}
		}
	}
	if !isStaffCredential(cred) {
		return nil
	}
	if err := staff.Validate(data); err != nil {
		return fmt.Errorf("%w: %w", ErrContent, err)
	}
	return nil
}

// isStaffCredential reports whether cred uses the staffpass context or
// names a staff credential type.
func isStaffCredential(cred *vc.Credential) bool {
	for _, c := range cred.Context.Items {
		if c.URL == staff.ContextURL {
			return true
		}
	}
	for _, t := range cred.Type.Items {
		if slices.Contains(staff.Types(), t) {
			return true
		}
	}
	return false
}

// DefaultIssuanceKey is the issuance key of a credential when the caller
// gives none: its most specific type, its first subject's id and the SHA-256
// of its subjects' claims in RFC 8785 form. Issuing the same claims about the
// same person again is then recognised as a rerun; a new check (a new check
// date, another level) is a new credential.
func DefaultIssuanceKey(cred *vc.Credential) (string, error) {
	var subjects []any
	for _, s := range cred.CredentialSubject.Items {
		m := make(map[string]any, len(s.Claims)+1)
		for k, raw := range s.Claims {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				return "", err
			}
			m[k] = v
		}
		if s.ID != "" {
			m["id"] = s.ID
		}
		subjects = append(subjects, m)
	}
	canon, err := jcs.Marshal(subjects)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(canon)
	ids := cred.SubjectIDs()
	subject := ""
	if len(ids) > 0 {
		subject = ids[0]
	}
	return strings.Join([]string{CredentialType(cred), subject, hex.EncodeToString(sum[:])}, "|"), nil
}

// CredentialType returns the most specific type of a credential: its last
// type other than VerifiableCredential, or VerifiableCredential.
func CredentialType(cred *vc.Credential) string {
	for i := len(cred.Type.Items) - 1; i >= 0; i-- {
		if t := cred.Type.Items[i]; t != vc.TypeCredential {
			return t
		}
	}
	return vc.TypeCredential
}
