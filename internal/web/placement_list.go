package web

import (
	"net/http"
	"strconv"

	"quotacert/internal/apperr"
	"quotacert/internal/employer"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// listPage is the 残疾人安置管理 page: the year switcher, the year's summary and the table.
type listPage struct {
	Year    int
	Years   []rules.BusinessYear
	Summary placement.Summary
	Rows    []placement.ListRow
	// Employer is the unit, printed on top of a printed list.
	Employer employer.Profile
	// Copied counts what a 复制上年名单 just did (nil otherwise).
	Copied *copyCounts
}

// YearNumbers are the business years for the year switcher.
func (p listPage) YearNumbers() []int { return yearNumbers(p.Years) }

func yearNumbers(ys []rules.BusinessYear) []int {
	out := make([]int, len(ys))
	for i, y := range ys {
		out[i] = y.Year
	}
	return out
}

// copyCounts are the figures a copy redirects with; only numbers are read from the query.
type copyCounts struct{ Created, Skipped int }

// copiedFrom reads ?created=&skipped= after a copy.
func copiedFrom(r *http.Request) *copyCounts {
	q := r.URL.Query()
	if q.Get("done") != "placements-copied" {
		return nil
	}
	created, err1 := strconv.Atoi(q.Get("created"))
	skipped, err2 := strconv.Atoi(q.Get("skipped"))
	if err1 != nil || err2 != nil || created < 0 || skipped < 0 {
		return nil
	}
	return &copyCounts{Created: created, Skipped: skipped}
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
	y, err := parseYear(raw)
	if err == nil {
		for _, by := range years {
			if by.Year == y {
				return y, years, nil
			}
		}
	}
	return 0, nil, apperr.NotFoundf("该业务年度")
}

// handlePlacementList shows the year's placements with the summary (persons, months, 折算人数).
func (s *Server) handlePlacementList(w http.ResponseWriter, r *http.Request) {
	emp, ok := s.completeProfile(w, r)
	if !ok {
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
		Data: listPage{Year: year, Years: years, Summary: sum, Rows: rows, Employer: emp, Copied: copiedFrom(r)}})
}
