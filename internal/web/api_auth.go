package web

import (
	"net/http"
	"time"

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
	// OTP is the second factor of an enrolled account (6-digit TOTP code or a recovery code).
	OTP string `json:"otp"`
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

// failedLogin is one network's failed logins since the last sign-in, in the login answer.
type failedLogin struct {
	Network string    `json:"network"`
	Count   int       `json:"count"`
	Last    time.Time `json:"last"`
}

// handleAPICaptcha issues a captcha: {id, image} with image a PNG data URL.
func (s *Server) handleAPICaptcha(w http.ResponseWriter, r *http.Request) {
	id, img, err := s.deps.Accounts.NewCaptcha(r.Context(), s.clientAddr(r))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"id": id, "image": img, "audio": captchaAudioPath(id)})
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
		UserAgent: r.UserAgent(), OldToken: s.deps.Cookies.Token(r), OTP: req.OTP})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.deps.Cookies.Set(w, r, res.Token)
	failed := make([]failedLogin, 0, len(res.FailedAttempts))
	for _, f := range res.FailedAttempts {
		failed = append(failed, failedLogin{Network: f.Prefix, Count: f.Unseen, Last: f.LastAt})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"role": res.Actor.Role, "mustChangePassword": res.Actor.MustChangePassword,
		"mustEnrolTotp": res.Actor.MustEnrolTOTP, "failedAttempts": failed})
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
