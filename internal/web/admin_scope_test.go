package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"quotacert/internal/actor"
	"quotacert/internal/audit"
)

// scopeSite is a site with the two cities of issue 13: the root admin (吉林省残联, 220000), an admin
// of 吉林市残联 (220200), and an employer and a reviewer on each side — 南关区 (220102, in 长春:
// another subtree for the city admin) and 昌邑区 (220202, in 吉林市: its own subtree).
type scopeSite struct {
	h              *harness
	root, city     *client
	rootID, cityID int64
	ngEmp, cyEmp   *client // the employers of 南关区 and 昌邑区, signed in
	ngUser, cyUser int64   // their user ids
	ngRev, cyRev   int64   // reviewers of 220102 and 220202
}

const (
	ngCode = testCode  // a 南关区 employer
	cyCode = testCode2 // a 昌邑区 employer
)

func newScopeSite(t *testing.T, h *harness) *scopeSite {
	t.Helper()
	withConsole(t, h)
	s := &scopeSite{h: h}
	s.rootID = h.staff("root", actor.Admin, "220000")
	s.cityID = h.staff("jladmin", actor.Admin, "220200")
	s.ngRev = h.staff("ngrev", actor.Reviewer, "220102")
	s.cyRev = h.staff("cyrev", actor.Reviewer, "220202")
	s.root, s.city = h.client("10.0.20.1"), h.client("10.0.20.2")
	wantStatus(t, s.root.login("root", testPassword), http.StatusOK)
	wantStatus(t, s.city.login("jladmin", testPassword), http.StatusOK)
	for _, c := range []struct {
		code, office string
		emp          **client
		user         *int64
	}{{ngCode, "220102", &s.ngEmp, &s.ngUser}, {cyCode, "220202", &s.cyEmp, &s.cyUser}} {
		e := h.client("10.0.20." + c.office[4:])
		wantStatus(t, e.register(c.code), http.StatusCreated)
		if _, err := h.db.SQL().Exec(`UPDATE employers SET federation_office = $1, district = $1 WHERE credit_code = $2`, c.office, c.code); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, e.login(c.code, testPassword), http.StatusOK)
		if err := h.db.SQL().QueryRow(`SELECT id FROM users WHERE username = $1`, c.code).Scan(c.user); err != nil {
			t.Fatal(err)
		}
		*c.emp = e
	}
	// Each reviewer signs in once, so that the audit log holds entries of both subtrees.
	for _, name := range []string{"ngrev", "cyrev"} {
		wantStatus(t, h.client("10.0.21.1").login(name, testPassword), http.StatusOK)
	}
	return s
}

func (s *scopeSite) value(t *testing.T, query string, args ...any) string {
	t.Helper()
	var v string
	if err := s.h.db.SQL().QueryRow(query, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

func (s *scopeSite) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.h.db.SQL().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// refusedAudited checks that the city admin's refused attempt at action was audited as a failure.
func (s *scopeSite) refusedAudited(t *testing.T, action string) {
	t.Helper()
	for _, e := range auditSince(t, s.h) {
		if e.ActorName == "jladmin" && e.Action == action && e.Outcome == audit.Failure && e.ClientAddr == "10.0.20.2" {
			return
		}
	}
	t.Errorf("the city admin's refused %s is not in the audit log", action)
}

// TestCityAdminAttacks replays issue 13's attacks of an administrator of 吉林市残联 (220200) on
// 长春市's jurisdiction, with the exact requests of the issue: each is refused and changes nothing;
// the same actions inside the city's own subtree work; the root admin may do them all.
func TestCityAdminAttacks(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		s := newScopeSite(t, h)
		parent := func(code string) string {
			return s.value(t, `SELECT COALESCE(parent, '') FROM federation_offices WHERE code = $1`, code)
		}

		// 1. Moving 南关区残联 under 吉林市残联: refused, nothing changes.
		move := url.Values{"mode": {"update"}, "code": {"220102"}, "name": {"长春市南关区残疾人联合会"}, "region": {"220102"}, "parent": {"220200"}}
		rec := s.city.postForm("/admin/offices/federation", move)
		wantStatus(t, rec, http.StatusForbidden)
		if !strings.Contains(rec.Body.String(), "辖区") {
			t.Errorf("the refusal does not say why: %.300s", rec.Body.String())
		}
		if p := parent("220102"); p != "220100" {
			t.Fatalf("南关区残联 moved under %s", p)
		}
		s.refusedAudited(t, "federation_office.update")
		// Inside the subtree a move works, but only to a parent inside it; the city's own office is
		// the province's to edit.
		inside := url.Values{"mode": {"update"}, "code": {"220221"}, "name": {"永吉县残疾人联合会"}, "region": {"220221"}, "parent": {"220202"}}
		wantStatus(t, s.city.postForm("/admin/offices/federation", inside), http.StatusSeeOther)
		if p := parent("220221"); p != "220202" {
			t.Errorf("move inside the subtree: parent %s", p)
		}
		inside.Set("parent", "220100")
		wantStatus(t, s.city.postForm("/admin/offices/federation", inside), http.StatusForbidden)
		inside.Set("parent", "220200")
		wantStatus(t, s.city.postForm("/admin/offices/federation", inside), http.StatusSeeOther)
		wantStatus(t, s.city.postForm("/admin/offices/federation", url.Values{"mode": {"update"}, "code": {"220200"},
			"name": {"吉林市残联"}, "region": {"220200"}, "parent": {""}}), http.StatusForbidden)
		if parent("220200") != "220000" || parent("220221") != "220200" {
			t.Error("the city's own office or 永吉县 changed")
		}
		move.Set("name", "南关区残联")
		move.Set("parent", "220100")
		wantStatus(t, s.root.postForm("/admin/offices/federation", move), http.StatusSeeOther)

		// 2. The 2025 declaration window is province-wide: refused to the city admin.
		window := map[string]string{"windowOpen": "2026-03-10", "windowClose": "2026-12-31"}
		wantStatus(t, s.city.putJSON("/api/v1/years/2025", window), http.StatusForbidden)
		if w := s.value(t, `SELECT window_close FROM business_years WHERE year = 2025`); w != "2026-10-31" {
			t.Fatalf("window changed to %s", w)
		}
		s.refusedAudited(t, "business_year.update")
		wantStatus(t, s.root.putJSON("/api/v1/years/2025", window), http.StatusOK)

		// 3. A 长春 minimum wage: adding and deleting are refused; 吉林市's own work.
		wage := func(mode, region, from string) url.Values {
			return url.Values{"mode": {mode}, "region": {region}, "from": {from}, "amount": {"2300"}}
		}
		wages := func(region, from string) int {
			return s.count(t, `SELECT COUNT(*) FROM minimum_wages WHERE region = $1 AND from_month = $2`, region, from)
		}
		wantStatus(t, s.city.postForm("/admin/minwages", wage("create", "2201", "2026-07")), http.StatusForbidden)
		wantStatus(t, s.city.postForm("/admin/minwages", wage("delete", "220102", "2024-10")), http.StatusForbidden)
		wantStatus(t, s.city.postForm("/admin/minwages", wage("create", "22", "2026-07")), http.StatusForbidden) // province-wide
		if wages("2201", "2026-07") != 0 || wages("220102", "2024-10") != 1 || wages("22", "2026-07") != 0 {
			t.Fatal("the city admin changed a 长春 or province-wide minimum wage")
		}
		s.refusedAudited(t, "minimum_wage.create")
		s.refusedAudited(t, "minimum_wage.delete")
		wantStatus(t, s.city.postForm("/admin/minwages", wage("create", "2202", "2026-07")), http.StatusSeeOther)
		wantStatus(t, s.city.postForm("/admin/minwages", wage("delete", "2202", "2026-07")), http.StatusSeeOther)
		wantStatus(t, s.root.postForm("/admin/minwages", wage("create", "2201", "2026-07")), http.StatusSeeOther)
		wantStatus(t, s.root.postForm("/admin/minwages", wage("delete", "220102", "2024-10")), http.StatusSeeOther)
		if wages("2201", "2026-07") != 1 || wages("220102", "2024-10") != 0 || wages("2202", "2026-07") != 0 {
			t.Error("the permitted wage changes did not happen")
		}

		// 4. The province's notice: the city admin cannot unpublish it (not found for it).
		rec = s.root.postJSON("/api/v1/notices", map[string]any{"title": "全省年审通知", "body": "请按时申报"})
		wantStatus(t, rec, http.StatusCreated)
		province := itoa(decode[struct{ ID int64 }](t, rec).ID)
		wantStatus(t, s.city.postForm("/admin/notices/"+province+"/unpublish", nil), http.StatusNotFound)
		if s.count(t, `SELECT COUNT(*) FROM notices WHERE id = $1 AND published_at IS NOT NULL`, province) != 1 {
			t.Fatal("the province's notice was unpublished")
		}
		s.refusedAudited(t, "notice.unpublish")
		rec = s.city.postJSON("/api/v1/notices", map[string]any{"title": "吉林市通知", "body": "市内单位请注意"})
		wantStatus(t, rec, http.StatusCreated)
		own := itoa(decode[struct{ ID int64 }](t, rec).ID)
		wantStatus(t, s.city.postForm("/admin/notices/"+own+"/unpublish", nil), http.StatusSeeOther)
		wantStatus(t, s.root.postForm("/admin/notices/"+province+"/unpublish", nil), http.StatusSeeOther)

		// 5. The audit log: nothing of 南关区 for the city admin, its own subtree's entries shown.
		page := s.city.get("/admin/audit").Body.String()
		for _, leak := range []string{"ngrev", ngCode} {
			if strings.Contains(page, leak) {
				t.Errorf("the city admin's audit page shows %s", leak)
			}
		}
		for _, want := range []string{"cyrev", cyCode, "jladmin"} {
			if !strings.Contains(page, want) {
				t.Errorf("the city admin's audit page lacks %s", want)
			}
		}
		if page := s.city.get("/admin/audit?actor=ngrev").Body.String(); !strings.Contains(page, "共 0 条") {
			t.Error("the city admin finds 南关区's reviewer by name")
		}
		if page := s.root.get("/admin/audit?actor=ngrev").Body.String(); strings.Contains(page, "共 0 条") || !strings.Contains(page, "ngrev") {
			t.Error("the root admin does not see 南关区's entries")
		}

		// 6. A 南关区 employer's password: not found for the city admin, unchanged.
		reset := url.Values{"password": {"Temp#Pass2026"}}
		wantStatus(t, s.city.postForm("/admin/users/"+itoa(s.ngUser)+"/reset", reset), http.StatusNotFound)
		wantStatus(t, h.client("10.0.22.1").login(ngCode, testPassword), http.StatusOK)
		s.refusedAudited(t, "password.reset")
		wantStatus(t, s.city.postForm("/admin/users/"+itoa(s.cyUser)+"/reset", reset), http.StatusSeeOther)
		wantStatus(t, h.client("10.0.22.2").login(cyCode, "Temp#Pass2026"), http.StatusOK)
		wantStatus(t, s.root.postForm("/admin/users/"+itoa(s.ngUser)+"/reset", reset), http.StatusSeeOther)
		wantStatus(t, h.client("10.0.22.3").login(ngCode, "Temp#Pass2026"), http.StatusOK)

		// Each refusal is one entry, the service's (with its object and reason): the web layer's
		// refusal log does not write it again.
		for _, e := range auditSince(t, h) {
			if e.ActorName == "jladmin" && e.Action == "refused" {
				t.Errorf("a scope refusal was audited twice: %s %s %s", e.ObjectType, e.ObjectID, e.Detail)
			}
		}
	})
}
