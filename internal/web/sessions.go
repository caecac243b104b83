package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"quotacert/internal/account"
	"quotacert/internal/actor"
)

// Cookie names. Over TLS the __Host- prefix makes the browser insist on Secure, Path=/ and no Domain,
// so a sibling subdomain cannot plant or overwrite the session cookie.
const (
	sessionCookie       = "qc_session"
	secureSessionCookie = "__Host-qc_session"
)

// ClientAddrs finds the client address of a request. X-Forwarded-For is believed only when the direct
// peer is a configured trusted proxy; otherwise anyone could claim any address and escape the
// per-address login limit.
type ClientAddrs struct {
	TrustedProxies []netip.Prefix
}

// Of returns the client address of r.
func (c ClientAddrs) Of(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !c.trusted(peer) {
		return host
	}
	// Walk X-Forwarded-For from the right: the first address that is not a trusted proxy is the client.
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !c.trusted(a) {
			return a.Unmap().String()
		}
	}
	return host
}

func (c ClientAddrs) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range c.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// SessionCookies implements Sessions with database sessions (package account) carried in a cookie.
type SessionCookies struct {
	Accounts *account.Service
	Addrs    ClientAddrs
	// SecureBase is true when the public base URL is https (TLS ends at a proxy): cookies are then
	// Secure and __Host- prefixed even though r.TLS is nil here.
	SecureBase bool
	Log        *slog.Logger
}

func (c *SessionCookies) secure(r *http.Request) bool { return c.SecureBase || r.TLS != nil }

func (c *SessionCookies) name(r *http.Request) string {
	if c.secure(r) {
		return secureSessionCookie
	}
	return sessionCookie
}

// Token returns the session token the request carries ("" for none).
func (c *SessionCookies) Token(r *http.Request) string {
	ck, err := r.Cookie(c.name(r))
	if err != nil {
		return ""
	}
	return ck.Value
}

// Actor resolves the request's session. A database failure counts as signed out here; the
// middleware uses ResolveErr instead, which tells the two apart.
func (c *SessionCookies) Actor(r *http.Request) (actor.Actor, bool) {
	a, ok, _ := c.ResolveErr(r)
	return a, ok
}

// ResolveErr resolves the request's session and returns the database's error apart: a fault while
// reading the session is not "signed out" — the user is told the database is unavailable (503)
// and keeps the session.
func (c *SessionCookies) ResolveErr(r *http.Request) (actor.Actor, bool, error) {
	tok := c.Token(r)
	if tok == "" {
		return actor.Actor{}, false, nil
	}
	a, ok, err := c.Accounts.Resolve(r.Context(), tok, c.Addrs.Of(r))
	if err != nil {
		if c.Log != nil {
			c.Log.Error("resolve session", "err", err)
		}
		return actor.Actor{}, false, err
	}
	return a, ok, nil
}

// Set writes the session cookie: HttpOnly (no script can read it), SameSite=Lax (not sent on
// cross-site POSTs), Path=/, Secure over TLS. No Max-Age: it ends with the browser, and the server
// enforces the idle and absolute timeouts anyway.
func (c *SessionCookies) Set(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: c.name(r), Value: token, Path: "/", HttpOnly: true,
		Secure: c.secure(r), SameSite: http.SameSiteLaxMode})
}

// Clear deletes the session cookie in the browser.
func (c *SessionCookies) Clear(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: c.name(r), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: c.secure(r), SameSite: http.SameSiteLaxMode})
}

type actorKey struct{}

// withActor resolves the session once per request and keeps the result in the context, so the guard,
// the handler and the layout do not each query the database. Static assets and the probes
// (/healthz, /readyz, /metrics) carry no session: they are served without touching the database.
func (s *Server) withActor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.deps.Sessions == nil || sessionless(r.URL.Path) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, resolved{})))
			return
		}
		var v resolved
		if re, ok := s.deps.Sessions.(interface {
			ResolveErr(*http.Request) (actor.Actor, bool, error)
		}); ok {
			v.a, v.ok, v.err = re.ResolveErr(r)
		} else {
			v.a, v.ok = s.deps.Sessions.Actor(r)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, v)))
	})
}

// sessionless reports the paths that never need the signed-in user.
func sessionless(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// sessionFault is the database error met while resolving the request's session, if any.
func sessionFault(r *http.Request) error {
	v, _ := r.Context().Value(actorKey{}).(resolved)
	return v.err
}

type resolved struct {
	a   actor.Actor
	ok  bool
	err error // the database failed while reading the session: neither signed in nor out
}

// clientAddr is the request's client address under the trusted-proxy configuration.
func (s *Server) clientAddr(r *http.Request) string { return s.deps.Addrs.Of(r) }
