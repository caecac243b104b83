package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
)

// The decoding boundary for text. Everything a client sends as text — JSON strings (decodeJSON),
// form fields (urlencoded by checkRequestText, multipart by readField), query parameters and the
// path — passes checkText before a handler sees it: invalid UTF-8, lone UTF-16 surrogates (\ud800
// in JSON, which encoding/json would otherwise turn into U+FFFD silently), NUL (which PostgreSQL
// refuses in text: a 500), and the other control characters of C0, DEL and C1 are refused with
// 422 naming the field. A field is multi-line when its name (the last part of a JSON path or of a
// form name such as "claims.2025-02.note") is in multiLineFields: there newline, carriage return
// and tab are text; everywhere else they are refused too (a name, a code, an id is one line).

// multiLineFields are the fields typed into a <textarea> and their JSON counterparts; a test keeps
// the list in step with the templates.
var multiLineFields = map[string]bool{
	"body":     true, // notice (Markdown)
	"comment":  true, // review decision
	"note":     true, // a claim's note
	"reason":   true, // reopen request, return of a placement
	"pledge":   true, // the declaration pledge (administrator)
	"calendar": true, // the working-day calendar of a year (administrator)
	"fileIds":  true, // the notice form's attachment ids, one per line (a JSON array's ids are one line each)
}

// maxFormBody bounds a urlencoded form body read by the boundary: the largest, a notice of
// 50,000 Chinese characters, is about 450 KB percent-encoded.
const maxFormBody = 2 << 20

// badTextMessage is the message beside a refused field.
const badTextMessage = "含有不可见的控制字符或无效的字符编码，请删除后重新输入"

// multiLine reports whether field (a JSON path or a form name) is a multi-line field.
// An element of an array ("fileIds[0]") is one line.
func multiLine(field string) bool {
	if strings.HasSuffix(field, "]") {
		return false
	}
	if i := strings.LastIndexAny(field, ".]"); i >= 0 {
		field = field[i+1:]
	}
	return multiLineFields[field]
}

// validText reports whether s may be stored as the text of a field.
func validText(s string, multi bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				if !multi || (c != '\n' && c != '\r' && c != '\t') {
					return false
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return false // invalid UTF-8 (an encoded surrogate, too, is invalid UTF-8)
		}
		if r >= 0x80 && r <= 0x9f {
			return false // C1 control
		}
		i += n
	}
	return true
}

// checkText refuses the value of field unless it is valid text (validText).
func checkText(field, value string) error {
	if validText(value, multiLine(field)) {
		return nil
	}
	return badText(field)
}

func badText(field string) error {
	return &apperr.Error{Code: apperr.Invalid, Message: "提交的“" + field + "”" + badTextMessage,
		Fields: map[string]string{field: badTextMessage}}
}

// checkRequestText is the boundary for what every request carries outside its body's JSON or
// multipart parts: the path, the query parameters and a urlencoded form body (read here, bounded,
// into r.PostForm, where the handlers' FormValue and PostFormValue find it).
func (s *Server) checkRequestText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := requestText(w, r); err != nil {
			if httpx.WantsJSON(r) {
				httpx.WriteJSONError(w, r, err)
				return
			}
			s.renderError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func requestText(w http.ResponseWriter, r *http.Request) error {
	if !validText(r.URL.Path, false) {
		return badText("path")
	}
	for k, vs := range r.URL.Query() {
		if !validText(k, false) {
			return badText("query")
		}
		for _, v := range vs {
			if err := checkText(k, v); err != nil {
				return err
			}
		}
	}
	if ct := r.Header.Get("Content-Type"); r.Body != nil && strings.HasPrefix(ct, "application/x-www-form-urlencoded") &&
		(r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		if err := r.ParseForm(); err != nil {
			return apperr.Wrap(apperr.Invalid, "提交的表单无法读取，请重新填写", err)
		}
		for k, vs := range r.PostForm {
			if !validText(k, false) {
				return badText("form")
			}
			for _, v := range vs {
				if err := checkText(k, v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
