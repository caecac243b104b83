package web

import (
	"strings"
	"testing"

	"quotacert/internal/apperr"
)

// FuzzDecodeLogin: any body gives a login request or an Invalid error with a Chinese message, never a
// panic or another error class.
func FuzzDecodeLogin(f *testing.F) {
	for _, s := range []string{`{"creditCode":"91350100M000100Y43","password":"x","captchaId":"a","captcha":"1"}`,
		`{"username":"admin"}`, `{}`, `[]`, `null`, `{"password":1}`, `{"a":1}{"b":2}`, "", `{"username":"\u0000"}`,
		strings.Repeat(`{"a":`, 1000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req, err := decodeLogin(strings.NewReader(body))
		if err != nil {
			e := apperr.As(err)
			if e.Code != apperr.Invalid || e.Message == "" {
				t.Fatalf("error %v is not a user-facing invalid-input error", err)
			}
			return
		}
		_ = req.CreditCode + req.Username + req.Password + req.CaptchaID + req.Captcha
	})
}

// FuzzDecodeRegister: the same guarantee for the registration body.
func FuzzDecodeRegister(f *testing.F) {
	for _, s := range []string{`{"creditCode":"91350100M000100Y43","name":"单位","password":"Quota#2026a","contactName":"王五","contactPhone":"13812345678","captchaId":"a","captcha":"1"}`,
		`{}`, `{"name":["x"]}`, `"str"`, `{"creditCode":null}`, strings.Repeat("9", 20000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		_, err := decodeRegister(strings.NewReader(body))
		if err != nil {
			if e := apperr.As(err); e.Code != apperr.Invalid || e.Message == "" {
				t.Fatalf("error %v is not a user-facing invalid-input error", err)
			}
		}
	})
}
