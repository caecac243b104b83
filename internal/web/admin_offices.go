package web

import (
	"net/http"

	"quotacert/internal/admin"
	"quotacert/internal/apperr"
)

// The administrator's federation and tax offices page (admin_dict.html).

func officeTitle(kind string) string {
	if kind == admin.Federation {
		return "残联机构"
	}
	return "税务机关"
}

func officeForm(kind string, edit bool, o admin.Office) dictForm {
	f := dictForm{ID: "office-form", Legend: "新增" + officeTitle(kind), Action: "/admin/offices/" + kind, Submit: "保存",
		Hidden: map[string]string{"mode": "create"},
		Fields: []dictField{
			{ID: "code", Label: "机构代码", Value: o.Code, Required: true, ReadOnly: edit},
			{ID: "name", Label: "名称", Value: o.Name, Required: true},
			{ID: "region", Label: "所辖行政区划代码", Value: o.Region, Required: true},
		}}
	if kind == admin.Federation {
		f.Fields[0].Hint = "即所辖行政区划的 6 位代码，如 220100"
		f.Fields = append(f.Fields, dictField{ID: "parent", Label: "上级残联代码", Value: o.Parent,
			Hint: "审核层级中的上一级；省残联留空。不能选择其自身或下级；须为本级或下级残联（不能移出本级辖区）"})
	} else {
		f.Fields[0].Hint = "6 至 20 位数字，如 12201020000"
	}
	// The contact, last: employers see it on 使用帮助 and under 忘记密码 (officeContactFields).
	f.Fields = append(f.Fields,
		dictField{ID: "phone", Label: "联系电话", Value: o.Phone, Hint: "用人单位在“使用帮助”和“忘记密码”提示中看到，如 0431-88880000"},
		dictField{ID: "address", Label: "办公地址", Value: o.Address, Hint: "如 长春市南关区××路 1 号"})
	if edit {
		f.Legend, f.Hidden["mode"] = "修改"+officeTitle(kind)+" "+o.Code, "update"
	}
	return f
}

// fieldValue is the submitted value of a form field by id.
func fieldValue(f dictForm, id string) string {
	for _, fl := range f.Fields {
		if fl.ID == id {
			return fl.Value
		}
	}
	return ""
}

func officeKind(r *http.Request) (string, error) {
	switch k := r.PathValue("kind"); k {
	case admin.Federation, admin.Tax:
		return k, nil
	}
	return "", apperr.NotFoundf("您访问的页面")
}

func (s *Server) handleAdminOffices(w http.ResponseWriter, r *http.Request) {
	kind, err := officeKind(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.officesPage(w, r, kind, http.StatusOK, nil, "")
}

func (s *Server) officesPage(w http.ResponseWriter, r *http.Request, kind string, status int, form *dictForm, msg string) {
	sc, err := s.adminScope(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	list, err := s.deps.Admin.Offices(r.Context(), adminActor(s, r), kind)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := dictPageData{Error: msg, Note: scopeNote(sc, officeTitle(kind)), Columns: []string{"代码", "名称", "所辖区划", "联系电话", "办公地址", "操作"}}
	if kind == admin.Federation {
		d.Intro = "残联机构构成审核层级：上级残联可审核下级残联辖区内单位的申报。联系电话和办公地址显示在用人单位的“使用帮助”页面。"
		d.Columns = []string{"代码", "名称", "所辖区划", "上级残联", "联系电话", "办公地址", "操作"}
	}
	edit := r.URL.Query().Get("edit")
	f := officeForm(kind, false, admin.Office{})
	if form != nil {
		f = *form
	}
	for _, o := range list {
		if form == nil && o.Code == edit && o.Managed {
			f = officeForm(kind, true, o)
		}
		row := []dictCell{{Text: o.Code}, {Text: o.Name}, {Text: o.Region}}
		if kind == admin.Federation {
			row = append(row, dictCell{Text: o.Parent})
		}
		row = append(row, dictCell{Text: o.Phone}, dictCell{Text: o.Address})
		action := dictCell{Text: "修改", Link: "/admin/offices/" + kind + "?edit=" + o.Code + "#office-form", LinkLabel: "修改 " + o.Name}
		if !o.Managed {
			action = upstream
		}
		d.Rows = append(d.Rows, append(row, action))
	}
	d.Forms = []dictForm{f}
	s.dictPage(w, r, status, officeTitle(kind), d)
}

func (s *Server) handleAdminOfficeSave(w http.ResponseWriter, r *http.Request) {
	kind, err := officeKind(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	edit := r.PostFormValue("mode") == "update"
	f := officeForm(kind, edit, admin.Office{})
	formValues(r, &f)
	in := admin.Office{Code: fieldValue(f, "code"), Name: fieldValue(f, "name"), Region: fieldValue(f, "region"),
		Parent: fieldValue(f, "parent"), Phone: fieldValue(f, "phone"), Address: fieldValue(f, "address")}
	if edit {
		f.Legend = "修改" + officeTitle(kind) + " " + in.Code
	}
	if err := s.deps.Admin.SaveOffice(r.Context(), adminActor(s, r), kind, in, !edit); err != nil {
		if !onForm(err) {
			s.renderError(w, r, err)
			return
		}
		status, msg := withErrors(w, &f, err)
		s.officesPage(w, r, kind, status, &f, msg)
		return
	}
	http.Redirect(w, r, "/admin/offices/"+kind+"?done=dict-saved", http.StatusSeeOther)
}
