package placement_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/placement"
)

func TestRegistryLookup(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		p, err := e.svc.Registry(ctx, e.emp, strings.ToLower(p01))
		if err != nil {
			t.Fatal(err)
		}
		if p.IDNumber != p01 || p.Name != "刘喆" || p.Gender != "男" || p.BirthDate.String() != "1988-07-12" ||
			len(p.Certificates) != 1 || p.Certificates[0].Level != 3 || p.Category != 4 || p.Level != 3 {
			t.Fatalf("registry = %+v", p)
		}
		cases := []struct {
			id   string
			want apperr.Code
		}{
			{"220102199003070013", apperr.NotFound}, // valid, unknown to the registry
			{"530102192005080119", apperr.Invalid},  // bad check character
			{"", apperr.Invalid},
		}
		for _, c := range cases {
			_, err := e.svc.Registry(ctx, e.emp, c.id)
			if apperr.CodeOf(err) != c.want {
				t.Errorf("%q: %v, want %s", c.id, err, c.want)
			}
			if c.want == apperr.Invalid && apperr.As(err).Fields["idNumber"] == "" {
				t.Errorf("%q: no idNumber field error: %v", c.id, err)
			}
		}
		if _, err := e.svc.Registry(ctx, e.reviewer(), p01); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("staff look-up: %v", err)
		}
		// Audited with the masked number only; invalid input is not counted.
		var n int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'registry.lookup'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		var leaks int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%198807120%' OR object_id LIKE '%198807120%'`).Scan(&leaks); err != nil {
			t.Fatal(err)
		}
		if n != 2 || leaks != 0 {
			t.Errorf("audit entries %d, unmasked %d", n, leaks)
		}
		// Looking the same person up again is free: the limit counts distinct persons.
		for i := 0; i < 2*placement.DisclosurePerEmployer; i++ {
			if _, err := e.svc.Registry(ctx, e.emp, p01); err != nil {
				t.Fatalf("look-up %d of the same person: %v", i, err)
			}
		}
		// p01 and pNo are counted; more distinct persons up to the limit pass, the next is refused.
		ids := validIDs(placement.DisclosurePerEmployer)
		for _, id := range ids[:placement.DisclosurePerEmployer-2] {
			if _, err := e.svc.Registry(ctx, e.emp, id); apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("look-up of %s: %v", id, err)
			}
		}
		_, err = e.svc.Registry(ctx, e.emp, ids[placement.DisclosurePerEmployer-2])
		var limit *placement.LimitError
		if apperr.CodeOf(err) != apperr.Throttled || !errors.As(err, &limit) || !limit.Until.Equal(now.Add(placement.DisclosureWindowLength)) ||
			!strings.Contains(err.Error(), "2026-04-01 11:00") {
			t.Fatalf("over the limit: %v", err)
		}
		// A person disclosed in the window is still free; another employer has its own budget.
		if _, err := e.svc.Registry(ctx, e.emp, p01); err != nil {
			t.Errorf("a person already seen: %v", err)
		}
		if _, err := e.svc.Registry(ctx, e.oth, ids[0]); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("other employer: %v", err)
		}
	})
}

// validIDs returns n distinct valid resident ID numbers (南关区, born 1980) that the demo registry
// does not know.
func validIDs(n int) []string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	const checks = "10X98765432"
	out := make([]string, n)
	for i := range out {
		first := fmt.Sprintf("22010219800101%03d", 500+i)
		sum := 0
		for j := 0; j < 17; j++ {
			sum += int(first[j]-'0') * weights[j]
		}
		out[i] = first + string(checks[sum%11])
	}
	return out
}

func TestYears(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		years, def, err := e.svc.Years(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(years) != 3 || years[0].Year != 2026 || def != 2025 || years[1].WindowOpen.String() != "2026-03-01" {
			t.Fatalf("years %+v default %d", years, def)
		}
	})
}

func (e *env) reviewer() actor.Actor {
	return actor.Actor{UserID: 99, Name: "r", Role: actor.Reviewer, Office: "220000"}
}

// TestDisclosureLimitAcrossRequests: the limit holds under concurrent requests (the window row is
// locked, so PostgreSQL's concurrent transactions count one after the other), many employers behind
// one address share the address's budget, and staff are not counted.
func TestDisclosureLimitAcrossRequests(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		placed, err := e.svc.Create(ctx, e.emp, 2025, input(p01, "刘喆", 3)) // one person of the budget
		if err != nil {
			t.Fatal(err)
		}
		ids := validIDs(3 * placement.DisclosurePerEmployer)
		var mu sync.Mutex
		var wg sync.WaitGroup
		passed, refused := 0, 0
		for _, id := range ids[:2*placement.DisclosurePerEmployer] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.svc.Registry(ctx, e.emp, id)
				mu.Lock()
				defer mu.Unlock()
				switch apperr.CodeOf(err) {
				case apperr.NotFound:
					passed++
				case apperr.Throttled:
					refused++
				default:
					t.Errorf("look-up %s: %v", id, err)
				}
			}()
		}
		wg.Wait()
		if passed != placement.DisclosurePerEmployer-1 || refused != placement.DisclosurePerEmployer+1 {
			t.Fatalf("concurrent look-ups: %d passed, %d refused; want %d and %d", passed, refused,
				placement.DisclosurePerEmployer-1, placement.DisclosurePerEmployer+1)
		}
		// The employer's own placement, seen already, still opens; a reviewer's view is not counted.
		if _, err := e.svc.Get(ctx, e.emp, placed); err != nil {
			t.Fatalf("a person seen already: %v", err)
		}
		var before, after int
		count := `SELECT COUNT(*) FROM disclosures`
		if err := e.db.SQL().QueryRow(count).Scan(&before); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(ctx, e.reviewer(), placed); err != nil {
			t.Fatalf("reviewer's view: %v", err)
		}
		if err := e.db.SQL().QueryRow(count).Scan(&after); err != nil || after != before {
			t.Errorf("disclosures %d → %d after a reviewer's view (%v)", before, after, err)
		}

		// One address, several employers: the address's budget is twice an employer's.
		addr := func(a actor.Actor) actor.Actor { a.ClientAddr = "203.0.113.7"; return a }
		third := addr(actor.Actor{UserID: 13, Name: "third", Role: actor.Employer, EmployerID: 3})
		for _, id := range ids[:placement.DisclosurePerEmployer] {
			if _, err := e.svc.Registry(ctx, addr(e.oth), id); apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("second employer: %v", err)
			}
		}
		for _, id := range ids[placement.DisclosurePerEmployer : 2*placement.DisclosurePerEmployer] {
			if _, err := e.svc.Registry(ctx, third, id); apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("third employer: %v", err)
			}
		}
		fourth := addr(actor.Actor{UserID: 14, Name: "fourth", Role: actor.Employer, EmployerID: 4})
		_, err = e.svc.Registry(ctx, fourth, ids[2*placement.DisclosurePerEmployer])
		if apperr.CodeOf(err) != apperr.Throttled || !strings.Contains(apperr.As(err).Message, "同一网络地址") {
			t.Fatalf("the address's person %d: %v", placement.DisclosurePerAddress+1, err)
		}
	})
}
