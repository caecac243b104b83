package web

import (
	"net/http"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
	"quotacert/internal/scope"
)

// The dictionary pages share one template (admin_dict.html): a table of rows, each with an edit
// link, and one or more forms. A failed save shows the same page with the typed values and each
// field's message beside it.

type dictField struct {
	ID, Label, Value, Hint, Err string
	Type                        string // text | textarea | checkbox | date
	Required, ReadOnly          bool
	Checked                     bool
}

type dictForm struct {
	ID, Legend, Action, Submit string
	Hidden                     map[string]string
	Fields                     []dictField
}

type dictCell struct{ Text, Link, LinkLabel string }

type dictPageData struct {
	Intro   string
	Note    string // what this admin manages (scopeNote, provinceNote)
	Error   string
	Forms   []dictForm
	Columns []string
	Rows    [][]dictCell
}

func (s *Server) dictPage(w http.ResponseWriter, r *http.Request, status int, title string, d dictPageData) {
	s.render(w, r, status, "admin_dict", Page{Title: title, Nav: "admin", Data: d})
}

// onForm reports whether err belongs beside a form's fields (invalid input, or a refusal that
// names the field it concerns, such as a parent office outside the admin's scope) rather than on
// the error page.
func onForm(err error) bool {
	e := apperr.As(err)
	return e.Code == apperr.Invalid || (e.Code != apperr.Internal && len(e.Fields) > 0)
}

// scopeNote is the sentence a page below the root shows about what its admin manages; root admins
// need none.
func scopeNote(sc scope.Admin, what string) string {
	if sc.Province() {
		return ""
	}
	return "您是" + sc.Office.Name + "的系统管理员：本页只列出本级及下级辖区的" + what + "；标为“由上级维护”的由上级残联的系统管理员维护。"
}

// provinceNote is the sentence a province-wide page shows to admins below the root, who may read
// it only.
func provinceNote(sc scope.Admin, what string) string {
	return what + "是全省统一设置，由" + sc.RootName + "的系统管理员维护；此处仅供查看。"
}

// withErrors fills each field's message from err and returns the status and page error.
func withErrors(w http.ResponseWriter, f *dictForm, err error) (int, string) {
	refusalRecorded(w, err)
	e := apperr.As(err)
	for i := range f.Fields {
		f.Fields[i].Err = e.Fields[f.Fields[i].ID]
	}
	return httpx.Status(e.Code), e.Message
}

func formValues(r *http.Request, f *dictForm) {
	for i := range f.Fields {
		if f.Fields[i].Type == "checkbox" {
			f.Fields[i].Checked = r.PostFormValue(f.Fields[i].ID) != ""
		} else {
			f.Fields[i].Value = r.PostFormValue(f.Fields[i].ID)
		}
	}
}

// upstream is the cell of a row the admin may read but not change.
var upstream = dictCell{Text: "由上级维护"}

// adminScope is the signed-in admin's jurisdiction, for pages that show only what it manages.
func (s *Server) adminScope(r *http.Request) (scope.Admin, error) {
	return s.deps.Admin.Scope(r.Context(), adminActor(s, r))
}

func adminActor(s *Server, r *http.Request) actor.Actor {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	return a
}
