package rules

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// The real arrangements, in the text form an administrator enters, from:
//   - 《国务院办公厅关于2024年部分节假日安排的通知》（国办发明电〔2023〕7号，2023年10月25日）
//   - 《国务院办公厅关于2025年部分节假日安排的通知》（国办发明电〔2024〕12号，2024年11月12日），
//     the first under the 2024 revision of 《全国年节及纪念日放假办法》 (除夕 and 5月2日 added)
//   - 《国务院办公厅关于2026年部分节假日安排的通知》（2025年11月4日），as Xinhua published it:
//     https://politics.gmw.cn/2025-11/04/content_38391083.htm
var notices = map[int]string{
	2024: `
2024-01-01 休             # 元旦，与周末连休
2024-02-10 至 2024-02-17 休 # 春节
2024-02-04 班
2024-02-18 班
2024-04-04 至 2024-04-06 休 # 清明节
2024-04-07 班
2024-05-01 至 2024-05-05 休 # 劳动节
2024-04-28 班
2024-05-11 班
2024-06-10 休             # 端午节
2024-09-15 至 2024-09-17 休 # 中秋节
2024-09-14 班
2024-10-01 至 2024-10-07 休 # 国庆节
2024-09-29 班
2024-10-12 班
`,
	2025: `
2025-01-01 休
2025-01-28 至 2025-02-04 休 # 春节（除夕起）
2025-01-26 班
2025-02-08 班
2025-04-04 至 2025-04-06 休
2025-05-01 至 2025-05-05 休
2025-04-27 班
2025-05-31 至 2025-06-02 休
2025-10-01 至 2025-10-08 休 # 国庆节、中秋节
2025-09-28 班               # 星期日
2025-10-11 班               # 星期六
`,
	2026: `
2026-01-01 至 2026-01-03 休
2026-01-04 班
2026-02-15 至 2026-02-23 休
2026-02-14 班
2026-02-28 班
2026-04-04 至 2026-04-06 休
2026-05-01 至 2026-05-05 休
2026-05-09 班
2026-06-19 至 2026-06-21 休
2026-09-25 至 2026-09-27 休
2026-10-01 至 2026-10-07 休
2026-09-20 班
2026-10-10 班
`,
}

// calendarOf builds a calendar of the given notice years through the parser.
func calendarOf(t testing.TB, years ...int) Calendar {
	t.Helper()
	var ys []YearCalendar
	for _, y := range years {
		yc, err := ParseYearCalendar(y, notices[y])
		if err != nil {
			t.Fatalf("notice %d: %v", y, err)
		}
		ys = append(ys, yc)
	}
	c, err := NewCalendar(ys...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReviewDue(t *testing.T) {
	all := []int{2024, 2025, 2026}
	tests := []struct {
		name    string
		years   []int
		opened  string
		due     string
		assumed bool
	}{
		// 国庆 2025: 10-01…10-08 rest, Sunday 09-28 and Saturday 10-11 work.
		{"2025 国庆, opened the Friday before", all, "2025-09-26", "2025-10-30", false},
		{"same without any calendar: Monday–Friday", nil, "2025-09-26", "2025-10-24", true},
		{"opened on a Saturday: the count starts on make-up Sunday 09-28", all, "2025-09-27", "2025-10-30", false},
		{"opened on make-up Sunday 09-28: that day does not count", all, "2025-09-28", "2025-10-31", false},
		{"opened the last day before the holiday", all, "2025-09-30", "2025-11-04", false},
		{"opened on a holiday", all, "2025-10-01", "2025-11-04", false},
		{"opened on the last holiday", all, "2025-10-08", "2025-11-04", false},
		{"make-up Saturday 10-11 is the first working day", all, "2025-10-10", "2025-11-06", false},
		{"opened on make-up Saturday 10-11", all, "2025-10-11", "2025-11-07", false},
		{"2025 春节 (除夕 01-28 to 02-04; 01-26 and 02-08 work)", all, "2025-01-24", "2025-02-27", false},
		// 2024: 中秋 and 国庆 each with make-up days.
		{"2024 中秋, make-up Saturday 09-14", all, "2024-09-13", "2024-10-17", false},
		{"2024 国庆, make-up 09-29 and 10-12", all, "2024-09-27", "2024-10-30", false},
		// Year boundaries: the next year's 元旦 arrangement decides.
		{"2024 into 2025 (元旦 on a Wednesday)", all, "2024-12-13", "2025-01-13", false},
		{"2025 into 2026 (元旦 01-01…03, Sunday 01-04 works)", all, "2025-12-20", "2026-01-19", false},
		{"2025 into 2026 without the 2026 calendar", []int{2025}, "2025-12-20", "2026-01-16", true},
		{"2026 春节, make-up 02-14 and 02-28", all, "2026-02-13", "2026-03-19", false},
		{"2027 has no calendar", all, "2027-03-01", "2027-03-29", true},
		{"an ordinary month", all, "2025-03-03", "2025-03-31", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := calendarOf(t, tt.years...)
			due, assumed := c.ReviewDue(d(tt.opened))
			if due != d(tt.due) || assumed != tt.assumed {
				t.Errorf("ReviewDue(%s) = %s, assumed %v; want %s, %v", tt.opened, due, assumed, tt.due, tt.assumed)
			}
		})
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := calendarOf(t, 2024, 2025, 2026)
	tests := []struct {
		day            string
		working, known bool
	}{
		{"2025-09-28", true, true},  // make-up Sunday
		{"2025-10-11", true, true},  // make-up Saturday
		{"2025-10-06", false, true}, // a Monday in 国庆
		{"2025-10-04", false, true}, // a Saturday in 国庆
		{"2025-10-12", false, true}, // an ordinary Sunday
		{"2025-10-09", true, true},  // an ordinary Thursday
		{"2025-06-02", false, true}, // 端午 Monday
		{"2024-12-31", true, true},
		{"2027-01-01", true, false}, // a Friday of an unknown year: assumed working
		{"2027-01-02", false, false},
	}
	for _, tt := range tests {
		if w, k := c.IsWorkingDay(d(tt.day)); w != tt.working || k != tt.known {
			t.Errorf("IsWorkingDay(%s) = %v, %v; want %v, %v", tt.day, w, k, tt.working, tt.known)
		}
	}
	if !c.Has(2025) || c.Has(2027) {
		t.Errorf("Has wrong")
	}
	// Working days of a year: 2024 has 366 − 104 weekend days − 19 weekday holidays + 8 make-up
	// days = 251, 2025 has 365 − 104 − 18 + 5 = 248.
	if n, assumed := c.WorkingDaysBetween(d("2023-12-31"), d("2024-12-31")); n != 251 || assumed {
		t.Errorf("working days of 2024 = %d (assumed %v), want 251", n, assumed)
	}
	if n, assumed := c.WorkingDaysBetween(d("2024-12-31"), d("2025-12-31")); n != 248 || assumed {
		t.Errorf("working days of 2025 = %d (assumed %v), want 248", n, assumed)
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := calendarOf(t, 2025)
	tests := []struct {
		from, to string
		want     int
	}{
		{"2025-09-26", "2025-10-30", 20},
		{"2025-10-30", "2025-09-26", -20},
		{"2025-09-26", "2025-09-26", 0},
		{"2025-09-30", "2025-10-08", 0}, // all holiday
		{"2025-09-30", "2025-10-09", 1},
		{"2025-10-10", "2025-10-11", 1}, // make-up Saturday
	}
	for _, tt := range tests {
		if got, _ := c.WorkingDaysBetween(d(tt.from), d(tt.to)); got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
	if n, assumed := c.WorkingDaysBetween(d("2025-12-30"), d("2026-01-02")); n != 3 || !assumed {
		t.Errorf("into an unknown year = %d, %v; want 3 (12-31, 01-01, 01-02 assumed), true", n, assumed)
	}
	if due, assumed := c.AddWorkingDays(d("2025-10-01"), 0); due != d("2025-10-01") || assumed {
		t.Errorf("AddWorkingDays(_, 0) = %s, %v", due, assumed)
	}
}

// TestPropertyReviewDue checks the definition on random days from 2023 to
// 2027, with and without calendars: the due date is a working day, strictly
// after the day opened, with exactly ReviewWorkingDays working days in
// (opened, due]; and it is never earlier than plain Monday–Friday would
// make it by more than the make-up days allow, nor assumed when every year
// it touches is known.
func TestPropertyReviewDue(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	calendars := []Calendar{{}, calendarOf(t, 2025), calendarOf(t, 2024, 2025, 2026)}
	for range 5000 {
		c := calendars[rng.IntN(len(calendars))]
		y := 2023 + rng.IntN(5)
		m := 1 + rng.IntN(12)
		opened := Date{y, m, 1 + rng.IntN(DaysIn(y, m))}
		due, assumed := c.ReviewDue(opened)
		if !opened.Before(due) {
			t.Fatalf("due %s not after %s", due, opened)
		}
		if w, _ := c.IsWorkingDay(due); !w {
			t.Fatalf("due %s (opened %s) is a rest day", due, opened)
		}
		count, wantAssumed := 0, false
		for x := opened.NextDay(); !due.Before(x); x = x.NextDay() {
			w, known := c.IsWorkingDay(x)
			if w {
				count++
			}
			wantAssumed = wantAssumed || !known
		}
		if count != ReviewWorkingDays {
			t.Fatalf("%d working days in (%s, %s], want %d", count, opened, due, ReviewWorkingDays)
		}
		if assumed != wantAssumed {
			t.Fatalf("assumed = %v for (%s, %s], want %v", assumed, opened, due, wantAssumed)
		}
		if n, _ := c.WorkingDaysBetween(opened, due); n != ReviewWorkingDays {
			t.Fatalf("WorkingDaysBetween(%s, %s) = %d", opened, due, n)
		}
		if back, _ := c.WorkingDaysBetween(due, opened); back != -ReviewWorkingDays {
			t.Fatalf("WorkingDaysBetween backwards = %d", back)
		}
	}
}

func TestWeekday(t *testing.T) {
	// Against the standard library over four centuries, leap rules included.
	for x := (Date{1900, 1, 1}); x.Before(Date{2300, 1, 1}); x = x.NextDay() {
		want := int(time.Date(x.Year, time.Month(x.Month), x.Day, 0, 0, 0, 0, time.UTC).Weekday())
		if got := x.Weekday(); got != want {
			t.Fatalf("Weekday(%s) = %d, want %d", x, got, want)
		}
	}
	for _, x := range []Date{{1, 1, 1}, {1, 2, 28}, {9999, 12, 31}} {
		want := int(time.Date(x.Year, time.Month(x.Month), x.Day, 0, 0, 0, 0, time.UTC).Weekday())
		if got := x.Weekday(); got != want {
			t.Errorf("Weekday(%s) = %d, want %d", x, got, want)
		}
	}
	if d("2025-10-01").WeekdayName() != "星期三" || !d("2025-09-28").Weekend() || d("2025-09-29").Weekend() {
		t.Errorf("weekday names wrong")
	}
	if d("2024-02-28").NextDay() != d("2024-02-29") || d("2024-12-31").NextDay() != d("2025-01-01") ||
		d("2025-02-28").NextDay() != d("2025-03-01") {
		t.Errorf("NextDay wrong")
	}
}

func TestParseYearCalendar(t *testing.T) {
	y, err := ParseYearCalendar(2025, notices[2025])
	if err != nil {
		t.Fatal(err)
	}
	if len(y.Holidays) != 1+8+3+5+3+8 || len(y.Workdays) != 5 {
		t.Errorf("2025: %d holidays, %d workdays; want 28, 5", len(y.Holidays), len(y.Workdays))
	}
	want := "2025-01-01 休\n2025-01-26 班\n2025-01-28 至 2025-02-04 休\n2025-02-08 班\n2025-04-04 至 2025-04-06 休\n" +
		"2025-04-27 班\n2025-05-01 至 2025-05-05 休\n2025-05-31 至 2025-06-02 休\n2025-09-28 班\n" +
		"2025-10-01 至 2025-10-08 休\n2025-10-11 班\n"
	if got := FormatYearCalendar(y); got != want {
		t.Errorf("FormatYearCalendar =\n%s\nwant\n%s", got, want)
	}
	// Other spellings of the same lines.
	loose, err := ParseYearCalendar(2025, "\uFEFF2025-10-01至2025-10-08休\r\n\t2025-09-28　班 ＃ full-width space and hash\r\n2025-10-11~2025-10-11 班\n2025-10-03 休\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := FormatYearCalendar(loose); got != "2025-09-28 班\n2025-10-01 至 2025-10-08 休\n2025-10-11 班\n" {
		t.Errorf("loose form = %q", got)
	}
	if empty, err := ParseYearCalendar(2025, "  \n# 尚无安排\n"); err != nil || len(empty.Holidays)+len(empty.Workdays) != 0 {
		t.Errorf("an empty calendar = %v, %v", empty, err)
	}

	bad := []struct {
		text string
		want string // the whole error text
	}{
		{"2025-10-01", "第1行：每行应为「日期 休」「日期 班」或「起始日期 至 结束日期 休」，日期格式为YYYY-MM-DD"},
		{"2025-10-01 放假", "第1行：「放假」应为「休」（放假）或「班」（调休上班）"},
		{"2025-10-01 X", "第1行：「X」应为「休」（放假）或「班」（调休上班）"},
		{"2025-13-01 休", "第1行：日期「2025-13-01」格式应为YYYY-MM-DD且为真实日期"},
		{"2025/10/01 休", "第1行：日期「2025/10/01」格式应为YYYY-MM-DD且为真实日期"},
		{"\n2024-12-29 班", "第2行：2024-12-29 不在 2025 年内，请填入 2024 年的工作日历"},
		{"2025-09-29 班", "第1行：2025-09-29 是星期一，本来就是工作日，不能标为「班」（调休上班日是周六或周日）"},
		{"2025-10-08 至 2025-10-01 休", "第1行：起始日期 2025-10-08 晚于结束日期 2025-10-01"},
		{"2025-01-01 至 2025-03-01 休", "第1行：日期范围 2025-01-01 至 2025-03-01 超过 31 天，请分行填写"},
		{"2025-10-01 至 2025-10-08 休\n2025-10-04 班", "第2行：2025-10-04 已在第1行标为「休」，不能再标为「班」"},
		{"2025-10-01 休 国庆", "第1行：每行应为「日期 休」「日期 班」或「起始日期 至 结束日期 休」，日期格式为YYYY-MM-DD"},
		{"2025-10-01 休\n\xff\xfe 休\n2025-10-02 班", "第2行：含有无法识别的字符，请检查文本编码；第3行：2025-10-02 是星期四，本来就是工作日，不能标为「班」（调休上班日是周六或周日）"},
		{strings.Repeat("一二三四五六七八九十", 5) + " 休", "第1行：日期「一二三四五六七八九十一二三四五六七八九十…」格式应为YYYY-MM-DD且为真实日期"},
	}
	for _, tt := range bad {
		_, err := ParseYearCalendar(2025, tt.text)
		var ce CalendarErrors
		if !errors.As(err, &ce) || err.Error() != tt.want {
			t.Errorf("ParseYearCalendar(%q) error =\n  %v\nwant\n  %s", tt.text, err, tt.want)
		}
	}
	// Many mistakes: the first ones by line, then a count.
	_, err = ParseYearCalendar(2025, strings.Repeat("x\n", 30))
	var ce CalendarErrors
	if !errors.As(err, &ce) || len(ce) != maxCalendarErrors || ce[0].Line != 1 || ce[len(ce)-1].Message != "另有 11 处错误" {
		t.Errorf("30 bad lines: %v", err)
	}
	if _, err := ParseYearCalendar(2025, strings.Repeat("\n", maxCalendarLines)); err == nil || err.Error() != "行数过多（最多 1000 行）" {
		t.Errorf("too many lines: %v", err)
	}
	if _, err := ParseYearCalendar(2025, strings.Repeat("#", maxCalendarBytes+1)); err == nil || err.Error() != "内容过长（最多 64 KB）" {
		t.Errorf("too long: %v", err)
	}
	if _, err := ParseYearCalendar(0, ""); err == nil {
		t.Errorf("year 0 accepted")
	}
}

func TestNewCalendarRefusesInvalidYears(t *testing.T) {
	tests := []struct {
		name string
		ys   []YearCalendar
		want string
	}{
		{"day outside the year", []YearCalendar{{Year: 2025, Holidays: []Date{d("2024-12-31")}}}, "2025 年工作日历的放假日中的 2024-12-31 不在该年内"},
		{"unsorted", []YearCalendar{{Year: 2025, Holidays: []Date{d("2025-10-02"), d("2025-10-01")}}}, "2025 年工作日历的放假日未按日期排序或有重复（2025-10-01）"},
		{"invalid date", []YearCalendar{{Year: 2025, Workdays: []Date{{2025, 2, 30}}}}, "2025 年工作日历的调休上班日中有无效日期"},
		{"make-up weekday", []YearCalendar{{Year: 2025, Workdays: []Date{d("2025-09-29")}}}, "2025-09-29 是星期一，本来就是工作日，不能作为调休上班日"},
		{"both", []YearCalendar{{Year: 2025, Holidays: []Date{d("2025-09-28")}, Workdays: []Date{d("2025-09-28")}}}, "2025-09-28 既是放假日又是调休上班日"},
		{"a year twice", []YearCalendar{{Year: 2025}, {Year: 2025}}, "2025 年的工作日历重复"},
		{"year 0", []YearCalendar{{}}, "工作日历年度 0 无效"},
	}
	for _, tt := range tests {
		if _, err := NewCalendar(tt.ys...); err == nil || err.Error() != tt.want {
			t.Errorf("%s: NewCalendar error = %v, want %s", tt.name, err, tt.want)
		}
	}
}

// FuzzParseYearCalendar: any text gives either a valid calendar that
// survives a round trip through its text form, or line errors that point
// into the text.
func FuzzParseYearCalendar(f *testing.F) {
	for _, s := range notices {
		f.Add(2025, s)
	}
	for _, s := range []string{"", "2025-10-01 休", "2025-10-01至2025-10-08休", "2025-09-28 班 #x", "2025-13-01 休",
		"2025-10-01 至", "至 休", "休 班", "\xff", "2025-01-01 至 2025-12-31 休", "2025-02-29 休"} {
		f.Add(2025, s)
	}
	f.Fuzz(func(t *testing.T, year int, text string) {
		y, err := ParseYearCalendar(year, text)
		if err != nil {
			var ce CalendarErrors
			if !errors.As(err, &ce) || len(ce) == 0 || len(ce) > maxCalendarErrors {
				t.Fatalf("error %v is not a short CalendarErrors", err)
			}
			lines := strings.Count(text, "\n") + 1
			for _, le := range ce {
				if le.Line < 0 || le.Line > lines || le.Message == "" {
					t.Fatalf("bad line error %+v for %d lines", le, lines)
				}
			}
			return
		}
		if err := y.Validate(); err != nil {
			t.Fatalf("parsed calendar invalid: %v", err)
		}
		if _, err := NewCalendar(y); err != nil {
			t.Fatalf("NewCalendar: %v", err)
		}
		again, err := ParseYearCalendar(year, FormatYearCalendar(y))
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if FormatYearCalendar(again) != FormatYearCalendar(y) || len(again.Holidays) != len(y.Holidays) ||
			len(again.Workdays) != len(y.Workdays) {
			t.Fatalf("round trip changed the calendar")
		}
	})
}

func BenchmarkReviewDue(b *testing.B) {
	c := calendarOf(b, 2024, 2025, 2026)
	days := []Date{d("2025-09-26"), d("2025-12-20"), d("2024-02-01"), d("2026-06-15")}
	for i := range b.N {
		c.ReviewDue(days[i%len(days)])
	}
}
