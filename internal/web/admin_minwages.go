package web

import (
	"net/http"

	"quotacert/internal/admin"
	"quotacert/internal/apperr"
)

// The administrator's minimum wages page (admin_dict.html).

func wageForm(mode string, m admin.MinimumWage) dictForm {
	f := dictForm{ID: "wage-form", Legend: "新增最低工资标准版本", Action: "/admin/minwages", Submit: "保存",
		Hidden: map[string]string{"mode": mode},
		Fields: []dictField{
			{ID: "region", Label: "地区（行政区划代码前缀）", Value: m.Region, Required: true, ReadOnly: mode != "create",
				Hint: "2 位为全省，4 位为地级市，6 位为县区；核验时取最具体的一级"},
			{ID: "from", Label: "起始月份", Value: m.From, Required: true, ReadOnly: mode != "create", Hint: "YYYY-MM，如 2026-01"},
			{ID: "amount", Label: "月最低工资（元）", Value: "", Required: true, ReadOnly: mode == "delete"},
		}}
	if m.AmountFen > 0 {
		f.Fields[2].Value = admin.FormatYuan(m.AmountFen)
	}
	switch mode {
	case "update":
		f.Legend = "修改 " + m.Region + " 自 " + m.From + " 起的标准"
	case "delete":
		f.Legend, f.Submit = "确认删除 "+m.Region+" 自 "+m.From+" 起的标准（仅限录入错误）", "确认删除"
	}
	return f
}

func (s *Server) handleAdminWages(w http.ResponseWriter, r *http.Request) {
	s.wagesPage(w, r, http.StatusOK, nil, "")
}

func (s *Server) wagesPage(w http.ResponseWriter, r *http.Request, status int, form *dictForm, msg string) {
	sc, err := s.adminScope(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	list, err := s.deps.Admin.MinimumWages(r.Context(), adminActor(s, r))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := dictPageData{Error: msg, Note: scopeNote(sc, "最低工资标准（含适用于本辖区的全省、全市标准）"), Columns: []string{"地区", "起始月份", "月最低工资（元）", "状态", "修改", "删除"},
		Intro: "最低工资标准按“地区 + 起始月份”分版本保存。已有单位完成申报的年度所使用的版本已锁定，不能修改或删除；标准调整时请新增一个版本。"}
	q := r.URL.Query()
	f := wageForm("create", admin.MinimumWage{})
	if form != nil {
		f = *form
	}
	for _, m := range list {
		key := m.Region + "@" + m.From
		if form == nil && (q.Get("edit") == key || q.Get("delete") == key) && !m.Locked && m.Managed {
			mode := "update"
			if q.Get("delete") == key {
				mode = "delete"
			}
			f = wageForm(mode, m)
		}
		state, actions := "可修改", []dictCell{{Text: "修改", Link: "/admin/minwages?edit=" + key + "#wage-form", LinkLabel: "修改 " + key},
			{Text: "删除", Link: "/admin/minwages?delete=" + key + "#wage-form", LinkLabel: "删除 " + key}}
		switch {
		case !m.Managed:
			state, actions = upstream.Text, []dictCell{{Text: "—"}, {Text: "—"}}
		case m.Locked:
			state, actions = "已锁定", []dictCell{{Text: "—"}, {Text: "—"}}
		}
		row := []dictCell{{Text: m.Region}, {Text: m.From}, {Text: admin.FormatYuan(m.AmountFen)}, {Text: state}}
		d.Rows = append(d.Rows, append(row, actions...))
	}
	d.Forms = []dictForm{f}
	s.dictPage(w, r, status, "最低工资标准", d)
}

func (s *Server) handleAdminWageSave(w http.ResponseWriter, r *http.Request) {
	mode := r.PostFormValue("mode")
	if mode != "update" && mode != "delete" {
		mode = "create"
	}
	f := wageForm(mode, admin.MinimumWage{})
	formValues(r, &f)
	in := admin.WageInput{Region: f.Fields[0].Value, From: f.Fields[1].Value, Amount: f.Fields[2].Value}
	a := adminActor(s, r)
	var err error
	done := "dict-saved"
	switch mode {
	case "create":
		err = s.deps.Admin.AddMinimumWage(r.Context(), a, in)
	case "update":
		err = s.deps.Admin.UpdateMinimumWage(r.Context(), a, in)
	case "delete":
		err, done = s.deps.Admin.DeleteMinimumWage(r.Context(), a, in.Region, in.From), "dict-deleted"
	}
	if err != nil {
		if c := apperr.CodeOf(err); c != apperr.Conflict && !onForm(err) {
			s.renderError(w, r, err)
			return
		}
		status, msg := withErrors(w, &f, err)
		s.wagesPage(w, r, status, &f, msg)
		return
	}
	http.Redirect(w, r, "/admin/minwages?done="+done, http.StatusSeeOther)
}
