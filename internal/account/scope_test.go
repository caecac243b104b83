package account_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestAuditScope is the audit log's scope rule (account.SearchAudit), entry by entry, on both
// databases: an admin below the root sees an entry when its actor was an account of its subtree
// (staff of one of its offices, or an employer of it) or its object lay in it (an employer's, or a
// staff account, office or notice of the subtree); the root admin sees every entry. Paging over
// the subtree's entries, mixed with others, returns them all once, newest first.
func TestAuditScope(t *testing.T) {
	storetest.Each(t, storetest.Options{Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db)
		sys := actor.System("test")
		user := func(name string, role actor.Role, office string) actor.Actor {
			id, err := svc.CreateStaff(ctx, sys, account.StaffInput{Username: name, Password: "Quota#2026a", Role: role, Office: office})
			if err != nil {
				t.Fatal(err)
			}
			return actor.Actor{UserID: id, Name: name, Role: role, Office: office}
		}
		var cyEmp, ngEmp int64
		for code, id := range map[string]*int64{"91220101MA14U8XK2R": &cyEmp, "91350100M000100Y43": &ngEmp} {
			office := map[string]string{"91220101MA14U8XK2R": "220202", "91350100M000100Y43": "220102"}[code]
			if err := db.SQL().QueryRow(`INSERT INTO employers (credit_code, name, federation_office, created_at, updated_at)
                VALUES ($1, '单位', $2, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id`, code, office).Scan(id); err != nil {
				t.Fatal(err)
			}
		}
		cyRev, ngRev := user("cyrev", actor.Reviewer, "220202"), user("ngrev", actor.Reviewer, "220102")
		root, city := user("root", actor.Admin, "220000"), user("jladmin", actor.Admin, "220200")
		district := user("cyadmin", actor.Admin, "220202")
		write := func(e audit.Entry) {
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, e) }); err != nil {
				t.Fatal(err)
			}
		}
		// on names the object's employer or office, as the services do.
		on := func(e audit.Entry, employer int64, office string) audit.Entry {
			e.EmployerID, e.Office = employer, office
			return e
		}
		// seen says who may see each entry: j = the 吉林市 admin, d = the 昌邑区 admin.
		entries := []struct {
			e    audit.Entry
			seen string
		}{
			{audit.For(cyRev, "login", "user", "1"), "jd"}, // a 昌邑区 reviewer
			{audit.For(ngRev, "login", "user", "2"), ""},   // a 南关区 reviewer
			{audit.For(actor.Actor{Name: "y", Role: actor.Employer, EmployerID: cyEmp}, "employer.update", "employer", ""), "jd"},
			{audit.For(actor.Actor{Name: "x", Role: actor.Employer, EmployerID: ngEmp}, "employer.update", "employer", ""), ""},
			{on(audit.For(ngRev, "review.decide", "review_item", "9"), cyEmp, ""), "jd"},       // on a 昌邑区 employer's item
			{on(audit.For(root, "password.reset", "user", "3"), 0, "220202"), "jd"},            // on a 昌邑区 account
			{on(audit.For(root, "federation_office.update", "x", "220200"), 0, "220200"), "j"}, // on the city's office
			{audit.For(root, "business_year.update", "business_year", "2025"), ""},
			{audit.For(sys, "exchange.import", "import", "1"), ""},
			{audit.For(actor.Actor{Name: "某人"}, "login", "user", ""), ""}, // a failed login of no account
		}
		for i := range entries {
			entries[i].e.Detail = fmt.Sprintf("entry %d", i)
			write(entries[i].e)
		}
		seen := func(a actor.Actor, q account.AuditQuery) []string {
			t.Helper()
			p, err := svc.SearchAudit(ctx, a, q, 1)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range p.Items {
				if e.Action != "staff.create" {
					out = append(out, e.Detail)
				}
			}
			slices.Sort(out)
			return out
		}
		for _, c := range []struct {
			who  actor.Actor
			mark byte
		}{{city, 'j'}, {district, 'd'}} {
			var want []string
			for i, e := range entries {
				if slices.Contains([]byte(e.seen), c.mark) {
					want = append(want, fmt.Sprintf("entry %d", i))
				}
			}
			if got := seen(c.who, account.AuditQuery{}); !slices.Equal(got, want) {
				t.Errorf("%s sees %v, want %v", c.who.Name, got, want)
			}
		}
		if got := seen(root, account.AuditQuery{}); len(got) != len(entries) {
			t.Errorf("root sees %d entries, want %d", len(got), len(entries))
		}
		// The scope and the filters together: the 吉林市 admin looking for the 南关区 reviewer finds
		// only the decision on a 昌邑区 employer's item.
		if got := seen(city, account.AuditQuery{Actor: "ngrev"}); !slices.Equal(got, []string{"entry 4"}) {
			t.Errorf("city admin's search for ngrev: %v", got)
		}
		if _, err := svc.SearchAudit(ctx, cyRev, account.AuditQuery{}, 1); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("a reviewer searches the audit log: %v", err)
		}

		// Paging: 130 entries of the subtree (on three offices, by actor and by object) among 130
		// of another subtree; three pages of the city admin's give each once, newest first.
		var want []int64
		for i := range 260 {
			e := audit.For(actor.Actor{Name: "bulk"}, "bulk", "x", fmt.Sprint(i))
			if i%2 == 0 {
				e.Office = []string{"220200", "220202", "220203"}[i%3]
			} else {
				e.Office = "220102"
			}
			write(e)
		}
		p1, err := svc.SearchAudit(ctx, city, account.AuditQuery{Action: "bulk"}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if p1.Total != 130 || p1.Pages != 3 || p1.Office != "吉林市残疾人联合会" {
			t.Fatalf("city admin's bulk search: total %d pages %d office %q", p1.Total, p1.Pages, p1.Office)
		}
		var got []int64
		for page := 1; page <= 3; page++ {
			p, err := svc.SearchAudit(ctx, city, account.AuditQuery{Action: "bulk"}, page)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Items {
				got = append(got, e.ID)
			}
		}
		rows, err := db.SQL().QueryContext(ctx, `SELECT id FROM audit_log WHERE action = 'bulk' AND subject_office <> '220102' ORDER BY id DESC`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			want = append(want, id)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("three pages give %d entries, want the %d of the subtree newest first", len(got), len(want))
		}
	})
}
