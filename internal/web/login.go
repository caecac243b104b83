package web

import "net/http"

// loginForm is what the login page shows again after a failed attempt.
type loginForm struct {
	CreditCode   string
	Error        string
	CaptchaID    string
	CaptchaImage string // a data: URL
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", Page{Title: "登录", Data: loginForm{}})
}
