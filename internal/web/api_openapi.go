package web

import "net/http"

// handleAPIOpenAPI: GET /api/v1/openapi.json, the description built by package apidoc.
func (s *Server) handleAPIOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(s.openapi)
}
