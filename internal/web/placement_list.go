package web

import (
	"net/http"
	"strconv"

	"quotacert/internal/apperr"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// listPage is the 残疾人安置管理 page: the year switcher, the year's summary and the table.
type listPage struct {
	Year    int
	Years   []rules.BusinessYear
	Summary placement.Summary
	Rows    []placement.ListRow
}

// pageYear is the year a placement page shows: ?year= when it names a business year, else the
// year whose declaration window is open (placement.DefaultYear). An unknown year is "not found".
func (s *Server) pageYear(r *http.Request) (int, []rules.BusinessYear, error) {
	years, def, err := s.deps.Placements.Years(r.Context())
	if err != nil {
		return 0, nil, err
	}
	raw := r.URL.Query().Get("year")
	if raw == "" {
		if def == 0 {
			return 0, nil, apperr.NotFoundf("业务年度")
		}
		return def, years, nil
	}
	y, err := strconv.Atoi(raw)
	if err == nil {
		for _, by := range years {
			if by.Year == y {
				return y, years, nil
			}
		}
	}
	return 0, nil, apperr.NotFoundf("该业务年度")
}

func (s *Server) handlePlacementList(w http.ResponseWriter, r *http.Request) {
	if !s.requireCompleteProfile(w, r) {
		return
	}
	a, _ := s.actor(r)
	year, years, err := s.pageYear(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sum, rows, err := s.deps.Placements.List(r.Context(), a, year)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "placement_list", Page{Title: "残疾人安置管理", Nav: "placements",
		Data: listPage{Year: year, Years: years, Summary: sum, Rows: rows}})
}

// handlePlacementReregister: 重新登记 sends the placement back to draft and opens its form.
func (s *Server) handlePlacementReregister(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := placementID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.deps.Placements.Reregister(r.Context(), a, id); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/placements/"+strconv.FormatInt(id, 10)+"/edit?done=placement-reregistered", http.StatusSeeOther)
}

// deletePage is the confirmation asked before 删除: a page of its own, so it works without script.
type deletePage struct {
	ID       int64
	Year     int
	Name     string
	IDMasked string
	Status   string
}

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

func (s *Server) handlePlacementDelete(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := placementID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	year := r.FormValue("year")
	if _, err := strconv.Atoi(year); err != nil {
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
