package registry

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/staffpass/staffpass/vc/staff"
)

// Credential offers (OpenID for Verifiable Credential Issuance 1.0, the
// pre-authorized code flow)
//
// HR makes an Offer of one staff credential from a row's cells, without
// the subject: the member of staff's wallet fetches the offer (by its URL,
// from a QR code), redeems its pre-authorized code, with the transaction
// code HR gave by another channel when there is one, for an access token,
// and asks for the credential with a proof of its key, which becomes the
// credential's subject. The credential is issued through the registry like
// any other. An offer's code is single use and expires; a transaction code
// is tried at most MaxTxCodeFailures times.

// Offer states.
const (
	OfferOffered   = "offered"
	OfferRedeemed  = "redeemed"
	OfferIssued    = "issued"
	OfferWithdrawn = "withdrawn"
)

// MaxTxCodeFailures is how many wrong transaction codes withdraw an offer.
const MaxTxCodeFailures = 5

// Errors of offers.
var (
	// ErrOfferNotFound means no offer has that id, code or token, or it
	// expired or was used.
	ErrOfferNotFound = errors.New("registry: no such offer, or it has expired or been used")
	// ErrTxCode means the transaction code is wrong or missing.
	ErrTxCode = errors.New("registry: wrong transaction code")
)

// OfferRequest is an offer HR makes.
type OfferRequest struct {
	// Type is the staff credential type; Cells the row's cells as
	// staff.RowColumns names them, without subject.
	Type  string
	Cells map[string]string
	// Format is how the credential will be secured, such as "dc+sd-jwt"
	// (required).
	Format string
	// IssuerURL is the credential issuer the wallet talks to: the https
	// URL of 'staffpass serve'.
	IssuerURL string
	// TxCode asks for a six-digit transaction code.
	TxCode bool
	// ValidFor is how long the offer can be redeemed; zero means a day.
	ValidFor time.Duration
	// Actor is who makes the offer (required).
	Actor string
	// Now is when.
	Now time.Time
}

// CreatedOffer is an offer made: its id (the offer is at IssuerURL +
// "/offers/" + ID) and its transaction code, to give the member of staff by
// another channel ("" when none).
type CreatedOffer struct {
	ID, TxCode string
	Expires    time.Time
}

// Offer is an offer as the registry holds it.
type Offer struct {
	ID, Type, IssuerURL, Code, State, CredentialID string
	Format                                         string
	Cells                                          map[string]string
	HasTxCode                                      bool
	Expires                                        time.Time
}

// CreateOffer records an offer. The registry stores it as given: the
// caller checks its cells first (issuer.CreateOffer does, as IssueOne would
// check them, so that HR hears of a mistake now, not when the wallet comes).
func (r *Registry) CreateOffer(ctx context.Context, req OfferRequest) (*CreatedOffer, error) {
	if req.Actor == "" || req.IssuerURL == "" || req.Now.IsZero() || req.Type == "" || req.Format == "" {
		return nil, fmt.Errorf("%w: an offer needs a type, a format, an actor, an issuer URL and a time", ErrInvalidRequest)
	}
	if _, ok := req.Cells[staff.ColumnSubject]; ok {
		return nil, fmt.Errorf("%w: an offer names no subject: the wallet's key becomes it", ErrInvalidRequest)
	}
	cells := make(map[string]string, len(req.Cells))
	for k, v := range req.Cells {
		cells[k] = v
	}
	if req.ValidFor <= 0 {
		req.ValidFor = 24 * time.Hour
	}
	id, code := randomToken(18), randomToken(32)
	out := &CreatedOffer{ID: id, Expires: req.Now.Add(req.ValidFor).UTC().Truncate(time.Second)}
	var txHash []byte
	if req.TxCode {
		n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
		if err != nil {
			return nil, err
		}
		out.TxCode = fmt.Sprintf("%06d", n.Int64())
		h := sha256.Sum256([]byte(id + "\x00" + out.TxCode))
		txHash = h[:]
	}
	cellsJSON, err := json.Marshal(cells)
	if err != nil {
		return nil, err
	}
	err = r.write(ctx, func(tx *sql.Tx) error {
		if err := forgetExpiredOffers(ctx, tx, req.Now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO offers (id, type, format, issuer_url, cells, code, tx_code_hash, state, created_at, created_by, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'offered', $8, $9, $10)`,
			id, req.Type, string(req.Format), req.IssuerURL, string(cellsJSON), code, txHash, formatTime(req.Now), req.Actor, formatTime(out.Expires)); err != nil {
			return err
		}
		return r.audit(ctx, tx, req.Actor, "offer", "", 0, "offer "+id+" of a "+req.Type)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// randomToken is n random bytes in base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// OpenOffer returns the offer id names while it can be redeemed.
func (r *Registry) OpenOffer(ctx context.Context, id string, now time.Time) (*Offer, error) {
	return r.findOffer(ctx, `id = $1 AND state = 'offered'`, now, id)
}

func (r *Registry) findOffer(ctx context.Context, where string, now time.Time, args ...any) (*Offer, error) {
	var o Offer
	var format, expires string
	var cells sql.NullString
	var tx []byte
	var credID sql.NullString
	err := r.read(ctx, func(q *sql.Tx) error {
		return q.QueryRowContext(ctx, `SELECT id, type, format, issuer_url, cells, code, tx_code_hash, state, expires_at, credential_id
			FROM offers WHERE `+where, args...).Scan(&o.ID, &o.Type, &format, &o.IssuerURL, &cells, &o.Code, &tx, &o.State, &expires, &credID)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrOfferNotFound
	}
	if err != nil {
		return nil, err
	}
	o.Format, o.HasTxCode, o.CredentialID = format, len(tx) > 0, credID.String
	if o.Expires, err = parseTime(sql.NullString{String: expires, Valid: true}); err != nil {
		return nil, err
	}
	if !now.IsZero() && !now.Before(o.Expires) {
		return nil, ErrOfferNotFound
	}
	if cells.Valid {
		if err := json.Unmarshal([]byte(cells.String), &o.Cells); err != nil {
			return nil, err
		}
	}
	return &o, nil
}

// RedeemOffer exchanges an offer's pre-authorized code (and transaction
// code) for an access token valid for tokenFor: once. A wrong transaction
// code counts against the offer, which is withdrawn after
// MaxTxCodeFailures.
func (r *Registry) RedeemOffer(ctx context.Context, issuerURL, code, txCode string, now time.Time, tokenFor time.Duration) (token string, offer *Offer, err error) {
	var txErr error
	err = r.write(ctx, func(tx *sql.Tx) error {
		txErr = nil
		if err := forgetExpiredOffers(ctx, tx, now); err != nil {
			return err
		}
		var id, expires string
		var txHash []byte
		var failures int
		err := tx.QueryRowContext(ctx, `SELECT id, expires_at, tx_code_hash, tx_failures FROM offers WHERE code = $1 AND state = 'offered' AND issuer_url = $2`, code, issuerURL).
			Scan(&id, &expires, &txHash, &failures)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrOfferNotFound
		}
		if err != nil {
			return err
		}
		exp, err := parseTime(sql.NullString{String: expires, Valid: true})
		if err != nil {
			return err
		}
		if !now.Before(exp) {
			return ErrOfferNotFound
		}
		if len(txHash) > 0 {
			h := sha256.Sum256([]byte(id + "\x00" + txCode))
			if subtle.ConstantTimeCompare(h[:], txHash) != 1 {
				failures++
				state := OfferOffered
				if failures >= MaxTxCodeFailures {
					state = OfferWithdrawn
				}
				// A withdrawn offer forgets the row.
				if _, err := tx.ExecContext(ctx, `UPDATE offers SET tx_failures = $1, state = $2,
					cells = CASE WHEN $2 = 'withdrawn' THEN NULL ELSE cells END WHERE id = $3`, failures, state, id); err != nil {
					return err
				}
				// Committed, so that the failure counts.
				txErr = fmt.Errorf("%w (%d of %d tries used)", ErrTxCode, failures, MaxTxCodeFailures)
				return nil
			}
		}
		token = randomToken(32)
		if _, err := tx.ExecContext(ctx, `UPDATE offers SET state = 'redeemed', token_hash = $1, token_expires_at = $2 WHERE id = $3`,
			tokenHash(token), formatTime(now.Add(tokenFor)), id); err != nil {
			return err
		}
		return nil
	})
	if err == nil && txErr != nil {
		err = txErr
	}
	if err != nil {
		return "", nil, err
	}
	offer, err = r.findOffer(ctx, `token_hash = $1`, time.Time{}, tokenHash(token))
	return token, offer, err
}

// forgetExpiredOffers forgets the rows of offers that can no longer be
// redeemed or used: expired unredeemed ones, and redeemed ones whose token
// expired.
func forgetExpiredOffers(ctx context.Context, tx *sql.Tx, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE offers SET cells = NULL WHERE cells IS NOT NULL AND
		((state = 'offered' AND expires_at <= $1) OR (state = 'redeemed' AND token_expires_at <= $1))`, formatTime(now))
	return err
}

// OfferForToken returns the offer an access token of issuerURL was given
// for, while the token is valid (whatever the offer's own expiry: the
// token was given before it) and the credential not yet claimed.
func (r *Registry) OfferForToken(ctx context.Context, issuerURL, token string, now time.Time) (*Offer, error) {
	o, err := r.findOffer(ctx, `token_hash = $1 AND state = 'redeemed' AND issuer_url = $2`, time.Time{}, tokenHash(token), issuerURL)
	if err != nil {
		return nil, err
	}
	var expires string
	if err := r.read(ctx, func(q *sql.Tx) error {
		return q.QueryRowContext(ctx, `SELECT token_expires_at FROM offers WHERE id = $1`, o.ID).Scan(&expires)
	}); err != nil {
		return nil, err
	}
	t, err := parseTime(sql.NullString{String: expires, Valid: true})
	if err != nil {
		return nil, err
	}
	if !now.Before(t) {
		return nil, ErrOfferNotFound
	}
	return o, nil
}

// ClaimOffer uses up an access token, once: of concurrent requests with
// one token, one claims the offer and the others get ErrOfferNotFound.
func (r *Registry) ClaimOffer(ctx context.Context, issuerURL, token string, now time.Time) error {
	return r.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE offers SET token_hash = NULL WHERE token_hash = $1 AND state = 'redeemed'
			AND issuer_url = $2 AND token_expires_at > $3`, tokenHash(token), issuerURL, formatTime(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrOfferNotFound
		}
		return nil
	})
}

// OfferIssued records that the offer's credential was issued, and forgets
// the row's cells.
func (r *Registry) OfferIssued(ctx context.Context, id, credentialID, actor string) error {
	return r.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE offers SET state = 'issued', cells = NULL, credential_id = $1 WHERE id = $2 AND state = 'redeemed'`, credentialID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrOfferNotFound
		}
		return r.audit(ctx, tx, actor, "offer-issued", credentialID, 0, "offer "+id)
	})
}
