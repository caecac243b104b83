package web

import (
	"net/http"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/declaration"
	"quotacert/internal/httpx"
)

type letterRefJSON struct {
	Number     string `json:"number"`
	VerifyCode string `json:"verifyCode"`
}

type pledgeJSON struct {
	Version string `json:"version"`
	Text    string `json:"text"`
}

// declarationJSON is CONTRACT.md's declaration object.
type declarationJSON struct {
	Status    string         `json:"status"`
	CanSubmit bool           `json:"canSubmit"`
	Blockers  []string       `json:"blockers"`
	Pledge    pledgeJSON     `json:"pledge"`
	Letter    *letterRefJSON `json:"letter"`
}

func toDeclarationJSON(st declaration.State) declarationJSON {
	out := declarationJSON{Status: string(st.Status), CanSubmit: st.CanSubmit, Blockers: st.Blockers,
		Pledge: pledgeJSON{Version: st.Year.PledgeVersion, Text: st.Pledge}}
	if out.Blockers == nil {
		out.Blockers = []string{}
	}
	if st.Letter != nil {
		out.Letter = &letterRefJSON{Number: st.Letter.Number, VerifyCode: st.Letter.VerifyCode}
	}
	return out
}

func (s *Server) handleAPIDeclaration(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.writeDeclarationState(w, r, a, year)
}

func (s *Server) handleAPIDeclarationSubmit(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var in struct {
		PledgeAccepted bool `json:"pledgeAccepted"`
	}
	if err := decodeJSON(w, r, maxSmallBody, &in); err != nil {
		s.renderError(w, r, err)
		return
	}
	if _, err := s.deps.Declarations.Submit(r.Context(), a, year, in.PledgeAccepted, a.ClientAddr); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.issueAfterSubmit(r.Context(), a, year)
	s.writeDeclarationState(w, r, a, year)
}

func (s *Server) handleAPIDeclarationReopen(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PathValue("year"))
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
	if err := s.deps.Declarations.RequestReopen(r.Context(), a, year, in.Reason); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.writeDeclarationState(w, r, a, year)
}

// handleAPILetterPDF: GET /api/v1/years/{year}/declaration/letter.pdf (errors as JSON).
func (s *Server) handleAPILetterPDF(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.writeLetter(w, r, a, year)
}

// csvSafe defuses spreadsheet formulas in text cells (an employer name starting with "="): every
// export that writes text into a CSV or XLSX cell passes it through here (results CSV and XLSX,
// the import error report).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeDeclarationState answers with the year's declaration as CONTRACT.md's GET shows it; the
// state-changing calls answer with it too, so a client sees the result of its request.
func (s *Server) writeDeclarationState(w http.ResponseWriter, r *http.Request, a actor.Actor, year int) {
	st, err := s.deps.Declarations.State(r.Context(), a, year)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, toDeclarationJSON(st))
}
