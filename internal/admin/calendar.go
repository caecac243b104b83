package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/rules"
	"quotacert/internal/scope"
)

// CalendarView is one year of the working-day calendar as the console shows and edits it: the
// text form of rules.ParseYearCalendar and the counts of its days.
type CalendarView struct {
	Year               int
	Text               string
	Holidays, Workdays int
}

// calendarWhat names the calendar in refusals: it is province-wide, like the business years.
const calendarWhat = "工作日历（法定节假日和调休上班日）"

// Calendars lists the years entered in the working-day calendar, newest first, and always the
// current year and the next one (empty when not entered yet), so the next arrangement can be added.
func (s *Service) Calendars(ctx context.Context, a actor.Actor) ([]CalendarView, error) {
	var out []CalendarView
	err := s.run(ctx, func(tx Tx) error {
		if _, err := scope.Resolve(ctx, tx, a); err != nil {
			return err
		}
		out = nil
		years, err := tx.WorkCalendarYears(ctx)
		if err != nil {
			return err
		}
		this := rules.ChinaDate(tx.Now()).Year
		seen := map[int]bool{}
		for _, y := range append([]int{this + 1, this}, years...) {
			if seen[y] {
				continue
			}
			seen[y] = true
			c, err := tx.WorkCalendar(ctx, y)
			if err != nil {
				return err
			}
			out = append(out, CalendarView{Year: y, Text: rules.FormatYearCalendar(c), Holidays: len(c.Holidays), Workdays: len(c.Workdays)})
		}
		return nil
	})
	slices.SortFunc(out, func(x, y CalendarView) int { return y.Year - x.Year }) // newest first
	return out, err
}

// SaveCalendar replaces a year's arrangement with the one in text (the text form, one day or run
// per line). Every mistake is reported by line in the field "calendar"; nothing is written then.
// Review due dates follow at once: they are computed from the calendar when read. Saving the
// same arrangement again changes nothing and is not audited.
func (s *Service) SaveCalendar(ctx context.Context, a actor.Actor, yearText, text string) (CalendarView, error) {
	year, err := strconv.Atoi(strings.TrimSpace(yearText))
	badYear := err != nil || year < 2000 || year > 2100
	var out CalendarView
	err = s.run(ctx, func(tx Tx) error {
		if err := requireProvince(ctx, tx, a, calendarWhat); err != nil {
			return err
		}
		if badYear {
			return apperr.FieldErrors(map[string]string{"year": "请填写 2000 至 2100 之间的年度"})
		}
		y, err := rules.ParseYearCalendar(year, strings.ReplaceAll(text, "\r\n", "\n"))
		if err != nil {
			var ce rules.CalendarErrors
			if errors.As(err, &ce) {
				return apperr.FieldErrors(map[string]string{"calendar": ce.Error()})
			}
			return err
		}
		cur, err := tx.WorkCalendar(ctx, year)
		if err != nil {
			return err
		}
		out = CalendarView{Year: year, Text: rules.FormatYearCalendar(y), Holidays: len(y.Holidays), Workdays: len(y.Workdays)}
		if rules.FormatYearCalendar(cur) == out.Text {
			return nil
		}
		if err := tx.ReplaceWorkCalendar(ctx, y); err != nil {
			return err
		}
		e := audit.For(a, "work_calendar.save", "work_calendar", strconv.Itoa(year))
		e.Detail = fmt.Sprintf("holidays=%d workdays=%d (before %d, %d)", len(y.Holidays), len(y.Workdays), len(cur.Holidays), len(cur.Workdays))
		return tx.AppendAudit(ctx, e)
	})
	return out, s.audited(ctx, a, "work_calendar.save", "work_calendar", strings.TrimSpace(yearText), err)
}
