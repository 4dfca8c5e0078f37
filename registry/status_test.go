package registry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/status"
)

func bit(t *testing.T, r *registry.Registry, a registry.StatusAssignment) bool {
	t.Helper()
	l, _, err := r.ListBits(context.Background(), a.ListID)
	if err != nil {
		t.Fatal(err)
	}
	v, err := l.Get(a.Index)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRevokeSuspendAndUnsuspendSetTheBits(t *testing.T) {
	ctx := context.Background()
	r, _ := newTestRegistry(t, 8192)
	rec, err := r.Reserve(ctx, reservation("staff-1/dbs/2026-02-20", bothPurposes...))
	if err != nil {
		t.Fatal(err)
	}
	rev, sus := rec.Status[0], rec.Status[1]
	by := registry.Target{CredentialID: rec.CredentialID}
	who := registry.Change{Actor: "hr.officer", Reason: "disciplinary investigation"}

	steps := []struct {
		name               string
		do                 func() ([]*registry.Record, error)
		revoked, suspended bool
		err                error
	}{
		{"suspend", func() ([]*registry.Record, error) { return r.Suspend(ctx, by, who) }, false, true, nil},
		{"suspend again changes nothing", func() ([]*registry.Record, error) { return r.Suspend(ctx, by, who) }, false, true, nil},
		{"unsuspend", func() ([]*registry.Record, error) { return r.Unsuspend(ctx, by, who) }, false, false, nil},
		{"unsuspend again changes nothing", func() ([]*registry.Record, error) { return r.Unsuspend(ctx, by, who) }, false, false, nil},
		{"revoke", func() ([]*registry.Record, error) {
			return r.Revoke(ctx, by, registry.Change{Actor: "hr.officer", Reason: "dismissed"})
		}, true, false, nil},
		{"revoke again changes nothing", func() ([]*registry.Record, error) { return r.Revoke(ctx, by, who) }, true, false, nil},
		{"suspending a revoked credential is refused", func() ([]*registry.Record, error) { return r.Suspend(ctx, by, who) }, true, false, registry.ErrCredentialRevoked},
		{"unsuspending a revoked credential is refused", func() ([]*registry.Record, error) { return r.Unsuspend(ctx, by, who) }, true, false, registry.ErrCredentialRevoked},
	}
	for _, s := range steps {
		recs, err := s.do()
		if !errors.Is(err, s.err) || (s.err == nil && err != nil) {
			t.Fatalf("%s: error = %v, want %v", s.name, err, s.err)
		}
		if err == nil && (len(recs) != 1 || recs[0].Revoked != s.revoked || recs[0].Suspended != s.suspended) {
			t.Fatalf("%s: records = %+v", s.name, recs)
		}
		if bit(t, r, rev) != s.revoked || bit(t, r, sus) != s.suspended {
			t.Fatalf("%s: bits revoked=%v suspended=%v, want %v %v", s.name, bit(t, r, rev), bit(t, r, sus), s.revoked, s.suspended)
		}
	}
	events, err := r.Audit(ctx, rec.CredentialID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
		if e.Actor != "hr.officer" {
			t.Errorf("event %+v has the wrong actor", e)
		}
	}
	if fmt.Sprint(actions) != "[reserve suspend unsuspend revoke]" {
		t.Fatalf("audit actions = %v", actions)
	}
	if events[3].Detail != "dismissed" || events[3].ListID != rev.ListID || events[1].Detail != "disciplinary investigation" {
		t.Fatalf("audit = %+v", events)
	}
}

func TestStatusChangesBySubjectAndType(t *testing.T) {
	ctx := context.Background()
	r, _ := newTestRegistry(t, 8192)
	old, err := r.Reserve(ctx, reservation("staff-1/dbs/2023-01-10", bothPurposes...))
	if err != nil {
		t.Fatal(err)
	}
	current, err := r.Reserve(ctx, reservation("staff-1/dbs/2026-02-20", bothPurposes...))
	if err != nil {
		t.Fatal(err)
	}
	revocationOnly, err := r.Reserve(ctx, reservation("staff-1/dbs/2026-02-21", status.PurposeRevocation))
	if err != nil {
		t.Fatal(err)
	}
	other := reservation("staff-1/rtw/2026-02-20", bothPurposes...)
	other.Type = "RightToWorkCredential"
	if _, err := r.Reserve(ctx, other); err != nil {
		t.Fatal(err)
	}
	who := registry.Change{Actor: "hr.officer"}
	if _, err := r.Revoke(ctx, registry.Target{CredentialID: old.CredentialID}, who); err != nil {
		t.Fatal(err)
	}
	dbs := registry.Target{Subject: old.Subject, Type: "DBSCheckCredential"}
	// Suspending by subject and type leaves out the revoked credential and
	// the one without a suspension entry, and suspends the current one.
	recs, err := r.Suspend(ctx, dbs, who)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3", len(recs))
	}
	state := map[string][2]bool{}
	for _, rec := range recs {
		state[rec.CredentialID] = [2]bool{rec.Revoked, rec.Suspended}
	}
	if state[old.CredentialID] != [2]bool{true, false} || state[current.CredentialID] != [2]bool{false, true} ||
		state[revocationOnly.CredentialID] != [2]bool{false, false} {
		t.Fatalf("states = %v", state)
	}
	rtw, err := r.Find(ctx, registry.Target{Subject: old.Subject, Type: "RightToWorkCredential"})
	if err != nil || len(rtw) != 1 || rtw[0].Suspended {
		t.Fatalf("the right-to-work credential changed: %+v, %v", rtw, err)
	}
	// Revoking by subject and type revokes all three DBS credentials.
	recs, err = r.Revoke(ctx, dbs, who)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if !rec.Revoked {
			t.Fatalf("%s not revoked", rec.CredentialID)
		}
	}
	// By id, a credential without the entry a change needs is refused.
	if _, err := r.Suspend(ctx, registry.Target{CredentialID: revocationOnly.CredentialID}, who); !errors.Is(err, registry.ErrNoStatusEntry) {
		t.Fatalf("suspending a credential without a suspension entry: %v, want ErrNoStatusEntry", err)
	}
	// By subject and type, when nothing can change, the refusal is reported.
	if _, err := r.Unsuspend(ctx, dbs, who); !errors.Is(err, registry.ErrCredentialRevoked) && !errors.Is(err, registry.ErrNoStatusEntry) {
		t.Fatalf("unsuspending only revoked credentials: %v", err)
	}
}

func TestStatusChangesRefuseBadTargets(t *testing.T) {
	ctx := context.Background()
	r, _ := newTestRegistry(t, 8192)
	withoutStatus, err := r.Reserve(ctx, reservation("k"))
	if err != nil {
		t.Fatal(err)
	}
	who := registry.Change{Actor: "hr.officer"}
	for _, tt := range []struct {
		name string
		t    registry.Target
		c    registry.Change
		want error
	}{
		{"an empty target", registry.Target{}, who, registry.ErrInvalidRequest},
		{"a subject without a type", registry.Target{Subject: "did:key:x"}, who, registry.ErrInvalidRequest},
		{"no actor", registry.Target{CredentialID: withoutStatus.CredentialID}, registry.Change{}, registry.ErrInvalidRequest},
		{"an unknown credential", registry.Target{CredentialID: "urn:uuid:unknown"}, who, registry.ErrCredentialNotFound},
		{"an unknown subject", registry.Target{Subject: "did:key:nobody", Type: "DBSCheckCredential"}, who, registry.ErrCredentialNotFound},
		{"a credential without a revocation entry", registry.Target{CredentialID: withoutStatus.CredentialID}, who, registry.ErrNoStatusEntry},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := r.Revoke(ctx, tt.t, tt.c); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := r.Find(ctx, registry.Target{CredentialID: "urn:uuid:unknown"}); !errors.Is(err, registry.ErrCredentialNotFound) {
		t.Fatalf("Find: %v, want ErrCredentialNotFound", err)
	}
}

func TestListBitsIsStableAndVersioned(t *testing.T) {
	ctx := context.Background()
	r, _ := newTestRegistry(t, status.MinEntries)
	var recs []*registry.Record
	for i := range 5 {
		rec, err := r.Reserve(ctx, reservation(fmt.Sprintf("k%d", i), status.PurposeRevocation))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	listID := recs[0].Status[0].ListID
	encode := func() (string, registry.StatusList) {
		l, desc, err := r.ListBits(ctx, listID)
		if err != nil {
			t.Fatal(err)
		}
		if l.Len() != status.MinEntries {
			t.Fatalf("list of %d entries", l.Len())
		}
		s, err := l.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return s, desc
	}
	empty, desc := encode()
	if again, _ := encode(); again != empty || desc.Version != 0 || desc.PublishedVersion != 0 || desc.Allocated != 5 {
		t.Fatalf("rebuilding an unchanged list: same=%v, %+v", again == empty, desc)
	}
	for _, i := range []int{1, 3} {
		if _, err := r.Revoke(ctx, registry.Target{CredentialID: recs[i].CredentialID}, registry.Change{Actor: "hr"}); err != nil {
			t.Fatal(err)
		}
	}
	revoked, desc := encode()
	if revoked == empty || desc.Version != 2 {
		t.Fatalf("after two revocations: changed=%v, version %d", revoked != empty, desc.Version)
	}
	if again, _ := encode(); again != revoked {
		t.Fatal("rebuilding a list after revocations gave other bits")
	}
	l, err := status.Decode(revoked)
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		v, _ := l.Get(rec.Status[0].Index)
		if v != (i == 1 || i == 3) {
			t.Errorf("credential %d reads %v", i, v)
		}
	}
	if err := r.RecordPublished(ctx, listID, desc.Version, "hr"); err != nil {
		t.Fatal(err)
	}
	lists, err := r.StatusLists(ctx)
	if err != nil || len(lists) != 1 || lists[0].PublishedVersion != 2 || lists[0].Version != 2 {
		t.Fatalf("lists = %+v, %v", lists, err)
	}
	if err := r.RecordPublished(ctx, listID, 3, "hr"); !errors.Is(err, registry.ErrInvalidRequest) {
		t.Fatalf("publishing a version that does not exist: %v", err)
	}
	if err := r.RecordPublished(ctx, 99, 0, "hr"); !errors.Is(err, registry.ErrListNotFound) {
		t.Fatalf("publishing an unknown list: %v", err)
	}
	if _, _, err := r.ListBits(ctx, 99); !errors.Is(err, registry.ErrListNotFound) {
		t.Fatalf("bits of an unknown list: %v", err)
	}
}

func TestSmallTestListsArePublishedAtTheMinimumSize(t *testing.T) {
	ctx := context.Background()
	r, _ := newTestRegistry(t, 64)
	rec, err := r.Reserve(ctx, reservation("k", status.PurposeRevocation))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Revoke(ctx, registry.Target{CredentialID: rec.CredentialID}, registry.Change{Actor: "hr"}); err != nil {
		t.Fatal(err)
	}
	l, desc, err := r.ListBits(ctx, rec.Status[0].ListID)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != status.MinEntries || desc.Size != 64 {
		t.Fatalf("list of %d entries for a registry size %d", l.Len(), desc.Size)
	}
	if v, _ := l.Get(rec.Status[0].Index); !v {
		t.Fatal("revoked bit not set")
	}
}

func TestAuditRecordsEveryChangeWithItsActorAndTime(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	r, _ := newTestRegistry(t, 8192, registry.WithClock(clock.now))
	rec, err := r.Reserve(ctx, reservation("k", status.PurposeRevocation))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Complete(ctx, "k", clock.now(), []byte("signed")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Revoke(ctx, registry.Target{CredentialID: rec.CredentialID}, registry.Change{Actor: "j.smith", Reason: "registration lapsed"}); err != nil {
		t.Fatal(err)
	}
	if err := r.RecordPublished(ctx, rec.Status[0].ListID, 1, "publisher"); err != nil {
		t.Fatal(err)
	}
	events, err := r.Audit(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ actor, action, detail string }{
		{"hr.officer", "new-list", "revocation " + testBaseURL + "/1"},
		{"hr.officer", "reserve", "k"},
		{"hr.officer", "issue", ""},
		{"j.smith", "revoke", "registration lapsed"},
		{"publisher", "publish", "version 1"},
	}
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(events), len(want), events)
	}
	for i, w := range want {
		e := events[i]
		if e.Actor != w.actor || e.Action != w.action || (w.detail != "" && e.Detail != w.detail) {
			t.Errorf("event %d = %+v, want %+v", i, e, w)
		}
		if i > 0 && !e.At.After(events[i-1].At) {
			t.Errorf("event %d at %v, not after %v", i, e.At, events[i-1].At)
		}
		if e.ID != int64(i+1) {
			t.Errorf("event %d has id %d", i, e.ID)
		}
	}
}

// A list published while credentials are issued and revoked is one
// snapshot: its bits are those of the version it is published as. Each
// revocation of a fresh credential sets one bit and counts one version, so
// a list read half before and half after a revocation would show it.
func TestAListIsPublishedConsistentlyWhileIssuingGoesOn(t *testing.T) {
	ctx := context.Background()
	r, _ := newTestRegistry(t, 8192)
	n := 150
	if testing.Short() || raceEnabled {
		n = 40
	}
	first, err := r.Reserve(ctx, reservation("staff-0/dbs/2026-02-20", status.PurposeRevocation))
	if err != nil {
		t.Fatal(err)
	}
	listID := first.Status[0].ListID
	done := make(chan error, 1)
	go func() {
		for i := range n {
			rec, err := r.Reserve(ctx, reservation(fmt.Sprintf("staff-%d/dbs/2026-02-20", i+1), status.PurposeRevocation))
			if err == nil {
				_, err = r.Revoke(ctx, registry.Target{CredentialID: rec.CredentialID}, registry.Change{Actor: "hr", Reason: "test"})
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	reads := 0
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			bits, desc, err := r.ListBits(ctx, listID)
			if err != nil {
				t.Fatal(err)
			}
			if got := countSet(bits); int64(got) != desc.Version || got != n {
				t.Fatalf("at the end: %d bits set, version %d, want %d", got, desc.Version, n)
			}
			t.Logf("%d lists read while %d credentials were issued and revoked (%s)", reads, n, storeName())
			return
		default:
		}
		bits, desc, err := r.ListBits(ctx, listID)
		if err != nil {
			t.Fatal(err)
		}
		if got := countSet(bits); int64(got) != desc.Version {
			t.Fatalf("a list read as version %d has %d bits set", desc.Version, got)
		}
		reads++
	}
}

func countSet(l *status.List) int {
	n := 0
	for i := range l.Len() {
		if set, _ := l.Get(i); set {
			n++
		}
	}
	return n
}
