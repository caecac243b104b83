package web

import (
	"net/http"
	"time"

	"quotacert/internal/employer"
	"quotacert/internal/httpx"
)

// profileJSON is CONTRACT.md's employer object, plus creditCode, unit nature, economy type, contact e-mail and the completeness
// a client needs to guide the user.
type profileJSON struct {
	CreditCode       string   `json:"creditCode"`
	Name             string   `json:"name"`
	FederationOffice string   `json:"federationOffice"`
	TaxOffice        string   `json:"taxOffice"`
	District         string   `json:"district"`
	ContactName      string   `json:"contactName"`
	ContactPhone     string   `json:"contactPhone"`
	EmployeeCount    int      `json:"employeeCount"`
	Address          string   `json:"address"`
	UnitNature       string   `json:"unitNature"`
	EconomyType      string   `json:"economyType"`
	ContactEmail     string   `json:"contactEmail"`
	Enterprise       bool     `json:"enterprise"` // derived from unitNature (企业), for clients of before
	Complete         bool     `json:"complete"`
	Missing          []string `json:"missing"`
}

func toProfileJSON(p employer.Profile) profileJSON {
	missing := employer.Complete(p)
	if missing == nil {
		missing = []string{}
	}
	return profileJSON{CreditCode: p.CreditCode, Name: p.Name, FederationOffice: p.FederationOffice, TaxOffice: p.TaxOffice,
		District: p.District, ContactName: p.ContactName, ContactPhone: p.ContactPhone, EmployeeCount: p.EmployeeCount,
		Address: p.Address, UnitNature: p.UnitNature, EconomyType: p.EconomyType, ContactEmail: p.ContactEmail,
		Enterprise: p.Enterprise(), Complete: len(missing) == 0, Missing: missing}
}

// affiliateJSON is CONTRACT.md's affiliate object with its id, lock, file names and review: its
// records count for the employer only once review.status is approved.
type affiliateJSON struct {
	ID         int64               `json:"id"`
	CreditCode string              `json:"creditCode"`
	Name       string              `json:"name"`
	Kind       string              `json:"kind"`
	Locked     bool                `json:"locked"`
	FileIDs    []string            `json:"fileIds"`
	Files      []fileRefJSON       `json:"files"`
	Review     affiliateReviewJSON `json:"review"`
}

// affiliateReviewJSON is an affiliate's review state and, once a request was decided, how: the
// reviewer's comment or the objection of the unit the credit code belongs to.
type affiliateReviewJSON struct {
	Status    string     `json:"status"`
	Label     string     `json:"label"`
	Comment   string     `json:"comment,omitempty"`
	Objected  bool       `json:"objected"`
	DecidedAt *time.Time `json:"decidedAt"`
}

type fileRefJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Size int64  `json:"size"`
}

func toAffiliateJSON(a employer.Affiliate) affiliateJSON {
	out := affiliateJSON{ID: a.ID, CreditCode: a.CreditCode, Name: a.Name, Kind: a.Kind, Locked: a.Locked,
		FileIDs: []string{}, Files: []fileRefJSON{},
		Review: affiliateReviewJSON{Status: string(a.Review), Label: a.ReviewLabel(), Comment: a.Decision.Comment,
			Objected: a.Decision.Objected}}
	if !a.Decision.DecidedAt.IsZero() {
		t := a.Decision.DecidedAt
		out.Review.DecidedAt = &t
	}
	for _, f := range a.Files {
		out.FileIDs = append(out.FileIDs, f.ID)
		out.Files = append(out.Files, fileRefJSON{ID: f.ID, Name: f.Name, Size: f.Size})
	}
	return out
}

func (s *Server) handleAPIEmployer(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	p, err := s.deps.Employers.Profile(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, toProfileJSON(p))
}

func (s *Server) handleAPIEmployerSave(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	var in employer.ProfileInput
	if err := decodeJSON(w, r, maxSmallBody, &in); err != nil {
		s.renderError(w, r, err)
		return
	}
	p, err := s.deps.Employers.SaveProfile(r.Context(), a, in)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, toProfileJSON(p))
}

func (s *Server) handleAPIAffiliates(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	list, err := s.deps.Employers.Affiliates(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	items := make([]affiliateJSON, len(list))
	for i, af := range list {
		items[i] = toAffiliateJSON(af)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (s *Server) handleAPIAffiliateCreate(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	var in employer.AffiliateInput
	if err := decodeJSON(w, r, maxSmallBody, &in); err != nil {
		s.renderError(w, r, err)
		return
	}
	af, err := s.deps.Employers.AddAffiliate(r.Context(), a, in)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, toAffiliateJSON(af))
}

func (s *Server) handleAPIAffiliateUpdate(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "关联单位")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var in employer.AffiliateInput
	if err := decodeJSON(w, r, maxSmallBody, &in); err != nil {
		s.renderError(w, r, err)
		return
	}
	af, err := s.deps.Employers.UpdateAffiliate(r.Context(), a, id, in)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, toAffiliateJSON(af))
}

func (s *Server) handleAPIAffiliateDelete(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := pathID(r, "关联单位")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.deps.Employers.DeleteAffiliate(r.Context(), a, id); err != nil {
		s.renderError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAPIRegions: GET /api/v1/regions?parent=CODE → {items: [{code, name}]}.
func (s *Server) handleAPIRegions(w http.ResponseWriter, r *http.Request) {
	list, err := s.deps.Employers.Regions(r.Context(), r.URL.Query().Get("parent"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	type item struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	items := make([]item, len(list))
	for i, reg := range list {
		items[i] = item{reg.Code, reg.Name}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

// handleAPIOffices: GET /api/v1/offices?kind=federation|tax[&region=CODE] → {items: [{code, name, region}]};
// with a region, only the offices an employer registered there may choose.
func (s *Server) handleAPIOffices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := s.deps.Employers.Offices(r.Context(), q.Get("kind"), q.Get("region"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	type item struct {
		Code   string `json:"code"`
		Name   string `json:"name"`
		Region string `json:"region"`
	}
	items := make([]item, len(list))
	for i, o := range list {
		items[i] = item{o.Code, o.Name, o.Region}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}
