package placement_test

import (
	"context"
	"testing"
	"time"

	"quotacert/internal/apperr"
	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestDisclosureRemembersTheOpenWindowOnly: a person found counted in the windows is free while
// they are open, without reading them again (the service remembers it: rows changed behind its
// back do not change its answer), and is counted again once they are over — with the budget of the
// new window spent, the person remembered from the old one is refused. Both databases.
func TestDisclosureRemembersTheOpenWindowOnly(t *testing.T) {
	clock := storetest.NewClock(now)
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := setup(t, db)
		svc := e.svc.WithDisclosureLimits(placement.DisclosureLimits{PerEmployer: 2, PerAddress: 4, Window: time.Hour})
		ids := validIDs(4)
		a, err := svc.Create(ctx, e.emp, 2025, input(ids[0], "甲", 3)) // counts the first person of two
		if err != nil {
			t.Fatal(err)
		}
		b, err := svc.Create(ctx, e.emp, 2025, input(ids[1], "乙", 3)) // and the second: the budget is spent
		if err != nil {
			t.Fatal(err)
		}
		peek := func(id int64) error {
			_, _, err := svc.Peek(ctx, e.emp, id)
			return err
		}
		for range 2 {
			for _, id := range []int64{a, b} {
				if err := peek(id); err != nil {
					t.Fatalf("a person counted in the window: %v", err)
				}
			}
		}
		// Behind the service's back, the window now counts someone else instead of the first
		// person: read again, the first person would be a third one, over the budget.
		if _, err := db.SQL().ExecContext(ctx, `UPDATE disclosures SET person_hash = 'someone-else' WHERE person_hash =
            (SELECT s.id_hash FROM placements p JOIN persons s ON s.id = p.person_id WHERE p.id = $1)`, a); err != nil {
			t.Fatal(err)
		}
		clock.Advance(50 * time.Minute)
		if err := peek(a); err != nil {
			t.Fatalf("a person remembered in the open window: %v", err)
		}

		clock.Advance(15 * time.Minute) // the window is over
		for _, id := range ids[2:] {    // two new persons spend the new window's budget
			if _, err := svc.Registry(ctx, e.emp, id); apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("look-up in the new window: %v", err)
			}
		}
		if err := peek(a); apperr.CodeOf(err) != apperr.Throttled {
			t.Fatalf("a person of the old window, the new one's budget spent: %v", err)
		}
	})
}
