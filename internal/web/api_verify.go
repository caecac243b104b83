package web

import (
	"bytes"
	"errors"
	"net/http"

	"quotacert/internal/apperr"
	"quotacert/internal/rules"
	"quotacert/internal/verifycase"
)

// handleAPIVerify is POST /api/v1/verify: the same code path as "quotacert verify". It reads no stored
// data, so it needs no login; the body is bounded by verifycase.MaxCaseBytes.
func (s *Server) handleAPIVerify(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, verifycase.MaxCaseBytes+1)
	var out bytes.Buffer
	if err := verifycase.Process(r.Body, &out, rules.ChinaDate(s.deps.Now())); err != nil {
		var fe *verifycase.FieldError
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			s.renderError(w, r, apperr.New(apperr.Invalid, "核验数据过大"))
		case errors.As(err, &fe) && fe.Path != "":
			s.renderError(w, r, &apperr.Error{Code: apperr.Invalid, Message: fe.Path + "：" + fe.Reason,
				Fields: map[string]string{fe.Path: fe.Reason}})
		case errors.As(err, &fe):
			s.renderError(w, r, apperr.New(apperr.Invalid, fe.Reason))
		default:
			s.renderError(w, r, err)
		}
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(out.Bytes())
}
