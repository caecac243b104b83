package web

import (
	"net/http"

	"quotacert/internal/httpx"
)

// handleLogout ends the session (idempotent: without a session it simply shows the login page) and,
// for a session opened through the unified identity platform, the platform's session too.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	if err := s.deps.Accounts.Logout(r.Context(), a, s.deps.Cookies.Token(r)); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.deps.Cookies.Clear(w, r)
	platform := s.platformSession(r)
	if httpx.WantsJSON(r) {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if platform {
		// RP-initiated logout continues on a page of this site: the form's CSP (form-action 'self')
		// does not let the form's own redirect leave for the platform.
		http.Redirect(w, r, platformLogoutPath, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/login?done=loggedout", http.StatusSeeOther)
}
