package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"quotacert/internal/actor"
	"quotacert/internal/apiclient"
	"quotacert/internal/audit"
	"quotacert/internal/exchange"
	"quotacert/internal/pii"
	"quotacert/internal/store"
)

// knownPolicies are the policies the guard understands; anything else is a mistake.
var knownPolicies = map[Policy]bool{Public: true, Employer: true, Staff: true, Admin: true, Any: true, StaffOrClient: true}

func TestEveryRouteHasPolicy(t *testing.T) {
	s, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	method := regexp.MustCompile(`^(GET|POST|PUT|DELETE|PATCH|HEAD) /`)
	for _, rt := range s.Routes() {
		if !knownPolicies[rt.Policy] {
			t.Errorf("route %q has no valid policy (%q)", rt.Pattern, rt.Policy)
		}
		if !method.MatchString(rt.Pattern) {
			t.Errorf("route %q does not name its method: the policy would cover every method", rt.Pattern)
		}
		if rt.Handler == nil {
			t.Errorf("route %q has no handler", rt.Pattern)
		}
		if seen[rt.Pattern] {
			t.Errorf("route %q listed twice", rt.Pattern)
		}
		seen[rt.Pattern] = true
		// State changes never happen on GET: a GET route must not be an action name. (A GET of
		// ".../delete" is allowed only as the confirmation page of the POST to the same path.)
		if strings.HasPrefix(rt.Pattern, "GET ") && regexp.MustCompile(`/(logout|delete|disable|enable|reset|submit)$`).MatchString(rt.Pattern) &&
			!hasRoute(s.Routes(), "POST "+strings.TrimPrefix(rt.Pattern, "GET ")) {
			t.Errorf("route %q changes state on GET", rt.Pattern)
		}
	}
}

// allowed is the authorization table the guard must implement, written independently of it.
func allowed(p Policy, role string) bool {
	switch p {
	case Public:
		return true
	case Any:
		return role != "anonymous"
	case Employer:
		return role == "employer"
	case Staff, StaffOrClient:
		return role == "reviewer" || role == "admin"
	case Admin:
		return role == "admin"
	}
	return false
}

// samplePath fills a route pattern's wildcards with plausible values.
func samplePath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}")
	path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllStringFunc(path, func(w string) string {
		switch strings.Trim(w, "{}.") {
		case "year":
			return "2025"
		case "idNumber":
			return "11010519491231002X"
		}
		return "1"
	})
	return method, path
}

// TestAuthorizationMatrix tries every route of Routes() as anonymous, employer, reviewer and admin.
// The guard is checked around a sentinel handler, so a handler's own (object-level) checks cannot hide
// a guard mistake; refusals are also checked through the real site, proving each route is guarded.
// A new route is covered automatically.
func TestAuthorizationMatrix(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		clients := map[string]*client{"anonymous": h.client("10.1.0.1")}
		emp := h.client("10.1.0.2")
		wantStatus(t, emp.register(testCode), http.StatusCreated)
		wantStatus(t, emp.login(testCode, testPassword), http.StatusOK)
		clients["employer"] = emp
		h.staff("rev", actor.Reviewer, "220100")
		h.staff("adm", actor.Admin, "220000")
		for _, name := range []string{"rev", "adm"} {
			c := h.client("10.1.0.3")
			wantStatus(t, c.login(name, testPassword), http.StatusOK)
			clients[map[string]string{"rev": "reviewer", "adm": "admin"}[name]] = c
		}
		for _, rt := range h.srv.Routes() {
			method, path := samplePath(rt.Pattern)
			for _, role := range []string{"anonymous", "employer", "reviewer", "admin"} {
				c := clients[role]
				// The guard alone, around a sentinel: does it admit exactly the roles of the policy?
				reached := false
				g := h.srv.withActor(h.srv.guard(rt.Policy, func(w http.ResponseWriter, r *http.Request) { reached = true }))
				req := httptest.NewRequest(method, path, nil)
				req.RemoteAddr = c.addr + ":1"
				if c.cookie != nil {
					req.AddCookie(c.cookie)
				}
				g.ServeHTTP(httptest.NewRecorder(), req)
				if reached != allowed(rt.Policy, role) {
					t.Errorf("%s %s as %s: guard admitted=%v, policy %s says %v", method, path, role, reached, rt.Policy, !reached)
				}
				if allowed(rt.Policy, role) {
					continue
				}
				// The real site (the route is registered behind its guard) answers the refusal.
				for _, api := range []bool{false, true} {
					req := httptest.NewRequest(method, path, nil)
					if api {
						req.Header.Set("Accept", "application/json")
					}
					rec := c.do(req)
					switch {
					case role == "anonymous" && (api || method != http.MethodGet || strings.HasPrefix(path, "/api/")):
						if rec.Code != http.StatusUnauthorized {
							t.Errorf("%s %s as anonymous (api=%v): %d, want 401", method, path, api, rec.Code)
						}
					case role == "anonymous":
						if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login?next=") {
							t.Errorf("%s %s as anonymous: %d %q, want a redirect to the login page", method, path, rec.Code, rec.Header().Get("Location"))
						}
					default:
						if rec.Code != http.StatusForbidden {
							t.Errorf("%s %s as %s: %d, want 403", method, path, role, rec.Code)
						}
					}
				}
			}
		}
	})
}

func hasRoute(routes []Route, pattern string) bool {
	for _, r := range routes {
		if r.Pattern == pattern {
			return true
		}
	}
	return false
}

// adminScope is the scope class of an Admin-policy route (package scope): what an administrator's
// office changes about it. Every Admin route must have an entry in adminScopeCases, so a new admin
// route without a scope rule fails TestAdminScopeMatrix.
type adminScope int

const (
	// scopeConsole: a page every admin opens; it shows only the admin's subtree (leak is a text of
	// the other subtree, or of what only root admins may do, that the city admin must not see).
	scopeConsole adminScope = iota + 1
	// scopeSubtree: an action on, or the opening of, one object: allowed inside the admin's own
	// subtree, refused (403, or 404 when the object is not to be revealed) in another; root admins
	// reach both.
	scopeSubtree
	// scopeProvince: a province-wide setting: the root office's admins only, 403 for the others.
	scopeProvince
)

// scopeCase is how the matrix exercises one admin route: its class, and the request on a target of
// the city admin's own subtree (own = true) or of another city's.
type scopeCase struct {
	class adminScope
	req   func(f *scopeFixture, own bool) *http.Request
	leak  string // scopeConsole only
}

// scopeFixture is the scope site (admin_scope_test.go) with an object of each kind on both sides:
// "own" is 吉林市's subtree (the city admin's), "other" is 长春市's.
type scopeFixture struct {
	*scopeSite
	t                 *testing.T
	ownNotice, notice int64 // targeted at 220202 and at 220102
	importID          int64
	seq               int
	ownClient, client int64 // API clients of 12202020000 (吉林市昌邑区) and 12201020000 (长春市南关区)
}

func (f *scopeFixture) pick(own bool, mine, other string) string {
	if own {
		return mine
	}
	return other
}

func (f *scopeFixture) pickID(own bool, mine, other int64) string {
	if own {
		return itoa(mine)
	}
	return itoa(other)
}

func form(method, path string, v url.Values) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func jsonBody(method, path, body string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func (f *scopeFixture) multipart(path string, v url.Values, files ...FormFile) *http.Request {
	body, typ := MultipartBody(f.t, v, files...)
	req := httptest.NewRequest(http.MethodPost, path, body)
	req.Header.Set("Content-Type", typ)
	return req
}

// adminScopeCases is the scope rule of every Admin-policy route of Routes().
var adminScopeCases = map[string]scopeCase{
	"GET /admin/{$}":   {class: scopeConsole, leak: "以及全省统一设置"},
	"GET /admin/users": {class: scopeConsole, leak: "ngrev"},
	"POST /admin/users": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		f.seq++
		return form(http.MethodPost, "/admin/users", url.Values{"username": {"staff" + strconv.Itoa(f.seq)}, "password": {testPassword},
			"role": {"reviewer"}, "office": {f.pick(own, "220202", "220102")}})
	}},
	"POST /admin/users/{id}/reset": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return form(http.MethodPost, "/admin/users/"+f.pickID(own, f.cyRev, f.ngRev)+"/reset", url.Values{"password": {"Temp#Pass2026"}})
	}},
	"POST /admin/users/{id}/disable": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return form(http.MethodPost, "/admin/users/"+f.pickID(own, f.cyUser, f.ngUser)+"/disable", nil)
	}},
	"POST /admin/users/{id}/enable": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return form(http.MethodPost, "/admin/users/"+f.pickID(own, f.cyUser, f.ngUser)+"/enable", nil)
	}},
	"GET /admin/users/{id}/mfa-reset": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/admin/users/"+f.pickID(own, f.cyRev, f.ngRev)+"/mfa-reset", nil)
	}},
	"POST /admin/users/{id}/mfa-reset": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return form(http.MethodPost, "/admin/users/"+f.pickID(own, f.cyRev, f.ngRev)+"/mfa-reset", nil)
	}},
	"GET /admin/audit":       {class: scopeConsole, leak: "ngrev"},
	"GET /admin/notices":     {class: scopeConsole, leak: "南关区通知"},
	"GET /admin/notices/new": {class: scopeConsole, leak: "长春市南关区残疾人联合会"},
	"POST /admin/notices": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return f.multipart("/admin/notices", url.Values{"title": {"新通知"}, "body": {"正文"}, "office": {f.pick(own, "220202", "220102")}})
	}},
	"GET /admin/notices/{id}/edit": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/admin/notices/"+f.pickID(own, f.ownNotice, f.notice)+"/edit", nil)
	}},
	"POST /admin/notices/{id}": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return f.multipart("/admin/notices/"+f.pickID(own, f.ownNotice, f.notice), url.Values{"title": {"修订"}, "body": {"修订正文"},
			"office": {f.pick(own, "220202", "220102")}})
	}},
	"GET /admin/notices/{id}/{action}": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/admin/notices/"+f.pickID(own, f.ownNotice, f.notice)+"/publish", nil)
	}},
	"POST /admin/notices/{id}/{action}": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return form(http.MethodPost, "/admin/notices/"+f.pickID(own, f.ownNotice, f.notice)+"/publish", nil)
	}},
	"POST /api/v1/notices": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return jsonBody(http.MethodPost, "/api/v1/notices", `{"title":"接口通知","body":"正文","office":"`+f.pick(own, "220202", "220102")+`"}`)
	}},
	"GET /admin/regions": {class: scopeConsole, leak: "南关区"},
	"POST /admin/regions": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return form(http.MethodPost, "/admin/regions", url.Values{"mode": {"update"}, "code": {f.pick(own, "220203", "220103")},
			"name": {f.pick(own, "龙潭区", "宽城区")}, "parent": {f.pick(own, "220200", "220100")}})
	}},
	"GET /admin/offices/{kind}": {class: scopeConsole, leak: "长春市南关区残疾人联合会"},
	"POST /admin/offices/{kind}": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return form(http.MethodPost, "/admin/offices/federation", url.Values{"mode": {"update"}, "code": {f.pick(own, "220203", "220103")},
			"name": {f.pick(own, "吉林市龙潭区残疾人联合会", "长春市宽城区残疾人联合会")}, "region": {f.pick(own, "220203", "220103")},
			"parent": {f.pick(own, "220200", "220100")}})
	}},
	"GET /admin/minwages": {class: scopeConsole, leak: "220102"},
	"POST /admin/minwages": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return form(http.MethodPost, "/admin/minwages", url.Values{"mode": {"update"}, "region": {f.pick(own, "220202", "220102")},
			"from": {"2024-10"}, "amount": {"2200"}})
	}},
	"GET /admin/years": {class: scopeConsole, leak: `action="/admin/years"`},
	"POST /admin/years": {class: scopeProvince, req: func(f *scopeFixture, own bool) *http.Request {
		return form(http.MethodPost, "/admin/years", url.Values{"year": {"2025"}, "windowOpen": {"2026-03-01"}, "windowClose": {"2026-11-30"},
			"pledge": {"承诺书"}})
	}},
	"GET /admin/calendar": {class: scopeConsole, leak: `action="/admin/calendar"`},
	"POST /admin/calendar": {class: scopeProvince, req: func(f *scopeFixture, own bool) *http.Request {
		return form(http.MethodPost, "/admin/calendar", url.Values{"year": {"2027"}, "calendar": {"2027-10-01 至 2027-10-07 休"}})
	}},
	"PUT /api/v1/years/{year}": {class: scopeProvince, req: func(f *scopeFixture, own bool) *http.Request {
		return jsonBody(http.MethodPut, "/api/v1/years/2025", `{"windowOpen":"2026-03-01","windowClose":"2026-12-31"}`)
	}},
	"GET /admin/levy": {class: scopeConsole, leak: `action="/admin/levy"`},
	"POST /admin/levy": {class: scopeProvince, req: func(f *scopeFixture, own bool) *http.Request {
		return form(http.MethodPost, "/admin/levy", url.Values{"year": {"2025"}, "quotaPercent": {"1.5"}, "socialAvgWage": {"96000"}})
	}},
	"GET /admin/api-clients": {class: scopeConsole, leak: "长春市南关区税务局接口"},
	"POST /admin/api-clients": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		f.seq++
		return form(http.MethodPost, "/admin/api-clients", url.Values{"name": {"接口" + strconv.Itoa(f.seq)},
			"taxOffice": {f.pick(own, "12202020000", "12201020000")}})
	}},
	"GET /admin/api-clients/{id}/{action}": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/admin/api-clients/"+f.pickID(own, f.ownClient, f.client)+"/revoke", nil)
	}},
	"POST /admin/api-clients/{id}/{action}": {class: scopeSubtree, req: func(f *scopeFixture, own bool) *http.Request {
		return form(http.MethodPost, "/admin/api-clients/"+f.pickID(own, f.ownClient, f.client)+"/rotate", nil)
	}},
	"GET /admin/imports": {class: scopeConsole, leak: `action="/admin/imports"`},
	"POST /admin/imports": {class: scopeProvince, req: func(f *scopeFixture, own bool) *http.Request {
		return f.multipart("/admin/imports", url.Values{"kind": {"minwage"}}, FormFile{"file", "minwage.csv", []byte("region,from,amount\n2202,2027-01,2000\n")})
	}},
	"GET /admin/imports/{id}": {class: scopeProvince, req: func(f *scopeFixture, own bool) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/admin/imports/"+itoa(f.importID), nil)
	}},
	"GET /admin/imports/{id}/errors.csv": {class: scopeProvince, req: func(f *scopeFixture, own bool) *http.Request {
		return httptest.NewRequest(http.MethodGet, "/admin/imports/"+itoa(f.importID)+"/errors.csv", nil)
	}},
}

// scopeGaps lists what breaks the rule "every Admin route declares its scope class, and only
// Admin routes do" for a route list.
func scopeGaps(routes []Route) []string {
	var gaps []string
	seen := map[string]bool{}
	for _, rt := range routes {
		seen[rt.Pattern] = true
		c, declared := adminScopeCases[rt.Pattern]
		switch {
		case rt.Policy != Admin && declared:
			gaps = append(gaps, rt.Pattern+" is not an Admin route but declares a scope class")
		case rt.Policy == Admin && (!declared || c.class == 0 || (c.class != scopeConsole && c.req == nil)):
			gaps = append(gaps, "admin route "+rt.Pattern+" declares no scope class: add it to adminScopeCases")
		}
	}
	for pattern := range adminScopeCases {
		if !seen[pattern] {
			gaps = append(gaps, "adminScopeCases names "+pattern+", which is not a route")
		}
	}
	return gaps
}

// TestEveryAdminRouteHasScope needs no database: it fails as soon as an Admin route is added
// without a scope class, and it checks that the check itself notices one.
func TestEveryAdminRouteHasScope(t *testing.T) {
	s, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range scopeGaps(s.Routes()) {
		t.Error(g)
	}
	extra := append(s.Routes(), Route{"POST /admin/new-thing", Admin, s.handleAdminHome})
	if gaps := scopeGaps(extra); len(gaps) != 1 || !strings.Contains(gaps[0], "/admin/new-thing") {
		t.Errorf("an undeclared admin route is not caught: %v", gaps)
	}
}

// TestAdminScopeMatrix extends the route × role matrix with the admin's office as a dimension:
// every Admin-policy route of Routes() is tried by the admin of 吉林市残联 on its own subtree and on
// 长春市's, and by the root admin on both, through the real site on both databases. A refusal is a
// 403 or 404 and is audited; a console page never shows the other subtree. A new admin route
// without an entry in adminScopeCases fails here.
func TestAdminScopeMatrix(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		p, err := pii.New(bytes.Repeat([]byte{7}, pii.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		h.srv.deps.Exchange = exchange.NewService(store.ExchangeRunner(h.db), p)
		s := newScopeSite(t, h) // wires the console and re-builds the handler
		f := &scopeFixture{scopeSite: s, t: t}
		for _, n := range []struct {
			title, office string
			id            *int64
		}{{"昌邑区通知", "220202", &f.ownNotice}, {"南关区通知", "220102", &f.notice}} {
			rec := s.root.postJSON("/api/v1/notices", map[string]any{"title": n.title, "body": "正文", "office": n.office})
			wantStatus(t, rec, http.StatusCreated)
			*n.id = decode[struct{ ID int64 }](t, rec).ID
		}
		for _, c := range []struct {
			name, taxOffice string
			id              *int64
		}{{"吉林市昌邑区税务局接口", "12202020000", &f.ownClient}, {"长春市南关区税务局接口", "12201020000", &f.client}} {
			cl, _, err := h.srv.deps.APIClients.Register(context.Background(), actor.System("test"), apiclient.Input{Name: c.name, TaxOffice: c.taxOffice})
			if err != nil {
				t.Fatal(err)
			}
			*c.id = cl.ID
		}
		rec := s.root.do(f.multipart("/admin/imports", url.Values{"kind": {"minwage"}}, FormFile{"file", "bad.csv", []byte("region,from,amount\nx,2027-01,1\n")}))
		wantStatus(t, rec, http.StatusSeeOther)
		f.importID, _ = strconv.ParseInt(strings.TrimPrefix(rec.Header().Get("Location"), "/admin/imports/"), 10, 64)

		refusals := func() int {
			n := 0
			for _, e := range auditSince(t, h) {
				if e.ActorName == "jladmin" && e.Outcome == audit.Failure {
					n++
				}
			}
			return n
		}
		ok := func(code int) bool {
			return code == http.StatusOK || code == http.StatusCreated || code == http.StatusSeeOther
		}
		refused := func(code int) bool { return code == http.StatusForbidden || code == http.StatusNotFound }
		for _, g := range scopeGaps(h.srv.Routes()) {
			t.Error(g)
		}
		for _, rt := range h.srv.Routes() {
			c, declared := adminScopeCases[rt.Pattern]
			if rt.Policy != Admin || !declared {
				continue
			}
			switch c.class {
			case scopeConsole:
				method, path := samplePath(rt.Pattern)
				path = strings.Replace(path, "/admin/offices/1", "/admin/offices/federation", 1)
				city := s.city.do(httptest.NewRequest(method, path, nil))
				root := s.root.do(httptest.NewRequest(method, path, nil))
				if city.Code != http.StatusOK || root.Code != http.StatusOK {
					t.Errorf("%s: city admin %d, root admin %d, want 200", rt.Pattern, city.Code, root.Code)
				}
				if strings.Contains(city.Body.String(), c.leak) {
					t.Errorf("%s: the city admin's page shows %q", rt.Pattern, c.leak)
				}
				if !strings.Contains(root.Body.String(), c.leak) {
					t.Errorf("%s: the root admin's page lacks %q (the leak marker proves nothing)", rt.Pattern, c.leak)
				}
			case scopeSubtree:
				if rec := s.city.do(c.req(f, true)); !ok(rec.Code) {
					t.Errorf("%s on the own subtree as the city admin: %d, want success: %.300s", rt.Pattern, rec.Code, rec.Body.String())
				}
				before := refusals()
				if rec := s.city.do(c.req(f, false)); !refused(rec.Code) {
					t.Errorf("%s on another subtree as the city admin: %d, want 403 or 404", rt.Pattern, rec.Code)
				}
				if refusals() != before+1 {
					t.Errorf("%s on another subtree as the city admin: the refusal is not audited", rt.Pattern)
				}
				for _, own := range []bool{false, true} {
					if rec := s.root.do(c.req(f, own)); !ok(rec.Code) {
						t.Errorf("%s as the root admin (own=%v): %d, want success: %.300s", rt.Pattern, own, rec.Code, rec.Body.String())
					}
				}
			case scopeProvince:
				before := refusals()
				if rec := s.city.do(c.req(f, true)); rec.Code != http.StatusForbidden {
					t.Errorf("%s as the city admin: %d, want 403", rt.Pattern, rec.Code)
				}
				if refusals() != before+1 {
					t.Errorf("%s as the city admin: the refusal is not audited", rt.Pattern)
				}
				if rec := s.root.do(c.req(f, true)); !ok(rec.Code) {
					t.Errorf("%s as the root admin: %d, want success: %.300s", rt.Pattern, rec.Code, rec.Body.String())
				}
			}
		}
	})
}
