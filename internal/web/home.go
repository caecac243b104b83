package web

import (
	"net/http"

	"quotacert/internal/actor"
	"quotacert/internal/employer"
	"quotacert/internal/notice"
	"quotacert/internal/overview"
	"quotacert/internal/placement"
	"quotacert/internal/review"
	"quotacert/internal/rules"
)

// homeData is the signed-in employer's overview; nil for everyone else (they see the public intro).
type homeData struct {
	Missing   []string // required profile fields still empty (employer.Complete)
	Status    overview.Status
	Notices   []notice.Notice
	Confirmed int
	Pending   int
	Draft     int
	Rejected  int
	// Requests are other employers' requests to count this one as their affiliate (it may object).
	Requests []review.Item
	// Unreviewed are the employer's own affiliates whose records do not count yet.
	Unreviewed []employer.Affiliate
}

// handleHome shows the public introduction, or for a signed-in employer the current year at a
// glance: is the profile complete, persons by status, the window's closing date, newest notices.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	a, ok := s.actor(r)
	if ok && a.IsStaff() {
		// Staff have nothing to declare: they land on their work (after sign-in, too, which goes to /).
		http.Redirect(w, r, staffLanding(a), http.StatusSeeOther)
		return
	}
	if !ok || a.Role != actor.Employer || s.deps.Overview == nil {
		s.render(w, r, http.StatusOK, "home", Page{Title: "首页", Nav: "home"})
		return
	}
	d := &homeData{}
	if s.deps.Employers != nil {
		p, err := s.deps.Employers.Profile(r.Context(), a)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d.Missing = employer.Complete(p)
		list, err := s.deps.Employers.Affiliates(r.Context(), a)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, af := range list {
			if af.Review != rules.ReviewApproved {
				d.Unreviewed = append(d.Unreviewed, af)
			}
		}
	}
	st, err := s.deps.Overview.Employer(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Status = st
	d.Draft, d.Pending, d.Confirmed, d.Rejected = st.ByStatus[placement.Draft], st.ByStatus[placement.Pending],
		st.ByStatus[placement.Confirmed], st.ByStatus[placement.Rejected]
	if s.deps.Reviews != nil {
		if d.Requests, err = s.deps.Reviews.AffiliateRequests(r.Context(), a); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if s.deps.Notices != nil {
		if d.Notices, err = s.deps.Notices.Latest(r.Context(), a, 5); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "home", Page{Title: "首页", Nav: "home", Data: d})
}

// landing is the first page after sign-in (without a next): staff start on their work, an employer
// whose profile still misses required fields on the profile form (the seed's first step after
// 注册登录), every other employer on the overview.
func (s *Server) landing(r *http.Request, a actor.Actor) string {
	if a.IsStaff() {
		return staffLanding(a)
	}
	if a.Role == actor.Employer && s.deps.Employers != nil {
		if p, err := s.deps.Employers.Profile(r.Context(), a); err == nil && len(employer.Complete(p)) > 0 {
			return "/employer?done=profile-incomplete"
		}
	}
	return "/"
}

// staffLanding is where a reviewer or an administrator starts: the review queue, or the console.
func staffLanding(a actor.Actor) string {
	if a.Role == actor.Admin {
		return "/admin/"
	}
	return "/review"
}
