package testidp

import (
	"context"
	"crypto/subtle"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const (
	loginPath     = "/login"
	loggedOutPath = "/logged-out"
	sessionCookie = "testidp_session"
)

// sessionKey carries the browser's platform session id to the storage's end-session hook.
type sessionKey struct{}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	issuer := op.NewIssuerInterceptor(s.provider.IssuerFromRequest)
	mux.Handle(loginPath, issuer.HandlerFunc(s.handleLogin))
	mux.HandleFunc(loggedOutPath, func(w http.ResponseWriter, r *http.Request) {
		writePage(w, http.StatusOK, pageData{Title: "已退出", Message: "您已退出统一身份认证平台。"})
	})
	mux.Handle("/", s.withSession(s.tamperTokens(s.provider)))
	return mux
}

// withSession puts the browser's session cookie into the context for the end-session endpoint.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(sessionCookie); err == nil {
			r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, c.Value))
		}
		next.ServeHTTP(w, r)
	})
}

// handleLogin is the platform's password login. A browser with a live platform session is signed in
// without the form, unless the client asked for prompt=login or a max_age the session exceeds.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writePage(w, http.StatusBadRequest, pageData{Title: "请求无效", Message: "登录请求无效。"})
		return
	}
	id := r.Form.Get("authRequestID")
	req, err := s.storage.AuthRequestByID(r.Context(), id)
	if err != nil {
		writePage(w, http.StatusBadRequest, pageData{Title: "请求无效", Message: "登录请求不存在或已过期，请回到原网站重新登录。"})
		return
	}
	a := req.(snapshot)
	if r.Method == http.MethodGet {
		if se, ok := s.liveSession(r, a); ok {
			s.finish(w, r, a, se.subject, se.authTime)
			return
		}
		if slices.Contains(a.prompt, oidc.PromptNone) {
			op.AuthRequestError(w, r, a, oidc.ErrLoginRequired(), s.provider)
			return
		}
		writePage(w, http.StatusOK, pageData{Title: "密码登录", ID: id, Form: true})
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.PostForm.Get("action") == "deny" {
		_ = s.storage.DeleteAuthRequest(r.Context(), id)
		op.AuthRequestError(w, r, a, oidc.ErrAccessDenied().WithDescription("the user denied the request"), s.provider)
		return
	}
	username := r.PostForm.Get("username")
	subject, ok := s.checkPassword(username, r.PostForm.Get("password"))
	if !ok {
		writePage(w, http.StatusUnauthorized, pageData{Title: "密码登录", ID: id, Form: true, Username: username,
			Error: "账号或密码错误"})
		return
	}
	now := time.Now()
	sid := randomID()
	s.storage.mu.Lock()
	s.storage.sessions[sid] = session{subject: subject, authTime: now}
	s.storage.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	s.finish(w, r, a, subject, now)
}

func (s *Server) checkPassword(username, password string) (subject string, ok bool) {
	st := s.storage
	st.mu.Lock()
	defer st.mu.Unlock()
	u, found := st.users[username]
	if !found || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return "", false
	}
	return u.Subject, true
}

func (s *Server) liveSession(r *http.Request, a snapshot) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || slices.Contains(a.prompt, oidc.PromptLogin) {
		return session{}, false
	}
	st := s.storage
	st.mu.Lock()
	defer st.mu.Unlock()
	se, ok := st.sessions[c.Value]
	if !ok {
		return session{}, false
	}
	if _, known := st.users[st.subjects[se.subject]]; !known {
		return session{}, false
	}
	if a.maxAge != nil && time.Since(se.authTime) > time.Duration(*a.maxAge)*time.Second {
		return session{}, false
	}
	return se, true
}

// finish marks the auth request authenticated and hands the browser back to the op library, which
// issues the code and redirects to the client.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, a snapshot, subject string, authTime time.Time) {
	if err := s.storage.complete(a.id, subject, authTime); err != nil {
		writePage(w, http.StatusBadRequest, pageData{Title: "请求无效", Message: "登录请求不存在或已过期，请回到原网站重新登录。"})
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(s.provider)(r.Context(), a.id), http.StatusFound)
}

type pageData struct {
	Title, Message, ID, Username, Error string
	Form                                bool
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{{.Title}} - 统一身份认证平台（测试）</title></head>
<body>
<main>
<h1>统一身份认证平台（测试）</h1>
<h2>{{.Title}}</h2>
{{if .Message}}<p>{{.Message}}</p>{{end}}
{{if .Form}}
<p>法人登录请输入统一社会信用代码和密码；个人登录请输入用户名和密码。</p>
{{if .Error}}<p role="alert" id="error">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="authRequestID" value="{{.ID}}">
<p><label for="username">账号（统一社会信用代码或用户名）</label>
<input id="username" name="username" value="{{.Username}}" autocomplete="username" required></p>
<p><label for="password">密码</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit" name="action" value="login">登录</button>
<button type="submit" name="action" value="deny" formnovalidate>拒绝授权</button></p>
</form>
{{end}}
</main>
</body>
</html>
`))

func writePage(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, d)
}
