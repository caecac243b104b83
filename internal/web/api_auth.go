package web

import (
	"net/http"

	"quotacert/internal/account"
	"quotacert/internal/httpx"
)

// loginRequest is CONTRACT.md's POST /api/v1/login body.
type loginRequest struct {
	CreditCode string `json:"creditCode"`
	Username   string `json:"username"`
	Password   string `json:"password"`
	CaptchaID  string `json:"captchaId"`
	Captcha    string `json:"captcha"`
}

// registerRequest is CONTRACT.md's POST /api/v1/register body.
type registerRequest struct {
	CreditCode   string `json:"creditCode"`
	Name         string `json:"name"`
	Password     string `json:"password"`
	ContactName  string `json:"contactName"`
	ContactPhone string `json:"contactPhone"`
	CaptchaID    string `json:"captchaId"`
	Captcha      string `json:"captcha"`
}

// handleAPICaptcha issues a captcha: {id, image} with image a PNG data URL.
func (s *Server) handleAPICaptcha(w http.ResponseWriter, r *http.Request) {
	id, img, err := s.deps.Accounts.NewCaptcha(r.Context(), s.clientAddr(r))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"id": id, "image": img})
}

// handleAPILogin signs in and sets the session cookie; 200 {"role": …}.
func (s *Server) handleAPILogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decodeJSON(w, r, maxAuthBody, &req); err != nil {
		s.renderError(w, r, err)
		return
	}
	res, err := s.deps.Accounts.Login(r.Context(), account.LoginInput{CreditCode: req.CreditCode, Username: req.Username,
		Password: req.Password, CaptchaID: req.CaptchaID, Captcha: req.Captcha, ClientAddr: s.clientAddr(r),
		OldToken: s.deps.Cookies.Token(r)})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.deps.Cookies.Set(w, r, res.Token)
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"role": res.Actor.Role, "mustChangePassword": res.Actor.MustChangePassword})
}

// handleAPIRegister creates an employer account; 201 {"creditCode": …}. It does not sign in: the
// seed's flow returns to the login form.
func (s *Server) handleAPIRegister(w http.ResponseWriter, r *http.Request) {
	var req registerRequest
	if err := decodeJSON(w, r, maxAuthBody, &req); err != nil {
		s.renderError(w, r, err)
		return
	}
	a, err := s.deps.Accounts.Register(r.Context(), account.RegisterInput{CreditCode: req.CreditCode, Name: req.Name,
		ContactName: req.ContactName, ContactPhone: req.ContactPhone, Password: req.Password,
		CaptchaID: req.CaptchaID, Captcha: req.Captcha, ClientAddr: s.clientAddr(r)})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]string{"creditCode": a.Name})
}
