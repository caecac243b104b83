package web

import (
	"net/http"

	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
)

// secondStepForm is the second step of a login: the password was right, the code is due. Token is
// the pending login (single use, minutes); the password is never asked again.
type secondStepForm struct {
	Token  string
	Next   string
	Error  string
	Fields map[string]string
}

func (s *Server) renderSecondStep(w http.ResponseWriter, r *http.Request, status int, f secondStepForm) {
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
	s.render(w, r, status, "login_otp", Page{Title: "两步验证", Data: f})
}

// handleLoginSecondStep checks the code of a two-step login and signs in.
func (s *Server) handleLoginSecondStep(w http.ResponseWriter, r *http.Request) {
	next := r.PostFormValue("next")
	res, err := s.deps.Accounts.SecondStep(r.Context(), r.PostFormValue("token"), r.PostFormValue("otp"),
		s.clientAddr(r), s.deps.Cookies.Token(r))
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Internal {
			s.renderError(w, r, err)
			return
		}
		setRetryAfter(w, e)
		if res.PendingToken == "" { // no try left, or the step expired: start again
			s.renderLogin(w, r, httpx.Status(e.Code), loginForm{Next: next, Error: e.Message})
			return
		}
		s.renderSecondStep(w, r, httpx.Status(e.Code), secondStepForm{Token: res.PendingToken, Next: next, Error: e.Message, Fields: e.Fields})
		return
	}
	s.signedIn(w, r, res, next)
}
