package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/pii"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// harness is a complete site on a real database with a settable clock.
type harness struct {
	t       testing.TB
	db      *store.DB
	clock   *storetest.Clock
	acc     *account.Service
	srv     *Server
	h       http.Handler
	cookies *SessionCookies
	log     *syncBuffer
}

// syncBuffer collects the server's log lines (handlers log from several goroutines).
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// testAccountConfig is the production rule set with cheap hashing, so tests run quickly; the
// figures test uses the production parameters.
// testSecrets is the data key the tests' account services seal second-factor secrets with.
func testSecrets(t testing.TB) *pii.Protector {
	p, err := pii.New(bytes.Repeat([]byte{7}, pii.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func testAccountConfig() account.Config {
	c := account.DefaultConfig()
	c.Argon2 = account.Argon2Params{MemoryKiB: 512, Time: 1, Threads: 1}
	c.Hashes = account.GateConfig{Concurrent: 4}
	// Staff sign in with a password alone unless a test asks for the second factor.
	c.StaffMFARequired = false
	return c
}

type harnessOpt func(*account.Config, *SessionCookies)

var start = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// each runs fn against SQLite and PostgreSQL, each with its own clock and site.
func each(t *testing.T, fn func(t *testing.T, h *harness), opts ...harnessOpt) {
	t.Helper()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			clock := storetest.NewClock(start)
			o := storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}
			var db *store.DB
			if dialect == "sqlite" {
				db = storetest.SQLite(t, o)
			} else {
				db = storetest.Postgres(t, o)
			}
			fn(t, newHarness(t, db, clock, opts...))
		})
	}
}

func newHarness(t testing.TB, db *store.DB, clock *storetest.Clock, opts ...harnessOpt) *harness {
	cfg := testAccountConfig()
	cookies := &SessionCookies{}
	for _, o := range opts {
		o(&cfg, cookies)
	}
	if cfg.Secrets == nil {
		cfg.Secrets = testSecrets(t)
	}
	cfg.Now = clock.Now
	acc, err := account.NewService(cfg, store.AccountRunner(db), db.IsUniqueViolation)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	cookies.Accounts, cookies.Log = acc, log
	srv, err := New(Deps{Log: log, DB: db, Sessions: cookies, Accounts: acc, Cookies: cookies, Addrs: cookies.Addrs, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, db: db, clock: clock, acc: acc, srv: srv, h: srv.Handler(), cookies: cookies, log: logs}
}

// client is one browser: its cookie and its address.
type client struct {
	h      *harness
	cookie *http.Cookie
	addr   string
	tls    bool
}

func (h *harness) client(addr string) *client { return &client{h: h, addr: addr} }

func (c *client) do(req *http.Request) *httptest.ResponseRecorder {
	c.h.t.Helper()
	req.RemoteAddr = c.addr + ":40000"
	if c.tls {
		req.TLS = &tlsState
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	rec := httptest.NewRecorder()
	c.h.h.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if strings.HasSuffix(ck.Name, "qc_session") {
			if ck.MaxAge < 0 {
				c.cookie = nil
			} else {
				c.cookie = ck
			}
		}
	}
	return rec
}

func (c *client) get(path string) *httptest.ResponseRecorder {
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

func (c *client) postJSON(path string, body any) *httptest.ResponseRecorder {
	b, err := json.Marshal(body)
	if err != nil {
		c.h.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

func (c *client) postForm(path string, v url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// captcha returns a fresh challenge id and its answer.
func (h *harness) captcha() (string, string) {
	h.t.Helper()
	id, ans, err := h.acc.CaptchaAnswerForTest(context.Background(), "test")
	if err != nil {
		h.t.Fatal(err)
	}
	return id, ans
}

const (
	testCode     = "91350100M000100Y43"
	testCode2    = "911100001000044477"
	testPassword = "Quota#2026a"
)

// register creates an employer through the API.
func (c *client) register(code string) *httptest.ResponseRecorder {
	id, ans := c.h.captcha()
	return c.postJSON("/api/v1/register", map[string]string{"creditCode": code, "name": "长春市测试科技有限公司",
		"password": testPassword, "contactName": "王晓明", "contactPhone": "13812345678", "captchaId": id, "captcha": ans})
}

// login signs in through the API (employer when who is a credit code, staff otherwise).
func (c *client) login(who, password string) *httptest.ResponseRecorder {
	id, ans := c.h.captcha()
	body := map[string]string{"password": password, "captchaId": id, "captcha": ans}
	if len(who) == 18 {
		body["creditCode"] = who
	} else {
		body["username"] = who
	}
	return c.postJSON("/api/v1/login", body)
}

// staff creates a staff account directly through the service (as the system).
func (h *harness) staff(username string, role actor.Role, office string) int64 {
	h.t.Helper()
	id, err := h.acc.CreateStaff(context.Background(), actor.System("test"), account.StaffInput{Username: username,
		Password: testPassword, Role: role, Office: office})
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

func wantStatus(t testing.TB, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d; body: %.600s", rec.Code, want, rec.Body.String())
	}
}

func errorBody(t testing.TB, rec *httptest.ResponseRecorder) (code, message string, fields map[string]string) {
	t.Helper()
	var b struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("error body not JSON: %v: %s", err, rec.Body.String())
	}
	return b.Error.Code, b.Error.Message, b.Error.Fields
}

func strconvI(n int64) string { return strconv.FormatInt(n, 10) }

// storeTx names the store's transaction type for the audit helper.
type storeTx = store.Tx
