package web

import "net/http"

// handleAdminHome is the console's landing page.
func (s *Server) handleAdminHome(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "admin_home", Page{Title: "系统管理", Nav: "admin"})
}
