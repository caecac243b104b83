package web

import (
	"net/http"

	"quotacert/internal/employer"
)

// handleAffiliateDeleteConfirm asks before deleting: a page of its own, so it works without JavaScript.
func (s *Server) handleAffiliateDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "关联单位")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	af, err := s.deps.Employers.Affiliate(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "affiliate_delete", Page{Title: "删除关联单位", Nav: "employer",
		Data: affiliateRow{ID: af.ID, CreditCode: af.CreditCode, Name: af.Name, KindLabel: employer.KindLabel(af.Kind), Locked: af.Locked}})
}

// handleAffiliateDelete deletes after the confirmation; an affiliate used by a declaration is locked
// and the service refuses.
func (s *Server) handleAffiliateDelete(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "关联单位")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.deps.Employers.DeleteAffiliate(r.Context(), a, id); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/employer?done=affiliate-deleted", http.StatusSeeOther)
}
