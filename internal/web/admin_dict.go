package web

import (
	"net/http"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
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
	Error   string
	Forms   []dictForm
	Columns []string
	Rows    [][]dictCell
}

func (s *Server) dictPage(w http.ResponseWriter, r *http.Request, status int, title string, d dictPageData) {
	s.render(w, r, status, "admin_dict", Page{Title: title, Nav: "admin", Data: d})
}

// withErrors fills each field's message from err and returns the status and page error.
func withErrors(f *dictForm, err error) (int, string) {
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

func adminActor(s *Server, r *http.Request) actor.Actor {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	return a
}
