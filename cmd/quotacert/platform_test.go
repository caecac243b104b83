package main

import (
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"quotacert/internal/demo"
	"quotacert/internal/oidc"
	"quotacert/internal/testidp"
)

// TestServeBehindPlatform is issue 16's "done when": with the test provider running,
// `quotacert serve --oidc-issuer http://127.0.0.1:PORT … --demo` lets a new legal person reach
// 单位信息维护管理 through the provider, links the demo employer that registered locally, and
// refuses a local registration while the platform is on.
func TestServeBehindPlatform(t *testing.T) {
	bin := buildBinary(t)
	idp, err := testidp.Start(testidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer idp.Close()

	// The callback URL derives from --base-url, so the port is chosen before the server starts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("s3cret-of-the-test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	idp.AddClient(testidp.Client{ID: "quotacert", Secret: "s3cret-of-the-test", RedirectURIs: []string{base + oidc.CallbackPath},
		PostLogoutRedirectURIs: []string{base + oidc.PostLogoutPath}})
	idp.AddUser(testidp.User{Username: "new-corp", Password: "pw1", Claims: map[string]any{"user_type": "legal",
		"uscc": "91350100M000100Y43", "org_name": "吉林省新申报示例有限公司", "name": "李红", "phone_number": "13912345678"}})
	idp.AddUser(testidp.User{Username: "demo-corp", Password: "pw2", Claims: map[string]any{"user_type": "legal",
		"uscc": demo.EmployerCode, "org_name": "长春示例科技有限公司"}})

	got, _, logs := startServer(t, bin, nil, "--addr", addr, "--data", t.TempDir(), "--base-url", base, "--demo",
		"--oidc-issuer", idp.Issuer(), "--oidc-client-id", "quotacert", "--oidc-client-secret-file", secretFile)
	if got != base {
		t.Fatalf("serving on %s, want %s", got, base)
	}
	if !strings.Contains(logs.String(), "unified identity platform discovered") {
		t.Errorf("start-up did not report the platform:\n%s", logs.String())
	}

	signIn := func(user, password string) (*http.Client, *url.URL, string) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
		res, err := c.Get(base + "/login/oidc")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		id := res.Request.URL.Query().Get("authRequestID")
		if id == "" {
			t.Fatalf("我要申报 did not reach the platform's login page: %s", res.Request.URL)
		}
		res, err = c.PostForm(idp.Issuer()+"/login", url.Values{"authRequestID": {id}, "username": {user}, "password": {password}, "action": {"login"}})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("sign-in of %s: %d at %s\n%.800s\n%s", user, res.StatusCode, res.Request.URL, b, logs.String())
		}
		return c, res.Request.URL, string(b)
	}

	_, at, body := signIn("new-corp", "pw1")
	if at.Path != "/employer" || at.Query().Get("done") != "platform-created" || !strings.Contains(body, "单位信息维护管理") ||
		!strings.Contains(body, "吉林省新申报示例有限公司") {
		t.Fatalf("the new legal person landed at %s\n%.800s", at, body)
	}
	_, at, body = signIn("demo-corp", "pw2")
	if at.Path != "/employer" || at.Query().Get("done") != "platform-linked" || !strings.Contains(body, "原有的账号已与统一身份认证平台账号关联") {
		t.Fatalf("the demo employer was not linked: %s\n%.800s", at, body)
	}

	// No squatting: local registration is off behind the platform.
	res, err := http.Post(base+"/api/v1/register", "application/json", strings.NewReader(
		`{"creditCode":"911100001000044477","name":"抢注的单位","contactName":"王晓明","contactPhone":"13812345678","password":"Quota#2026a"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "无需在本系统注册") {
		t.Errorf("local registration behind the platform: %d %s", res.StatusCode, b)
	}
}

// TestServePlatformFlags: bad switches stop the start with exit code 2 and a message.
func TestServePlatformFlags(t *testing.T) {
	noEnv := func(string) string { return "" }
	for _, args := range [][]string{
		{"--local-register", "maybe"},
		{"--local-login", "no"},
		{"--local-register", "off", "--local-login", "off"},
	} {
		var out, errb strings.Builder
		if code := run(t.Context(), append([]string{"serve", "--data", t.TempDir()}, args...), noEnv, nil, &out, &errb); code != 2 {
			t.Errorf("serve %v: exit %d, want 2 (%s)", args, code, errb.String())
		}
	}
	var out, errb strings.Builder
	code := run(t.Context(), []string{"serve", "--data", t.TempDir(), "--oidc-issuer", "http://platform.example", "--oidc-client-id", "q"},
		func(k string) string {
			if k == "QUOTACERT_OIDC_CLIENT_SECRET" {
				return "x"
			}
			return ""
		}, nil, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "https") || !strings.Contains(errb.String(), "--base-url") {
		t.Errorf("plain-http issuer without --base-url: exit %d, %s", code, errb.String())
	}
}
