package web

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/employer"
	"quotacert/internal/oidc"
	"quotacert/internal/refdata"
	"quotacert/internal/review"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
	"quotacert/internal/testidp"
)

// platformSite is quotacert behind the test identity platform (a real OpenID provider on loopback),
// both over real HTTP, on a real database.
type platformSite struct {
	t    *testing.T
	db   *store.DB
	acc  *account.Service
	idp  *testidp.Server
	rp   *oidc.Client
	site *httptest.Server
	log  *syncBuffer
	acfg account.Config
	rcfg oidc.Config
}

const (
	platformSecret = "test-client-secret"
	legalUser      = "new-legal"
	legalCode      = "91350100M000100Y43" // the valid code of the registration tests (testCode)
	legalOrg       = "吉林省新申报示例有限公司"
)

type platformOpt func(*account.Config, *oidc.Config)

// eachPlatform runs fn on SQLite and PostgreSQL, each with its own provider and site.
func eachPlatform(t *testing.T, fn func(t *testing.T, p *platformSite), opts ...platformOpt) {
	t.Helper()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			o := storetest.Options{Steps: []store.Step{refdata.Step()}}
			var db *store.DB
			if dialect == "sqlite" {
				db = storetest.SQLite(t, o)
			} else {
				db = storetest.Postgres(t, o)
			}
			fn(t, newPlatformSite(t, db, opts...))
		})
	}
}

func newPlatformSite(t *testing.T, db *store.DB, opts ...platformOpt) *platformSite {
	t.Helper()
	idp, err := testidp.Start(testidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })

	// The site's address must be known before the relying party (its redirect URL) exists.
	var handler http.Handler = http.NotFoundHandler()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(site.Close)

	acfg := testAccountConfig()
	acfg.CaptchaRequired = false
	acfg.Platform, acfg.LocalRegister, acfg.LocalLogin = true, false, true
	acfg.Secrets = testSecrets(t)
	rcfg := oidc.Config{Issuer: idp.Issuer(), ClientID: "quotacert", ClientSecret: platformSecret, BaseURL: site.URL}
	for _, o := range opts {
		o(&acfg, &rcfg)
	}
	acc, err := account.NewService(acfg, store.AccountRunner(db), db.IsUniqueViolation)
	if err != nil {
		t.Fatal(err)
	}
	rp, err := oidc.New(rcfg, store.NewPendingLogins(db))
	if err != nil {
		t.Fatal(err)
	}
	idp.AddClient(testidp.Client{ID: "quotacert", Secret: platformSecret, RedirectURIs: []string{site.URL + oidc.CallbackPath},
		PostLogoutRedirectURIs: []string{site.URL + oidc.PostLogoutPath}})
	idp.AddUser(testidp.User{Username: legalUser, Password: "pw-legal", Claims: map[string]any{"user_type": "legal",
		"uscc": legalCode, "org_name": legalOrg, "name": "李红", "phone_number": "0431-88886666"}})
	idp.AddUser(testidp.User{Username: "person", Password: "pw-person", Claims: map[string]any{"user_type": "natural", "name": "张三"}})
	idp.AddUser(testidp.User{Username: "bad-check", Password: "pw-bad", Claims: map[string]any{"user_type": "legal",
		"uscc": "91350100M000100Y44", "org_name": "校验位错误有限公司"}})

	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	cookies := &SessionCookies{Accounts: acc, Log: log}
	srv, err := New(Deps{Log: log, DB: db, Sessions: cookies, Accounts: acc, Cookies: cookies,
		Employers: employer.NewService(store.EmployerRunner(db)), Reviews: review.NewService(store.ReviewRunner(db), nil, time.Now),
		Platform: rp})
	if err != nil {
		t.Fatal(err)
	}
	handler = srv.Handler()
	return &platformSite{t: t, db: db, acc: acc, idp: idp, rp: rp, site: site, log: logs, acfg: acfg, rcfg: rcfg}
}

// otherInstance is a second quotacert instance on the same database, as behind a load balancer: its
// own relying party and services, nothing shared in memory with the first.
func (p *platformSite) otherInstance(t *testing.T) *httptest.Server {
	t.Helper()
	acc, err := account.NewService(p.acfg, store.AccountRunner(p.db), p.db.IsUniqueViolation)
	if err != nil {
		t.Fatal(err)
	}
	rp, err := oidc.New(p.rcfg, store.NewPendingLogins(p.db))
	if err != nil {
		t.Fatal(err)
	}
	cookies := &SessionCookies{Accounts: acc}
	srv, err := New(Deps{DB: p.db, Sessions: cookies, Accounts: acc, Cookies: cookies,
		Employers: employer.NewService(store.EmployerRunner(p.db)), Platform: rp})
	if err != nil {
		t.Fatal(err)
	}
	site := httptest.NewServer(srv.Handler())
	t.Cleanup(site.Close)
	return site
}

// visitor is one browser: a cookie jar, following redirects across both sites.
type visitor struct {
	t      *testing.T
	p      *platformSite
	jar    *cookiejar.Jar
	client *http.Client
}

func (p *platformSite) visitor() *visitor {
	jar, _ := cookiejar.New(nil)
	v := &visitor{t: p.t, p: p, jar: jar}
	v.client = &http.Client{Jar: jar, Timeout: 20 * time.Second}
	return v
}

// page is an answer after the redirects: where the browser ended, its status and text.
type page struct {
	URL    *url.URL
	Status int
	Body   string
}

func (v *visitor) do(req *http.Request, stopAtCallback bool) page {
	v.t.Helper()
	c := *v.client
	if stopAtCallback {
		c.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
			if r.URL.Path == oidc.CallbackPath {
				return http.ErrUseLastResponse
			}
			return nil
		}
	}
	res, err := c.Do(req)
	if err != nil {
		v.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	u := res.Request.URL
	if loc := res.Header.Get("Location"); stopAtCallback && loc != "" {
		u, _ = res.Request.URL.Parse(loc)
	}
	return page{URL: u, Status: res.StatusCode, Body: string(b)}
}

func (v *visitor) get(u string) page {
	v.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return v.do(req, false)
}

func (v *visitor) post(u string, form url.Values, stopAtCallback bool) page {
	v.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return v.do(req, stopAtCallback)
}

// toPlatform clicks 我要申报 and returns the platform's login page.
func (v *visitor) toPlatform() page {
	v.t.Helper()
	pg := v.get(v.p.site.URL + oidc.StartPath)
	if pg.URL.Host != mustHost(v.t, v.p.idp.Issuer()) || !strings.Contains(pg.Body, "密码登录") {
		v.t.Fatalf("我要申报 did not lead to the platform's login page: %s %d\n%.500s", pg.URL, pg.Status, pg.Body)
	}
	return pg
}

// atPlatform fills the platform's login form (action login or deny). With stop, the browser stops
// before the callback and the callback URL is returned in URL; otherwise it follows to the end.
func (v *visitor) atPlatform(login page, user, password, action string, stop bool) page {
	v.t.Helper()
	id := login.URL.Query().Get("authRequestID")
	if id == "" {
		v.t.Fatalf("platform login page without authRequestID: %s", login.URL)
	}
	return v.post(v.p.idp.Issuer()+"/login", url.Values{"authRequestID": {id}, "username": {user}, "password": {password},
		"action": {action}}, stop)
}

// signIn goes through the platform as user and returns the page quotacert lands on.
func (v *visitor) signIn(user, password string) page {
	v.t.Helper()
	return v.atPlatform(v.toPlatform(), user, password, "login", false)
}

func mustHost(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Host
}

func wantPage(t *testing.T, pg page, status int, path string, texts ...string) {
	t.Helper()
	if pg.Status != status || (path != "" && pg.URL.Path != path) {
		t.Fatalf("got %d at %s, want %d at %s\n%.1500s", pg.Status, pg.URL, status, path, pg.Body)
	}
	for _, s := range texts {
		if !strings.Contains(pg.Body, s) {
			t.Errorf("page at %s lacks %q\n%.1500s", pg.URL, s, pg.Body)
		}
	}
}

func (p *platformSite) audit(t *testing.T) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	err := p.db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.AuditSince(context.Background(), time.Time{}, 1000)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hasAudit(entries []audit.Entry, action string, outcome audit.Outcome, detail string) bool {
	for _, e := range entries {
		if e.Action == action && e.Outcome == outcome && strings.Contains(e.Detail, detail) {
			return true
		}
	}
	return false
}

// signedInAs reports the employer the visitor's quotacert session belongs to ("" when signed out).
func (v *visitor) signedInAs() string {
	v.t.Helper()
	pg := v.get(v.p.site.URL + "/employer")
	if pg.URL.Path != "/employer" || pg.Status != http.StatusOK {
		return ""
	}
	return pg.Body
}

// TestPlatformFirstSignInAndLogout: a new legal person signs in through the platform, the employer
// is created from the claims and the browser lands at 单位信息维护管理; the logout ends the local
// session and the platform's (RP-initiated logout), and the next sign-in asks the password again.
func TestPlatformFirstSignInAndLogout(t *testing.T) {
	eachPlatform(t, func(t *testing.T, p *platformSite) {
		v := p.visitor()
		login := v.get(p.site.URL + "/login")
		wantPage(t, login, 200, "/login", "我要申报", `href="/login/oidc"`, "法人登录")
		if strings.Contains(login.Body, `href="/register"`) {
			t.Error("the login page offers local registration although it is off behind the platform")
		}

		pg := v.signIn(legalUser, "pw-legal")
		wantPage(t, pg, 200, "/employer", "单位信息维护管理", "本系统已为贵单位建立账号", legalOrg, "李红", "0431-88886666")
		if pg.URL.Query().Get("done") != "platform-created" {
			t.Errorf("landed at %s, want the first sign-in's notice", pg.URL)
		}
		entries := p.audit(t)
		if !hasAudit(entries, "register", audit.Success, "first sign-in through the unified identity platform") {
			t.Error("the employer's creation through the platform was not audited")
		}
		if !hasAudit(entries, "login.platform", audit.Success, p.idp.Issuer()) {
			t.Error("the platform sign-in was not audited")
		}
		if !p.idp.HasSession(legalUser) {
			t.Fatal("the platform has no session after the sign-in")
		}

		// A second sign-in in the same browser is the same employer, not a new one.
		v.get(p.site.URL + "/") // nothing changes
		out := v.post(p.site.URL+"/logout", url.Values{}, false)
		wantPage(t, out, 200, platformLogoutPath, "您已退出本系统", `http-equiv="refresh"`)
		out = v.get(refreshTarget(t, out.Body))
		wantPage(t, out, 200, "/login", "我要申报")
		if p.idp.HasSession(legalUser) {
			t.Error("logout did not end the platform session (RP-initiated logout)")
		}
		if v.signedInAs() != "" {
			t.Error("the local session outlived the logout")
		}
		// The platform session ended, so the next sign-in asks the password again.
		again := v.toPlatform()
		if !strings.Contains(again.Body, `name="password"`) {
			t.Fatalf("after the logout the platform did not ask the password again:\n%.500s", again.Body)
		}
		pg = v.atPlatform(again, legalUser, "pw-legal", "login", false)
		wantPage(t, pg, 200, "/", "")
		if v.signedInAs() == "" {
			t.Error("the returning employer is not signed in")
		}
		var employers int
		if err := p.db.SQL().QueryRow(`SELECT COUNT(*) FROM employers WHERE credit_code = $1`, legalCode).Scan(&employers); err != nil || employers != 1 {
			t.Errorf("employers of the code = %d (%v), want 1", employers, err)
		}
	})
}

// refreshTarget is where a page's meta refresh sends the browser (the Go client does not follow it).
func refreshTarget(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`<meta http-equiv="refresh" content="0;url=([^"]+)">`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no meta refresh in\n%.800s", body)
	}
	return html.UnescapeString(m[1])
}

// TestPlatformLinksLocalEmployer: an employer that registered here with the same credit code is
// linked (audited), keeps its data, and the sessions opened with the local password end.
func TestPlatformLinksLocalEmployer(t *testing.T) {
	eachPlatform(t, func(t *testing.T, p *platformSite) {
		ctx := context.Background()
		local, err := p.acc.Register(ctx, account.RegisterInput{CreditCode: legalCode, Name: "本地注册的单位", ContactName: "王晓明",
			ContactPhone: "13812345678", Password: testPassword, ClientAddr: "198.51.100.7"})
		if err != nil {
			t.Fatal(err)
		}
		old, err := p.acc.Login(ctx, account.LoginInput{CreditCode: legalCode, Password: testPassword, ClientAddr: "198.51.100.7"})
		if err != nil {
			t.Fatal(err)
		}

		v := p.visitor()
		pg := v.signIn(legalUser, "pw-legal")
		wantPage(t, pg, 200, "/employer", "单位信息维护管理", "原有的账号已与统一身份认证平台账号关联", "本地注册的单位")
		if _, ok, err := p.acc.Resolve(ctx, old.Token, "198.51.100.7"); err != nil || ok {
			t.Errorf("the password session survived the link (ok %v, err %v)", ok, err)
		}
		var n int
		if err := p.db.SQL().QueryRow(`SELECT COUNT(*) FROM employers`).Scan(&n); err != nil || n != 1 {
			t.Errorf("employers = %d (%v): the link made a new employer", n, err)
		}
		var linked int64
		if err := p.db.SQL().QueryRow(`SELECT user_id FROM platform_links WHERE subject = $1`, "sub-"+legalUser).Scan(&linked); err != nil || linked != local.UserID {
			t.Errorf("platform link to user %d (%v), want %d", linked, err, local.UserID)
		}
		if !hasAudit(p.audit(t), "platform.link", audit.Success, "sub-"+legalUser) {
			t.Error("the link was not audited")
		}
	}, func(a *account.Config, _ *oidc.Config) { a.LocalRegister = true })
}

// TestPlatformSquattingRefused: behind the platform local registration is off by default, and even
// when it is switched on, a credit code that signed in through the platform cannot be registered.
func TestPlatformSquattingRefused(t *testing.T) {
	t.Run("registration off by default", func(t *testing.T) {
		eachPlatform(t, func(t *testing.T, p *platformSite) {
			v := p.visitor()
			wantPage(t, v.get(p.site.URL+"/register"), 403, "/register", "无需在本系统注册", "我要申报")
			pg := v.post(p.site.URL+"/register", url.Values{"creditCode": {legalCode}, "name": {"抢注的单位"}, "contactName": {"王晓明"},
				"contactPhone": {"13812345678"}, "password": {testPassword}, "password2": {testPassword}}, false)
			wantPage(t, pg, 403, "", "无需在本系统注册")
			if !hasAudit(p.audit(t), "register", audit.Failure, "local registration is off") {
				t.Error("the refused registration was not audited")
			}
			var n int
			if err := p.db.SQL().QueryRow(`SELECT COUNT(*) FROM employers`).Scan(&n); err != nil || n != 0 {
				t.Errorf("employers = %d (%v) after a refused registration", n, err)
			}
		})
	})
	t.Run("platform-known code refused", func(t *testing.T) {
		eachPlatform(t, func(t *testing.T, p *platformSite) {
			v := p.visitor()
			wantPage(t, v.signIn(legalUser, "pw-legal"), 200, "/employer")
			_, err := p.acc.Register(context.Background(), account.RegisterInput{CreditCode: legalCode, Name: "抢注的单位",
				ContactName: "王晓明", ContactPhone: "13812345678", Password: testPassword, ClientAddr: "203.0.113.9"})
			if e := apperr.As(err); err == nil || e.Fields["creditCode"] != account.MsgPlatformKnown {
				t.Fatalf("registration of a platform-known code: err = %v, want %q", err, account.MsgPlatformKnown)
			}
		}, func(a *account.Config, _ *oidc.Config) { a.LocalRegister = true })
	})
	t.Run("employer password login off", func(t *testing.T) {
		eachPlatform(t, func(t *testing.T, p *platformSite) {
			v := p.visitor()
			login := v.get(p.site.URL + "/login")
			if strings.Contains(login.Body, `id="creditCode"`) {
				t.Error("the employer password form is shown although --local-login is off")
			}
			pg := v.post(p.site.URL+"/login", url.Values{"kind": {"employer"}, "creditCode": {legalCode}, "password": {testPassword}}, false)
			wantPage(t, pg, 403, "", account.MsgLocalLoginOff)
		}, func(a *account.Config, _ *oidc.Config) { a.LocalLogin = false })
	})
}

// TestPlatformRefusals: every way a platform sign-in can fail ends on a Chinese page with the reason,
// the request id and (where another try can help) a retry link; never a 500, never a session.
func TestPlatformRefusals(t *testing.T) {
	eachPlatform(t, func(t *testing.T, p *platformSite) {
		type want struct {
			status int
			text   string
			retry  bool
		}
		check := func(t *testing.T, v *visitor, pg page, w want) {
			t.Helper()
			wantPage(t, pg, w.status, oidc.CallbackPath, w.text, "请求编号")
			if got := strings.Contains(pg.Body, `href="/login/oidc"`); got != w.retry {
				t.Errorf("retry link shown = %v, want %v", got, w.retry)
			}
			if v.signedInAs() != "" {
				t.Error("a refused sign-in left a session")
			}
		}
		t.Run("forged ID token (wrong key)", func(t *testing.T) {
			v := p.visitor()
			p.idp.TamperNextIDToken(testidp.SignWithForeignKey())
			check(t, v, v.signIn(legalUser, "pw-legal"), want{400, "身份凭证未通过校验", true})
		})
		t.Run("token for another audience", func(t *testing.T) {
			v := p.visitor()
			p.idp.TamperNextIDToken(testidp.Audience("another-client"))
			check(t, v, v.signIn(legalUser, "pw-legal"), want{400, "身份凭证未通过校验", true})
		})
		t.Run("natural person", func(t *testing.T) {
			v := p.visitor()
			pg := v.signIn("person", "pw-person")
			check(t, v, pg, want{403, "用人单位申报须使用法人账号", false})
			if !strings.Contains(pg.Body, "退出统一身份认证平台，换用法人账号登录") {
				t.Error("the natural person is not offered to leave the platform session")
			}
			if !hasAudit(p.audit(t), "login.platform", audit.Failure, "natural_person") {
				t.Error("the natural person's refusal was not audited")
			}
		})
		t.Run("credit code with a wrong check character", func(t *testing.T) {
			v := p.visitor()
			check(t, v, v.signIn("bad-check", "pw-bad"), want{400, "校验位错误", false})
			var n int
			if err := p.db.SQL().QueryRow(`SELECT COUNT(*) FROM employers`).Scan(&n); err != nil || n != 0 {
				t.Errorf("employers = %d (%v) after a bad credit code", n, err)
			}
		})
		t.Run("consent denied", func(t *testing.T) {
			v := p.visitor()
			check(t, v, v.atPlatform(v.toPlatform(), "", "", "deny", false), want{403, "取消了授权", true})
		})
		t.Run("expired code", func(t *testing.T) {
			v := p.visitor()
			cb := v.atPlatform(v.toPlatform(), legalUser, "pw-legal", "login", true)
			p.idp.ExpireCodes()
			check(t, v, v.get(cb.URL.String()), want{400, "授权已失效", true})
		})
		t.Run("replayed state", func(t *testing.T) {
			v := p.visitor()
			cb := v.atPlatform(v.toPlatform(), legalUser, "pw-legal", "login", true)
			state := ""
			for _, c := range v.jar.Cookies(cb.URL) {
				if c.Name == platformStateCookie {
					state = c.Value
				}
			}
			if state == "" {
				t.Fatal("no state cookie for the callback")
			}
			wantPage(t, v.get(cb.URL.String()), 200, "")
			// Someone who copied the callback URL and the state cookie replays them.
			thief := p.visitor()
			thief.jar.SetCookies(cb.URL, []*http.Cookie{{Name: platformStateCookie, Value: state, Path: oidc.CallbackPath}})
			check(t, thief, thief.get(cb.URL.String()), want{400, "该登录请求已经使用过", true})
		})
		t.Run("callback from another browser", func(t *testing.T) {
			v := p.visitor()
			cb := v.atPlatform(v.toPlatform(), legalUser, "pw-legal", "login", true)
			other := p.visitor()
			check(t, other, other.get(cb.URL.String()), want{400, "在另一个浏览器窗口中发起", true})
		})
		if strings.Contains(p.log.String(), `"level":"ERROR"`) {
			t.Errorf("a refusal was logged as an internal error:\n%s", p.log.String())
		}
	})
}

// TestPlatformUnreachable: an issuer that does not answer gives the Chinese page (502) at 我要申报.
func TestPlatformUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	eachPlatform(t, func(t *testing.T, p *platformSite) {
		v := p.visitor()
		pg := v.get(p.site.URL + oidc.StartPath)
		wantPage(t, pg, 502, oidc.StartPath, "暂时无法连接统一身份认证平台", "请求编号", `href="/login/oidc"`)
	}, func(_ *account.Config, r *oidc.Config) { r.Issuer = dead })
}

// TestPlatformStaff: a platform user whose staff claim names an existing staff account signs in as
// it; a staff claim naming no account is refused, and no account is created.
func TestPlatformStaff(t *testing.T) {
	eachPlatform(t, func(t *testing.T, p *platformSite) {
		ctx := context.Background()
		if _, err := p.acc.CreateStaff(ctx, actor.System("test"), account.StaffInput{Username: "reviewer1", Password: testPassword,
			Role: actor.Reviewer, Office: "220000"}); err != nil {
			t.Fatal(err)
		}
		p.idp.AddUser(testidp.User{Username: "staff-ok", Password: "pw", Claims: map[string]any{"user_type": "natural", "staff_account": "Reviewer1"}})
		p.idp.AddUser(testidp.User{Username: "staff-unknown", Password: "pw", Claims: map[string]any{"user_type": "natural", "staff_account": "nobody"}})

		v := p.visitor()
		pg := v.signIn("staff-ok", "pw")
		wantPage(t, pg, 200, "/review", "退出登录") // staff land on their work
		var users int
		v2 := p.visitor()
		pg = v2.signIn("staff-unknown", "pw")
		wantPage(t, pg, 403, oidc.CallbackPath, "没有对应的账号", "请求编号")
		if err := p.db.SQL().QueryRow(`SELECT COUNT(*) FROM users WHERE username = 'nobody'`).Scan(&users); err != nil || users != 0 {
			t.Errorf("a staff account was created through the platform (%d, %v)", users, err)
		}
	}, func(_ *account.Config, r *oidc.Config) {
		r.Claims = oidc.DefaultClaims()
		r.Claims.StaffUsername = "staff_account"
	})
}

// TestPlatformFirstSignInConcurrent: the same new legal person completing two sign-ins at once (two
// tabs, a double submit) gets one employer and one link, and both sign-ins succeed.
func TestPlatformFirstSignInConcurrent(t *testing.T) {
	eachPlatform(t, func(t *testing.T, p *platformSite) {
		in := account.PlatformLoginInput{ClientAddr: "203.0.113.5", Identity: account.PlatformIdentity{Issuer: p.idp.Issuer(),
			Subject: "sub-twice", Kind: account.PlatformEmployer, CreditCode: legalCode, OrgName: legalOrg}}
		const n = 4
		errs := make(chan error, n)
		created := make(chan bool, n)
		for range n {
			go func() {
				res, err := p.acc.PlatformLogin(context.Background(), in)
				errs <- err
				created <- res.Created
			}()
		}
		made := 0
		for range n {
			if err := <-errs; err != nil {
				t.Errorf("concurrent first sign-in: %v", err)
			}
			if <-created {
				made++
			}
		}
		var employers, links int
		if err := p.db.SQL().QueryRow(`SELECT COUNT(*) FROM employers`).Scan(&employers); err != nil {
			t.Fatal(err)
		}
		if err := p.db.SQL().QueryRow(`SELECT COUNT(*) FROM platform_links`).Scan(&links); err != nil {
			t.Fatal(err)
		}
		if employers != 1 || links != 1 || made != 1 {
			t.Errorf("employers %d, links %d, created %d times; want 1 each", employers, links, made)
		}
	})
}

// TestPlatformOtherInstance: a sign-in started on one instance completes on another (the pending
// sign-in is in the database), once: the first instance cannot complete it again.
func TestPlatformOtherInstance(t *testing.T) {
	eachPlatform(t, func(t *testing.T, p *platformSite) {
		b := p.otherInstance(t)
		v := p.visitor()
		cb := v.atPlatform(v.toPlatform(), legalUser, "pw-legal", "login", true)
		// The load balancer sends the callback to instance B (cookies do not depend on the port).
		atB := *cb.URL
		atB.Host = mustHost(t, b.URL)
		pg := v.get(atB.String())
		wantPage(t, pg, 200, "/employer", "单位信息维护管理", legalOrg)
		if pg.URL.Host != atB.Host {
			t.Fatalf("ended at %s, want instance B", pg.URL)
		}
		// The session made by B is valid on A.
		if v.signedInAs() == "" {
			t.Error("the session from instance B is unknown to instance A")
		}
		// The same callback at A, with the state cookie again: already used.
		thief := p.visitor()
		thief.jar.SetCookies(cb.URL, []*http.Cookie{{Name: platformStateCookie, Value: stateOf(t, cb.URL), Path: oidc.CallbackPath}})
		wantPage(t, thief.get(cb.URL.String()), 400, oidc.CallbackPath, "该登录请求已经使用过")
	})
}

// stateOf is the state the platform sent back in a callback URL.
func stateOf(t *testing.T, cb *url.URL) string {
	t.Helper()
	s := cb.Query().Get("state")
	if s == "" {
		t.Fatalf("callback without state: %s", cb)
	}
	return s
}
