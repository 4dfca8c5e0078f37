package registry_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/status"
)

// BenchmarkReserve measures reservations (one transaction each, with a
// revocation and a suspension index) one after another.
func BenchmarkReserve(b *testing.B) {
	r, _ := newTestRegistry(b, status.MinEntries)
	ctx := context.Background()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Reserve(ctx, reservation(fmt.Sprintf("k%d", i), bothPurposes...)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reservations/s")
}

// BenchmarkReserveParallel measures reservations from many goroutines on one
// registry.
func BenchmarkReserveParallel(b *testing.B) {
	r, _ := newTestRegistry(b, status.MinEntries)
	ctx := context.Background()
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Reserve(ctx, reservation(fmt.Sprintf("k%d", n.Add(1)), bothPurposes...)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reservations/s")
}

// BenchmarkRevoke measures revoking one credential by id.
func BenchmarkRevoke(b *testing.B) {
	r, _ := newTestRegistry(b, status.MinEntries)
	ctx := context.Background()
	ids := fillRegistry(b, r, 2000, 0)
	i := 0
	for b.Loop() {
		if i == len(ids) {
			b.StopTimer()
			ids = append(ids, fillRegistry(b, r, 2000, len(ids))...)
			b.StartTimer()
		}
		if _, err := r.Revoke(ctx, registry.Target{CredentialID: ids[i]}, registry.Change{Actor: "hr", Reason: "bench"}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkListBits measures building a 131,072-entry list with 1% of its
// bits set, and encoding it for publication.
func BenchmarkListBits(b *testing.B) {
	r, _ := newTestRegistry(b, status.MinEntries)
	ctx := context.Background()
	ids := fillRegistry(b, r, status.MinEntries/100, 0)
	err := r.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE status_entries SET is_set = 1`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	lists, err := r.StatusLists(ctx)
	if err != nil || len(lists) != 1 || lists[0].Allocated != len(ids) {
		b.Fatalf("lists = %+v, %v", lists, err)
	}
	for b.Loop() {
		l, _, err := r.ListBits(ctx, lists[0].ID)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// fillRegistry reserves n revocable credentials in one transaction and
// returns their ids.
func fillRegistry(b *testing.B, r *registry.Registry, n, from int) []string {
	b.Helper()
	ctx := context.Background()
	ids := make([]string, 0, n)
	err := r.Write(ctx, func(tx *sql.Tx) error {
		ids = ids[:0]
		for i := from; i < from+n; i++ {
			key, id := fmt.Sprintf("fill-%d", i), fmt.Sprintf("urn:example:%d", i)
			if _, err := tx.ExecContext(ctx, `INSERT INTO credentials
	(issuance_key, credential_id, type, subject, format, state, reserved_at, reserved_by)
	VALUES ($1, $2, 'DBSCheckCredential', 'did:key:x', 'vc+jwt', 'reserved', '2026-01-01T00:00:00.000000000Z', 'bench')`,
				key, id); err != nil {
				return err
			}
			if _, err := r.Allocate(ctx, tx, status.PurposeRevocation, key, "bench"); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

// BenchmarkBatchGroups measures the registry's share of a batch: groups
// reserved in one transaction and completed in another, each credential
// with a revocation and a suspension index and 2 KiB signed (a training
// credential as a vc+jwt), as issue batch does. ns/op is the time per credential.
func BenchmarkBatchGroups(b *testing.B) {
	for _, group := range []int{500, 2000} {
		b.Run(fmt.Sprintf("group=%d", group), func(b *testing.B) { benchmarkBatchGroups(b, group) })
	}
}

func benchmarkBatchGroups(b *testing.B, group int) {
	r, _ := newTestRegistry(b, status.MinEntries)
	ctx := context.Background()
	cred := make([]byte, 2048)
	for i := range cred {
		cred[i] = 'a' + byte(i%26)
	}
	b.ReportAllocs()
	for n := 0; n < b.N; n += group {
		m := min(group, b.N-n)
		res := make([]registry.Reservation, m)
		for i := range res {
			res[i] = reservation(fmt.Sprintf("E%07d|MandatoryTrainingCredential|2026-01-01", n+i), bothPurposes...)
		}
		reserved, err := r.ReserveMany(ctx, res)
		if err != nil {
			b.Fatal(err)
		}
		done := make([]registry.Completion, m)
		for i, rv := range reserved {
			if rv.Err != nil {
				b.Fatal(rv.Err)
			}
			c := append([]byte(rv.Record.CredentialID), cred...)
			done[i] = registry.Completion{IssuanceKey: res[i].IssuanceKey, IssuedAt: time.Now(), Credential: c}
		}
		if _, err := r.CompleteMany(ctx, done); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "credentials/s")
}
