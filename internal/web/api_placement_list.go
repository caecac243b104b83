package web

import (
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

// handleAPIPlacements is GET /api/v1/years/{year}/placements: the summary and one row per person.
func (s *Server) handleAPIPlacements(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.requireCompleteProfile(w, r) {
		return
	}
	sum, rows, err := s.deps.Placements.List(r.Context(), a, year)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	items := make([]listItemJSON, len(rows))
	for i, row := range rows {
		items[i] = listItemJSON{ID: row.ID, IDNumberMasked: row.IDMasked, Name: row.Name, Status: string(row.Status),
			Dispatched: row.Dispatched, CountedMonths: row.CountedMonths()}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"summary": toSummaryJSON(sum), "items": items})
}
