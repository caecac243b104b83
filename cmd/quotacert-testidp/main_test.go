package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSetup(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	var out bytes.Buffer
	s, err := setup([]string{"--secret-file", secret, "--base-url", "http://127.0.0.1:8080/"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := os.ReadFile(secret)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(secret); fi.Mode().Perm() != 0o600 || len(strings.TrimSpace(string(b))) < 20 {
		t.Errorf("secret file %v %q", fi.Mode(), b)
	}
	for _, want := range []string{s.Issuer(), "--oidc-issuer " + s.Issuer(), "91220101MA14U8XK2R / Demo@2026",
		"http://127.0.0.1:8080/login/oidc/callback"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	resp, err := http.Get(s.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("discovery: %d", resp.StatusCode)
	}

	// A second start keeps the secret.
	s2, err := setup([]string{"--secret-file", secret}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if b2, _ := os.ReadFile(secret); !bytes.Equal(b, b2) {
		t.Error("the secret changed on the second start")
	}
}

func TestUsersFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "users.json")
	os.WriteFile(p, []byte(`[{"username":"u","password":"p","claims":{"credit_code":"91350100M000100Y43"}}]`), 0o600)
	users, err := readUsers(p)
	if err != nil || len(users) != 1 || users[0].Claims["credit_code"] != "91350100M000100Y43" {
		t.Errorf("readUsers = %+v, %v", users, err)
	}
	os.WriteFile(p, []byte(`[{"username":"u"}]`), 0o600)
	if _, err := readUsers(p); err == nil {
		t.Error("a user without password accepted")
	}
	if _, err := setup([]string{}, &bytes.Buffer{}); err == nil {
		t.Error("started without --secret-file")
	}
}
