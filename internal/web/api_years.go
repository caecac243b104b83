package web

import (
	"net/http"

	"quotacert/internal/admin"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
	"quotacert/internal/rules"
)

// handleAPIYearUpdate is PUT /api/v1/years/{year} {windowOpen, windowClose} (CONTRACT.md).
func (s *Server) handleAPIYearUpdate(w http.ResponseWriter, r *http.Request) {
	year, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var in admin.YearInput
	if err := decodeJSON(w, r, maxSmallBody, &in); err != nil {
		s.renderError(w, r, err)
		return
	}
	fields := map[string]string{}
	if in.WindowOpen == nil {
		fields["windowOpen"] = "请填写申报开始日期（YYYY-MM-DD）"
	}
	if in.WindowClose == nil {
		fields["windowClose"] = "请填写申报截止日期（YYYY-MM-DD）"
	}
	if len(fields) > 0 {
		s.renderError(w, r, apperr.FieldErrors(fields))
		return
	}
	y, err := s.deps.Admin.UpdateYear(r.Context(), adminActor(s, r), year, in)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, toYearJSON(y))
}

// yearJSON is a business year in the API.
type yearJSON struct {
	Year                  int    `json:"year"`
	WindowOpen            string `json:"windowOpen"`
	WindowClose           string `json:"windowClose"`
	PledgeVersion         string `json:"pledgeVersion"`
	CertValidAtSubmission bool   `json:"certValidAtSubmission"`
}

func toYearJSON(y rules.BusinessYear) yearJSON {
	return yearJSON{Year: y.Year, WindowOpen: y.WindowOpen.String(), WindowClose: y.WindowClose.String(),
		PledgeVersion: y.PledgeVersion, CertValidAtSubmission: y.CertValidAtSubmission}
}
