package web_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestReviewQueuePaging: the reviewer's queue answers 50 items a page with the total of all
// pages, in the queue's order; an old API client that sends nothing gets the first page and a next
// link it can follow to the end; a county reviewer's total counts only the county's items; bad
// paging values are field errors.
func TestReviewQueuePaging(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s, _ := declSite(t, db, clock)
		emp := s.login("creditCode", empCode)
		prov := s.login("username", "province")
		other := s.login("username", "jilincity")
		if st, body := emp.json("PUT", "/api/v1/employer", fullProfile()); st != 200 {
			t.Fatalf("profile: %d %s", st, body)
		}
		const n = 120
		for i := range n {
			if _, err := db.SQL().Exec(`INSERT INTO review_items (kind, employer_id, year, note, status, created_at)
                SELECT 'reopen', id, 2025, $2, 'pending', $3 FROM employers WHERE credit_code = $1`,
				empCode, "申请"+string(rune('A'+i%26)), clock.Now().Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		var prev float64
		seen := 0
		next := "/api/v1/reviews"
		for pages := 0; next != ""; pages++ {
			if pages > 3 {
				t.Fatal("next never ends")
			}
			st, body := prov.json("GET", next, nil)
			if st != 200 {
				t.Fatalf("GET %s: %d %s", next, st, body)
			}
			var out struct {
				Total int              `json:"total"`
				Next  string           `json:"next"`
				Items []map[string]any `json:"items"`
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil {
				t.Fatal(err)
			}
			if out.Total != n || (out.Next != "" && len(out.Items) != 50) {
				t.Errorf("page %d: %d items of %d, next %q", pages+1, len(out.Items), out.Total, out.Next)
			}
			for _, it := range out.Items {
				id := it["id"].(float64)
				if id <= prev {
					t.Errorf("items out of the queue's order: %v after %v", id, prev)
				}
				prev = id
				seen++
			}
			next = out.Next
		}
		if seen != n {
			t.Errorf("following next saw %d items, want %d", seen, n)
		}
		if st, body := other.json("GET", "/api/v1/reviews", nil); st != 200 || !strings.Contains(body, `"total":0`) {
			t.Errorf("another city's reviewer: %d %.200s", st, body)
		}
		st, page, _ := prov.get("/review?page=3")
		if st != 200 || strings.Count(page, `<a href="/review/items/`) != 20 || !strings.Contains(page, "第 3 页，共 3 页") ||
			!strings.Contains(page, `rel="prev"`) || strings.Contains(page, `rel="next"`) {
			t.Errorf("queue page 3: %d, %d items", st, strings.Count(page, `<a href="/review/items/`))
		}
		for _, bad := range []string{"page=0", "pageSize=501", "page=x"} {
			if st, _ := prov.json("GET", "/api/v1/reviews?"+bad, nil); st != 422 {
				t.Errorf("queue with %s: %d, want 422", bad, st)
			}
		}
	})
}
