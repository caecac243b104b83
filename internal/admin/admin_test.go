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
	"quotacert/internal/audit"
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

// audits lists the successful changes of the audit log ("action object detail"), each checked to
// be the test admin's; refusals lists the refused attempts ("actor action object").
func audits(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, e := range auditLog(t, db) {
		if e.Outcome != audit.Success {
			continue
		}
		if e.ActorName != "admin" || e.ClientAddr != "10.0.0.1" {
			t.Errorf("audit entry %s has actor %q from %q", e.Action, e.ActorName, e.ClientAddr)
		}
		out = append(out, e.Action+" "+e.ObjectID+" "+e.Detail)
	}
	return out
}

func refusals(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, e := range auditLog(t, db) {
		if e.Outcome == audit.Failure {
			out = append(out, e.ActorName+" "+e.Action+" "+e.ObjectID)
		}
	}
	return out
}

func auditLog(t *testing.T, db *store.DB) []audit.Entry {
	t.Helper()
	var list []audit.Entry
	err := db.InTx(context.Background(), func(tx *store.Tx) (err error) {
		list, err = tx.AuditSince(context.Background(), t0, 1000)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return list
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
		// The reviewer's attempt and the edit of an unknown office are refusals, audited.
		if got := strings.Join(refusals(t, db), "; "); got != "reviewer region.create 220199; admin federation_office.update 229999" {
			t.Errorf("refusals: %s", got)
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
			{"2026/02/30", "2026-10-31", "windowOpen"},  // typed with slashes (understood), still not a real day
			{"2026-03-01", "", "windowClose"},
			{"2026-3", "2026-10-31", "windowOpen"},
		}
		for _, c := range bad {
			_, err := svc.UpdateYear(ctx, adminActor, 2025, admin.YearInput{WindowOpen: s(c.open), WindowClose: s(c.close)})
			fieldErr(t, err, c.field)
		}
		if _, err := svc.UpdateYear(ctx, adminActor, 1999, admin.YearInput{WindowOpen: s("2026-03-01"), WindowClose: s("2026-10-31")}); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("unknown year: %v", err)
		}
		// Dates as people type them are understood (issue 17).
		if y, err := svc.UpdateYear(ctx, adminActor, 2025, admin.YearInput{WindowOpen: s("2026/3/1"), WindowClose: s("2026年10月31日")}); err != nil ||
			y.WindowOpen.String() != "2026-03-01" || y.WindowClose.String() != "2026-10-31" {
			t.Fatalf("typed dates: %+v %v", y, err)
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
		if got := strings.Join(refusals(t, db), "; "); got != "admin business_year.update 1999" {
			t.Errorf("refusals: %s", got)
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

// TestScope is the console's part of DOMAIN.md §7 (package scope), case by case: an admin of
// 长春市残联 (220100) edits the offices, regions, tax offices and minimum wages of its own subtree,
// never its own office or region, another city's, or a move out of the subtree; it reads but does
// not change the province-wide settings. The root admin does everything. Every refusal is a 403
// with a Chinese message, audited, and changes nothing.
func TestScope(t *testing.T) {
	setup(t, func(t *testing.T, db *store.DB, svc *admin.Service) {
		ctx := context.Background()
		city := actor.Actor{UserID: 0, Name: "cityadmin", Role: actor.Admin, Office: "220100", ClientAddr: "10.0.0.2"}
		s := func(v string) *string { return &v }
		fed := func(code, name, parent, region string) admin.Office {
			return admin.Office{Code: code, Name: name, Parent: parent, Region: region}
		}
		cases := []struct {
			name string
			do   func(a actor.Actor) error
			city bool // allowed to the city admin (the root admin may do all)
		}{
			{"new district region under the city", func(a actor.Actor) error {
				return svc.SaveRegion(ctx, a, admin.Region{Code: "220199", Name: "长春新区", Parent: "220100"}, true)
			}, true},
			{"new office under the city", func(a actor.Actor) error {
				return svc.SaveOffice(ctx, a, admin.Federation, fed("220199", "长春新区残联", "220100", "220199"), true)
			}, true},
			{"move a district office inside the subtree", func(a actor.Actor) error {
				return svc.SaveOffice(ctx, a, admin.Federation, fed("220199", "长春新区残联", "220102", "220199"), false)
			}, true},
			{"move a district office out of the subtree", func(a actor.Actor) error {
				return svc.SaveOffice(ctx, a, admin.Federation, fed("220102", "南关区残联", "220200", "220102"), false)
			}, false},
			{"edit the own office", func(a actor.Actor) error {
				return svc.SaveOffice(ctx, a, admin.Federation, fed("220100", "长春市残联", "220000", "220100"), false)
			}, false},
			{"edit another city's office", func(a actor.Actor) error {
				return svc.SaveOffice(ctx, a, admin.Federation, fed("220202", "昌邑区残联", "220200", "220202"), false)
			}, false},
			{"new office under another city", func(a actor.Actor) error {
				return svc.SaveOffice(ctx, a, admin.Federation, fed("220198", "x", "220200", "220100"), true)
			}, false},
			{"new office with a region outside", func(a actor.Actor) error {
				return svc.SaveOffice(ctx, a, admin.Federation, fed("220198", "x", "220100", "220202"), true)
			}, false},
			{"rename the own region", func(a actor.Actor) error {
				return svc.SaveRegion(ctx, a, admin.Region{Code: "220100", Name: "长春", Parent: "220000"}, false)
			}, false},
			{"move a district region out", func(a actor.Actor) error {
				return svc.SaveRegion(ctx, a, admin.Region{Code: "220102", Name: "南关区", Parent: "220200"}, false)
			}, false},
			{"new region under another city", func(a actor.Actor) error {
				return svc.SaveRegion(ctx, a, admin.Region{Code: "220299", Name: "x", Parent: "220200"}, true)
			}, false},
			{"rename the city's tax office", func(a actor.Actor) error {
				return svc.SaveOffice(ctx, a, admin.Tax, admin.Office{Code: "12201000000", Name: "国家税务总局长春市税务局", Region: "220100"}, false)
			}, true},
			{"move a tax office to another city", func(a actor.Actor) error {
				return svc.SaveOffice(ctx, a, admin.Tax, admin.Office{Code: "12201020000", Name: "南关区税务局", Region: "220202"}, false)
			}, false},
			{"edit another city's tax office", func(a actor.Actor) error {
				return svc.SaveOffice(ctx, a, admin.Tax, admin.Office{Code: "12202000000", Name: "吉林市税务局", Region: "220200"}, false)
			}, false},
			{"city-wide minimum wage", func(a actor.Actor) error {
				return svc.AddMinimumWage(ctx, a, admin.WageInput{Region: "2201", From: "2026-07", Amount: "2300"})
			}, true},
			{"district minimum wage", func(a actor.Actor) error {
				return svc.UpdateMinimumWage(ctx, a, admin.WageInput{Region: "220102", From: "2024-10", Amount: "2130"})
			}, true},
			{"province-wide minimum wage", func(a actor.Actor) error {
				return svc.AddMinimumWage(ctx, a, admin.WageInput{Region: "22", From: "2026-07", Amount: "1900"})
			}, false},
			{"another city's minimum wage", func(a actor.Actor) error {
				return svc.DeleteMinimumWage(ctx, a, "220202", "2024-10")
			}, false},
			{"declaration window", func(a actor.Actor) error {
				_, err := svc.UpdateYear(ctx, a, 2025, admin.YearInput{WindowOpen: s("2026-03-01"), WindowClose: s("2026-12-31")})
				return err
			}, false},
			{"new business year", func(a actor.Actor) error { _, err := svc.AddYear(ctx, a, "2027"); return err }, false},
			{"levy parameters", func(a actor.Actor) error {
				return svc.SaveLevy(ctx, a, admin.LevyInput{Year: "2025", QuotaPercent: "1.5", SocialAvgWage: "96000"})
			}, false},
		}
		refused := 0
		for _, c := range cases {
			err := c.do(city)
			switch {
			case c.city && err != nil:
				t.Errorf("city admin: %s: %v", c.name, err)
			case !c.city && apperr.CodeOf(err) != apperr.Forbidden:
				t.Errorf("city admin: %s: %v, want a 403", c.name, err)
			case !c.city:
				refused++
				if m := apperr.As(err).Message; !strings.Contains(m, "长春市残疾人联合会") && !strings.Contains(m, "吉林省残疾人联合会的系统管理员维护") {
					t.Errorf("city admin: %s: the message %q does not say whose it is", c.name, m)
				}
			}
		}
		if n := len(refusals(t, db)); n != refused {
			t.Errorf("%d refusals audited, want %d", n, refused)
		}
		var parent, window string
		if err := db.SQL().QueryRow(`SELECT (SELECT parent FROM federation_offices WHERE code = '220102'),
            (SELECT window_close FROM business_years WHERE year = 2025)`).Scan(&parent, &window); err != nil {
			t.Fatal(err)
		}
		if parent != "220100" || window != "2026-10-31" {
			t.Errorf("refused changes were written: parent %s window %s", parent, window)
		}
		// The city admin's lists: its subtree, with its own level read-only and what reaches it
		// from above (the province's minimum wages) shown but not managed.
		regions, err := svc.Regions(ctx, city)
		if err != nil {
			t.Fatal(err)
		}
		offices, err := svc.Offices(ctx, city, admin.Federation)
		if err != nil {
			t.Fatal(err)
		}
		taxes, err := svc.Offices(ctx, city, admin.Tax)
		if err != nil {
			t.Fatal(err)
		}
		wages, err := svc.MinimumWages(ctx, city)
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]bool{} // key → managed
		for _, r := range regions {
			listed["region "+r.Code] = r.Managed
		}
		for _, o := range offices {
			listed["office "+o.Code] = o.Managed
		}
		for _, o := range taxes {
			listed["tax "+o.Code] = o.Managed
		}
		for _, m := range wages {
			listed["wage "+m.Region+"@"+m.From] = m.Managed
		}
		for key, managed := range map[string]bool{"region 220100": false, "region 220102": true, "office 220100": false,
			"office 220102": true, "tax 12201000000": true, "tax 12201020000": true, "wage 22@2024-10": false, "wage 220102@2024-10": true} {
			if got, ok := listed[key]; !ok || got != managed {
				t.Errorf("city admin's lists: %s listed=%v managed=%v, want managed=%v", key, ok, got, managed)
			}
		}
		for _, key := range []string{"region 220000", "region 220200", "region 220202", "office 220000", "office 220200",
			"office 220202", "tax 12200000000", "tax 12202000000", "wage 220202@2024-10"} {
			if _, ok := listed[key]; ok {
				t.Errorf("city admin's lists show %s", key)
			}
		}
		if _, err := svc.Years(ctx, city); err != nil {
			t.Errorf("city admin reads the years: %v", err)
		}
		// The root admin may do each of them (a case the city admin already did may now be a
		// duplicate: a field error, not a refusal).
		for _, c := range cases {
			if err := c.do(adminActor); err != nil && apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("root admin: %s: %v", c.name, err)
			}
		}
	})
}
