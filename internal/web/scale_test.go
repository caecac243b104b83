package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"quotacert/internal/metrics"
)

// TestDatabaseFaultIsNotSignedOut: when the database fails while the session is read, a
// signed-in user is told the database is unavailable (503, in Chinese) — never "登录已失效" —
// and keeps the session cookie; once the database is back the same cookie works.
func TestDatabaseFaultIsNotSignedOut(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.0.0.9")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		wantStatus(t, c.login(testCode, testPassword), http.StatusOK)
		wantStatus(t, c.get("/account/password"), http.StatusOK)
		cookie := c.cookie
		// Closing the pools makes every query fail as a dead database does.
		if err := h.db.Close(); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/account/password", "/api/v1/employer"} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if strings.HasPrefix(path, "/api/") {
				req.Header.Set("Accept", "application/json")
			}
			rec := c.do(req)
			body := rec.Body.String()
			if rec.Code != http.StatusServiceUnavailable || strings.Contains(body, "登录已失效") || !strings.Contains(body, "稍后重试") {
				t.Errorf("GET %s with the database down: %d %.300s", path, rec.Code, body)
			}
			if c.cookie != cookie {
				t.Errorf("GET %s with the database down cleared the session cookie", path)
			}
		}
		// Static assets need no database at all.
		if rec := c.get("/static/style.css"); rec.Code != http.StatusOK {
			t.Errorf("static asset with the database down: %d", rec.Code)
		}
	})
}

// TestStaticAssetsReadNoSession: a signed-in request for a static asset begins no transaction.
func TestStaticAssetsReadNoSession(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.0.0.10")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		wantStatus(t, c.login(testCode, testPassword), http.StatusOK)
		before := h.db.Transactions()
		for range 5 {
			wantStatus(t, c.get("/static/style.css"), http.StatusOK)
		}
		if n := h.db.Transactions() - before; n != 0 {
			t.Errorf("5 signed-in static requests began %d transactions, want 0", n)
		}
		before = h.db.Transactions()
		wantStatus(t, c.get("/account/password"), http.StatusOK)
		st := h.db.Stats()
		if n := h.db.Transactions() - before; n != 1 {
			t.Errorf("a signed-in page began %d transactions, want 1 (the session, read-only)", n)
		}
		if st.ReadOnly == 0 {
			t.Error("the session was not read in a read-only transaction")
		}
	})
}

// TestReadyAndMetrics: /readyz answers 503 naming the failed check and 200 when all pass;
// /metrics carries request durations labelled by route pattern (not the raw path) and status, and
// is absent from the site when the figures have a listener of their own.
func TestReadyAndMetrics(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		failing := errors.New("blob store down")
		var blobErr error = failing
		m := metrics.New("test")
		m.DB(h.db.Stats)
		m.LoginQueue(h.acc.LoginQueue)
		srv, err := New(Deps{Log: h.srv.deps.Log, DB: h.db, Sessions: h.cookies, Accounts: h.acc, Cookies: h.cookies,
			Now: h.clock.Now, Metrics: m, MetricsPublic: true, Ready: []ReadyCheck{
				{Name: "schema", Check: h.db.SchemaCurrent},
				{Name: "storage", Check: func(ctx context.Context) error { return h.db.WriteProbe(ctx, "") }},
				{Name: "blobs", Check: func(context.Context) error { return blobErr }},
			}})
		if err != nil {
			t.Fatal(err)
		}
		site := srv.Handler()
		get := func(path string) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			site.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			return rec
		}
		if rec := get("/readyz"); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"blobs"`) ||
			strings.Contains(rec.Body.String(), `"schema"`) || strings.Contains(rec.Body.String(), "blob store down") {
			t.Errorf("readyz with the blob store down: %d %s", rec.Code, rec.Body)
		}
		blobErr = nil
		srv.ready.at = srv.ready.at.Add(-2 * readyFor) // the cached answer is over
		if rec := get("/readyz"); rec.Code != http.StatusOK {
			t.Errorf("readyz with everything up: %d %s", rec.Code, rec.Body)
		}
		for range 3 {
			get("/placements/12345")
		}
		get("/static/style.css")
		rec := get("/metrics")
		body := rec.Body.String()
		for _, want := range []string{
			`quotacert_http_request_duration_seconds_count{code="303",method="GET",route="GET /placements/{id}"} 3`,
			`quotacert_http_request_duration_seconds_count{code="200",method="GET",route="GET /static/"} 1`,
			`quotacert_db_transactions_total{mode="read"}`,
			`quotacert_db_connections{pool="write",state="idle"}`,
			`quotacert_login_queue_waiting 0`,
			`quotacert_build_info{version="test"} 1`,
			`quotacert_imports_running 0`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if strings.Contains(body, "/placements/12345") {
			t.Error("metrics label a raw path")
		}
		srv.deps.MetricsPublic = false
		if rec := get("/metrics"); rec.Code != http.StatusNotFound {
			t.Errorf("/metrics on the site with --metrics-addr: %d", rec.Code)
		}
	})
}
