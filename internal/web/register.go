package web

import (
	"net/http"
	"strings"

	"quotacert/internal/account"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
)

// registerForm is the registration page's state: the typed values (never the passwords) and errors.
type registerForm struct {
	CreditCode, Name, ContactName, ContactPhone string
	Error                                       string
	Fields                                      map[string]string
	Captcha                                     captchaBox
}

func (s *Server) handleRegisterPage(w http.ResponseWriter, r *http.Request) {
	if s.deps.Accounts != nil && !s.deps.Accounts.LocalRegisterEnabled() {
		// Behind the unified identity platform: the platform registers employers, not this form.
		s.render(w, r, http.StatusForbidden, "platform_error", Page{Title: "无需注册",
			Data: platformErrorPage{Heading: "无需在本系统注册", Message: account.MsgLocalRegisterOff, Retry: platformRetry("", s.deps.Platform != nil)}})
		return
	}
	s.renderRegister(w, r, http.StatusOK, registerForm{})
}

func (s *Server) renderRegister(w http.ResponseWriter, r *http.Request, status int, f registerForm) {
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
	box, throttled, err := s.newCaptcha(r, false)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if throttled != nil {
		f.Error, status = throttled.Message, http.StatusTooManyRequests
	}
	f.Captcha = box
	s.render(w, r, status, "register", Page{Title: "法人注册", Data: f})
}

// handleRegister creates the employer account and redirects to the login page with a confirmation.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	in := account.RegisterInput{
		CreditCode:   r.PostFormValue("creditCode"),
		Name:         r.PostFormValue("name"),
		ContactName:  r.PostFormValue("contactName"),
		ContactPhone: r.PostFormValue("contactPhone"),
		Password:     r.PostFormValue("password"),
		Password2:    r.PostFormValue("password2"),
		CaptchaID:    r.PostFormValue("captchaId"),
		Captcha:      r.PostFormValue("captcha"),
		ClientAddr:   s.clientAddr(r),
	}
	typed := registerForm{CreditCode: strings.TrimSpace(in.CreditCode), Name: strings.TrimSpace(in.Name),
		ContactName: strings.TrimSpace(in.ContactName), ContactPhone: strings.TrimSpace(in.ContactPhone)}
	if r.PostFormValue("action") == "captcha" { // "换一张" without JavaScript: keep what was typed
		s.renderRegister(w, r, http.StatusOK, typed)
		return
	}
	if in.Password2 == "" && in.Password != "" {
		in.Password2 = "\x00" // the form requires the confirmation; an empty one never matches
	}
	if _, err := s.deps.Accounts.Register(r.Context(), in); err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Internal {
			s.renderError(w, r, err)
			return
		}
		typed.Error, typed.Fields = e.Message, e.Fields
		setRetryAfter(w, e)
		s.renderRegister(w, r, httpx.Status(e.Code), typed)
		return
	}
	http.Redirect(w, r, "/login?done=registered", http.StatusSeeOther)
}
