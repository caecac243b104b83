package web

import (
	"net/http"

	"quotacert/internal/actor"
	"quotacert/internal/employer"
)

// helpPage is 使用帮助: the seed's steps in short, 忘记密码, and whom to ask. A signed-in employer sees
// its own federation office (残联主管部门) first; everyone sees the offices that have entered a
// telephone, so a clerk who cannot sign in still finds one.
type helpPage struct {
	// Own is the signed-in employer's federation office (nil for others, or before it is chosen).
	Own *employer.Office
	// Offices are the federation offices with a telephone or address entered, by code.
	Offices []employer.Office
}

// handleHelp: GET /help — public, linked from every page's header and footer.
func (s *Server) handleHelp(w http.ResponseWriter, r *http.Request) {
	var d helpPage
	if s.deps.Employers != nil {
		list, err := s.deps.Employers.Offices(r.Context(), employer.OfficeFederation, "")
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		own := ""
		if a, ok := s.actor(r); ok && a.Role == actor.Employer {
			p, err := s.deps.Employers.Profile(r.Context(), a)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			own = p.FederationOffice
		}
		for i, o := range list {
			if o.Code == own {
				d.Own = &list[i]
			}
			if o.Phone != "" || o.Address != "" {
				d.Offices = append(d.Offices, o)
			}
		}
	}
	s.render(w, r, http.StatusOK, "help", Page{Title: "使用帮助", Nav: "help", Data: d})
}
