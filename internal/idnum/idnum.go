// Package idnum parses, validates and masks the identifiers of quotacert: the
// resident ID number (GB 11643-1999), the unified social credit code
// (GB 32100-2015) and the disability certificate number (DOMAIN.md §2).
//
// It is pure: no I/O and no clock. Where "today" matters (a birth date may not
// lie in the future) the caller passes it in, so results are reproducible and
// testable. Every failure is an Error value carrying a Chinese message that
// can be shown to users as is; nothing here panics on any input.
package idnum

// Error is a validation failure with a user-facing Chinese message. It is a
// string type so that the failures below can be constants, compared with ==
// or errors.Is, and never mutated.
type Error string

// Error returns the Chinese message.
func (e Error) Error() string { return string(e) }

// The failures. Each names the identifier so that a message shown out of
// context still says what was wrong.
const (
	ErrIDLength       Error = "身份证号应为18位"
	ErrIDFormat       Error = "身份证号格式错误（前17位应为数字，最后一位为数字或X）"
	ErrIDChecksum     Error = "身份证号校验位错误"
	ErrIDBirthInvalid Error = "身份证号中的出生日期无效"
	ErrIDBirthFuture  Error = "身份证号中的出生日期晚于当前日期"

	ErrCreditLength   Error = "统一社会信用代码应为18位"
	ErrCreditChar     Error = "统一社会信用代码含非法字符（不使用I、O、Z、S、V）"
	ErrCreditChecksum Error = "统一社会信用代码校验位错误"

	ErrCertFormat Error = "残疾证号格式错误（应为身份证号+类别1-7+等级1-4，补发证件另加B和序号）"
	ErrCertOwner  Error = "残疾证号前18位与身份证号不一致"
)

// Date is a civil date (no time zone) as used for birth dates. It has the
// same fields as rules.Date, so callers convert with rules.Date(d); idnum does
// not import rules because both sit at the bottom of the dependency graph.
type Date struct {
	Year, Month, Day int
}

// after reports whether d is a later day than o.
func (d Date) after(o Date) bool {
	if d.Year != o.Year {
		return d.Year > o.Year
	}
	if d.Month != o.Month {
		return d.Month > o.Month
	}
	return d.Day > o.Day
}

// daysIn returns the number of days of month m of year y (Gregorian).
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// minBirthYear is the earliest birth year accepted. No person born before it
// can be alive, so an earlier year is a typing error, not a real person.
const minBirthYear = 1800
