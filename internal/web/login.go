package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"quotacert/internal/account"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
)

// captchaBox is the captcha of a form: the image, its id, and the audio version's address.
type captchaBox struct {
	Show  bool // the captcha is asked for (always when on; when off, for an account under attack)
	ID    string
	Image template.URL // a data: URL made by the server
	Audio string       // the spoken version of the same challenge
}

// loginForm is what the login page shows again after a failed attempt.
type loginForm struct {
	Kind       string // "employer" or "staff": which form the error belongs to
	CreditCode string
	Username   string
	Next       string
	Error      string
	Fields     map[string]string
	Captcha    captchaBox
	// The unified identity platform: Platform shows "我要申报" leading there; LocalLogin and
	// LocalRegister show the employer's own password form and the registration link.
	Platform      bool
	PlatformStart string
	LocalLogin    bool
	LocalRegister bool
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, loginForm{Next: r.URL.Query().Get("next")})
}

// newCaptcha issues a fresh challenge for a form (the previous one is spent either way). A throttled
// network gets the form without one and the reason.
func (s *Server) newCaptcha(r *http.Request, show bool) (captchaBox, *apperr.Error, error) {
	if s.deps.Accounts == nil || !(show || s.deps.Accounts.CaptchaRequired()) {
		return captchaBox{}, nil, nil
	}
	id, img, err := s.deps.Accounts.NewCaptcha(r.Context(), s.clientAddr(r))
	if err != nil {
		if e := apperr.As(err); e.Code == apperr.Throttled {
			return captchaBox{Show: true}, e, nil
		}
		return captchaBox{}, nil, err
	}
	return captchaBox{Show: true, ID: id, Image: captchaURL(img), Audio: captchaAudioPath(id)}, nil, nil
}

func captchaAudioPath(id string) string { return "/captcha/" + url.PathEscape(id) + "/audio.wav" }

// renderLogin shows the login page with a fresh captcha.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, f loginForm) {
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
	box, throttled, err := s.newCaptcha(r, f.Fields["captcha"] != "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if throttled != nil {
		f.Error, status = throttled.Message, http.StatusTooManyRequests
	}
	f.Captcha = box
	f.Platform = s.deps.Platform != nil
	f.PlatformStart = platformRetry(f.Next, true)
	f.LocalLogin, f.LocalRegister = true, true
	if s.deps.Accounts != nil {
		f.LocalLogin, f.LocalRegister = s.deps.Accounts.LocalLoginEnabled(), s.deps.Accounts.LocalRegisterEnabled()
	}
	s.render(w, r, status, "login", Page{Title: "登录", Data: f})
}

// handleLogin signs in from either form of the login page and redirects (POST-redirect-GET); a failed
// attempt shows the page again with the values kept and the errors beside the fields. "换一张" without
// JavaScript posts the form here too (action=captcha): the page comes back with a new challenge and
// the typed values, never the password.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	in := account.LoginInput{
		Password:   r.PostFormValue("password"),
		CaptchaID:  r.PostFormValue("captchaId"),
		Captcha:    r.PostFormValue("captcha"),
		ClientAddr: s.clientAddr(r),
		UserAgent:  r.UserAgent(),
		OldToken:   s.deps.Cookies.Token(r),
		TwoStep:    true,
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
	if r.PostFormValue("action") == "captcha" {
		s.renderLogin(w, r, http.StatusOK, f)
		return
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
		setRetryAfter(w, e)
		s.renderLogin(w, r, httpx.Status(e.Code), f)
		return
	}
	s.clearPlatformHint(w, r) // a password session: logging out ends nothing at the platform
	if res.PendingToken != "" {
		s.renderSecondStep(w, r, http.StatusOK, secondStepForm{Token: res.PendingToken, Next: f.Next})
		return
	}
	s.signedIn(w, r, res, f.Next)
}

// signedIn sets the cookie and sends the user on: to the forced password change, to the enrolment
// of a compulsory second factor, to the notice of failed attempts since the last sign-in, or to next.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, res account.LoginResult, next string) {
	s.deps.Cookies.Set(w, r, res.Token)
	dest := safeNext(next, "/")
	switch {
	case res.Actor.MustChangePassword:
		dest = mustChangePath + "?done=must-change"
	case res.Actor.MustEnrolTOTP:
		dest = enrolPath + "?done=must-enrol"
	case len(res.FailedAttempts) > 0:
		// The first page after sign-in tells the owner about the failed attempts (when, from where).
		dest = "/account/security?" + url.Values{"done": {"failed-logins"}, "next": {dest}}.Encode()
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
