package web

import (
	"net/http"
	"strconv"
)

// handleCaptchaAudio speaks a live challenge's digits in Chinese (WAV), for the login and
// registration forms and for API clients (the captcha JSON names this address).
func (s *Server) handleCaptchaAudio(w http.ResponseWriter, r *http.Request) {
	wav, err := s.deps.Accounts.CaptchaAudio(r.Context(), r.PathValue("id"), s.clientAddr(r))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Content-Length", strconv.Itoa(len(wav)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(wav)
}
