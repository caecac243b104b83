package web

import (
	"net/http"
	"strconv"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/admin"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
)

// The dictionary pages share one template (admin_dict.html): a table of rows, each with an edit
// link, and one or more forms. A failed save shows the same page with the typed values and each
// field's message beside it.

type dictField struct {
	ID, Label, Value, Hint, Err string
	Type                        string // text | textarea | checkbox | date
	Required, ReadOnly          bool
	Checked                     bool
}

type dictForm struct {
	ID, Legend, Action, Submit string
	Hidden                     map[string]string
	Fields                     []dictField
}

type dictCell struct{ Text, Link, LinkLabel string }

type dictPageData struct {
	Intro   string
	Error   string
	Forms   []dictForm
	Columns []string
	Rows    [][]dictCell
}

func (s *Server) dictPage(w http.ResponseWriter, r *http.Request, status int, title string, d dictPageData) {
	s.render(w, r, status, "admin_dict", Page{Title: title, Nav: "admin", Data: d})
}

// withErrors fills each field's message from err and returns the status and page error.
func withErrors(f *dictForm, err error) (int, string) {
	e := apperr.As(err)
	for i := range f.Fields {
		f.Fields[i].Err = e.Fields[f.Fields[i].ID]
	}
	return httpx.Status(e.Code), e.Message
}

func formValues(r *http.Request, f *dictForm) {
	for i := range f.Fields {
		if f.Fields[i].Type == "checkbox" {
			f.Fields[i].Checked = r.PostFormValue(f.Fields[i].ID) != ""
		} else {
			f.Fields[i].Value = r.PostFormValue(f.Fields[i].ID)
		}
	}
}

func adminActor(s *Server, r *http.Request) actor.Actor {
	a, _ := s.actor(r)
	a.ClientAddr = s.clientAddr(r)
	return a
}

// --- regions ---

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
	list, err := s.deps.Admin.Regions(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := dictPageData{Intro: "行政区划供单位选择所属区、设置残联与税务机关的辖区。已被使用的代码不能删除，只能修改名称或上级。",
		Error: msg, Columns: []string{"代码", "名称", "上级", "操作"}}
	edit := r.URL.Query().Get("edit")
	var f dictForm
	if form != nil {
		f = *form
	} else {
		f = regionForm(false, admin.Region{})
	}
	for _, rg := range list {
		if form == nil && rg.Code == edit {
			f = regionForm(true, rg)
		}
		d.Rows = append(d.Rows, []dictCell{{Text: rg.Code}, {Text: rg.Name}, {Text: rg.Parent},
			{Text: "修改", Link: "/admin/regions?edit=" + rg.Code + "#region-form", LinkLabel: "修改 " + rg.Name}})
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
		if apperr.CodeOf(err) != apperr.Invalid {
			s.renderError(w, r, err)
			return
		}
		status, msg := withErrors(&f, err)
		s.regionsPage(w, r, status, &f, msg)
		return
	}
	http.Redirect(w, r, "/admin/regions?done=dict-saved", http.StatusSeeOther)
}

// --- federation and tax offices ---

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
			Hint: "审核层级中的上一级；省残联留空。不能选择其自身或下级"})
	} else {
		f.Fields[0].Hint = "6 至 20 位数字，如 12201020000"
	}
	if edit {
		f.Legend, f.Hidden["mode"] = "修改"+officeTitle(kind)+" "+o.Code, "update"
	}
	return f
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
	list, err := s.deps.Admin.Offices(r.Context(), adminActor(s, r), kind)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := dictPageData{Error: msg, Columns: []string{"代码", "名称", "所辖区划", "操作"}}
	if kind == admin.Federation {
		d.Intro = "残联机构构成审核层级：上级残联可审核下级残联辖区内单位的申报。"
		d.Columns = []string{"代码", "名称", "所辖区划", "上级残联", "操作"}
	}
	edit := r.URL.Query().Get("edit")
	f := officeForm(kind, false, admin.Office{})
	if form != nil {
		f = *form
	}
	for _, o := range list {
		if form == nil && o.Code == edit {
			f = officeForm(kind, true, o)
		}
		row := []dictCell{{Text: o.Code}, {Text: o.Name}, {Text: o.Region}}
		if kind == admin.Federation {
			row = append(row, dictCell{Text: o.Parent})
		}
		row = append(row, dictCell{Text: "修改", Link: "/admin/offices/" + kind + "?edit=" + o.Code + "#office-form", LinkLabel: "修改 " + o.Name})
		d.Rows = append(d.Rows, row)
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
	in := admin.Office{Code: f.Fields[0].Value, Name: f.Fields[1].Value, Region: f.Fields[2].Value}
	if kind == admin.Federation {
		in.Parent = f.Fields[3].Value
	}
	if edit {
		f.Legend = "修改" + officeTitle(kind) + " " + in.Code
	}
	if err := s.deps.Admin.SaveOffice(r.Context(), adminActor(s, r), kind, in, !edit); err != nil {
		if apperr.CodeOf(err) != apperr.Invalid {
			s.renderError(w, r, err)
			return
		}
		status, msg := withErrors(&f, err)
		s.officesPage(w, r, kind, status, &f, msg)
		return
	}
	http.Redirect(w, r, "/admin/offices/"+kind+"?done=dict-saved", http.StatusSeeOther)
}

// --- minimum wages ---

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
	list, err := s.deps.Admin.MinimumWages(r.Context(), adminActor(s, r))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := dictPageData{Error: msg, Columns: []string{"地区", "起始月份", "月最低工资（元）", "状态", "修改", "删除"},
		Intro: "最低工资标准按“地区 + 起始月份”分版本保存。已有单位完成申报的年度所使用的版本已锁定，不能修改或删除；标准调整时请新增一个版本。"}
	q := r.URL.Query()
	f := wageForm("create", admin.MinimumWage{})
	if form != nil {
		f = *form
	}
	for _, m := range list {
		key := m.Region + "@" + m.From
		if form == nil && (q.Get("edit") == key || q.Get("delete") == key) && !m.Locked {
			mode := "update"
			if q.Get("delete") == key {
				mode = "delete"
			}
			f = wageForm(mode, m)
		}
		state, actions := "可修改", []dictCell{{Text: "修改", Link: "/admin/minwages?edit=" + key + "#wage-form", LinkLabel: "修改 " + key},
			{Text: "删除", Link: "/admin/minwages?delete=" + key + "#wage-form", LinkLabel: "删除 " + key}}
		if m.Locked {
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
		if c := apperr.CodeOf(err); c != apperr.Invalid && c != apperr.Conflict {
			s.renderError(w, r, err)
			return
		}
		status, msg := withErrors(&f, err)
		s.wagesPage(w, r, status, &f, msg)
		return
	}
	http.Redirect(w, r, "/admin/minwages?done="+done, http.StatusSeeOther)
}

// --- business years ---

func yearForm(y admin.YearView) dictForm {
	return dictForm{ID: "year-" + strconv.Itoa(y.Year.Year), Legend: strconv.Itoa(y.Year.Year) + " 业务年度",
		Action: "/admin/years", Submit: "保存 " + strconv.Itoa(y.Year.Year) + " 年度设置",
		Hidden: map[string]string{"year": strconv.Itoa(y.Year.Year)},
		Fields: []dictField{
			{ID: "windowOpen", Label: "申报开始日期", Value: y.WindowOpen, Type: "date", Required: true, Hint: "YYYY-MM-DD"},
			{ID: "windowClose", Label: "申报截止日期", Value: y.WindowClose, Type: "date", Required: true, Hint: "YYYY-MM-DD，不能早于开始日期"},
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
	years, err := s.deps.Admin.Years(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := dictPageData{Error: msg, Columns: []string{"年度", "申报期", "承诺书版本", "申报时须残疾证有效"},
		Intro: "业务年度 Y 的申报期默认为 Y+1 年 3 月 1 日至 10 月 31 日。"}
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
		d.Rows = append(d.Rows, []dictCell{{Text: strconv.Itoa(y.Year.Year)}, {Text: y.WindowOpen + " 至 " + y.WindowClose},
			{Text: y.PledgeVersion}, {Text: sw}})
		f := yearForm(y)
		if form != nil && form.ID == f.ID {
			f = *form
		}
		d.Forms = append(d.Forms, f)
	}
	d.Forms = append(d.Forms, add)
	s.dictPage(w, r, status, "业务年度", d)
}

func (s *Server) handleAdminYearSave(w http.ResponseWriter, r *http.Request) {
	a := adminActor(s, r)
	if r.PostFormValue("add") != "" {
		if _, err := s.deps.Admin.AddYear(r.Context(), a, r.PostFormValue("year")); err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				s.renderError(w, r, err)
				return
			}
			f := dictForm{ID: "year-new", Legend: "新增业务年度", Action: "/admin/years", Submit: "新增年度",
				Hidden: map[string]string{"add": "1"}, Fields: []dictField{{ID: "year", Label: "年度", Required: true, Value: r.PostFormValue("year")}}}
			status, msg := withErrors(&f, err)
			s.yearsPage(w, r, status, &f, msg)
			return
		}
		http.Redirect(w, r, "/admin/years?done=dict-saved", http.StatusSeeOther)
		return
	}
	year, err := strconv.Atoi(r.PostFormValue("year"))
	if err != nil {
		s.renderError(w, r, apperr.NotFoundf("业务年度"))
		return
	}
	f := yearForm(admin.YearView{Year: admin.Year{Year: year}})
	formValues(r, &f)
	open, close, pledge := f.Fields[0].Value, f.Fields[1].Value, f.Fields[3].Value
	cert := f.Fields[2].Checked
	f.Fields[3].Label = "承诺书"
	_, err = s.deps.Admin.UpdateYear(r.Context(), a, year, admin.YearInput{WindowOpen: &open, WindowClose: &close,
		CertValidAtSubmission: &cert, Pledge: &pledge})
	if err != nil {
		if apperr.CodeOf(err) != apperr.Invalid {
			s.renderError(w, r, err)
			return
		}
		status, msg := withErrors(&f, err)
		s.yearsPage(w, r, status, &f, msg)
		return
	}
	http.Redirect(w, r, "/admin/years?done=dict-saved", http.StatusSeeOther)
}

// handleAPIYearUpdate is PUT /api/v1/years/{year} {windowOpen, windowClose} (CONTRACT.md).
func (s *Server) handleAPIYearUpdate(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		s.renderError(w, r, apperr.NotFoundf("业务年度"))
		return
	}
	var in admin.YearInput
	if err := decodeBody(r.Body, 64<<10, &in); err != nil {
		s.renderError(w, r, err)
		return
	}
	fields := map[string]string{}
	if in.WindowOpen == nil {
		fields["windowOpen"] = "请填写申报开始日期（YYYY-MM-DD）"
	}
	if in.WindowClose == nil {
		fields["windowClose"] = "请填写申报截止日期（YYYY-MM-DD）"
	}
	if len(fields) > 0 {
		s.renderError(w, r, apperr.FieldErrors(fields))
		return
	}
	y, err := s.deps.Admin.UpdateYear(r.Context(), adminActor(s, r), year, in)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, y)
}

// --- levy parameters ---

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
	list, err := s.deps.Admin.Levies(r.Context(), adminActor(s, r))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := dictPageData{Error: msg, Columns: []string{"年度", "安置比例", "社会平均工资（元/年）", "操作"},
		Intro: "参数仅用于残保金测算，实际金额以税务部门核定为准。"}
	f := levyForm(admin.Levy{})
	if form != nil {
		f = *form
	}
	edit := r.URL.Query().Get("edit")
	for _, l := range list {
		if form == nil && strconv.Itoa(l.Year) == edit {
			f = levyForm(l)
		}
		d.Rows = append(d.Rows, []dictCell{{Text: strconv.Itoa(l.Year)}, {Text: admin.FormatPercent(l.QuotaBasisPoints) + "%"},
			{Text: admin.FormatYuan(l.SocialAvgWageFen)}, {Text: "修改", Link: "/admin/levy?edit=" + strconv.Itoa(l.Year) + "#levy-form", LinkLabel: "修改 " + strconv.Itoa(l.Year)}})
	}
	d.Forms = []dictForm{f}
	s.dictPage(w, r, status, "残保金参数", d)
}

func (s *Server) handleAdminLevySave(w http.ResponseWriter, r *http.Request) {
	f := levyForm(admin.Levy{})
	formValues(r, &f)
	err := s.deps.Admin.SaveLevy(r.Context(), adminActor(s, r), admin.LevyInput{Year: strings.TrimSpace(f.Fields[0].Value),
		QuotaPercent: f.Fields[1].Value, SocialAvgWage: f.Fields[2].Value})
	if err != nil {
		if apperr.CodeOf(err) != apperr.Invalid {
			s.renderError(w, r, err)
			return
		}
		status, msg := withErrors(&f, err)
		s.leviesPage(w, r, status, &f, msg)
		return
	}
	http.Redirect(w, r, "/admin/levy?done=dict-saved", http.StatusSeeOther)
}
