package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/employer"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// gridPage is the verification page (人员信息校验): the 6×12 grid, the month checkboxes and, for
// each failed month, the evidence to upload.
type gridPage struct {
	V placement.View
	// Certificate describes the certificate the person is registered with.
	Certificate string
	Rows        [6]gridRow
	Months      [12]monthCol
	CanEdit     bool
	Readonly    bool // staff, or a submitted year
	// Holds are the distinct reasons why affiliates' records do not count yet (DOMAIN.md §6).
	Holds  []string
	Error  string
	Fields map[string]string
}

type gridRow struct {
	Key, Label string
	Cells      [12]gridCell
}

// gridCell is one ✓/Ⅹ; Reason is readable on hover (title), on focus and by screen readers.
type gridCell struct {
	ID     string
	OK     bool
	Reason string
}

// monthCol is one month's checkbox and, when it failed, its evidence fields.
type monthCol struct {
	Key, Label     string
	Passed         bool
	PendingCert    bool
	Selected       bool
	Locked         bool
	TakenElsewhere bool
	// Held is the short reason an affiliate holds the month ("关联单位待审核"), "" when none.
	Held       string
	Failed     []failedCheck
	Claim      *placement.Claim
	ClaimLabel string
	Files      []employer.FileRef // evidence attached (saved or uploaded on a refused save)
	Note       string
	Error      string
}

type failedCheck struct {
	Key, Label, Evidence, Reason string
}

func (s *Server) buildGrid(r *http.Request, a actor.Actor, v placement.View) gridPage {
	g := gridPage{V: v, Fields: map[string]string{},
		Certificate: certificateLabel(v.CertificateKind, v.Category, v.Level, v.Grade)}
	g.Readonly = a.Role != actor.Employer || v.YearLocked || v.Status == placement.Rejected
	g.CanEdit = a.Role == actor.Employer && !v.YearLocked
	checks := rules.Checks()
	for i, c := range checks {
		g.Rows[i] = gridRow{Key: c.Key, Label: c.Label}
	}
	for mi, m := range v.Months {
		col := monthCol{Key: m.Month.String(), Label: fmt.Sprintf("%d月", m.Month.Number()), Passed: m.Passed,
			PendingCert: m.PendingCertificate, Selected: m.Selected, Locked: m.Locked, TakenElsewhere: m.TakenElsewhere,
			Claim: m.Claim}
		for ci, c := range checks {
			cell := gridCell{ID: fmt.Sprintf("c-%s-%s", c.Key, col.Key), OK: c.Passed(m.MonthResult)}
			if cell.OK {
				cell.Reason = fmt.Sprintf("%s %s：通过", col.Key, c.Label)
			} else {
				cell.Reason = c.Reason(m.MonthResult)
				col.Failed = append(col.Failed, failedCheck{Key: c.Key, Label: c.Label, Evidence: c.Evidence, Reason: cell.Reason})
			}
			g.Rows[ci].Cells[mi] = cell
		}
		if m.Hold != "" {
			// "2025-03 关联单位待审核：某公司（…）": the page says it once above the grid, the month
			// shows the state.
			text := strings.TrimPrefix(m.Hold, col.Key+" ")
			col.Held, _, _ = strings.Cut(text, "：")
			if !slices.Contains(g.Holds, text) {
				g.Holds = append(g.Holds, text)
			}
		}
		if m.Claim != nil {
			col.ClaimLabel = m.Claim.Status.Label()
			col.Note = m.Claim.Note
			col.Files = s.namedFiles(r, m.Claim.FileIDs)
		}
		g.Months[mi] = col
	}
	return g
}

func (s *Server) handlePlacementGrid(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := placementID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// Peek checks what Get checks (the employer's own placement, the disclosure budget) before
	// anything kept is shown.
	st, keep, err := s.deps.Placements.Peek(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	key := gridKey(id)
	if body, ok := s.keptBody(key, st); ok && keep {
		// A grid is kept only after the profile was found complete, and the profile is part of
		// the stamp: it still is.
		s.render(w, r, http.StatusOK, "placement_grid", gridLayout(body))
		return
	}
	if !s.requireCompleteProfile(w, r) {
		return
	}
	v, ok := s.placementView(w, r)
	if !ok {
		return
	}
	body, err := s.renderContent("placement_grid", s.buildGrid(r, a, v))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if keep {
		// At the stamp Peek read before the profile and the placement: they are at least as new.
		s.keep(key, st, body)
	}
	s.render(w, r, http.StatusOK, "placement_grid", gridLayout(body))
}

// gridKey names a placement's grid among the kept pages.
func gridKey(id int64) string { return fmt.Sprintf("grid:%d", id) }

func gridLayout(body template.HTML) Page {
	return Page{Title: "人员信息校验", Nav: "placements", Body: body}
}

func (s *Server) renderGrid(w http.ResponseWriter, r *http.Request, status int, g gridPage) {
	s.render(w, r, status, "placement_grid", Page{Title: "人员信息校验", Nav: "placements", Data: g})
}

// handlePlacementMonths saves the month selection (保存，下一步). Locked months come as hidden inputs,
// so the page works without script; the evidence of each claimed month comes as files named
// "claims.YYYY-MM.file" (one input per failed check) plus the ids of files kept from a refused save.
//
// The handler only translates: the placement service decides which ticked months are selections
// and which are claims, checks the profile and the year, and verifies once.
func (s *Server) handlePlacementMonths(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := placementID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	values, uploadErrs, err := s.readUploadForm(w, r, maxPlacementForm)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var saveErr error
	if len(uploadErrs) == 0 {
		var sv placement.Saved
		if sv, saveErr = s.deps.Placements.SaveMonthsShown(r.Context(), a, id, monthsFromValues(values)); saveErr == nil {
			if sv.Shown {
				// The grid the redirect shows, from the save's own verification (should it fail to
				// render, the redirect reads and renders the grid itself).
				if body, err := s.renderContent("placement_grid", s.buildGrid(r, a, sv.View)); err == nil {
					s.keep(gridKey(id), sv.Stamp, body)
				}
			}
			http.Redirect(w, r, fmt.Sprintf("/placements/%d?done=months-saved", id), http.StatusSeeOther)
			return
		}
		if c := apperr.CodeOf(saveErr); c != apperr.Invalid && !(c == apperr.Conflict && len(apperr.As(saveErr).Fields) > 0) {
			s.renderError(w, r, saveErr)
			return
		}
	}
	// Show the page again with the user's choices, files and notes, and each message beside its month.
	v, err := s.deps.Placements.Get(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	g := s.buildGrid(r, a, v)
	want := map[string]bool{}
	for _, m := range values["months"] {
		want[m] = true
	}
	for i := range g.Months {
		m := &g.Months[i]
		m.Selected = m.Locked || (want[m.Key] && !m.TakenElsewhere)
		if !m.Passed {
			// Kept from the refused save: the files kept before and those just uploaded per check.
			m.Files = s.namedFiles(r, monthFileIDs(values, m.Key))
			m.Note = values.Get("claims." + m.Key + ".note")
		}
		m.Error = firstNonEmpty(uploadErrs["claims."+m.Key+".fileIds"], monthUploadError(uploadErrs, m.Key))
	}
	fields := map[string]string{}
	for k, msg := range uploadErrs {
		fields[k] = msg
	}
	if saveErr != nil {
		for k, msg := range apperr.As(saveErr).Fields {
			fields[k] = msg
			if key, ok := strings.CutPrefix(k, "months."); ok {
				for i := range g.Months {
					if g.Months[i].Key == key {
						g.Months[i].Error = msg
					}
				}
			}
		}
		if len(fields) == 0 {
			fields["months"] = apperr.As(saveErr).Message
		}
	}
	g.Fields = fields
	g.Error = errorSummary(fields)
	if saveErr != nil && apperr.CodeOf(saveErr) == apperr.Conflict {
		g.Error = apperr.As(saveErr).Message
	}
	s.renderGrid(w, r, http.StatusUnprocessableEntity, g)
}

// monthsFromValues reads the form as the service takes it: each ticked month with the evidence
// files and note given for it. Which months are selections and which are claims is the service's
// decision.
func monthsFromValues(values url.Values) placement.SaveInput {
	var in placement.SaveInput
	for _, m := range values["months"] {
		m = strings.TrimSpace(m)
		mi := placement.MonthInput{Month: m, FileIDs: values["claims."+m+".fileIds"], Note: values.Get("claims." + m + ".note")}
		// The grid has one file input per failed check ("claims.2025-02.wage.file"): each file is
		// labelled with the check it proves, for the reviewer.
		for _, c := range rules.Checks() {
			for _, id := range values["claims."+m+"."+c.Key+".fileIds"] {
				if mi.Checks == nil {
					mi.Checks = map[string]string{}
				}
				mi.FileIDs, mi.Checks[id] = append(mi.FileIDs, id), c.Key
			}
		}
		in.Months = append(in.Months, mi)
	}
	return in
}

// monthFileIDs are the files of a month's claim in the posted form: kept ones and new ones per check.
func monthFileIDs(values url.Values, month string) []string {
	ids := append([]string(nil), values["claims."+month+".fileIds"]...)
	for _, c := range rules.Checks() {
		ids = append(ids, values["claims."+month+"."+c.Key+".fileIds"]...)
	}
	return ids
}

// monthUploadError is the first refused upload among a month's per-check inputs.
func monthUploadError(errs map[string]string, month string) string {
	for _, c := range rules.Checks() {
		if m := errs["claims."+month+"."+c.Key+".fileIds"]; m != "" {
			return m
		}
	}
	return ""
}
