package web

import (
	"net/http"

	"quotacert/internal/apperr"
	"quotacert/internal/declaration"
)

// verifyView is what the public verification page shows: no personal data, only the employer,
// the year, the figures and whether the letter is still valid.
type verifyView struct {
	Letter    declaration.Letter
	Cancelled bool
}

// handleVerifyPage: GET /verify/{code}, public. An unknown code is the ordinary Chinese 404 page.
func (s *Server) handleVerifyPage(w http.ResponseWriter, r *http.Request) {
	l, err := s.deps.Declarations.Verify(r.Context(), r.PathValue("code"))
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			err = apperr.New(apperr.NotFound, "未找到该验证码对应的年审认证确认书，请核对验证码")
		}
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("X-Robots-Tag", "noindex")
	s.render(w, r, http.StatusOK, "verify", Page{Title: "年审认证确认书核验",
		Data: verifyView{Letter: l, Cancelled: l.Status == declaration.LetterCancelled}})
}
