package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/audit"
	"quotacert/internal/idnum"
)

func TestRegisterLoginLogoutAPI(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.0.0.1")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		// A second registration of the same code (double submit) is a conflict naming the field.
		rec := c.register(testCode)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		if _, _, f := errorBody(t, rec); !strings.Contains(f["creditCode"], "已注册") {
			t.Errorf("duplicate registration fields = %v", f)
		}
		rec = c.login(testCode, testPassword)
		wantStatus(t, rec, http.StatusOK)
		if !strings.Contains(rec.Body.String(), `"role":"employer"`) {
			t.Errorf("login body %s", rec.Body.String())
		}
		wantStatus(t, c.get("/account/password"), http.StatusOK)
		wantStatus(t, c.postJSON("/api/v1/logout", nil), http.StatusNoContent)
		if c.cookie != nil {
			t.Error("logout did not clear the cookie")
		}
		// The old token no longer works even if a client kept it.
		wantStatus(t, c.get("/account/password"), http.StatusSeeOther)

		// Lower-case credit code logs into the same account.
		wantStatus(t, c.login(strings.ToLower(testCode), testPassword), http.StatusOK)

		entries := auditSince(t, h)
		for _, want := range []string{"register", "login", "logout"} {
			if !hasAction(entries, want, audit.Success) {
				t.Errorf("no successful %q audit entry in %+v", want, entries)
			}
		}
	})
}

func auditSince(t *testing.T, h *harness) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	err := h.db.InTx(context.Background(), func(tx *storeTx) error {
		var err error
		out, err = tx.AuditSince(context.Background(), time.Time{}, 1000)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hasAction(entries []audit.Entry, action string, outcome audit.Outcome) bool {
	for _, e := range entries {
		if e.Action == action && e.Outcome == outcome {
			return true
		}
	}
	return false
}

func TestRegisterValidation(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.0.0.2")
		id, ans := h.captcha()
		rec := c.postJSON("/api/v1/register", map[string]string{"creditCode": "91350100M000100Y44", "name": "",
			"password": "password1", "contactName": "王", "contactPhone": "12345", "captchaId": id, "captcha": ans})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		_, _, f := errorBody(t, rec)
		for _, k := range []string{"creditCode", "name", "password", "contactName", "contactPhone"} {
			if f[k] == "" {
				t.Errorf("no error for field %s: %v", k, f)
			}
		}
		// Nothing was written: the code can still register after fixing the input.
		wantStatus(t, c.register(testCode), http.StatusCreated)

		// The HTML form keeps the values, never the password, and marks the fields.
		id, ans = h.captcha()
		rec = c.postForm("/register", url.Values{"creditCode": {testCode2}, "name": {"吉林测试单位"}, "contactName": {"李四"},
			"contactPhone": {"0431-88886666"}, "password": {testPassword}, "password2": {"Other#2026a"}, "captchaId": {id}, "captcha": {ans}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		body := rec.Body.String()
		for _, want := range []string{`value="吉林测试单位"`, `id="password2-error"`, `aria-invalid="true"`, "两次输入的密码不一致"} {
			if !strings.Contains(body, want) {
				t.Errorf("register page lacks %q", want)
			}
		}
		if strings.Contains(body, testPassword) {
			t.Error("register page echoes the password")
		}
		// Fixed, the form registers and redirects to the login page with a confirmation.
		id, ans = h.captcha()
		rec = c.postForm("/register", url.Values{"creditCode": {testCode2}, "name": {"吉林测试单位"}, "contactName": {"李四"},
			"contactPhone": {"0431-88886666"}, "password": {testPassword}, "password2": {testPassword}, "captchaId": {id}, "captcha": {ans}})
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/login?done=registered" {
			t.Fatalf("redirect to %q", loc)
		}
		if !strings.Contains(c.get("/login?done=registered").Body.String(), "注册成功") {
			t.Error("no registration success message")
		}
	})
}

func TestCaptchaRules(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.0.0.3")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		try := func(id, ans string) int {
			return c.postJSON("/api/v1/login", map[string]string{"creditCode": testCode, "password": testPassword,
				"captchaId": id, "captcha": ans}).Code
		}
		id, ans := h.captcha()
		if got := try(id, ans); got != http.StatusOK {
			t.Fatalf("right captcha: %d", got)
		}
		if got := try(id, ans); got != http.StatusUnprocessableEntity {
			t.Errorf("replayed captcha: %d, want 422", got)
		}
		id, ans = h.captcha()
		wrong := "00000"
		if ans == wrong {
			wrong = "11111"
		}
		if got := try(id, wrong); got != http.StatusUnprocessableEntity {
			t.Errorf("wrong captcha: %d", got)
		}
		if got := try(id, ans); got != http.StatusUnprocessableEntity {
			t.Errorf("right answer after a wrong one (captcha not deleted on failure): %d", got)
		}
		id, _ = h.captcha()
		if got := try(id, ""); got != http.StatusUnprocessableEntity {
			t.Errorf("empty captcha: %d", got)
		}
		if got := try("", ""); got != http.StatusUnprocessableEntity {
			t.Errorf("no captcha at all: %d", got)
		}
		// Expired.
		id, ans = h.captcha()
		h.clock.Advance(6 * time.Minute)
		if got := try(id, ans); got != http.StatusUnprocessableEntity {
			t.Errorf("expired captcha: %d", got)
		}
		// The captcha is checked before the password: a wrong password with a bad captcha does not
		// count towards the account lock.
		for i := 0; i < 6; i++ {
			c.postJSON("/api/v1/login", map[string]string{"creditCode": testCode, "password": "Wrong#2026a", "captchaId": "x", "captcha": "1"})
		}
		if got := c.login(testCode, testPassword).Code; got != http.StatusOK {
			t.Errorf("account locked by attempts that failed the captcha: %d", got)
		}
		// GET /api/v1/captcha gives a PNG data URL.
		rec := c.get("/api/v1/captcha")
		wantStatus(t, rec, http.StatusOK)
		if !strings.Contains(rec.Body.String(), `"image":"data:image/png;base64,`) {
			t.Errorf("captcha body %.100s", rec.Body.String())
		}
	})
}

func TestCaptchaOff(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.0.0.4")
		wantStatus(t, c.postJSON("/api/v1/register", map[string]string{"creditCode": testCode, "name": "测试单位",
			"password": testPassword, "contactName": "王五", "contactPhone": "13812345678"}), http.StatusCreated)
		wantStatus(t, c.postJSON("/api/v1/login", map[string]string{"creditCode": testCode, "password": testPassword}), http.StatusOK)
		if strings.Contains(c.get("/login").Body.String(), `name="captcha"`) {
			t.Error("login page shows a captcha although it is off")
		}
	}, func(c *account.Config, _ *SessionCookies) { c.CaptchaRequired = false })
}

// TestFailuresDoNotLockTheOwnerOut is issue 14's aimed lockout: five wrong passwords (with solved
// captchas) against a public credit code locked the employer for 30 minutes, the owner's right
// password included. Now failures slow down only the network they come from, with a growing delay.
func TestFailuresDoNotLockTheOwnerOut(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		owner := h.client("10.0.0.5")
		wantStatus(t, owner.register(testCode), http.StatusCreated)
		unknown := owner.login(testCode2, testPassword)
		wantStatus(t, unknown, http.StatusUnauthorized)
		_, unknownMsg, _ := errorBody(t, unknown)

		attacker := h.client("203.0.113.66")
		for i := 0; i < 5; i++ {
			rec := attacker.login(testCode, "Wrong#2026a")
			if rec.Code == http.StatusTooManyRequests {
				// The growing delay: the attacker's network waits before its next guess.
				if rec.Header().Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
				h.clock.Advance(time.Minute)
				rec = attacker.login(testCode, "Wrong#2026a")
			}
			wantStatus(t, rec, http.StatusUnauthorized)
			if _, msg, _ := errorBody(t, rec); msg != unknownMsg {
				t.Fatalf("wrong password says %q, unknown account %q: they must not differ", msg, unknownMsg)
			}
		}
		// The attacker's network must now wait (3 free failures, then 2 s doubling: 8 s after the 5th).
		rec := attacker.login(testCode, testPassword)
		wantStatus(t, rec, http.StatusTooManyRequests)
		if ra := rec.Header().Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("Retry-After %q", ra)
		}
		// The owner, from another network, with the right password and captcha, gets in at once.
		wantStatus(t, owner.login(testCode, testPassword), http.StatusOK)

		// The delay grows with each failure of that network and is capped.
		h.clock.Advance(9 * time.Second)
		wantStatus(t, attacker.login(testCode, "Wrong#2026a"), http.StatusUnauthorized) // 6th: 16 s
		h.clock.Advance(10 * time.Second)
		wantStatus(t, attacker.login(testCode, "Wrong#2026a"), http.StatusTooManyRequests)
		h.clock.Advance(7 * time.Second)
		wantStatus(t, attacker.login(testCode, "Wrong#2026a"), http.StatusUnauthorized)

		// The owner sees the failed attempts after signing in: when and from which network.
		id, ans := h.captcha()
		rec = owner.postJSON("/api/v1/login", map[string]string{"creditCode": testCode, "password": testPassword, "captchaId": id, "captcha": ans})
		wantStatus(t, rec, http.StatusOK)
		if !strings.Contains(rec.Body.String(), `"network":"203.0.113.0/24","count":2`) {
			t.Errorf("login answer lacks the failed attempts since the last sign-in: %s", rec.Body.String())
		}
		page := owner.get("/account/security")
		wantStatus(t, page, http.StatusOK)
		if !strings.Contains(page.Body.String(), "203.0.113.0/24") {
			t.Error("the security page does not list the failing network")
		}
		// A success from the attacker's network itself clears that network's count only.
		h.clock.Advance(time.Hour)
		wantStatus(t, attacker.login(testCode, testPassword), http.StatusOK)
		for i := 0; i < 3; i++ {
			wantStatus(t, attacker.login(testCode, "Wrong#2026a"), http.StatusUnauthorized)
		}
		if !hasAction(auditSince(t, h), "login", audit.Failure) {
			t.Error("failed logins are not audited")
		}
	})
}

// TestOneAddressCannotLockManyAccounts: one address kept ~12 accounts locked indefinitely. Now its
// failures stop it (the per-network limit) and none of the owners is kept out.
func TestOneAddressCannotLockManyAccounts(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		codes := []string{}
		for i := 0; len(codes) < 12; i++ {
			code := testCodeN(i)
			owner := h.client(fmt.Sprintf("10.2.%d.1", len(codes)))
			if owner.register(code).Code == http.StatusCreated {
				codes = append(codes, code)
			}
		}
		attacker := h.client("[2001:db8:1:2::66]")
		refused := 0
		for round := 0; round < 5; round++ {
			for _, code := range codes {
				// Changing the interface identifier does not help: the limit is per /64.
				attacker.addr = fmt.Sprintf("[2001:db8:1:2:%x::1]", round*16+len(code)%16)
				switch attacker.login(code, "Wrong#2026a").Code {
				case http.StatusTooManyRequests:
					refused++
				case http.StatusUnauthorized:
				default:
					t.Fatal("unexpected answer to a wrong password")
				}
			}
			h.clock.Advance(30 * time.Second)
		}
		if refused == 0 {
			t.Error("60 failures from one /64 were never throttled")
		}
		for i, code := range codes {
			wantStatus(t, h.client(fmt.Sprintf("10.2.%d.1", i)).login(code, testPassword), http.StatusOK)
		}
	})
}

// TestDistributedAttackNeedsCaptchaAndDelay: failures from many networks put the account under
// attack; then even with the captcha off every login needs one and waits, and the owner still gets in.
func TestDistributedAttackNeedsCaptchaAndDelay(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		owner := h.client("10.3.0.1")
		wantStatus(t, owner.postJSON("/api/v1/register", map[string]string{"creditCode": testCode, "name": "测试单位",
			"password": testPassword, "contactName": "王五", "contactPhone": "13812345678"}), http.StatusCreated)
		for i := 0; i < 6; i++ {
			c := h.client(fmt.Sprintf("198.51.%d.9", 100+i))
			wantStatus(t, c.postJSON("/api/v1/login", map[string]string{"creditCode": testCode, "password": "Wrong#2026a"}), http.StatusUnauthorized)
		}
		rec := owner.postJSON("/api/v1/login", map[string]string{"creditCode": testCode, "password": testPassword})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		if _, _, f := errorBody(t, rec); f["captcha"] == "" {
			t.Fatalf("an account under attack logs in without a captcha: %s", rec.Body.String())
		}
		// The HTML form shows the captcha then, although it is off.
		form := owner.postForm("/login", url.Values{"creditCode": {testCode}, "password": {testPassword}})
		if !strings.Contains(form.Body.String(), `name="captcha"`) {
			t.Error("the login page does not ask for the captcha the account needs")
		}
		began := time.Now()
		wantStatus(t, owner.login(testCode, testPassword), http.StatusOK)
		if time.Since(began) < 40*time.Millisecond {
			t.Error("no delay for an account under attack")
		}
	}, func(c *account.Config, _ *SessionCookies) {
		c.CaptchaRequired = false
		c.AttackFailures, c.AttackPrefixes, c.AttackDelay = 6, 3, 50*time.Millisecond
	})
}

// testCodeN returns valid credit codes for tests (the check character computed).
func testCodeN(i int) string {
	base := fmt.Sprintf("91220101MA%07d", i)
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if _, err := idnum.ParseCreditCode(base + string(c)); err == nil {
			return base + string(c)
		}
	}
	return base + "0"
}

func TestAddressThrottle(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.0.0.6")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		for i := 0; i < 3; i++ {
			wantStatus(t, c.login(testCode2, "Wrong#2026a"), http.StatusUnauthorized)
		}
		// Forging X-Forwarded-For does not escape the limit: no proxy is trusted.
		id, ans := h.captcha()
		req := jsonReq("/api/v1/login", map[string]string{"creditCode": testCode, "password": testPassword, "captchaId": id, "captcha": ans})
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		rec := c.do(req)
		wantStatus(t, rec, http.StatusTooManyRequests)
		if code, _, _ := errorBody(t, rec); code != "throttled" {
			t.Errorf("code %q", code)
		}
		// Another network is not affected (the same /24 is: changing the last byte is free); the window passes.
		wantStatus(t, h.client("10.0.0.7").login(testCode, testPassword), http.StatusTooManyRequests)
		wantStatus(t, h.client("10.0.1.7").login(testCode, testPassword), http.StatusOK)
		h.clock.Advance(16 * time.Minute)
		wantStatus(t, c.login(testCode, testPassword), http.StatusOK)
	}, func(c *account.Config, _ *SessionCookies) { c.AddrMaxFailures = 3 })
}

func TestTrustedProxy(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		proxy := h.client("192.0.2.10")
		wantStatus(t, proxy.register(testCode), http.StatusCreated)
		via := func(client string) int {
			id, ans := h.captcha()
			req := jsonReq("/api/v1/login", map[string]string{"creditCode": testCode, "password": "Wrong#2026a", "captchaId": id, "captcha": ans})
			req.Header.Set("X-Forwarded-For", client+", 192.0.2.11")
			return proxy.do(req).Code
		}
		for i := 0; i < 2; i++ {
			if got := via("198.51.100.1"); got != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i, got)
			}
		}
		if got := via("198.51.100.1"); got != http.StatusTooManyRequests {
			t.Errorf("third attempt from the same client behind the proxy: %d, want 429", got)
		}
		if got := via("198.51.100.2"); got != http.StatusTooManyRequests {
			t.Errorf("another client of the same /24 behind the proxy: %d, want 429 (the limit is per network)", got)
		}
		if got := via("198.51.101.2"); got != http.StatusUnauthorized {
			t.Errorf("a client of another network behind the proxy is throttled too: %d", got)
		}
	}, func(c *account.Config, s *SessionCookies) {
		c.AddrMaxFailures = 2
		s.Addrs = ClientAddrs{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}
	})
}

func jsonReq(path string, body map[string]string) *http.Request {
	var b strings.Builder
	b.WriteString("{")
	first := true
	for k, v := range body {
		if !first {
			b.WriteString(",")
		}
		first = false
		b.WriteString(`"` + k + `":"` + v + `"`)
	}
	b.WriteString("}")
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(b.String()))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestSessionRenewalAndTimeouts(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.0.0.8")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		wantStatus(t, c.login(testCode, testPassword), http.StatusOK)
		first := c.cookie.Value
		if len(first) < 22 { // 128 bits in base64 are 22 characters
			t.Errorf("token %d characters: too short", len(first))
		}
		wantStatus(t, c.login(testCode, testPassword), http.StatusOK)
		if c.cookie.Value == first {
			t.Fatal("login kept the old token")
		}
		old := h.client("10.0.0.8")
		old.cookie = &http.Cookie{Name: sessionCookie, Value: first}
		wantStatus(t, old.get("/account/password"), http.StatusSeeOther)

		// Idle: 29 minutes is fine (and refreshes), 30 minutes of silence ends the session.
		h.clock.Advance(29 * time.Minute)
		wantStatus(t, c.get("/account/password"), http.StatusOK)
		h.clock.Advance(29 * time.Minute)
		wantStatus(t, c.get("/account/password"), http.StatusOK)
		h.clock.Advance(30 * time.Minute)
		wantStatus(t, c.get("/account/password"), http.StatusSeeOther)
		if rec := c.get("/api/v1/nothing"); rec.Code != http.StatusNotFound {
			t.Errorf("unknown API path %d", rec.Code)
		}

		// Absolute: active every 20 minutes, the session still ends after 12 hours.
		wantStatus(t, c.login(testCode, testPassword), http.StatusOK)
		for elapsed := time.Duration(0); elapsed < 12*time.Hour-20*time.Minute; elapsed += 20 * time.Minute {
			h.clock.Advance(20 * time.Minute)
			wantStatus(t, c.get("/account/password"), http.StatusOK)
		}
		h.clock.Advance(20 * time.Minute)
		rec := c.do(jsonGet("/account/password"))
		wantStatus(t, rec, http.StatusUnauthorized)
	})
}

func jsonGet(path string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", "application/json")
	return req
}

func TestCookieFlags(t *testing.T) {
	check := func(t *testing.T, c *client, name string, secure bool) {
		t.Helper()
		wantStatus(t, c.login(testCode, testPassword), http.StatusOK)
		ck := c.cookie
		if ck == nil || ck.Name != name {
			t.Fatalf("cookie %+v, want name %s", ck, name)
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure != secure || ck.Domain != "" {
			t.Errorf("cookie flags %+v", ck)
		}
	}
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.0.0.9")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		check(t, c, "qc_session", false)
		tc := h.client("10.0.0.9")
		tc.tls = true
		check(t, tc, "__Host-qc_session", true)
		wantStatus(t, tc.get("/account/password"), http.StatusOK)
	})
}

// TestCookieFlagsSecureBase is separate from TestCookieFlags because a second each() in one test
// names its subtests "sqlite#01", and storetest's file: URI would cut the path at the '#'.
func TestCookieFlagsSecureBase(t *testing.T) {
	check := func(t *testing.T, c *client, name string, secure bool) {
		t.Helper()
		wantStatus(t, c.login(testCode, testPassword), http.StatusOK)
		if ck := c.cookie; ck == nil || ck.Name != name || !ck.Secure || !ck.HttpOnly {
			t.Fatalf("cookie %+v, want Secure HttpOnly %s", ck, name)
		}
	}
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.0.0.9")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		check(t, c, "__Host-qc_session", true) // https base URL behind a TLS proxy
	}, func(_ *account.Config, s *SessionCookies) { s.SecureBase = true })
}

func TestCrossOriginRefused(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.0.0.10")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		for _, path := range []string{"/api/v1/login", "/login", "/logout", "/register", "/account/password", "/admin/users"} {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader("{}"))
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Origin", "https://evil.example")
			if rec := c.do(req); rec.Code != http.StatusForbidden {
				t.Errorf("cross-origin POST %s: %d, want 403", path, rec.Code)
			}
		}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/logout", nil)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if rec := c.do(req); rec.Code != http.StatusNoContent {
			t.Errorf("same-origin POST: %d", rec.Code)
		}
	})
}

func TestHTMLLoginFlow(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.0.0.11")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		page := c.get("/login").Body.String()
		if !strings.Contains(page, `src="data:image/png;base64,`) || !strings.Contains(page, `name="captchaId"`) {
			t.Fatal("login page has no captcha")
		}
		id, ans := h.captcha()
		rec := c.postForm("/login", url.Values{"kind": {"employer"}, "creditCode": {testCode}, "password": {"Wrong#2026a"},
			"captchaId": {id}, "captcha": {ans}})
		wantStatus(t, rec, http.StatusUnauthorized)
		if body := rec.Body.String(); !strings.Contains(body, account.MsgBadCredentials) || !strings.Contains(body, `value="`+testCode+`"`) {
			t.Errorf("failed login page lacks message or kept value")
		}
		id, ans = h.captcha()
		rec = c.postForm("/login", url.Values{"kind": {"employer"}, "creditCode": {testCode}, "password": {testPassword},
			"captchaId": {id}, "captcha": {ans}, "next": {"//evil.example/"}})
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/" {
			t.Errorf("redirect to %q: an off-site next must be ignored", loc)
		}
		if !strings.Contains(c.get("/").Body.String(), "退出登录") {
			t.Error("home page does not show the signed-in user")
		}
		rec = c.postForm("/logout", nil)
		wantStatus(t, rec, http.StatusSeeOther)
		if !strings.Contains(c.get("/login?done=loggedout").Body.String(), "您已安全退出") {
			t.Error("no logout message")
		}
	})
}

func TestStaffLoginAndMustChange(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		admin := h.client("10.0.1.1")
		h.staff("admin", actor.Admin, "220000")
		rid := h.staff("reviewer1", actor.Reviewer, "220100")
		rec := admin.login("ADMIN", testPassword) // user names are case-insensitive
		wantStatus(t, rec, http.StatusOK)
		if !strings.Contains(rec.Body.String(), `"role":"admin"`) {
			t.Fatalf("login body %s", rec.Body.String())
		}
		// A credit code typed into the staff form does not log in as staff (and vice versa).
		c := h.client("10.0.1.2")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		id, ans := h.captcha()
		wantStatus(t, c.postJSON("/api/v1/login", map[string]string{"username": testCode, "password": testPassword, "captchaId": id, "captcha": ans}), http.StatusUnauthorized)

		// Admin resets the reviewer's password through the admin page.
		rec = admin.postForm("/admin/users/"+itoa(rid)+"/reset", url.Values{"password": {"Temp#Pass2026"}})
		wantStatus(t, rec, http.StatusSeeOther)
		rev := h.client("10.0.1.3")
		wantStatus(t, rev.login("reviewer1", testPassword), http.StatusUnauthorized)
		rec = rev.login("reviewer1", "Temp#Pass2026")
		wantStatus(t, rec, http.StatusOK)
		if !strings.Contains(rec.Body.String(), `"mustChangePassword":true`) {
			t.Errorf("login body %s", rec.Body.String())
		}
		rec = rev.get("/help")
		wantStatus(t, rec, http.StatusOK) // public pages stay reachable
		rec = rev.get("/admin/users")
		wantStatus(t, rec, http.StatusForbidden) // not an admin at all
		// Every page behind a policy sends the user to the change page first.
		h.srv.deps.Log.Info("probe")
		rec = rev.do(jsonGet("/account/password"))
		wantStatus(t, rec, http.StatusOK)
		rec = rev.postForm("/account/password", url.Values{"current": {"Temp#Pass2026"}, "password": {"Fresh#Pass2026"}, "password2": {"Fresh#Pass2026"}})
		wantStatus(t, rec, http.StatusSeeOther)
		if rev.cookie == nil {
			t.Fatal("password change did not renew the session")
		}
		if !strings.Contains(rev.get("/account/password?done=password").Body.String(), "密码已修改") {
			t.Error("no confirmation")
		}
		// Wrong current password: field error, nothing changed.
		rec = rev.postForm("/account/password", url.Values{"current": {"Nope#Pass2026"}, "password": {"Other#Pass2026"}, "password2": {"Other#Pass2026"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		if !strings.Contains(rec.Body.String(), "当前密码不正确") {
			t.Error("no field error for the current password")
		}
		wantStatus(t, h.client("10.0.1.4").login("reviewer1", "Fresh#Pass2026"), http.StatusOK)
	})
}

func TestMustChangeRedirect(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		h.staff("root", actor.Admin, "220000")
		a2 := h.staff("admin2", actor.Admin, "220100")
		if err := h.acc.ResetPassword(context.Background(), actor.System("test"), a2, "Temp#Pass2026"); err != nil {
			t.Fatal(err)
		}
		c := h.client("10.0.1.5")
		wantStatus(t, c.login("admin2", "Temp#Pass2026"), http.StatusOK)
		rec := c.get("/admin/users")
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/account/password") {
			t.Errorf("redirect to %q", loc)
		}
		wantStatus(t, c.postForm("/admin/users", url.Values{"username": {"x1x"}}), http.StatusForbidden)
		wantStatus(t, c.postForm("/account/password", url.Values{"current": {"Temp#Pass2026"}, "password": {"Fresh#Pass2026"}, "password2": {"Fresh#Pass2026"}}), http.StatusSeeOther)
		wantStatus(t, c.get("/admin/users"), http.StatusOK)
	})
}

func TestAdminPages(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		root := h.staff("root", actor.Admin, "220000")
		city := h.staff("city", actor.Admin, "220100")
		admin := h.client("10.0.2.1")
		wantStatus(t, admin.login("root", testPassword), http.StatusOK)
		rec := admin.postForm("/admin/users", url.Values{"username": {"nanguan"}, "password": {testPassword}, "role": {"reviewer"}, "office": {"220102"}})
		wantStatus(t, rec, http.StatusSeeOther)
		rec = admin.postForm("/admin/users", url.Values{"username": {"nanguan"}, "password": {"short"}, "role": {"reviewer"}, "office": {"999999"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		if body := rec.Body.String(); !strings.Contains(body, `id="new-password-error"`) || !strings.Contains(body, `value="nanguan"`) {
			t.Error("staff form errors not shown beside the fields")
		}
		page := admin.get("/admin/users").Body.String()
		for _, want := range []string{"nanguan", "city", "root"} {
			if !strings.Contains(page, want) {
				t.Errorf("user list lacks %s", want)
			}
		}
		// The city admin sees its subtree only and cannot create a province reviewer.
		ca := h.client("10.0.2.2")
		wantStatus(t, ca.login("city", testPassword), http.StatusOK)
		page = ca.get("/admin/users").Body.String()
		if strings.Contains(page, ">root<") || !strings.Contains(page, "nanguan") {
			t.Error("city admin's list is not limited to its subtree")
		}
		// Objects outside the subtree are "not found", never revealed.
		wantStatus(t, ca.postForm("/admin/users/"+itoa(root)+"/disable", nil), http.StatusNotFound)
		wantStatus(t, ca.postForm("/admin/users/"+itoa(root)+"/reset", url.Values{"password": {"Temp#Pass2026"}}), http.StatusNotFound)
		wantStatus(t, ca.postForm("/admin/users/999999/disable", nil), http.StatusNotFound)
		wantStatus(t, admin.postForm("/admin/users/"+itoa(root)+"/disable", nil), http.StatusForbidden) // not oneself
		rec = ca.postForm("/admin/users", url.Values{"username": {"prov2"}, "password": {testPassword}, "role": {"reviewer"}, "office": {"220000"}})
		wantStatus(t, rec, http.StatusForbidden)
		if !strings.Contains(rec.Body.String(), `id="office-error"`) {
			t.Error("the refused office is not named beside its field")
		}
		// Disabling ends the sessions and blocks login; the admin cannot disable itself.
		wantStatus(t, admin.postForm("/admin/users/"+itoa(city)+"/disable", nil), http.StatusSeeOther)
		wantStatus(t, ca.get("/admin/users"), http.StatusSeeOther)
		wantStatus(t, ca.login("city", testPassword), http.StatusForbidden)
		wantStatus(t, admin.postForm("/admin/users/"+itoa(city)+"/enable", nil), http.StatusSeeOther)
		wantStatus(t, ca.login("city", testPassword), http.StatusOK)
		// The audit page finds the staff creation and the logins.
		page = admin.get("/admin/audit?action=staff").Body.String()
		if !strings.Contains(page, "staff.create") || strings.Contains(page, ">login<") {
			t.Error("audit search by action failed")
		}
		page = admin.get("/admin/audit?actor=city&action=login&from=2026-03-01&to=2026-03-02").Body.String()
		if !strings.Contains(page, ">login<") || !strings.Contains(page, "10.0.2.2") {
			t.Errorf("audit search by actor and date lacks the login")
		}
		page = admin.get("/admin/audit?from=2026-03-03").Body.String()
		if !strings.Contains(page, "共 0 条") {
			t.Error("audit date filter does not exclude earlier entries")
		}
		wantStatus(t, admin.get("/admin/audit?from=yesterday"), http.StatusUnprocessableEntity)
	})
}

func itoa(n int64) string { return strconvI(n) }
