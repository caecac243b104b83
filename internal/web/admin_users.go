package web

import (
	"net/http"
	"net/url"
	"strings"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
)

// adminUsersData is the account administration page: the list, the new-staff form and its errors.
type adminUsersData struct {
	Query  string
	Users  []account.User
	New    struct{ Username, Role, Office string }
	Error  string
	Fields map[string]string
	// ErrorFor is the user whose reset form failed, to show the error beside it.
	ErrorFor int64
}

func (s *Server) adminUsersPage(w http.ResponseWriter, r *http.Request, status int, d adminUsersData) {
	a, _ := s.actor(r)
	users, err := s.deps.Accounts.ListUsers(r.Context(), a, d.Query)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Users = users
	if d.Fields == nil {
		d.Fields = map[string]string{}
	}
	s.render(w, r, status, "admin_users", Page{Title: "账号管理", Nav: "admin", Data: d})
}

func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) {
	s.adminUsersPage(w, r, http.StatusOK, adminUsersData{Query: r.URL.Query().Get("q")})
}

// handleAdminStaffCreate creates a reviewer or admin account.
func (s *Server) handleAdminStaffCreate(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	in := account.StaffInput{Username: r.PostFormValue("username"), Password: r.PostFormValue("password"),
		Role: actor.Role(r.PostFormValue("role")), Office: r.PostFormValue("office")}
	if _, err := s.deps.Accounts.CreateStaff(r.Context(), a, in); err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Internal {
			s.renderError(w, r, err)
			return
		}
		refusalRecorded(w, err)
		d := adminUsersData{Error: e.Message, Fields: e.Fields}
		d.New.Username, d.New.Role, d.New.Office = strings.TrimSpace(in.Username), string(in.Role), strings.TrimSpace(in.Office)
		s.adminUsersPage(w, r, httpx.Status(e.Code), d)
		return
	}
	http.Redirect(w, r, "/admin/users?done=staff-created", http.StatusSeeOther)
}

// handleAdminUserReset sets a temporary password that must be changed at the next login.
func (s *Server) handleAdminUserReset(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	id, err := pathID(r, "账号")
	if err == nil {
		err = s.deps.Accounts.ResetPassword(r.Context(), a, id, r.PostFormValue("password"))
	}
	if err != nil {
		e := apperr.As(err)
		if e.Code != apperr.Invalid {
			s.renderError(w, r, err)
			return
		}
		s.adminUsersPage(w, r, httpx.Status(e.Code), adminUsersData{Error: e.Message, Fields: e.Fields, ErrorFor: id})
		return
	}
	http.Redirect(w, r, "/admin/users?done=password-reset", http.StatusSeeOther)
}

func (s *Server) handleAdminUserDisable(w http.ResponseWriter, r *http.Request) {
	s.setDisabled(w, r, true)
}
func (s *Server) handleAdminUserEnable(w http.ResponseWriter, r *http.Request) {
	s.setDisabled(w, r, false)
}

func (s *Server) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	id, err := pathID(r, "账号")
	if err == nil {
		err = s.deps.Accounts.SetDisabled(r.Context(), a, id, disabled)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	done := "user-enabled"
	if disabled {
		done = "user-disabled"
	}
	http.Redirect(w, r, "/admin/users?"+url.Values{"done": {done}}.Encode(), http.StatusSeeOther)
}
