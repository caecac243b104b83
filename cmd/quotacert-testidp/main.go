// Command quotacert-testidp runs the test identity provider (internal/testidp) by hand, to try
// quotacert's sign-in through a unified identity platform on one machine:
//
//	go run ./cmd/quotacert-testidp --secret-file /tmp/testidp-secret --base-url http://127.0.0.1:8080
//
// It listens on a free loopback port (or --addr), registers quotacert as the client "quotacert" with
// the callback and post-logout URLs under --base-url, keeps the client secret in --secret-file (made
// on first use, mode 0600, so quotacert reads the same file), and prints the issuer, the users and the
// matching `quotacert serve` command. Users come from --users (a JSON array of
// {"username", "password", "subject", "claims"}) or are the built-in ones printed at start. It stops
// on Ctrl-C. Passwords are kept in clear: this is a test program, never a real platform.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"quotacert/internal/oidc"
	"quotacert/internal/testidp"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quotacert-testidp:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := setup(args, out)
	if err != nil {
		return err
	}
	<-ctx.Done()
	return s.Close()
}

// setup parses the flags, starts the provider and prints how to use it.
func setup(args []string, out io.Writer) (*testidp.Server, error) {
	fl := flag.NewFlagSet("quotacert-testidp", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:0", "loopback `host:port` to listen on (port 0: a free one)")
	baseURL := fl.String("base-url", "http://127.0.0.1:8080", "quotacert's public base `URL` (as given to serve --base-url)")
	clientID := fl.String("client-id", "quotacert", "the client `id` registered for quotacert")
	secretFile := fl.String("secret-file", "", "`file` holding the client secret; created with a random one if missing (required)")
	usersFile := fl.String("users", "", "JSON `file` of users; default: the built-in users")
	if err := fl.Parse(args); err != nil {
		return nil, err
	}
	if *secretFile == "" {
		return nil, errors.New("--secret-file is required (quotacert reads the same file with --oidc-client-secret-file)")
	}
	secret, err := clientSecret(*secretFile)
	if err != nil {
		return nil, err
	}
	users := defaultUsers()
	if *usersFile != "" {
		if users, err = readUsers(*usersFile); err != nil {
			return nil, err
		}
	}
	base := strings.TrimSuffix(*baseURL, "/")
	s, err := testidp.Start(testidp.Options{Addr: *addr})
	if err != nil {
		return nil, err
	}
	s.AddClient(testidp.Client{ID: *clientID, Secret: secret,
		RedirectURIs: []string{base + oidc.CallbackPath}, PostLogoutRedirectURIs: []string{base + oidc.PostLogoutPath}})
	for _, u := range users {
		s.AddUser(u)
	}

	fmt.Fprintf(out, "test identity provider: %s\n", s.Issuer())
	fmt.Fprintf(out, "client %q, secret in %s, callback %s\n", *clientID, *secretFile, base+oidc.CallbackPath)
	fmt.Fprintln(out, "users:")
	for _, u := range users {
		c, _ := json.Marshal(u.Claims)
		fmt.Fprintf(out, "  %s / %s  %s\n", u.Username, u.Password, c)
	}
	fmt.Fprintf(out, "start quotacert with:\n  go run ./cmd/quotacert serve --base-url %s --oidc-issuer %s --oidc-client-id %s --oidc-client-secret-file %s --demo\n",
		base, s.Issuer(), *clientID, *secretFile)
	return s, nil
}

// clientSecret reads the secret file, or creates it with a random secret.
func clientSecret(path string) (string, error) {
	s, err := oidc.ReadSecretFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return s, err
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	s = base64.RawURLEncoding.EncodeToString(b)
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write client secret: %w", err)
	}
	return s, nil
}

func readUsers(path string) ([]testidp.User, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw []struct {
		Username string         `json:"username"`
		Password string         `json:"password"`
		Subject  string         `json:"subject"`
		Claims   map[string]any `json:"claims"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	users := make([]testidp.User, 0, len(raw))
	for i, u := range raw {
		if u.Username == "" || u.Password == "" {
			return nil, fmt.Errorf("users file %s: user %d needs a username and a password", path, i+1)
		}
		users = append(users, testidp.User{Username: u.Username, Password: u.Password, Subject: u.Subject, Claims: u.Claims})
	}
	return users, nil
}

// defaultUsers use quotacert's default claim names: the demo employer's credit code (an employer that
// also exists locally under serve --demo, to try linking), a new legal person, and a natural person.
func defaultUsers() []testidp.User {
	return []testidp.User{
		{Username: "91220101MA14U8XK2R", Password: "Demo@2026", Claims: map[string]any{"user_type": "legal",
			"uscc": "91220101MA14U8XK2R", "org_name": "长春市示例科技有限公司", "name": "王小明", "phone_number": "13912345678"}},
		{Username: "91350100M000100Y43", Password: "Demo@2026", Claims: map[string]any{"user_type": "legal",
			"uscc": "91350100M000100Y43", "org_name": "吉林省新申报示例有限公司", "name": "李红", "phone_number": "0431-88886666"}},
		{Username: "zhangsan", Password: "Demo@2026", Claims: map[string]any{"user_type": "natural",
			"name": "张三", "phone_number": "13800000000"}},
	}
}
