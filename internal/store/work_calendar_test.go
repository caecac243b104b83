package store_test

import (
	"context"
	"slices"
	"testing"

	"quotacert/internal/rules"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// notice2026 is 《国务院办公厅关于2026年部分节假日安排的通知》 (2025-11-04) in the calendar page's
// text form, item by item as Xinhua published it:
// https://politics.gmw.cn/2025-11/04/content_38391083.htm
const notice2026 = `
2026-01-01 至 2026-01-03 休 # 一、元旦
2026-01-04 班
2026-02-15 至 2026-02-23 休 # 二、春节
2026-02-14 班
2026-02-28 班
2026-04-04 至 2026-04-06 休 # 三、清明节
2026-05-01 至 2026-05-05 休 # 四、劳动节
2026-05-09 班
2026-06-19 至 2026-06-21 休 # 五、端午节
2026-09-25 至 2026-09-27 休 # 六、中秋节
2026-10-01 至 2026-10-07 休 # 七、国庆节
2026-09-20 班
2026-10-10 班
`

// TestWorkCalendar2026IsTheNotice holds the 2026 rows that migration 0701 seeds (review deadlines
// count working days on them) to the State Council's notice: every holiday and make-up workday, no
// other day.
func TestWorkCalendar2026IsTheNotice(t *testing.T) {
	want, err := rules.ParseYearCalendar(2026, notice2026)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		rows, err := db.SQL().QueryContext(context.Background(), `SELECT day, workday FROM work_calendar WHERE day LIKE '2026-%' ORDER BY day`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var holidays, workdays []string
		for rows.Next() {
			var day string
			var work bool
			if err := rows.Scan(&day, &work); err != nil {
				t.Fatal(err)
			}
			if work {
				workdays = append(workdays, day)
			} else {
				holidays = append(holidays, day)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		str := func(ds []rules.Date) (out []string) {
			for _, d := range ds {
				out = append(out, d.String())
			}
			return out
		}
		if w := str(want.Holidays); !slices.Equal(holidays, w) {
			t.Errorf("2026 holidays seeded:\n%v\nthe notice's:\n%v", holidays, w)
		}
		if w := str(want.Workdays); !slices.Equal(workdays, w) {
			t.Errorf("2026 make-up workdays seeded: %v, the notice's: %v", workdays, w)
		}
	})
}
