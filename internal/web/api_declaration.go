package web

import (
	"fmt"
	"net/http"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/declaration"
	"quotacert/internal/httpx"
	"quotacert/internal/report"
)

// LetterRenderer draws the certification letter (report.Fonts); nil when no font could be loaded.
type LetterRenderer interface {
	Letter(d report.LetterData) ([]byte, error)
}

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

// verifyURL is the public verification address printed on the letter and in its QR code.
func (s *Server) verifyURL(r *http.Request, code string) string {
	base := strings.TrimSuffix(s.deps.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/verify/" + code
}

func (s *Server) handleAPILetterPDF(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	l, err := s.deps.Declarations.Letter(r.Context(), a, year)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if s.deps.Letters == nil {
		s.renderError(w, r, apperr.Wrap(apperr.Internal, "确认书字体未配置，暂不能生成确认书，请联系系统管理员", fmt.Errorf("no letter fonts")))
		return
	}
	pdf, err := s.deps.Letters.Letter(report.LetterData{EmployerName: l.EmployerName, CreditCode: l.CreditCode, Year: l.Year,
		Persons: l.Persons, CountedMonths: l.CountedMonths, EquivalentPersons: l.WeightMonths.String(), Number: l.Number,
		IssueDate: l.IssueDate().String(), Office: l.OfficeName, VerifyCode: l.VerifyCode, VerifyURL: s.verifyURL(r, l.VerifyCode)})
	if err != nil {
		s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成确认书失败", err))
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.pdf"`, l.Number))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(pdf)
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
