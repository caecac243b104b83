package web

import (
	"net/http"

	"quotacert/internal/apperr"
)

// deletePage is the confirmation asked before 删除: a page of its own, so it works without script.
type deletePage struct {
	ID       int64
	Year     int
	Name     string
	IDMasked string
	Status   string
}

// handlePlacementDeleteConfirm asks before 删除; a submitted year cannot lose a person.
func (s *Server) handlePlacementDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	v, ok := s.placementView(w, r)
	if !ok {
		return
	}
	if v.YearLocked {
		s.renderError(w, r, apperr.New(apperr.Conflict, "该业务年度已完成申报，不能删除人员；如需修改，请先提交年审认证反馈并经残联审核通过"))
		return
	}
	s.render(w, r, http.StatusOK, "placement_delete", Page{Title: "删除安置人员", Nav: "placements",
		Data: deletePage{ID: v.ID, Year: v.Year, Name: v.Person.Name, IDMasked: v.Person.IDMasked, Status: v.Status.Label()}})
}

// handlePlacementDelete deletes after the confirmation and returns to the list of the same year.
func (s *Server) handlePlacementDelete(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := placementID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	year := r.FormValue("year")
	if _, err := parseYear(year); err != nil {
		year = "" // only a number goes into the redirect
	}
	if err := s.deps.Placements.Delete(r.Context(), a, id); err != nil {
		s.renderError(w, r, err)
		return
	}
	target := "/placements?done=placement-deleted"
	if year != "" {
		target = "/placements?year=" + year + "&done=placement-deleted"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
