package registry_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

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
	b, err := registry.Open(ctx, path, withSmallLists())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
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
