package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
	"quotacert/internal/notice"
)

// maxNoticeBody bounds a notice request: 50 000 Chinese characters are 150 KB in UTF-8.
const maxNoticeBody = 256 << 10

func noticeID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("通知公告")
	}
	return id, nil
}

// noticeListData is the /notices page.
type noticeListData struct {
	notice.List
	Fields      map[string]string
	Prev, Next  int // page numbers, 0 = none
	Admin       bool
	ShowDrafts  bool
	Unread      int
	RequestPath string
}

func pageParam(r *http.Request) int {
	p, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || p < 1 {
		return 1
	}
	return p
}

func (s *Server) noticeList(w http.ResponseWriter, r *http.Request, drafts bool, page, nav, title string) {
	a, _ := s.actor(r)
	l, err := s.deps.Notices.List(r.Context(), a, r.URL.Query().Get("q"), pageParam(r), drafts)
	d := noticeListData{List: l, Admin: drafts, RequestPath: r.URL.Path}
	status := http.StatusOK
	if err != nil {
		e := apperr.As(err)
		if e.Fields == nil {
			s.renderError(w, r, err)
			return
		}
		d.Fields, status = e.Fields, httpx.Status(e.Code)
		d.Query = r.URL.Query().Get("q")
	}
	if d.Page > 1 {
		d.Prev = d.Page - 1
	}
	if d.Page < d.Pages {
		d.Next = d.Page + 1
	}
	for _, n := range d.Items {
		if !n.Read {
			d.Unread++
		}
	}
	s.render(w, r, status, page, Page{Title: title, Nav: nav, Data: d})
}

// handleNotices is the list of notices with search and paging; unread ones are marked.
func (s *Server) handleNotices(w http.ResponseWriter, r *http.Request) {
	s.noticeList(w, r, false, "notices", "notices", "通知公告")
}

// handleNotice opens one notice (and marks it read).
func (s *Server) handleNotice(w http.ResponseWriter, r *http.Request) {
	id, err := noticeID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	a, _ := s.actor(r)
	v, err := s.deps.Notices.Get(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "notice", Page{Title: v.Title, Nav: "notices", Data: v})
}

// noticeJSON is one item of GET /api/v1/notices (CONTRACT.md), plus read for clients that mark.
type noticeJSON struct {
	ID          int64   `json:"id"`
	Title       string  `json:"title"`
	PublishedAt *string `json:"publishedAt"`
	Read        bool    `json:"read"`
}

func rfc3339(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// handleAPINotices is GET /api/v1/notices?q=&page=.
func (s *Server) handleAPINotices(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	l, err := s.deps.Notices.List(r.Context(), a, r.URL.Query().Get("q"), pageParam(r), false)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	items := make([]noticeJSON, 0, len(l.Items))
	for _, n := range l.Items {
		items = append(items, noticeJSON{ID: n.ID, Title: n.Title, PublishedAt: rfc3339(n.PublishedAt), Read: n.Read})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "total": l.Total, "page": l.Page, "pages": l.Pages})
}

// handleAPINotice is GET /api/v1/notices/{id}: {id, title, html, publishedAt}.
func (s *Server) handleAPINotice(w http.ResponseWriter, r *http.Request) {
	id, err := noticeID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	a, _ := s.actor(r)
	v, err := s.deps.Notices.Get(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	type file struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Size int64  `json:"size"`
		URL  string `json:"url"`
	}
	files := []file{}
	for _, f := range v.Files {
		files = append(files, file{f.ID, f.Name, f.Size, "/api/v1/files/" + f.ID})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"id": v.ID, "title": v.Title, "html": v.HTML,
		"publishedAt": rfc3339(v.PublishedAt), "files": files})
}

// noticeRequest is the body of POST /api/v1/notices. publish is an extension: true publishes at once.
type noticeRequest struct {
	notice.Input
	Publish bool `json:"publish,omitempty"`
}

// handleAPINoticeCreate is POST /api/v1/notices (admin) → 201 {id}. The notice is a draft unless
// "publish": true is sent, so that an integrator can prepare notices before releasing them.
func (s *Server) handleAPINoticeCreate(w http.ResponseWriter, r *http.Request) {
	var req noticeRequest
	if err := decodeBody(r.Body, maxNoticeBody, &req); err != nil {
		s.renderError(w, r, err)
		return
	}
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	id, err := s.deps.Notices.Create(r.Context(), a, req.Input)
	if err == nil && req.Publish {
		err = s.deps.Notices.Publish(r.Context(), a, id, nil)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"id": id})
}

// decodeBody reads one JSON object of at most limit bytes into v; malformed input is an Invalid
// error with a Chinese message, never a 500.
func decodeBody(r io.Reader, limit int64, v any) error {
	dec := json.NewDecoder(io.LimitReader(r, limit+1))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return apperr.Wrap(apperr.Invalid, fmt.Sprintf("字段 %s 的类型不正确", typeErr.Field), err)
		}
		return apperr.Wrap(apperr.Invalid, "请求内容不是有效的 JSON 对象，或超过大小限制", err)
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "请求内容只能包含一个 JSON 对象")
	}
	return nil
}
