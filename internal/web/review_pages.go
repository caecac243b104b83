package web

import (
	"fmt"
	"net/http"
	"strconv"

	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
	"quotacert/internal/review"
	"quotacert/internal/rules"
)

// reviewQueueView is the reviewer workspace: filters, the queue and the dashboard.
type reviewQueueView struct {
	Filter review.Filter
	Age    string
	Items  []review.Item
	Page   review.QueuePage
	// PrevURL and NextURL link the neighbouring pages ("" none).
	PrevURL, NextURL string
	Dashboard        review.Dashboard
	Error            string
	Fields           map[string]string
	// Claims: some listed item is a pending claim (the batch form is shown); Picked, BatchComment
	// and BatchError keep a refused batch's choice.
	Claims       bool
	Picked       map[int64]bool
	BatchComment string
	BatchError   string
}

// handleReviewQueue: GET /review — the queue with its filters and the dashboard of the year.
func (s *Server) handleReviewQueue(w http.ResponseWriter, r *http.Request) {
	s.reviewQueue(w, r, http.StatusOK, reviewQueueView{})
}

func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request, status int, v reviewQueueView) {
	a, _ := s.actor(r)
	f := reviewFilter(r)
	v.Filter, v.Age, v.Fields = f, r.URL.Query().Get("age"), map[string]string{}
	page, err := s.deps.Reviews.QueuePaged(r.Context(), a, f)
	switch {
	case apperr.CodeOf(err) == apperr.Invalid:
		e := apperr.As(err)
		v.Error, v.Fields, status = "筛选条件有误，请修改后重新查询。", e.Fields, http.StatusUnprocessableEntity
	case err != nil:
		s.renderError(w, r, err)
		return
	}
	v.Items, v.Page = page.Items, page
	if page.Page > 1 {
		v.PrevURL = reviewQueueURL("/review", r.URL.Query(), page.Page-1)
	}
	if page.HasNext() {
		v.NextURL = reviewQueueURL("/review", r.URL.Query(), page.Page+1)
	}
	for _, it := range v.Items {
		v.Claims = v.Claims || (it.Kind == review.KindClaim && it.Status == rules.ReviewPending)
	}
	if v.Dashboard, err = s.deps.Reviews.Dashboard(r.Context(), a, f.Year); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, status, "review", Page{Title: "审核工作台", Nav: "review", Data: v})
}

// reviewItemView is the item page.
type reviewItemView struct {
	review.Detail
	Error  string
	Fields map[string]string
	// Comment and ReturnReason keep what the reviewer typed when a form is refused.
	Comment, ReturnReason string
	// Letter is, for a reopen request, the letter the request would cancel: its snapshot, as issued.
	Letter *letterView
}

// RegisteredCertificate is the certificate the person is registered with ("" for a reopen request).
func (v reviewItemView) RegisteredCertificate() string {
	if v.View == nil {
		return ""
	}
	p := v.View.Placement
	return certificateLabel(p.CertificateKind, p.Category, p.Level, p.Grade)
}

// ItemCertificate is the kind and severity of the historical certificate under review ("" unless
// the item is one): a reviewer must see whether a 残疾军人证 or a 残疾人证 is to be approved.
func (v reviewItemView) ItemCertificate() string {
	if v.View == nil || v.Item.Kind != review.KindCertificate {
		return ""
	}
	for _, c := range v.View.Certificates {
		if c.ID == v.Item.ManualCertificateID {
			return certificateLabel(c.Kind, c.Category, c.Level, c.Grade)
		}
	}
	return ""
}

func (s *Server) renderReviewItem(w http.ResponseWriter, r *http.Request, status int, id int64, v reviewItemView) {
	a, _ := s.actor(r)
	d, err := s.deps.Reviews.Get(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Detail = d
	if d.Item.Kind == review.KindReopen && s.deps.Declarations != nil {
		l, found, err := s.deps.Declarations.ReviewLetter(r.Context(), a, d.Item.EmployerID, d.Item.Year)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if found {
			v.Letter = &letterView{l}
		}
	}
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	s.render(w, r, status, "review_item", Page{Title: "审核事项 " + d.Item.Kind.Label(), Nav: "review", Data: v})
}

// handleReviewItem: GET /review/items/{id}.
func (s *Server) handleReviewItem(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "审核事项")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderReviewItem(w, r, http.StatusOK, id, reviewItemView{})
}

// handleReviewDecision: POST /review/items/{id}/decision — approve or reject with a comment.
func (s *Server) handleReviewDecision(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "审核事项")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	comment := r.PostFormValue("comment")
	var approve bool
	switch r.PostFormValue("decision") {
	case "approve":
		approve = true
	case "reject":
	default:
		s.renderReviewItem(w, r, http.StatusUnprocessableEntity, id, reviewItemView{Error: "请选择审核通过或不通过。",
			Fields: map[string]string{"decision": "请选择审核通过或不通过"}, Comment: comment})
		return
	}
	if err := s.deps.Reviews.Decide(r.Context(), a, id, approve, comment); err != nil {
		if e := apperr.As(err); e.Code == apperr.Invalid || e.Code == apperr.Conflict {
			s.renderReviewItem(w, r, httpx.Status(e.Code), id, reviewItemView{Error: e.Message, Fields: e.Fields, Comment: comment})
			return
		}
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/review/items/%d?done=review-decided", id), http.StatusSeeOther)
}

// handleReviewReturn: POST /review/placements/{id}/return — 退回 a whole placement with a reason.
func (s *Server) handleReviewReturn(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "安置人员")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	reason := r.PostFormValue("reason")
	item, _ := strconv.ParseInt(r.PostFormValue("item"), 10, 64)
	if err := s.deps.Reviews.Return(r.Context(), a, id, reason); err != nil {
		if e := apperr.As(err); (e.Code == apperr.Invalid || e.Code == apperr.Conflict) && item > 0 {
			s.renderReviewItem(w, r, httpx.Status(e.Code), item, reviewItemView{Error: e.Message, Fields: e.Fields, ReturnReason: reason})
			return
		}
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/review?done=placement-returned", http.StatusSeeOther)
}

// handleReviewBatchApprove: POST /review/batch-approve — 批量通过 the ticked claims with one
// comment. A refusal redraws the queue with the choice kept; nothing was changed then.
func (s *Server) handleReviewBatchApprove(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, apperr.Wrap(apperr.Invalid, "提交的表单无法读取，请重新提交", err))
		return
	}
	picked := map[int64]bool{}
	var ids []int64
	for _, v := range r.PostForm["id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.renderError(w, r, apperr.New(apperr.Invalid, "所选审核事项编号无效"))
			return
		}
		picked[id] = true
		ids = append(ids, id)
	}
	comment := r.PostFormValue("comment")
	res, err := s.deps.Reviews.ApproveClaims(r.Context(), a, ids, comment)
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Invalid || e.Code == apperr.Conflict || e.Code == apperr.NotFound {
			msg := e.Message
			for _, m := range e.Fields {
				msg = m
			}
			s.reviewQueue(w, r, httpx.Status(e.Code), reviewQueueView{Picked: picked, BatchComment: comment, BatchError: msg})
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.deps.Log.Info("batch approval", "approved", res.Approved, "already", res.Already)
	http.Redirect(w, r, "/review?done=review-batch", http.StatusSeeOther)
}
