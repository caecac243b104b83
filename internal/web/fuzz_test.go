package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"quotacert/internal/apperr"
)

// decodeBody runs decodeJSON on body as an auth endpoint does (the auth limit).
func decodeBody(body string, v any) error {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/login", strings.NewReader(body))
	return decodeJSON(httptest.NewRecorder(), r, maxAuthBody, v)
}

// FuzzDecodeLogin: any body gives a login request or an Invalid error with a Chinese message, never a
// panic or another error class.
func FuzzDecodeLogin(f *testing.F) {
	for _, s := range []string{`{"creditCode":"91350100M000100Y43","password":"x","captchaId":"a","captcha":"1"}`,
		`{"username":"admin"}`, `{}`, `[]`, `null`, `{"password":1}`, `{"a":1}{"b":2}`, "", `{"username":"\u0000"}`,
		strings.Repeat(`{"a":`, 1000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var req loginRequest
		if err := decodeBody(body, &req); err != nil {
			e := apperr.As(err)
			if e.Code != apperr.Invalid || e.Message == "" {
				t.Fatalf("error %v is not a user-facing invalid-input error", err)
			}
			return
		}
		if !utf8.ValidString(req.CreditCode + req.Username + req.Password + req.CaptchaID + req.Captcha) {
			t.Fatalf("decoded fields are not valid UTF-8: %+v", req)
		}
	})
}

// FuzzDecodeRegister: the same guarantee for the registration body.
func FuzzDecodeRegister(f *testing.F) {
	for _, s := range []string{`{"creditCode":"91350100M000100Y43","name":"单位","password":"Quota#2026a","contactName":"王五","contactPhone":"13812345678","captchaId":"a","captcha":"1"}`,
		`{}`, `{"name":["x"]}`, `"str"`, `{"creditCode":null}`, strings.Repeat("9", 20000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var req registerRequest
		if err := decodeBody(body, &req); err != nil {
			if e := apperr.As(err); e.Code != apperr.Invalid || e.Message == "" {
				t.Fatalf("error %v is not a user-facing invalid-input error", err)
			}
		}
	})
}
