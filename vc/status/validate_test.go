package status

import (
	"errors"
	"testing"
	"time"
)

func TestValidateChecksTheEntryAgainstTheList(t *testing.T) {
	now := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	entry := Entry{Purpose: PurposeRevocation, Index: 94567, ListCredential: "https://kch.nhs.uk/status/1", Size: 1}
	tests := []struct {
		name    string
		entry   func(*Entry)
		list    func(*ListCredential)
		issuer  string
		now     time.Time
		fetched time.Time
		skew    time.Duration
		want    bool
		err     error
	}{
		{name: "a set bit reads set", want: true},
		{name: "an unset bit reads unset", entry: func(e *Entry) { e.Index = 94566 }, want: false},
		{name: "an entry built without a size counts as statusSize 1", entry: func(e *Entry) { e.Size = 0 }, want: true},
		{name: "a list without an id is taken as the entry's", list: func(l *ListCredential) { l.ID = "" }, want: true},
		{name: "a list for both purposes serves a revocation entry", list: func(l *ListCredential) {
			l.Purposes = []string{PurposeSuspension, PurposeRevocation}
		}, want: true},
		{name: "a list fetched within its ttl", fetched: now.Add(-23 * time.Hour), want: true},
		{name: "a list without a ttl never goes stale", list: func(l *ListCredential) { l.TTL = 0 }, fetched: now.Add(-1000 * time.Hour), want: true},
		{name: "a check exactly at validUntil passes", now: time.Date(2026, 1, 8, 9, 0, 0, 0, time.UTC), want: true},
		{name: "a check exactly at validFrom passes", now: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC), want: true},
		{name: "a list valid from within the clock skew after now", now: time.Date(2026, 1, 1, 8, 59, 30, 0, time.UTC), skew: time.Minute, want: true},
		{name: "a list expired within the clock skew before now", now: time.Date(2026, 1, 8, 9, 0, 59, 0, time.UTC), skew: time.Minute, want: true},

		{name: "another list's credential", list: func(l *ListCredential) { l.ID = "https://kch.nhs.uk/status/2" }, err: ErrListMismatch},
		{name: "a list signed by another issuer", issuer: "did:web:other.nhs.uk", err: ErrIssuerMismatch},
		{name: "a list not yet valid", now: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), err: ErrListNotYetValid},
		{name: "an expired list", now: time.Date(2026, 1, 8, 9, 0, 1, 0, time.UTC), err: ErrListExpired},
		{name: "a list valid from beyond the clock skew", now: time.Date(2026, 1, 1, 8, 58, 59, 0, time.UTC), skew: time.Minute, err: ErrListNotYetValid},
		{name: "a list expired beyond the clock skew", now: time.Date(2026, 1, 8, 9, 1, 1, 0, time.UTC), skew: time.Minute, err: ErrListExpired},
		{name: "a list fetched longer ago than its ttl", fetched: now.Add(-24*time.Hour - time.Millisecond), err: ErrListStale},
		{name: "a suspension entry against a revocation list", entry: func(e *Entry) { e.Purpose = PurposeSuspension }, err: ErrPurposeMismatch},
		{name: "a statusSize of 2", entry: func(e *Entry) { e.Size = 2 }, err: ErrStatusSize},
		{name: "an index past the end of the list", entry: func(e *Entry) { e.Index = MinEntries }, err: ErrIndexOutOfRange},
		{name: "a negative index", entry: func(e *Entry) { e.Index = -1 }, err: ErrIndexOutOfRange},
		{name: "no list at all", list: func(l *ListCredential) { l.List = nil }, err: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := entry
			if tt.entry != nil {
				tt.entry(&e)
			}
			lc := newListCredential(t)
			if tt.list != nil {
				tt.list(lc)
			}
			issuer := "did:web:kch.nhs.uk"
			if tt.issuer != "" {
				issuer = tt.issuer
			}
			at := now
			if !tt.now.IsZero() {
				at = tt.now
			}
			got, err := Validate(e, issuer, lc, Check{Now: at, Fetched: tt.fetched, ClockSkew: tt.skew})
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Fatalf("set = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidateSeesAnUnsuspensionAfterTheListIsRepublished(t *testing.T) {
	lc := newListCredential(t)
	lc.Purposes = []string{PurposeSuspension}
	e := Entry{Purpose: PurposeSuspension, Index: 3, ListCredential: lc.ID, Size: 1}
	now := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	suspended, err := Validate(e, lc.Issuer, lc, Check{Now: now})
	if err != nil || !suspended {
		t.Fatalf("before: %v, %v; want suspended", suspended, err)
	}
	if err := lc.List.Set(3, false); err != nil {
		t.Fatal(err)
	}
	republished, _ := roundTrip(t, lc)
	suspended, err = Validate(e, lc.Issuer, republished, Check{Now: now})
	if err != nil || suspended {
		t.Fatalf("after: %v, %v; want not suspended", suspended, err)
	}
}
