package web

import (
	"net/http"
	"strconv"

	"quotacert/internal/apperr"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// handlePlacementEdit shows the form of a draft placement filled from what is stored, with the
// names of its attached files; a confirmed or pending placement must be re-registered first.
func (s *Server) handlePlacementEdit(w http.ResponseWriter, r *http.Request) {
	if !s.requireCompleteProfile(w, r) {
		return
	}
	v, ok := s.placementView(w, r)
	if !ok {
		return
	}
	if v.YearLocked || v.Status != placement.Draft {
		s.renderError(w, r, apperr.New(apperr.Conflict, "只能修改未完成登记的人员；已确认或待审核的人员请先重新登记"))
		return
	}
	f := placementForm{ID: v.ID, Year: v.Year, IDNumber: v.Person.IDNumber, Name: v.Person.Name,
		CertificateKind: string(rules.DisabilityCertificate), Category: positive(v.Category), Level: positive(v.Level),
		Grade: positive(v.Grade), Dispatched: boolDigit(v.Dispatched), FemaleRetirementAge: strconv.Itoa(v.FemaleRetirementAge)}
	if v.CertificateKind.Veteran() {
		f.CertificateKind = string(rules.VeteranCertificate)
	}
	if v.AffiliateID != 0 {
		f.AffiliateID = strconv.FormatInt(v.AffiliateID, 10)
	}
	if g := v.Graduate; !g.IsZero() {
		f.Graduate = placement.GraduateInput{School: g.School, Degree: g.Degree, Major: g.Major, DiplomaNumber: g.DiplomaNumber}
		if !g.Graduated.IsZero() {
			f.Graduate.Graduated = g.Graduated.String()
		}
	}
	for _, c := range v.Contracts {
		row := contractRow{Start: c.Start.String(), OpenEnded: c.End.IsZero(), Files: s.namedFiles(r, c.FileIDs)}
		if !c.End.IsZero() {
			row.End = c.End.String()
		}
		f.Contracts = append(f.Contracts, row)
	}
	if len(f.Contracts) == 0 {
		f.Contracts = []contractRow{{}}
	}
	for _, c := range v.Certificates {
		row := certificateRow{Kind: string(c.Kind), Grade: positive(c.Grade), Number: c.Number, Issued: c.Issued.String(),
			Review: c.Review, Files: s.namedFiles(r, c.FileIDs)}
		if !c.ValidUntil.IsZero() {
			row.ValidUntil = c.ValidUntil.String()
		}
		f.Certificates = append(f.Certificates, row)
	}
	f.Registry = registryRows(v.Registry)
	f.LookedUp = len(v.Registry) > 0
	s.renderPlacementForm(w, r, http.StatusOK, f)
}

// positive is n as form text, "" for 0 (nothing chosen).
func positive(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// handlePlacementUpdate is the same form for a draft placement (after 重新登记).
func (s *Server) handlePlacementUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := placementID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.savePlacementForm(w, r, id)
}
