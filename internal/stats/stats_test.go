package stats_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/refdata"
	"quotacert/internal/rules"
	"quotacert/internal/stats"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// now is in the window of business year 2025 (2026-03-01 … 2026-10-31).
var now = time.Date(2026, 6, 15, 4, 0, 0, 0, time.UTC)

// seeded is one employer as the test created it, with what it expects of it.
type seeded struct {
	id                                int64
	district, office, nature, economy string
	complete                          bool
	employees                         int
	placements                        map[string]int // by status
	submitted, reopened, certified    bool
	persons, counted, weightMonths    int
	submittedAt, issuedAt             time.Time
	pending, overdue                  int
}

var districts = []string{"220102", "220103", "220104", "220122", "220202", "220203", "220302", "220322"}

// seedYear writes a business year 2025 of n employers with random figures (fixed seed) and returns
// them. Every figure is chosen here and written row by row, so the expected statistics come from
// this slice, not from the SQL under test.
func seedYear(t *testing.T, db *store.DB, n int) []seeded {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(19, 2025))
	natures := []string{"企业", "机关", "事业单位", "社会团体", "民办非企业", ""}
	economies := []string{"国有", "集体", "私营", "外商投资", "港澳台投资", "其他", ""}
	statuses := []string{"draft", "pending", "confirmed", "rejected"}
	var out []seeded
	err := db.InTx(ctx, func(tx *store.Tx) error {
		exec := func(q string, args ...any) error {
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
			return nil
		}
		person := int64(0)
		for i := range n {
			s := seeded{id: int64(i + 1), district: districts[rng.IntN(len(districts))], nature: natures[rng.IntN(len(natures))],
				economy: economies[rng.IntN(len(economies))], employees: 5 + rng.IntN(400), placements: map[string]int{}}
			s.office = s.district
			if rng.IntN(5) == 0 {
				s.office = s.district[:4] + "00" // some are certified by the city's office
			}
			s.complete = s.nature != "" && rng.IntN(6) != 0
			address := ""
			if s.complete {
				address = "示例路 1 号"
			}
			if err := exec(`INSERT INTO employers (id, credit_code, name, federation_office, tax_office, district, contact_name,
                contact_phone, employee_count, address, unit_nature, economy_type, created_at, updated_at)
                VALUES ($1, $2, $3, $4, '12201020000', $5, '张三', '13812345678', $6, $7, $8, $9, $10, $10)`,
				s.id, fmt.Sprintf("CODE%014d", i), fmt.Sprintf("单位%d", i), s.office, s.district, s.employees, address,
				s.nature, s.economy, now); err != nil {
				return err
			}
			for range rng.IntN(4) {
				person++
				st := statuses[rng.IntN(len(statuses))]
				s.placements[st]++
				if err := exec(`INSERT INTO persons (id, id_hash, id_sealed, id_masked, name, gender, created_at)
                    VALUES ($1, $2, $3, 'm', '某', '男', $4)`, person, fmt.Sprintf("h%d", person), []byte{1}, now); err != nil {
					return err
				}
				if err := exec(`INSERT INTO placements (id, employer_id, year, person_id, status, created_at, updated_at)
                    VALUES ($1, $2, 2025, $1, $3, $4, $4)`, person, s.id, st, now); err != nil {
					return err
				}
			}
			if rng.IntN(3) > 0 {
				s.submitted = true
				s.submittedAt = time.Date(2026, time.Month(3+rng.IntN(4)), 1+rng.IntN(28), rng.IntN(24), 0, 0, 0, time.UTC)
				status := "submitted"
				if rng.IntN(8) == 0 {
					status = "reopen-requested"
				}
				if err := exec(`INSERT INTO declarations (id, employer_id, year, status, submitted_at) VALUES ($1, $1, 2025, $2, $3)`,
					s.id, status, s.submittedAt); err != nil {
					return err
				}
				if status == "submitted" && rng.IntN(4) > 0 {
					s.certified = true
					s.persons = rng.IntN(12)
					s.counted = s.persons * (1 + rng.IntN(12))
					s.weightMonths = s.counted + rng.IntN(s.counted+1)
					s.issuedAt = s.submittedAt.Add(time.Duration(rng.IntN(40*24)) * time.Hour)
					if err := exec(`INSERT INTO letters (declaration_id, number, verify_code, status, persons, counted_months,
                        weight_months, federation_office, issued_at) VALUES ($1, $2, $2, 'valid', $3, $4, $5, $6, $7)`,
						s.id, fmt.Sprintf("JL2025-%d", s.id), s.persons, s.counted, s.weightMonths, s.office, s.issuedAt); err != nil {
						return err
					}
				}
				// A cancelled letter never counts.
				if rng.IntN(6) == 0 {
					if err := exec(`INSERT INTO letters (declaration_id, number, verify_code, status, persons, counted_months,
                        weight_months, federation_office, issued_at, cancelled_at) VALUES ($1, $2, $2, 'cancelled', 9, 99, 99, $3, $4, $4)`,
						s.id, fmt.Sprintf("JL2025-%d-old", s.id), s.office, s.submittedAt); err != nil {
						return err
					}
				}
			}
			if s.submitted && rng.IntN(5) == 0 {
				s.reopened = true
				if err := exec(`INSERT INTO review_items (kind, employer_id, year, status, created_at) VALUES ('reopen', $1, 2025, 'approved', $2)`,
					s.id, now); err != nil {
					return err
				}
			}
			for range rng.IntN(3) {
				// Opened 0–60 days ago: the test's calendar says which are overdue.
				opened := now.Add(-time.Duration(rng.IntN(60*24)) * time.Hour)
				s.pending++
				if err := exec(`INSERT INTO review_items (kind, employer_id, year, note, status, created_at) VALUES ('reopen', $1, 2025, 'x', 'pending', $2)`,
					s.id, opened); err != nil {
					return err
				}
				cal := calendar(t)
				if due, _ := cal.ReviewDue(rules.ChinaDate(opened)); due.Before(rules.ChinaDate(now)) {
					s.overdue++
				}
			}
			// Another year's items do not count.
			if err := exec(`INSERT INTO review_items (kind, employer_id, year, status, created_at) VALUES ('reopen', $1, 2024, 'pending', $2)`,
				s.id, now); err != nil {
				return err
			}
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// calendar is the working-day calendar as migration 0701 seeds it, built independently of the
// store from the State Council's 2026 arrangement (the dates the test crosses).
func calendar(t *testing.T) rules.Calendar {
	t.Helper()
	y, err := rules.ParseYearCalendar(2026, "2026-01-01 至 2026-01-03 休\n2026-01-04 班\n2026-02-14 班\n2026-02-15 至 2026-02-23 休\n"+
		"2026-02-28 班\n2026-04-04 至 2026-04-06 休\n2026-05-01 至 2026-05-05 休\n2026-05-09 班\n2026-06-19 至 2026-06-21 休\n"+
		"2026-09-20 班\n2026-09-25 至 2026-09-27 休\n2026-10-01 至 2026-10-07 休\n2026-10-10 班\n")
	if err != nil {
		t.Fatal(err)
	}
	c, err := rules.NewCalendar(y)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// expect computes the figures of the employers keep selects, from the seeded rows.
func expect(t *testing.T, list []seeded, keep func(seeded) bool) stats.Figures {
	t.Helper()
	var f stats.Figures
	for _, s := range list {
		if !keep(s) {
			continue
		}
		f.Employers++
		if s.complete {
			f.ProfilesComplete++
		}
		f.PlacementsDraft += s.placements["draft"]
		f.PlacementsPending += s.placements["pending"]
		f.PlacementsConfirmed += s.placements["confirmed"]
		f.PlacementsRejected += s.placements["rejected"]
		if s.submitted {
			f.Submitted++
		}
		if s.reopened {
			f.Reopened++
		}
		f.PendingReviews += s.pending
		f.PendingOverdue += s.overdue
		if !s.certified {
			continue
		}
		f.Certified++
		f.CertifiedPersons += s.persons
		f.CountedMonths += s.counted
		f.WeightMonths += rules.WeightMonths(s.weightMonths)
		e, err := rules.EstimateLevy(rules.LevyInput{Employees: s.employees, QuotaRatioBP: 160,
			WeightMonths: rules.WeightMonths(s.weightMonths), AverageWage: 95000_00, SocialAverageWage: 95000_00,
			Enterprise: s.nature == "企业", ReductionPeriod: true})
		if err != nil {
			t.Fatal(err)
		}
		f.LevyDue += e.Due
		f.LevyEstimated++
		if e.Shortfall == 0 {
			f.AtQuota++
		}
	}
	return f
}

func staff(office string) actor.Actor {
	return actor.Actor{UserID: 1, Name: "审核员", Role: actor.Reviewer, Office: office}
}

// TestYearStatistics seeds a year and holds every table of the report to the figures computed
// here from the rows the test wrote: the province's view by city, the drill-down into a city by
// county, a county reviewer's view, unit nature, economy type and the months of submission.
func TestYearStatistics(t *testing.T) {
	clock := storetest.NewClock(now)
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		list := seedYear(t, db, 300)
		svc := stats.NewService(store.StatsRunner(db), clock.Now)

		rep, err := svc.Report(ctx, staff("220000"), 2025, "")
		if err != nil {
			t.Fatal(err)
		}
		all := func(seeded) bool { return true }
		if want := expect(t, list, all); rep.Total != want {
			t.Errorf("province total =\n%+v\nwant\n%+v", rep.Total, want)
		}
		if rep.Region.Code != "220000" || len(rep.Path) != 1 || rep.Up != "" || rep.QuotaBP != 160 {
			t.Errorf("province report: region %+v path %v up %q quota %d", rep.Region, rep.Path, rep.Up, rep.QuotaBP)
		}
		cities := map[string]stats.Row{}
		for _, r := range rep.ByRegion {
			cities[r.Key] = r
		}
		for _, city := range []string{"220100", "220200", "220300", "220400"} {
			want := expect(t, list, func(s seeded) bool { return s.district[:4]+"00" == city })
			if got := cities[city]; got.Figures != want || !got.Drill {
				t.Errorf("city %s = %+v\nwant %+v", city, got, want)
			}
		}
		for _, r := range rep.ByNature {
			want := expect(t, list, func(s seeded) bool { return s.nature == r.Key })
			if r.Figures != want {
				t.Errorf("nature %q = %+v\nwant %+v", r.Key, r.Figures, want)
			}
		}
		if len(rep.ByNature) != 6 || rep.ByNature[0].Label != "企业" || rep.ByNature[5].Label != "未填写" {
			t.Errorf("nature rows: %+v", rep.ByNature)
		}
		for _, r := range rep.ByEconomy {
			want := expect(t, list, func(s seeded) bool { return s.economy == r.Key })
			if r.Figures != want {
				t.Errorf("economy %q = %+v\nwant %+v", r.Key, r.Figures, want)
			}
		}
		// Months of submission: the window of 2025 is March to October 2026, in China time.
		if len(rep.ByMonth) != 8 || rep.ByMonth[0].Month != rules.MonthOf(2026, 3) {
			t.Fatalf("months: %+v", rep.ByMonth)
		}
		for _, m := range rep.ByMonth {
			var sub, cert int
			for _, s := range list {
				if s.submitted && rules.ChinaDate(s.submittedAt).YearMonth() == m.Month {
					sub++
				}
				if s.certified && rules.ChinaDate(s.issuedAt).YearMonth() == m.Month {
					cert++
				}
			}
			if m.Submitted != sub || m.Certified != cert {
				t.Errorf("month %s = %d submitted, %d certified; want %d, %d", m.Month, m.Submitted, m.Certified, sub, cert)
			}
		}

		// Drill down into 长春市: its counties.
		rep, err = svc.Report(ctx, staff("220000"), 2025, "220100")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Up != "220000" || len(rep.Path) != 2 {
			t.Errorf("drill-down path %v up %q", rep.Path, rep.Up)
		}
		if want := expect(t, list, func(s seeded) bool { return s.district[:4] == "2201" }); rep.Total != want {
			t.Errorf("长春市 total = %+v\nwant %+v", rep.Total, want)
		}
		for _, r := range rep.ByRegion {
			want := expect(t, list, func(s seeded) bool { return s.district == r.Key })
			if r.Figures != want || r.Drill {
				t.Errorf("county %s = %+v\nwant %+v", r.Key, r.Figures, want)
			}
		}

		// A county reviewer (南关区) sees only the employers its office certifies: not those of
		// 南关区 certified by the city's office, nothing of other counties, and cannot drill up.
		rep, err = svc.Report(ctx, staff("220102"), 2025, "")
		if err != nil {
			t.Fatal(err)
		}
		if want := expect(t, list, func(s seeded) bool { return s.office == "220102" }); rep.Total != want || want.Employers == 0 {
			t.Errorf("南关区 reviewer total = %+v\nwant %+v", rep.Total, want)
		}
		for _, code := range []string{"220100", "220000", "220103"} {
			if _, err := svc.Report(ctx, staff("220102"), 2025, code); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("county reviewer drilling into %s: %v", code, err)
			}
		}
		// The city's reviewer: its own employers and those of its counties' offices.
		rep, err = svc.Report(ctx, staff("220100"), 2025, "")
		if err != nil {
			t.Fatal(err)
		}
		if want := expect(t, list, func(s seeded) bool { return s.office[:4] == "2201" }); rep.Total != want {
			t.Errorf("长春市 reviewer total = %+v\nwant %+v", rep.Total, want)
		}
		if _, err := svc.Report(ctx, actor.Actor{Role: actor.Employer, EmployerID: 1}, 2025, ""); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("employer: %v", err)
		}
		if _, err := svc.Report(ctx, staff("220000"), 2025, "22'--"); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("bad region: %v", err)
		}
	})
}
