package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"quotacert/internal/account"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
	"quotacert/internal/oidc"
)

// Cookies of the platform sign-in. The state cookie binds a started sign-in to the browser that
// started it (nobody can make a victim's browser complete the attacker's sign-in); it goes only to
// the callback. The hint cookie marks a session opened through the platform and carries the ID
// token for RP-initiated logout (id_token_hint); it goes only to the logout. Both stay in the
// browser, so every instance behind the load balancer reads them; the pending sign-in itself is in
// the database.
const (
	platformStateCookie       = "qc_oidc_state"
	securePlatformStateCookie = "__Secure-qc_oidc_state"
	platformHintCookie        = "qc_oidc_logout"
	securePlatformHintCookie  = "__Secure-qc_oidc_logout"
	platformHintPath          = "/logout"
	// maxHintCookie keeps the cookie within what every browser stores; a longer ID token is not kept
	// and the logout goes to the platform without the hint.
	maxHintCookie = 3000
)

// platformErrorPage is the page of a platform sign-in that did not complete.
type platformErrorPage struct {
	Heading string // default 未能通过统一身份认证平台登录
	Message string
	Retry   string // where "重新登录" starts again; "" when another try cannot help
	// PlatformLogout ends the platform session (a natural person must sign in again as 法人).
	PlatformLogout string
}

func (s *Server) platformCookie(r *http.Request, plain, secure string) string {
	if s.deps.Cookies != nil && (s.deps.Cookies.SecureBase || r.TLS != nil) {
		return secure
	}
	return plain
}

func (s *Server) secureCookies(r *http.Request) bool {
	return s.deps.Cookies != nil && (s.deps.Cookies.SecureBase || r.TLS != nil)
}

// handlePlatformStart (GET /login/oidc, "我要申报") sends the browser to the platform's login page.
func (s *Server) handlePlatformStart(w http.ResponseWriter, r *http.Request) {
	p := s.deps.Platform
	if p == nil {
		s.renderError(w, r, apperr.NotFoundf("您访问的页面"))
		return
	}
	next := r.URL.Query().Get("next")
	if err := s.deps.Accounts.StartPlatform(r.Context(), s.clientAddr(r)); err != nil {
		s.renderError(w, r, err)
		return
	}
	st, err := p.Begin(r.Context(), safeNext(next, "/"))
	if err != nil {
		s.platformFailed(w, r, err, oidc.Identity{}, next)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.platformCookie(r, platformStateCookie, securePlatformStateCookie), Value: st.State,
		Path: oidc.CallbackPath, MaxAge: int(p.Config().FlowTTL.Seconds()), HttpOnly: true, Secure: s.secureCookies(r),
		// Lax: the callback is a top-level navigation from the platform's site.
		SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, st.URL, http.StatusFound)
}

// handlePlatformCallback (GET /login/oidc/callback) completes the sign-in: the relying party checks
// the state, exchanges the code and verifies the ID token; the account service signs in, links or
// creates the local account. A first sign-in or a link continues at 单位信息维护管理.
func (s *Server) handlePlatformCallback(w http.ResponseWriter, r *http.Request) {
	p := s.deps.Platform
	if p == nil {
		s.renderError(w, r, apperr.NotFoundf("您访问的页面"))
		return
	}
	stateName := s.platformCookie(r, platformStateCookie, securePlatformStateCookie)
	var browserState string
	if c, err := r.Cookie(stateName); err == nil {
		browserState = c.Value
	}
	// The state cookie is spent whatever happens: a second callback finds none.
	http.SetCookie(w, &http.Cookie{Name: stateName, Value: "", Path: oidc.CallbackPath, MaxAge: -1, HttpOnly: true,
		Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
	res, err := p.Complete(r.Context(), r.URL.Query(), browserState)
	if err != nil {
		s.platformFailed(w, r, err, res.Identity, res.ReturnTo)
		return
	}
	id := res.Identity
	in := account.PlatformLoginInput{ClientAddr: s.clientAddr(r), UserAgent: r.UserAgent(), OldToken: s.deps.Cookies.Token(r),
		Identity: account.PlatformIdentity{Issuer: id.Issuer, Subject: id.Subject, CreditCode: id.CreditCode, OrgName: id.OrgName,
			OperatorName: id.OperatorName, OperatorPhone: id.OperatorPhone, StaffUsername: id.StaffUsername}}
	switch id.Kind {
	case oidc.LegalPerson:
		in.Identity.Kind = account.PlatformEmployer
	case oidc.Staff:
		in.Identity.Kind = account.PlatformStaff
	default:
		s.renderError(w, r, errors.New("platform sign-in of kind "+string(id.Kind)))
		return
	}
	pr, err := s.deps.Accounts.PlatformLogin(r.Context(), in)
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Internal {
			s.renderError(w, r, err)
			return
		}
		logout, _ := p.LogoutURL(r.Context(), id.RawIDToken)
		setRetryAfter(w, e)
		markRefusalAudited(w) // the account service audited it as a login.platform failure
		s.render(w, r, httpx.Status(e.Code), "platform_error", Page{Title: "未能登录",
			Data: platformErrorPage{Message: e.Message, PlatformLogout: logout, Retry: platformRetry(res.ReturnTo, e.Code == apperr.Throttled)}})
		return
	}
	// From now on, logging out here also ends the platform session.
	hint := id.RawIDToken
	if len(hint) > maxHintCookie {
		hint = "-"
	}
	http.SetCookie(w, &http.Cookie{Name: s.platformCookie(r, platformHintCookie, securePlatformHintCookie), Value: hint,
		Path: platformHintPath, HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
	if pr.PendingToken != "" {
		s.renderSecondStep(w, r, http.StatusOK, secondStepForm{Token: pr.PendingToken, Next: res.ReturnTo})
		return
	}
	next := res.ReturnTo
	switch {
	case pr.Created:
		next = "/employer?done=platform-created"
	case pr.Linked && pr.Actor.EmployerID != 0:
		next = "/employer?done=platform-linked"
	}
	s.signedIn(w, r, pr.LoginResult, next)
}

// platformRetry is the retry link of a failed sign-in: start again, continuing where it would have.
func platformRetry(next string, ok bool) string {
	if !ok {
		return ""
	}
	u := oidc.StartPath
	if n := safeNext(next, "/"); n != "/" {
		u += "?" + url.Values{"next": {n}}.Encode()
	}
	return u
}

// platformFailed shows why a platform sign-in did not complete (Chinese, with the request id and a
// retry link when another try may help) and audits it. Only a failure of this system (the database)
// is a 500; the platform's failures are 502, the user's and the callback's 4xx.
func (s *Server) platformFailed(w http.ResponseWriter, r *http.Request, err error, id oidc.Identity, next string) {
	var oe *oidc.Error
	if !errors.As(err, &oe) {
		s.renderError(w, r, err)
		return
	}
	s.deps.Log.Warn("platform sign-in failed", "id", httpx.RequestID(r.Context()), "reason", string(oe.Reason), "err", oe.Error())
	who := id.Subject
	if id.CreditCode != "" {
		who = id.CreditCode
	}
	if aerr := s.deps.Accounts.RefusePlatform(r.Context(), who, s.clientAddr(r), oe.Error()); aerr != nil {
		s.renderError(w, r, aerr)
		return
	}
	markRefusalAudited(w)
	page := platformErrorPage{Message: oe.Message, Retry: platformRetry(next, oe.Retryable())}
	if oe.Reason == oidc.ReasonNaturalPerson {
		// Signed in at the platform as a natural person: end that session so that the next try can
		// choose 法人登录.
		if u, ok := s.deps.Platform.LogoutURL(r.Context(), id.RawIDToken); ok {
			page.PlatformLogout = u
		}
	}
	s.render(w, r, oe.Status(), "platform_error", Page{Title: "未能登录", Data: page})
}

// markRefusalAudited tells the refusal log (refusals.go) that this refusal is in the audit trail
// already, with its reason, so it is not written twice.
func markRefusalAudited(w http.ResponseWriter) {
	if c, ok := w.(*codeRecorder); ok {
		c.recorded = true
	}
}

// platformLogoutPath continues a logout at the platform (RP-initiated logout).
const platformLogoutPath = "/logout/platform"

// platformSession reports whether the browser's session came through the platform (the hint cookie).
func (s *Server) platformSession(r *http.Request) bool {
	if s.deps.Platform == nil {
		return false
	}
	_, err := r.Cookie(s.platformCookie(r, platformHintCookie, securePlatformHintCookie))
	return err == nil
}

// handlePlatformLogout (GET /logout/platform) follows the local logout of a platform session: the
// page sends the browser on to the platform's end-session endpoint (a refresh, so no script and no
// form is needed), which ends the platform session and returns to /login. Without the hint cookie,
// or while still signed in here (nobody ends another's platform session by a link), it goes home.
func (s *Server) handlePlatformLogout(w http.ResponseWriter, r *http.Request) {
	if _, signedIn := s.actor(r); signedIn || !s.platformSession(r) {
		http.Redirect(w, r, "/login?done=loggedout", http.StatusSeeOther)
		return
	}
	c, _ := r.Cookie(s.platformCookie(r, platformHintCookie, securePlatformHintCookie))
	s.clearPlatformHint(w, r)
	hint := c.Value
	if hint == "-" {
		hint = ""
	}
	u, ok := s.deps.Platform.LogoutURL(r.Context(), hint)
	if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") {
		ok = false // the page refreshes to this address: only a web address, whatever discovery said
	}
	if !ok {
		// The platform offers no logout (or cannot be reached): only the local session ended.
		http.Redirect(w, r, "/login?done=loggedout", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "logout_platform", Page{Title: "正在退出", Data: template.URL(u)})
}

// clearPlatformHint forgets that the browser's session came through the platform.
func (s *Server) clearPlatformHint(w http.ResponseWriter, r *http.Request) {
	if s.deps.Platform == nil {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.platformCookie(r, platformHintCookie, securePlatformHintCookie), Value: "",
		Path: platformHintPath, MaxAge: -1, HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
}
