package registry_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/registry"
)

func TestReserveManyFillsEachListWithEveryIndexOnceAcrossGroupsAndReserve(t *testing.T) {
	// Lists of 16 entries: groups of 7 start new lists part way, and
	// single Reserve calls in between continue from what the groups left.
	r, _ := newTestRegistry(t, 16)
	ctx := context.Background()
	byList := map[int64][]int{}
	note := func(rec *registry.Record) {
		for _, a := range rec.Status {
			byList[a.ListID] = append(byList[a.ListID], a.Index)
		}
	}
	n := 0
	for round := range 6 {
		var rs []registry.Reservation
		for range 7 {
			rs = append(rs, reservation(fmt.Sprintf("k%d", n), bothPurposes...))
			n++
		}
		got, err := r.ReserveMany(ctx, rs)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range got {
			if g.Err != nil || !g.Fresh {
				t.Fatalf("round %d: %+v", round, g)
			}
			note(g.Record)
		}
		rec, err := r.Reserve(ctx, reservation(fmt.Sprintf("k%d", n), bothPurposes...))
		if err != nil {
			t.Fatal(err)
		}
		n++
		note(rec)
	}
	// 48 credentials, two purposes, lists of 16: six lists, all full.
	if len(byList) != 6 {
		t.Fatalf("%d lists: %v", len(byList), byList)
	}
	for id, idx := range byList {
		slices.Sort(idx)
		for i, v := range idx {
			if v != i {
				t.Fatalf("list %d has indexes %v, want each of 0 to 15 once", id, idx)
			}
		}
	}
	var slots int
	if err := r.DB().QueryRow(`SELECT COUNT(*) FROM free_slots`).Scan(&slots); err != nil || slots != 0 {
		t.Errorf("%d free slots left in full lists, %v", slots, err)
	}
	checkIntegrity(t, r)
}

// ReserveMany draws a group's slots ahead, each among the unused slots it
// will be drawn from: every order in which a list's indexes are given out
// stays equally likely (as TestEveryAllocationOrderOfAListIsEquallyLikely
// checks for Reserve), across groups that end part way through a list.
func TestReserveManyKeepsEveryAllocationOrderEquallyLikely(t *testing.T) {
	if raceEnabled {
		t.Skip("a statistical test of the allocator, not of concurrency; too slow under -race")
	}
	r, _ := newTestRegistry(t, 8)
	r.SetSize(4)
	const lists = 1200
	ctx := context.Background()
	var got []registry.StatusAssignment
	for n := 0; n < 4*lists; n += 6 {
		var rs []registry.Reservation
		for k := n; k < min(n+6, 4*lists); k++ {
			rs = append(rs, reservation(fmt.Sprintf("k%d", k), "revocation"))
		}
		res, err := r.ReserveMany(ctx, rs)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range res {
			if x.Err != nil || len(x.Record.Status) != 1 {
				t.Fatalf("%+v", x)
			}
			got = append(got, x.Record.Status[0])
		}
	}
	checkOrdersUniform(t, got)
}

// A process keeps a list's free slots in memory between its write
// transactions; another process allocating from the list in between makes
// it read them again. Two registry handles on one database take turns,
// with groups and single reservations, and a transaction that fails part
// way (a conflicting credential id) leaves nothing stale behind: every
// index of every list is given once.
func TestCachedFreeSlotsFollowOtherProcessesAndFailedTransactions(t *testing.T) {
	a, path := newTestRegistry(t, 24)
	ctx := context.Background()
	b := openAgain(t, path)
	byList := map[int64][]int{}
	n := 0
	for round := range 12 {
		r := a
		if round%3 == 1 {
			r = b
		}
		var rs []registry.Reservation
		for range 5 {
			rs = append(rs, reservation(fmt.Sprintf("k%d", n), bothPurposes...))
			n++
		}
		if round%4 == 2 {
			// Refused whole after allocating: the id belongs to k0.
			bad := append(slices.Clone(rs), reservation(fmt.Sprintf("k%d", n), bothPurposes...))
			first, err := a.LookUpMany(ctx, []string{"k0"})
			if err != nil || first["k0"] == nil {
				t.Fatal(first, err)
			}
			bad[len(bad)-1].CredentialID = first["k0"].CredentialID
			if got, err := r.ReserveMany(ctx, bad); err == nil {
				t.Fatalf("round %d: a reservation with another's credential id: %+v", round, got[len(got)-1])
			}
		}
		got, err := r.ReserveMany(ctx, rs)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, g := range got {
			if g.Err != nil || !g.Fresh {
				t.Fatalf("round %d: %+v", round, g)
			}
			for _, s := range g.Record.Status {
				byList[s.ListID] = append(byList[s.ListID], s.Index)
			}
		}
	}
	// 60 credentials, two purposes, lists of 24: two full lists and a
	// half-full one for each purpose.
	for id, idx := range byList {
		slices.Sort(idx)
		for i := 1; i < len(idx); i++ {
			if idx[i] == idx[i-1] {
				t.Fatalf("list %d gave index %d twice: %v", id, idx[i], idx)
			}
		}
	}
	checkIntegrity(t, a)
}

// Credential ids are version 7 UUIDs (RFC 9562): the time of reservation
// in milliseconds, the version and variant, and random bits; distinct, and
// in the order they were made once a millisecond has passed.
func TestCredentialIDsAreVersion7UUIDs(t *testing.T) {
	r, _ := newTestRegistry(t, 64)
	ctx := context.Background()
	shape := regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	var ids []string
	for round := range 3 {
		before := time.Now().UnixMilli()
		got, err := r.ReserveMany(ctx, []registry.Reservation{
			reservation(fmt.Sprintf("a%d", round)), reservation(fmt.Sprintf("b%d", round)),
		})
		if err != nil {
			t.Fatal(err)
		}
		after := time.Now().UnixMilli()
		for _, g := range got {
			id := g.Record.CredentialID
			if !shape.MatchString(id) {
				t.Fatalf("credential id %q is not a version 7 UUID", id)
			}
			hexTime := strings.ReplaceAll(id[len("urn:uuid:"):len("urn:uuid:")+13], "-", "")
			ms, err := strconv.ParseInt(hexTime, 16, 64)
			if err != nil || ms < before || ms > after {
				t.Errorf("credential id %q tells %d ms, reserved between %d and %d", id, ms, before, after)
			}
			if slices.Contains(ids, id) {
				t.Fatalf("credential id %q given twice", id)
			}
			ids = append(ids, id)
		}
		time.Sleep(2 * time.Millisecond)
	}
	for i := 2; i < len(ids); i += 2 {
		if ids[i] < ids[i-1] || ids[i] < ids[i-2] {
			t.Errorf("an id made later sorts before one made a millisecond earlier: %v", ids)
		}
	}
}

// CompleteMany records each reserved credential with its own bytes, in
// one transaction, across as many statements as the store takes (over
// 500 rows: more than one on PostgreSQL), and says what it did with each
// of the others.
func TestCompleteManyRecordsEachCredentialAndReportsTheOthers(t *testing.T) {
	r, _ := newTestRegistry(t, 4096)
	ctx := context.Background()
	const n = 1100
	var rs []registry.Reservation
	for i := range n {
		rs = append(rs, reservation(fmt.Sprintf("k%04d", i), bothPurposes...))
	}
	if _, err := r.ReserveMany(ctx, rs); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	var cs []registry.Completion
	for i := range n {
		cs = append(cs, registry.Completion{IssuanceKey: rs[i].IssuanceKey, IssuedAt: at, Credential: []byte(fmt.Sprintf("credential %d", i)), RowDigest: fmt.Sprintf("row %d", i)})
	}
	cs = append(cs,
		registry.Completion{IssuanceKey: "nobody", IssuedAt: at, Credential: []byte("x")},
		registry.Completion{IssuanceKey: "k0001", IssuedAt: at, Credential: []byte("again")},
	)
	got, err := r.CompleteMany(ctx, cs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if got[i].Err != nil || !got[i].Recorded || string(got[i].Credential) != string(cs[i].Credential) {
			t.Fatalf("completion %d: %+v", i, got[i])
		}
	}
	if !errors.Is(got[n].Err, registry.ErrCredentialNotFound) || !errors.Is(got[n+1].Err, registry.ErrInvalidRequest) {
		t.Fatalf("no reservation: %v; a key twice: %v", got[n].Err, got[n+1].Err)
	}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = rs[i].IssuanceKey
	}
	recs, rows, err := r.LookUpRows(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		rec := recs[k]
		if rec == nil || rec.State != registry.StateIssued || string(rec.Credential) != string(cs[i].Credential) ||
			!rec.IssuedAt.Equal(at) || rows[k].Digest != cs[i].RowDigest || len(rec.Digest) != 64 {
			t.Fatalf("%s recorded as %+v, %+v", k, rec, rows[k])
		}
	}
	// Again: the same credential is left as it is, another is refused.
	again, err := r.CompleteMany(ctx, []registry.Completion{
		{IssuanceKey: "k0002", IssuedAt: at, Credential: cs[2].Credential},
		{IssuanceKey: "k0003", IssuedAt: at, Credential: []byte("another")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Err != nil || again[0].Recorded || !errors.Is(again[1].Err, registry.ErrAlreadyIssued) || string(again[1].Credential) != string(cs[3].Credential) {
		t.Fatalf("again: %+v", again)
	}
	checkIntegrity(t, r)
}

// TestSetRowDigestsRecordsTheDigestsOfIssuedCredentialsOnly: more keys
// than one statement takes (on PostgreSQL, a statement a chunk), each
// issued credential gets its digest in place of the one it had; a key
// only reserved, or not recorded, is left alone.
func TestSetRowDigestsRecordsTheDigestsOfIssuedCredentialsOnly(t *testing.T) {
	r, _ := newTestRegistry(t, 4096)
	ctx := context.Background()
	const n = 1_203
	res := make([]registry.Reservation, n)
	keys := make([]string, n)
	for i := range res {
		keys[i] = fmt.Sprintf("E%05d|DBSCheckCredential|2026-01-01", i)
		res[i] = reservation(keys[i])
	}
	if _, err := r.ReserveMany(ctx, res); err != nil {
		t.Fatal(err)
	}
	var done []registry.Completion
	for i, k := range keys {
		if i%10 == 9 {
			continue // left reserved
		}
		done = append(done, registry.Completion{IssuanceKey: k, IssuedAt: time.Now(), Credential: []byte(k), RowDigest: "old"})
	}
	if _, err := r.CompleteMany(ctx, done); err != nil {
		t.Fatal(err)
	}
	digests := map[string]string{"E99999|DBSCheckCredential|2026-01-01": "nobody"}
	for i, k := range keys {
		digests[k] = fmt.Sprintf("new-%d", i)
	}
	if err := r.SetRowDigests(ctx, digests); err != nil {
		t.Fatal(err)
	}
	_, rows, err := r.LookUpRows(ctx, append(keys, "E99999|DBSCheckCredential|2026-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rows["E99999|DBSCheckCredential|2026-01-01"]; ok {
		t.Error("a key not recorded has a row record")
	}
	for i, k := range keys {
		want := fmt.Sprintf("new-%d", i)
		if i%10 == 9 {
			want = ""
		}
		if got := rows[k].Digest; got != want {
			t.Fatalf("%s: row digest %q, want %q", k, got, want)
		}
	}
}
