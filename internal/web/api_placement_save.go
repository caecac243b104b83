package web

import (
	"net/http"
	"strconv"

	"quotacert/internal/httpx"
	"quotacert/internal/placement"
)

// placementInJSON is the body of POST /years/{year}/placements (and PUT /placements/{id}).
type placementInJSON struct {
	IDNumber            string `json:"idNumber"`
	Name                string `json:"name"`
	Gender              string `json:"gender"`
	BirthDate           string `json:"birthDate"`
	CertificateKind     string `json:"certificateKind"` // "disability" (default) or "veteran"
	Category            int    `json:"category"`
	Level               int    `json:"level"`
	Grade               int    `json:"grade"` // 伤残等级 of a 残疾军人证
	Dispatched          bool   `json:"dispatched"`
	AffiliateID         int64  `json:"affiliateId"`
	FemaleRetirementAge int    `json:"femaleRetirementAge"`
	Graduate            *struct {
		School        string `json:"school"`
		Degree        string `json:"degree"`
		Major         string `json:"major"`
		Graduated     string `json:"graduated"`
		DiplomaNumber string `json:"diplomaNumber"`
	} `json:"graduate"`
	Contracts []struct {
		Start   string   `json:"start"`
		End     *string  `json:"end"`
		FileIDs []string `json:"fileIds"`
	} `json:"contracts"`
	Certificates []struct {
		Kind       string   `json:"kind"`
		Number     string   `json:"number"`
		Grade      int      `json:"grade"`
		Issued     string   `json:"issued"`
		ValidUntil *string  `json:"validUntil"`
		FileIDs    []string `json:"fileIds"`
	} `json:"certificates"`
}

func (j placementInJSON) input() placement.Input {
	in := placement.Input{IDNumber: j.IDNumber, Name: j.Name, Gender: j.Gender, BirthDate: j.BirthDate,
		CertificateKind: j.CertificateKind, Category: j.Category, Level: j.Level, Grade: j.Grade, Dispatched: j.Dispatched,
		AffiliateID: j.AffiliateID, FemaleRetirementAge: j.FemaleRetirementAge}
	if g := j.Graduate; g != nil {
		in.Graduate = placement.GraduateInput{School: g.School, Degree: g.Degree, Major: g.Major, Graduated: g.Graduated,
			DiplomaNumber: g.DiplomaNumber}
	}
	for _, c := range j.Contracts {
		ci := placement.ContractInput{Start: c.Start, FileIDs: c.FileIDs}
		if c.End != nil {
			ci.End = *c.End
		}
		in.Contracts = append(in.Contracts, ci)
	}
	for _, c := range j.Certificates {
		ci := placement.CertificateInput{Kind: c.Kind, Number: c.Number, Grade: c.Grade, Issued: c.Issued, FileIDs: c.FileIDs}
		if c.ValidUntil != nil {
			ci.ValidUntil = *c.ValidUntil
		}
		in.Certificates = append(in.Certificates, ci)
	}
	return in
}

// handleAPIPlacementCreate is POST /api/v1/years/{year}/placements → 201 {id} with its Location.
func (s *Server) handleAPIPlacementCreate(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var body placementInJSON
	if err := decodeJSON(w, r, maxPlacementBody, &body); err != nil {
		s.renderError(w, r, err)
		return
	}
	id, err := s.deps.Placements.Create(r.Context(), a, year, body.input())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/placements/"+strconv.FormatInt(id, 10))
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"id": id})
}

// handleAPIPlacementUpdate is PUT /api/v1/placements/{id}: the same body for a draft placement.
func (s *Server) handleAPIPlacementUpdate(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := placementID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var body placementInJSON
	if err := decodeJSON(w, r, maxPlacementBody, &body); err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.deps.Placements.Update(r.Context(), a, id, body.input()); err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"id": id})
}
