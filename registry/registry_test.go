package registry_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/status"
)

const testBaseURL = "https://kch.nhs.uk/status"

// testClock is a clock that moves one second per reading.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// newTestRegistry creates a registry with lists of size entries (which may
// be below status.MinEntries): a file in a temporary directory, or a fresh
// PostgreSQL database when the suite runs on PostgreSQL. It returns the
// registry and its location.
func newTestRegistry(t testing.TB, size int, opts ...registry.Option) (*registry.Registry, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "registry.db")
	if onPostgres() {
		path = newPostgresDB(t)
	}
	opts = append([]registry.Option{withSmallLists()}, opts...)
	r, err := registry.Create(context.Background(), path, registry.Config{StatusBaseURL: testBaseURL, ListSize: size}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, path
}

// openAgain opens the test registry at path a second time, as another
// process (or another 'staffpass serve') would.
func openAgain(t testing.TB, path string) *registry.Registry {
	t.Helper()
	r, err := registry.Open(context.Background(), path, withSmallLists())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// withSmallLists lets a test create lists smaller than status.MinEntries.
func withSmallLists() registry.Option { return registry.WithSmallLists() }

func reservation(key string, purposes ...string) registry.Reservation {
	return registry.Reservation{
		IssuanceKey: key,
		Type:        "DBSCheckCredential",
		Subject:     "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
		Format:      "vc+jwt",
		ValidUntil:  time.Date(2029, 3, 1, 0, 0, 0, 0, time.UTC),
		Purposes:    purposes,
		Actor:       "hr.officer",
	}
}

var bothPurposes = []string{status.PurposeRevocation, status.PurposeSuspension}

func TestCreateRegistryMakesAPrivateWALDatabase(t *testing.T) {
	sqliteOnly(t)
	r, path := newTestRegistry(t, 8192)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("registry mode = %v, want 0600", st.Mode().Perm())
	}
	for _, p := range []struct{ pragma, want string }{
		{"journal_mode", "wal"}, {"foreign_keys", "1"}, {"synchronous", "2"}, {"busy_timeout", "10000"},
	} {
		var got string
		if err := r.DB().QueryRow("PRAGMA " + p.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != p.want {
			t.Errorf("PRAGMA %s = %s, want %s", p.pragma, got, p.want)
		}
	}
	if got := r.Config(); got != (registry.Config{StatusBaseURL: testBaseURL, ListSize: 8192}) {
		t.Errorf("Config() = %+v", got)
	}
	r.Close()

	reopened, err := registry.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	if got := reopened.Config(); got != (registry.Config{StatusBaseURL: testBaseURL, ListSize: 8192}) {
		t.Errorf("reopened Config() = %+v", got)
	}
}

func TestCreateAndOpenRefuseTheWrongPath(t *testing.T) {
	ctx := context.Background()
	_, path := newTestRegistry(t, 8192)
	if _, err := registry.Create(ctx, path, registry.Config{StatusBaseURL: testBaseURL}); !errors.Is(err, registry.ErrExists) {
		t.Errorf("creating over an existing registry: %v, want ErrExists", err)
	}
	missing := filepath.Join(t.TempDir(), "missing.db")
	if _, err := registry.Open(ctx, missing); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("opening a missing registry: %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("opening a missing registry created it")
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := registry.Open(ctx, empty); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("opening an empty file: %v, want ErrNotFound", err)
	}
}

func TestCreateRegistryRefusesABadConfiguration(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  registry.Config
	}{
		{"no status base URL", registry.Config{}},
		{"an http base URL", registry.Config{StatusBaseURL: "http://kch.nhs.uk/status"}},
		{"a base URL with a trailing slash", registry.Config{StatusBaseURL: "https://kch.nhs.uk/status/"}},
		{"a base URL with a query", registry.Config{StatusBaseURL: "https://kch.nhs.uk/status?x=1"}},
		{"a relative base URL", registry.Config{StatusBaseURL: "/status"}},
		{"lists below the 131,072 minimum", registry.Config{StatusBaseURL: testBaseURL, ListSize: 8192}},
		{"lists of a size not a multiple of 8", registry.Config{StatusBaseURL: testBaseURL, ListSize: status.MinEntries + 4}},
		{"lists over the maximum", registry.Config{StatusBaseURL: testBaseURL, ListSize: status.MaxEntries + 8}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.db")
			if _, err := registry.Create(context.Background(), path, tt.cfg); !errors.Is(err, registry.ErrInvalidRequest) {
				t.Fatalf("error = %v, want ErrInvalidRequest", err)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("a refused configuration left a file behind")
			}
		})
	}
	path := filepath.Join(t.TempDir(), "r.db")
	r, err := registry.Create(context.Background(), path, registry.Config{StatusBaseURL: testBaseURL})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Config().ListSize != status.MinEntries {
		t.Errorf("default list size = %d, want %d", r.Config().ListSize, status.MinEntries)
	}
}

func TestReserveAllocatesAnIDAndOneIndexPerPurpose(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.FixedZone("BST", 3600))
	r, _ := newTestRegistry(t, 8192, registry.WithClock(func() time.Time { return at }))
	rec, err := r.Reserve(context.Background(), reservation("staff-1/dbs/2026-02-20", bothPurposes...))
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != registry.StateReserved || len(rec.CredentialID) != len("urn:uuid:")+36 || rec.Revoked || rec.Suspended ||
		rec.ReservedBy != "hr.officer" || !rec.ReservedAt.Equal(at) || rec.ReservedAt.Location() != time.UTC ||
		!rec.ValidUntil.Equal(time.Date(2029, 3, 1, 0, 0, 0, 0, time.UTC)) || len(rec.Credential) != 0 || !rec.IssuedAt.IsZero() {
		t.Fatalf("record = %+v", rec)
	}
	if len(rec.Status) != 2 {
		t.Fatalf("status = %+v", rec.Status)
	}
	for i, a := range rec.Status {
		wantURL := fmt.Sprintf("%s/%d", testBaseURL, i+1)
		if a.Purpose != bothPurposes[i] || a.ListID != int64(i+1) || a.ListURL != wantURL || a.Index < 0 || a.Index >= 8192 || a.Set {
			t.Errorf("assignment %d = %+v", i, a)
		}
	}
	entries := rec.StatusEntries()
	for i, e := range entries {
		obj, err := e.TypedObject()
		if err != nil {
			t.Fatal(err)
		}
		back, err := status.ParseEntry(obj)
		if err != nil || back.Index != rec.Status[i].Index || back.ListCredential != rec.Status[i].ListURL ||
			back.ID != fmt.Sprintf("%s#%d", rec.Status[i].ListURL, rec.Status[i].Index) {
			t.Errorf("entry %d = %+v, %v", i, back, err)
		}
	}
	given := reservation("staff-2/dbs/2026-02-20")
	given.CredentialID = "https://kch.nhs.uk/credentials/42"
	rec2, err := r.Reserve(context.Background(), given)
	if err != nil {
		t.Fatal(err)
	}
	if rec2.CredentialID != given.CredentialID || len(rec2.Status) != 0 {
		t.Fatalf("record = %+v", rec2)
	}
}

func TestReserveIsIdempotentByIssuanceKey(t *testing.T) {
	ctx := context.Background()
	r, _ := newTestRegistry(t, 8192)
	first, err := r.Reserve(ctx, reservation("staff-1/dbs/2026-02-20", bothPurposes...))
	if err != nil {
		t.Fatal(err)
	}
	again := reservation("staff-1/dbs/2026-02-20", status.PurposeSuspension, status.PurposeRevocation)
	again.CredentialID = "urn:uuid:00000000-0000-4000-8000-000000000000"
	again.ValidUntil = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	second, err := r.Reserve(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(first) != fmt.Sprint(second) {
		t.Fatalf("second reservation differs:\n%+v\n%+v", first, second)
	}
	lists, err := r.StatusLists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lists {
		if l.Allocated != 1 {
			t.Errorf("list %d allocated %d indexes, want 1", l.ID, l.Allocated)
		}
	}
}

func TestReserveRefusesConflictsAndIncompleteRequests(t *testing.T) {
	ctx := context.Background()
	r, _ := newTestRegistry(t, 8192)
	taken := reservation("staff-1/dbs/2026-02-20", status.PurposeRevocation)
	taken.CredentialID = "https://kch.nhs.uk/credentials/1"
	if _, err := r.Reserve(ctx, taken); err != nil {
		t.Fatal(err)
	}
	change := func(f func(*registry.Reservation)) registry.Reservation {
		res := reservation("staff-1/dbs/2026-02-20", status.PurposeRevocation)
		f(&res)
		return res
	}
	for _, tt := range []struct {
		name string
		res  registry.Reservation
		want error
	}{
		{"the same key for another type", change(func(r *registry.Reservation) { r.Type = "RightToWorkCredential" }), registry.ErrReservationConflict},
		{"the same key for another subject", change(func(r *registry.Reservation) { r.Subject = "did:key:other" }), registry.ErrReservationConflict},
		{"the same key in another format", change(func(r *registry.Reservation) { r.Format = "di" }), registry.ErrReservationConflict},
		{"the same key with other purposes", change(func(r *registry.Reservation) { r.Purposes = bothPurposes }), registry.ErrReservationConflict},
		{"another key with a taken credential id", change(func(r *registry.Reservation) {
			r.IssuanceKey, r.CredentialID = "staff-2/dbs/2026-02-20", "https://kch.nhs.uk/credentials/1"
		}), registry.ErrReservationConflict},
		{"no issuance key", change(func(r *registry.Reservation) { r.IssuanceKey = "" }), registry.ErrInvalidRequest},
		{"no type", change(func(r *registry.Reservation) { r.Type = "" }), registry.ErrInvalidRequest},
		{"no format", change(func(r *registry.Reservation) { r.Format = "" }), registry.ErrInvalidRequest},
		{"no actor", change(func(r *registry.Reservation) { r.Actor = "" }), registry.ErrInvalidRequest},
		{"a credential id that is not a URL", change(func(r *registry.Reservation) { r.IssuanceKey, r.CredentialID = "k", "credential 1" }), registry.ErrInvalidRequest},
		{"an unknown purpose", change(func(r *registry.Reservation) { r.IssuanceKey, r.Purposes = "k", []string{"message"} }), registry.ErrInvalidRequest},
		{"a purpose twice", change(func(r *registry.Reservation) {
			r.IssuanceKey, r.Purposes = "k", []string{status.PurposeRevocation, status.PurposeRevocation}
		}), registry.ErrInvalidRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := r.Reserve(ctx, tt.res); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
	lists, err := r.StatusLists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 1 || lists[0].Allocated != 1 {
		t.Fatalf("refused reservations allocated indexes: %+v", lists)
	}
}

func TestCompleteRecordsTheSignedCredentialOnce(t *testing.T) {
	ctx := context.Background()
	r, _ := newTestRegistry(t, 8192)
	key := "staff-1/dbs/2026-02-20"
	reserved, err := r.Reserve(ctx, reservation(key, bothPurposes...))
	if err != nil {
		t.Fatal(err)
	}
	issuedAt := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	signed := []byte("eyJhbGciOiJFUzI1NiJ9.payload.signature")
	rec, err := r.Complete(ctx, key, issuedAt, signed)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(signed)
	if rec.State != registry.StateIssued || !rec.IssuedAt.Equal(issuedAt) || string(rec.Credential) != string(signed) ||
		rec.Digest != hex.EncodeToString(sum[:]) {
		t.Fatalf("record = %+v", rec)
	}
	// A rerun: Reserve returns the issued record with the credential, and
	// Complete with the same bytes changes nothing.
	again, err := r.Reserve(ctx, reservation(key, bothPurposes...))
	if err != nil {
		t.Fatal(err)
	}
	if again.State != registry.StateIssued || string(again.Credential) != string(signed) || again.CredentialID != reserved.CredentialID ||
		fmt.Sprint(again.Status) != fmt.Sprint(reserved.Status) {
		t.Fatalf("rerun record = %+v", again)
	}
	if _, err := r.Complete(ctx, key, issuedAt.Add(time.Hour), signed); err != nil {
		t.Fatalf("completing again with the same credential: %v", err)
	}
	if _, err := r.Complete(ctx, key, issuedAt, []byte("another signature")); !errors.Is(err, registry.ErrAlreadyIssued) {
		t.Fatalf("completing with another credential: %v, want ErrAlreadyIssued", err)
	}
	if _, err := r.Complete(ctx, "no-such-key", issuedAt, signed); !errors.Is(err, registry.ErrCredentialNotFound) {
		t.Fatalf("completing an unknown key: %v, want ErrCredentialNotFound", err)
	}
	for _, tt := range []struct {
		key  string
		at   time.Time
		cred []byte
	}{{"", issuedAt, signed}, {key, time.Time{}, signed}, {key, issuedAt, nil}} {
		if _, err := r.Complete(ctx, tt.key, tt.at, tt.cred); !errors.Is(err, registry.ErrInvalidRequest) {
			t.Errorf("Complete(%q, %v, %q): %v, want ErrInvalidRequest", tt.key, tt.at, tt.cred, err)
		}
	}
	events, err := r.Audit(ctx, reserved.CredentialID)
	if err != nil {
		t.Fatal(err)
	}
	issues := 0
	for _, e := range events {
		if e.Action == "issue" {
			issues++
		}
	}
	if issues != 1 {
		t.Fatalf("%d issue events, want 1: %+v", issues, events)
	}
}

func TestIndexesAreNeverReusedAndFullListsRollOver(t *testing.T) {
	ctx := context.Background()
	const size, n = 16, 40
	r, _ := newTestRegistry(t, size)
	seen := map[[2]int64]string{}
	for i := range n {
		rec, err := r.Reserve(ctx, reservation(fmt.Sprintf("key-%d", i), bothPurposes...))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range rec.Status {
			k := [2]int64{a.ListID, int64(a.Index)}
			if prev, ok := seen[k]; ok {
				t.Fatalf("list %d index %d given to %s and %s", a.ListID, a.Index, prev, rec.IssuanceKey)
			}
			if a.Index < 0 || a.Index >= size {
				t.Fatalf("index %d outside a list of %d", a.Index, size)
			}
			seen[k] = rec.IssuanceKey
		}
	}
	lists, err := r.StatusLists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 40 credentials, two purposes, lists of 16: three lists per purpose,
	// numbered in the order they were started.
	if len(lists) != 6 {
		t.Fatalf("%d lists, want 6: %+v", len(lists), lists)
	}
	perPurpose := map[string][]int{}
	for _, l := range lists {
		if l.URL != fmt.Sprintf("%s/%d", testBaseURL, l.ID) || l.Size != size {
			t.Errorf("list %+v", l)
		}
		perPurpose[l.Purpose] = append(perPurpose[l.Purpose], l.Allocated)
	}
	for _, p := range bothPurposes {
		if fmt.Sprint(perPurpose[p]) != "[16 16 8]" {
			t.Errorf("%s lists allocated %v, want [16 16 8]", p, perPurpose[p])
		}
	}
	// A full list has every index taken, in an order that is not the
	// identity (the chance that a random order of 16 is: 1 in 2e13).
	var free int
	if err := r.DB().QueryRow(`SELECT COUNT(*) FROM free_slots`).Scan(&free); err != nil {
		t.Fatal(err)
	}
	if free > 16 {
		t.Errorf("free_slots holds %d rows, more than the allocated part of the open lists", free)
	}
	rows, err := r.DB().Query(`SELECT e.idx FROM status_entries e JOIN credentials c ON c.issuance_key = e.issuance_key
		WHERE e.list_id = 1 ORDER BY c.reserved_at, c.issuance_key`)
	if err != nil {
		t.Fatal(err)
	}
	var order []int
	for rows.Next() {
		var idx int
		rows.Scan(&idx)
		order = append(order, idx)
	}
	rows.Close()
	identity := true
	for i, idx := range order {
		identity = identity && idx == i
	}
	if len(order) != size || identity {
		t.Errorf("list 1 was allocated in order %v", order)
	}
}

// chiSquare returns the chi-square statistic of counts against equal
// expected counts.
func chiSquare(counts []int) float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	want := float64(total) / float64(len(counts))
	chi2 := 0.0
	for _, c := range counts {
		chi2 += math.Pow(float64(c)-want, 2) / want
	}
	return chi2
}

func TestIndexesAreSpreadUniformlyOverTheList(t *testing.T) {
	// 2,000 indexes of a list of 131,072, counted in 16 equal ranges: for
	// a uniform draw a chi-square statistic over 51 (15 degrees of
	// freedom) has a chance below one in a million; sequential or
	// clustered allocation exceeds it for certain.
	if raceEnabled {
		t.Skip("a statistical test of the allocator, not of concurrency; too slow under -race")
	}
	r, _ := newTestRegistry(t, status.MinEntries)
	const buckets = 16
	counts := make([]int, buckets)
	for _, a := range allocateMany(t, r, 2000) {
		counts[a.Index*buckets/status.MinEntries]++
	}
	if chi2 := chiSquare(counts); chi2 > 51 {
		t.Fatalf("indexes are not uniform: counts %v, chi-square %.1f", counts, chi2)
	}
}

func TestEveryAllocationOrderOfAListIsEquallyLikely(t *testing.T) {
	// Uniform draws among the unused indexes make every order in which a
	// list's indexes are given out equally likely. Lists of 4 have 24
	// orders; 1,200 lists give about 50 of each, and for a uniform
	// allocator a chi-square statistic over 70 (23 degrees of freedom)
	// has a chance below one in a million. A biased step (say, taking
	// the last free slot more often, or not moving it into the hole)
	// exceeds it.
	if raceEnabled {
		t.Skip("a statistical test of the allocator, not of concurrency; too slow under -race")
	}
	r, _ := newTestRegistry(t, 8)
	r.SetSize(4) // below what any configuration allows, for this count only
	const lists = 1200
	checkOrdersUniform(t, allocateMany(t, r, 4*lists))
}

// allocateMany allocates n revocation indexes in one transaction (quicker
// than n calls of Reserve, which commit one by one) and returns them in
// order.
func allocateMany(t testing.TB, r *registry.Registry, n int) []registry.StatusAssignment {
	t.Helper()
	ctx := context.Background()
	var out []registry.StatusAssignment
	err := r.Write(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		for i := range n {
			key := fmt.Sprintf("many-%d", i)
			if _, err := tx.ExecContext(ctx, `INSERT INTO credentials
	(issuance_key, credential_id, type, subject, format, state, reserved_at, reserved_by)
	VALUES ($1, $2, 'DBSCheckCredential', 'did:key:x', 'vc+jwt', 'reserved', '2026-01-01T00:00:00.000000000Z', 'test')`,
				key, "urn:example:"+key); err != nil {
				return err
			}
			a, err := r.Allocate(ctx, tx, status.PurposeRevocation, key, "test")
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestManyGoroutinesReceiveDistinctIndexes(t *testing.T) {
	ctx := context.Background()
	r, _ := newTestRegistry(t, 256)
	workers, each := 8, 40
	if raceEnabled {
		each = 15
	}
	type got struct {
		key string
		a   registry.StatusAssignment
	}
	results := make(chan got, workers*each*2)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				rec, err := r.Reserve(ctx, reservation(fmt.Sprintf("w%d-%d", w, i), bothPurposes...))
				if err != nil {
					errs <- err
					return
				}
				for _, a := range rec.Status {
					results <- got{rec.IssuanceKey, a}
				}
			}
		}()
	}
	wg.Wait()
	close(results)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[[2]int64]bool{}
	n := 0
	for g := range results {
		k := [2]int64{g.a.ListID, int64(g.a.Index)}
		if seen[k] {
			t.Fatalf("list %d index %d given twice", g.a.ListID, g.a.Index)
		}
		seen[k] = true
		n++
	}
	if n != workers*each*2 {
		t.Fatalf("%d assignments, want %d", n, workers*each*2)
	}
}

func TestAFailedCreateLeavesNoFileBehind(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := filepath.Join(t.TempDir(), "r.db")
	if _, err := registry.Create(ctx, path, registry.Config{StatusBaseURL: testBaseURL}); !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed create left %s behind", path)
	}
	r, err := registry.Create(context.Background(), path, registry.Config{StatusBaseURL: testBaseURL})
	if err != nil {
		t.Fatalf("creating at the same path again: %v", err)
	}
	r.Close()
}

// checkOrdersUniform takes the allocations of lists of 4, in order, and
// fails unless every one of the 24 orders of a list's indexes comes about
// as often as a uniform allocator makes it: for 1,200 lists, a chi-square
// statistic over 70 (23 degrees of freedom) has a chance below one in a
// million.
func checkOrdersUniform(t *testing.T, got []registry.StatusAssignment) {
	t.Helper()
	orders := map[[4]int]int{}
	var order [4]int
	for i, a := range got {
		order[i%4] = a.Index
		if i%4 == 3 {
			if a.ListID != got[i-3].ListID {
				t.Fatalf("allocations %d to %d are not of one list", i-3, i)
			}
			orders[order]++
		}
	}
	if len(orders) != 24 {
		t.Fatalf("%d distinct orders, want all 24", len(orders))
	}
	counts := make([]int, 0, 24)
	for o, c := range orders {
		seen := map[int]bool{}
		for _, idx := range o {
			seen[idx] = true
		}
		if len(seen) != 4 {
			t.Fatalf("a list of 4 was given out as %v", o)
		}
		counts = append(counts, c)
	}
	if chi2 := chiSquare(counts); chi2 > 70 {
		t.Fatalf("allocation orders are not uniform: %v, chi-square %.1f", orders, chi2)
	}
}
