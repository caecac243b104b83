// Package stats is the federation's statistics of a business year (统计分析): the figures of the
// employers in the staff member's office subtree, broken down by region (province → city →
// county, drilling down), by unit nature, by economy type and by month of submission. Every table
// is computed by one aggregate query in the store; this package decides who sees what, arranges
// the rows and names the columns, so the page, its charts and the CSV/XLSX exports agree.
package stats

import (
	"context"
	"strings"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/employer"
	"quotacert/internal/rules"
)

// Figures are the counts of one row (a region, a unit nature, an economy type) or of the total.
type Figures struct {
	Employers        int // registered employers certified by an office of the subtree
	ProfilesComplete int // with every required profile field (employer.Complete)
	// Placements by status (placement.Status): 未完成, 待审核, 已确认, 审核不通过.
	PlacementsDraft, PlacementsPending, PlacementsConfirmed, PlacementsRejected int
	Submitted                                                                   int // declarations submitted (a reopen request waiting still counts as submitted)
	Reopened                                                                    int // employers whose reopen request (年审认证反馈) was approved this year
	Certified                                                                   int // employers with a valid certification letter
	// Of the valid letters: persons, counted months and weight-months (equivalent persons × 12).
	CertifiedPersons, CountedMonths int
	WeightMonths                    rules.WeightMonths
	// LevyDue is the estimated levy of the certified employers (rules.EstimateLevy with the
	// social average wage as the wage); LevyEstimated counts those it could be estimated for (the
	// year's levy parameters of their province exist).
	LevyDue       rules.Fen
	LevyEstimated int
	// AtQuota counts the certified employers at or above the quota ratio (超比例 or exactly at it).
	AtQuota int
	// Pending review items, and those of them past their due date (法定办结时限).
	PendingReviews, PendingOverdue int
}

// Add sums two rows (the oldest pending item is the earlier one).
func (f Figures) Add(g Figures) Figures {
	f.Employers += g.Employers
	f.ProfilesComplete += g.ProfilesComplete
	f.PlacementsDraft += g.PlacementsDraft
	f.PlacementsPending += g.PlacementsPending
	f.PlacementsConfirmed += g.PlacementsConfirmed
	f.PlacementsRejected += g.PlacementsRejected
	f.Submitted += g.Submitted
	f.Reopened += g.Reopened
	f.Certified += g.Certified
	f.CertifiedPersons += g.CertifiedPersons
	f.CountedMonths += g.CountedMonths
	f.WeightMonths += g.WeightMonths
	f.LevyDue += g.LevyDue
	f.LevyEstimated += g.LevyEstimated
	f.AtQuota += g.AtQuota
	f.PendingReviews += g.PendingReviews
	f.PendingOverdue += g.PendingOverdue
	return f
}

// AtQuotaShare is the share of certified employers at or above the quota ratio, in percent.
func (f Figures) AtQuotaShare() float64 {
	if f.Certified == 0 {
		return 0
	}
	return float64(f.AtQuota) * 100 / float64(f.Certified)
}

// PendingAgeDays is the age in whole days of the oldest pending item at the report's time (0 when
// none).
func (r Report) PendingAgeDays() int {
	if r.OldestPending.IsZero() {
		return 0
	}
	return int(r.GeneratedAt.Sub(r.OldestPending).Hours() / 24)
}

// Row is a row of a breakdown: its key (a region code, a unit nature), its label, its figures.
// Drill is true when the row is a region with regions below it (the page links to them).
type Row struct {
	Key, Label string
	Drill      bool
	Figures
}

// Month is the submissions and certifications of one calendar month (China time).
type Month struct {
	Month     rules.Month
	Submitted int // declarations whose (latest) submission fell in the month
	Certified int // valid letters issued in the month
}

// Report is the statistics page of a year.
type Report struct {
	Year int
	// Region is the region the breakdown is drilled into, with the path from the top of the
	// staff member's scope down to it (for the breadcrumb).
	Region Region
	Path   []Region
	// Up is the region one level up within the scope ("" at the top).
	Up          string
	Total       Figures
	ByRegion    []Row
	ByNature    []Row
	ByEconomy   []Row
	ByMonth     []Month
	QuotaBP     int // the quota ratio of the province (0 when not configured)
	GeneratedAt time.Time
	// OldestPending is when the oldest pending item of the region was opened (zero: none).
	OldestPending time.Time
}

// Region is a region of the drill-down.
type Region struct {
	Code, Name string
	Parent     string
}

// Level is the depth of a region code: 1 province (xx0000), 2 city (xxxx00), 3 county.
func Level(code string) int {
	switch {
	case strings.HasSuffix(code, "0000"):
		return 1
	case strings.HasSuffix(code, "00"):
		return 2
	}
	return 3
}

// Prefix is the code prefix the employers of a region share (2, 4 or 6 digits).
func Prefix(code string) string { return code[:2*Level(code)] }

// Query is what the store aggregates: the employers certified by the office subtree whose district
// starts with Prefix (the region drilled into), in business year Year.
type Query struct {
	Office string
	Year   int
	Prefix string
	// Top: the region is the top of the scope, so employers without a district count too (a
	// new registration has none yet).
	Top bool
	// ReductionPeriod: the levy reduction rules apply to the year (rules.LevyInput).
	ReductionPeriod bool
	// OverdueBefore: pending items opened before it are overdue (rules.ReviewOverdueBefore).
	OverdueBefore time.Time
	// Months are the boundaries of the month buckets of the submission chart: month i covers
	// [Months[i], Months[i+1]); the instants are China midnights of the first days.
	Months []time.Time
}

// Cell is a group of employers of the aggregate: the child region of the prefix (a city below a
// province, the county itself below a city or a county; "" without a district), the unit nature
// and the economy type. Every breakdown of the page is a sum of cells, so the employers are
// aggregated once.
type Cell struct {
	Region, Nature, Economy string
}

// Tx is the statistics' port over one transaction.
type Tx interface {
	Now() time.Time
	// OfficeRegion is the region an office serves.
	OfficeRegion(ctx context.Context, office string) (string, error)
	// Region loads a region; found is false for an unknown code.
	Region(ctx context.Context, code string) (r Region, found bool, err error)
	// Figures aggregates q's employers by cell.
	Figures(ctx context.Context, q Query) (map[Cell]Figures, error)
	// SubmissionMonths counts submissions and letters per bucket of q.Months.
	SubmissionMonths(ctx context.Context, q Query) (submitted, certified []int, err error)
	// ChildRegions lists the regions directly below code.
	ChildRegions(ctx context.Context, code string) ([]Region, error)
	// QuotaBP is the quota ratio of the province and year (found false when not configured).
	QuotaBP(ctx context.Context, province string, year int) (bp int, found bool, err error)
	// Year loads a business year.
	Year(ctx context.Context, year int) (y rules.BusinessYear, found bool, err error)
	// WorkCalendar is the working-day calendar of every year entered.
	WorkCalendar(ctx context.Context) (rules.Calendar, error)
	// OldestPending is the opening time of q's oldest pending item (zero when none).
	OldestPending(ctx context.Context, q Query) (time.Time, error)
}

// Service runs the statistics use cases.
type Service struct {
	run func(ctx context.Context, fn func(Tx) error) error
	now func() time.Time
}

// NewService wires the service.
func NewService(run func(ctx context.Context, fn func(Tx) error) error, now func() time.Time) *Service {
	return &Service{run: run, now: now}
}

// ReductionPeriod is the levy reduction period (财政部公告2019年第98号, 2023年第8号), the same
// years as the declaration's estimate.
func ReductionPeriod(year int) bool { return year >= 2020 && year <= 2027 }

// Report computes the statistics of year for the staff member, drilled into region ("" = the top
// of the staff member's scope: the region its office serves). A region outside the scope is not
// found; year 0 is the business year being declared now.
func (s *Service) Report(ctx context.Context, a actor.Actor, year int, region string) (Report, error) {
	if !a.IsStaff() || a.Office == "" {
		return Report{}, apperr.New(apperr.Forbidden, "只有残联工作人员可以查看统计")
	}
	if year == 0 {
		year = rules.ChinaDate(s.now()).Year - 1
	}
	if year < 2000 || year > 2100 {
		return Report{}, apperr.FieldErrors(map[string]string{"year": "年度应在 2000 至 2100 之间"})
	}
	if region != "" && (len(region) != 6 || strings.Trim(region, "0123456789") != "") {
		return Report{}, apperr.FieldErrors(map[string]string{"region": "行政区划代码应为 6 位数字"})
	}
	rep := Report{Year: year, GeneratedAt: s.now()}
	err := s.run(ctx, func(tx Tx) error {
		top, err := tx.OfficeRegion(ctx, a.Office)
		if err != nil {
			return err
		}
		if region == "" {
			region = top
		}
		// The drill-down stays inside the office's region: a county reviewer cannot look at the
		// city by typing its code (its subtree holds only the county's employers anyway).
		if !strings.HasPrefix(region, Prefix(top)) {
			return apperr.NotFoundf("该地区的统计")
		}
		r, found, err := tx.Region(ctx, region)
		if err != nil {
			return err
		}
		if !found {
			return apperr.NotFoundf("该地区的统计")
		}
		rep.Region = r
		for c := r; ; {
			rep.Path = append([]Region{c}, rep.Path...)
			if c.Code == top || c.Parent == "" {
				break
			}
			if c, found, err = tx.Region(ctx, c.Parent); err != nil {
				return err
			} else if !found {
				break
			}
		}
		if r.Code != top {
			rep.Up = r.Parent
		}
		q := Query{Office: a.Office, Year: year, Prefix: Prefix(r.Code), Top: r.Code == top, ReductionPeriod: ReductionPeriod(year)}
		cal, err := tx.WorkCalendar(ctx)
		if err != nil {
			return err
		}
		q.OverdueBefore = rules.ChinaStart(cal.ReviewOverdueBefore(rules.ChinaDate(rep.GeneratedAt)))
		if rep.OldestPending, err = tx.OldestPending(ctx, q); err != nil {
			return err
		}
		if y, ok, err := tx.Year(ctx, year); err != nil {
			return err
		} else if ok {
			q.Months = monthBounds(y.WindowOpen.YearMonth(), y.WindowClose.YearMonth())
		} else {
			open, close := rules.DefaultWindow(year)
			q.Months = monthBounds(open.YearMonth(), close.YearMonth())
		}
		if rep.QuotaBP, _, err = tx.QuotaBP(ctx, r.Code[:2]+"0000", year); err != nil {
			return err
		}
		return s.fill(ctx, tx, q, r, &rep)
	})
	return rep, err
}

func (s *Service) fill(ctx context.Context, tx Tx, q Query, r Region, rep *Report) error {
	cells, err := tx.Figures(ctx, q)
	if err != nil {
		return err
	}
	byRegion, byNature, byEconomy := map[string]Figures{}, map[string]Figures{}, map[string]Figures{}
	for c, f := range cells {
		byRegion[c.Region] = byRegion[c.Region].Add(f)
		byNature[c.Nature] = byNature[c.Nature].Add(f)
		byEconomy[c.Economy] = byEconomy[c.Economy].Add(f)
	}
	if Level(r.Code) < 3 {
		kids, err := tx.ChildRegions(ctx, r.Code)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, k := range kids {
			seen[k.Code] = true
			rep.ByRegion = append(rep.ByRegion, Row{Key: k.Code, Label: k.Name, Drill: Level(k.Code) < 3, Figures: byRegion[k.Code]})
		}
		for key, f := range byRegion { // employers whose district is not (or no longer) below r
			if !seen[key] {
				rep.ByRegion = append(rep.ByRegion, Row{Key: key, Label: "其他（" + orNone(key) + "）", Figures: f})
			}
		}
	} else {
		for key, f := range byRegion {
			rep.ByRegion = append(rep.ByRegion, Row{Key: key, Label: r.Name, Figures: f})
		}
	}
	for _, row := range rep.ByRegion {
		rep.Total = rep.Total.Add(row.Figures)
	}
	rep.ByNature = listed(byNature, employer.UnitNatures())
	rep.ByEconomy = listed(byEconomy, employer.EconomyTypes())
	sub, cert, err := tx.SubmissionMonths(ctx, q)
	if err != nil {
		return err
	}
	first := rules.ChinaDate(q.Months[0]).YearMonth()
	for i := range len(q.Months) - 1 {
		rep.ByMonth = append(rep.ByMonth, Month{Month: first.Add(i), Submitted: sub[i], Certified: cert[i]})
	}
	return nil
}

func orNone(key string) string {
	if key == "" {
		return "未填写行政区"
	}
	return key
}

// listed arranges a breakdown in the order of its list, with a last row for employers that have
// none of the listed values ("未填写").
func listed(m map[string]Figures, keys []string) []Row {
	var out []Row
	for _, k := range keys {
		out = append(out, Row{Key: k, Label: k, Figures: m[k]})
		delete(m, k)
	}
	var rest Figures
	for _, f := range m {
		rest = rest.Add(f)
	}
	if rest.Employers > 0 {
		out = append(out, Row{Key: "", Label: "未填写", Figures: rest})
	}
	return out
}

// monthBounds are the China midnights of the first days of the months from first to last, and of
// the month after last: the bucket boundaries. At most 24 months.
func monthBounds(first, last rules.Month) []time.Time {
	if last < first {
		last = first
	}
	if last-first > 23 {
		last = first + 23
	}
	var out []time.Time
	for m := first; m <= last+1; m++ {
		d := m.First()
		out = append(out, time.Date(d.Year, time.Month(d.Month), 1, 0, 0, 0, 0, rules.China()))
	}
	return out
}
