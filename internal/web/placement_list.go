package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

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
	// Page is the page shown with its filter; PrevURL and NextURL link the neighbours ("" none).
	Page             placement.ListPage
	PrevURL, NextURL string
	Statuses         []placement.Status
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
//
// The page is kept (keptPage) by its query and the day (the default year is today's): a kept page
// was rendered after the profile was found complete, and the profile is part of the stamp.
func (s *Server) handlePlacementList(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	st, err := s.deps.Placements.ListStamp(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	key := fmt.Sprintf("list:%d:%s:%s", a.EmployerID, s.deps.Now().In(rules.China()).Format(time.DateOnly), r.URL.Query().Encode())
	if body, ok := s.keptBody(key, st); ok {
		s.render(w, r, http.StatusOK, "placement_list", listLayout(body))
		return
	}
	emp, ok := s.completeProfile(w, r)
	if !ok {
		return
	}
	year, years, err := s.pageYear(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	q, err := listQueryOf(r, year)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sum, page, err := s.deps.Placements.ListPaged(r.Context(), a, q)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data := listPage{Year: year, Years: years, Summary: sum, Rows: page.Rows, Page: page, Employer: emp, Copied: copiedFrom(r),
		Statuses: []placement.Status{placement.Draft, placement.Pending, placement.Confirmed, placement.Rejected}}
	if page.Page > 1 {
		data.PrevURL = listURL("/placements", page.Query, page.Page-1, true)
	}
	if page.HasNext() {
		data.NextURL = listURL("/placements", page.Query, page.Page+1, true)
	}
	body, err := s.renderContent("placement_list", data)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// At the stamp read before the profile, the years and the rows: they are at least as new.
	s.keep(key, st, body)
	s.render(w, r, http.StatusOK, "placement_list", listLayout(body))
}

func listLayout(body template.HTML) Page {
	return Page{Title: "残疾人安置管理", Nav: "placements", Body: body}
}

// listQueryOf reads the list's paging and filter parameters (page, pageSize, q, status, sort); a
// page number that is not a number is a field error, like every other bad value.
func listQueryOf(r *http.Request, year int) (placement.ListQuery, error) {
	v := r.URL.Query()
	q := placement.ListQuery{Year: year, Q: v.Get("q"), Status: v.Get("status"), Sort: v.Get("sort")}
	bad := map[string]string{}
	for name, dst := range map[string]*int{"page": &q.Page, "pageSize": &q.PageSize} {
		raw := v.Get(name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			bad[name] = "应为正整数"
			continue
		}
		*dst = n
	}
	if len(bad) > 0 {
		return q, apperr.FieldErrors(bad)
	}
	return q, nil
}

// listURL is the address of page n of the list under the same filter; withYear adds ?year= (the
// page; the API has the year in its path).
func listURL(path string, q placement.ListQuery, n int, withYear bool) string {
	v := url.Values{}
	if withYear {
		v.Set("year", strconv.Itoa(q.Year))
	}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if q.Sort != "" {
		v.Set("sort", q.Sort)
	}
	if q.PageSize != placement.DefaultPageSize {
		v.Set("pageSize", strconv.Itoa(q.PageSize))
	}
	v.Set("page", strconv.Itoa(n))
	return path + "?" + v.Encode()
}
