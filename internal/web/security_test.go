package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/audit"
	"quotacert/internal/datakey"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestCaptchaAudioAndRefresh: the captcha JSON names the spoken version; it is a WAV of the same
// live challenge, gone once the challenge is used or expired. The no-JavaScript "换一张" gives the
// form back with a new challenge and the typed values, never the password.
func TestCaptchaAudioAndRefresh(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.4.0.1")
		var cap struct{ ID, Image, Audio string }
		rec := c.get("/api/v1/captcha")
		wantStatus(t, rec, http.StatusOK)
		if err := json.Unmarshal(rec.Body.Bytes(), &cap); err != nil || cap.Audio != "/captcha/"+cap.ID+"/audio.wav" {
			t.Fatalf("captcha JSON %s (%v)", rec.Body.String(), err)
		}
		wav := c.get(cap.Audio)
		wantStatus(t, wav, http.StatusOK)
		if ct := wav.Header().Get("Content-Type"); ct != "audio/wav" || !strings.HasPrefix(wav.Body.String(), "RIFF") || wav.Body.Len() < 20000 {
			t.Errorf("audio: %s, %d bytes, %.4q", ct, wav.Body.Len(), wav.Body.String())
		}
		wantStatus(t, c.get("/captcha/nope/audio.wav"), http.StatusNotFound)
		// Used: the audio of a spent challenge is gone.
		c.postJSON("/api/v1/login", map[string]string{"creditCode": testCode, "password": testPassword, "captchaId": cap.ID, "captcha": "00000"})
		wantStatus(t, c.get(cap.Audio), http.StatusNotFound)
		// Expired.
		rec = c.get("/api/v1/captcha")
		json.Unmarshal(rec.Body.Bytes(), &cap)
		h.clock.Advance(6 * time.Minute)
		wantStatus(t, c.get(cap.Audio), http.StatusNotFound)

		// The login and registration pages offer the audio and the refresh button.
		page := c.get("/login").Body.String()
		for _, want := range []string{"播放语音验证码", `value="captcha"`, "换一张", `aria-live="polite"`, "/audio.wav"} {
			if !strings.Contains(page, want) {
				t.Errorf("login page lacks %q", want)
			}
		}
		rec = c.postForm("/register", url.Values{"action": {"captcha"}, "creditCode": {testCode}, "name": {"长春市测试科技有限公司"},
			"contactName": {"王晓明"}, "password": {"Secret#2026x"}})
		wantStatus(t, rec, http.StatusOK)
		body := rec.Body.String()
		if !strings.Contains(body, `value="长春市测试科技有限公司"`) || !strings.Contains(body, `value="`+testCode+`"`) || strings.Contains(body, "Secret#2026x") {
			t.Error("the no-script refresh lost the typed values or echoed the password")
		}
		rec = c.postForm("/login", url.Values{"action": {"captcha"}, "kind": {"staff"}, "username": {"reviewer"}, "password": {"Secret#2026x"}})
		wantStatus(t, rec, http.StatusOK)
		if !strings.Contains(rec.Body.String(), `value="reviewer"`) {
			t.Error("the login refresh lost the user name")
		}
	})
}

// TestPasswordChangeThrottled: 40 guesses of the current password in 6 seconds went through; now
// the fifth wrong one ends the tries for the window, the right password included.
func TestPasswordChangeThrottled(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.5.0.1")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		wantStatus(t, c.login(testCode, testPassword), http.StatusOK)
		change := func(current string) int {
			return c.postForm("/account/password", url.Values{"current": {current}, "password": {"Newpass#2026x"}, "password2": {"Newpass#2026x"}}).Code
		}
		codes := map[int]int{}
		for i := 0; i < 40; i++ {
			codes[change("Guess#0000"+string(rune('a'+i%26)))]++
			h.clock.Advance(150 * time.Millisecond)
		}
		if codes[http.StatusUnprocessableEntity] != 5 || codes[http.StatusTooManyRequests] != 35 {
			t.Errorf("40 guesses in 6 s: %v, want 5 × 422 then 35 × 429", codes)
		}
		if got := change(testPassword); got != http.StatusTooManyRequests {
			t.Errorf("the right password during the throttle: %d", got)
		}
		h.clock.Advance(16 * time.Minute)
		wantStatus(t, c.login(testCode, testPassword), http.StatusOK)
		if got := change(testPassword); got != http.StatusSeeOther {
			t.Errorf("after the window: %d", got)
		}
	})
}

// TestRegistrationRevealsOnlyAfterCaptcha: "已注册" was shown before the captcha was checked.
func TestRegistrationRevealsOnlyAfterCaptcha(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.6.0.1")
		wantStatus(t, c.register(testCode), http.StatusCreated)
		rec := c.postJSON("/api/v1/register", map[string]string{"creditCode": testCode, "name": "长春市测试科技有限公司",
			"password": testPassword, "contactName": "王晓明", "contactPhone": "13812345678", "captchaId": "x", "captcha": "12345"})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		if _, _, f := errorBody(t, rec); f["creditCode"] != "" || f["captcha"] == "" {
			t.Errorf("a wrong captcha reveals the registration: %v", f)
		}
		rec = c.register(testCode)
		if _, _, f := errorBody(t, rec); !strings.Contains(f["creditCode"], "已注册") {
			t.Errorf("with a solved captcha: %v", f)
		}
	})
}

// TestSecondFactorAPI: an account enrolled with --totp-secret needs the otp in the same body; a
// code is accepted once; a recovery code works once.
func TestSecondFactorAPI(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
		if _, err := h.acc.CreateStaff(context.Background(), actor.System("test"), account.StaffInput{Username: "mfa.rev",
			Password: testPassword, Role: actor.Reviewer, Office: "220100", TOTPSecret: "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp"}); err != nil {
			t.Fatal(err)
		}
		c := h.client("10.7.0.1")
		login := func(otp string) *httptest.ResponseRecorder {
			id, ans := h.captcha()
			return c.postJSON("/api/v1/login", map[string]string{"username": "mfa.rev", "password": testPassword,
				"captchaId": id, "captcha": ans, "otp": otp})
		}
		rec := login("")
		wantStatus(t, rec, http.StatusUnauthorized)
		if _, _, f := errorBody(t, rec); f["otp"] == "" {
			t.Errorf("no otp field error: %s", rec.Body.String())
		}
		wantStatus(t, login("000000"), http.StatusUnauthorized)
		code, err := totp.GenerateCode(secret, h.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if rec := login(code); rec.Code != http.StatusOK {
			t.Fatalf("right code: %d %s\n%s", rec.Code, rec.Body.String(), h.log.String())
		}
		wantStatus(t, c.get("/account/security"), http.StatusOK)
		if got := login(code).Code; got != http.StatusUnauthorized {
			t.Errorf("a replayed code within its window: %d, want 401", got)
		}
		h.clock.Advance(30 * time.Second)
		next, _ := totp.GenerateCode(secret, h.clock.Now())
		wantStatus(t, login(next), http.StatusOK)
		if !hasAction(auditSince(t, h), "login", audit.Failure) {
			t.Error("wrong codes are not audited")
		}
	})
}

// TestSecondFactorSealed: a TOTP secret is stored sealed with the data key, never in clear; a
// secret an earlier release stored in clear is sealed (and cleared) when the key is next checked,
// and still signs in.
func TestSecondFactorSealed(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
		id, err := h.acc.CreateStaff(ctx, actor.System("test"), account.StaffInput{Username: "mfa.sealed",
			Password: testPassword, Role: actor.Reviewer, Office: "220100", TOTPSecret: secret})
		if err != nil {
			t.Fatal(err)
		}
		stored := func() (string, []byte) {
			var clear string
			var sealed []byte
			if err := h.db.SQL().QueryRowContext(ctx, `SELECT totp_secret, totp_sealed FROM users WHERE id = $1`, id).Scan(&clear, &sealed); err != nil {
				t.Fatal(err)
			}
			return clear, sealed
		}
		if clear, sealed := stored(); clear != "" || len(sealed) == 0 || strings.Contains(string(sealed), secret) {
			t.Fatalf("stored secret: clear %q, sealed %d bytes", clear, len(sealed))
		}
		login := func() int {
			code, err := totp.GenerateCode(secret, h.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			cid, ans := h.captcha()
			return h.client("10.7.1.1").postJSON("/api/v1/login", map[string]string{"username": "mfa.sealed",
				"password": testPassword, "captchaId": cid, "captcha": ans, "otp": code}).Code
		}
		if got := login(); got != http.StatusOK {
			t.Fatalf("login with the sealed secret: %d", got)
		}
		// As an earlier release left it: in clear.
		if _, err := h.db.SQL().ExecContext(ctx, `UPDATE users SET totp_secret = $2, totp_sealed = NULL WHERE id = $1`, id, secret); err != nil {
			t.Fatal(err)
		}
		if err := datakey.NewService(store.DataKeyRunner(h.db)).Check(ctx, testSecrets(t), nil); err != nil {
			t.Fatal(err)
		}
		if clear, sealed := stored(); clear != "" || len(sealed) == 0 {
			t.Fatalf("after the key check: clear %q, sealed %d bytes", clear, len(sealed))
		}
		h.clock.Advance(30 * time.Second)
		if got := login(); got != http.StatusOK {
			t.Fatalf("login after sealing the clear secret: %d", got)
		}
	})
}

// enrol walks the enrolment page as a person would and returns the secret and recovery codes.
func enrol(t *testing.T, h *harness, c *client) (string, []string) {
	t.Helper()
	page := c.get("/account/mfa")
	wantStatus(t, page, http.StatusOK)
	m := regexp.MustCompile(`id="totp-secret">([A-Z2-7 ]+)<`).FindStringSubmatch(page.Body.String())
	if m == nil || !strings.Contains(page.Body.String(), `src="data:image/png;base64,`) {
		t.Fatalf("enrolment page lacks the QR code or the secret:\n%.2000s", page.Body.String())
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if again := c.get("/account/mfa").Body.String(); !strings.Contains(again, m[1]) {
		t.Error("a reload changed the secret being enrolled")
	}
	wantStatus(t, c.postForm("/account/mfa", url.Values{"otp": {"123456"}}), http.StatusUnprocessableEntity)
	code, _ := totp.GenerateCode(secret, h.clock.Now())
	rec := c.postForm("/account/mfa", url.Values{"otp": {code}})
	wantStatus(t, rec, http.StatusOK)
	codes := regexp.MustCompile(`<code>([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})</code>`).FindAllStringSubmatch(rec.Body.String(), -1)
	if len(codes) != account.RecoveryCodes {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	var out []string
	for _, c := range codes {
		out = append(out, c[1])
	}
	return secret, out
}

// TestStaffMustEnrol: with the second factor required, a reviewer without one may only enrol: every
// other request answers 403 with the reason (pages redirect to the enrolment). After enrolment the
// HTML login asks for the code on a second step, without asking for the password again.
func TestStaffMustEnrol(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		h.staff("rev", actor.Reviewer, "220100")
		c := h.client("10.8.0.1")
		rec := c.login("rev", testPassword)
		wantStatus(t, rec, http.StatusOK)
		if !strings.Contains(rec.Body.String(), `"mustEnrolTotp":true`) {
			t.Errorf("login answer: %s", rec.Body.String())
		}
		rec = c.get("/api/v1/reviews")
		wantStatus(t, rec, http.StatusForbidden)
		if _, msg, _ := errorBody(t, rec); !strings.Contains(msg, "两步验证") {
			t.Errorf("403 reason %q", msg)
		}
		if rec := c.get("/review"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), enrolPath) {
			t.Errorf("page before enrolment: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		secret, recovery := enrol(t, h, c)
		wantStatus(t, c.get("/account/security"), http.StatusOK)

		// The HTML login: password, then the code on a second step with a single-use pending token.
		b := h.client("10.8.1.1")
		id, ans := h.captcha()
		rec = b.postForm("/login", url.Values{"kind": {"staff"}, "username": {"rev"}, "password": {testPassword}, "captchaId": {id}, "captcha": {ans}, "next": {"/review"}})
		wantStatus(t, rec, http.StatusOK)
		m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())
		if m == nil || strings.Contains(rec.Body.String(), `name="password"`) {
			t.Fatalf("second step page: %.1500s", rec.Body.String())
		}
		if b.cookie != nil {
			t.Fatal("a session before the second factor")
		}
		rec = b.postForm("/login/otp", url.Values{"token": {m[1]}, "otp": {"000000"}, "next": {"/review"}})
		wantStatus(t, rec, http.StatusUnauthorized)
		m2 := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())
		if m2 == nil || m2[1] == m[1] {
			t.Fatal("a wrong code must give a fresh token")
		}
		h.clock.Advance(30 * time.Second)
		code, _ := totp.GenerateCode(secret, h.clock.Now())
		if got := b.postForm("/login/otp", url.Values{"token": {m[1]}, "otp": {code}}).Code; got != http.StatusUnauthorized {
			t.Errorf("a spent pending token: %d", got)
		}
		rec = b.postForm("/login/otp", url.Values{"token": {m2[1]}, "otp": {code}, "next": {"/review"}})
		wantStatus(t, rec, http.StatusSeeOther)
		if rec.Header().Get("Location") != "/review" || b.cookie == nil {
			t.Errorf("after the second step: %s", rec.Header().Get("Location"))
		}
		// A recovery code works once.
		r := h.client("10.8.2.1")
		login := func(otp string) int {
			id, ans := h.captcha()
			return r.postJSON("/api/v1/login", map[string]string{"username": "rev", "password": testPassword, "captchaId": id, "captcha": ans, "otp": otp}).Code
		}
		if got := login(strings.ToLower(recovery[3])); got != http.StatusOK {
			t.Errorf("recovery code: %d", got)
		}
		if got := login(recovery[3]); got != http.StatusUnauthorized {
			t.Errorf("a recovery code used twice: %d", got)
		}
		// Staff cannot switch a required second factor off.
		h.clock.Advance(30 * time.Second)
		code, _ = totp.GenerateCode(secret, h.clock.Now())
		wantStatus(t, c.postForm("/account/mfa/disable", url.Values{"otp": {code}}), http.StatusForbidden)
	}, func(cfg *account.Config, _ *SessionCookies) { cfg.StaffMFARequired = true })
}

// TestAdminResetsSecondFactor: an admin resets a user's second factor within the admin's scope
// (another city's admin gets "not found"), the user's sessions end, and the reset is audited. An
// employer may enable and disable its own.
func TestAdminResetsSecondFactor(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		emp := h.client("10.9.0.1")
		wantStatus(t, emp.register(testCode), http.StatusCreated)
		wantStatus(t, emp.login(testCode, testPassword), http.StatusOK)
		enrol(t, h, emp)
		var uid int64
		users, _ := h.acc.ListUsers(context.Background(), actor.System("test"), testCode)
		uid = users[0].ID
		if !users[0].TOTPEnabled {
			t.Fatal("not enrolled")
		}
		h.staff("jladm", actor.Admin, "220200") // 吉林市: not the employer's (no office: the province)
		h.staff("root", actor.Admin, "220000")
		other := h.client("10.9.1.1")
		wantStatus(t, other.login("jladm", testPassword), http.StatusOK)
		wantStatus(t, other.postForm("/admin/users/"+itoa(uid)+"/mfa-reset", nil), http.StatusNotFound)
		root := h.client("10.9.2.1")
		wantStatus(t, root.login("root", testPassword), http.StatusOK)
		page := root.get("/admin/users/" + itoa(uid) + "/mfa-reset")
		wantStatus(t, page, http.StatusOK)
		if !strings.Contains(page.Body.String(), testCode) {
			t.Error("the confirmation does not name the account")
		}
		wantStatus(t, root.postForm("/admin/users/"+itoa(uid)+"/mfa-reset", nil), http.StatusSeeOther)
		if signedIn(emp) {
			t.Error("the user's session survived the reset")
		}
		if !hasAction(auditSince(t, h), "mfa.reset", audit.Success) {
			t.Error("reset not audited")
		}
		wantStatus(t, emp.login(testCode, testPassword), http.StatusOK) // no code needed any more
		secret, _ := enrol(t, h, emp)
		h.clock.Advance(30 * time.Second)
		code, _ := totp.GenerateCode(secret, h.clock.Now())
		wantStatus(t, emp.postForm("/account/mfa/disable", url.Values{"otp": {code}}), http.StatusSeeOther)
	})
}

// TestSessionsPageAndLimit: at most MaxSessions sessions per user (the oldest ends); the page lists
// them with the browser and network; one can be ended, or all others.
func TestSessionsPageAndLimit(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		first := h.client("10.10.0.1")
		wantStatus(t, first.register(testCode), http.StatusCreated)
		var clients []*client
		for i := 0; i < 4; i++ {
			c := h.client("10.10.1.1")
			id, ans := h.captcha()
			req := jsonReq("/api/v1/login", map[string]string{"creditCode": testCode, "password": testPassword, "captchaId": id, "captcha": ans})
			req.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")
			wantStatus(t, c.do(req), http.StatusOK)
			clients = append(clients, c)
			h.clock.Advance(time.Second)
		}
		wantStatus(t, first.login(testCode, testPassword), http.StatusOK)
		h.clock.Advance(time.Second)
		if signedIn(clients[0]) {
			t.Error("the oldest session survived the fourth concurrent login")
		}
		page := first.get("/account/security")
		wantStatus(t, page, http.StatusOK)
		body := page.Body.String()
		if n := strings.Count(body, `name="session"`); n != 3 {
			t.Errorf("%d sessions listed, want 3", n)
		}
		for _, want := range []string{"Chrome · Windows", "10.10.1.0/24", "（本设备）", "退出其他设备"} {
			if !strings.Contains(body, want) {
				t.Errorf("sessions page lacks %q", want)
			}
		}
		if strings.Contains(body, "10.10.1.1") {
			t.Error("the page shows full client addresses")
		}
		ids := regexp.MustCompile(`name="session" value="([0-9a-f]+)"`).FindAllStringSubmatch(body, -1)
		// Another user's session id is "not found".
		other := h.client("10.10.2.1")
		wantStatus(t, other.register(testCode2), http.StatusCreated)
		wantStatus(t, other.login(testCode2, testPassword), http.StatusOK)
		wantStatus(t, other.postForm("/account/sessions/end", url.Values{"session": {ids[1][1]}}), http.StatusNotFound)
		wantStatus(t, first.postForm("/account/sessions/end-others", nil), http.StatusSeeOther)
		for _, c := range clients[1:] {
			if signedIn(c) {
				t.Error("a session survived 退出其他设备")
			}
		}
		if !signedIn(first) {
			t.Error("退出其他设备 ended this session too")
		}
	}, func(c *account.Config, _ *SessionCookies) { c.MaxSessions = 3 })
}

// signedIn reports whether the client's session is live.
func signedIn(c *client) bool { return c.get("/account/security").Code == http.StatusOK }

// TestSafeNext: the login's redirect goes only to paths of this site.
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/placements?year=2025":     "/placements?year=2025",
		"/review/items/3":           "/review/items/3",
		"":                          "/",
		"//evil.example/":           "/",
		"/\t/evil.example":          "/", // next=/%09/evil.example: browsers drop the tab
		"/\n/evil.example":          "/",
		"/\\evil.example":           "/",
		"/%2F/evil.example":         "/",
		"/%5Cevil.example":          "/",
		"https://evil.example/":     "/",
		"javascript:alert(1)":       "/",
		"evil.example":              "/",
		" /placements":              "/",
		"/ok path":                  "/",
		"/\u0085/evil.example":      "/",
		"///evil.example":           "/",
		"/@evil.example":            "/@evil.example", // a path on this site
		"/placements#/\\evil":       "/",
		"/account/security?next=/x": "/account/security?next=/x",
	} {
		if got := safeNext(next, "/"); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

// TestSmallerHoles: HSTS with an https base URL or TLS; no listing under /static/; the CSRF refusal
// is CONTRACT.md's JSON error for the API and the Chinese page for pages.
func TestSmallerHoles(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		c := h.client("10.11.0.1")
		if got := c.get("/login").Header().Get("Strict-Transport-Security"); got != "" {
			t.Errorf("HSTS over plain HTTP without an https base: %q", got)
		}
		c.tls = true
		if got := c.get("/login").Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
			t.Errorf("HSTS over TLS: %q", got)
		}
		c.tls = false
		for _, p := range []string{"/static/", "/static", "/static/../static/"} {
			rec := c.get(p)
			if rec.Code != http.StatusNotFound && !(rec.Code >= 300 && rec.Code < 400) {
				t.Errorf("GET %s: %d", p, rec.Code)
			}
			if strings.Contains(rec.Body.String(), `href="app.js"`) {
				t.Errorf("GET %s lists the directory", p)
			}
		}
		wantStatus(t, c.get("/static/app.js"), http.StatusOK)

		req := jsonReq("/api/v1/login", map[string]string{"creditCode": testCode, "password": testPassword})
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		rec := c.do(req)
		wantStatus(t, rec, http.StatusForbidden)
		if code, msg, _ := errorBody(t, rec); code != "forbidden" || !strings.Contains(msg, "跨站") {
			t.Errorf("CSRF refusal body %s", rec.Body.String())
		}
		req = httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("creditCode=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		rec = c.do(req)
		wantStatus(t, rec, http.StatusForbidden)
		if !strings.Contains(rec.Body.String(), "跨站请求被拒绝") || !strings.Contains(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("CSRF refusal page: %.300s", rec.Body.String())
		}
	})
	site := newHarness(t, storetest.SQLite(t, storetest.Options{Steps: []store.Step{refdata.Step()}}), storetest.NewClock(start))
	site.srv.deps.PublicURL = "https://quota.example"
	rec := httptest.NewRecorder()
	site.srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	if got := rec.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("HSTS with an https base URL: %q", got)
	}
}

// TestRefusalsAudited: every refusal reaches the audit trail with the real client address (behind a
// trusted proxy), identical ones aggregated per minute; the access log has the real address too.
func TestRefusalsAudited(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		emp := h.client("192.0.2.10") // the proxy
		wantStatus(t, emp.register(testCode), http.StatusCreated)
		wantStatus(t, emp.login(testCode, testPassword), http.StatusOK)
		via := func(path, method string) int {
			req := httptest.NewRequest(method, path, nil)
			req.Header.Set("X-Forwarded-For", "203.0.113.45")
			req.Header.Set("Accept", "application/json")
			return emp.do(req).Code
		}
		for i := 0; i < 50; i++ {
			if got := via("/api/v1/reviews", http.MethodGet); got != http.StatusForbidden {
				t.Fatalf("employer on the review queue: %d", got)
			}
		}
		via("/account/sessions/end", http.MethodPost) // 404: not found or not yours
		req := jsonReq("/api/v1/logout", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("X-Forwarded-For", "203.0.113.45")
		emp.do(req)
		var refused []audit.Entry
		for _, e := range auditSince(t, h) {
			if e.Action == "refused" {
				refused = append(refused, e)
			}
		}
		if len(refused) != 3 {
			t.Fatalf("%d refusal entries before the minute ends, want 3 (403 once, 404, CSRF): %+v", len(refused), refused)
		}
		for _, e := range refused {
			if e.ClientAddr != "203.0.113.45" || e.ActorName != testCode {
				t.Errorf("refusal recorded as %s from %s, want the employer from the real client", e.ActorName, e.ClientAddr)
			}
		}
		if !strings.Contains(refused[2].Detail, "cross-origin") {
			t.Errorf("CSRF refusal detail %q", refused[2].Detail)
		}
		h.clock.Advance(time.Minute)
		h.srv.FlushRefusals(context.Background())
		n := 0
		for _, e := range auditSince(t, h) {
			if e.Action == "refused" && strings.Contains(e.Detail, "repeated 49 more") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the 49 repeats are not summarised in one entry (%d)", n)
		}
		if !strings.Contains(h.log.String(), `"client":"203.0.113.45"`) {
			t.Error("the access log has the proxy's address, not the client's")
		}
		// An unknown page is not a refusal worth a row.
		before := len(auditSince(t, h))
		emp.get("/no/such/page")
		if len(auditSince(t, h)) != before {
			t.Error("a 404 for an unknown page was audited")
		}
	}, func(_ *account.Config, s *SessionCookies) {
		s.Addrs = ClientAddrs{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}
	})
}
