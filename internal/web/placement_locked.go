package web

import (
	"net/http"
)

// yearLocked answers the pages that start a change of a year's list (添加残疾人, 复制上年名单, Excel 批量
// 导入) for a submitted year before the clerk types anything: the service would refuse the save, and
// the typed form would be lost on the error page. It reports whether it answered.
func (s *Server) yearLocked(w http.ResponseWriter, r *http.Request, year int) bool {
	a, _ := s.actor(r)
	sum, _, err := s.deps.Placements.List(r.Context(), a, year)
	if err != nil {
		s.renderError(w, r, err)
		return true
	}
	if !sum.YearLocked {
		return false
	}
	s.render(w, r, http.StatusConflict, "year_locked", Page{Title: "该业务年度已完成申报", Nav: "placements",
		Data: struct{ Year int }{year}})
	return true
}
