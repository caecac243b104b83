package web

import "net/http"

// The 添加残疾人 page: GET shows the empty form for the page's year, POST handles its buttons.

// handlePlacementNew shows the empty form (one contract row, the women's retirement group at 50).
func (s *Server) handlePlacementNew(w http.ResponseWriter, r *http.Request) {
	if !s.requireCompleteProfile(w, r) {
		return
	}
	year, _, err := s.pageYear(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if s.yearLocked(w, r, year) {
		return
	}
	f := placementForm{Year: year, Dispatched: "0", FemaleRetirementAge: "50", Contracts: []contractRow{{}}}
	s.renderPlacementForm(w, r, http.StatusOK, f)
}

// handlePlacementCreate handles the add form's buttons: 查询 (fill from the registry), 添加合同 and
// 添加历史证件 (one more row, so it all works without script), and 保存，下一步 (create, then the
// grid). Files chosen in the form are uploaded with it through the attachment service.
func (s *Server) handlePlacementCreate(w http.ResponseWriter, r *http.Request) {
	s.savePlacementForm(w, r, 0)
}
