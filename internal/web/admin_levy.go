package web

import (
	"net/http"
	"strconv"
	"strings"

	"quotacert/internal/admin"
)

// The administrator's levy parameters page (admin_dict.html).

func levyForm(l admin.Levy) dictForm {
	f := dictForm{ID: "levy-form", Legend: "设置某年度残保金参数", Action: "/admin/levy", Submit: "保存",
		Fields: []dictField{
			{ID: "year", Label: "年度", Required: true},
			{ID: "quotaPercent", Label: "安置比例（%）", Required: true, Hint: "如 1.6"},
			{ID: "socialAvgWage", Label: "社会平均工资（元/年）", Required: true, Hint: "用人单位年平均工资高于其 2 倍时按 2 倍计算"},
		}}
	if l.Year != 0 {
		f.Fields[0].Value, f.Fields[1].Value, f.Fields[2].Value = strconv.Itoa(l.Year), admin.FormatPercent(l.QuotaBasisPoints), admin.FormatYuan(l.SocialAvgWageFen)
	}
	return f
}

func (s *Server) handleAdminLevies(w http.ResponseWriter, r *http.Request) {
	s.leviesPage(w, r, http.StatusOK, nil, "")
}

func (s *Server) leviesPage(w http.ResponseWriter, r *http.Request, status int, form *dictForm, msg string) {
	sc, err := s.adminScope(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	list, err := s.deps.Admin.Levies(r.Context(), adminActor(s, r))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := dictPageData{Error: msg, Columns: []string{"年度", "安置比例", "社会平均工资（元/年）", "操作"},
		Intro: "参数仅用于残保金测算，实际金额以税务部门核定为准。"}
	if !sc.Province() {
		d.Note, d.Columns = provinceNote(sc, "残保金参数"), d.Columns[:3]
	}
	f := levyForm(admin.Levy{})
	if form != nil {
		f = *form
	}
	edit := r.URL.Query().Get("edit")
	for _, l := range list {
		if form == nil && strconv.Itoa(l.Year) == edit {
			f = levyForm(l)
		}
		row := []dictCell{{Text: strconv.Itoa(l.Year)}, {Text: admin.FormatPercent(l.QuotaBasisPoints) + "%"}, {Text: admin.FormatYuan(l.SocialAvgWageFen)}}
		if sc.Province() {
			row = append(row, dictCell{Text: "修改", Link: "/admin/levy?edit=" + strconv.Itoa(l.Year) + "#levy-form", LinkLabel: "修改 " + strconv.Itoa(l.Year)})
		}
		d.Rows = append(d.Rows, row)
	}
	if sc.Province() {
		d.Forms = []dictForm{f}
	}
	s.dictPage(w, r, status, "残保金参数", d)
}

func (s *Server) handleAdminLevySave(w http.ResponseWriter, r *http.Request) {
	f := levyForm(admin.Levy{})
	formValues(r, &f)
	err := s.deps.Admin.SaveLevy(r.Context(), adminActor(s, r), admin.LevyInput{Year: strings.TrimSpace(f.Fields[0].Value),
		QuotaPercent: f.Fields[1].Value, SocialAvgWage: f.Fields[2].Value})
	if err != nil {
		if !onForm(err) {
			s.renderError(w, r, err)
			return
		}
		status, msg := withErrors(w, &f, err)
		s.leviesPage(w, r, status, &f, msg)
		return
	}
	http.Redirect(w, r, "/admin/levy?done=dict-saved", http.StatusSeeOther)
}
