package registry_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
)

func audit3Offer(t *testing.T, r *registry.Registry, now time.Time, tx bool) (*registry.CreatedOffer, string) {
	t.Helper()
	cells := map[string]string{"staff_id": "E77", "dbs_level": "enhanced", "dbs_workforce": "adult",
		"certificate_number": "001234567890", "certificate_issue_date": now.AddDate(0, -1, 0).Format("2006-01-02"),
		"update_service_subscribed": "no", "check_date": now.AddDate(0, 0, -1).Format("2006-01-02")}
	o, err := r.CreateOffer(context.Background(), registry.OfferRequest{Type: staff.TypeDBSCheck, Cells: cells, Format: "dc+sd-jwt",
		IssuerURL: "https://kch.nhs.uk", TxCode: tx, Actor: "hr", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	open, err := r.OpenOffer(context.Background(), o.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	return o, open.Code
}

func audit3Cells(t *testing.T, r *registry.Registry, id string) sql.NullString {
	t.Helper()
	var cells sql.NullString
	if err := r.DB().QueryRow(`SELECT cells FROM offers WHERE id = $1`, id).Scan(&cells); err != nil {
		t.Fatal(err)
	}
	return cells
}

// An offer that can never be issued (withdrawn after too many wrong
// transaction codes, or expired) must not keep the row's cells
// (certificate numbers) for ever: they are kept "only until the credential
// is issued", and such an offer never is.
func TestAudit3WithdrawnOfferForgetsCells(t *testing.T) {
	r, _ := newTestRegistry(t, 64)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	o, code := audit3Offer(t, r, now, true)
	wrong := "000000"
	if o.TxCode == wrong {
		wrong = "111111"
	}
	for range registry.MaxTxCodeFailures {
		if _, _, err := r.RedeemOffer(context.Background(), "https://kch.nhs.uk", code, wrong, now, 5*time.Minute); !errors.Is(err, registry.ErrTxCode) {
			t.Fatal(err)
		}
	}
	if _, _, err := r.RedeemOffer(context.Background(), "https://kch.nhs.uk", code, o.TxCode, now, 5*time.Minute); !errors.Is(err, registry.ErrOfferNotFound) {
		t.Fatalf("withdrawn offer redeemed: %v", err)
	}
	if c := audit3Cells(t, r, o.ID); c.Valid {
		t.Fatalf("a withdrawn offer keeps the row's cells: %s", c.String)
	}
}

// Two processes ('staffpass serve' twice on one registry) redeem one code
// at once: one token.
func TestAudit3RedeemTwoRegistriesAtOnce(t *testing.T) {
	r1, path := newTestRegistry(t, 64)
	r2 := openAgain(t, path)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for round := 0; round < 5; round++ {
		o, code := audit3Offer(t, r1, now, true)
		var wg sync.WaitGroup
		var mu sync.Mutex
		tokens := 0
		wrongs := 0
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reg := r1
				if i%2 == 1 {
					reg = r2
				}
				tx := o.TxCode
				if i >= 4 {
					tx = "x"
				}
				_, _, err := reg.RedeemOffer(context.Background(), "https://kch.nhs.uk", code, tx, now, 5*time.Minute)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					tokens++
				case errors.Is(err, registry.ErrTxCode):
					wrongs++
				case errors.Is(err, registry.ErrOfferNotFound):
				default:
					t.Errorf("redeem: %v", err)
				}
			}()
		}
		wg.Wait()
		if tokens != 1 {
			t.Fatalf("round %d: %d tokens for one code", round, tokens)
		}
		var failures int
		r1.DB().QueryRow(`SELECT tx_failures FROM offers WHERE id = $1`, o.ID).Scan(&failures)
		if failures != wrongs {
			t.Fatalf("round %d: %d wrong codes answered, %d counted", round, wrongs, failures)
		}
	}
}

// Concurrent wrong transaction codes from two processes: each counts, and
// no more than MaxTxCodeFailures are tried.
func TestAudit3WrongTxCodesTwoRegistries(t *testing.T) {
	r1, path := newTestRegistry(t, 64)
	r2 := openAgain(t, path)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	_, code := audit3Offer(t, r1, now, true)
	var wg sync.WaitGroup
	var mu sync.Mutex
	tried := 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reg := r1
			if i%2 == 1 {
				reg = r2
			}
			_, _, err := reg.RedeemOffer(context.Background(), "https://kch.nhs.uk", code, "abc", now, 5*time.Minute)
			if errors.Is(err, registry.ErrTxCode) {
				mu.Lock()
				tried++
				mu.Unlock()
			} else if !errors.Is(err, registry.ErrOfferNotFound) {
				t.Errorf("redeem: %v", err)
			}
		}()
	}
	wg.Wait()
	if tried != registry.MaxTxCodeFailures {
		t.Fatalf("%d wrong transaction codes were tried", tried)
	}
}

// OfferIssued forgets the cells; an offer expires.
func TestAudit3OfferIssuedClearsCellsAndOffersExpire(t *testing.T) {
	r, _ := newTestRegistry(t, 64)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	o, code := audit3Offer(t, r, now, false)
	tok, off, err := r.RedeemOffer(context.Background(), "https://kch.nhs.uk", code, "", now, 5*time.Minute)
	if err != nil || off.Cells["certificate_number"] != "001234567890" {
		t.Fatal(err)
	}
	if _, err := r.OfferForToken(context.Background(), "https://kch.nhs.uk", tok, now.Add(5*time.Minute)); !errors.Is(err, registry.ErrOfferNotFound) {
		t.Fatalf("an expired token: %v", err)
	}
	if err := r.OfferIssued(context.Background(), o.ID, "urn:uuid:x", "t"); err != nil {
		t.Fatal(err)
	}
	if c := audit3Cells(t, r, o.ID); c.Valid {
		t.Fatal("cells kept")
	}
	if err := r.OfferIssued(context.Background(), o.ID, "urn:uuid:y", "t"); !errors.Is(err, registry.ErrOfferNotFound) {
		t.Fatal("issued twice")
	}
	_, code = audit3Offer(t, r, now, false)
	if _, _, err := r.RedeemOffer(context.Background(), "https://kch.nhs.uk", code, "", now.Add(24*time.Hour), time.Minute); !errors.Is(err, registry.ErrOfferNotFound) {
		t.Fatalf("an expired offer: %v", err)
	}
	var n int
	r.DB().QueryRow(`SELECT COUNT(*) FROM audit WHERE detail LIKE '%001234567890%'`).Scan(&n)
	if n != 0 {
		t.Fatal("audit holds cells")
	}
}

// An offer that expired unredeemed does not keep the row's cells either.
func TestAudit3ExpiredOfferForgetsCells(t *testing.T) {
	r, _ := newTestRegistry(t, 64)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	o, code := audit3Offer(t, r, now, false)
	later := now.Add(25 * time.Hour)
	if _, _, err := r.RedeemOffer(context.Background(), "https://kch.nhs.uk", code, "", later, 5*time.Minute); !errors.Is(err, registry.ErrOfferNotFound) {
		t.Fatal(err)
	}
	// Any later offer made: the registry had every chance to forget.
	audit3Offer(t, r, later, false)
	if c := audit3Cells(t, r, o.ID); c.Valid {
		t.Fatalf("an expired offer keeps the row's cells: %s", c.String)
	}
}
