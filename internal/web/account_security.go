package web

import (
	"net/http"
	"net/url"

	"quotacert/internal/account"
)

// securityPage is 账号安全: the signed-in devices, recent failed logins, the second factor.
type securityPage struct {
	account.Security
	Next string // after the failed-logins notice, where the user was going
}

func (s *Server) handleSecurityPage(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	sec, err := s.deps.Accounts.Security(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	next := ""
	if n := r.URL.Query().Get("next"); n != "" {
		next = safeNext(n, "/")
	}
	s.render(w, r, http.StatusOK, "account_security", Page{Title: "账号安全", Nav: "security", Data: securityPage{Security: sec, Next: next}})
}

// handleSessionEnd signs one of the user's other devices out.
func (s *Server) handleSessionEnd(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	id := r.PostFormValue("session")
	if err := s.deps.Accounts.EndSession(r.Context(), a, id); err != nil {
		s.renderError(w, r, err)
		return
	}
	if id == a.Session { // the user ended this very session
		s.deps.Cookies.Clear(w, r)
		http.Redirect(w, r, "/login?done=loggedout", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/account/security?"+url.Values{"done": {"session-ended"}}.Encode(), http.StatusSeeOther)
}

// handleSessionsEndOthers signs every other device out (退出其他设备).
func (s *Server) handleSessionsEndOthers(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	if _, err := s.deps.Accounts.EndOtherSessions(r.Context(), a); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/security?done=sessions-ended", http.StatusSeeOther)
}
