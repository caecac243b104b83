package rules

import (
	"strconv"
	"strings"
)

// ParseError is the failure of a Parse function: a Chinese message that a
// caller may show next to the offending field. A string type so that the
// messages can be constants.
type ParseError string

// Error returns the Chinese message.
func (e ParseError) Error() string { return string(e) }

// Parse failures.
const (
	ErrDateFormat  ParseError = "日期格式应为YYYY-MM-DD且为真实日期"
	ErrMonthFormat ParseError = "月份格式应为YYYY-MM"
	ErrYuanFormat  ParseError = "金额格式错误（以元为单位，最多两位小数）"
	ErrYuanRange   ParseError = "金额超出范围"
)

// Date is a civil date: year, month and day with no time zone. Business
// dates (birth, contract start, certificate expiry) are days on a calendar,
// not instants, so time.Time with its zone would only invite off-by-one-day
// errors. The zero Date means "no date" (an open-ended contract, a
// certificate without expiry).
type Date struct {
	Year, Month, Day int
}

// IsZero reports whether d is the zero Date, used for "none".
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d is a real Gregorian date in years 1–9999.
func (d Date) Valid() bool {
	return d.Year >= 1 && d.Year <= 9999 && d.Month >= 1 && d.Month <= 12 &&
		d.Day >= 1 && d.Day <= DaysIn(d.Year, d.Month)
}

// DaysIn returns the number of days of the given month.
func DaysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// key orders dates; it is monotonic for valid dates.
func (d Date) key() int { return (d.Year*16+d.Month)*32 + d.Day }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	a, b := d.key(), o.key()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool { return d.key() < o.key() }

// YearMonth returns the month that contains d.
func (d Date) YearMonth() Month { return MonthOf(d.Year, d.Month) }

// AddMonths returns d moved by n calendar months. When the target month is
// shorter than d's day, the result is the target month's last day: 民法典
// art. 203 ends a period counted in months "on the last day of the month
// when there is no corresponding day". Birthdays (age 16, retirement) use
// it, so a person born on 31 January reaches an age in February on the
// 28th/29th, never in March.
func (d Date) AddMonths(n int) Date {
	m := d.YearMonth().Add(n)
	day := d.Day
	if last := DaysIn(m.Year(), m.Number()); day > last {
		day = last
	}
	return Date{Year: m.Year(), Month: m.Number(), Day: day}
}

// PrevDay returns the day before d.
func (d Date) PrevDay() Date {
	if d.Day > 1 {
		return Date{d.Year, d.Month, d.Day - 1}
	}
	m := d.YearMonth().Add(-1)
	return m.Last()
}

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	b := make([]byte, 0, 10)
	b = appendPad(b, d.Year, 4)
	b = append(b, '-')
	b = appendPad(b, d.Month, 2)
	b = append(b, '-')
	b = appendPad(b, d.Day, 2)
	return string(b)
}

// ParseDate parses exactly YYYY-MM-DD and requires a real date, so that
// "2025-02-30" is an input error rather than silently becoming March.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, ErrDateFormat
	}
	y, ok1 := atoi(s[0:4])
	m, ok2 := atoi(s[5:7])
	d, ok3 := atoi(s[8:10])
	date := Date{y, m, d}
	if !ok1 || !ok2 || !ok3 || !date.Valid() {
		return Date{}, ErrDateFormat
	}
	return date, nil
}

// Month is a calendar month (YYYY-MM), stored as year·12 + month − 1 so
// that months compare with < and step with +. The grid of a business year
// is twelve of them.
type Month int32

// MonthOf returns the month of the given year and month number (1–12).
func MonthOf(year, month int) Month { return Month(year*12 + month - 1) }

// Year returns the month's year.
func (m Month) Year() int { return int(m) / 12 }

// Number returns the month number, 1–12.
func (m Month) Number() int { return int(m)%12 + 1 }

// Add returns the month n months later (earlier for negative n).
func (m Month) Add(n int) Month { return m + Month(n) }

// First returns first(m), the month's first day.
func (m Month) First() Date { return Date{m.Year(), m.Number(), 1} }

// Last returns last(m), the month's last day.
func (m Month) Last() Date {
	return Date{m.Year(), m.Number(), DaysIn(m.Year(), m.Number())}
}

// String formats m as YYYY-MM.
func (m Month) String() string {
	var b [7]byte
	return string(m.appendTo(b[:0]))
}

// appendTo appends YYYY-MM to b.
func (m Month) appendTo(b []byte) []byte {
	b = appendPad(b, m.Year(), 4)
	b = append(b, '-')
	return appendPad(b, m.Number(), 2)
}

// ParseMonth parses exactly YYYY-MM (year 0001–9999, month 01–12).
func ParseMonth(s string) (Month, error) {
	if len(s) != 7 || s[4] != '-' {
		return 0, ErrMonthFormat
	}
	y, ok1 := atoi(s[0:4])
	m, ok2 := atoi(s[5:7])
	if !ok1 || !ok2 || y < 1 || m < 1 || m > 12 {
		return 0, ErrMonthFormat
	}
	return MonthOf(y, m), nil
}

// atoi parses a run of ASCII digits only (no sign, no spaces).
func atoi(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// appendPad appends n zero-padded to width digits.
func appendPad(b []byte, n, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// ParseTypedDate reads a date as people type it: YYYY-MM-DD, or with one- or two-digit month and
// day and "/", "." or "-" between the parts ("2025/1/1", "2025.01.01"), or 年月日 ("2025年1月1日"),
// or eight digits ("20250101"). Spaces around the date are ignored. The date must be real, as for
// ParseDate; stored and exchanged dates keep the strict ParseDate.
func ParseTypedDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if _, digits := atoi(s); digits && len(s) == 8 {
		if y, ok := atoi(s[0:4]); ok {
			if m, ok := atoi(s[4:6]); ok {
				if d, ok := atoi(s[6:8]); ok {
					if date := (Date{y, m, d}); date.Valid() {
						return date, nil
					}
				}
			}
		}
		return Date{}, ErrDateFormat
	}
	if rest, ok := strings.CutSuffix(s, "日"); ok {
		s = strings.NewReplacer("年", "-", "月", "-").Replace(rest)
	}
	var parts []string
	for _, sep := range []string{"-", "/", "."} {
		if strings.Contains(s, sep) {
			parts = strings.Split(s, sep)
			break
		}
	}
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) < 1 || len(parts[2]) > 2 {
		return Date{}, ErrDateFormat
	}
	y, ok1 := atoi(parts[0])
	m, ok2 := atoi(parts[1])
	d, ok3 := atoi(parts[2])
	date := Date{y, m, d}
	if !ok1 || !ok2 || !ok3 || !date.Valid() {
		return Date{}, ErrDateFormat
	}
	return date, nil
}
