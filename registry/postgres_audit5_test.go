package registry_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/staffpass/staffpass/registry"
)

// A PostgreSQL database whose default isolation is REPEATABLE READ (a
// setting some DBAs make, per database or per role): the writers'
// transactions then take their snapshot at the advisory lock's SELECT,
// before they hold the lock, and read what the writer before them
// committed as if it had not. Two processes reserving at once must still
// both succeed, each index once.
func TestAudit5PostgresWritersWithRepeatableReadDefault(t *testing.T) {
	if !onPostgres() {
		t.Skip("PostgreSQL only")
	}
	loc := newPostgresDB(t)
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin, err := sql.Open("pgx", loc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`ALTER DATABASE ` + name + ` SET default_transaction_isolation = 'repeatable read'`); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	ctx := context.Background()
	r, err := registry.Create(ctx, loc, registry.Config{StatusBaseURL: testBaseURL, ListSize: 4096}, withSmallLists())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for p := range 4 {
		wg.Go(func() {
			reg, err := registry.Open(ctx, loc, withSmallLists())
			if err != nil {
				errs <- err
				return
			}
			defer reg.Close()
			for g := range 5 {
				var rs []registry.Reservation
				for i := range 20 {
					rs = append(rs, reservation(fmt.Sprintf("p%d-g%d-%d", p, g, i), bothPurposes...))
				}
				if _, err := reg.ReserveMany(ctx, rs); err != nil {
					errs <- fmt.Errorf("process %d group %d: %w", p, g, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkIntegrity(t, r)
}
