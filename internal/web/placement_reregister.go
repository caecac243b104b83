package web

import (
	"net/http"
	"strconv"
)

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
