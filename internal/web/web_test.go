package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"quotacert/internal/account"
	"quotacert/internal/pii"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
	"quotacert/internal/web"
)

// testSecrets is the data key the tests' account services seal second-factor secrets with.
func testSecrets(t testing.TB) account.Sealer {
	p, err := pii.New(bytes.Repeat([]byte{7}, pii.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func bareSite(t *testing.T, db web.Pinger) http.Handler {
	t.Helper()
	s, err := web.New(web.Deps{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler()
}

func get(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Result(), string(body)
}

func TestHealth(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		h := bareSite(t, db)
		res, body := get(t, h, "/healthz")
		if res.StatusCode != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
			t.Fatalf("healthz = %d %s", res.StatusCode, body)
		}
		if err := db.Close(); err != nil { // the database goes away: the instance must report it
			t.Fatal(err)
		}
		res, _ = get(t, h, "/healthz")
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("healthz with closed database = %d, want 503", res.StatusCode)
		}
	})
}

func TestPagesAndHeaders(t *testing.T) {
	h := bareSite(t, storetest.SQLite(t, storetest.Options{}))
	cases := []struct {
		path   string
		status int
		want   []string
	}{
		{"/", 200, []string{`<html lang="zh-CN">`, "我要申报", "单位信息维护管理", "残疾人安置管理", "通知公告"}},
		{"/login", 200, []string{"法人登录", `<label for="creditCode">统一社会信用代码`, `<label for="password">密码`,
			"工作人员登录", `aria-required="true"`}},
		{"/no/such/page", 404, []string{"页面不存在", "请求编号"}},
		{"/static/style.css", 200, []string{":focus-visible"}},
	}
	for _, c := range cases {
		res, body := get(t, h, c.path)
		if res.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.path, res.StatusCode, c.status)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: body lacks %q", c.path, w)
			}
		}
		hd := res.Header
		if csp := hd.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", c.path, csp)
		}
		if hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") == "" || hd.Get("X-Request-Id") == "" {
			t.Errorf("%s: missing security headers: %v", c.path, hd)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, " style=\"") {
			t.Errorf("%s: inline script or style would break the CSP", c.path)
		}
	}
}

func TestAPINotFoundIsJSON(t *testing.T) {
	h := bareSite(t, storetest.SQLite(t, storetest.Options{}))
	res, body := get(t, h, "/api/v1/nothing")
	if res.StatusCode != 404 || !strings.Contains(res.Header.Get("Content-Type"), "application/json") ||
		!strings.Contains(body, `"code":"not_found"`) {
		t.Fatalf("API 404 = %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	h := bareSite(t, storetest.SQLite(t, storetest.Options{}))
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("x=1"))
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req.WithContext(context.Background()))
	if rec.Code != http.StatusForbidden {
		t.Fatalf("cross-site POST = %d, want 403", rec.Code)
	}
}

func TestEveryRouteHasPolicy(t *testing.T) {
	s, err := web.New(web.Deps{DB: storetest.SQLite(t, storetest.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	valid := map[web.Policy]bool{web.Public: true, web.Employer: true, web.Staff: true, web.Admin: true, web.Any: true, web.StaffOrClient: true}
	seen := map[string]bool{}
	for _, r := range s.Routes() {
		if !valid[r.Policy] {
			t.Errorf("route %q has no valid policy (%q)", r.Pattern, r.Policy)
		}
		if r.Handler == nil {
			t.Errorf("route %q has no handler", r.Pattern)
		}
		if seen[r.Pattern] {
			t.Errorf("route %q listed twice", r.Pattern)
		}
		seen[r.Pattern] = true
	}
}
