package web

import (
	"net/http"

	"quotacert/internal/exchange"
	"quotacert/internal/httpx"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// The placement API of CONTRACT.md (issue #7). Handlers translate JSON to the placement service and
// back; every rule (ownership, year lock, month selection) lives in the service.

type registryCertJSON struct {
	Kind       string  `json:"kind"`
	Number     string  `json:"number"`
	Category   int     `json:"category"`
	Level      int     `json:"level"`
	Grade      int     `json:"grade"`
	Issued     string  `json:"issued"`
	ValidUntil *string `json:"validUntil"`
	Status     string  `json:"status"`
}

// kindOf names a certificate kind as the API writes it: the zero kind is "disability".
func kindOf(k rules.CertificateKind) rules.CertificateKind {
	if k.Veteran() {
		return rules.VeteranCertificate
	}
	return rules.DisabilityCertificate
}

// toRegistryCertJSON is a registry certificate as the API shows it (full number: an authorised view).
func toRegistryCertJSON(c exchange.RegistryCertificate) registryCertJSON {
	return registryCertJSON{Kind: string(kindOf(c.Kind)), Number: c.Number, Category: c.Category, Level: c.Level, Grade: c.Grade,
		Issued: c.Issued.String(), ValidUntil: dateOrNull(c.ValidUntil), Status: c.Status}
}

// dateOrNull is a date for JSON, null for "no date" (open-ended, no expiry).
func dateOrNull(d rules.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

// jsonNumber writes a decimal as a JSON number exactly as formatted (2 decimals, half-up), so the
// API shows the same figure as the page and the export, never a binary float.
type jsonNumber string

// MarshalJSON writes the number unquoted.
func (n jsonNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }

// placementJSON is CONTRACT.md's GET /placements/{id}.
type placementJSON struct {
	ID                  int64              `json:"id"`
	Year                int                `json:"year"`
	Status              string             `json:"status"`
	ReturnReason        string             `json:"returnReason,omitempty"`
	DraftReason         string             `json:"draftReason,omitempty"`
	IDNumber            string             `json:"idNumber"`
	IDNumberMasked      string             `json:"idNumberMasked"`
	Name                string             `json:"name"`
	Gender              string             `json:"gender"`
	BirthDate           string             `json:"birthDate"`
	CertificateKind     string             `json:"certificateKind"`
	Category            int                `json:"category"`
	Level               int                `json:"level"`
	Grade               int                `json:"grade"`
	Dispatched          bool               `json:"dispatched"`
	AffiliateID         *int64             `json:"affiliateId"`
	FemaleRetirementAge int                `json:"femaleRetirementAge"`
	Graduate            any                `json:"graduate"`
	Contracts           []map[string]any   `json:"contracts"`
	Certificates        []map[string]any   `json:"certificates"`
	Registry            []registryCertJSON `json:"registryCertificates"`
	YearLocked          bool               `json:"yearLocked"`
	Saved               bool               `json:"saved"`
	PassedMonths        int                `json:"passedMonths"`
	EquivalentPersons   jsonNumber         `json:"equivalentPersons"`
	Months              []monthJSON        `json:"months"`
}

type monthJSON struct {
	Month          string          `json:"month"`
	Checks         map[string]bool `json:"checks"`
	Passed         bool            `json:"passed"`
	PendingCert    bool            `json:"pendingCertificate"`
	Reasons        []string        `json:"reasons"`
	Selected       bool            `json:"selected"`
	Locked         bool            `json:"locked"`
	TakenElsewhere bool            `json:"takenElsewhere"`
	Hold           string          `json:"hold,omitempty"` // why an affiliate's records do not count yet
	Weight         int             `json:"weight"`
	Claim          *claimJSON      `json:"claim"`
}

type claimJSON struct {
	Status  string   `json:"status"`
	FileIDs []string `json:"fileIds"`
	Note    string   `json:"note"`
	Comment string   `json:"comment"`
	// Earlier are the month's earlier claims, decided (a re-claim of a rejected month is new).
	Earlier []claimJSON `json:"earlier,omitempty"`
}

func toPlacementJSON(v placement.View) placementJSON {
	out := placementJSON{ID: v.ID, Year: v.Year, Status: string(v.Status), ReturnReason: v.ReturnReason, DraftReason: v.DraftReason,
		IDNumber: v.Person.IDNumber, IDNumberMasked: v.Person.IDMasked, Name: v.Person.Name, Gender: v.Person.Gender,
		BirthDate: v.Person.BirthDate.String(), CertificateKind: string(kindOf(v.CertificateKind)), Category: v.Category,
		Level: v.Level, Grade: v.Grade, Dispatched: v.Dispatched,
		FemaleRetirementAge: v.FemaleRetirementAge, YearLocked: v.YearLocked, Saved: v.IsSaved(),
		PassedMonths: v.Result.PassedMonths, EquivalentPersons: jsonNumber(v.WeightMonths().String()),
		Contracts: []map[string]any{}, Certificates: []map[string]any{}, Registry: []registryCertJSON{}}
	if v.AffiliateID != 0 {
		id := v.AffiliateID
		out.AffiliateID = &id
	}
	if !v.Graduate.IsZero() {
		g := v.Graduate
		out.Graduate = map[string]any{"school": g.School, "degree": g.Degree, "major": g.Major,
			"graduated": g.Graduated.String(), "diplomaNumber": g.DiplomaNumber}
	}
	for _, c := range v.Contracts {
		out.Contracts = append(out.Contracts, map[string]any{"start": c.Start.String(), "end": dateOrNull(c.End), "fileIds": nonNil(c.FileIDs)})
	}
	for _, c := range v.Certificates {
		out.Certificates = append(out.Certificates, map[string]any{"kind": kindOf(c.Kind), "number": c.Number, "grade": c.Grade, "issued": c.Issued.String(),
			"validUntil": dateOrNull(c.ValidUntil), "review": string(c.Review), "fileIds": nonNil(c.FileIDs)})
	}
	for _, c := range v.Registry {
		out.Registry = append(out.Registry, toRegistryCertJSON(c))
	}
	for _, m := range v.Months {
		mj := monthJSON{Month: m.Month.String(), Passed: m.Passed, PendingCert: m.PendingCertificate, Reasons: nonNil(m.Reasons),
			Selected: m.Selected, Locked: m.Locked, TakenElsewhere: m.TakenElsewhere, Hold: m.Hold, Weight: m.Weight,
			Checks: map[string]bool{}}
		for _, c := range rules.Checks() {
			mj.Checks[c.Key] = c.Passed(m.MonthResult)
		}
		if c := m.Claim; c != nil {
			mj.Claim = &claimJSON{Status: string(c.Status), FileIDs: nonNil(c.FileIDs), Note: c.Note, Comment: c.Comment}
			for _, old := range c.Earlier {
				mj.Claim.Earlier = append(mj.Claim.Earlier, claimJSON{Status: string(old.Status), FileIDs: nonNil(old.FileIDs),
					Note: old.Note, Comment: old.Comment})
			}
		}
		out.Months = append(out.Months, mj)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) handleAPIPlacement(w http.ResponseWriter, r *http.Request) {
	v, ok := s.placementView(w, r)
	if !ok {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, toPlacementJSON(v))
}

// monthsInJSON is the body of PUT /placements/{id}/months: the selected months and the claimed ones
// with their evidence, which are all ticked months to the service.
type monthsInJSON struct {
	Selected []string `json:"selected"`
	Claims   []struct {
		Month   string   `json:"month"`
		FileIDs []string `json:"fileIds"`
		Note    string   `json:"note"`
	} `json:"claims"`
}

func (j monthsInJSON) input() placement.SaveInput {
	var in placement.SaveInput
	for _, m := range j.Selected {
		in.Months = append(in.Months, placement.MonthInput{Month: m})
	}
	for _, c := range j.Claims {
		in.Months = append(in.Months, placement.MonthInput{Month: c.Month, FileIDs: c.FileIDs, Note: c.Note})
	}
	return in
}

func (s *Server) handleAPIPlacementMonths(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := placementID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var body monthsInJSON
	if err := decodeJSON(w, r, maxPlacementBody, &body); err != nil {
		s.renderError(w, r, err)
		return
	}
	st, err := s.deps.Placements.SaveMonths(r.Context(), a, id, body.input())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "status": string(st)})
}

func (s *Server) handleAPIPlacementDelete(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := placementID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.deps.Placements.Delete(r.Context(), a, id); err != nil {
		s.renderError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAPIPlacementReregister(w http.ResponseWriter, r *http.Request) {
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
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "status": string(placement.Draft)})
}
