package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestHTTPDeleteKeepsReviewHistory deletes, over HTTP, a placement whose claim waits and one whose
// claim was rejected and claimed again (issue 13): the reviewer still lists and opens the items (the
// page says the person was deleted), the waiting one closed with the reason; the employer's API
// answers 404 for the deleted placement and shows a re-claimed month's earlier decision.
func TestHTTPDeleteKeepsReviewHistory(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s := fullSite(t, db, clock)
		emp := s.login("creditCode", empCode)
		prov := s.login("username", "province")
		if st, body := emp.json("PUT", "/api/v1/employer", fullProfile()); st != 200 {
			t.Fatalf("profile: %d %s", st, body)
		}
		fileID := emp.fileID("工资条.pdf")
		st, body := emp.json("POST", "/api/v1/years/2025/placements", personBody("220102198603270620", "吴秀兰", fileID))
		created := decode[struct{ ID int64 }](t, body)
		if st != 201 || created.ID == 0 {
			t.Fatalf("create: %d %s", st, body)
		}
		b := created.ID
		claim := map[string]any{"selected": []string{}, "claims": []map[string]any{{"month": "2025-02", "fileIds": []string{fileID}}}}
		if st, body := emp.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", b), claim); st != 200 {
			t.Fatalf("claim: %d %s", st, body)
		}
		items := func(status string) []struct {
			ID               int64
			Status, Comment  string
			PlacementDeleted bool
		} {
			st, body := prov.json("GET", "/api/v1/reviews?status="+status, nil)
			q := decode[struct {
				Items []struct {
					ID               int64
					Status, Comment  string
					PlacementDeleted bool
				}
			}](t, body)
			if st != 200 {
				t.Fatalf("queue: %d %s", st, body)
			}
			return q.Items
		}
		first := items("pending")
		if len(first) != 1 {
			t.Fatalf("pending: %+v", first)
		}
		if st, body := prov.json("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", first[0].ID),
			map[string]any{"approve": false, "comment": "工资条模糊"}); st != 200 {
			t.Fatalf("reject: %d %s", st, body)
		}
		// Claimed again: a new item; the employer's API shows the earlier decision under the month.
		if st, body := emp.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", b), claim); st != 200 {
			t.Fatalf("claim again: %d %s", st, body)
		}
		second := items("pending")
		if len(second) != 1 || second[0].ID == first[0].ID {
			t.Fatalf("re-claim: %+v after %+v", second, first)
		}
		st, body = emp.json("GET", fmt.Sprintf("/api/v1/placements/%d", b), nil)
		if st != 200 || !strings.Contains(body, `"earlier":[{"status":"rejected"`) || !strings.Contains(body, "工资条模糊") {
			t.Fatalf("placement with an earlier claim: %d %s", st, body)
		}

		if st, body := emp.json("DELETE", fmt.Sprintf("/api/v1/placements/%d", b), nil); st != http.StatusNoContent {
			t.Fatalf("delete: %d %s", st, body)
		}
		if st, _ := emp.json("GET", fmt.Sprintf("/api/v1/placements/%d", b), nil); st != http.StatusNotFound {
			t.Fatalf("deleted placement read: %d", st)
		}
		all := items("all")
		if len(all) != 2 {
			t.Fatalf("items after delete: %+v", all)
		}
		for _, it := range all {
			switch {
			case !it.PlacementDeleted:
				t.Errorf("item %d not marked deleted", it.ID)
			case it.ID == first[0].ID && (it.Status != "rejected" || it.Comment != "工资条模糊"):
				t.Errorf("the decided item: %+v", it)
			case it.ID == second[0].ID && (it.Status != "rejected" || it.Comment != placement.DeletedComment):
				t.Errorf("the closed item: %+v", it)
			}
		}
		st, page, _ := prov.get(fmt.Sprintf("/review/items/%d", first[0].ID))
		if st != 200 || !strings.Contains(page, "该人员已被单位删除") || !strings.Contains(page, "工资条模糊") ||
			!strings.Contains(page, placement.DeletedComment) {
			t.Fatalf("item page after delete: %d", st)
		}
	})
}
