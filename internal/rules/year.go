package rules

// BusinessYear is a year employers certify (业务年度, DOMAIN.md §7): the declaration window in which
// it is declared, the pledge version accepted at submission, and the switch of §10.
type BusinessYear struct {
	Year        int
	WindowOpen  Date
	WindowClose Date
	// PledgeVersion names the commitment text (承诺书) an employer accepts when it submits.
	PledgeVersion string
	// CertValidAtSubmission: every person must hold a certificate valid on the day of submission
	// (残联厅函〔2022〕63号 suggests it; a per-year switch, off by default — DOMAIN.md §10).
	CertValidAtSubmission bool
}

// InWindow reports whether the declaration window is open on day d (both ends included).
func (y BusinessYear) InWindow(d Date) bool {
	return !d.Before(y.WindowOpen) && !y.WindowClose.Before(d)
}

// DefaultWindow is the declaration window a new business year gets (DOMAIN.md §7 Decision): from
// 1 March to 31 October of the following year.
func DefaultWindow(year int) (open, close Date) {
	return Date{year + 1, 3, 1}, Date{year + 1, 10, 31}
}

// CurrentYear picks, among years (newest first), the year a page shows on day today: the newest
// whose declaration window is open, else the newest whose window has opened, else the oldest (the
// employer declares the previous year during the window); 0 when there is none.
func CurrentYear(years []BusinessYear, today Date) int {
	for _, y := range years {
		if y.InWindow(today) {
			return y.Year
		}
	}
	for _, y := range years {
		if !today.Before(y.WindowOpen) {
			return y.Year
		}
	}
	if len(years) > 0 {
		return years[len(years)-1].Year
	}
	return 0
}
