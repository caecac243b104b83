// Package oidc is quotacert's relying party for a provincial unified identity platform (统一身份认证平台)
// that speaks OpenID Connect: the authorization-code flow with PKCE, state and nonce, the ID token
// checked by github.com/coreos/go-oidc (signature against the platform's published keys, refreshed when
// it rotates them; issuer; audience; expiry) and the claims mapped to a typed Identity by a configurable
// ClaimMap. It decides nothing about accounts: the account package links or creates them.
//
// A started sign-in is a PendingLogin kept through the PendingLogins port, so that any instance behind
// a load balancer can complete it, once. The state is also bound to the browser that started the
// sign-in (the web layer keeps it in a short-lived cookie), so that nobody can make a victim's browser
// complete the attacker's sign-in. Every failure is an *Error with a Chinese message.
package oidc

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// discoveryRetry is how long a failed discovery is remembered: while the platform is down, sign-ins
// fail fast instead of each waiting for the HTTP timeout.
const discoveryRetry = 5 * time.Second

// Client is the relying party. It is safe for concurrent use.
type Client struct {
	cfg     Config
	pending PendingLogins

	mu       sync.Mutex
	disc     *discovered
	failedAt time.Time
	failErr  error
}

// discovered is what the platform's discovery document gives.
type discovered struct {
	provider   *gooidc.Provider
	verifier   *gooidc.IDTokenVerifier
	oauth      oauth2.Config
	endSession string
}

// New checks the configuration and returns the client. It does not contact the platform: discovery
// happens at the first use (or Check), so quotacert starts while the platform is unreachable.
func New(cfg Config, pending PendingLogins) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("oidc configuration: %w", err)
	}
	if pending == nil {
		return nil, errors.New("oidc: no store for pending logins")
	}
	return &Client{cfg: cfg, pending: pending}, nil
}

// Config returns the configuration in force, defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// Check discovers the platform, for a start-up message or a readiness probe.
func (c *Client) Check(ctx context.Context) error {
	_, err := c.discover(ctx)
	return err
}

func (c *Client) discover(ctx context.Context) (*discovered, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.disc != nil {
		return c.disc, nil
	}
	if c.failErr != nil && c.cfg.Now().Sub(c.failedAt) < discoveryRetry {
		return nil, c.failErr
	}
	// Discovery serves every request to come: one visitor closing the tab must not fail it for all
	// (the HTTP client's timeout still bounds it).
	d, err := c.fetchDiscovery(context.WithoutCancel(ctx))
	if err != nil {
		c.failedAt, c.failErr = c.cfg.Now(), newError(ReasonUnreachable, "discovery of "+c.cfg.Issuer, err)
		return nil, c.failErr
	}
	c.disc, c.failErr = d, nil
	return d, nil
}

func (c *Client) fetchDiscovery(ctx context.Context) (*discovered, error) {
	p, err := gooidc.NewProvider(gooidc.ClientContext(ctx, c.cfg.HTTPClient), c.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	var meta struct {
		EndSession  string   `json:"end_session_endpoint"`
		AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("read discovery document: %w", err)
	}
	ep := p.Endpoint()
	// Say how to send the client secret instead of letting oauth2 guess (a failed guess costs a round
	// trip and leaves a failed client authentication in the platform's log). Basic is the default.
	ep.AuthStyle = oauth2.AuthStyleInHeader
	if len(meta.AuthMethods) > 0 && !slices.Contains(meta.AuthMethods, "client_secret_basic") &&
		slices.Contains(meta.AuthMethods, "client_secret_post") {
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	return &discovered{
		provider: p,
		verifier: p.Verifier(&gooidc.Config{ClientID: c.cfg.ClientID, Now: c.cfg.Now}),
		oauth: oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: ep,
			RedirectURL: c.cfg.RedirectURL(), Scopes: c.cfg.Scopes},
		endSession: meta.EndSession,
	}, nil
}

// Start is a begun sign-in: send the browser to URL, and keep State in a cookie for the callback
// (HttpOnly, SameSite=Lax — the callback is a cross-site navigation —, Path=CallbackPath, Max-Age
// FlowTTL, Secure over https).
type Start struct {
	URL   string
	State string
}

// Begin starts a sign-in that continues at returnTo (a local path; anything else becomes "/").
func (c *Client) Begin(ctx context.Context, returnTo string) (Start, error) {
	d, err := c.discover(ctx)
	if err != nil {
		return Start{}, err
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	p := PendingLogin{StateHash: StateHash(state), Nonce: nonce, Verifier: verifier,
		ReturnTo: SafeReturnPath(returnTo), CreatedAt: c.cfg.Now()}
	if err := c.pending.SavePendingLogin(ctx, p); err != nil {
		return Start{}, fmt.Errorf("save pending login: %w", err)
	}
	u := d.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), gooidc.Nonce(nonce))
	return Start{URL: u, State: state}, nil
}

// Result is a completed sign-in.
type Result struct {
	Identity Identity
	ReturnTo string
}

// Complete finishes the sign-in at the callback: query is the callback's query, browserState the
// state kept in the browser's cookie. A natural person (not mapped to staff) comes back with the
// Identity and a ReasonNaturalPerson error, so that the refusal can be audited with the subject and
// the platform session ended (LogoutURL) before another try. Errors other than *Error are internal
// (the pending-login store failed).
func (c *Client) Complete(ctx context.Context, query url.Values, browserState string) (Result, error) {
	state := query.Get("state")
	if state == "" || len(state) > 256 {
		return Result{}, newError(ReasonState, "callback without a usable state", nil)
	}
	if browserState == "" || subtle.ConstantTimeCompare([]byte(state), []byte(browserState)) != 1 {
		return Result{}, newError(ReasonState, "state differs from the browser's", nil)
	}
	p, err := c.pending.UsePendingLogin(ctx, StateHash(state))
	switch {
	case errors.Is(err, ErrPendingUnknown):
		return Result{}, newError(ReasonState, "unknown state", nil)
	case errors.Is(err, ErrPendingUsed):
		return Result{}, newError(ReasonReplay, "state used before", nil)
	case err != nil:
		return Result{}, fmt.Errorf("use pending login: %w", err)
	}
	res := Result{ReturnTo: p.ReturnTo}
	if age := c.cfg.Now().Sub(p.CreatedAt); age > c.cfg.FlowTTL {
		return res, newError(ReasonExpired, fmt.Sprintf("started %s ago", age.Round(time.Second)), nil)
	}
	if e := query.Get("error"); e != "" {
		if e == "access_denied" {
			return res, newError(ReasonDenied, "", nil)
		}
		return res, newError(ReasonProvider, "platform error "+printable(e, 64)+": "+
			printable(query.Get("error_description"), 200), nil)
	}
	code := query.Get("code")
	if code == "" || len(code) > 4096 {
		return res, newError(ReasonCode, "callback without a usable code", nil)
	}
	d, err := c.discover(ctx)
	if err != nil {
		return res, err
	}
	hc := context.WithValue(ctx, oauth2.HTTPClient, c.cfg.HTTPClient)
	tok, err := d.oauth.Exchange(hc, code, oauth2.VerifierOption(p.Verifier))
	if err != nil {
		return res, exchangeError(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return res, newError(ReasonToken, "token response without an ID token", nil)
	}
	idt, err := d.verifier.Verify(gooidc.ClientContext(ctx, c.cfg.HTTPClient), raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return res, newError(ReasonUnreachable, "fetch the platform's keys", err)
		}
		return res, newError(ReasonToken, "verify ID token", err)
	}
	claims, err := c.checkToken(idt, p.Nonce, tok.AccessToken)
	if err != nil {
		return res, err
	}
	if c.cfg.UserInfo {
		if err := c.addUserInfo(hc, d, tok, idt.Subject, claims); err != nil {
			return res, err
		}
	}
	id, err := mapClaims(claims, c.cfg.Claims)
	if err != nil {
		return res, err
	}
	id.Subject, id.Issuer, id.RawIDToken = idt.Subject, idt.Issuer, raw
	res.Identity = id
	if id.Kind == NaturalPerson {
		return res, newError(ReasonNaturalPerson, "subject "+printable(id.Subject, 64), nil)
	}
	return res, nil
}

// checkToken does the checks go-oidc leaves to the caller and returns the claims.
func (c *Client) checkToken(idt *gooidc.IDToken, nonce, accessToken string) (map[string]any, error) {
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, newError(ReasonToken, "nonce differs", nil)
	}
	if idt.Subject == "" {
		return nil, newError(ReasonToken, "ID token without a subject", nil)
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(accessToken); err != nil {
			return nil, newError(ReasonToken, "at_hash", err)
		}
	}
	var raw json.RawMessage
	if err := idt.Claims(&raw); err != nil {
		return nil, newError(ReasonToken, "read claims", err)
	}
	claims, err := decodeClaims(raw)
	if err != nil {
		return nil, newError(ReasonToken, "decode claims", err)
	}
	// With several audiences, the token must have been issued to us (OpenID Connect Core 3.1.3.7).
	if len(idt.Audience) > 1 {
		if azp, _ := claims["azp"].(string); azp != c.cfg.ClientID {
			return nil, newError(ReasonToken, "several audiences and azp is not this client", nil)
		}
	}
	return claims, nil
}

// addUserInfo merges the userinfo answer into claims; the ID token's claims win.
func (c *Client) addUserInfo(ctx context.Context, d *discovered, tok *oauth2.Token, subject string, claims map[string]any) error {
	ui, err := d.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return newError(ReasonUnreachable, "userinfo", err)
		}
		return newError(ReasonProvider, "userinfo", err)
	}
	if ui.Subject != subject {
		return newError(ReasonToken, "userinfo is about another subject", nil)
	}
	var raw json.RawMessage
	if err := ui.Claims(&raw); err != nil {
		return newError(ReasonProvider, "read userinfo", err)
	}
	more, err := decodeClaims(raw)
	if err != nil {
		return newError(ReasonProvider, "decode userinfo", err)
	}
	for k, v := range more {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}

// decodeClaims decodes a JSON object keeping numbers exact (a phone number is not a float).
func decodeClaims(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("claims are not a JSON object")
	}
	return m, nil
}

// exchangeError classifies a failed code exchange: a protocol answer of the platform, or no answer.
func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode == "invalid_grant" {
			return newError(ReasonCode, "code exchange refused", err)
		}
		return newError(ReasonProvider, "code exchange", err)
	}
	return newError(ReasonUnreachable, "code exchange", err)
}

// LogoutURL is the platform's end-session URL for RP-initiated logout of the session that rawIDToken
// (from Identity.RawIDToken) came from, returning to PostLogoutURL; ok is false when the platform
// advertises no end_session_endpoint (or cannot be reached): then only the local session ends.
func (c *Client) LogoutURL(ctx context.Context, rawIDToken string) (u string, ok bool) {
	d, err := c.discover(ctx)
	if err != nil || d.endSession == "" {
		return "", false
	}
	eu, err := url.Parse(d.endSession)
	if err != nil {
		return "", false
	}
	q := eu.Query()
	if rawIDToken != "" {
		q.Set("id_token_hint", rawIDToken)
	}
	q.Set("client_id", c.cfg.ClientID)
	q.Set("post_logout_redirect_uri", c.cfg.PostLogoutURL())
	eu.RawQuery = q.Encode()
	return eu.String(), true
}

// SafeReturnPath keeps a return target local: an absolute path on this site, or "/". Anything that a
// browser could read as another site ("//host", "/\host", a scheme) becomes "/".
func SafeReturnPath(p string) string {
	if p == "" || len(p) > 1024 || p[0] != '/' || strings.HasPrefix(p, "//") ||
		strings.ContainsAny(p, "\\") || strings.ContainsFunc(p, unicode.IsControl) {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return p
}

// printable bounds text from the platform for the log.
func printable(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return '?'
	}, s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("oidc: system random source failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
