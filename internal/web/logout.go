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
	platform := s.platformLogout(w, r)
	if httpx.WantsJSON(r) {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if platform != "" {
		// RP-initiated logout: the platform ends its session too and sends the browser back to /login.
		http.Redirect(w, r, platform, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/login?done=loggedout", http.StatusSeeOther)
}
