package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/employer"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// checkNames are the grid's rows in the seed's order (第四步), with the JSON key of each check.
var checkNames = [6]struct{ Key, Label, Evidence string }{
	{"wage", "工资信息", "工资发放记录（工资条或银行流水）"},
	{"socialInsurance", "社保参保状态", "养老保险缴费记录"},
	{"medicalInsurance", "医保参保状态", "医疗保险缴费记录"},
	{"certificate", "残疾证状态", "残疾证影像资料"},
	{"workingAge", "是否就业年龄段", "年龄证明材料"},
	{"contract", "合同状态", "劳动合同"},
}

// gridPage is the verification page (人员信息校验): the 6×12 grid, the month checkboxes and, for
// each failed month, the evidence to upload.
type gridPage struct {
	V        placement.View
	Rows     [6]gridRow
	Months   [12]monthCol
	CanEdit  bool
	Readonly bool // staff, or a submitted year
	Error    string
	Fields   map[string]string
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
	Failed         []failedCheck
	Claim          *placement.Claim
	ClaimLabel     string
	Files          []employer.FileRef // evidence attached (saved or uploaded on a refused save)
	Note           string
	Error          string
}

type failedCheck struct {
	Key, Label, Evidence, Reason string
}

// Selectable reports whether the employer may change the month's checkbox.
func (m monthCol) Selectable() bool { return !m.Locked && !m.TakenElsewhere }

func claimLabel(st string) string {
	switch st {
	case placement.ReviewPending:
		return "待审核"
	case placement.ReviewApproved:
		return "审核通过"
	case placement.ReviewRejected:
		return "审核不通过"
	}
	return st
}

func (s *Server) buildGrid(r *http.Request, a actor.Actor, v placement.View) gridPage {
	g := gridPage{V: v, Fields: map[string]string{}}
	g.Readonly = a.Role != actor.Employer || v.YearLocked || v.Status == placement.Rejected
	g.CanEdit = a.Role == actor.Employer && !v.YearLocked
	for i, c := range checkNames {
		g.Rows[i] = gridRow{Key: c.Key, Label: c.Label}
	}
	for mi, m := range v.Months {
		checks := [6]bool{m.Wage, m.SocialInsurance, m.MedicalInsurance, m.Certificate, m.WorkingAge, m.Contract}
		reasons := m.Reasons
		col := monthCol{Key: m.Month.String(), Label: fmt.Sprintf("%d月", m.Month.Number()), Passed: m.Passed,
			PendingCert: m.PendingCertificate, Selected: m.Selected, Locked: m.Locked, TakenElsewhere: m.TakenElsewhere,
			Claim: m.Claim}
		ri := 0
		for ci, ok := range checks {
			cell := gridCell{ID: fmt.Sprintf("c-%s-%s", checkNames[ci].Key, col.Key), OK: ok}
			if ok {
				cell.Reason = fmt.Sprintf("%s %s：通过", col.Key, checkNames[ci].Label)
			} else {
				if ri < len(reasons) {
					cell.Reason = reasons[ri]
					ri++
				}
				col.Failed = append(col.Failed, failedCheck{Key: checkNames[ci].Key, Label: checkNames[ci].Label,
					Evidence: checkNames[ci].Evidence, Reason: cell.Reason})
			}
			g.Rows[ci].Cells[mi] = cell
		}
		if m.Claim != nil {
			col.ClaimLabel = claimLabel(m.Claim.Status)
			col.Note = m.Claim.Note
			col.Files = s.namedFiles(r, m.Claim.FileIDs)
		}
		g.Months[mi] = col
	}
	return g
}

func (s *Server) handlePlacementGrid(w http.ResponseWriter, r *http.Request) {
	if !s.requireCompleteProfile(w, r) {
		return
	}
	v, ok := s.placementView(w, r)
	if !ok {
		return
	}
	a, _ := s.actor(r)
	s.renderGrid(w, r, http.StatusOK, s.buildGrid(r, a, v))
}

func (s *Server) renderGrid(w http.ResponseWriter, r *http.Request, status int, g gridPage) {
	s.render(w, r, status, "placement_grid", Page{Title: "人员信息校验", Nav: "placements", Data: g})
}

// handlePlacementMonths saves the month selection (保存，下一步). Locked months come as hidden inputs,
// so the page works without script; the evidence of each claimed month comes as files named
// "claims.YYYY-MM.file" (one input per failed check) plus the ids of files kept from a refused save.
func (s *Server) handlePlacementMonths(w http.ResponseWriter, r *http.Request) {
	if !s.requireCompleteProfile(w, r) {
		return
	}
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
	v, err := s.deps.Placements.Get(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	in := monthsFromValues(v, values)
	var saveErr error
	if len(uploadErrs) == 0 {
		if _, saveErr = s.deps.Placements.SaveMonths(r.Context(), a, id, in); saveErr == nil {
			http.Redirect(w, r, fmt.Sprintf("/placements/%d?done=months-saved", id), http.StatusSeeOther)
			return
		}
		if c := apperr.CodeOf(saveErr); c != apperr.Invalid && !(c == apperr.Conflict && len(apperr.As(saveErr).Fields) > 0) {
			s.renderError(w, r, saveErr)
			return
		}
	}
	// Show the page again with the user's choices, files and notes, and each message beside its month.
	g := s.buildGrid(r, a, v)
	want := map[string]bool{}
	for _, m := range values["months"] {
		want[m] = true
	}
	for i := range g.Months {
		m := &g.Months[i]
		m.Selected = m.Locked || (want[m.Key] && !m.TakenElsewhere)
		if !m.Passed {
			m.Files = s.namedFiles(r, values["claims."+m.Key+".fileIds"])
			m.Note = values.Get("claims." + m.Key + ".note")
		}
		m.Error = firstNonEmpty(uploadErrs["claims."+m.Key+".fileIds"], "")
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

// monthsFromValues reads the ticked months: a passed month is a selection; a ticked failed month is a
// claim with its files and note (the service refuses it without enough evidence).
func monthsFromValues(v placement.View, values url.Values) placement.SaveInput {
	var in placement.SaveInput
	ticked := map[string]bool{}
	for _, m := range values["months"] {
		ticked[strings.TrimSpace(m)] = true
	}
	for _, m := range v.Months {
		key := m.Month.String()
		if !ticked[key] {
			continue
		}
		files := values["claims."+key+".fileIds"]
		if m.Passed || (m.PendingCertificate && len(files) == 0) {
			in.Selected = append(in.Selected, key)
			continue
		}
		in.Claims = append(in.Claims, placement.ClaimInput{Month: key, FileIDs: files, Note: values.Get("claims." + key + ".note")})
	}
	// A ticked value that is not a month of the year goes to the service, which names it.
	for m := range ticked {
		if _, err := rules.ParseMonth(m); err != nil || !strings.HasPrefix(m, fmt.Sprint(v.Year)) {
			in.Selected = append(in.Selected, m)
		}
	}
	return in
}
