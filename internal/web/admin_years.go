package web

import (
	"net/http"
	"strconv"

	"quotacert/internal/admin"
	"quotacert/internal/rules"
)

// The administrator's business years page (admin_dict.html).

func yearForm(y admin.YearView) dictForm {
	return dictForm{ID: "year-" + strconv.Itoa(y.Year), Legend: strconv.Itoa(y.Year) + " 业务年度",
		Action: "/admin/years", Submit: "保存 " + strconv.Itoa(y.Year) + " 年度设置",
		Hidden: map[string]string{"year": strconv.Itoa(y.Year)},
		Fields: []dictField{
			{ID: "windowOpen", Label: "申报开始日期", Value: y.WindowOpen.String(), Type: "date", Required: true, Hint: "YYYY-MM-DD"},
			{ID: "windowClose", Label: "申报截止日期", Value: y.WindowClose.String(), Type: "date", Required: true, Hint: "YYYY-MM-DD，不能早于开始日期"},
			{ID: "certValidAtSubmission", Label: "残疾证须在完成申报当日仍有效", Type: "checkbox", Checked: y.CertValidAtSubmission},
			{ID: "pledge", Label: "承诺书（当前版本 " + y.PledgeVersion + "）", Value: y.Pledge, Type: "textarea", Required: true,
				Hint: "修改文字将生成新版本；旧版本保留，已完成申报的单位仍对应其确认时的版本"},
		}}
}

func (s *Server) handleAdminYears(w http.ResponseWriter, r *http.Request) {
	s.yearsPage(w, r, http.StatusOK, nil, "")
}

func (s *Server) yearsPage(w http.ResponseWriter, r *http.Request, status int, form *dictForm, msg string) {
	a := adminActor(s, r)
	sc, err := s.adminScope(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	years, err := s.deps.Admin.Years(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := dictPageData{Error: msg, Columns: []string{"年度", "申报期", "承诺书版本", "申报时须残疾证有效"},
		Intro: "业务年度 Y 的申报期默认为 Y+1 年 3 月 1 日至 10 月 31 日。"}
	if !sc.Province() {
		d.Note = provinceNote(sc, "业务年度、申报期和承诺书")
	}
	add := dictForm{ID: "year-new", Legend: "新增业务年度", Action: "/admin/years", Submit: "新增年度",
		Hidden: map[string]string{"add": "1"}, Fields: []dictField{{ID: "year", Label: "年度", Required: true, Hint: "如 2027"}}}
	if form != nil && form.ID == add.ID {
		add = *form
	}
	for _, y := range years {
		sw := "否"
		if y.CertValidAtSubmission {
			sw = "是"
		}
		d.Rows = append(d.Rows, []dictCell{{Text: strconv.Itoa(y.Year)}, {Text: y.WindowOpen.String() + " 至 " + y.WindowClose.String()},
			{Text: y.PledgeVersion}, {Text: sw}})
		f := yearForm(y)
		if form != nil && form.ID == f.ID {
			f = *form
		}
		d.Forms = append(d.Forms, f)
	}
	d.Forms = append(d.Forms, add)
	if !sc.Province() {
		d.Forms = nil
	}
	s.dictPage(w, r, status, "业务年度", d)
}

func (s *Server) handleAdminYearSave(w http.ResponseWriter, r *http.Request) {
	a := adminActor(s, r)
	if r.PostFormValue("add") != "" {
		if _, err := s.deps.Admin.AddYear(r.Context(), a, r.PostFormValue("year")); err != nil {
			if !onForm(err) {
				s.renderError(w, r, err)
				return
			}
			f := dictForm{ID: "year-new", Legend: "新增业务年度", Action: "/admin/years", Submit: "新增年度",
				Hidden: map[string]string{"add": "1"}, Fields: []dictField{{ID: "year", Label: "年度", Required: true, Value: r.PostFormValue("year")}}}
			status, msg := withErrors(w, &f, err)
			s.yearsPage(w, r, status, &f, msg)
			return
		}
		http.Redirect(w, r, "/admin/years?done=dict-saved", http.StatusSeeOther)
		return
	}
	year, err := parseYear(r.PostFormValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	f := yearForm(admin.YearView{BusinessYear: rules.BusinessYear{Year: year}})
	formValues(r, &f)
	open, close, pledge := f.Fields[0].Value, f.Fields[1].Value, f.Fields[3].Value
	cert := f.Fields[2].Checked
	f.Fields[3].Label = "承诺书"
	_, err = s.deps.Admin.UpdateYear(r.Context(), a, year, admin.YearInput{WindowOpen: &open, WindowClose: &close,
		CertValidAtSubmission: &cert, Pledge: &pledge})
	if err != nil {
		if !onForm(err) {
			s.renderError(w, r, err)
			return
		}
		status, msg := withErrors(w, &f, err)
		s.yearsPage(w, r, status, &f, msg)
		return
	}
	http.Redirect(w, r, "/admin/years?done=dict-saved", http.StatusSeeOther)
}
