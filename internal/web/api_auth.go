package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"quotacert/internal/account"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
)

// maxAuthBody bounds the JSON body of the auth endpoints: they are reachable without login.
const maxAuthBody = 16 << 10

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

// decodeJSON reads one JSON object of at most maxAuthBody bytes into v. Any malformed input is an
// Invalid error with a Chinese message, never a 500.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(io.LimitReader(r, maxAuthBody+1))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return apperr.Wrap(apperr.Invalid, fmt.Sprintf("字段 %s 的类型不正确", typeErr.Field), err)
		}
		return apperr.Wrap(apperr.Invalid, "请求内容不是有效的 JSON 对象", err)
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "请求内容只能包含一个 JSON 对象")
	}
	return nil
}

// decodeLogin parses a login body.
func decodeLogin(r io.Reader) (loginRequest, error) {
	var req loginRequest
	err := decodeJSON(r, &req)
	return req, err
}

// decodeRegister parses a registration body.
func decodeRegister(r io.Reader) (registerRequest, error) {
	var req registerRequest
	err := decodeJSON(r, &req)
	return req, err
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
	req, err := decodeLogin(r.Body)
	if err != nil {
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
	req, err := decodeRegister(r.Body)
	if err != nil {
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
