// Package web serves the HTML pages. Every route is listed in routes.go with its access policy;
// handlers are small, one file per page action, and call domain services — never the store.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/admin"
	"quotacert/internal/apiclient"
	"quotacert/internal/apperr"
	"quotacert/internal/attachment"
	"quotacert/internal/declaration"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/httpx"
	"quotacert/internal/message"
	"quotacert/internal/metrics"
	"quotacert/internal/notice"
	"quotacert/internal/oidc"
	"quotacert/internal/overview"
	"quotacert/internal/placement"
	"quotacert/internal/review"
	"quotacert/internal/rules"
	"quotacert/internal/stats"
	"quotacert/internal/web/apidoc"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Pinger reports whether the database answers (GET /healthz).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Sessions resolves the signed-in user of a request. The accounts package provides it.
type Sessions interface {
	Actor(r *http.Request) (actor.Actor, bool)
}

// Deps are the pieces the pages need, wired in cmd/quotacert.
type Deps struct {
	Log      *slog.Logger
	DB       Pinger
	Sessions Sessions // nil: nobody is signed in
	Now      func() time.Time

	// Accounts: login, registration, passwords, staff administration and the audit search.
	Accounts *account.Service
	// Cookies writes and reads the session cookie; set together with Sessions.
	Cookies *SessionCookies
	// Addrs finds the client address (trusted proxies).
	Addrs ClientAddrs

	// Employer profile, affiliates and reference look-ups (issue #6).
	Employers *employer.Service
	// Files stores and serves attachments (issue #6).
	Files *attachment.Service

	// Review, declaration, letters and the tax export (issue #8).
	Reviews      *review.Service
	Declarations *declaration.Service
	// Letters draws the certification letter PDF; nil when no font could be loaded.
	Letters LetterRenderer
	// LetterSigner signs issued letters with the federation's key; nil when none is configured.
	LetterSigner LetterSigner
	// LetterSeal returns an office's seal image (PNG), nil when the office has none configured.
	LetterSeal func(office string) ([]byte, error)
	// PublicURL is the site's public base URL (--base-url), printed under the letter's QR code and
	// encoded in it. Without it letters are not drawn: the request's Host header must never decide
	// where a letter's verification leads.
	PublicURL string
	// Notices and the administrator's console (issue #9).
	Notices *notice.Service
	Admin   *admin.Service
	// Overview is the employer home page's year at a glance; nil shows the public intro to all.
	Overview *overview.Service
	// Exchange imports data-exchange files (admin pages, issue #5).
	Exchange *exchange.Service
	// Placements: 残疾人安置管理, the list, the form, the verification grid (issue #7).
	Placements *placement.Service

	// Ready are the checks of GET /readyz (issue 15); none: ready when the database answers.
	Ready []ReadyCheck
	// Metrics records request durations and serves /metrics; nil: no figures.
	Metrics *metrics.Registry
	// MetricsPublic serves /metrics on this listener (false: they have a listener of their own).
	MetricsPublic bool
	// Messages is the employers' message center (issue 19); nil hides it.
	Messages *message.Service
	// Stats is the federation's statistics of a year (issue 19); nil hides it.
	Stats *stats.Service
	// Platform is the relying party of the provincial unified identity platform (统一身份认证平台,
	// issue 16); nil when none is configured (employers then register and sign in here).
	Platform *oidc.Client
	// APIClients are the tax bureau's programs reading the results with a bearer token (issue 15);
	// nil refuses every bearer token.
	APIClients *apiclient.Service
}

// cst is China Standard Time: dates typed into forms and times shown on pages are China's.
var cst = rules.China()

// Server holds the parsed templates and dependencies.
type Server struct {
	deps     Deps
	pages    map[string]*template.Template
	refusals *refusalLog // nil without accounts
	ready    readyCache
	kept     *lru.Cache[string, keptPage]     // pages as rendered at a stamp (kept.go)
	openapi  []byte                           // the OpenAPI description of /api/v1, built once (openapi.go)
	bufs     sync.Pool                        // *bytes.Buffer for rendering pages (pageBuffer)
	layouts  *lru.Cache[layoutKey, [2]string] // the layout's halves around kept content (execLayout)
}

const (
	layoutBytes = 8 << 10 // room for the layout around a page's content (it renders to some 4 KB)
	pooledBytes = 1 << 20 // a page's buffer grown past this is left to the collector (putBuffer)
)

// New parses every template once; a broken template stops the start-up, not a user's request.
func New(deps Deps) (*Server, error) {
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	doc, err := apidoc.Document(sessionCookie, secureSessionCookie)
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	kept, err := lru.New[string, keptPage](keptPages)
	if err != nil {
		return nil, fmt.Errorf("kept pages: %w", err)
	}
	layouts, err := lru.New[layoutKey, [2]string](keptLayouts)
	if err != nil {
		return nil, fmt.Errorf("kept layouts: %w", err)
	}
	srv := &Server{deps: deps, pages: pages, openapi: doc, kept: kept, layouts: layouts}
	if deps.Accounts != nil {
		srv.refusals = newRefusalLog(deps.Accounts.RecordRefusals, deps.Now, deps.Log)
	}
	return srv, nil
}

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		// checks lists the six monthly checks (rules.Checks), for the grids.
		"checks": rules.Checks,
		// checkLabel names a monthly check by its key ("wage" → 工资信息); "" for none.
		"checkLabel": func(key string) string {
			for _, c := range rules.Checks() {
				if c.Key == key {
					return c.Label
				}
			}
			return ""
		},
		// affiliateKind names an affiliate kind (子公司, 劳务派遣单位).
		"affiliateKind": employer.KindLabel,
		// localTime shows an event time in China Standard Time.
		"localTime": func(t time.Time) string { return t.In(cst).Format("2006-01-02 15:04:05") },
		// splitLines breaks a stored text (the pledge) into paragraphs.
		"splitLines": func(s string) []string {
			var out []string
			for _, l := range strings.Split(s, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
			return out
		},
		// localTimePtr is localTime for optional times ("" when absent).
		"localTimePtr": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.In(cst).Format("2006-01-02 15:04")
		},
		// safeHTML marks HTML as trusted. Only for output of notice.Render, which sanitises it.
		"safeHTML": func(s string) template.HTML { return template.HTML(s) },
		// dict builds a map from key/value pairs so a shared field template gets named arguments.
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
	base, err := template.New("layout").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		page := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if page == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		pages[page] = t
	}
	return pages, nil
}

// Page is what every template receives.
type Page struct {
	Title     string
	Nav       string // which navigation item is current
	Actor     actor.Actor
	Flash     string
	RequestID string
	// Platform is true when employers sign in through the unified identity platform ("我要申报"
	// leads there).
	Platform bool
	Data     any
	// Unread counts the employer's unread messages, for the header (0 for staff).
	Unread int
	// Body is the page's content rendered already (a kept grid or list): it is written in the
	// layout instead of executing the page's "content" (execLayout).
	Body template.HTML
}

// render writes a page. It renders into a buffer first so a template error becomes a clean 500
// instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, p Page) {
	t, ok := s.pages[page]
	if !ok {
		s.deps.Log.Error("unknown page", "page", page)
		http.Error(w, "系统内部错误", http.StatusInternalServerError)
		return
	}
	if a, ok := s.actor(r); ok {
		p.Actor = a
		if s.deps.Messages != nil {
			// A failed count must not fail the page (nor its error page): the header goes without.
			n, err := s.deps.Messages.Unread(r.Context(), a)
			if err != nil {
				s.deps.Log.Warn("unread messages", "err", err)
			}
			p.Unread = n
		}
	}
	p.RequestID = httpx.RequestID(r.Context())
	p.Platform = s.deps.Platform != nil
	if p.Flash == "" {
		p.Flash = flashMessages[r.URL.Query().Get("done")]
	}
	buf := s.pageBuffer(len(p.Body))
	defer s.putBuffer(buf)
	if err := s.execLayout(t, buf, page, p); err != nil {
		s.deps.Log.Error("render", "page", page, "id", p.RequestID, "err", err)
		http.Error(w, "系统内部错误，请求编号 "+p.RequestID, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// execLayout executes the page in its layout. Content rendered already (p.Body) goes between the
// layout's halves as it is (layout.html), and the halves are kept too: around a kept page they
// read only the fields of layoutKey (the page's "head" block, which may read Data, is empty
// on the pages that are kept), and rendering them was a tenth of a kept grid's cost.
func (s *Server) execLayout(t *template.Template, buf *bytes.Buffer, page string, p Page) error {
	if p.Body == "" {
		return t.ExecuteTemplate(buf, "layout", p)
	}
	key := layoutKey{Page: page, Title: p.Title, Nav: p.Nav, Role: p.Actor.Role, Name: p.Actor.Name,
		Unit: p.Actor.Unit, Flash: p.Flash, Unread: p.Unread}
	halves, ok := s.layouts.Get(key)
	if !ok {
		var top, bottom bytes.Buffer
		if err := t.ExecuteTemplate(&top, "layout-top", p); err != nil {
			return err
		}
		if err := t.ExecuteTemplate(&bottom, "layout-bottom", p); err != nil {
			return err
		}
		halves = [2]string{top.String(), bottom.String()}
		s.layouts.Add(key, halves)
	}
	buf.WriteString(halves[0])
	buf.WriteString(string(p.Body))
	buf.WriteString(halves[1])
	return nil
}

// layoutKey is what the layout's halves read of a page around kept content (layout.html): a
// field the halves come to read must be added here, or one user's header would show another's.
type layoutKey struct {
	Page, Title, Nav  string
	Role              actor.Role
	Name, Unit, Flash string
	Unread            int
}

// keptLayouts bounds the layouts kept: one for each signed-in user, page and flash message
// in use, some 4 KB each.
const keptLayouts = 1024

// pageBuffer is an empty buffer for a page, from the server's pool, with room for a kept body of
// n bytes and the layout around it. Growing a buffer from nothing to a page of tens of KB copied it
// several times over on every request.
func (s *Server) pageBuffer(n int) *bytes.Buffer {
	buf, _ := s.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	buf.Grow(n + layoutBytes)
	return buf
}

// putBuffer returns a page's buffer to the pool; one grown past pooledBytes (an unusually large
// page) is left to the collector rather than kept for every later page.
func (s *Server) putBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= pooledBytes {
		s.bufs.Put(buf)
	}
}

// renderContent renders a page's "content" alone, for a page kept and shown again in its layout
// (Page.Body). The content reads only Page.Data.
func (s *Server) renderContent(page string, data any) (template.HTML, error) {
	t, ok := s.pages[page]
	if !ok {
		return "", fmt.Errorf("unknown page %q", page)
	}
	buf := s.pageBuffer(0)
	defer s.putBuffer(buf)
	if err := t.ExecuteTemplate(buf, "content", Page{Data: data}); err != nil {
		return "", fmt.Errorf("render %s: %w", page, err)
	}
	return template.HTML(buf.String()), nil
}

func (s *Server) actor(r *http.Request) (actor.Actor, bool) {
	if v, ok := r.Context().Value(actorKey{}).(resolved); ok {
		return v.a, v.ok
	}
	if s.deps.Sessions == nil {
		return actor.Actor{}, false
	}
	return s.deps.Sessions.Actor(r)
}

// errorHeading is the title of an error page by code.
func errorHeading(c apperr.Code) string {
	switch c {
	case apperr.Invalid:
		return "提交的内容有误"
	case apperr.Unauthorized:
		return "请先登录"
	case apperr.Forbidden:
		return "无权访问"
	case apperr.NotFound:
		return "页面不存在"
	case apperr.Conflict:
		return "操作无法完成"
	case apperr.Throttled:
		return "操作过于频繁"
	case apperr.Unavailable:
		return "服务暂时不可用"
	}
	return "系统内部错误"
}

// renderError shows err as a Chinese error page (or JSON for API calls), logging internal causes.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	var incomplete *employer.IncompleteError
	if errors.As(err, &incomplete) && !httpx.WantsJSON(r) {
		// Placements change only with a complete profile: the profile page says what is missing.
		http.Redirect(w, r, "/employer?done=profile-incomplete", http.StatusSeeOther)
		return
	}
	refusalRecorded(w, err)
	e := apperr.As(err)
	setRetryAfter(w, e)
	if e.Code == apperr.Unavailable {
		// A database fault: the answer says so (503), the log keeps the cause.
		w.Header().Set("Retry-After", "5")
		s.deps.Log.Warn("database unavailable", "id", httpx.RequestID(r.Context()), "path", r.URL.Path, "err", err)
	}
	if e.Code == apperr.Internal {
		s.deps.Log.Error("internal error", "id", httpx.RequestID(r.Context()), "path", r.URL.Path, "err", err)
	}
	var limit *placement.LimitError
	if errors.As(err, &limit) {
		// The disclosure limit says when its window resets; clients may wait that long.
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(limit.Until.Sub(s.deps.Now()).Seconds())))))
	}
	if httpx.WantsJSON(r) {
		httpx.WriteJSONError(w, r, e)
		return
	}
	h := errorHeading(e.Code)
	s.render(w, r, httpx.Status(e.Code), "error", Page{Title: h, Data: struct{ Heading, Message string }{h, e.Message}})
}

// setRetryAfter tells a throttled client when to try again.
func setRetryAfter(w http.ResponseWriter, e *apperr.Error) {
	if e.Code != apperr.Throttled {
		return
	}
	secs := int64(e.RetryAfter / time.Second)
	if secs < 1 {
		secs = 60
	}
	w.Header().Set("Retry-After", fmt.Sprint(secs))
}
