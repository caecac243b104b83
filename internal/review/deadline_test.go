package review_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/admin"
	"quotacert/internal/apperr"
	"quotacert/internal/refdata"
	"quotacert/internal/review"
	"quotacert/internal/rules"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// china is a time of day in China on a date.
func china(y, m, d, h int) time.Time {
	return time.Date(y, time.Month(m), d, h, 0, 0, 0, rules.China())
}

// seedItems writes, for an employer of 南关区 and one of 吉林市, review items opened on given days.
func seedItems(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	ids := map[string]int64{}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, e := range []struct {
			id     int64
			office string
		}{{1, "220102"}, {2, "220202"}} {
			if _, err := tx.Exec(ctx, `INSERT INTO employers (id, credit_code, name, federation_office, district, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $4, $5, $5)`, e.id, "CODE"+e.office, "单位"+e.office, e.office, china(2025, 1, 1, 9)); err != nil {
				return err
			}
		}
		for i, p := range []struct {
			name     string
			employer int64
			opened   time.Time
		}{{"A", 1, china(2025, 9, 26, 23)}, {"B", 1, china(2025, 9, 15, 8)}, {"D", 1, china(2025, 10, 9, 0)}, {"F", 2, china(2025, 9, 26, 9)}} {
			id := int64(i + 1)
			if _, err := tx.Exec(ctx, `INSERT INTO persons (id, id_hash, id_sealed, id_masked, name, gender, created_at)
                VALUES ($1, $2, $3, 'm', $4, '女', $5)`, id, "h"+p.name, []byte{1}, "某"+p.name, p.opened); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO placements (id, employer_id, year, person_id, status, created_at, updated_at)
                VALUES ($1, $2, 2025, $1, 'pending', $3, $3)`, id, p.employer, p.opened); err != nil {
				return err
			}
			// The claimed month, selected: once approved it is the placement's counted month (a
			// placement with none stays 未完成, issue 13).
			if _, err := tx.Exec(ctx, `INSERT INTO placement_months (placement_id, person_id, month, passed, selected, weight)
                VALUES ($1, $1, '2025-03', FALSE, TRUE, 1)`, id); err != nil {
				return err
			}
			var item int64
			if err := tx.QueryRow(ctx, `INSERT INTO review_items (kind, employer_id, year, placement_id, month, status, created_at)
                VALUES ('claim', $1, 2025, $2, '2025-03', 'pending', $3) RETURNING id`, p.employer, id, p.opened.UTC()).Scan(&item); err != nil {
				return err
			}
			ids[p.name] = item
		}
		var c int64
		if err := tx.QueryRow(ctx, `INSERT INTO review_items (kind, employer_id, year, note, status, created_at)
            VALUES ('reopen', 1, 2025, '更正', 'pending', $1) RETURNING id`, china(2025, 10, 9, 10).UTC()).Scan(&c); err != nil {
			return err
		}
		ids["C"] = c
		_, err := tx.Exec(ctx, `INSERT INTO declarations (employer_id, year, status) VALUES (1, 2025, 'reopen-requested')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func byID(items []review.Item) map[int64]review.Item {
	out := map[int64]review.Item{}
	for _, it := range items {
		out[it.ID] = it
	}
	return out
}

// TestReviewDeadlines: due dates 20 working days after the day an item was opened, counted on the
// calendar in the database (migration 0701's 2025: 国庆 10-01 to 10-08 off, Sunday 09-28 and
// Saturday 10-11 make-up workdays), recomputed when an administrator changes it; the queue in
// due-date order with the days left; the dashboard's overdue count; batch approval.
func TestReviewDeadlines(t *testing.T) {
	clock := storetest.NewClock(china(2025, 10, 20, 10).UTC()) // Monday
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := seedItems(t, db)
		svc := review.NewService(store.ReviewRunner(db), nil, clock.Now)
		county := actor.Actor{UserID: 0, Name: "南关审核员", Role: actor.Reviewer, Office: "220102"}

		items, err := svc.Queue(ctx, county, review.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		// Worked out by hand: from Friday 09-26, 09-28 (make-up Sunday) is the 1st working day,
		// 09-29 and 09-30 the 2nd and 3rd, 10-09 and 10-10 the 4th and 5th, Saturday 10-11 the
		// 6th, then Monday 10-13 … Thursday 10-30 the 7th to 20th. An item opened late at night
		// is due on the same day as one opened in the morning.
		want := map[string]struct {
			due  string
			left int
		}{"A": {"2025-10-30", 8}, "B": {"2025-10-17", -1}, "D": {"2025-11-05", 12}, "C": {"2025-11-05", 12}}
		got := byID(items)
		if len(items) != 4 {
			t.Fatalf("county queue: %d items, want 4 (吉林市's item is not the county's)", len(items))
		}
		for name, w := range want {
			d := got[ids[name]].Deadline
			if d.Due.String() != w.due || d.Left != w.left || d.Assumed || !d.Pending {
				t.Errorf("item %s: deadline %+v, want due %s, %d working days left", name, d, w.due, w.left)
			}
		}
		if !got[ids["B"]].Deadline.Overdue() || got[ids["A"]].Deadline.Overdue() || !strings.Contains(got[ids["B"]].Deadline.Label(), "已超期 1 个工作日") {
			t.Errorf("overdue flags: B %+v A %+v", got[ids["B"]].Deadline, got[ids["A"]].Deadline)
		}
		// Due-date order: B (10-17), A (10-30), then D and C (11-05).
		for i := 1; i < len(items); i++ {
			if items[i].Deadline.Due.Before(items[i-1].Deadline.Due) {
				t.Errorf("queue not in due-date order: %s before %s", items[i-1].Deadline.Due, items[i].Deadline.Due)
			}
		}
		d, err := svc.Dashboard(ctx, county, 2025)
		if err != nil {
			t.Fatal(err)
		}
		if d.Overdue != 1 || d.DueSoon != 0 {
			t.Errorf("dashboard overdue %d, due soon %d; want 1, 0", d.Overdue, d.DueSoon)
		}
		// A week on (Monday 10-27) A is due within three working days (10-28, 10-29, 10-30).
		clock.Advance(7 * 24 * time.Hour)
		if d, err = svc.Dashboard(ctx, county, 2025); err != nil || d.Overdue != 1 || d.DueSoon != 1 {
			t.Errorf("on 10-27: overdue %d, due soon %d, %v; want 1, 1", d.Overdue, d.DueSoon, err)
		}
		clock.Advance(-7 * 24 * time.Hour)

		// The administrator finds that 10-11 was entered by mistake: A's due date moves to 10-31.
		adm := admin.NewService(store.AdminRunner(db))
		cals, err := adm.Calendars(ctx, actor.System("test"))
		if err != nil {
			t.Fatal(err)
		}
		var text2025 string
		for _, c := range cals {
			if c.Year == 2025 {
				text2025 = c.Text
			}
		}
		if !strings.Contains(text2025, "2025-10-01 至 2025-10-08 休") || !strings.Contains(text2025, "2025-10-11 班") {
			t.Fatalf("2025 calendar as seeded:\n%s", text2025)
		}
		if _, err := adm.SaveCalendar(ctx, actor.System("test"), "2025", strings.Replace(text2025, "2025-10-11 班\n", "", 1)); err != nil {
			t.Fatal(err)
		}
		if _, err := adm.SaveCalendar(ctx, actor.System("test"), "2025", "2025-10-01 至 2025-10-08 班\n"); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("a make-up run on weekdays: %v", err)
		}
		cityAdmin := actor.Actor{Name: "市管理员", Role: actor.Admin, Office: "220100"}
		if _, err := adm.SaveCalendar(ctx, cityAdmin, "2025", text2025); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("a city administrator saving the province's calendar: %v", err)
		}
		if items, err = svc.Queue(ctx, county, review.Filter{}); err != nil {
			t.Fatal(err)
		}
		if due := byID(items)[ids["A"]].Deadline.Due.String(); due != "2025-10-31" {
			t.Errorf("after the correction A is due %s, want 2025-10-31", due)
		}

		// Batch approval: A and D with one comment, each decided, messaged and audited.
		res, err := svc.ApproveClaims(ctx, county, []int64{ids["A"], ids["D"], ids["A"]}, "材料齐全")
		if err != nil || res.Approved != 2 || res.Already != 0 {
			t.Fatalf("batch: %+v, %v", res, err)
		}
		// Again (a double submit): nothing changes.
		if res, err = svc.ApproveClaims(ctx, county, []int64{ids["A"], ids["D"]}, "材料齐全"); err != nil || res.Approved != 0 || res.Already != 2 {
			t.Errorf("batch again: %+v, %v", res, err)
		}
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(`SELECT COUNT(*) FROM audit_log WHERE action = 'review.decide' AND object_id IN ($1, $2)`,
			itoa(ids["A"]), itoa(ids["D"])); n != 2 {
			t.Errorf("audit entries of the batch: %d, want one per claim", n)
		}
		if n := count(`SELECT COUNT(*) FROM review_items WHERE id IN ($1, $2) AND status = 'approved' AND comment = '材料齐全'`, ids["A"], ids["D"]); n != 2 {
			t.Errorf("approved with the comment: %d", n)
		}
		if n := count(`SELECT COUNT(*) FROM messages WHERE employer_id = 1 AND kind = 'review'`); n != 2 {
			t.Errorf("messages of the batch: %d", n)
		}
		if n := count(`SELECT COUNT(*) FROM placements WHERE id IN (1, 3) AND status = 'confirmed'`); n != 2 {
			t.Errorf("placements confirmed: %d", n)
		}
		// A batch with a reopen request, or with another county's claim, changes nothing.
		for _, batch := range [][]int64{{ids["B"], ids["C"]}, {ids["B"], ids["F"]}} {
			if _, err := svc.ApproveClaims(ctx, county, batch, ""); err == nil {
				t.Errorf("batch %v accepted", batch)
			}
			if n := count(`SELECT COUNT(*) FROM review_items WHERE id = $1 AND status = 'pending'`, ids["B"]); n != 1 {
				t.Errorf("batch %v changed B", batch)
			}
		}
		if _, err := svc.ApproveClaims(ctx, county, nil, ""); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("empty batch: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
