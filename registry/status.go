package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/staffpass/staffpass/vc/status"
)

// Target selects credentials for a status change: one by its id, one by its
// issuance key, or every credential of a subject and type.
type Target struct {
	CredentialID string
	// IssuanceKey selects the credential issued under that key, when
	// CredentialID is empty.
	IssuanceKey string
	// Subject and Type, both required when CredentialID and IssuanceKey
	// are empty.
	Subject, Type string
}

// Change says who makes a status change and why, for the audit trail.
type Change struct {
	Actor  string // required
	Reason string
}

// Find returns the records of the credentials t selects, in issuance key
// order, or ErrCredentialNotFound.
func (r *Registry) Find(ctx context.Context, t Target) ([]*Record, error) {
	where, args, err := t.where()
	if err != nil {
		return nil, err
	}
	var recs []*Record
	err = r.read(ctx, func(tx *sql.Tx) error {
		recs, err = loadRecords(ctx, tx, where, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("registry: find: %w", err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrCredentialNotFound, t)
	}
	return recs, nil
}

// Revoke sets the revocation bit of the credentials t selects, for good
// (Bitstring Status List 2.1: revocation "is not reversible"). Revoking a
// revoked credential changes nothing and records nothing. A selected
// credential without a revocation entry is an error (ErrNoStatusEntry) when
// selected by id, and left out when selected by subject and type (unless
// none has one). It returns the selected records as they are afterwards.
func (r *Registry) Revoke(ctx context.Context, t Target, c Change) ([]*Record, error) {
	return r.change(ctx, t, c, "revoke", status.PurposeRevocation, true)
}

// Suspend sets the suspension bit of the credentials t selects. A revoked
// credential cannot be suspended (ErrCredentialRevoked); suspending a
// suspended one changes nothing. Selection by subject and type leaves out
// credentials the change cannot apply to (revoked, or without a suspension
// entry) unless none remains.
func (r *Registry) Suspend(ctx context.Context, t Target, c Change) ([]*Record, error) {
	return r.change(ctx, t, c, "suspend", status.PurposeSuspension, true)
}

// Unsuspend clears the suspension bit of the credentials t selects, under the
// rules of Suspend: a revoked credential stays as it is and is refused
// (ErrCredentialRevoked).
func (r *Registry) Unsuspend(ctx context.Context, t Target, c Change) ([]*Record, error) {
	return r.change(ctx, t, c, "unsuspend", status.PurposeSuspension, false)
}

func (r *Registry) change(ctx context.Context, t Target, c Change, action, purpose string, set bool) ([]*Record, error) {
	where, args, err := t.where()
	if err != nil {
		return nil, err
	}
	if c.Actor == "" {
		return nil, fmt.Errorf("%w: a status change needs an actor", ErrInvalidRequest)
	}
	byID := t.CredentialID != "" || t.IssuanceKey != ""
	var out []*Record
	err = r.write(ctx, func(tx *sql.Tx) error {
		recs, err := loadRecords(ctx, tx, where, args...)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return fmt.Errorf("%w: %s", ErrCredentialNotFound, t)
		}
		var applicable []*Record
		var refusal error
		for _, rec := range recs {
			a := rec.assignment(purpose)
			switch {
			case a == nil:
				refusal = fmt.Errorf("%w: %s has no %s entry", ErrNoStatusEntry, rec.CredentialID, purpose)
			case purpose == status.PurposeSuspension && rec.Revoked:
				refusal = fmt.Errorf("%w: %s", ErrCredentialRevoked, rec.CredentialID)
			default:
				applicable = append(applicable, rec)
				continue
			}
			if byID {
				return refusal
			}
		}
		if len(applicable) == 0 {
			return refusal
		}
		for _, rec := range applicable {
			a := rec.assignment(purpose)
			if a.Set == set {
				continue
			}
			v := 0
			if set {
				v = 1
			}
			if _, err := tx.ExecContext(ctx, `UPDATE status_entries SET is_set = $1 WHERE list_id = $2 AND idx = $3`,
				v, a.ListID, a.Index); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE status_lists SET version = version + 1 WHERE id = $1`, a.ListID); err != nil {
				return err
			}
			if err := r.audit(ctx, tx, c.Actor, action, rec.CredentialID, a.ListID, c.Reason); err != nil {
				return err
			}
		}
		out, err = loadRecords(ctx, tx, where, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	return out, nil
}

func (rec *Record) assignment(purpose string) *StatusAssignment {
	for i := range rec.Status {
		if rec.Status[i].Purpose == purpose {
			return &rec.Status[i]
		}
	}
	return nil
}

func (t Target) where() (string, []any, error) {
	switch {
	case t.CredentialID != "":
		return `c.credential_id = $1`, []any{t.CredentialID}, nil
	case t.IssuanceKey != "":
		return `c.issuance_key = $1`, []any{t.IssuanceKey}, nil
	case t.Subject != "" && t.Type != "":
		return `c.subject = $1 AND c.type = $2`, []any{t.Subject, t.Type}, nil
	}
	return "", nil, fmt.Errorf("%w: select a credential by id, or by subject and type", ErrInvalidRequest)
}

func (t Target) String() string {
	if t.CredentialID != "" {
		return "credential " + strconv.Quote(t.CredentialID)
	}
	if t.IssuanceKey != "" {
		return "the credential of issuance key " + strconv.Quote(t.IssuanceKey)
	}
	return fmt.Sprintf("%s credentials of %q", t.Type, t.Subject)
}

// StatusList describes one of the registry's status lists.
type StatusList struct {
	ID      int64
	Purpose string
	// URL is where the list is published, and the id of its status list
	// credential.
	URL string
	// Size is the number of indexes the registry allocates in the list.
	Size      int
	Allocated int
	CreatedAt time.Time
	// Version counts the changes of the list's bits; PublishedVersion is
	// the version last recorded by RecordPublished (0: never published).
	Version, PublishedVersion int64
}

// StatusLists returns every status list, by id.
func (r *Registry) StatusLists(ctx context.Context) ([]StatusList, error) {
	var out []StatusList
	err := r.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, purpose, url, size, allocated, created_at, version, published_version
	FROM status_lists ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			l, err := scanList(rows)
			if err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("registry: status lists: %w", err)
	}
	return out, nil
}

// ListBits builds the bitstring of list id to publish, from one snapshot of
// the registry, and returns it with the list's description as of that
// snapshot (whose Version to pass to RecordPublished). A list smaller than
// status.MinEntries (only tests make them) is padded with unset entries to
// the minimum the specification requires. Building an unchanged list again
// gives the same bits.
func (r *Registry) ListBits(ctx context.Context, id int64) (*status.List, StatusList, error) {
	var (
		bits *status.List
		desc StatusList
	)
	err := r.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, purpose, url, size, allocated, created_at, version, published_version
	FROM status_lists WHERE id = $1`, id)
		if err != nil {
			return err
		}
		found := rows.Next()
		if found {
			desc, err = scanList(rows)
		}
		rows.Close()
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: %d", ErrListNotFound, id)
		}
		if bits, err = status.New(max(desc.Size, status.MinEntries)); err != nil {
			return err
		}
		set, err := tx.QueryContext(ctx, `SELECT idx FROM status_entries WHERE list_id = $1 AND is_set = 1`, id)
		if err != nil {
			return err
		}
		defer set.Close()
		for set.Next() {
			var idx int
			if err := set.Scan(&idx); err != nil {
				return err
			}
			if err := bits.Set(idx, true); err != nil {
				return err
			}
		}
		return set.Err()
	})
	if err != nil {
		return nil, StatusList{}, fmt.Errorf("registry: list bits: %w", err)
	}
	return bits, desc, nil
}

// RecordPublished records that version of list id was published (its signed
// status list credential written out), in the list and in the audit trail.
func (r *Registry) RecordPublished(ctx context.Context, id, version int64, actor string) error {
	if actor == "" {
		return fmt.Errorf("%w: recording a publication needs an actor", ErrInvalidRequest)
	}
	err := r.write(ctx, func(tx *sql.Tx) error {
		var current int64
		err := tx.QueryRowContext(ctx, `SELECT version FROM status_lists WHERE id = $1`, id).Scan(&current)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %d", ErrListNotFound, id)
		}
		if err != nil {
			return err
		}
		if version < 0 || version > current {
			return fmt.Errorf("%w: list %d is at version %d, not %d", ErrInvalidRequest, id, current, version)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE status_lists SET published_version = $1
	WHERE id = $2 AND published_version < $1`, version, id); err != nil {
			return err
		}
		return r.audit(ctx, tx, actor, "publish", "", id, "version "+strconv.FormatInt(version, 10))
	})
	if err != nil {
		return fmt.Errorf("registry: record published: %w", err)
	}
	return nil
}

func scanList(rows *sql.Rows) (StatusList, error) {
	var (
		l       StatusList
		created sql.NullString
	)
	if err := rows.Scan(&l.ID, &l.Purpose, &l.URL, &l.Size, &l.Allocated, &created, &l.Version, &l.PublishedVersion); err != nil {
		return l, err
	}
	var err error
	l.CreatedAt, err = parseTime(created)
	return l, err
}

// AuditEvent is one row of the audit trail.
type AuditEvent struct {
	ID int64
	At time.Time
	// Actor is who made the change.
	Actor string
	// Action is reserve, new-list, issue, revoke, suspend, unsuspend or
	// publish.
	Action       string
	CredentialID string // "" for list events
	ListID       int64  // 0 for reserve and issue
	// Detail is the reason of a status change, the issuance key of a
	// reservation, the digest of an issued credential, or the version
	// published.
	Detail string
}

// Audit returns the audit trail in order, all of it or, when credentialID is
// not empty, the events of that credential.
func (r *Registry) Audit(ctx context.Context, credentialID string) ([]AuditEvent, error) {
	q := `SELECT id, at, actor, action, credential_id, list_id, detail FROM audit ORDER BY id`
	var args []any
	if credentialID != "" {
		q = `SELECT id, at, actor, action, credential_id, list_id, detail FROM audit WHERE credential_id = $1 ORDER BY id`
		args = []any{credentialID}
	}
	var out []AuditEvent
	err := r.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e    AuditEvent
				at   sql.NullString
				cred sql.NullString
				list sql.NullInt64
			)
			if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &cred, &list, &e.Detail); err != nil {
				return err
			}
			if e.At, err = parseTime(at); err != nil {
				return err
			}
			e.CredentialID, e.ListID = cred.String, list.Int64
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("registry: audit: %w", err)
	}
	return out, nil
}

// CheckIntegrity checks what must always hold of the registry, whatever
// happened to the processes that wrote it: every allocated index has one
// status entry, every entry belongs to a credential and a list, and every
// moved free slot lies in the unused part of its list. It reads one
// snapshot and changes nothing.
func (r *Registry) CheckIntegrity(ctx context.Context) error {
	return r.read(ctx, func(tx *sql.Tx) error {
		var allocated, entries, orphans, slots int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(allocated), 0) FROM status_lists`).Scan(&allocated); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM status_entries`).Scan(&entries); err != nil {
			return err
		}
		if allocated != entries {
			return fmt.Errorf("registry: integrity: the lists count %d allocated indexes, and %d status entries exist", allocated, entries)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM status_entries e
			LEFT JOIN credentials c ON c.issuance_key = e.issuance_key
			LEFT JOIN status_lists l ON l.id = e.list_id
			WHERE c.issuance_key IS NULL OR l.id IS NULL OR e.idx < 0 OR e.idx >= l.size`).Scan(&orphans); err != nil {
			return err
		}
		if orphans != 0 {
			return fmt.Errorf("registry: integrity: %d status entries belong to no credential or lie outside their list", orphans)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM free_slots f JOIN status_lists l ON l.id = f.list_id
			WHERE f.slot >= l.size - l.allocated`).Scan(&slots); err != nil {
			return err
		}
		if slots != 0 {
			return fmt.Errorf("registry: integrity: %d free slots lie beyond the unused part of their list", slots)
		}
		return nil
	})
}
