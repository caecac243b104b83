package web

import "net/http"

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "home", Page{Title: "首页", Nav: "home"})
}
