package web

import (
	"net/http"

	"quotacert/internal/httpx"
	"quotacert/internal/placement"
)

// copyInJSON is the body of POST /years/{year}/placements/copy (CONTRACT.md wave 2): the source
// year (default: the year before) and optionally which of its placements (default: all).
type copyInJSON struct {
	FromYear     int     `json:"fromYear"`
	PlacementIDs []int64 `json:"placementIds"`
}

type copiedJSON struct {
	ID     int64 `json:"id"`
	FromID int64 `json:"fromId"`
}

type copySkippedJSON struct {
	FromID int64  `json:"fromId"`
	Reason string `json:"reason"`
}

// handleAPIPlacementCopy is POST /api/v1/years/{year}/placements/copy → 200 {created, skipped}.
func (s *Server) handleAPIPlacementCopy(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var body copyInJSON
	if err := decodeJSON(w, r, maxSmallBody, &body); err != nil {
		s.renderError(w, r, err)
		return
	}
	if body.FromYear == 0 {
		body.FromYear = year - 1
	}
	res, err := s.deps.Placements.Copy(r.Context(), a, year, placement.CopyInput{FromYear: body.FromYear, PlacementIDs: body.PlacementIDs})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	out := struct {
		Created []copiedJSON      `json:"created"`
		Skipped []copySkippedJSON `json:"skipped"`
	}{Created: []copiedJSON{}, Skipped: []copySkippedJSON{}}
	for _, c := range res.Created {
		out.Created = append(out.Created, copiedJSON{ID: c.ID, FromID: c.FromID})
	}
	for _, sk := range res.Skipped {
		out.Skipped = append(out.Skipped, copySkippedJSON{FromID: sk.FromID, Reason: sk.Reason})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}
