package web

import (
	"context"
	"net/http"
	"time"

	"quotacert/internal/httpx"
)

// handleHealth answers 200 when the database answers within two seconds, 503 otherwise, so a load
// balancer takes an instance out while its database is gone.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.deps.DB.Ping(ctx); err != nil {
		s.deps.Log.Warn("health check failed", "err", err)
		httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
