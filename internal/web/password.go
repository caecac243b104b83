package web

import (
	"net/http"

	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
)

type passwordForm struct {
	Must   bool
	Error  string
	Fields map[string]string
}

func (s *Server) handlePasswordPage(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	s.render(w, r, http.StatusOK, "password", Page{Title: "修改密码", Data: passwordForm{Must: a.MustChangePassword, Fields: map[string]string{}}})
}

// handlePasswordChange changes the signed-in user's password; the session is renewed.
func (s *Server) handlePasswordChange(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	token, err := s.deps.Accounts.ChangePassword(r.Context(), a, r.PostFormValue("current"),
		r.PostFormValue("password"), r.PostFormValue("password2"))
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Internal {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, httpx.Status(e.Code), "password", Page{Title: "修改密码",
			Data: passwordForm{Must: a.MustChangePassword, Error: e.Message, Fields: e.Fields}})
		return
	}
	s.deps.Cookies.Set(w, r, token)
	http.Redirect(w, r, "/account/password?done=password", http.StatusSeeOther)
}
