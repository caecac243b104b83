package web

import (
	"net/http"
	"strconv"

	"quotacert/internal/admin"
)

// The administrator's working-day calendar page (admin_dict.html): one form per year, the
// arrangement in its text form ("2026-10-01 至 2026-10-07 休", "2026-10-10 班").

func calendarForm(c admin.CalendarView) dictForm {
	y := strconv.Itoa(c.Year)
	return dictForm{ID: "calendar-" + y, Legend: y + " 年工作日历", Action: "/admin/calendar", Submit: "保存 " + y + " 年工作日历",
		Hidden: map[string]string{"year": y},
		Fields: []dictField{{ID: "calendar", Label: y + " 年法定节假日和调休上班日", Value: c.Text, Type: "textarea",
			Hint: "每行一天或一段：“2026-10-01 至 2026-10-07 休”为放假，“2026-10-10 班”为调休上班；“#”后为备注。未列出的日子按周一至周五上班、周六周日休息计算。"}}}
}

func (s *Server) handleAdminCalendar(w http.ResponseWriter, r *http.Request) {
	s.calendarPage(w, r, http.StatusOK, nil, "")
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request, status int, form *dictForm, msg string) {
	a := adminActor(s, r)
	sc, err := s.adminScope(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	cals, err := s.deps.Admin.Calendars(r.Context(), a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := dictPageData{Error: msg, Columns: []string{"年度", "放假日", "调休上班日"},
		Intro: "审核事项的法定办结时限为提交之日起 20 个工作日，按本日历计算（提交当天不计）。每年国务院办公厅公布次年节假日安排后，请在此录入；修改后，所有待审核事项的办结期限随即按新日历计算。"}
	if !sc.Province() {
		d.Note = provinceNote(sc, "工作日历")
	}
	for _, c := range cals {
		d.Rows = append(d.Rows, []dictCell{{Text: strconv.Itoa(c.Year)}, {Text: strconv.Itoa(c.Holidays) + " 天"}, {Text: strconv.Itoa(c.Workdays) + " 天"}})
		f := calendarForm(c)
		if form != nil && form.ID == f.ID {
			f = *form
		}
		d.Forms = append(d.Forms, f)
	}
	if !sc.Province() {
		d.Forms = nil
	}
	s.dictPage(w, r, status, "工作日历", d)
}

func (s *Server) handleAdminCalendarSave(w http.ResponseWriter, r *http.Request) {
	a := adminActor(s, r)
	year, err := parseYear(r.PostFormValue("year"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	f := calendarForm(admin.CalendarView{Year: year})
	formValues(r, &f)
	if _, err := s.deps.Admin.SaveCalendar(r.Context(), a, strconv.Itoa(year), f.Fields[0].Value); err != nil {
		if !onForm(err) {
			s.renderError(w, r, err)
			return
		}
		status, msg := withErrors(w, &f, err)
		s.calendarPage(w, r, status, &f, msg)
		return
	}
	http.Redirect(w, r, "/admin/calendar?done=calendar-saved", http.StatusSeeOther)
}
