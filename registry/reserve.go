package registry

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/staffpass/staffpass/vc/status"
)

// Reservation asks the registry for a credential id and status list indexes
// before a credential is signed.
type Reservation struct {
	// IssuanceKey makes issuance idempotent: the caller composes it from
	// what identifies one credential, such as staff id + credential type +
	// check date. Required.
	IssuanceKey string
	// CredentialID is the credential's id, a URL. When empty the registry
	// makes a urn:uuid: (a version 7 UUID: the time, then 74 bits from
	// crypto/rand).
	CredentialID string
	// Type is the credential type, such as "DBSCheckCredential". Required.
	Type string
	// Subject identifies whom the credential is about: the subject's DID,
	// or the staff id; revocation by subject and type matches it. Empty
	// for a credential whose subject has no id, which can then be selected
	// only by its id.
	Subject string
	// Format is how the credential is secured, such as "vc+jwt". Required;
	// the registry only records it.
	Format string
	// ValidUntil is the credential's validUntil; zero if it has none.
	ValidUntil time.Time
	// Purposes lists the status purposes the credential gets an entry
	// for: status.PurposeRevocation and status.PurposeSuspension, each at
	// most once. Empty means no credentialStatus.
	Purposes []string
	// Actor is who asks, for the audit trail (the CLI passes the OS
	// user). Required.
	Actor string
	// BatchRun and BatchLine, for a batch, are an id of the run (random,
	// made by each run) and the line of the row the credential comes
	// from, recorded with the reservation (LookUpRows returns them), so
	// that a run finds a row repeating one of its own.
	BatchRun  string
	BatchLine int
}

// RecordState says how far issuance of a credential went.
type RecordState string

const (
	// StateReserved: the id and indexes are allocated and the credential
	// may have been signed, but Complete has not recorded it.
	StateReserved RecordState = "reserved"
	// StateIssued: Complete recorded the signed credential.
	StateIssued RecordState = "issued"
)

// Record is what the registry knows of one credential.
type Record struct {
	IssuanceKey  string
	CredentialID string
	Type         string
	Subject      string
	Format       string
	ValidUntil   time.Time // zero: none
	State        RecordState
	ReservedAt   time.Time
	ReservedBy   string
	IssuedAt     time.Time // zero until issued
	// Credential is the signed credential Complete stored, and Digest its
	// SHA-256 in hex; both empty until issued.
	Credential []byte
	Digest     string
	// Status holds one assignment per purpose, ordered by list id.
	Status []StatusAssignment
	// Revoked and Suspended tell whether the revocation and suspension
	// bits are set.
	Revoked, Suspended bool
}

// StatusAssignment is the index of a credential in one status list.
type StatusAssignment struct {
	Purpose string
	ListID  int64
	ListURL string
	Index   int
	// Set tells whether the bit is set in the registry's copy of the list.
	Set bool
}

// StatusEntries returns the BitstringStatusListEntry values to put in the
// credential's credentialStatus, one per assignment; each entry's id is the
// list URL with the index as fragment.
func (rec *Record) StatusEntries() []status.Entry {
	out := make([]status.Entry, len(rec.Status))
	for i, a := range rec.Status {
		out[i] = status.Entry{
			ID:             a.ListURL + "#" + strconv.Itoa(a.Index),
			Purpose:        a.Purpose,
			Index:          a.Index,
			ListCredential: a.ListURL,
			Size:           1,
		}
	}
	return out
}

// Reserve allocates a credential id and, for each purpose, a status list
// index, in one transaction, and records the credential as reserved. Each
// index is drawn uniformly at random, with crypto/rand, among the unused
// indexes of the purpose's current list (herd privacy: the index tells
// nothing of when the credential was issued or how many were); a new list is
// started when the current one is full; an index is never given twice.
//
// Reserve is idempotent by issuance key: if the key is already recorded it
// returns that record unchanged (reserved or issued, with its id and indexes)
// and allocates nothing. The caller then signs a reserved record's
// credential with the record's id, indexes and ValidUntil, and returns an
// issued record's Credential as it is. A reservation that reuses a key with
// another type, subject, format or purposes, or another key's credential id,
// is refused with ErrReservationConflict.
func (r *Registry) Reserve(ctx context.Context, res Reservation) (*Record, error) {
	out, err := r.ReserveMany(ctx, []Reservation{res})
	if err != nil {
		return nil, err
	}
	if out[0].Err != nil {
		return nil, fmt.Errorf("registry: reserve %q: %w", res.IssuanceKey, out[0].Err)
	}
	return out[0].Record, nil
}

// Complete records that the credential reserved under issuanceKey was signed
// and issued at issuedAt, storing the signed credential (as written, in
// either format) and its SHA-256, and an "issue" audit row in the name of the
// reservation's actor. Completing again with the same credential returns the
// record unchanged; with another credential, ErrAlreadyIssued.
func (r *Registry) Complete(ctx context.Context, issuanceKey string, issuedAt time.Time, credential []byte) (*Record, error) {
	if issuanceKey == "" || issuedAt.IsZero() || len(credential) == 0 {
		return nil, fmt.Errorf("%w: Complete needs an issuance key, a time and the signed credential", ErrInvalidRequest)
	}
	sum := sha256.Sum256(credential)
	digest := hex.EncodeToString(sum[:])
	var rec *Record
	err := r.write(ctx, func(tx *sql.Tx) error {
		recs, err := loadRecords(ctx, tx, `c.issuance_key = $1`, issuanceKey)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return fmt.Errorf("%w: no reservation for issuance key %q", ErrCredentialNotFound, issuanceKey)
		}
		rec = recs[0]
		if rec.State == StateIssued {
			if rec.Digest != digest {
				return fmt.Errorf("%w: %s was issued with another credential (sha256 %s)", ErrAlreadyIssued, rec.CredentialID, rec.Digest)
			}
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE credentials SET state = $1, issued_at = $2, credential = $3, digest = $4
	WHERE issuance_key = $5 AND state = $6`,
			string(StateIssued), formatTime(issuedAt), credential, digest, issuanceKey, string(StateReserved)); err != nil {
			return err
		}
		if err := r.audit(ctx, tx, rec.ReservedBy, "issue", rec.CredentialID, 0, "sha256 "+digest); err != nil {
			return err
		}
		rec.State, rec.IssuedAt, rec.Credential, rec.Digest = StateIssued, issuedAt.UTC(), bytes.Clone(credential), digest
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("registry: complete %q: %w", issuanceKey, err)
	}
	return rec, nil
}

func checkReservation(res Reservation) error {
	if res.IssuanceKey == "" || res.Type == "" || res.Format == "" || res.Actor == "" {
		return fmt.Errorf("%w: a reservation needs an issuance key, a type, a format and an actor", ErrInvalidRequest)
	}
	if res.CredentialID != "" {
		if u, err := url.Parse(res.CredentialID); err != nil || !u.IsAbs() {
			return fmt.Errorf("%w: credential id %q is not an absolute URL", ErrInvalidRequest, res.CredentialID)
		}
	}
	seen := map[string]bool{}
	for _, p := range res.Purposes {
		if p != status.PurposeRevocation && p != status.PurposeSuspension {
			return fmt.Errorf("%w: status purpose %q (the registry keeps %s and %s lists)",
				ErrInvalidRequest, p, status.PurposeRevocation, status.PurposeSuspension)
		}
		if seen[p] {
			return fmt.Errorf("%w: status purpose %q twice", ErrInvalidRequest, p)
		}
		seen[p] = true
	}
	return nil
}

// sameReservation reports whether res asks for what rec records. The id and
// ValidUntil are not compared: a rerun makes a fresh id and may compute
// another date, and the record's are the ones to use.
func sameReservation(rec *Record, res Reservation) bool {
	if rec.Type != res.Type || rec.Subject != res.Subject || rec.Format != res.Format || len(rec.Status) != len(res.Purposes) {
		return false
	}
	for _, a := range rec.Status {
		if !slices.Contains(res.Purposes, a.Purpose) {
			return false
		}
	}
	return true
}

// newList starts a status list for purpose, numbered after the last list of
// any purpose, at the status base URL + "/" + its number.
func (r *Registry) newList(ctx context.Context, tx *sql.Tx, purpose, actor string) (int64, string, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM status_lists`).Scan(&id); err != nil {
		return 0, "", err
	}
	listURL := r.baseURL + "/" + strconv.FormatInt(id, 10)
	if _, err := tx.ExecContext(ctx, `INSERT INTO status_lists (id, purpose, url, size, allocated, created_at)
	VALUES ($1, $2, $3, $4, 0, $5)`, id, purpose, listURL, r.size, formatTime(r.now())); err != nil {
		return 0, "", err
	}
	return id, listURL, r.audit(ctx, tx, actor, "new-list", "", id, purpose+" "+listURL)
}

// audit appends a row to the audit trail; listID 0 means none.
func (r *Registry) audit(ctx context.Context, tx *sql.Tx, actor, action, credentialID string, listID int64, detail string) error {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM audit`).Scan(&id); err != nil {
		return err
	}
	cred := sql.NullString{String: credentialID, Valid: credentialID != ""}
	list := sql.NullInt64{Int64: listID, Valid: listID != 0}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (id, at, actor, action, credential_id, list_id, detail)
	VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, formatTime(r.now()), actor, action, cred, list, detail)
	return err
}

// loadRecords returns the credentials matching where (a condition on the
// credentials table, aliased c), in issuance key order, with their status
// assignments.
func loadRecords(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]*Record, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.issuance_key, c.credential_id, c.type, c.subject, c.format,
	c.valid_until, c.state, c.reserved_at, c.reserved_by, c.issued_at, c.credential, c.digest
	FROM credentials c WHERE `+where+` ORDER BY c.issuance_key`, args...)
	if err != nil {
		return nil, err
	}
	var recs []*Record
	byKey := map[string]*Record{}
	for rows.Next() {
		var (
			rec                                   Record
			validUntil, reservedAt, issuedAt, dig sql.NullString
			state                                 string
		)
		if err := rows.Scan(&rec.IssuanceKey, &rec.CredentialID, &rec.Type, &rec.Subject, &rec.Format,
			&validUntil, &state, &reservedAt, &rec.ReservedBy, &issuedAt, &rec.Credential, &dig); err != nil {
			rows.Close()
			return nil, err
		}
		rec.State, rec.Digest = RecordState(state), dig.String
		for _, t := range []struct {
			dst *time.Time
			src sql.NullString
		}{{&rec.ValidUntil, validUntil}, {&rec.ReservedAt, reservedAt}, {&rec.IssuedAt, issuedAt}} {
			if *t.dst, err = parseTime(t.src); err != nil {
				rows.Close()
				return nil, err
			}
		}
		recs = append(recs, &rec)
		byKey[rec.IssuanceKey] = &rec
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, nil
	}
	// The status entries of the same credentials, in allocation order
	// (lists are numbered in order, and a credential has one entry per
	// purpose).
	rows, err = tx.QueryContext(ctx, `SELECT e.issuance_key, e.purpose, e.list_id, l.url, e.idx, e.is_set
	FROM status_entries e JOIN status_lists l ON l.id = e.list_id
	JOIN credentials c ON c.issuance_key = e.issuance_key
	WHERE `+where+` ORDER BY e.issuance_key, e.list_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			key   string
			a     StatusAssignment
			isSet int
		)
		if err := rows.Scan(&key, &a.Purpose, &a.ListID, &a.ListURL, &a.Index, &isSet); err != nil {
			return nil, err
		}
		a.Set = isSet == 1
		rec := byKey[key]
		if rec == nil {
			continue
		}
		rec.Status = append(rec.Status, a)
		switch {
		case a.Purpose == status.PurposeRevocation && a.Set:
			rec.Revoked = true
		case a.Purpose == status.PurposeSuspension && a.Set:
			rec.Suspended = true
		}
	}
	return recs, rows.Err()
}

// newUUIDURN returns a version 7 UUID (RFC 9562: the Unix time in
// milliseconds, then 74 random bits) as a urn:uuid: URL. Ids made one after
// another sort together, so a batch adds them at the end of the indexes on
// credential ids (the credentials' own and the audit trail's) instead of
// all over them: a quarter less registry time a credential
// (BenchmarkBatchGroups, 100,000 credentials). What an id tells besides
// is when it was reserved, by this machine's clock (not WithClock's), to
// the millisecond: about what the credential's validFrom says to the
// second, and the order in which credentials were reserved within one
// second, which validFrom does not tell.
func newUUIDURN() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		return "", fmt.Errorf("registry: crypto/rand: %w", err)
	}
	ms := uint64(time.Now().UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return "urn:uuid:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}
