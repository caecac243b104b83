package rules

import "time"

// ReviewOverdueBefore is the first day whose review items are not overdue on today: an item
// opened on day o is overdue when ReviewDue(o) is before today, and ReviewDue never decreases as
// o grows, so the items opened before the returned day are exactly the overdue ones. A query can
// then count them with one comparison of the opening time.
func (c Calendar) ReviewOverdueBefore(today Date) Date {
	cutoff := today
	// 20 working days lie within a few months whatever the holidays; the bound stops a calendar
	// without working days (an administrator's mistake) from looping.
	for range 400 {
		prev := cutoff.PrevDay()
		if due, _ := c.ReviewDue(prev); due.Before(today) {
			break
		}
		cutoff = prev
	}
	return cutoff
}

// ReviewDueWithinBefore is the first day whose items are due later than n working days after
// today: the items opened in [ReviewOverdueBefore(today), this day) are due within n working days.
func (c Calendar) ReviewDueWithinBefore(today Date, n int) Date {
	limit, _ := c.AddWorkingDays(today, n)
	d := c.ReviewOverdueBefore(today)
	for range 400 {
		if due, _ := c.ReviewDue(d); limit.Before(due) {
			break
		}
		d = d.NextDay()
	}
	return d
}

// ChinaStart is the instant the China date d begins.
func ChinaStart(d Date) time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, China())
}
