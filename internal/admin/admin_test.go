package admin_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/admin"
	"quotacert/internal/apperr"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

var (
	adminActor = actor.Actor{UserID: 0, Name: "admin", Role: actor.Admin, Office: "220000", ClientAddr: "10.0.0.1"}
	reviewer   = actor.Actor{Name: "reviewer", Role: actor.Reviewer, Office: "220000"}
)

func setup(t *testing.T, fn func(t *testing.T, db *store.DB, svc *admin.Service)) {
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		fn(t, db, admin.NewService(store.AdminRunner(db)))
	})
}

func audits(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		list, err := tx.AuditSince(context.Background(), t0, 1000)
		for _, e := range list {
			if e.ActorName != "admin" || e.ClientAddr != "10.0.0.1" {
				t.Errorf("audit entry %s has actor %q from %q", e.Action, e.ActorName, e.ClientAddr)
			}
			out = append(out, e.Action+" "+e.ObjectID+" "+e.Detail)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Fields[field] == "" {
		t.Errorf("want a Chinese message for field %q, got %v", field, err)
	}
}

func TestOfficeTree(t *testing.T) {
	setup(t, func(t *testing.T, db *store.DB, svc *admin.Service) {
		ctx := context.Background()
		if err := svc.SaveRegion(ctx, reviewer, admin.Region{Code: "220199", Name: "x", Parent: "220100"}, true); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("reviewer edits regions: %v", err)
		}
		// A new district under 长春市, then its federation office under 长春市残联.
		if err := svc.SaveRegion(ctx, adminActor, admin.Region{Code: "220199", Name: "长春新区", Parent: "220100"}, true); err != nil {
			t.Fatal(err)
		}
		fieldErr(t, svc.SaveRegion(ctx, adminActor, admin.Region{Code: "220199", Name: "重复", Parent: "220100"}, true), "code")
		fieldErr(t, svc.SaveRegion(ctx, adminActor, admin.Region{Code: "22019", Name: "x"}, true), "code")
		fieldErr(t, svc.SaveRegion(ctx, adminActor, admin.Region{Code: "220198", Name: "x", Parent: "999999"}, true), "parent")
		fieldErr(t, svc.SaveRegion(ctx, adminActor, admin.Region{Code: "220100", Name: "长春市", Parent: "220199"}, false), "parent") // cycle
		if err := svc.SaveOffice(ctx, adminActor, admin.Federation, admin.Office{Code: "220199", Name: "长春新区残联", Parent: "220100", Region: "220199"}, true); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			o     admin.Office
			field string
		}{
			{"parent missing", admin.Office{Code: "220100", Name: "长春市残联", Parent: "229999", Region: "220100"}, "parent"},
			{"parent is itself", admin.Office{Code: "220100", Name: "长春市残联", Parent: "220100", Region: "220100"}, "parent"},
			{"parent is a descendant", admin.Office{Code: "220100", Name: "长春市残联", Parent: "220199", Region: "220100"}, "parent"},
			{"province under a district", admin.Office{Code: "220000", Name: "吉林省残联", Parent: "220102", Region: "220000"}, "parent"},
			{"no name", admin.Office{Code: "220100", Parent: "220000", Region: "220100"}, "name"},
			{"unknown region", admin.Office{Code: "220100", Name: "长春市残联", Parent: "220000", Region: "999999"}, "region"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				fieldErr(t, svc.SaveOffice(ctx, adminActor, admin.Federation, c.o, false), c.field)
			})
		}
		if err := svc.SaveOffice(ctx, adminActor, admin.Tax, admin.Office{Code: "12201990000", Name: "长春新区税务局", Region: "220199"}, true); err != nil {
			t.Fatal(err)
		}
		if err := svc.SaveOffice(ctx, adminActor, admin.Federation, admin.Office{Code: "229999", Name: "x", Region: "220000"}, false); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("edit unknown office: %v", err)
		}
		feds, err := svc.Offices(ctx, adminActor, admin.Federation)
		if err != nil {
			t.Fatal(err)
		}
		var got admin.Office
		for _, o := range feds {
			if o.Code == "220199" {
				got = o
			}
		}
		if got.Parent != "220100" || got.Name != "长春新区残联" {
			t.Errorf("new office = %+v", got)
		}
		want := []string{
			`region.create 220199 name: "" → "长春新区"; parent: "" → "220100"; `,
			`federation_office.create 220199 name: "" → "长春新区残联"; parent: "" → "220100"; region: "" → "220199"; `,
			`tax_office.create 12201990000 name: "" → "长春新区税务局"; region: "" → "220199"; `,
		}
		if got := audits(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestYearWindowAndPledge(t *testing.T) {
	setup(t, func(t *testing.T, db *store.DB, svc *admin.Service) {
		ctx := context.Background()
		s := func(v string) *string { return &v }
		bad := []struct {
			open, close, field string
		}{
			{"2026-10-31", "2026-03-01", "windowClose"}, // open after close
			{"2026-02-30", "2026-10-31", "windowOpen"},  // not a real day
			{"2026/03/01", "2026-10-31", "windowOpen"},
			{"2026-03-01", "", "windowClose"},
			{"2026-3-1", "2026-10-31", "windowOpen"},
		}
		for _, c := range bad {
			_, err := svc.UpdateYear(ctx, adminActor, 2025, admin.YearInput{WindowOpen: s(c.open), WindowClose: s(c.close)})
			fieldErr(t, err, c.field)
		}
		if _, err := svc.UpdateYear(ctx, adminActor, 1999, admin.YearInput{WindowOpen: s("2026-03-01"), WindowClose: s("2026-10-31")}); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("unknown year: %v", err)
		}
		for range 2 { // a double submit audits once
			y, err := svc.UpdateYear(ctx, adminActor, 2025, admin.YearInput{WindowOpen: s("2026-03-15"), WindowClose: s("2026-03-15")})
			if err != nil || y.WindowOpen.String() != "2026-03-15" || y.WindowClose.String() != "2026-03-15" {
				t.Fatalf("open = close: %+v %v", y, err)
			}
		}
		on := true
		y, err := svc.UpdateYear(ctx, adminActor, 2025, admin.YearInput{CertValidAtSubmission: &on, Pledge: s("新承诺书文本")})
		// refdata seeded "2025-v1" already, so the first new version of 2025 is 2025-v2.
		if err != nil || !y.CertValidAtSubmission || y.PledgeVersion != "2025-v2" {
			t.Fatalf("pledge: %+v %v", y, err)
		}
		pledges, err := svc.Pledges(ctx, adminActor)
		if err != nil {
			t.Fatal(err)
		}
		if len(pledges) != 2 {
			t.Errorf("pledge versions = %d, want the old one kept plus the new one", len(pledges))
		}
		years, err := svc.Years(ctx, adminActor)
		if err != nil {
			t.Fatal(err)
		}
		for _, yv := range years {
			want := refdata.Pledge
			if yv.Year == 2025 {
				want = "新承诺书文本"
			}
			if yv.Pledge != want {
				t.Errorf("year %d pledge %q", yv.Year, yv.Pledge)
			}
		}
		if n, err := svc.AddYear(ctx, adminActor, "2027"); err != nil || n != 2027 {
			t.Fatal(err)
		}
		years, err = svc.Years(ctx, adminActor)
		if err != nil {
			t.Fatal(err)
		}
		if years[0].Year != 2027 || years[0].WindowOpen.String() != "2028-03-01" || years[0].WindowClose.String() != "2028-10-31" {
			t.Errorf("new year = %+v", years[0])
		}
		_, err = svc.AddYear(ctx, adminActor, "二〇二七")
		fieldErr(t, err, "year")
		want := []string{
			`business_year.update 2025 windowOpen: "2026-03-01" → "2026-03-15"; windowClose: "2026-10-31" → "2026-03-15"; `,
			`business_year.update 2025 certValidAtSubmission: "false" → "true"; pledgeVersion: "2025-v1" → "2025-v2"; `,
			`business_year.create 2027 window=2028-03-01..2028-10-31 pledge=2025-v1`,
		}
		if got := audits(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestMinimumWageLocking(t *testing.T) {
	setup(t, func(t *testing.T, db *store.DB, svc *admin.Service) {
		ctx := context.Background()
		// Before any submission every row is editable.
		if err := svc.UpdateMinimumWage(ctx, adminActor, admin.WageInput{Region: "22", From: "2024-10", Amount: "1790"}); err != nil {
			t.Fatal(err)
		}
		// An employer submits 2025: rows starting in or before 2025-12 are locked.
		var eid int64
		if err := db.SQL().QueryRow(`INSERT INTO employers (credit_code, name, created_at, updated_at) VALUES ('91220101MA14U8XK2R', '示范', $1, $1) RETURNING id`, t0).Scan(&eid); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`INSERT INTO declarations (employer_id, year, status) VALUES ($1, 2025, 'submitted')`, eid); err != nil {
			t.Fatal(err)
		}
		if err := svc.UpdateMinimumWage(ctx, adminActor, admin.WageInput{Region: "22", From: "2024-10", Amount: "1800"}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("update locked row: %v", err)
		}
		if err := svc.DeleteMinimumWage(ctx, adminActor, "220102", "2021-12"); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("delete locked row: %v", err)
		}
		err := svc.AddMinimumWage(ctx, adminActor, admin.WageInput{Region: "2201", From: "2025-07", Amount: "2000"})
		fieldErr(t, err, "from") // would change what 2025 was checked against
		// A new version after the locked year is fine, and may be corrected or deleted.
		if err := svc.AddMinimumWage(ctx, adminActor, admin.WageInput{Region: "2201", From: "2026-01", Amount: "2200.50"}); err != nil {
			t.Fatal(err)
		}
		fieldErr(t, svc.AddMinimumWage(ctx, adminActor, admin.WageInput{Region: "2201", From: "2026-01", Amount: "2300"}), "from")
		if err := svc.UpdateMinimumWage(ctx, adminActor, admin.WageInput{Region: "2201", From: "2026-01", Amount: "2210"}); err != nil {
			t.Fatal(err)
		}
		for _, in := range []struct {
			in    admin.WageInput
			field string
		}{
			{admin.WageInput{Region: "2", From: "2026-02", Amount: "1"}, "region"},
			{admin.WageInput{Region: "22010", From: "2026-02", Amount: "1"}, "region"},
			{admin.WageInput{Region: "22", From: "2026-13", Amount: "1"}, "from"},
			{admin.WageInput{Region: "22", From: "2026-02", Amount: "0"}, "amount"},
			{admin.WageInput{Region: "22", From: "2026-02", Amount: "1.234"}, "amount"},
			{admin.WageInput{Region: "22", From: "2026-02", Amount: "-5"}, "amount"},
		} {
			fieldErr(t, svc.AddMinimumWage(ctx, adminActor, in.in), in.field)
		}
		list, err := svc.MinimumWages(ctx, adminActor)
		if err != nil {
			t.Fatal(err)
		}
		locked := map[string]bool{}
		for _, m := range list {
			locked[m.Region+"@"+m.From] = m.Locked
		}
		if !locked["22@2024-10"] || !locked["220102@2021-12"] || locked["2201@2026-01"] {
			t.Errorf("locks: %v", locked)
		}
		if err := svc.DeleteMinimumWage(ctx, adminActor, "2201", "2026-01"); err != nil {
			t.Fatal(err)
		}
		want := []string{
			"minimum_wage.update 22@2024-10 amount: 1780.00 → 1790.00",
			"minimum_wage.create 2201@2026-01 amount=2200.50",
			"minimum_wage.update 2201@2026-01 amount: 2200.50 → 2210.00",
			"minimum_wage.delete 2201@2026-01 amount=2210.00",
		}
		if got := audits(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestLevy(t *testing.T) {
	setup(t, func(t *testing.T, db *store.DB, svc *admin.Service) {
		ctx := context.Background()
		for range 2 {
			if err := svc.SaveLevy(ctx, adminActor, admin.LevyInput{Year: "2025", QuotaPercent: "1.5", SocialAvgWage: "96000"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := svc.SaveLevy(ctx, adminActor, admin.LevyInput{Year: "2027", QuotaPercent: "1.6", SocialAvgWage: "100000.5"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			in    admin.LevyInput
			field string
		}{
			{admin.LevyInput{Year: "x", QuotaPercent: "1.6", SocialAvgWage: "1"}, "year"},
			{admin.LevyInput{Year: "2025", QuotaPercent: "1.6%", SocialAvgWage: "1"}, "quotaPercent"},
			{admin.LevyInput{Year: "2025", QuotaPercent: "0", SocialAvgWage: "1"}, "quotaPercent"},
			{admin.LevyInput{Year: "2025", QuotaPercent: "1.6", SocialAvgWage: "abc"}, "socialAvgWage"},
		} {
			fieldErr(t, svc.SaveLevy(ctx, adminActor, c.in), c.field)
		}
		levies, err := svc.Levies(ctx, adminActor)
		if err != nil {
			t.Fatal(err)
		}
		if levies[0].Year != 2027 || levies[0].QuotaBasisPoints != 160 || levies[0].SocialAvgWageFen != 10000050 {
			t.Errorf("levies[0] = %+v", levies[0])
		}
		want := []string{
			`levy.update 220000/2025 quotaPercent: "1.6" → "1.5"; socialAvgWage: "95000.00" → "96000.00"; `,
			`levy.create 220000/2027 quotaPercent: "0" → "1.6"; socialAvgWage: "0.00" → "100000.50"; `,
		}
		if got := audits(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
