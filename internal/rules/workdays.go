package rules

import (
	"fmt"
	"slices"
)

// ReviewWorkingDays is the statutory time limit of a review item (法定办结时限,
// DOMAIN.md §5): it is due 20 working days after the day it was opened.
const ReviewWorkingDays = 20

// YearCalendar is one year's arrangement of public holidays (放假) and
// make-up working days (调休上班), as the State Council publishes it each
// autumn in 《国务院办公厅关于XXXX年部分节假日安排的通知》 and an administrator
// enters it. Every other day is an ordinary Monday–Friday working day or a
// Saturday/Sunday rest day.
//
// Every date lies in Year. A notice sometimes moves a day of the previous
// December (the 2019 notice made Saturday 2018-12-29 a working day); such a
// day belongs to the calendar of its own year.
type YearCalendar struct {
	Year int
	// Holidays are the rest days of the arrangement, sorted and distinct.
	// Weekend days inside a holiday run may be listed or not: they rest
	// either way.
	Holidays []Date
	// Workdays are the make-up working days, sorted and distinct; each is a
	// Saturday or a Sunday (a weekday already is a working day).
	Workdays []Date
}

// Validate checks what NewCalendar relies on: real dates inside the year,
// sorted and distinct lists, make-up days on weekends, no day in both lists.
// The messages are Chinese, for an administrator.
func (y YearCalendar) Validate() error {
	if y.Year < 1 || y.Year > 9999 {
		return fmt.Errorf("工作日历年度 %d 无效", y.Year)
	}
	check := func(days []Date, label string) error {
		for i, d := range days {
			if !d.Valid() {
				return fmt.Errorf("%d 年工作日历的%s中有无效日期", y.Year, label)
			}
			if d.Year != y.Year {
				return fmt.Errorf("%d 年工作日历的%s中的 %s 不在该年内", y.Year, label, d)
			}
			if i > 0 && !days[i-1].Before(d) {
				return fmt.Errorf("%d 年工作日历的%s未按日期排序或有重复（%s）", y.Year, label, d)
			}
		}
		return nil
	}
	if err := check(y.Holidays, "放假日"); err != nil {
		return err
	}
	if err := check(y.Workdays, "调休上班日"); err != nil {
		return err
	}
	for _, d := range y.Workdays {
		if !d.Weekend() {
			return fmt.Errorf("%s 是%s，本来就是工作日，不能作为调休上班日", d, d.WeekdayName())
		}
		if _, found := slices.BinarySearchFunc(y.Holidays, d, Date.Compare); found {
			return fmt.Errorf("%s 既是放假日又是调休上班日", d)
		}
	}
	return nil
}

// Calendar tells working days from rest days (工作日历, DOMAIN.md §7). It is
// built from the arrangements of the years an administrator has entered;
// for a year it lacks it assumes Monday–Friday and says so, so that a page
// can mark a due date as provisional instead of silently getting 国庆 wrong.
//
// The zero Calendar holds no year: every answer is Monday–Friday, assumed.
// A Calendar is immutable once built and safe for concurrent use.
type Calendar struct {
	years map[int]bool
	// exceptions holds the days that differ from Monday–Friday: true for a
	// make-up working day, false for a holiday on a weekday.
	exceptions map[Date]bool
}

// NewCalendar builds a calendar from the arrangements of several years, at
// most one per year.
func NewCalendar(years ...YearCalendar) (Calendar, error) {
	c := Calendar{years: make(map[int]bool, len(years)), exceptions: make(map[Date]bool)}
	for _, y := range years {
		if err := y.Validate(); err != nil {
			return Calendar{}, err
		}
		if c.years[y.Year] {
			return Calendar{}, fmt.Errorf("%d 年的工作日历重复", y.Year)
		}
		c.years[y.Year] = true
		for _, d := range y.Holidays {
			if !d.Weekend() {
				c.exceptions[d] = false
			}
		}
		for _, d := range y.Workdays {
			c.exceptions[d] = true
		}
	}
	return c, nil
}

// Has reports whether the calendar holds the arrangement of the year.
func (c Calendar) Has(year int) bool { return c.years[year] }

// IsWorkingDay reports whether d is a working day, and whether that is known
// (false: d's year has no arrangement and Monday–Friday was assumed).
func (c Calendar) IsWorkingDay(d Date) (working, known bool) {
	if w, ok := c.exceptions[d]; ok {
		return w, true
	}
	return !d.Weekend(), c.years[d.Year]
}

// AddWorkingDays returns the n-th working day after from: the earliest day
// such that exactly n working days lie in (from, day]. The day from itself
// never counts, whatever it is (民法典 art. 201: a period counted in days
// starts on the next day), and the result is always a working day, so a
// period that would end on a rest day ends on the next working day, as
// art. 203 requires, without a special case. n ≤ 0 returns from.
//
// assumed is true when a day of (from, result] lies in a year the calendar
// lacks; the result is then computed on Monday–Friday and may move once the
// year's arrangement is entered.
func (c Calendar) AddWorkingDays(from Date, n int) (result Date, assumed bool) {
	d := from
	for n > 0 {
		d = d.NextDay()
		working, known := c.IsWorkingDay(d)
		assumed = assumed || !known
		if working {
			n--
		}
	}
	return d, assumed
}

// ReviewDue returns the due date of a review item opened on the China date
// opened: ReviewWorkingDays working days after it (see AddWorkingDays for
// the count and the assumed flag). An item opened at 23:59 on a Friday and
// one opened at 08:00 on that Friday have the same due date.
func (c Calendar) ReviewDue(opened Date) (due Date, assumed bool) {
	return c.AddWorkingDays(opened, ReviewWorkingDays)
}

// WorkingDaysBetween counts the working days in (from, to]; when to is
// before from it returns minus the count in (to, from], so that "剩余 3 个工作日"
// and "已超期 2 个工作日" come from one call: WorkingDaysBetween(today, due).
// assumed is as for AddWorkingDays.
func (c Calendar) WorkingDaysBetween(from, to Date) (n int, assumed bool) {
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	for d := from; d.Before(to); {
		d = d.NextDay()
		working, known := c.IsWorkingDay(d)
		assumed = assumed || !known
		if working {
			n++
		}
	}
	return sign * n, assumed
}

// NextDay returns the day after d.
func (d Date) NextDay() Date {
	if d.Day < DaysIn(d.Year, d.Month) {
		return Date{d.Year, d.Month, d.Day + 1}
	}
	return d.YearMonth().Add(1).First()
}

// Weekday returns d's day of the week, 0 for Sunday to 6 for Saturday (the
// numbering of time.Weekday), for a valid date.
func (d Date) Weekday() int {
	// Days since 1970-01-01 (a Thursday) by Howard Hinnant's days_from_civil.
	y, m := d.Year, d.Month
	if m <= 2 {
		y--
	}
	era := y / 400 // years are ≥ 1, so no negative division
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := era*146097 + doe - 719468
	return ((days+4)%7 + 7) % 7
}

// Weekend reports whether d is a Saturday or a Sunday.
func (d Date) Weekend() bool {
	w := d.Weekday()
	return w == 0 || w == 6
}

// WeekdayName returns 星期日 … 星期六 for d.
func (d Date) WeekdayName() string {
	return [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}[d.Weekday()]
}
