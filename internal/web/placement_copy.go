package web

import (
	"fmt"
	"net/http"
	"strconv"

	"quotacert/internal/apperr"
	"quotacert/internal/placement"
)

// The 复制上年名单 page: a checklist of the persons of an earlier year (all copyable ones ticked),
// and its POST, which copies the ticked ones as drafts and returns to the list.

// copyPage is the checklist.
type copyPage struct {
	Year, FromYear int
	Candidates     []placement.CopyCandidate
	Copyable       int
	NoSourceYear   bool
	Error          string
}

// handlePlacementCopyPage: GET /placements/copy?year=Y[&from=X] (X defaults to Y−1).
func (s *Server) handlePlacementCopyPage(w http.ResponseWriter, r *http.Request) {
	if !s.requireCompleteProfile(w, r) {
		return
	}
	year, _, err := s.pageYear(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if s.yearLocked(w, r, year) {
		return
	}
	from := year - 1
	if raw := r.URL.Query().Get("from"); raw != "" {
		if from, err = parseYear(raw); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	s.renderCopyPage(w, r, http.StatusOK, year, from, "")
}

func (s *Server) renderCopyPage(w http.ResponseWriter, r *http.Request, status, year, from int, msg string) {
	a, _ := s.actor(r)
	p := copyPage{Year: year, FromYear: from, Error: msg}
	cands, err := s.deps.Placements.CopyCandidates(r.Context(), a, year, from)
	switch {
	case apperr.CodeOf(err) == apperr.NotFound:
		p.NoSourceYear = true
	case err != nil:
		s.renderError(w, r, err)
		return
	}
	p.Candidates = cands
	for _, c := range cands {
		if c.Skip == "" {
			p.Copyable++
		}
	}
	s.render(w, r, status, "placement_copy", Page{Title: "复制上年名单", Nav: "placements", Data: p})
}

// handlePlacementCopy: POST /placements/copy — copies the ticked persons. The page always sends
// its choice, so nothing ticked is a mistake to point out (the API's "all by default" is not
// meant here).
func (s *Server) handlePlacementCopy(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year, err := parseYear(r.PostFormValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	from, err := parseYear(r.PostFormValue("fromYear"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var ids []int64
	for _, v := range r.PostForm["placementIds"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		s.renderCopyPage(w, r, http.StatusUnprocessableEntity, year, from, "请至少勾选一名要复制的人员")
		return
	}
	res, err := s.deps.Placements.Copy(r.Context(), a, year, placement.CopyInput{FromYear: from, PlacementIDs: ids})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/placements?year=%d&done=placements-copied&created=%d&skipped=%d",
		year, len(res.Created), len(res.Skipped)), http.StatusSeeOther)
}
