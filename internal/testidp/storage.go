package testidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// storage is the in-memory op.Storage of one Server. The module's example storage cannot carry
// arbitrary claims nor rotate keys, so this one is written against the op interfaces directly. Every
// method takes the one mutex; values handed to the op library are copies, never pointers into the maps.
type storage struct {
	mu           sync.Mutex
	codeTTL      time.Duration
	tokenTTL     time.Duration
	requirePKCE  bool
	userinfoOnly bool

	users    map[string]User // by username
	subjects map[string]string
	clients  map[string]Client
	requests map[string]*authRequest
	codes    map[string]string // code → auth request id
	tokens   map[string]accessToken
	sessions map[string]session // by session id (the browser cookie)
	keys     []*signingKey      // the last one signs; all are published
	foreign  *rsa.PrivateKey    // never published: for forged tokens
}

type authRequest struct {
	id           string
	clientID     string
	redirectURI  string
	state        string
	nonce        string
	scopes       []string
	responseType oidc.ResponseType
	responseMode oidc.ResponseMode
	prompt       []string
	maxAge       *uint
	challenge    *oidc.CodeChallenge
	subject      string
	authTime     time.Time
	done         bool
	codeIssued   time.Time
	codeExpired  bool
}

type accessToken struct {
	subject  string
	clientID string
	scopes   []string
	expires  time.Time
}

type session struct {
	subject  string
	authTime time.Time
}

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

type publicKey struct{ *signingKey }

func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.key.PublicKey }

// notFound marks a missing object for the op library (StorageNotFoundError).
type notFound string

func (e notFound) Error() string { return string(e) + " not found" }
func (notFound) IsNotFound()     {}

func randomID() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("testidp: system random source failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func newKey() (*signingKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return &signingKey{id: randomID()[:16], key: k}, nil
}

// snapshot is what the op library sees of an auth request: a copy taken under the lock.
type snapshot struct{ authRequest }

func (a snapshot) GetID() string                         { return a.id }
func (a snapshot) GetACR() string                        { return "" }
func (a snapshot) GetAMR() []string                      { return []string{"pwd"} }
func (a snapshot) GetAudience() []string                 { return []string{a.clientID} }
func (a snapshot) GetAuthTime() time.Time                { return a.authTime }
func (a snapshot) GetClientID() string                   { return a.clientID }
func (a snapshot) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a snapshot) GetNonce() string                      { return a.nonce }
func (a snapshot) GetRedirectURI() string                { return a.redirectURI }
func (a snapshot) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a snapshot) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a snapshot) GetScopes() []string                   { return slices.Clone(a.scopes) }
func (a snapshot) GetState() string                      { return a.state }
func (a snapshot) GetSubject() string                    { return a.subject }
func (a snapshot) Done() bool                            { return a.done }

func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if s.requirePKCE && (req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256) {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method=S256 is required")
	}
	a := &authRequest{
		id: randomID(), clientID: req.ClientID, redirectURI: req.RedirectURI, state: req.State, nonce: req.Nonce,
		scopes: slices.Clone([]string(req.Scopes)), responseType: req.ResponseType, responseMode: req.ResponseMode,
		prompt: slices.Clone([]string(req.Prompt)), maxAge: req.MaxAge,
	}
	if req.CodeChallenge != "" {
		a.challenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[a.id] = a
	return snapshot{*a}, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return nil, notFound("auth request")
	}
	return snapshot{*a}, nil
}

func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[s.codes[code]]
	if !ok {
		return nil, notFound("code")
	}
	if a.codeExpired || time.Since(a.codeIssued) > s.codeTTL {
		return nil, errors.New("code expired")
	}
	return snapshot{*a}, nil
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return notFound("auth request")
	}
	s.codes[code] = id
	a.codeIssued = time.Now()
	return nil
}

// DeleteAuthRequest is called when the code is exchanged: a code works once.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for c, rid := range s.codes {
		if rid == id {
			delete(s.codes, c)
		}
	}
	return nil
}

// complete marks an auth request as authenticated by subject.
func (s *storage) complete(id, subject string, authTime time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return notFound("auth request")
	}
	a.subject, a.authTime, a.done = subject, authTime, true
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	clientID := ""
	if a, ok := req.(op.AuthRequest); ok {
		clientID = a.GetClientID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := randomID()
	exp := time.Now().Add(s.tokenTTL)
	s.tokens[id] = accessToken{subject: req.GetSubject(), clientID: clientID, scopes: req.GetScopes(), expires: exp}
	return id, exp, nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("refresh tokens are not issued")
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) TerminateSession(_ context.Context, userID, _ string) error {
	s.endSessionsOf(userID)
	return nil
}

// TerminateSessionFromRequest ends the platform session of the browser that called end_session (its
// cookie, put into the context by the server) and every session of the user the id_token_hint names.
func (s *storage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	if sid, ok := ctx.Value(sessionKey{}).(string); ok {
		s.mu.Lock()
		delete(s.sessions, sid)
		s.mu.Unlock()
	}
	if req.UserID != "" {
		s.endSessionsOf(req.UserID)
	}
	return req.RedirectURI, nil
}

func (s *storage) endSessionsOf(subject string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, se := range s.sessions {
		if se.subject == subject {
			delete(s.sessions, id)
			n++
		}
	}
	return n
}

func (s *storage) RevokeToken(_ context.Context, token, _, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
	return nil
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[len(s.keys)-1], nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]op.Key, len(s.keys))
	for i, k := range s.keys {
		keys[i] = publicKey{k}
	}
	return keys, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, notFound("client")
	}
	return client{c}, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return errors.New("invalid client id or secret")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in op; SetUserinfoFromRequest does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, _ []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.userinfoOnly {
		info.Subject = req.GetSubject()
		return nil
	}
	return s.fill(info, req.GetSubject())
}

// SetUserinfoFromToken answers the userinfo endpoint.
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tokenID]
	if !ok || t.subject != subject || !time.Now().Before(t.expires) {
		return errors.New("access token invalid or expired")
	}
	return s.fill(info, subject)
}

func (s *storage) fill(info *oidc.UserInfo, subject string) error {
	u, ok := s.users[s.subjects[subject]]
	if !ok {
		return notFound("user")
	}
	info.Subject = subject
	for k, v := range u.Claims {
		info.AppendClaims(k, v)
	}
	return nil
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, r *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tokenID]
	if !ok || t.subject != subject || !time.Now().Before(t.expires) {
		return nil // inactive
	}
	r.Active, r.Subject, r.ClientID, r.Scope = true, subject, t.clientID, t.scopes
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("JWT profile client authentication is not supported")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("JWT profile grant is not supported")
}

func (s *storage) Health(context.Context) error { return nil }

// client adapts a registered Client to op.Client: a confidential web application using the
// authorization-code flow and HTTP Basic client authentication.
type client struct{ Client }

func (c client) GetID() string          { return c.ID }
func (c client) RedirectURIs() []string { return slices.Clone(c.Client.RedirectURIs) }
func (c client) PostLogoutRedirectURIs() []string {
	return slices.Clone(c.Client.PostLogoutRedirectURIs)
}
func (c client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c client) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c client) LoginURL(id string) string            { return loginPath + "?authRequestID=" + id }
func (c client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c client) IDTokenLifetime() time.Duration       { return 5 * time.Minute }
func (c client) DevMode() bool                        { return false }
func (c client) IsScopeAllowed(string) bool           { return true }
func (c client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c client) ClockSkew() time.Duration             { return 0 }
func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
