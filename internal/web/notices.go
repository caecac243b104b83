package web

import (
	"net/http"
	"strconv"

	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
	"quotacert/internal/notice"
)

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
	s.render(w, r, http.StatusOK, "notice", Page{Title: v.Title, Nav: "notices", Data: v})
}
