package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
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

// boundaryBody is a body with one-line, multi-line and array fields, nested as the months save is.
type boundaryBody struct {
	Title  string `json:"title"`
	Body   string `json:"body"`
	Claims []struct {
		Note    string   `json:"note"`
		FileIDs []string `json:"fileIds"`
	} `json:"claims"`
	Extra map[string]string `json:"extra"`
}

// FuzzTextBoundary: whatever the body, decodeJSON either refuses it with a user-facing Invalid error
// or every string it hands over is valid text for its field: valid UTF-8, no NUL, no other control
// character, newlines only in multi-line fields — nothing a database refuses or a page cannot show.
func FuzzTextBoundary(f *testing.F) {
	for _, s := range []string{`{"title":"通知","body":"第一行\n第二行","claims":[{"note":"补\t发","fileIds":["a"]}]}`,
		`{"title":"\u0000"}`, `{"title":"\ud800"}`, `{"title":"\ud83d\ude00"}`, "{\"title\":\"\xff\"}", `{"body":"\u0085"}`,
		`{"extra":{"k\u0007":"v"}}`, `{"claims":[{"fileIds":["\n"]}]}`, `{"title":"\\u0000"}`, `{"title":"a\\"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v boundaryBody
		r := httptest.NewRequest(http.MethodPost, "/api/v1/notices", strings.NewReader(body))
		if err := decodeJSON(httptest.NewRecorder(), r, maxNoticeBody, &v); err != nil {
			if e := apperr.As(err); e.Code != apperr.Invalid || e.Message == "" {
				t.Fatalf("error %v is not a user-facing invalid-input error", err)
			}
			return
		}
		check := func(field, s string, multi bool) {
			if !validText(s, multi) || strings.ContainsRune(s, utf8.RuneError) && !strings.Contains(body, "\ufffd") && !strings.Contains(strings.ToLower(body), `\ufffd`) {
				t.Fatalf("%s = %q passed the boundary", field, s)
			}
		}
		check("title", v.Title, false)
		check("body", v.Body, true)
		for _, c := range v.Claims {
			check("note", c.Note, true)
			for _, id := range c.FileIDs {
				check("fileIds", id, false)
			}
		}
		for k, x := range v.Extra {
			check("extra key", k, false)
			check("extra", x, false)
		}
	})
}

// FuzzRequestText: the path, query and urlencoded form of any request either pass the boundary
// as valid text or are refused with an Invalid error.
func FuzzRequestText(f *testing.F) {
	for _, s := range []string{"q=%E9%80%9A%E7%9F%A5", "q=%00", "note=a%0Ab&name=%0A", "name=%FF", "a=%C2%85", "%00=1", "x=%ED%A0%80"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, query, form string) {
		r := httptest.NewRequest(http.MethodPost, "/notices", strings.NewReader(form))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := requestText(httptest.NewRecorder(), r); err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("error %v is not an invalid-input error", err)
			}
			return
		}
		for _, vals := range []url.Values{r.URL.Query(), r.PostForm} {
			for k, vs := range vals {
				for _, v := range vs {
					if !validText(k, false) || !validText(v, multiLine(k)) {
						t.Fatalf("%q = %q passed the boundary", k, v)
					}
				}
			}
		}
	})
}

// TestMultiLineFieldsMatchTheTemplates: every <textarea> of the pages is a multi-line field of the
// boundary, and the boundary names no multi-line field that no page or API has.
func TestMultiLineFieldsMatchTheTemplates(t *testing.T) {
	seen := map[string]bool{}
	names, _ := fs.Glob(templateFiles, "templates/*.html")
	re := regexp.MustCompile(`<textarea[^>]*name="([^"]*)"`)
	for _, n := range names {
		b, _ := templateFiles.ReadFile(n)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			name := m[1]
			if strings.Contains(name, "{{") { // claims.{{.Key}}.note, admin_dict's {{.ID}}
				name = name[strings.LastIndex(name, "}}")+2:]
				name = strings.TrimPrefix(name, ".")
			}
			if name == "" {
				continue
			}
			seen[name] = true
			if !multiLineFields[name] {
				t.Errorf("%s: <textarea name=%q> is not in multiLineFields: its newlines would be refused", n, m[1])
			}
		}
	}
	seen["pledge"] = true   // admin_dict's textarea field (admin_years.go)
	seen["calendar"] = true // admin_dict's textarea field (admin_calendar.go)
	for name := range multiLineFields {
		if !seen[name] {
			t.Errorf("multiLineFields names %q, which no <textarea> has", name)
		}
	}
}
