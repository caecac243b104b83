package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
)

// auditData is the audit search page: the filters as typed, one page of results and paging links.
type auditData struct {
	Actor, Action, From, To string
	Fields                  map[string]string
	Result                  account.AuditPage
	PrevURL, NextURL        string
}

// handleAdminAudit searches the audit log by actor, action and date range (paged).
func (s *Server) handleAdminAudit(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	q := r.URL.Query()
	d := auditData{Actor: q.Get("actor"), Action: q.Get("action"), From: q.Get("from"), To: q.Get("to"), Fields: map[string]string{}}
	query := account.AuditQuery{Actor: d.Actor, Action: d.Action}
	if d.From != "" {
		t, err := time.ParseInLocation("2006-01-02", d.From, cst)
		if err != nil {
			d.Fields["from"] = "日期格式应为 YYYY-MM-DD"
		}
		query.From = t
	}
	if d.To != "" {
		t, err := time.ParseInLocation("2006-01-02", d.To, cst)
		if err != nil {
			d.Fields["to"] = "日期格式应为 YYYY-MM-DD"
		}
		query.To = t.AddDate(0, 0, 1) // the end date is inclusive
	}
	if len(d.Fields) > 0 {
		s.render(w, r, httpx.Status(apperr.Invalid), "admin_audit", Page{Title: "审计日志", Nav: "admin", Data: d})
		return
	}
	page, _ := strconv.Atoi(q.Get("page"))
	res, err := s.deps.Accounts.SearchAudit(r.Context(), a, query, page)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Result = res
	link := func(p int) string {
		v := url.Values{"actor": {d.Actor}, "action": {d.Action}, "from": {d.From}, "to": {d.To}, "page": {strconv.Itoa(p)}}
		return "/admin/audit?" + v.Encode()
	}
	if res.Page > 1 {
		d.PrevURL = link(res.Page - 1)
	}
	if res.Page < res.Pages {
		d.NextURL = link(res.Page + 1)
	}
	s.render(w, r, http.StatusOK, "admin_audit", Page{Title: "审计日志", Nav: "admin", Data: d})
}
