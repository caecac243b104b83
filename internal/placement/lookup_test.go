package placement_test

import (
	"context"
	"strings"
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
		// The limit: after RegistryLimit look-ups in the window the next one is throttled.
		for i := n; i < placement.RegistryLimit; i++ {
			if _, err := e.svc.Registry(ctx, e.emp, p01); err != nil {
				t.Fatalf("look-up %d: %v", i, err)
			}
		}
		if _, err := e.svc.Registry(ctx, e.emp, p01); apperr.CodeOf(err) != apperr.Throttled {
			t.Fatalf("over the limit: %v", err)
		}
		// Another employer has its own budget.
		if _, err := e.svc.Registry(ctx, e.oth, p01); err != nil {
			t.Fatalf("other employer: %v", err)
		}
	})
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
