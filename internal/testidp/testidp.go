// Package testidp is a real OpenID Connect provider for tests and for trying quotacert's platform
// sign-in by hand (cmd/quotacert-testidp). It is built on github.com/zitadel/oidc/v3/pkg/op, an
// OpenID-certified implementation, with its own small in-memory storage: users with arbitrary claims
// (a credit code under any claim name, the organisation, the operator, a user type telling 法人 from
// 个人), clients registered by the test, a plain HTML login page that a headless browser can fill,
// platform sessions (SSO) that end at the end-session endpoint or when a test ends them, signing-key
// rotation, and the misbehaviour negative tests need (forged or altered ID tokens, expired codes).
//
// In a test:
//
//	idp, err := testidp.Start(testidp.Options{})        // a free port on 127.0.0.1
//	defer idp.Close()
//	idp.AddClient(testidp.Client{ID: "quotacert", Secret: "s", RedirectURIs: []string{base + oidc.CallbackPath}})
//	idp.AddUser(testidp.User{Username: "corp", Password: "pw", Claims: map[string]any{"uscc": "…", "user_type": "legal"}})
//	// point the relying party at idp.Issuer(); sign in at its login page (form fields username,
//	// password; button action=login, or action=deny to refuse consent)
//	idp.RotateKey(); idp.RetireOldKeys()                // key rotation
//	idp.TamperNextIDToken(testidp.SignWithForeignKey())  // negative tests
//	idp.EndSessions("corp")                              // the user signed out at the platform
//
// It is a test helper: passwords are kept in clear and it only listens on loopback addresses.
package testidp

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is an account at the provider. Claims go into the ID token (and the userinfo answer) as given,
// so a test can name the credit-code claim however the province it imitates does.
type User struct {
	Username string
	Password string
	Subject  string // the stable "sub"; default "sub-" + Username
	Claims   map[string]any
}

// Client is a relying party registered at the provider.
type Client struct {
	ID                     string
	Secret                 string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
}

// Options configure a Server; the zero value is usable.
type Options struct {
	Addr         string        // loopback host:port to listen on; default "127.0.0.1:0" (a free port)
	CodeTTL      time.Duration // how long an authorization code may be exchanged; default 1 minute
	AllowNoPKCE  bool          // accept authorization requests without PKCE S256 (refused by default)
	UserinfoOnly bool          // put the users' claims only in the userinfo answer, not in the ID token
}

// Server is a running provider.
type Server struct {
	issuer   string
	storage  *storage
	provider *op.Provider
	http     *http.Server
	done     chan struct{}

	tamperMu sync.Mutex
	tamper   []Tamper // applied to the next ID token the token endpoint issues
}

// Start listens on a loopback port and serves the provider until Close.
func Start(opt Options) (*Server, error) {
	if opt.Addr == "" {
		opt.Addr = "127.0.0.1:0"
	}
	if opt.CodeTTL == 0 {
		opt.CodeTTL = time.Minute
	}
	host, _, err := net.SplitHostPort(opt.Addr)
	if err != nil {
		return nil, fmt.Errorf("testidp: address %q: %w", opt.Addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("testidp: refusing to listen on %q: a test provider listens on loopback only", opt.Addr)
	}
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	foreign, err := newKey()
	if err != nil {
		return nil, err
	}
	st := &storage{
		codeTTL: opt.CodeTTL, tokenTTL: 5 * time.Minute,
		requirePKCE: !opt.AllowNoPKCE, userinfoOnly: opt.UserinfoOnly,
		users: map[string]User{}, subjects: map[string]string{}, clients: map[string]Client{},
		requests: map[string]*authRequest{}, codes: map[string]string{}, tokens: map[string]accessToken{},
		sessions: map[string]session{}, keys: []*signingKey{key}, foreign: foreign.key,
	}
	ln, err := net.Listen("tcp", opt.Addr)
	if err != nil {
		return nil, fmt.Errorf("testidp: listen: %w", err)
	}
	s := &Server{issuer: "http://" + ln.Addr().String(), storage: st, done: make(chan struct{})}

	cfg := &op.Config{
		DefaultLogoutRedirectURI: loggedOutPath,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
	}
	if _, err := rand.Read(cfg.CryptoKey[:]); err != nil {
		ln.Close()
		return nil, fmt.Errorf("testidp: crypto key: %w", err)
	}
	s.provider, err = op.NewProvider(cfg, st, op.StaticIssuer(s.issuer), op.WithAllowInsecure())
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("testidp: provider: %w", err)
	}
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.http.Serve(ln) // returns http.ErrServerClosed on Close
	}()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	<-s.done
	return err
}

// Issuer is the issuer URL, e.g. http://127.0.0.1:40123 (also the discovery base).
func (s *Server) Issuer() string { return s.issuer }

// AddUser adds or replaces a user.
func (s *Server) AddUser(u User) {
	if u.Subject == "" {
		u.Subject = "sub-" + u.Username
	}
	st := s.storage
	st.mu.Lock()
	defer st.mu.Unlock()
	if old, ok := st.users[u.Username]; ok {
		delete(st.subjects, old.Subject)
	}
	st.users[u.Username] = u
	st.subjects[u.Subject] = u.Username
}

// AddClient registers or replaces a client.
func (s *Server) AddClient(c Client) {
	st := s.storage
	st.mu.Lock()
	defer st.mu.Unlock()
	st.clients[c.ID] = c
}

// RotateKey adds a new signing key, which signs from now on, and returns its key id. The older keys
// stay published (as a provider does during a rotation) until RetireOldKeys.
func (s *Server) RotateKey() (string, error) {
	k, err := newKey()
	if err != nil {
		return "", err
	}
	st := s.storage
	st.mu.Lock()
	defer st.mu.Unlock()
	st.keys = append(st.keys, k)
	return k.id, nil
}

// RetireOldKeys stops publishing every key but the current signing key.
func (s *Server) RetireOldKeys() {
	st := s.storage
	st.mu.Lock()
	defer st.mu.Unlock()
	st.keys = st.keys[len(st.keys)-1:]
}

// SigningKeyID is the key id of the current signing key.
func (s *Server) SigningKeyID() string {
	st := s.storage
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.keys[len(st.keys)-1].id
}

// EndSessions ends every platform session of a user, as if they had signed out at the platform
// elsewhere; it returns how many there were. The next sign-in asks for the password again.
func (s *Server) EndSessions(username string) int {
	st := s.storage
	st.mu.Lock()
	u, ok := st.users[username]
	st.mu.Unlock()
	if !ok {
		return 0
	}
	return st.endSessionsOf(u.Subject)
}

// HasSession reports whether the user has a platform session.
func (s *Server) HasSession(username string) bool {
	st := s.storage
	st.mu.Lock()
	defer st.mu.Unlock()
	u, ok := st.users[username]
	if !ok {
		return false
	}
	for _, se := range st.sessions {
		if se.subject == u.Subject {
			return true
		}
	}
	return false
}

// ExpireCodes makes every authorization code issued so far unusable, as if it had timed out.
func (s *Server) ExpireCodes() {
	st := s.storage
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, a := range st.requests {
		if !a.codeIssued.IsZero() {
			a.codeExpired = true
		}
	}
}

// TamperNextIDToken alters the ID token of the next token response (see Tamper).
func (s *Server) TamperNextIDToken(t ...Tamper) {
	s.tamperMu.Lock()
	defer s.tamperMu.Unlock()
	s.tamper = append(s.tamper, t...)
}

func (s *Server) takeTamper() []Tamper {
	s.tamperMu.Lock()
	defer s.tamperMu.Unlock()
	t := s.tamper
	s.tamper = nil
	return t
}
