package web

import (
	"fmt"
	"net/http"

	"quotacert/internal/httpx"
	"quotacert/internal/placement"
)

// toSummaryJSON is the summary of a year's placements as GET /years/{year}/placements shows it.
func toSummaryJSON(sum placement.Summary) map[string]any {
	return map[string]any{"persons": sum.Persons, "confirmed": sum.Confirmed, "pending": sum.Pending,
		"rejected": sum.Rejected, "countedMonths": sum.CountedMonths,
		"equivalentPersons": jsonNumber(sum.WeightMonths.String()), "pendingMonths": sum.PendingMonths}
}

type listItemJSON struct {
	ID             int64  `json:"id"`
	IDNumberMasked string `json:"idNumberMasked"`
	Name           string `json:"name"`
	Status         string `json:"status"`
	Dispatched     bool   `json:"dispatched"`
	CountedMonths  int    `json:"countedMonths"`
}

// handleAPIPlacements is GET /api/v1/years/{year}/placements: the year's summary and one page of
// rows (page, pageSize, q, status, sort as on the page), with total and, when more follow, next:
// a client that sends no parameter gets the first page and follows next for the rest.
//
// The answer is kept by its year and query at the list's stamp, as the list page is
// (handlePlacementList): it was encoded after the profile was found complete, and the profile is
// part of the stamp.
func (s *Server) handleAPIPlacements(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	st, err := s.deps.Placements.ListStamp(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	key := fmt.Sprintf("api-list:%d:%d:%s", a.EmployerID, year, r.URL.Query().Encode())
	if body, ok := s.keptJSON(key, st); ok {
		httpx.WriteJSONBytes(w, http.StatusOK, body)
		return
	}
	if !s.requireCompleteProfile(w, r) {
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
	items := make([]listItemJSON, len(page.Rows))
	for i, row := range page.Rows {
		items[i] = listItemJSON{ID: row.ID, IDNumberMasked: row.IDMasked, Name: row.Name, Status: string(row.Status),
			Dispatched: row.Dispatched, CountedMonths: row.CountedMonths()}
	}
	out := map[string]any{"summary": toSummaryJSON(sum), "items": items, "total": page.Total,
		"page": page.Page, "pageSize": page.PageSize}
	if page.HasNext() {
		out["next"] = listURL(fmt.Sprintf("/api/v1/years/%d/placements", year), page.Query, page.Page+1, false)
	}
	body, err := httpx.EncodeJSON(out)
	if err != nil {
		s.renderError(w, r, fmt.Errorf("encode the list: %w", err))
		return
	}
	// At the stamp read before the profile and the rows: they are at least as new.
	s.keepJSON(key, st, body)
	httpx.WriteJSONBytes(w, http.StatusOK, body)
}
