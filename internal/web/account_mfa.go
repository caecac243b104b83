package web

import (
	"html/template"
	"net/http"
	"strings"

	"quotacert/internal/account"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
)

// enrolPath is the page of the second factor; staff who must enrol may use only it (and log out).
const enrolPath = "/account/mfa"

// mfaPage is the second factor's page: enrolment (QR code, secret, code field), the recovery codes
// right after enrolment (shown once), or the state and how to switch it off.
type mfaPage struct {
	Status        account.MFAStatus
	Must          bool
	Secret        string // grouped by four for typing
	QRCode        template.URL
	RecoveryCodes []string
	Error         string
	Fields        map[string]string
}

func (s *Server) handleMFAPage(w http.ResponseWriter, r *http.Request) {
	s.renderMFA(w, r, http.StatusOK, mfaPage{})
}

func (s *Server) renderMFA(w http.ResponseWriter, r *http.Request, status int, p mfaPage) {
	a, _ := s.actor(r)
	st, err := s.deps.Accounts.MFA(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Status, p.Must = st, a.MustEnrolTOTP
	if p.Fields == nil {
		p.Fields = map[string]string{}
	}
	if !st.Enabled {
		e, err := s.deps.Accounts.StartEnrolment(r.Context(), a)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		p.Secret, p.QRCode = groupBy4(e.Secret), captchaURL(e.QRCode)
	}
	s.render(w, r, status, "account_mfa", Page{Title: "两步验证", Nav: "security", Data: p})
}

// handleMFAConfirm enables the second factor with a first code and shows the recovery codes once.
func (s *Server) handleMFAConfirm(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	codes, err := s.deps.Accounts.ConfirmEnrolment(r.Context(), a, r.PostFormValue("otp"))
	if err != nil {
		e := apperr.As(err)
		if e.Code != apperr.Invalid {
			s.renderError(w, r, err)
			return
		}
		s.renderMFA(w, r, httpx.Status(e.Code), mfaPage{Error: e.Message, Fields: e.Fields})
		return
	}
	// Rendered, not redirected: the codes exist only in this answer (no-store), never again.
	s.render(w, r, http.StatusOK, "account_mfa", Page{Title: "两步验证", Nav: "security", Flash: "两步验证已启用。",
		Data: mfaPage{Status: account.MFAStatus{Enabled: true}, RecoveryCodes: codes, Fields: map[string]string{}}})
}

// handleMFADisable switches an employer's optional second factor off with a current code.
func (s *Server) handleMFADisable(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	if err := s.deps.Accounts.DisableMFA(r.Context(), a, r.PostFormValue("otp")); err != nil {
		e := apperr.As(err)
		if e.Code != apperr.Invalid {
			s.renderError(w, r, err)
			return
		}
		s.renderMFA(w, r, httpx.Status(e.Code), mfaPage{Error: e.Message, Fields: e.Fields})
		return
	}
	http.Redirect(w, r, "/account/security?done=mfa-disabled", http.StatusSeeOther)
}

// groupBy4 writes a base32 secret in groups of four for manual entry.
func groupBy4(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}
