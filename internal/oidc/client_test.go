package oidc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"quotacert/internal/oidc"
	"quotacert/internal/oidc/oidctest"
	"quotacert/internal/testidp"
)

const (
	clientID     = "quotacert"
	clientSecret = "s3cret-for-tests"
	baseURL      = "http://127.0.0.1:18080" // nothing listens: the test browser stops at the callback
	legalCode    = "91220101MA14U8XK2R"     // a valid credit code (the demo employer's)
	otherCode    = "91350100M000100Y43"
)

// legalUser is a 法人 account at the platform with the default claim names.
func legalUser(username, code string) testidp.User {
	return testidp.User{Username: username, Password: "Pw-" + username, Claims: map[string]any{
		"uscc": code, "org_name": "长春市示例科技有限公司", "name": "王小明", "phone_number": "13912345678", "user_type": "legal",
	}}
}

func startIdP(t *testing.T, opt testidp.Options, users ...testidp.User) *testidp.Server {
	t.Helper()
	idp, err := testidp.Start(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })
	idp.AddClient(testidp.Client{ID: clientID, Secret: clientSecret,
		RedirectURIs: []string{baseURL + oidc.CallbackPath}, PostLogoutRedirectURIs: []string{baseURL + oidc.PostLogoutPath}})
	for _, u := range users {
		idp.AddUser(u)
	}
	return idp
}

func newRP(t *testing.T, issuer string, edit ...func(*oidc.Config)) *oidc.Client {
	t.Helper()
	cfg := oidc.Config{Issuer: issuer, ClientID: clientID, ClientSecret: clientSecret, BaseURL: baseURL}
	for _, e := range edit {
		e(&cfg)
	}
	rp, err := oidc.New(cfg, oidctest.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

// browser is a cookie-keeping HTTP client that follows redirects until one leads back to quotacert.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), baseURL) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return &browser{t: t, c: c}
}

// page is where the browser ended: a page of the platform, or a redirect back to quotacert.
type page struct {
	url      *url.URL
	status   int
	body     string
	location *url.URL // set when the platform sent the browser back to quotacert
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := page{url: resp.Request.URL, status: resp.StatusCode, body: string(body)}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
		u, err := resp.Request.URL.Parse(loc)
		if err != nil {
			b.t.Fatal(err)
		}
		p.location = u
	}
	return p
}

func (b *browser) get(u string) page {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// submit fills the page's form (its hidden inputs, then fields) and presses the button named action
// with value button.
func (b *browser) submit(p page, fields map[string]string, button string) page {
	b.t.Helper()
	action, values := parseForm(b.t, p.body)
	for k, v := range fields {
		values.Set(k, v)
	}
	values.Set("action", button)
	target, err := p.url.Parse(action)
	if err != nil {
		b.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, target.String(), strings.NewReader(values.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// parseForm returns the action and the named input values of the page's only form.
func parseForm(t *testing.T, body string) (string, url.Values) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var action string
	values := url.Values{}
	forms := 0
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		attr := func(k string) string {
			for _, a := range n.Attr {
				if a.Key == k {
					return a.Val
				}
			}
			return ""
		}
		switch n.Data {
		case "form":
			forms++
			action = attr("action")
		case "input":
			if name := attr("name"); name != "" {
				values.Set(name, attr("value"))
			}
		}
	}
	if forms != 1 {
		t.Fatalf("page has %d forms, want 1:\n%s", forms, body)
	}
	return action, values
}

// signIn starts a sign-in in the browser and logs in at the platform when it asks (it does not when
// the browser still has a platform session). It returns the callback's query and the state cookie.
func signIn(t *testing.T, rp *oidc.Client, b *browser, username, password string) (url.Values, string) {
	t.Helper()
	start, err := rp.Begin(context.Background(), "/employer/profile")
	if err != nil {
		t.Fatal(err)
	}
	p := b.get(start.URL)
	if p.location == nil {
		if p.status != http.StatusOK || !strings.Contains(p.body, "密码登录") {
			t.Fatalf("expected the platform's login page, got %d:\n%s", p.status, p.body)
		}
		p = b.submit(p, map[string]string{"username": username, "password": password}, "login")
	}
	return callback(t, p), start.State
}

func callback(t *testing.T, p page) url.Values {
	t.Helper()
	if p.location == nil || p.location.Path != oidc.CallbackPath {
		t.Fatalf("expected a redirect to the callback, got %d %v:\n%s", p.status, p.location, p.body)
	}
	return p.location.Query()
}

func wantReason(t *testing.T, err error, r oidc.Reason) *oidc.Error {
	t.Helper()
	var e *oidc.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an *oidc.Error %s", err, r)
	}
	if e.Reason != r {
		t.Fatalf("reason = %s (%v), want %s", e.Reason, err, r)
	}
	if e.Message == "" || e.Status() == http.StatusInternalServerError {
		t.Fatalf("error %s has message %q, status %d", r, e.Message, e.Status())
	}
	return e
}

func TestLegalPersonSignsIn(t *testing.T) {
	u := legalUser("corp", strings.ToLower(legalCode)) // a lower-case code is the same code
	idp := startIdP(t, testidp.Options{}, u)
	rp := newRP(t, idp.Issuer())
	b := newBrowser(t)

	q, state := signIn(t, rp, b, "corp", u.Password)
	res, err := rp.Complete(context.Background(), q, state)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Identity
	want := oidc.Identity{Kind: oidc.LegalPerson, CreditCode: legalCode, OrgName: "长春市示例科技有限公司", OperatorName: "王小明",
		OperatorPhone: "13912345678", Subject: "sub-corp", Issuer: idp.Issuer(), RawIDToken: id.RawIDToken}
	if id != want {
		t.Errorf("identity = %+v\nwant       %+v", id, want)
	}
	if strings.Count(id.RawIDToken, ".") != 2 {
		t.Errorf("raw ID token %q is not a JWS", id.RawIDToken)
	}
	if res.ReturnTo != "/employer/profile" {
		t.Errorf("ReturnTo = %q", res.ReturnTo)
	}
}

func TestWrongPasswordStaysAtThePlatform(t *testing.T) {
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	rp := newRP(t, idp.Issuer())
	b := newBrowser(t)
	start, err := rp.Begin(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	p := b.submit(b.get(start.URL), map[string]string{"username": "corp", "password": "wrong"}, "login")
	if p.location != nil || p.status != http.StatusUnauthorized || !strings.Contains(p.body, "账号或密码错误") {
		t.Fatalf("wrong password: %d %v\n%s", p.status, p.location, p.body)
	}
	if idp.HasSession("corp") {
		t.Error("a wrong password opened a platform session")
	}
}

func TestCustomClaimMapping(t *testing.T) {
	m := oidc.ClaimMap{CreditCode: "org.credit_code", OrgName: "org.name", OperatorName: "operator_name",
		OperatorPhone: "mobile", UserType: "userType", LegalValues: []string{"2"}}
	claims := map[string]any{
		"org":           map[string]any{"credit_code": otherCode, "name": "福州示例有限公司"},
		"operator_name": "李四", "mobile": 13800000000, "userType": 2,
	}
	for _, tc := range []struct {
		name     string
		opt      testidp.Options
		userInfo bool
	}{
		{"claims in the ID token", testidp.Options{}, false},
		{"claims only from userinfo", testidp.Options{UserinfoOnly: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idp := startIdP(t, tc.opt, testidp.User{Username: "fz", Password: "pw", Claims: claims})
			rp := newRP(t, idp.Issuer(), func(c *oidc.Config) { c.Claims, c.UserInfo = m, tc.userInfo })
			q, state := signIn(t, rp, newBrowser(t), "fz", "pw")
			res, err := rp.Complete(context.Background(), q, state)
			if err != nil {
				t.Fatal(err)
			}
			id := res.Identity
			if id.Kind != oidc.LegalPerson || id.CreditCode != otherCode || id.OrgName != "福州示例有限公司" ||
				id.OperatorName != "李四" || id.OperatorPhone != "13800000000" {
				t.Errorf("identity = %+v", id)
			}
		})
	}
}

func kid(t *testing.T, raw string) string {
	t.Helper()
	h, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var hdr struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(h, &hdr); err != nil {
		t.Fatal(err)
	}
	return hdr.Kid
}

func TestKeyRotationBetweenLogins(t *testing.T) {
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	rp := newRP(t, idp.Issuer())
	b := newBrowser(t)

	q, state := signIn(t, rp, b, "corp", "Pw-corp")
	first, err := rp.Complete(context.Background(), q, state)
	if err != nil {
		t.Fatal(err)
	}
	newKID, err := idp.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	idp.RetireOldKeys() // the key the RP has cached is gone from the key set
	idp.EndSessions("corp")

	q, state = signIn(t, rp, b, "corp", "Pw-corp")
	second, err := rp.Complete(context.Background(), q, state)
	if err != nil {
		t.Fatalf("sign-in after the platform rotated its key: %v", err)
	}
	if k1, k2 := kid(t, first.Identity.RawIDToken), kid(t, second.Identity.RawIDToken); k1 == k2 || k2 != newKID {
		t.Errorf("key ids: first %s, second %s, want the second to be the new %s", k1, k2, newKID)
	}
}

// TestTamperedIDTokens: an ID token that fails any check is refused, whatever its claims say.
func TestTamperedIDTokens(t *testing.T) {
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	rp := newRP(t, idp.Issuer())
	b := newBrowser(t)
	for _, tc := range []struct {
		name   string
		tamper []testidp.Tamper
		why    string // in the logged error: the check that caught it
	}{
		{"signed with a foreign key", []testidp.Tamper{testidp.SignWithForeignKey()}, "signature"},
		{"foreign key and other claims", []testidp.Tamper{testidp.SignWithForeignKey(),
			testidp.SetClaims(map[string]any{"uscc": otherCode})}, "signature"},
		{"for another audience", []testidp.Tamper{testidp.Audience("other-client")}, "audience"},
		{"several audiences, authorised party another", []testidp.Tamper{testidp.Audience("other-client", clientID)}, "azp"},
		{"expired", []testidp.Tamper{testidp.Expired()}, "expired"},
		{"another nonce", []testidp.Tamper{testidp.Nonce("not-the-one-we-sent")}, "nonce"},
		{"no nonce", []testidp.Tamper{testidp.SetClaims(map[string]any{"nonce": nil})}, "nonce"},
		{"another issuer", []testidp.Tamper{testidp.Issuer("https://idp.example.com")}, "different provider"},
		{"no subject", []testidp.Tamper{testidp.SetClaims(map[string]any{"sub": nil})}, "subject"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, state := signIn(t, rp, b, "corp", "Pw-corp")
			idp.TamperNextIDToken(tc.tamper...)
			res, err := rp.Complete(context.Background(), q, state)
			wantReason(t, err, oidc.ReasonToken)
			if !strings.Contains(err.Error(), tc.why) {
				t.Errorf("refused for another reason than %q: %v", tc.why, err)
			}
			if res.Identity != (oidc.Identity{}) {
				t.Errorf("a refused token gave an identity: %+v", res.Identity)
			}
		})
	}
	t.Run("several audiences, authorised party us", func(t *testing.T) {
		q, state := signIn(t, rp, b, "corp", "Pw-corp")
		idp.TamperNextIDToken(testidp.Audience(clientID, "other-client"))
		if _, err := rp.Complete(context.Background(), q, state); err != nil {
			t.Fatalf("a token issued to us (azp) with a second audience: %v", err)
		}
	})
}

func TestReplayedState(t *testing.T) {
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	rp := newRP(t, idp.Issuer())
	q, state := signIn(t, rp, newBrowser(t), "corp", "Pw-corp")
	if _, err := rp.Complete(context.Background(), q, state); err != nil {
		t.Fatal(err)
	}
	_, err := rp.Complete(context.Background(), q, state)
	wantReason(t, err, oidc.ReasonReplay)
}

func TestConcurrentCallbacksCompleteOnce(t *testing.T) {
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	rp := newRP(t, idp.Issuer())
	q, state := signIn(t, rp, newBrowser(t), "corp", "Pw-corp")
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = rp.Complete(context.Background(), q, state) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantReason(t, err, oidc.ReasonReplay)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent callbacks succeeded, want 1", ok, n)
	}
}

func TestStateBoundToTheBrowser(t *testing.T) {
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	rp := newRP(t, idp.Issuer())
	q, state := signIn(t, rp, newBrowser(t), "corp", "Pw-corp")

	// The attacker's callback opened in a victim's browser: the victim has no (or another) state.
	_, err := rp.Complete(context.Background(), q, "")
	wantReason(t, err, oidc.ReasonState)
	other, err := rp.Begin(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	_, err = rp.Complete(context.Background(), q, other.State)
	wantReason(t, err, oidc.ReasonState)

	// A state nobody issued, consistently in URL and cookie.
	forged := url.Values{"state": {"forged-state"}, "code": q["code"]}
	_, err = rp.Complete(context.Background(), forged, "forged-state")
	wantReason(t, err, oidc.ReasonState)

	// None of that used up the real sign-in.
	if _, err := rp.Complete(context.Background(), q, state); err != nil {
		t.Fatalf("the genuine callback after refused ones: %v", err)
	}
}

func TestExpiredSignIn(t *testing.T) {
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	rp := newRP(t, idp.Issuer(), func(c *oidc.Config) { c.Now, c.FlowTTL = clock, 5*time.Minute })
	q, state := signIn(t, rp, newBrowser(t), "corp", "Pw-corp")
	mu.Lock()
	now = now.Add(5*time.Minute + time.Second)
	mu.Unlock()
	_, err := rp.Complete(context.Background(), q, state)
	wantReason(t, err, oidc.ReasonExpired)
}

func TestExpiredCode(t *testing.T) {
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	rp := newRP(t, idp.Issuer())
	q, state := signIn(t, rp, newBrowser(t), "corp", "Pw-corp")
	idp.ExpireCodes()
	_, err := rp.Complete(context.Background(), q, state)
	wantReason(t, err, oidc.ReasonCode)
}

func TestDeniedConsent(t *testing.T) {
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	rp := newRP(t, idp.Issuer())
	b := newBrowser(t)
	start, err := rp.Begin(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	q := callback(t, b.submit(b.get(start.URL), nil, "deny"))
	if q.Get("error") != "access_denied" {
		t.Fatalf("callback query %v", q)
	}
	e := wantReason(t, func() error { _, err := rp.Complete(context.Background(), q, start.State); return err }(), oidc.ReasonDenied)
	if !e.Retryable() {
		t.Error("a refused consent should offer a retry")
	}
}

func TestNaturalPersonRefusedAsEmployer(t *testing.T) {
	person := testidp.User{Username: "zhang", Password: "pw", Claims: map[string]any{
		"name": "张三", "phone_number": "13912345678", "user_type": "natural",
	}}
	idp := startIdP(t, testidp.Options{}, person)
	rp := newRP(t, idp.Issuer())
	q, state := signIn(t, rp, newBrowser(t), "zhang", "pw")
	res, err := rp.Complete(context.Background(), q, state)
	e := wantReason(t, err, oidc.ReasonNaturalPerson)
	if e.Retryable() || e.Status() != http.StatusForbidden {
		t.Errorf("retryable %v, status %d", e.Retryable(), e.Status())
	}
	// The refusal still says who it was, for the audit and for ending the platform session.
	if res.Identity.Kind != oidc.NaturalPerson || res.Identity.Subject != "sub-zhang" || res.Identity.RawIDToken == "" {
		t.Errorf("identity = %+v", res.Identity)
	}
}

func TestStaffMapping(t *testing.T) {
	reviewer := testidp.User{Username: "li", Password: "pw", Claims: map[string]any{
		"name": "李审核", "user_type": "staff", "staff_account": "Reviewer",
	}}
	idp := startIdP(t, testidp.Options{}, reviewer, legalUser("corp", legalCode))
	m := oidc.DefaultClaims()
	m.StaffUsername, m.StaffValues = "staff_account", []string{"staff"}

	rp := newRP(t, idp.Issuer(), func(c *oidc.Config) { c.Claims = m })
	q, state := signIn(t, rp, newBrowser(t), "li", "pw")
	res, err := rp.Complete(context.Background(), q, state)
	if err != nil {
		t.Fatal(err)
	}
	if res.Identity.Kind != oidc.Staff || res.Identity.StaffUsername != "Reviewer" {
		t.Errorf("identity = %+v", res.Identity)
	}

	// A legal person is an employer even if it carries the staff claim.
	idp.AddUser(testidp.User{Username: "corp2", Password: "pw", Claims: map[string]any{
		"uscc": legalCode, "user_type": "legal", "staff_account": "admin",
	}})
	q, state = signIn(t, rp, newBrowser(t), "corp2", "pw")
	if res, err = rp.Complete(context.Background(), q, state); err != nil || res.Identity.Kind != oidc.LegalPerson ||
		res.Identity.StaffUsername != "" {
		t.Errorf("legal person with a staff claim: %+v, %v", res.Identity, err)
	}

	// Without staff mapping configured, the staff claim means nothing.
	plain := newRP(t, idp.Issuer())
	q, state = signIn(t, plain, newBrowser(t), "li", "pw")
	_, err = plain.Complete(context.Background(), q, state)
	wantReason(t, err, oidc.ReasonNaturalPerson)
}

func TestCreditCodeCheckCharacter(t *testing.T) {
	bad := legalCode[:17] + "Q" // wrong check character
	idp := startIdP(t, testidp.Options{}, legalUser("corp", bad), testidp.User{Username: "nocode", Password: "pw",
		Claims: map[string]any{"user_type": "legal", "org_name": "无代码单位"}})
	rp := newRP(t, idp.Issuer())
	q, state := signIn(t, rp, newBrowser(t), "corp", "Pw-corp")
	_, err := rp.Complete(context.Background(), q, state)
	if e := wantReason(t, err, oidc.ReasonCreditCode); e.Retryable() {
		t.Error("a wrong check character cannot be fixed by trying again")
	}

	q, state = signIn(t, rp, newBrowser(t), "nocode", "pw")
	_, err = rp.Complete(context.Background(), q, state)
	wantReason(t, err, oidc.ReasonClaims)
}

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestUnreachableIssuer(t *testing.T) {
	rp := newRP(t, "http://"+closedPort(t))
	_, err := rp.Begin(context.Background(), "/")
	wantReason(t, err, oidc.ReasonUnreachable)
	if err := rp.Check(context.Background()); err == nil {
		t.Error("Check of an unreachable platform succeeded")
	}
	if _, ok := rp.LogoutURL(context.Background(), "x"); ok {
		t.Error("logout URL of an unreachable platform")
	}

	// The platform goes down between the start and the callback.
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	rp = newRP(t, idp.Issuer())
	q, state := signIn(t, rp, newBrowser(t), "corp", "Pw-corp")
	idp.Close()
	_, err = rp.Complete(context.Background(), q, state)
	if e := wantReason(t, err, oidc.ReasonUnreachable); e.Status() != http.StatusBadGateway || !e.Retryable() {
		t.Errorf("status %d, retryable %v", e.Status(), e.Retryable())
	}
}

func TestLogout(t *testing.T) {
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	rp := newRP(t, idp.Issuer())
	b := newBrowser(t)
	q, state := signIn(t, rp, b, "corp", "Pw-corp")
	res, err := rp.Complete(context.Background(), q, state)
	if err != nil {
		t.Fatal(err)
	}
	if !idp.HasSession("corp") {
		t.Fatal("no platform session after sign-in")
	}

	// While the platform session lives, the next sign-in needs no password.
	start, err := rp.Begin(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	callback(t, b.get(start.URL))

	lu, ok := rp.LogoutURL(context.Background(), res.Identity.RawIDToken)
	if !ok {
		t.Fatal("no logout URL, though the platform has an end-session endpoint")
	}
	u, err := url.Parse(lu)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(lu, idp.Issuer()+"/") || u.Query().Get("id_token_hint") != res.Identity.RawIDToken ||
		u.Query().Get("post_logout_redirect_uri") != baseURL+oidc.PostLogoutPath || u.Query().Get("client_id") != clientID {
		t.Errorf("logout URL %s", lu)
	}
	p := b.get(lu)
	if p.location == nil || p.location.String() != baseURL+oidc.PostLogoutPath {
		t.Fatalf("end session: %d %v\n%s", p.status, p.location, p.body)
	}
	if idp.HasSession("corp") {
		t.Error("the platform session survived RP-initiated logout")
	}
	// The next sign-in asks for the password again.
	start, err = rp.Begin(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	if p := b.get(start.URL); p.location != nil || !strings.Contains(p.body, "密码登录") {
		t.Errorf("after logout the platform signed in without the password: %d %v", p.status, p.location)
	}
}

func TestPlatformSessionEndedElsewhere(t *testing.T) {
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	rp := newRP(t, idp.Issuer())
	b := newBrowser(t)
	q, state := signIn(t, rp, b, "corp", "Pw-corp")
	if _, err := rp.Complete(context.Background(), q, state); err != nil {
		t.Fatal(err)
	}
	if n := idp.EndSessions("corp"); n != 1 {
		t.Fatalf("ended %d sessions, want 1", n)
	}
	start, err := rp.Begin(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	if p := b.get(start.URL); p.location != nil || !strings.Contains(p.body, "密码登录") {
		t.Errorf("an ended platform session still signed in: %d %v", p.status, p.location)
	}
}

func TestProviderWithoutEndSession(t *testing.T) {
	// A platform whose discovery lacks end_session_endpoint: logout is local only.
	idp := startIdP(t, testidp.Options{})
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(idp.Issuer() + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		var doc map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		delete(doc, "end_session_endpoint")
		doc["issuer"] = "http://" + r.Host
		json.NewEncoder(w).Encode(doc)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	rp := newRP(t, "http://"+ln.Addr().String())
	if err := rp.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	if u, ok := rp.LogoutURL(context.Background(), "token"); ok {
		t.Errorf("logout URL %q without an end-session endpoint", u)
	}
}

func TestPendingLoginsContract(t *testing.T) {
	oidctest.Contract(t, func(*testing.T) oidc.PendingLogins { return oidctest.NewMemory() })
}

func TestAuthorizationRequest(t *testing.T) {
	idp := startIdP(t, testidp.Options{}, legalUser("corp", legalCode))
	rp := newRP(t, idp.Issuer(), func(c *oidc.Config) { c.Scopes = []string{"profile", "uscc"} })
	start, err := rp.Begin(context.Background(), "//evil.example.com/phish")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(start.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if !strings.HasPrefix(start.URL, idp.Issuer()+"/authorize?") || q.Get("client_id") != clientID ||
		q.Get("redirect_uri") != baseURL+oidc.CallbackPath || q.Get("response_type") != "code" ||
		q.Get("scope") != "openid profile uscc" || q.Get("state") != start.State || len(start.State) < 40 ||
		len(q.Get("nonce")) < 40 || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		t.Errorf("authorization request %s", start.URL)
	}
	b := newBrowser(t)
	p := b.submit(b.get(start.URL), map[string]string{"username": "corp", "password": "Pw-corp"}, "login")
	res, err := rp.Complete(context.Background(), callback(t, p), start.State)
	if err != nil {
		t.Fatal(err)
	}
	if res.ReturnTo != "/" {
		t.Errorf("an off-site return target survived: %q", res.ReturnTo)
	}
}
