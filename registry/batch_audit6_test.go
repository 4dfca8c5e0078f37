package registry_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/staffpass/staffpass/registry"
)

// audit6 (sound check): CompleteMany over chunk boundaries (500, 501 and
// 1001 rows) with no row digests (NULL), binary credentials (a NUL byte,
// bytes that are not UTF-8), on either store.
func TestAudit6CompleteManyNullDigestsBinaryCredentialsChunkBoundaries(t *testing.T) {
	r, _ := newTestRegistry(t, 8192)
	ctx := context.Background()
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	base := 0
	for _, n := range []int{500, 501, 1001, 1} {
		var rs []registry.Reservation
		for i := range n {
			rs = append(rs, reservation(fmt.Sprintf("k%05d", base+i), "revocation"))
		}
		base += n
		if _, err := r.ReserveMany(ctx, rs); err != nil {
			t.Fatal(err)
		}
		var cs []registry.Completion
		for i, res := range rs {
			c := registry.Completion{IssuanceKey: res.IssuanceKey, IssuedAt: at, Credential: []byte(fmt.Sprintf("cred\x00\xff\xfe'\\%d", i))}
			if i%3 == 1 {
				c.RowDigest = fmt.Sprintf("d%d", i)
			}
			cs = append(cs, c)
		}
		got, err := r.CompleteMany(ctx, cs)
		if err != nil {
			t.Fatalf("%d completions: %v", n, err)
		}
		keys := make([]string, n)
		for i := range cs {
			if got[i].Err != nil || !got[i].Recorded {
				t.Fatalf("%d: %+v", i, got[i])
			}
			keys[i] = cs[i].IssuanceKey
		}
		recs, rows, err := r.LookUpRows(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range keys {
			rec := recs[k]
			if rec == nil || rec.State != registry.StateIssued || !bytes.Equal(rec.Credential, cs[i].Credential) || rows[k].Digest != cs[i].RowDigest {
				t.Fatalf("%s: %+v %+v", k, rec, rows[k])
			}
		}
	}
	checkIntegrity(t, r)
}

// audit6 (sound check): BatchRun and BatchLine are recorded and returned,
// and absent (not zero-valued rows) for a reservation without them.
func TestAudit6LookUpRowsReturnsRunAndLine(t *testing.T) {
	r, _ := newTestRegistry(t, 64)
	ctx := context.Background()
	a, b := reservation("a", "revocation"), reservation("b", "revocation")
	a.BatchRun, a.BatchLine = "run1", 77
	if _, err := r.ReserveMany(ctx, []registry.Reservation{a, b}); err != nil {
		t.Fatal(err)
	}
	_, rows, err := r.LookUpRows(ctx, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if rows["a"] != (registry.RowRecord{Run: "run1", Line: 77}) {
		t.Errorf("a: %+v", rows["a"])
	}
	if _, ok := rows["b"]; ok {
		t.Errorf("b: %+v", rows["b"])
	}
}

// audit6 (sound check): two handles on one registry reserving at once, in
// groups, from small lists: every index of every list once.
func TestAudit6TwoHandlesAtOnceGiveEachIndexOnce(t *testing.T) {
	a, path := newTestRegistry(t, 48)
	ctx := context.Background()
	b := openAgain(t, path)
	var mu sync.Mutex
	byList := map[int64][]int{}
	var wg sync.WaitGroup
	for h, r := range []*registry.Registry{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range 15 {
				var rs []registry.Reservation
				for i := range 7 {
					rs = append(rs, reservation(fmt.Sprintf("h%d-g%d-%d", h, g, i), bothPurposes...))
				}
				got, err := r.ReserveMany(ctx, rs)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, x := range got {
					for _, s := range x.Record.Status {
						byList[s.ListID] = append(byList[s.ListID], s.Index)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for id, idx := range byList {
		slices.Sort(idx)
		for i := 1; i < len(idx); i++ {
			if idx[i] == idx[i-1] {
				t.Fatalf("list %d gave index %d twice", id, idx[i])
			}
		}
	}
	checkIntegrity(t, a)
}
