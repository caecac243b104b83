package web

import (
	"fmt"
	"net/http"

	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
	"quotacert/internal/review"
)

// The other side of an affiliate request (DOMAIN.md §6): an employer whose credit code another
// employer asks to count as its affiliate sees the request on its home page, opens it here and may
// object with a reason, which rejects it.

// affiliateRequestView is the request page with the objection form.
type affiliateRequestView struct {
	Item   review.Item
	Reason string
	Error  string
	Fields map[string]string
}

func (s *Server) renderAffiliateRequest(w http.ResponseWriter, r *http.Request, status int, id int64, v affiliateRequestView) {
	a, _ := s.actor(r)
	it, err := s.deps.Reviews.AffiliateRequest(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Item = it
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	s.render(w, r, status, "affiliate_request", Page{Title: "关联单位申请", Nav: "home", Data: v})
}

// handleAffiliateRequest: GET /employer/affiliate-requests/{id}.
func (s *Server) handleAffiliateRequest(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "关联单位申请")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderAffiliateRequest(w, r, http.StatusOK, id, affiliateRequestView{})
}

// handleAffiliateObjection: POST /employer/affiliate-requests/{id}/objection — 提出异议 with a reason.
func (s *Server) handleAffiliateObjection(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "关联单位申请")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	reason := r.PostFormValue("reason")
	if err := s.deps.Reviews.Object(r.Context(), a, id, reason); err != nil {
		if e := apperr.As(err); e.Code == apperr.Invalid || e.Code == apperr.Conflict {
			s.renderAffiliateRequest(w, r, httpx.Status(e.Code), id, affiliateRequestView{Reason: reason, Error: e.Message, Fields: e.Fields})
			return
		}
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/employer/affiliate-requests/%d?done=affiliate-objected", id), http.StatusSeeOther)
}
