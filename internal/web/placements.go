package web

import (
	"net/http"

	"quotacert/internal/placement"
)

// Helpers shared by the placement pages and the placement API.

// placementID reads the {id} of a placement route (pathID for "安置人员").
func placementID(r *http.Request) (int64, error) { return pathID(r, "安置人员") }

// placementView opens the placement named by the path for the signed-in user; on failure it has
// already answered (404 for a bad id or another's placement).
func (s *Server) placementView(w http.ResponseWriter, r *http.Request) (placement.View, bool) {
	a, _ := s.actor(r)
	id, err := placementID(r)
	if err == nil {
		var v placement.View
		if v, err = s.deps.Placements.Get(r.Context(), a, id); err == nil {
			return v, true
		}
	}
	s.renderError(w, r, err)
	return placement.View{}, false
}
