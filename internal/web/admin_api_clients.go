package web

import (
	"net/http"

	"quotacert/internal/admin"
	"quotacert/internal/apiclient"
	"quotacert/internal/apperr"
)

// The administrator's page of the tax bureau's API clients (admin_api_clients.html): the list, the
// registration form, the token shown once, and the confirmation of a rotation or revocation.

// apiClientOption is a choice of the registration form's scope.
type apiClientOption struct {
	Code, Label string
	Selected    bool
}

type apiClientsView struct {
	Clients []apiclient.Client
	Options []apiClientOption
	Name    string
	Errors  map[string]string
	Error   string
	// Token is the token just drawn, shown this once, for Issued.
	Token  string
	Issued apiclient.Client
	// Confirm is the client of a confirmation page with its action (rotate, revoke).
	Confirm *apiclient.Client
	Action  string
}

// apiClientActions are the actions of the confirmation pages, with their Chinese names.
var apiClientActions = map[string]string{"rotate": "更换令牌", "revoke": "吊销"}

// apiClientsOff answers the pages when the server runs without the tax interface.
func (s *Server) apiClientsOff(w http.ResponseWriter, r *http.Request) bool {
	if s.deps.APIClients == nil {
		s.renderError(w, r, apperr.NotFoundf("税务接口"))
		return true
	}
	return false
}

func (s *Server) handleAdminAPIClients(w http.ResponseWriter, r *http.Request) {
	if s.apiClientsOff(w, r) {
		return
	}
	s.apiClientsPage(w, r, http.StatusOK, apiClientsView{})
}

// apiClientsPage renders the list with the form; v carries what the request adds (errors, a token).
func (s *Server) apiClientsPage(w http.ResponseWriter, r *http.Request, status int, v apiClientsView) {
	a := adminActor(s, r)
	clients, err := s.deps.APIClients.List(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sc, err := s.adminScope(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	offices, err := s.deps.Admin.Offices(r.Context(), a, admin.Tax)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	chosen := r.PostFormValue("taxOffice")
	if sc.Province() {
		v.Options = append(v.Options, apiClientOption{Code: "", Label: "全省（所有税务机关）", Selected: chosen == ""})
	}
	for _, o := range offices {
		v.Options = append(v.Options, apiClientOption{Code: o.Code, Label: o.Name + "及其下级辖区", Selected: chosen == o.Code})
	}
	v.Clients = clients
	if v.Token != "" {
		// The token is in this page only: it must not stay in a cache or the browser's history.
		w.Header().Set("Cache-Control", "no-store")
	}
	s.render(w, r, status, "admin_api_clients", Page{Title: "税务接口客户端", Nav: "admin", Data: v})
}

func (s *Server) handleAdminAPIClientCreate(w http.ResponseWriter, r *http.Request) {
	if s.apiClientsOff(w, r) {
		return
	}
	in := apiclient.Input{Name: r.PostFormValue("name"), TaxOffice: r.PostFormValue("taxOffice")}
	c, token, err := s.deps.APIClients.Register(r.Context(), adminActor(s, r), in)
	if err != nil {
		if !onForm(err) {
			s.renderError(w, r, err)
			return
		}
		refusalRecorded(w, err)
		e := apperr.As(err)
		s.apiClientsPage(w, r, http.StatusUnprocessableEntity, apiClientsView{Name: in.Name, Errors: e.Fields, Error: e.Message})
		return
	}
	s.apiClientsPage(w, r, http.StatusOK, apiClientsView{Token: token, Issued: c})
}

// apiClientTarget reads the id and action of /admin/api-clients/{id}/{action}.
func apiClientTarget(r *http.Request) (int64, string, error) {
	id, err := pathID(r, "接口客户端")
	if err != nil {
		return 0, "", err
	}
	action := r.PathValue("action")
	if _, ok := apiClientActions[action]; !ok {
		return 0, "", apperr.NotFoundf("您访问的页面")
	}
	return id, action, nil
}

func (s *Server) handleAdminAPIClientConfirm(w http.ResponseWriter, r *http.Request) {
	if s.apiClientsOff(w, r) {
		return
	}
	id, action, err := apiClientTarget(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	c, err := s.deps.APIClients.Get(r.Context(), adminActor(s, r), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_api_clients", Page{Title: apiClientActions[action] + "：" + c.Name, Nav: "admin",
		Data: apiClientsView{Confirm: &c, Action: action}})
}

func (s *Server) handleAdminAPIClientAction(w http.ResponseWriter, r *http.Request) {
	if s.apiClientsOff(w, r) {
		return
	}
	id, action, err := apiClientTarget(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	a := adminActor(s, r)
	if action == "revoke" {
		if err := s.deps.APIClients.Revoke(r.Context(), a, id); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/admin/api-clients?done=apiclient-revoked", http.StatusSeeOther)
		return
	}
	c, token, err := s.deps.APIClients.Rotate(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.apiClientsPage(w, r, http.StatusOK, apiClientsView{Token: token, Issued: c})
}
