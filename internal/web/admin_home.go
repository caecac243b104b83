package web

import "net/http"

// handleAdminHome is the console's landing page: what this admin manages, and who manages the
// province-wide settings when it is not the root office's admin.
func (s *Server) handleAdminHome(w http.ResponseWriter, r *http.Request) {
	sc, err := s.adminScope(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_home", Page{Title: "系统管理", Nav: "admin", Data: sc})
}
