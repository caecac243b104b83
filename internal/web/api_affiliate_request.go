package web

import (
	"net/http"
	"time"

	"quotacert/internal/httpx"
	"quotacert/internal/review"
)

// affiliateRequestJSON is a request naming the employer as another employer's affiliate.
type affiliateRequestJSON struct {
	ID        int64             `json:"id"`
	Employer  reviewEmployerRef `json:"employer"` // the employer asking
	Name      string            `json:"name"`     // the name it gave the affiliate
	Kind      string            `json:"kind"`
	Status    string            `json:"status"`
	Objected  bool              `json:"objected"`
	Comment   string            `json:"comment"`
	CreatedAt time.Time         `json:"createdAt"`
}

func toAffiliateRequestJSON(it review.Item) affiliateRequestJSON {
	return affiliateRequestJSON{ID: it.ID, Employer: reviewEmployerRef{it.EmployerCode, it.EmployerName}, Name: it.AffiliateName,
		Kind: it.AffiliateKind, Status: string(it.Status), Objected: it.Objected, Comment: it.Comment, CreatedAt: it.CreatedAt}
}

// handleAPIAffiliateRequests: GET /api/v1/employer/affiliate-requests → {items: […]}, newest first.
func (s *Server) handleAPIAffiliateRequests(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	list, err := s.deps.Reviews.AffiliateRequests(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	items := make([]affiliateRequestJSON, len(list))
	for i, it := range list {
		items[i] = toAffiliateRequestJSON(it)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

// handleAPIAffiliateObjection: POST /api/v1/employer/affiliate-requests/{id}/objection {reason} →
// the request, rejected.
func (s *Server) handleAPIAffiliateObjection(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "关联单位申请")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, maxSmallBody, &in); err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.deps.Reviews.Object(r.Context(), a, id, in.Reason); err != nil {
		s.renderError(w, r, err)
		return
	}
	it, err := s.deps.Reviews.AffiliateRequest(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, toAffiliateRequestJSON(it))
}
