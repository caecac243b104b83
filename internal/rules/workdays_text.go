package rules

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The text form of a year's calendar, as an administrator edits it in a
// text area: one day or one run of days per line,
//
//	2025-10-01 至 2025-10-08 休   # 国庆节、中秋节
//	2025-09-28 班
//	2025-10-11 班
//
// "休" marks rest days (放假), "班" make-up working days (调休上班); "至" (or
// "~") joins the first and last day of a run, which is how the State
// Council's notice reads ("10月1日至8日放假"). "#" starts a comment; blank
// lines are ignored. A holiday run may include its weekend days. Every line
// with a mistake is reported, by number, in Chinese.

// Limits of the text form: a year has 366 days, so anything larger is not a
// calendar.
const (
	maxCalendarBytes  = 64 << 10
	maxCalendarLines  = 1000
	maxCalendarRun    = 31
	maxCalendarErrors = 20
)

// LineError is one mistake in a calendar text. Line is 1-based; 0 means the
// text as a whole.
type LineError struct {
	Line    int
	Message string
}

// CalendarErrors lists the mistakes of a calendar text in line order (at
// most maxCalendarErrors, the last one saying how many more there are), so
// that the administrator can fix them all in one go.
type CalendarErrors []LineError

// Error joins the messages: "第3行：…；第5行：…".
func (e CalendarErrors) Error() string {
	var b strings.Builder
	for i, le := range e {
		if i > 0 {
			b.WriteString("；")
		}
		if le.Line > 0 {
			fmt.Fprintf(&b, "第%d行：", le.Line)
		}
		b.WriteString(le.Message)
	}
	return b.String()
}

// ParseYearCalendar parses the text form of year's calendar. It returns
// either a valid YearCalendar or CalendarErrors, never both.
func ParseYearCalendar(year int, text string) (YearCalendar, error) {
	if year < 1 || year > 9999 {
		return YearCalendar{}, CalendarErrors{{0, fmt.Sprintf("年度 %d 无效", year)}}
	}
	if len(text) > maxCalendarBytes {
		return YearCalendar{}, CalendarErrors{{0, fmt.Sprintf("内容过长（最多 %d KB）", maxCalendarBytes>>10)}}
	}
	text = strings.TrimPrefix(text, "\uFEFF") // a byte-order mark pasted from a file
	lines := strings.Split(text, "\n")
	if len(lines) > maxCalendarLines {
		return YearCalendar{}, CalendarErrors{{0, fmt.Sprintf("行数过多（最多 %d 行）", maxCalendarLines)}}
	}
	kinds := make(map[Date]bool)    // true: 班
	firstLine := make(map[Date]int) // where a day was first marked
	var errs CalendarErrors
	more := 0
	fail := func(line int, format string, args ...any) {
		if len(errs) < maxCalendarErrors-1 {
			errs = append(errs, LineError{line, fmt.Sprintf(format, args...)})
		} else {
			more++
		}
	}
	for i, raw := range lines {
		n := i + 1
		if !utf8.ValidString(raw) {
			fail(n, "含有无法识别的字符，请检查文本编码")
			continue
		}
		if k := strings.IndexAny(raw, "#＃"); k >= 0 {
			raw = raw[:k]
		}
		fields := strings.Fields(calendarTokens.Replace(raw))
		if len(fields) == 0 {
			continue
		}
		first, last, work, ok := parseCalendarLine(fields, year, func(format string, args ...any) { fail(n, format, args...) })
		if !ok {
			continue
		}
		for d := first; !last.Before(d); d = d.NextDay() {
			if work && !d.Weekend() {
				fail(n, "%s 是%s，本来就是工作日，不能标为「班」（调休上班日是周六或周日）", d, d.WeekdayName())
				break
			}
			if prev, seen := kinds[d]; seen {
				if prev != work {
					fail(n, "%s 已在第%d行标为「%s」，不能再标为「%s」", d, firstLine[d], kindWord(prev), kindWord(work))
					break
				}
				continue // the same day twice with the same mark is harmless
			}
			kinds[d], firstLine[d] = work, n
		}
	}
	if more > 0 {
		errs = append(errs, LineError{0, fmt.Sprintf("另有 %d 处错误", more)})
	}
	if len(errs) > 0 {
		return YearCalendar{}, errs
	}
	y := YearCalendar{Year: year}
	for d, work := range kinds {
		if work {
			y.Workdays = append(y.Workdays, d)
		} else {
			y.Holidays = append(y.Holidays, d)
		}
	}
	slices.SortFunc(y.Holidays, Date.Compare)
	slices.SortFunc(y.Workdays, Date.Compare)
	return y, nil
}

// calendarTokens puts spaces around the marks, so that "2025-10-01至2025-10-08休"
// reads like the spaced form.
var calendarTokens = strings.NewReplacer("至", " 至 ", "~", " 至 ", "～", " 至 ", "休", " 休 ", "班", " 班 ")

// parseCalendarLine reads "DATE 休|班" or "DATE 至 DATE 休|班"; it reports
// mistakes through fail and returns ok false after one.
func parseCalendarLine(fields []string, year int, fail func(string, ...any)) (first, last Date, work, ok bool) {
	const form = "每行应为「日期 休」「日期 班」或「起始日期 至 结束日期 休」，日期格式为YYYY-MM-DD"
	var dates []string
	switch {
	case len(fields) == 2:
		dates = fields[:1]
	case len(fields) == 4 && fields[1] == "至":
		dates = []string{fields[0], fields[2]}
	default:
		fail(form)
		return
	}
	switch fields[len(fields)-1] {
	case "休":
	case "班":
		work = true
	default:
		fail("「%s」应为「休」（放假）或「班」（调休上班）", clip(fields[len(fields)-1]))
		return
	}
	parsed := make([]Date, len(dates))
	for i, s := range dates {
		d, err := ParseDate(s)
		if err != nil {
			fail("日期「%s」格式应为YYYY-MM-DD且为真实日期", clip(s))
			return
		}
		if d.Year != year {
			fail("%s 不在 %d 年内，请填入 %d 年的工作日历", d, year, d.Year)
			return
		}
		parsed[i] = d
	}
	first, last = parsed[0], parsed[len(parsed)-1]
	if last.Before(first) {
		fail("起始日期 %s 晚于结束日期 %s", first, last)
		return
	}
	if daysBetween(first, last) >= maxCalendarRun {
		fail("日期范围 %s 至 %s 超过 %d 天，请分行填写", first, last, maxCalendarRun)
		return
	}
	return first, last, work, true
}

// daysBetween counts calendar days from a to b (b not before a), stopping
// once it passes maxCalendarRun.
func daysBetween(a, b Date) int {
	n := 0
	for d := a; d.Before(b) && n <= maxCalendarRun; d = d.NextDay() {
		n++
	}
	return n
}

// clip shortens an echoed token so that a pasted essay does not become the
// error message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 20 {
		return s
	}
	r := []rune(s)
	return string(r[:20]) + "…"
}

func kindWord(work bool) string {
	if work {
		return "班"
	}
	return "休"
}

// FormatYearCalendar writes y in the text form, in date order, joining
// consecutive holidays into runs: the form the administrator edits, which
// ParseYearCalendar reads back to the same calendar. y must be valid.
func FormatYearCalendar(y YearCalendar) string {
	var b strings.Builder
	h, w := y.Holidays, y.Workdays
	for len(h) > 0 || len(w) > 0 {
		if len(w) > 0 && (len(h) == 0 || w[0].Before(h[0])) {
			b.WriteString(w[0].String() + " 班\n")
			w = w[1:]
			continue
		}
		end := 0
		for end+1 < len(h) && h[end].NextDay() == h[end+1] && end+1 < maxCalendarRun {
			end++
		}
		if end == 0 {
			b.WriteString(h[0].String() + " 休\n")
		} else {
			b.WriteString(h[0].String() + " 至 " + h[end].String() + " 休\n")
		}
		h = h[end+1:]
	}
	return b.String()
}
