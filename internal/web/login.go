package web

import (
	"html/template"
	"net/http"
	"strings"

	"quotacert/internal/account"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
)

// loginForm is what the login page shows again after a failed attempt.
type loginForm struct {
	Kind         string // "employer" or "staff": which form the error belongs to
	CreditCode   string
	Username     string
	Next         string
	Error        string
	Fields       map[string]string
	Captcha      bool
	CaptchaID    string
	CaptchaImage template.URL // a data: URL made by the server
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, loginForm{Next: r.URL.Query().Get("next")})
}

// renderLogin shows the login page with a fresh captcha (the previous one is spent either way).
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, f loginForm) {
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
	if s.deps.Accounts != nil && s.deps.Accounts.CaptchaRequired() {
		f.Captcha = true
		id, img, err := s.deps.Accounts.NewCaptcha(r.Context(), s.clientAddr(r))
		if err != nil {
			e := apperr.As(err)
			if e.Code != apperr.Throttled {
				s.renderError(w, r, err)
				return
			}
			f.Error, status = e.Message, http.StatusTooManyRequests
		}
		f.CaptchaID, f.CaptchaImage = id, captchaURL(img)
	}
	s.render(w, r, status, "login", Page{Title: "登录", Data: f})
}

// handleLogin signs in from either form of the login page and redirects (POST-redirect-GET); a failed
// attempt shows the page again with the values kept and the errors beside the fields.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	in := account.LoginInput{
		Password:   r.PostFormValue("password"),
		CaptchaID:  r.PostFormValue("captchaId"),
		Captcha:    r.PostFormValue("captcha"),
		ClientAddr: s.clientAddr(r),
		OldToken:   s.deps.Cookies.Token(r),
	}
	f := loginForm{Kind: "employer", Next: r.PostFormValue("next")}
	if r.PostFormValue("kind") == "staff" {
		f.Kind = "staff"
		in.Username = r.PostFormValue("username")
		f.Username = strings.TrimSpace(in.Username)
	} else {
		in.CreditCode = r.PostFormValue("creditCode")
		f.CreditCode = strings.TrimSpace(in.CreditCode)
	}
	res, err := s.deps.Accounts.Login(r.Context(), in)
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Internal {
			s.renderError(w, r, err)
			return
		}
		f.Error, f.Fields = e.Message, e.Fields
		if f.Kind == "staff" && f.Fields["creditCode"] != "" { // the staff form has no credit code field
			f.Fields = map[string]string{"username": "请输入用户名"}
		}
		s.renderLogin(w, r, httpx.Status(e.Code), f)
		return
	}
	s.deps.Cookies.Set(w, r, res.Token)
	dest := safeNext(f.Next, "/")
	if res.Actor.MustChangePassword {
		dest = "/account/password?done=must-change"
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// captchaURL marks the server-generated PNG data URL as safe for an img src (html/template would
// otherwise replace a data: URL). Only the account service's own output ever passes through here.
func captchaURL(dataURL string) template.URL {
	if !strings.HasPrefix(dataURL, "data:image/png;base64,") {
		return ""
	}
	return template.URL(dataURL)
}
