package store

import (
	"context"
	"fmt"

	"quotacert/internal/rules"
)

// The business years (DOMAIN.md §7), one reading for every port that needs them.

const yearColumns = `year, window_open, window_close, pledge_version, cert_valid_at_submission`

func scanYear(scan func(...any) error) (rules.BusinessYear, error) {
	var y rules.BusinessYear
	var open, close string
	if err := scan(&y.Year, &open, &close, &y.PledgeVersion, &y.CertValidAtSubmission); err != nil {
		return y, err
	}
	var err error
	if y.WindowOpen, err = rules.ParseDate(open); err != nil {
		return y, fmt.Errorf("business year %d window_open %q: %w", y.Year, open, err)
	}
	if y.WindowClose, err = rules.ParseDate(close); err != nil {
		return y, fmt.Errorf("business year %d window_close %q: %w", y.Year, close, err)
	}
	return y, nil
}

// businessYears lists the business years, newest first.
func (tx *txn) businessYears(ctx context.Context) ([]rules.BusinessYear, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+yearColumns+` FROM business_years ORDER BY year DESC`)
	if err != nil {
		return nil, fmt.Errorf("list business years: %w", err)
	}
	defer rows.Close()
	var out []rules.BusinessYear
	for rows.Next() {
		y, err := scanYear(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("scan business year: %w", err)
		}
		out = append(out, y)
	}
	return out, rows.Err()
}

// businessYear loads one business year; found is false for an unknown year.
func (tx *txn) businessYear(ctx context.Context, year int) (rules.BusinessYear, bool, error) {
	y, err := scanYear(tx.tx.QueryRowContext(ctx, `SELECT `+yearColumns+` FROM business_years WHERE year = $1`, year).Scan)
	if isNoRows(err) {
		return y, false, nil
	}
	if err != nil {
		return y, false, fmt.Errorf("load business year %d: %w", year, err)
	}
	return y, true, nil
}

// workCalendars loads the arrangements of the working-day calendar, one per year, in year order;
// year 0 loads every year, another year only that one.
func (tx *txn) workCalendars(ctx context.Context, year int) ([]rules.YearCalendar, error) {
	pattern := "%"
	if year != 0 {
		pattern = fmt.Sprintf("%04d-%%", year)
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT day, workday FROM work_calendar WHERE day LIKE $1 ORDER BY day`, pattern)
	if err != nil {
		return nil, fmt.Errorf("work calendar: %w", err)
	}
	defer rows.Close()
	var out []rules.YearCalendar
	for rows.Next() {
		var s string
		var workday bool
		if err := rows.Scan(&s, &workday); err != nil {
			return nil, fmt.Errorf("scan work calendar: %w", err)
		}
		d, err := rules.ParseDate(s)
		if err != nil {
			return nil, fmt.Errorf("work calendar day %q: %w", s, err)
		}
		if len(out) == 0 || out[len(out)-1].Year != d.Year {
			out = append(out, rules.YearCalendar{Year: d.Year})
		}
		y := &out[len(out)-1]
		if workday {
			y.Workdays = append(y.Workdays, d)
		} else {
			y.Holidays = append(y.Holidays, d)
		}
	}
	return out, rows.Err()
}

// workCalendar builds the calendar of every year entered.
func (tx *txn) workCalendar(ctx context.Context) (rules.Calendar, error) {
	years, err := tx.workCalendars(ctx, 0)
	if err != nil {
		return rules.Calendar{}, err
	}
	c, err := rules.NewCalendar(years...)
	if err != nil {
		return rules.Calendar{}, fmt.Errorf("work calendar: %w", err)
	}
	return c, nil
}
