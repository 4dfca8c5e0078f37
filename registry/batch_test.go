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
