package web

import (
	"net/http"

	"quotacert/internal/admin"
)

// The administrator's regions page (admin_dict.html).

func regionForm(edit bool, rg admin.Region) dictForm {
	f := dictForm{ID: "region-form", Legend: "新增行政区划", Action: "/admin/regions", Submit: "保存",
		Hidden: map[string]string{"mode": "create"},
		Fields: []dictField{
			{ID: "code", Label: "行政区划代码", Value: rg.Code, Required: true, Hint: "6 位数字（GB/T 2260），创建后不能修改", ReadOnly: edit},
			{ID: "name", Label: "名称", Value: rg.Name, Required: true},
			{ID: "parent", Label: "上级行政区划代码", Value: rg.Parent, Hint: "省级留空"},
		}}
	if edit {
		f.Legend, f.Hidden["mode"] = "修改行政区划 "+rg.Code, "update"
	}
	return f
}

func (s *Server) handleAdminRegions(w http.ResponseWriter, r *http.Request) {
	s.regionsPage(w, r, http.StatusOK, nil, "")
}

func (s *Server) regionsPage(w http.ResponseWriter, r *http.Request, status int, form *dictForm, msg string) {
	a := adminActor(s, r)
	sc, err := s.adminScope(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	list, err := s.deps.Admin.Regions(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := dictPageData{Intro: "行政区划供单位选择所属区、设置残联与税务机关的辖区。已被使用的代码不能删除，只能修改名称或上级。",
		Note: scopeNote(sc, "行政区划"), Error: msg, Columns: []string{"代码", "名称", "上级", "操作"}}
	edit := r.URL.Query().Get("edit")
	var f dictForm
	if form != nil {
		f = *form
	} else {
		f = regionForm(false, admin.Region{})
	}
	for _, rg := range list {
		if form == nil && rg.Code == edit && rg.Managed {
			f = regionForm(true, rg)
		}
		action := dictCell{Text: "修改", Link: "/admin/regions?edit=" + rg.Code + "#region-form", LinkLabel: "修改 " + rg.Name}
		if !rg.Managed {
			action = upstream
		}
		d.Rows = append(d.Rows, []dictCell{{Text: rg.Code}, {Text: rg.Name}, {Text: rg.Parent}, action})
	}
	d.Forms = []dictForm{f}
	s.dictPage(w, r, status, "行政区划", d)
}

func (s *Server) handleAdminRegionSave(w http.ResponseWriter, r *http.Request) {
	edit := r.PostFormValue("mode") == "update"
	f := regionForm(edit, admin.Region{})
	formValues(r, &f)
	in := admin.Region{Code: f.Fields[0].Value, Name: f.Fields[1].Value, Parent: f.Fields[2].Value}
	if edit {
		f.Legend = "修改行政区划 " + in.Code
	}
	if err := s.deps.Admin.SaveRegion(r.Context(), adminActor(s, r), in, !edit); err != nil {
		if !onForm(err) {
			s.renderError(w, r, err)
			return
		}
		status, msg := withErrors(w, &f, err)
		s.regionsPage(w, r, status, &f, msg)
		return
	}
	http.Redirect(w, r, "/admin/regions?done=dict-saved", http.StatusSeeOther)
}
