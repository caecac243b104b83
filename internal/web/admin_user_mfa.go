package web

import (
	"net/http"

	"quotacert/internal/account"
)

// handleAdminMFAResetConfirm asks before an admin removes a user's second factor.
func (s *Server) handleAdminMFAResetConfirm(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "账号")
	var u account.User
	if err == nil {
		u, err = s.deps.Accounts.ManagedUser(r.Context(), a, id)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_mfa_reset", Page{Title: "重置两步验证", Nav: "admin", Data: u})
}

// handleAdminMFAReset removes a user's second factor (a lost phone); scoped and audited by the
// account service. Staff then enrol again at their next sign-in.
func (s *Server) handleAdminMFAReset(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	id, err := pathID(r, "账号")
	if err == nil {
		err = s.deps.Accounts.ResetMFA(r.Context(), a, id)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users?done=mfa-reset", http.StatusSeeOther)
}
