package rules

import "time"

// ChinaDate returns the civil date in China (UTC+8, no daylight saving) at instant t. Servers may run
// in any zone; business "today" (a birth date may not be in the future, the declaration window) is
// always China's date. It is a pure conversion: the caller passes the instant.
func ChinaDate(t time.Time) Date {
	t = t.In(time.FixedZone("UTC+8", 8*3600))
	return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}
