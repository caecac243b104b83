package web

import (
	"net/http"
	"time"

	"quotacert/internal/httpx"
	"quotacert/internal/notice"
)

// The notices API of CONTRACT.md (issue #9): the list and one notice for every signed-in user,
// creation for administrators.

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
	id, err := pathID(r, "通知公告")
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

// noticeRequest is the body of POST /api/v1/notices (CONTRACT.md): {title, body} and, as our
// extensions, office (the target, default the admin's own office) and fileIds.
type noticeRequest struct {
	notice.Input
	Draft bool `json:"draft,omitempty"`
}

// handleAPINoticeCreate is POST /api/v1/notices (admin) → 201 {id}. The notice is published at once
// unless "draft": true is sent, as CONTRACT.md says.
func (s *Server) handleAPINoticeCreate(w http.ResponseWriter, r *http.Request) {
	var req noticeRequest
	if err := decodeJSON(w, r, maxNoticeBody, &req); err != nil {
		s.renderError(w, r, err)
		return
	}
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	var id int64
	var err error
	if req.Draft {
		id, err = s.deps.Notices.Create(r.Context(), a, req.Input)
	} else {
		id, err = s.deps.Notices.CreateAndPublish(r.Context(), a, req.Input, nil)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"id": id})
}
