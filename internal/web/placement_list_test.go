package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestPlacementListPaging: the list shows 50 a page by default with the year's summary counted
// over all pages by one aggregate query (equal to the per-row count of every row), filters by
// name, the last digits of the masked ID number and status, sorts by name, and the API answers the
// same page with total and a next link that an old client, sending nothing, can follow to the end.
func TestPlacementListPaging(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s, svc := newPlacementSite(t, db, clock, placement.DisclosureLimits{PerEmployer: 5000, PerAddress: 5000, Window: time.Hour})
		c := s.ready(empCode)
		file := c.fileID("合同.pdf")
		var empID, userID int64
		if err := db.SQL().QueryRow(`SELECT id FROM employers WHERE credit_code = $1`, empCode).Scan(&empID); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRow(`SELECT id FROM users WHERE employer_id = $1`, empID).Scan(&userID); err != nil {
			t.Fatal(err)
		}
		a := actor.Actor{UserID: userID, Name: empCode, Role: actor.Employer, EmployerID: empID}
		ctx := context.Background()
		const n = 120
		idNumbers := map[int64]string{}
		for i := range n {
			birth := fmt.Sprintf("19%02d%02d%02d", 70+i%25, 1+i%12, 1+i%28)
			idn := residentID(birth, 100+i)
			id, err := svc.Create(ctx, a, 2025, placement.Input{IDNumber: idn, Name: fmt.Sprintf("测试%03d", n-i),
				Category: 1 + i%7, Level: 1 + i%4, Contracts: []placement.ContractInput{{Start: "2020-01-01", FileIDs: []string{file}}}})
			if err != nil {
				t.Fatalf("create %d: %v", i, err)
			}
			idNumbers[id] = idn
			if i%3 == 0 {
				if _, err := svc.SaveMonths(ctx, a, id, placement.SaveInput{}); err != nil {
					t.Fatalf("save %d: %v", i, err)
				}
			}
		}
		// Months that count (no official records are loaded here, so every month failed) and a few
		// placements of another status, so that the aggregate has every branch to count.
		if _, err := db.SQL().Exec(`UPDATE placement_months SET selected = TRUE, weight = 1 + (placement_id % 2) WHERE month <= '2025-06'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`UPDATE placements SET status = 'confirmed' WHERE id IN (SELECT placement_id FROM placement_months)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`UPDATE placements SET status = 'rejected' WHERE id IN (SELECT id FROM placements ORDER BY id LIMIT 4)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`UPDATE placements SET status = 'pending' WHERE id IN (SELECT id FROM placements WHERE status = 'confirmed' ORDER BY id DESC LIMIT 5)`); err != nil {
			t.Fatal(err)
		}
		all, rows, err := svc.List(ctx, a, 2025)
		if err != nil {
			t.Fatal(err)
		}
		sum, page, err := svc.ListPaged(ctx, a, placement.ListQuery{Year: 2025})
		if err != nil {
			t.Fatal(err)
		}
		if sum != all || sum.Persons != n || sum.Rejected != 4 || sum.Pending != 5 || sum.PendingMonths == 0 || sum.CountedMonths == 0 {
			t.Errorf("aggregate summary %+v, per-row summary %+v", sum, all)
		}
		if len(page.Rows) != 50 || page.Total != n || page.Pages != 3 || page.Rows[0].ID != rows[0].ID {
			t.Errorf("first page: %d rows of %d, %d pages", len(page.Rows), page.Total, page.Pages)
		}
		for i, r := range page.Rows {
			if r.ID != rows[i].ID || r.CountedMonths() != rows[i].CountedMonths() {
				t.Errorf("row %d: %+v, want %+v", i, r, rows[i])
			}
		}

		// The page: 50 rows, the pager, the summary of all 120.
		_, body, _ := c.get("/placements?year=2025")
		if strings.Count(body, `<th scope="row">`) != 50 || !strings.Contains(body, `id="sum-persons">120 人`) ||
			!strings.Contains(body, "第 1 / 3 页") || !strings.Contains(body, `href="/placements?page=2&amp;year=2025" rel="next"`) {
			t.Errorf("list page 1: %d rows; %s", strings.Count(body, `<th scope="row">`), excerpt(body, "placement-pager"))
		}
		_, body, _ = c.get("/placements?year=2025&page=3")
		if strings.Count(body, `<th scope="row">`) != 20 || strings.Contains(body, `rel="next"`) || !strings.Contains(body, `rel="prev"`) {
			t.Errorf("list page 3: %d rows", strings.Count(body, `<th scope="row">`))
		}
		// By name: 测试001 … 测试120; "测试01" matches 010–019.
		_, body, _ = c.get("/placements?year=2025&q=" + url.QueryEscape("测试01"))
		if got := strings.Count(body, `<th scope="row">`); got != 10 || !strings.Contains(body, "符合条件 10 人") {
			t.Errorf("search by name: %d rows", got)
		}
		// By the last four digits of the ID number, sorted by name.
		var someID int64
		for id := range idNumbers {
			someID = id
			break
		}
		last4 := idNumbers[someID][14:]
		want := 0
		for _, idn := range idNumbers {
			if strings.HasSuffix(idn, last4) {
				want++
			}
		}
		_, body, _ = c.get("/placements?year=2025&sort=name&q=" + last4)
		if got := strings.Count(body, `<th scope="row">`); got != want || !strings.Contains(body, fmt.Sprintf(`href="/placements/%d"`, someID)) {
			t.Errorf("search by ID digits %s: %d rows, want %d", last4, got, want)
		}
		_, body, _ = c.get("/placements?year=2025&status=rejected")
		if got := strings.Count(body, `<th scope="row">`); got != 4 {
			t.Errorf("filter by status: %d rows, want 4", got)
		}
		_, body, _ = c.get("/placements?year=2025&sort=name&pageSize=5")
		if i, j := strings.Index(body, "测试001"), strings.Index(body, "测试005"); i < 0 || j < i || strings.Contains(body, "测试006") {
			t.Errorf("sorted by name, 5 a page: %s", excerpt(body, "placement-table"))
		}
		for _, bad := range []string{"page=0", "page=x", "pageSize=501", "status=lost", "sort=age"} {
			if status, _, _ := c.get("/placements?year=2025&" + bad); status != 422 {
				t.Errorf("list with %s: %d, want 422", bad, status)
			}
		}

		// The API: an old client sends nothing, gets the first page with total and next, and
		// follows next to the last page, seeing every row once.
		seen := map[float64]bool{}
		next := "/api/v1/years/2025/placements"
		for pages := 0; next != ""; pages++ {
			if pages > 3 {
				t.Fatal("next never ends")
			}
			status, resp := c.json("GET", next, nil)
			if status != 200 {
				t.Fatalf("GET %s: %d %s", next, status, resp)
			}
			var out struct {
				Total int              `json:"total"`
				Next  string           `json:"next"`
				Items []map[string]any `json:"items"`
				Sum   map[string]any   `json:"summary"`
			}
			if err := json.Unmarshal([]byte(resp), &out); err != nil {
				t.Fatal(err)
			}
			if out.Total != n || out.Sum["persons"] != float64(n) {
				t.Errorf("API page %d: total %d, summary %v", pages+1, out.Total, out.Sum)
			}
			for _, it := range out.Items {
				seen[it["id"].(float64)] = true
			}
			next = out.Next
		}
		if len(seen) != n {
			t.Errorf("following next saw %d rows, want %d", len(seen), n)
		}
		status, resp := c.json("GET", "/api/v1/years/2025/placements?status=pending&pageSize=2", nil)
		if status != 200 || !strings.Contains(resp, `"total":5`) || !strings.Contains(resp, `"next":"/api/v1/years/2025/placements?page=2\u0026pageSize=2\u0026status=pending"`) {
			t.Errorf("API filtered: %d %s", status, resp)
		}
	})
}

// excerpt is the part of a page around the element with the given id, for failure messages.
func excerpt(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return "(no " + id + ")"
	}
	return body[i:min(len(body), i+600)]
}
