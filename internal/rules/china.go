package rules

import "time"

// China is the business time zone: UTC+8, with no daylight saving. Servers may run in any zone;
// business "today" (a birth date may not be in the future, the declaration window) and the times
// shown to users are China's. It is built from a fixed offset, so no zone database is needed.
func China() *time.Location { return time.FixedZone("CST", 8*3600) }

// ChinaDate returns the civil date in China at instant t. It is a pure conversion: the caller
// passes the instant.
func ChinaDate(t time.Time) Date {
	t = t.In(China())
	return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}
