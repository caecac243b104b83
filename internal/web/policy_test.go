package web

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"quotacert/internal/actor"
)

// knownPolicies are the policies the guard understands; anything else is a mistake.
var knownPolicies = map[Policy]bool{Public: true, Employer: true, Staff: true, Admin: true, Any: true}

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
	case Staff:
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
