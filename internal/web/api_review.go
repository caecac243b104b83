package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
	"quotacert/internal/placement"
	"quotacert/internal/review"
)

type reviewItemJSON struct {
	ID          int64             `json:"id"`
	Kind        review.Kind       `json:"kind"`
	Employer    reviewEmployerRef `json:"employer"`
	PlacementID *int64            `json:"placementId"`
	Month       *string           `json:"month"`
	CreatedAt   time.Time         `json:"createdAt"`
	Year        int               `json:"year"`
	Status      string            `json:"status"`
	Note        string            `json:"note"`
	Comment     string            `json:"comment"`
	// Affiliate is the affiliate of kind "affiliate" (null otherwise); Objected marks a rejection by
	// the objection of the unit its credit code belongs to.
	Affiliate *reviewAffiliateRef `json:"affiliate"`
	Objected  bool                `json:"objected"`
	// PlacementDeleted: the employer deleted the item's placement; the item stays as history.
	PlacementDeleted bool `json:"placementDeleted,omitempty"`
}

type reviewAffiliateRef struct {
	ID         int64  `json:"id"`
	CreditCode string `json:"creditCode"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
}

type reviewEmployerRef struct {
	CreditCode string `json:"creditCode"`
	Name       string `json:"name"`
}

func toReviewItemJSON(it review.Item) reviewItemJSON {
	out := reviewItemJSON{ID: it.ID, Kind: it.Kind, Employer: reviewEmployerRef{it.EmployerCode, it.EmployerName},
		CreatedAt: it.CreatedAt, Year: it.Year, Status: string(it.Status), Note: it.Note, Comment: it.Comment, Objected: it.Objected,
		PlacementDeleted: it.PlacementDeleted}
	if it.Kind == review.KindAffiliate {
		out.Affiliate = &reviewAffiliateRef{ID: it.AffiliateID, CreditCode: it.AffiliateCode, Name: it.AffiliateName, Kind: it.AffiliateKind}
	}
	if it.PlacementID != 0 {
		id := it.PlacementID
		out.PlacementID = &id
	}
	if it.Month != "" {
		m := it.Month
		out.Month = &m
	}
	return out
}

// reviewFilter reads the queue filters from the query string (API and page alike).
func reviewFilter(r *http.Request) review.Filter {
	q := r.URL.Query()
	f := review.Filter{Status: q.Get("status"), Kind: review.Kind(q.Get("kind")), Employer: q.Get("employer"),
		District: q.Get("district")}
	f.Year, _ = strconv.Atoi(q.Get("year"))
	for name, dst := range map[string]*int{"page": &f.Page, "pageSize": &f.PageSize} {
		if raw := q.Get(name); raw != "" {
			if n, err := strconv.Atoi(raw); err == nil && n > 0 {
				*dst = n
			} else {
				*dst = -1 // refused by the service with a field error
			}
		}
	}
	if age := q.Get("age"); age != "" {
		if n, err := strconv.Atoi(age); err == nil {
			f.OlderThanDays = n
		} else {
			f.OlderThanDays = -1 // refused by the service with a field error
		}
	}
	return f
}

func (s *Server) handleAPIReviews(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	f := reviewFilter(r)
	page, err := s.deps.Reviews.QueuePaged(r.Context(), a, f)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	out := make([]reviewItemJSON, len(page.Items))
	for i, it := range page.Items {
		out[i] = toReviewItemJSON(it)
	}
	body := map[string]any{"items": out, "total": page.Total, "page": page.Page, "pageSize": page.PageSize}
	if page.HasNext() {
		body["next"] = reviewQueueURL("/api/v1/reviews", r.URL.Query(), page.Page+1)
	}
	httpx.WriteJSON(w, http.StatusOK, body)
}

// reviewQueueURL is the address of page n of the queue under the same filter.
func reviewQueueURL(path string, q url.Values, n int) string {
	v := url.Values{}
	for _, k := range []string{"status", "kind", "employer", "district", "year", "age", "pageSize"} {
		if x := q.Get(k); x != "" {
			v.Set(k, x)
		}
	}
	v.Set("page", strconv.Itoa(n))
	return path + "?" + v.Encode()
}

func (s *Server) handleAPIReviewDecision(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "审核事项")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var in struct {
		Approve *bool  `json:"approve"`
		Comment string `json:"comment"`
	}
	if err := decodeJSON(w, r, maxSmallBody, &in); err != nil {
		s.renderError(w, r, err)
		return
	}
	if in.Approve == nil {
		s.renderError(w, r, apperr.FieldErrors(map[string]string{"approve": "请选择审核通过或不通过"}))
		return
	}
	if err := s.deps.Reviews.Decide(r.Context(), a, id, *in.Approve, in.Comment); err != nil {
		s.renderError(w, r, err)
		return
	}
	d, err := s.deps.Reviews.Get(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, toReviewItemJSON(d.Item))
}

func (s *Server) handleAPIPlacementReturn(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "安置人员")
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
	if err := s.deps.Reviews.Return(r.Context(), a, id, in.Reason); err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "status": string(placement.Rejected)})
}
